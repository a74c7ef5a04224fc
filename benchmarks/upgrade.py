"""What an upgrade to a model on the same encoder costs a user: the stored vectors adopted.

    python benchmarks/upgrade.py [--photos 100000] [--db /tmp/photoscope-upgrade.db]

Builds a synthetic library (``synthetic_library``: random vectors, no files) as an older model
version indexed it, then times ``library.upgrade.adopt_version`` with the shipped model: every
photo's latent computed from its stored feature and written, a transaction per 1,024 photos. The
check that comes first (three photos encoded again, compared with their stored features) needs
files, so it is not timed here: about as long as encoding three photos. The captions are then
written again from the vectors when the indexer is idle (``benchmarks/redescribe.py`` times that).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
from synthetic_library import build

from photoscope.library.db import Library
from photoscope.library.upgrade import adopt_version
from photoscope.network.model import PhotoscopeModel

OLDER = "photoscope-caption@older"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/photoscope-upgrade.db"))
    args = parser.parse_args()
    model = PhotoscopeModel()
    args.db.unlink(missing_ok=True)
    build(args.db, args.photos, model.latent_dim, OLDER)
    with Library(args.db) as library:
        wall, cpu = time.perf_counter(), time.process_time()
        adopted = adopt_version(library, model, OLDER)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert library.model_versions() == {model.version: args.photos}
    per = 1000 / max(len(adopted), 1)
    print(f"{len(adopted)} photos adopted: {wall:.1f} s wall, {cpu:.1f} s CPU", end=" ")
    print(f"({wall * per:.2f} s wall per 1,000 photos)")


if __name__ == "__main__":
    main()
