"""Captioning throughput from encoder features (beam search over the shipped network).

    python benchmarks/caption.py [--photos 1000] [--beam 10] [--batch 250]
    python benchmarks/caption.py --describe [--guidance 0.8]   # the app's whole description

``--describe`` times what the indexer and the re-captioning of stored vectors run per photo: the
beam guided by the word detectors (``--guidance``, 0: off), then the caption rule.

The features are scikit-image's sample photos' (encoded once) with noise added, so each
photo's beam search does real work on realistic inputs.
"""

from __future__ import annotations

import argparse
import time

import torch

from photoscope.network.decoding import beam_search
from photoscope.network.model import DecodeOptions, PhotoscopeModel


def features_from_samples(model: PhotoscopeModel, count: int) -> torch.Tensor:
    from PIL import Image
    from skimage import data

    photos = [
        Image.fromarray(getattr(data, n)()).convert("RGB")
        for n in ("astronaut", "coffee", "chelsea", "rocket")
    ]
    feats = model.encoder.encode_images(photos).features
    noise = torch.randn(count, feats.shape[1]) * feats.std() * 0.3
    return feats.repeat(count // len(photos) + 1, 1)[:count] + noise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--beam", type=int, default=DecodeOptions().beam)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--rerank", type=float, default=DecodeOptions().rerank)
    parser.add_argument("--consensus", type=float, default=DecodeOptions().consensus)
    parser.add_argument("--model", default=None)
    parser.add_argument("--describe", action="store_true", help="the app's guided beam and caption rule")
    parser.add_argument("--guidance", type=float, default=DecodeOptions().guidance)
    args = parser.parse_args()
    model = PhotoscopeModel(args.model)
    features = features_from_samples(model, args.photos)
    with torch.inference_mode():
        latents = model.bundle.network.latent(features)
    net, vocab = model.bundle.network, model.bundle.vocab
    options = DecodeOptions(args.beam, rerank=args.rerank, guidance=args.guidance, consensus=args.consensus)

    def caption(lo: int, hi: int) -> None:
        if args.describe:
            model.describe_vectors(features[lo:hi], latents[lo:hi], options)
        else:
            beam_search(net, vocab, latents[lo:hi], args.beam, choice=options.choice)

    caption(0, 8)  # warm-up
    started = time.perf_counter()
    for lo in range(0, args.photos, args.batch):
        caption(lo, lo + args.batch)
    seconds = time.perf_counter() - started
    what = f"described (guidance {args.guidance}, caption rule)" if args.describe else "beam search alone"
    print(
        f"{args.photos} photos {what}, beam {args.beam}, re-rank {args.rerank}, consensus {args.consensus}, "
        f"batch {args.batch}: "
        f"{args.photos / seconds:.0f} photos/s "
        f"({seconds * 1000 / args.photos:.1f} ms per photo); torch threads {torch.get_num_threads()}"
    )


if __name__ == "__main__":
    main()
