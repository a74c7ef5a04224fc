"""Re-scan speed: an unchanged 10,000-photo library must be checked in under 2 s.

    .venv/bin/python benchmarks/rescan.py [--photos 10000] [--work DIR]

``--work`` keeps the files and the library in DIR and reuses them on the next run with the same
``--photos`` (a million files take minutes to write and to index the first time: make them once,
time the re-scans on a quiet machine later; ``--prepare`` stops after the first scan).

The files are tiny (a scan never decodes; it compares stat results with the stored rows in bulk and
hashes only new or changed files), spread over 100 folders as a camera-roll library would be.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from photoscope.library.db import Library
from photoscope.library.scanner import Scanner


def make_files(root: Path, count: int, per_folder: int = 100) -> None:
    for i in range(count):
        folder = root / f"{2000 + i // (per_folder * 12)}" / f"album {i // per_folder:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"IMG_{i:05d}.jpg").write_bytes(b"\xff\xd8" + i.to_bytes(4, "little") + b"\xff\xd9")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", type=Path, help="keep (and reuse) the files and the library here")
    parser.add_argument("--prepare", action="store_true", help="with --work: make them, then stop")
    args = parser.parse_args()
    if args.work is None:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), args)
    else:
        run(args.work / str(args.photos), args)


def run(work: Path, args: argparse.Namespace) -> None:
    root = work / "Pictures"
    ready = work / "ready"  # written after the first scan: the files and the library are complete
    if not ready.exists():
        make_files(root, args.photos)
        with Library(work / "library.db") as library:
            library.add_folder(root)
            start = time.perf_counter()
            first = Scanner(library).scan()
            took = time.perf_counter() - start
            print(f"first scan: {len(first.added)} new photos in {took:.2f} s (hashes each)")
        ready.touch()
    if args.prepare:
        return
    with Library(work / "library.db") as library:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            report = Scanner(library).scan()
            times.append(time.perf_counter() - start)
            assert report.unchanged == args.photos and not report.anything
        print(
            f"unchanged re-scan of {args.photos} photos: median {statistics.median(times):.3f} s, "
            f"best {min(times):.3f} s over {args.repeats} runs (targets: 10,000 < 2 s, 1,000,000 <= 10 s)"
        )
        if args.work is not None:  # kept for the next run: leave its files unchanged
            return
        touched = sorted(root.rglob("*.jpg"))[:: max(1, args.photos // 10)]
        for path in touched:
            os.utime(path, (time.time(), time.time() + 5))
        start = time.perf_counter()
        report = Scanner(library).scan()
        print(f"re-scan with {report.changed} changed: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
