"""What a search's filters cost before any ranking: the photos a folder or a date range allows.

    python benchmarks/filters.py [--photos 100000] [--db /tmp/photoscope-filters.db] [--repeat 9]

Builds a synthetic library (``synthetic_library``, reused when the file is there) and times the
API's filter step (``Searching._allowed``) for a folder, a year of dates taken (the date taken,
else the file's time, as the timeline files photos) and both: each search under a filter, every
keystroke in the window's search box, pays it once. Prints the median and the slowest run.

Then the library view under the same filters (``Browsing.timeline``, newest first, by month; read
off the window's thread), beside the whole library's: the filters narrow it too.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from synthetic_library import build

from photoscope.api import Filters, Photoscope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/photoscope-filters.db"))
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.photos, 256, "synthetic@1")
    year = (date(2015, 1, 1), date(2015, 12, 31))
    cases = {
        "folder": Filters("/synthetic/Pictures/2005"),
        "a year": Filters(None, *year),
        "folder and year": Filters("/synthetic/Pictures", *year),
    }
    with Photoscope(args.db) as app:
        for name, filters in cases.items():
            allowed = app._allowed(filters)  # the step itself, without a network
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                app._allowed(filters)
                runs.append(1000 * (time.perf_counter() - start))
            count = 0 if allowed is None else len(allowed)
            median = statistics.median(runs)
            print(f"{name:16s} {count:7,} photos  median {median:6.1f} ms  max {max(runs):6.1f} ms")
        for name, filters in {"whole library": None, **cases}.items():
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                listed = app.timeline("newest", "month", filters=filters)
                runs.append(1000 * (time.perf_counter() - start))
            median = statistics.median(runs)
            print(
                f"timeline, {name:16s} {len(listed.ids):7,} photos  median {median:6.1f} ms"
                f"  max {max(runs):6.1f} ms"
            )


if __name__ == "__main__":
    main()
