"""File > Find copies on a big library: how long a pass takes, how soon it stops when no longer
wanted, and how long a search waits meanwhile.

    python benchmarks/copies.py [--photos 100000] [--db PATH] [--stop-after 3]

The library is ``synthetic_library.build``'s (random vectors under the shipped model's version; built
once, then reused from ``--db``). A pass compares every pair of photos (N^2 x D multiply-adds, D the
stored features' width: 192 above ``REDUCE_FROM`` photos), so its time grows with the square of the
library. Printed:

- a whole pass (``Photoscope.copies``) and the process's peak memory after it;
- a pass that is told to stop (``keep_going`` turns False) ``--stop-after`` seconds in: how long it
  takes to stop after that (the window stops one when a query is typed, or the app quits);
- a plain text search run while a pass runs in another thread: before 2026-12-03 the pass held
  the store's lock throughout, and the search waited for all of it (28.7 s at 100,000 photos,
  0.27 s otherwise: the speed audit of stop 46).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
from synthetic_library import build

from photoscope.api import Photoscope, shipped_model_version


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def whole_pass(api: Photoscope) -> None:
    start = time.perf_counter()
    copies = api.copies()
    print(
        f"whole pass: {time.perf_counter() - start:.1f} s ({len(copies.groups)} groups of copies),"
        f" peak memory {_peak_mb():.0f} MB"
    )


def stopped_pass(api: Photoscope, after_s: float) -> None:
    wanted = threading.Event()
    wanted.set()
    ended: list[float] = []

    def run() -> None:
        try:
            api.copies(wanted.is_set)
        except Exception as error:  # StoppedEarly, as the window's runner drops it
            print(f"  stopped with {type(error).__name__}")
        ended.append(time.perf_counter())

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(after_s)
    told = time.perf_counter()
    wanted.clear()
    thread.join()
    print(f"pass told to stop {after_s:g} s in: stopped {ended[0] - told:.2f} s later")


def search_during_pass(api: Photoscope) -> None:
    api.search_text("a dog on the beach", 50)  # the network loaded, the query's words read once
    start = time.perf_counter()
    api.search_text("a dog on the beach", 50)
    alone = time.perf_counter() - start
    thread = threading.Thread(target=api.copies)
    thread.start()
    time.sleep(1.0)
    start = time.perf_counter()
    api.search_text("a dog on the beach", 50)
    during = time.perf_counter() - start
    thread.join()
    print(f"text search alone {alone:.2f} s, during a pass {during:.2f} s (2 cores shared with it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--latent-dim", type=int, default=256)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "photoscope-bench-copies.db")
    parser.add_argument("--stop-after", type=float, default=3.0)
    args = parser.parse_args()
    if not args.db.exists():
        version = shipped_model_version()
        if version is None:
            sys.exit("the shipped model's bundle cannot be read: reinstall Photoscope")
        build(args.db, args.photos, args.latent_dim, version)
    with Photoscope(args.db) as api:
        start = time.perf_counter()
        api.load_vectors()
        print(f"{len(api.store)} photos; vectors loaded in {time.perf_counter() - start:.1f} s")
        whole_pass(api)
        stopped_pass(api, args.stop_after)
        search_during_pass(api)


if __name__ == "__main__":
    main()
