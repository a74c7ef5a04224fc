"""A synthetic library database for the benchmarks that need a big one (db_open.py, gui.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from photoscope.library.db import IndexedPhoto, Library, NewFile

WORDS = [
    "a",
    "dog",
    "cat",
    "man",
    "woman",
    "child",
    "beach",
    "snow",
    "grass",
    "red",
    "runs",
    "plays",
    "on",
    "the",
]
TAGS = ["seashore", "golden retriever", "tabby", "alp", "sandbar", "volcano", "lakeside", "park bench"]


def build(path: Path, photos: int, latent_dim: int, model_version: str) -> None:
    """Rows as the worker writes them (caption, 5 tags, float32 latent, float16 feature, FTS row),
    in batches of 5,000 photos, with random vectors."""
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    with Library(path) as library:
        folder = library.add_folder("/synthetic/Pictures")
        for first in range(0, photos, 5000):
            n = min(5000, photos - first)
            new = [
                NewFile(
                    folder.id,
                    f"/synthetic/Pictures/{2000 + i // 5000}/IMG_{i:06d}.jpg",
                    3_000_000 + i,
                    1.6e9 + i,
                    f"{i:032x}",
                )
                for i in range(first, first + n)
            ]
            ids = library.add_photos(new)
            latents = rng.standard_normal((n, latent_dim), dtype=np.float32)
            features = rng.random((n, 1280), dtype=np.float32).astype(np.float16)
            batch = [
                IndexedPhoto(
                    id=pid,
                    size=f.size,
                    mtime=f.mtime,
                    width=4000,
                    height=3000,
                    taken_at=f"20{10 + j % 14:02d}-06-01T12:00:00",
                    camera="Canon EOS R5",
                    caption=" ".join(rng.choice(WORDS, 9)),
                    caption_score=-0.8,
                    tags=[(t, 0.2) for t in rng.choice(TAGS, 5, replace=False)],
                    latent=latents[j],
                    feature=features[j],
                    model_version=model_version,
                )
                for j, (pid, f) in enumerate(zip(ids, new, strict=True))
            ]
            library.write_results(batch)
    print(
        f"built {photos} photos in {time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
    )
