"""How often a "Looks like" tag names a class the photo shows, by the head's probability for it:
what ``naming.SHOWN_FROM`` (the least a tag shown needs) is chosen by.

    python benchmarks/shown_tags.py --data /tmp/openworld [--cache runs/cache/openworld]

The photos are the open-world dev set (``tools/open_world_photos.py``), encoded once by
``photoscope evaluate open-world`` into ``--cache``. Each photo's five likeliest classes are judged
against its label words: a class is right when a label word that names at most ``NARROW`` classes
covers it ("cat" covers the Egyptian cat; "animal", which covers hundreds, judges nothing).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch

from photoscope.config import default_model_dir
from photoscope.network.concepts import load_concepts
from photoscope.network.model import PhotoscopeModel

NARROW = 30  # a label word covering more classes than this is too broad to judge a tag
BUCKETS = (0.03, 0.05, 0.10, 0.15, 0.20, 0.30)  # lower bounds of the probability bands reported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the open-world photos' folder")
    parser.add_argument("--cache", type=Path, default=Path("runs/cache/openworld"))
    args = parser.parse_args()
    labels = {d["file"]: d["words"] for d in json.loads((args.data / "labels.json").read_text())}
    cached = np.load(args.cache / "open-world-features.npz", allow_pickle=True)
    model = PhotoscopeModel(default_model_dir())
    probs = model.concept_probs(torch.from_numpy(cached["features"]).float()).numpy()
    concepts = load_concepts()
    right, shown = np.zeros(len(BUCKETS), int), np.zeros(len(BUCKETS), int)
    for name, p in zip(cached["files"], probs, strict=True):
        covers = [set(concepts.classes_for(w)) for w in labels[str(name)]]
        cover = set().union(*(c for c in covers if len(c) <= NARROW))
        for c in np.argsort(-p)[:5]:
            if p[c] >= BUCKETS[0]:
                band = int(np.searchsorted(BUCKETS, p[c], side="right")) - 1
                shown[band] += 1
                right[band] += int(c) in cover
    for at, low in enumerate(BUCKETS):
        high = f"{BUCKETS[at + 1]:.2f}" if at + 1 < len(BUCKETS) else "1.00"
        share = 100 * right[at] / max(shown[at], 1)
        print(f"p {low:.2f}-{high}: {right[at]:3d} of {shown[at]:3d} tags right ({share:.0f} %)")


if __name__ == "__main__":
    main()
