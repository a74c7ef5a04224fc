"""Opening a big library: a synthetic 100,000-photo database must open and load its latents (ready to
search) in under 2 s, with the process under 1 GB of memory.

"store" is the search's store as the app opens it: the vectors' memory-mapped sidecar
(``search/sidecar.py``), written from SQLite on the first open ("store (first open)") and mapped on
the next ones ("store").

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

from synthetic_library import build

from photoscope.library.db import Library


def measure(path: str, kind: str, latent_dim: str) -> None:
    """Runs in the child: open, load one kind of vectors (or, for "store", both into the in-memory
    vector store that search uses), run one full-text search; print JSON."""
    if kind == "store":
        from photoscope.search.sidecar import open_store, sidecar_path  # PyTorch: before the clock starts
    start = time.perf_counter()
    library = Library(path)
    opened = time.perf_counter() - start
    if kind == "store":
        store = open_store(library, "synthetic@0", int(latent_dim), sidecar_path(path))
        ids, shape = store.ids, [len(store), store.base.features.shape[1]]  # features as search keeps them
    else:
        ids, matrix = library.load_vectors(kind)  # type: ignore[arg-type]
        shape = list(matrix.shape)
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
                "shape": shape,
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
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(*args.child)
        return
    if not args.db.exists():
        build(args.db, args.photos, args.latent_dim, "synthetic@0")
    from photoscope.search.sidecar import sidecar_path

    sidecar_path(args.db).unlink(missing_ok=True)
    runs = [("latent", "latent"), ("feature", "feature"), ("store", "store (first open)"), ("store", "store")]
    for kind, label in runs:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(args.db), kind, str(args.latent_dim)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out)
        print(
            f"{label}: {r['n']} photos, matrix {r['shape']}; open {r['open']:.3f} s, "
            f"loaded {r['ready']:.3f} s, + text search {r['search']:.3f} s; peak RSS {r['rss_mb']:.0f} MB"
        )
    print("targets: ready < 2 s, RSS < 1 GB (store: latents and features in the search's vector store)")


if __name__ == "__main__":
    main()
