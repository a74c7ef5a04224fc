"""Build ``resources/near-classes.json``: for each ImageNet class, the classes the encoder's head
finds alike (development time only; the app reads the file, not the weights).

Usage::

    python tools/build_near_classes.py

Two classes are alike when their rows of the head's classifier (``logits = feature @ W.T + b``)
point the same way: the same features raise both. Cosines of the 1000 rows of EfficientNet-Lite0's
head: median 0.00, 99th percentile 0.12; "drake" is nearest "goose" (0.27), "gibbon" "siamang"
(0.35) and "spider monkey" (0.26), "rubber eraser" "ballpoint" (0.26). Only pairs at or above
``--threshold`` are kept (about 16 a class). Search lets a concept word reach the photos the head
calls by a near class (``photoscope.network.concepts.NearClasses``): "duck" the ducks it takes for
geese, "monkey" its gibbons.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from photoscope.network.bundle import DEFAULT_ENCODER
from photoscope.network.concepts import NEAR_RESOURCE_NAME
from photoscope.network.encoder import imagenet_head


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threshold", type=float, default=0.1)
    p.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / NEAR_RESOURCE_NAME
    )
    args = p.parse_args(argv)
    weight, _ = imagenet_head(DEFAULT_ENCODER)
    rows = F.normalize(weight, dim=1)
    cosines = rows @ rows.T
    cosines.fill_diagonal_(0.0)
    near = []
    for row in cosines:
        kept = (row >= args.threshold).nonzero().flatten()
        order = kept[row[kept].argsort(descending=True)]
        near.append([[int(j), round(float(row[j]), 3)] for j in order])
    data = {
        "about": "ImageNet classes alike to the encoder's head: cosine of its classifier rows",
        "encoder": DEFAULT_ENCODER.name,
        "threshold": args.threshold,
        "near": near,
    }
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    pairs = sum(len(n) for n in near)
    size = args.out.stat().st_size / 1e3
    print(f"wrote {args.out}: {pairs} pairs, {pairs / len(near):.1f} a class, {size:.0f} kB")
    return 0


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    sys.exit(main())
