"""Where the CPU time of indexing one camera photo goes, stage by stage, on one thread.

    .venv/bin/python benchmarks/index_stages.py [--photos 24] [--decoding beam=5,consensus=0 ...]

Times each stage of the indexer's per-photo work on the same ~12 MP JPEGs as ``benchmarks/index.py``
(one thread for everything, so the figures are CPU milliseconds per photo): the header and EXIF read,
the draft-mode decode, upright + RGB, the thumbnail, the encoder input, the encoder, the caption and
the partial hash. The caption is the indexer's (guided, checked by the rule); ``--decoding``
also times it with other decodings, for comparison. Then it prints the end-to-end rate these
costs allow on this machine's cores if the pipeline were perfect, and so the best possible ratio
to the bare encoder's rate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from index import camera_jpeg_bytes, decoding, load_model
from PIL import Image, ImageOps

from photoscope.library.fs import partial_hash
from photoscope.library.indexer import read_metadata
from photoscope.library.thumbnails import LARGE_SIZE, write_thumbnail
from photoscope.network.preprocess import INPUT_SIZE, preprocess


def per_photo_ms(work: Callable[[Any], Any], items: list[Any], per_call: int = 1) -> float:
    """Median of three passes over ``items``, in milliseconds per photo."""
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for item in items:
            work(item)
        runs.append((time.perf_counter() - start) * 1000 / (len(items) * per_call))
    return statistics.median(runs)


def draft_decode(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.draft("RGB", (LARGE_SIZE, LARGE_SIZE))
        image.load()
        return image.copy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument(
        "--decoding",
        action="append",
        default=[],
        help="also time the caption with these changes to the app's DecodeOptions (repeatable)",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        paths = []
        for i in range(args.photos):
            paths.append(tmp / f"IMG_{i}.jpg")
            paths[-1].write_bytes(camera_jpeg_bytes(i % 6))
        size_mb = sum(p.stat().st_size for p in paths) / len(paths) / 1e6
        model, which = load_model(tmp)
        print(f"{args.photos} JPEGs of 4000x3000 ({size_mb:.1f} MB each); {which}; 1 thread")
        drafts = [draft_decode(p) for p in paths]
        uprights = [ImageOps.exif_transpose(d).convert("RGB") for d in drafts]
        inputs = [u.resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BILINEAR) for u in uprights]
        batch = preprocess(inputs[:16])
        model.encoder.predict(batch)  # load and warm up
        embedded = model.embed(inputs[:16])
        features = torch.stack([e.feature for e in embedded]).float()
        latents = torch.stack([e.latent for e in embedded])
        model.describe_vectors(features, latents)
        stages = {
            "header + EXIF": per_photo_ms(lambda p: read_metadata(str(p)), paths),
            "JPEG decode, draft 1/8": per_photo_ms(draft_decode, paths),
            "upright + RGB": per_photo_ms(lambda d: ImageOps.exif_transpose(d).convert("RGB"), drafts),
            "thumbnail (256 px PNG)": per_photo_ms(
                lambda u: write_thumbnail(u, tmp / "x.jpg", 0, tmp / "thumbs"), uprights
            ),
            "encoder input (224 px)": per_photo_ms(
                lambda u: u.resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BILINEAR), uprights
            ),
            "partial hash": per_photo_ms(lambda p: partial_hash(str(p)), paths),
            "encoder (batch 16)": per_photo_ms(model.encoder.predict, [batch], per_call=16),
            "caption (batch 16)": per_photo_ms(
                lambda _: model.describe_vectors(features, latents), [None], per_call=16
            ),
        }
        others = {}
        for spec in args.decoding:
            options = decoding(spec)
            others[f"caption, {spec}"] = per_photo_ms(
                lambda _, o=options: model.describe_vectors(features, latents, o), [None], per_call=16
            )
        for name, ms in stages.items():
            print(f"{name:28s} {ms:7.2f} ms")
        for name, ms in others.items():
            print(f"({name:26s} {ms:7.2f} ms: not in the total)")
        total = sum(stages.values())
        cores = os.cpu_count() or 1
        encoder = stages["encoder (batch 16)"]
        print(f"{'total':28s} {total:7.2f} ms of CPU per photo")
        print(
            f"on {cores} cores, a perfect pipeline indexes at most {cores * 1000 / total:.1f} photos/s; "
            f"the bare encoder runs {cores * 1000 / encoder:.1f} photos/s (if it scaled perfectly): "
            f"best possible ratio {encoder / total:.2f}"
        )


if __name__ == "__main__":
    main()
