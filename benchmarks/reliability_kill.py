"""kill -9 during indexing, again and again: the library must stay sound and every photo be indexed
exactly once at the end.

    python benchmarks/reliability_kill.py [--kills 20] [--photos 120] [--model DIR]

Each round starts ``photoscope index`` on the folder and kills it (SIGKILL) after a random delay; a last
run finishes the job. Prints the integrity check, photos on disk, rows, indexed rows, vectors, and
duplicates (paths or vectors stored twice).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--photos", type=int, default=120)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="photoscope-kill-"))
    rng = random.Random(args.seed)
    photos = base / "P"
    photos.mkdir()
    for i in range(args.photos):
        colour = tuple(rng.randrange(256) for _ in range(3))
        Image.new("RGB", (64, 48), colour).resize((1600, 1200)).save(photos / f"p{i:04d}.jpg")  # type: ignore[arg-type]
    env = dict(os.environ)
    for name in ("HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(base / name.lower())
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    db = base / "library.db"
    cmd = [
        sys.executable,
        "-m",
        "photoscope",
        "index",
        str(photos),
        "--db",
        str(db),
        "--quiet",
        "--batch-size",
        "4",
    ]
    cmd += ["--model", str(args.model)] if args.model else []
    killed_mid_way = 0
    for _ in range(args.kills):
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 8.0))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed_mid_way += 1
        process.wait()
    final = subprocess.run(cmd, env=env, capture_output=True, text=True)
    with sqlite3.connect(db) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT count(*) FROM photos").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM photos WHERE status = 'indexed'").fetchone()[0]
        vectors = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
        paths = conn.execute("SELECT count(DISTINCT path) FROM photos").fetchone()[0]
    duplicates = (rows - paths) + max(0, vectors - indexed)
    print(f"kills {args.kills} ({killed_mid_way} while running); final run exit {final.returncode}")
    print(
        f"integrity {integrity}; photos on disk {args.photos}; rows {rows}; indexed {indexed}; "
        f"vectors {vectors}"
    )
    print(f"duplicates {duplicates}")
    shutil.rmtree(base, ignore_errors=True)
    ok = integrity == "ok" and rows == indexed == vectors == args.photos and duplicates == 0
    return 0 if ok and final.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
