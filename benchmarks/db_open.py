"""Opening a big library: a synthetic 100,000-photo database must open and load its latents (ready to
search) in under 2 s, with the process under 1 GB of memory.

    .venv/bin/python benchmarks/db_open.py [--photos 100000] [--latent-dim 256] [--db PATH]

The database is built once (rows like the worker writes: caption, 5 tags, a float32 latent and a
float16 1280-d feature, FTS row) and kept at --db to be reused; each measurement runs in a fresh
process so imports, page cache and RSS are what a starting app sees.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from photoscope.db import IndexedPhoto, Library, NewFile

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


def build(path: Path, photos: int, latent_dim: int) -> None:
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
                    model_version="synthetic@0",
                )
                for j, (pid, f) in enumerate(zip(ids, new, strict=True))
            ]
            library.write_results(batch)
    print(
        f"built {photos} photos in {time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
    )


def measure(path: str, kind: str) -> None:
    """Runs in the child: open, load one kind of vectors, run one text search; print JSON."""
    start = time.perf_counter()
    library = Library(path)
    opened = time.perf_counter() - start
    ids, matrix = library.load_vectors(kind)  # type: ignore[arg-type]
    loaded = time.perf_counter() - start
    hits = library.text_search("dog beach", 20)
    searched = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "open": opened,
                "ready": loaded,
                "search": searched,
                "n": len(ids),
                "shape": list(matrix.shape),
                "rss_mb": rss_mb,
                "hits": len(hits),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--latent-dim", type=int, default=256)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "photoscope-bench-100k.db")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(*args.child)
        return
    if not args.db.exists():
        build(args.db, args.photos, args.latent_dim)
    for kind in ("latent", "feature"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(args.db), kind],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out)
        print(
            f"{kind}: {r['n']} photos, matrix {r['shape']}; open {r['open']:.3f} s, "
            f"loaded {r['ready']:.3f} s, + text search {r['search']:.3f} s; peak RSS {r['rss_mb']:.0f} MB"
        )
    print("targets: latents ready < 2 s, RSS < 1 GB")


if __name__ == "__main__":
    main()
