"""Example search with reduced features vs the full ones: precision@10 on labelled photos.

    .venv/bin/python benchmarks/feature_precision.py [--features runs/cache/flickr8k/features.npy]
        [--data ../shared/datasets/flickr8k] [--dims 64 128 192 256]

The labelled set: Flickr8k's 1,000 val photos (their encoder features, cached by training as
as-is + mirrored views), each labelled by the subject nouns that at least two of its five captions
use (dog, child, water, snow, bike, ...). A neighbour is relevant when it shares a label with the
query photo; every photo with a label queries the others, as the app's "similar photos" does.

Full: the store's unit float16 1280-d features. Reduced: what ``search/sidecar.py`` keeps above
REDUCE_FROM photos: unit features projected on the library's own top principal directions
(uncentred), renormalised, float16. "in-sample" fits the directions on the same photos (as the app
fits them on the library it searches); "held-out" fits them on the other half of the photos and
searches this half. Also: how often a photo's mirror image finds the photo first, with a cosine at or
above the near-duplicate threshold (0.97), full and reduced.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np

from photoscope.search.sidecar import fit_basis, reduce_features

ROOT = Path(__file__).resolve().parents[1]
NOUNS = set(
    """dog dogs puppy cat man men woman women boy boys girl girls child children kid kids baby people
person crowd player team water pool ocean sea lake river beach sand wave waves surf surfer snow
grass field park street road city building car bike bicycle motorcycle horse ball mountain hill rock
rocks climber tree trees forest dirt mud trail stage fountain bench snowboarder skier skateboard
skateboarder swing sled boat frisbee football soccer basketball""".split()  # noqa: SIM905
)
NEAR_DUPLICATE = 0.97


def labels(data: Path, names: list[str]) -> list[set[str]]:
    captions: dict[str, list[str]] = {}
    with (data / "captions.tsv").open() as f:
        for row in csv.DictReader(f, delimiter="\t"):
            captions.setdefault(row["image"], []).append(row["caption"].lower())
    singular = {"dogs": "dog", "men": "man", "women": "woman", "boys": "boy", "girls": "girl",
                "children": "child", "kids": "child", "kid": "child", "trees": "tree", "rocks": "rock",
                "waves": "wave", "puppy": "dog", "bicycle": "bike"}  # fmt: skip
    out = []
    for name in names:
        counts: Counter[str] = Counter()
        for caption in captions.get(name, []):
            words = set(re.findall(r"[a-z]+", caption)) & NOUNS
            counts.update({singular.get(w, w) for w in words})
        out.append({w for w, c in counts.items() if c >= 2})
    return out


def unit16(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float32)
    out: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float16)
    return out


def precision_at(vectors: np.ndarray, tags: list[set[str]], k: int = 10) -> float:
    sims = vectors.astype(np.float32) @ vectors.astype(np.float32).T
    np.fill_diagonal(sims, -np.inf)
    found = []
    for i, mine in enumerate(tags):
        if not mine:
            continue
        top = np.argsort(-sims[i], kind="stable")[:k]
        found.append(np.mean([bool(tags[j] & mine) for j in top]))
    return float(np.mean(found))


def copies(library: np.ndarray, queries: np.ndarray) -> tuple[float, float]:
    """(share of mirrored photos whose first hit is their original, share of those at or above the
    near-duplicate threshold)."""
    sims = queries.astype(np.float32) @ library.astype(np.float32).T
    first = sims.argmax(1) == np.arange(len(queries))
    own = sims[np.arange(len(queries)), np.arange(len(queries))]
    return float(first.mean()), float((own >= NEAR_DUPLICATE).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=Path, default=ROOT / "runs/cache/flickr8k/features.npy")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/datasets/flickr8k")
    parser.add_argument("--dims", type=int, nargs="+", default=[64, 128, 192, 256])
    args = parser.parse_args()
    views = np.load(args.features).astype(np.float32)
    names = json.loads(args.features.with_suffix(".json").read_text())["names"]
    photos, mirrored = views[:, 0], views[:, 1]
    tags = labels(args.data, names)
    print(f"{len(names)} photos, {sum(bool(t) for t in tags)} with a label; labels: "
          f"{Counter(w for t in tags for w in t).most_common(8)}")  # fmt: skip
    full = unit16(photos)
    half = len(names) // 2
    a, b = slice(0, half), slice(half, None)
    base = precision_at(full, tags)
    base_b = precision_at(full[b], tags[b])
    first, dup = copies(full, unit16(mirrored))
    print(f"full 1280-d float16: P@10 {base:.4f} (second half alone {base_b:.4f}); mirror image finds "
          f"its photo first {first:.3f}, at >= {NEAR_DUPLICATE} {dup:.3f}")  # fmt: skip
    for dims in args.dims:
        basis = fit_basis(photos, dims)
        reduced = reduce_features(photos, basis)
        held = reduce_features(photos[b], fit_basis(photos[a], dims))
        p, p_held = precision_at(reduced, tags), precision_at(held, tags[b])
        first, dup = copies(reduced, reduce_features(mirrored, basis))
        held_out = f"held-out {p_held:.4f} ({p_held - base_b:+.4f})"
        print(f"reduced to {dims:>3}: P@10 in-sample {p:.4f} ({p - base:+.4f}), {held_out}; "
              f"mirror first {first:.3f}, at >= {NEAR_DUPLICATE} {dup:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
