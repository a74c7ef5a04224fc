"""A million photos: the search's store ready, its memory, and query latency (issue #18's targets).

    .venv/bin/python benchmarks/million.py [--photos 1000000] [--db /tmp/photoscope-bench-1m.db]
        [--queries 15] [--skip-build]

The synthetic library (``synthetic_library.build``: rows as the worker writes them, random vectors)
is built once and kept at --db. Each step runs in a fresh process, so imports, page cache and peak RSS
(ru_maxrss, which counts the mapped file's resident pages) are what a starting app sees:

1. ``build``: the vectors' sidecar written from SQLite (what the first start after an upgrade does);
2. ``ready``: the store opened from the sidecar (``sidecar.open_store``; PyTorch imported before the
   clock starts, as the app does it in parallel), then one text and one example-photo query with the
   shipped model, then ``--queries`` of each: p50/p90, and the process's peak RSS at the end.
Targets: ready <= 3 s, peak RSS <= 1.5 GB, text query p50 <= 400 ms, example-photo p50 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from synthetic_library import build

MODEL_VERSION = "synthetic@0"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_build(db: str, latent_dim: int) -> dict[str, float]:
    from photoscope.library.db import Library
    from photoscope.search import sidecar

    path = sidecar.sidecar_path(db)
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    with Library(db) as library:
        side = sidecar.build_sidecar(library, MODEL_VERSION, latent_dim, path)
    return {"build_s": time.perf_counter() - start, "count": side.count, "rss_mb": rss_mb(),
            "file_mb": path.stat().st_blocks * 512 / 1e6}  # fmt: skip


def child_fake(db: str, latent_dim: int, photos: int) -> dict[str, float]:
    """A sidecar of random vectors for ``photos`` photos next to an empty library (no SQLite rows:
    what the store's open, memory and queries cost does not depend on them)."""
    import numpy as np

    from photoscope.library.db import Library
    from photoscope.search import sidecar

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    with Library(db) as library:
        generation = library.vector_generation()
    basis = np.linalg.qr(rng.standard_normal((sidecar.FEATURE_DIM, sidecar.REDUCED_DIM)))[0].astype(
        np.float32
    )
    writer = sidecar._Writer(sidecar.sidecar_path(db), photos, latent_dim, basis, photos)

    def unit(n: int, d: int) -> np.ndarray:
        rows = rng.standard_normal((n, d), dtype=np.float32)
        out: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float16)
        return out

    for lo in range(0, photos, sidecar.CHUNK):
        n = min(sidecar.CHUNK, photos - lo)
        ids = np.arange(lo + 1, lo + n + 1, dtype=np.int64)
        norms = rng.uniform(5, 15, n).astype(np.float32)
        full = unit(n, sidecar.FEATURE_DIM)
        reduced = unit(n, sidecar.REDUCED_DIM)  # random too: projecting a million costs minutes
        writer.put(ids, unit(n, latent_dim), norms, reduced, None, None, full)
    writer.finish(MODEL_VERSION, generation)
    return {"build_s": time.perf_counter() - start, "count": photos, "rss_mb": rss_mb(),
            "file_mb": sidecar.sidecar_path(db).stat().st_blocks * 512 / 1e6}  # fmt: skip


