"""Text search's fusion weights on every query of a split, sharing the expensive parts across variants.

    python benchmarks/retrieval_fusion.py --data ../shared/datasets/flickr8k --cache runs/shipped/cache

Each caption of the split queries the split's photos. The text encoder's latents and their inverted
refinements are computed once; the log-likelihood of each query under each photo that any variant
puts in its top 50 is computed once; then every (start weight, re-rank weight) pair is scored from
those, with ``TextRanker``'s own ``rescore_top`` (the 0.5 / 0.1 pair reproduces ``photoscope evaluate
retrieval``'s figures to the decimal). On a quiet 2-core machine it takes about 15 minutes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from photoscope.network.decoding import caption_log_prob, pad_batch
from photoscope.network.inversion import InversionOptions, invert
from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import rescore_top
from photoscope.training.evaluate import recall_at
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset

START_WEIGHTS = [0.3, 0.4, 0.5]
RERANK_WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0]
K = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True, help="feature cache folder")
    parser.add_argument("--split", default="val")
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    data = CaptionDataset.load(args.data)
    names = data.split(args.split)
    model = PhotoscopeModel(args.model)
    net, vocab = model.bundle.network, model.bundle.vocab
    feats = cached_features(names, data.root / "images", args.cache)
    with torch.inference_mode():
        raw = net.latent(torch.from_numpy(feats[:, 0].astype("float32")))
    photos = F.normalize(raw, dim=1)
    queries = [(i, c) for i, n in enumerate(names) for c in data.captions[n]]
    truth = torch.tensor([i for i, _ in queries])
    started = time.time()
    starts, refined = [], []
    for lo in range(0, len(queries), 250):
        texts = [c for _, c in queries[lo : lo + 250]]
        s = model.encode_text(texts)
        targets, lengths = pad_batch([vocab.encode(t) for t in texts], vocab.pad)
        r = invert(net, s, targets, lengths, vocab.start, InversionOptions()).latents
        starts.append(F.normalize(s, dim=1))
        refined.append(F.normalize(r, dim=1))
    s_all, r_all = torch.cat(starts), torch.cat(refined)
    print(f"{len(queries)} queries inverted in {time.time() - started:.0f} s", flush=True)
    by_start, by_refined, overlap = s_all @ photos.T, r_all @ photos.T, (s_all * r_all).sum(1, keepdim=True)

    def fused(w: float) -> torch.Tensor:  # cosine to the normalised mix, as the store scores it
        norm = (w * w + (1 - w) ** 2 + 2 * w * (1 - w) * overlap).sqrt()
        return (w * by_start + (1 - w) * by_refined) / norm

    candidates: list[set[int]] = [set() for _ in queries]
    for w in START_WEIGHTS:
        for q, row in enumerate(fused(w).topk(K, dim=1).indices.tolist()):
            candidates[q].update(row)
    pairs = [(q, c) for q in range(len(queries)) for c in sorted(candidates[q])]
    encoded = [vocab.encode(c) for _, c in queries]
    per_word: dict[tuple[int, int], float] = {}
    with torch.inference_mode():
        for lo in range(0, len(pairs), 4000):
            chunk = pairs[lo : lo + 4000]
            targets, lengths = pad_batch([encoded[q] for q, _ in chunk], vocab.pad)
            log_p = caption_log_prob(net, raw[[c for _, c in chunk]], targets, lengths, vocab.start)
            per_word.update(zip(chunk, (log_p / lengths).tolist(), strict=True))
    print(f"{len(pairs)} likelihoods, {time.time() - started:.0f} s in all", flush=True)
    for w in START_WEIGHTS:
        base = fused(w)
        top, rows = base.topk(K, dim=1)
        likelihood = torch.tensor([[per_word[(q, c)] for c in row] for q, row in enumerate(rows.tolist())])
        for rw in RERANK_WEIGHTS:
            scores = rescore_top(base, top, rows, likelihood, rw)
            m = recall_at((scores > scores.gather(1, truth[:, None])).sum(1).numpy())
            print(
                f"start weight {w}, re-rank weight {rw}: R@1 {m['r1']:.1f}  R@5 {m['r5']:.1f}  "
                f"R@10 {m['r10']:.1f}  median rank {m['median_rank']:.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
