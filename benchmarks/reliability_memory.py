"""Peak memory of indexing huge photos: 4 PNGs of 169 MP (13,000 x 13,000) and 50 camera JPEGs
(4,000 x 3,000), indexed by ``photoscope index`` under ``/usr/bin/time -v``.

    python benchmarks/reliability_memory.py [--keep DIR] [--model DIR] [--threads N]

Prints the peak RSS ("Maximum resident set size") and the wall time. Issue #15's target: 1.5 GB on any
core count (decodes share a memory budget: ``library.photos.MemoryBudget``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image


def make(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    big = folder / "huge_0.png"
    if not big.exists():
        gradient = Image.linear_gradient("L").resize((13_000, 13_000), Image.Resampling.NEAREST)
        Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_90), gradient)).save(
            big, compress_level=1
        )
    for i in range(1, 4):
        if not (folder / f"huge_{i}.png").exists():
            shutil.copy(big, folder / f"huge_{i}.png")
    rng = random.Random(0)
    for i in range(50):
        path = folder / f"camera_{i:02d}.jpg"
        if not path.exists():
            image = Image.new("RGB", (400, 300), tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
            image.resize((4000, 3000), Image.Resampling.BICUBIC).save(path, quality=90)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="photoscope-memory-"))
    make(base / "photos")
    env = dict(os.environ)
    for name in ("HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(base / name.lower())
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    db = base / "library.db"
    if db.exists():
        db.unlink()
    cmd = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "-m",
        "photoscope",
        "index",
        str(base / "photos"),
        "--db",
        str(db),
    ]
    cmd += ["--quiet"] + (["--model", str(args.model)] if args.model else [])
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", done.stderr).group(1)  # type: ignore[union-attr]
    print(done.stdout.strip())
    print(
        f"exit {done.returncode}; peak RSS {peak / 1024**2:.2f} GB ({peak} kB); wall {wall}; "
        f"cores {os.cpu_count()}"
    )
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if done.returncode == 0 and peak < 1.5 * 1024**2 else 1


if __name__ == "__main__":
    sys.exit(main())