def child_ready(db: str, latent_dim: int, queries: int) -> dict[str, float]:
    from PIL import Image
    from skimage import data

    from photoscope.library.db import Library
    from photoscope.network import PhotoscopeModel
    from photoscope.search import sidecar
    from photoscope.search.ranking import SearchEngine

    imported = rss_mb()
    start = time.perf_counter()
    library = Library(db)
    store = sidecar.open_store(library, MODEL_VERSION, latent_dim, sidecar.sidecar_path(db))
    ready = time.perf_counter() - start
    rss_ready = rss_mb()
    model = PhotoscopeModel()
    assert model.latent_dim == latent_dim
    engine = SearchEngine(model, store)
    photos = [Image.fromarray(getattr(data, n)()).convert("RGB") for n in ("astronaut", "coffee", "chelsea")]
    texts = ["a dog running on the grass", "two children playing in the water", "a man riding a bike",
             "a skier in the snow", "a brown dog swimming", "a crowd at a concert", "a cat"]  # fmt: skip
    start = time.perf_counter()
    engine.search_text(texts[0])
    first_text = time.perf_counter() - start
    start = time.perf_counter()
    engine.search_vector(model.embed(photos[:1])[0].feature)
    first_example = time.perf_counter() - start
    text, example = [], []
    for i in range(queries):
        model.inversions.clear()  # a new query each time: none of its inversion kept from before
        started = time.perf_counter()
        engine.search_text(texts[i % len(texts)], k=50)
        text.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.search_vector(model.embed([photos[i % len(photos)]])[0].feature, k=50)
        example.append(time.perf_counter() - started)
    return {
        "count": len(store),
        "rss_imports_mb": imported,
        "ready_s": ready,
        "rss_ready_mb": rss_ready,
        "first_text_s": first_text,
        "first_example_s": first_example,
        "text_p50_ms": 1000 * statistics.median(text),
        "text_p90_ms": 1000 * sorted(text)[int(0.9 * (len(text) - 1))],
        "example_p50_ms": 1000 * statistics.median(example),
        "example_p90_ms": 1000 * sorted(example)[int(0.9 * (len(example) - 1))],
        "rss_mb": rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1_000_000)
    parser.add_argument("--latent-dim", type=int, default=256)
    parser.add_argument("--db", type=Path, default=Path("/tmp/photoscope-bench-1m.db"))
    parser.add_argument("--queries", type=int, default=15)
    parser.add_argument("--skip-build", action="store_true", help="keep the sidecar already written")
    parser.add_argument(
        "--fake", action="store_true", help="random vectors straight into the sidecar of an empty library"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db, *rest = args.child
        if kind == "build":
            result = child_build(db, int(rest[0]))
        elif kind == "fake":
            result = child_fake(db, int(rest[0]), int(rest[1]))
        else:
            result = child_ready(db, int(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return
    if not args.db.exists() and not args.fake:
        build(args.db, args.photos, args.latent_dim, MODEL_VERSION)

    def child(*extra: str) -> dict[str, float]:
        done = subprocess.run(
            [sys.executable, __file__, "--child", *extra], check=True, capture_output=True, text=True
        )
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    if args.fake and not args.skip_build:
        b = child("fake", str(args.db), str(args.latent_dim), str(args.photos))
        written = f"{b['count']:,} photos written in {b['build_s']:.1f} s"
        print(f"random sidecar: {written}, file {b['file_mb']:.0f} MB")
    elif not args.skip_build:
        b = child("build", str(args.db), str(args.latent_dim))
        print(f"sidecar built from SQLite: {b['count']:,} photos in {b['build_s']:.1f} s, "
              f"peak RSS {b['rss_mb']:.0f} MB, file {b['file_mb']:.0f} MB on disk", flush=True)  # fmt: skip
    r = child("ready", str(args.db), str(args.latent_dim), str(args.queries))
    print(f"store ready: {r['count']:,} photos in {r['ready_s']:.3f} s "
          f"(RSS {r['rss_imports_mb']:.0f} MB after imports, "
          f"{r['rss_ready_mb']:.0f} MB ready)\n"
          f"first text query {r['first_text_s']:.2f} s, first example {r['first_example_s']:.2f} s\n"
          f"text query p50 {r['text_p50_ms']:.0f} ms, p90 {r['text_p90_ms']:.0f} ms; example photo (encoding "
          f"included) p50 {r['example_p50_ms']:.0f} ms, p90 {r['example_p90_ms']:.0f} ms\n"
          f"peak RSS {r['rss_mb']:.0f} MB")  # fmt: skip
    print("targets: ready <= 3 s, peak RSS <= 1,536 MB, text p50 <= 400 ms, example p50 <= 100 ms")


if __name__ == "__main__":
    main()
