"""What following a moved folder costs: a 10,000-photo watched folder renamed, then added again.

    .venv/bin/python benchmarks/relocate.py [--photos 10000] [--no-thumbnails]

The library follows the folder (``library.relocation``): a sample of its photos is looked for at
the new place, every path is rewritten in one transaction, and each photo's cached thumbnail is
re-filed under its new name (its bytes copied with the new URI the thumbnail spec asks for).
Printed: the whole ``add_folder`` call, and the database's part of it; the rest is the thumbnails.
Indexing the photos again, which this replaces, took 29 s for 436 photos on the 2-core development
machine (`photoscope index`, 2026-12-02).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from PIL import Image
from rescan import make_files

from photoscope.api import Photoscope
from photoscope.library import thumbnails
from photoscope.library.db import Library
from photoscope.library.scanner import Scanner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--no-thumbnails", action="store_true", help="a library with no thumbnails cached")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")
        old, new = work / "Pictures", work / "Photos"
        make_files(old, args.photos)
        with Library(work / "library.db") as library:
            library.add_folder(old)
            Scanner(library).scan()
            paths = [p for _, p in library.photo_paths(library.folders()[0].id)]
        if not args.no_thumbnails:
            thumb = Image.new("RGB", (256, 192), (120, 140, 160))
            for path in paths:
                thumbnails.write_thumbnail(thumb, path, os.stat(path).st_mtime)
        old.rename(new)
        timed = _time_relocation(work / "library.db", new)
        print(
            f"{args.photos} photos: add_folder {timed['all']:.2f} s, of which the database"
            f" {timed['db']:.2f} s (found the moved folder and rewrote its paths)"
        )


def _time_relocation(db: Path, new: Path) -> dict[str, float]:
    """Wall seconds of the whole call, and of ``Library.relocate_folder`` inside it."""
    timed = {"db": 0.0}
    relocate = Library.relocate_folder

    def timed_relocate(self: Library, folder_id: int, path: str | Path) -> object:
        start = time.perf_counter()
        try:
            return relocate(self, folder_id, path)
        finally:
            timed["db"] += time.perf_counter() - start

    Library.relocate_folder = timed_relocate  # type: ignore[method-assign,assignment]
    with Photoscope(db) as app:
        start = time.perf_counter()
        folder = app.add_folder(new)
        timed["all"] = time.perf_counter() - start
    assert folder.moved_from is not None, "the folder was not followed"
    return timed


if __name__ == "__main__":
    main()
