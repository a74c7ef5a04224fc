"""What a caption-rule upgrade costs a user: re-captioning an indexed library from its stored vectors.

    python benchmarks/redescribe.py LIBRARY.db [--copy-to /tmp/redescribe.db]

The library is copied first (its captions are rewritten in the copy) and its photos are marked as
described by an older rule, so every photo is re-captioned, as after an upgrade that bumps
``DESCRIPTION_VERSION``: the decoder and the caption rule run again, the encoder does not. Prints
the photos re-captioned, wall and CPU time, and the time per 1,000 photos.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--copy-to", default="/tmp/photoscope-redescribe.db")
    args = parser.parse_args()
    shutil.copyfile(args.db, args.copy_to)
    with sqlite3.connect(args.copy_to) as conn:
        conn.execute("UPDATE photos SET description_version = 'older'")
    from photoscope.api import Photoscope

    app = Photoscope(args.copy_to).open()
    wall, cpu = time.perf_counter(), time.process_time()
    count = app.rewrite_captions()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    per = 1000 / max(count, 1)
    print(f"{count} photos re-captioned: {wall:.1f} s wall, {cpu:.1f} s CPU", end=" ")
    print(f"({wall * per:.1f} s wall, {cpu * per:.1f} s CPU per 1,000 photos)")


if __name__ == "__main__":
    main()
