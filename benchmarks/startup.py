"""Command-line start-up: ``photoscope status`` and a cold ``photoscope search`` (issue #18).

Each run is a fresh ``photoscope`` process, timed as ``/usr/bin/time`` times it: wall seconds, user and
system CPU seconds and peak RSS (from ``wait4``'s resource usage). The median of ``--runs`` runs is
reported per command. On a shared, loaded machine the CPU time (user + sys) is the steadier figure;
the targets (status ≤ 0.3 s and ≤ 80 MB, cold search ≤ 3 s) are wall time on a quiet machine.

    .venv/bin/python benchmarks/startup.py --db LIBRARY.db [--runs 5] [--query "a dog on the beach"]
        [--only status|search] [--imports] [--command "PYTHONPATH=/tmp/old python -m photoscope"]

The library must exist (``photoscope index FOLDER --db LIBRARY.db``). "Cold" means no running app
answers over the socket (none is started here) and nothing is loaded in the process: the model,
PyTorch and the vectors are all loaded by the search itself; the OS's page cache is warm after the
first run, as it is when a user runs a second search. ``--imports`` also prints which heavy packages
each command imported. ``--command`` times another checkout the same way (before/after figures); run
it from outside this checkout, or ``python -m`` finds this one first:

    git archive <commit> photoscope | tar -x -C /tmp/old && ln -s "$PWD/resources" /tmp/old/resources
    cd /tmp && /path/to/.venv/bin/python /path/to/benchmarks/startup.py --db LIBRARY.db \
        --command "PYTHONPATH=/tmp/old /path/to/.venv/bin/python -m photoscope"

Measured (#18) on the shared, loaded 2-core machine, 1,000 Flickr8k photos, median of 5, before
(e595682) / after: status 0.43-0.46 / 0.32-0.34 s CPU, 52 / 45 MB; cold search 3.23-3.27 / 2.38-2.47 s
CPU, 302 / 294 MB. Then status without NumPy and PIL (imported where used, not by the api package):
0.34 / 0.17 s CPU, 45 / 24 MB (same machine, same 1,000 photos, old checkout timed with --command).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("torch", "torchvision", "PySide6", "numpy", "PIL", "sqlite_utils", "watchdog", "safetensors")

_PROBE = """
import atexit, json, sys
def _said():
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
    print(json.dumps(heavy), file=sys.stderr)
atexit.register(_said)
from photoscope.cli import main
sys.exit(main(sys.argv[1:]))
"""


def photoscope_command() -> list[str]:
    """The installed entry point next to this interpreter, else ``python -m photoscope``."""
    script = Path(sys.executable).with_name("photoscope")
    return [str(script)] if script.exists() else [sys.executable, "-m", "photoscope"]


def timed(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """One run: wall, user, sys seconds and peak RSS (MB) of the child, as /usr/bin/time gives them."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: nothing matched, still a full run
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{stderr}")
    return {
        "wall_s": wall,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    probe = _PROBE % (HEAVY,)
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, check=False
    )
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True, help="an indexed library")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default="a dog runs on the beach")
    parser.add_argument("--only", choices=("status", "search"))
    parser.add_argument("--imports", action="store_true", help="also list the heavy packages each imported")
    parser.add_argument(
        "--command",
        help="the photoscope command to time, as a shell would split it, leading NAME=VALUE settings "
        "allowed (default: the entry point next to this Python)",
    )
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"{args.db}: no library (index one first: photoscope index FOLDER --db {args.db})")
    env = dict(os.environ)
    # No app answers: the service socket lives in the runtime folder, here an empty one of our own.
    runtime = Path(env.get("TMPDIR", "/tmp")) / f"photoscope-startup-{os.getpid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    command = photoscope_command()
    if args.command:
        words = shlex.split(args.command)
        while words and "=" in words[0] and not words[0].startswith("="):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        command = words
    commands = {
        "status": ["status", "--db", str(args.db)],
        "search": ["search", args.query, "--db", str(args.db), "-n", "10"],
    }
    try:
        for name, rest in commands.items():
            if args.only and name != args.only:
                continue
            runs = [timed([*command, *rest], env) for _ in range(args.runs)]
            m = median_of(runs)
            line = (
                f"{name:7s} median of {args.runs}: {m['wall_s']:.2f} s wall, {m['user_s']:.2f} user, "
                f"{m['sys_s']:.2f} sys, {m['cpu_s']:.2f} s CPU, {m['rss_mb']:.0f} MB peak"
            )
            each = ", ".join(f"{r['cpu_s']:.2f}" for r in runs)
            print(f"{line}   (CPU s each: {each})", flush=True)
            if args.imports:
                print(f"        imports: {', '.join(heavy_imports(rest, env)) or 'none of ' + str(HEAVY)}")
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


if __name__ == "__main__":
    main()
