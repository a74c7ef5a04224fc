"""Issue #15's bad-input corpus: 50 photos, over 100 odd files and the drive scenarios, run through the
command line as a user would (HOME and XDG folders in a scratch directory), then counted.

    python benchmarks/reliability_corpus.py [--keep DIR] [--model DIR]

Prints: photos dropped, crashes (an exit status that is not one of the documented ones, or a signal),
hangs (a command past its time limit), tracebacks (on stderr without --debug), and files missing from
both the index and the error lists (``status``'s photo errors and scan problems). The drive scenarios
(a bind mount inside the folder, a mount point holding a hidden file) need root; without it they are
skipped and said so.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from PIL import Image

DOCUMENTED_EXITS = {0, 1, 2, 3, 4, 5}
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"}


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        box = (x, y, min(size[0], x + rng.randrange(20, 120)), min(size[1], y + rng.randrange(20, 120)))
        image.paste(tuple(rng.randrange(256) for _ in range(3)), box)  # type: ignore[arg-type]
    return image


def bomb_png(side: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * (side + 1) * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def make_corpus(root: Path) -> int:
    """50 photos and the odd files, under ``root``; returns how many odd entries were made."""
    root.mkdir(parents=True)
    for i in range(50):
        photo(i).save(root / f"photo_{i:03d}.jpg", quality=85)
    odd = root / "odd"
    odd.mkdir()
    made = 0

    def add(name: str | bytes, data: bytes = b"") -> Path:
        nonlocal made
        path = os.path.join(os.fsencode(odd), name if isinstance(name, bytes) else os.fsencode(name))
        with open(path, "wb") as f:
            f.write(data)
        made += 1
        return Path(os.fsdecode(path))

    good = (root / "photo_000.jpg").read_bytes()
    rng = random.Random(7)
    for ext in sorted(PHOTO_EXTENSIONS):
        add(f"empty{ext}")
        add(f"garbage{ext}", rng.randbytes(3000))
        add(f"text{ext}", b"this is not an image\n")
        add(f"truncated{ext}", good[: len(good) // 3])
        add(f"header only{ext}", good[:200])
    add("jpeg-signature.jpg", b"\xff\xd8\xff\xe0" + rng.randbytes(5000))
    add("bomb.png", bomb_png(60_000))
    add("tall bomb.png", bomb_png(40_000))
    for name in (b"bad\xff.jpg", b"latin1-\xe9t\xe9.jpg", b"\xc3(.png", b"\xed\xa0\x80.jpg"):
        add(name, good)
    for name in (
        "two\nlines.jpg",
        "rtl-\u202egpj.exe.jpg",
        "tab\tname.jpg",
        "esc\x1b[31m.jpg",
        "back\\slash.jpg",
    ):
        add(name, good)
    add(("long-" + "x" * 240)[:250] + ".jpg", good)
    add("ünïcödé 東京 😀.jpg", good)
    add("spaces   everywhere .jpg", good)
    add("UPPER.JPG", good)
    add("double.ext.png.jpg", good)
    add(".hidden.jpg", good)  # hidden: left out by design
    made_formats = {
        "grey.png": ("L", "PNG", {}),
        "rgba.png": ("RGBA", "PNG", {}),
        "palette.gif": ("P", "GIF", {}),
        "cmyk.jpg": ("CMYK", "JPEG", {}),
        "i16.png": ("I;16", "PNG", {}),
        "float.tif": ("F", "TIFF", {}),
        "one-bit.bmp": ("1", "BMP", {}),
        "lossless.webp": ("RGB", "WEBP", {"lossless": True}),
        "tiny.png": ("RGB", "PNG", {}),
    }
    for name, (mode, fmt, options) in made_formats.items():
        size = (1, 1) if name.startswith("tiny") else (200, 150)
        photo(len(name), size).convert(mode).save(odd / name, fmt, **options)
        made += 1
    frames = [photo(i, (120, 90)) for i in range(3)]
    frames[0].save(odd / "animated.gif", save_all=True, append_images=frames[1:])
    frames[0].save(odd / "pages.tiff", save_all=True, append_images=frames[1:])
    made += 2
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        photo(100 + orientation, (160, 120)).save(odd / f"orientation-{orientation}.jpg", exif=exif.tobytes())
        made += 1
    bad_exif = bytearray(good)
    bad_exif[20:60] = rng.randbytes(40)
    add("damaged-exif.jpg", bytes(bad_exif))
    crc = bytearray((odd / "grey.png").read_bytes())
    crc[40] ^= 0xFF
    add("bad-crc.png", bytes(crc))
    sparse = add("sparse-10GB.jpg")
    os.truncate(sparse, 10 * 1024**3)
    future = add("future.jpg", good)
    os.utime(future, (4102444800, 4102444800))  # 2100
    past = add("epoch.jpg", good)
    os.utime(past, (0, 0))
    # not regular files with photo names
    os.mkfifo(odd / "fifo.jpg")
    os.symlink("/dev/zero", odd / "device.jpg")
    os.symlink(odd / "missing.jpg", odd / "broken-link.jpg")
    os.symlink(odd, odd / "loop")
    (odd / "folder.jpg").mkdir()
    (odd / "folder.jpg" / "inside.jpg").write_bytes(good)
    os.symlink(root / "photo_001.jpg", odd / "link-to-photo.jpg")
    made += 7
    unreadable = add("no-permission.jpg", good)
    os.chmod(unreadable, 0)
    (odd / ".hidden-folder").mkdir()
    (odd / ".hidden-folder" / "x.jpg").write_bytes(good)
    deep = odd
    for i in range(40):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "deep.jpg").write_bytes(good)
    made += 2
    return made


def run(
    cmd: list[str], env: dict[str, str], timeout: float, log: list[tuple[list[str], int | str, str]]
) -> str:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        log.append((cmd, "hang", ""))
        return ""
    log.append((cmd, done.returncode, done.stderr))
    return done.stdout


def expected_files(root: Path) -> set[str]:
    """Non-hidden entries with a photo name that are regular files (or links to them), as display paths."""
    found = set()
    seen: set[tuple[int, int]] = set()
    for directory, dirs, files in os.walk(os.fsencode(root), followlinks=True):
        st = os.stat(directory)
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs[:] = [d for d in dirs if not d.startswith(b".")]
        for name in files:
            path = os.path.join(directory, name)
            if (
                name.startswith(b".")
                or os.path.splitext(name)[1].lower().decode("ascii", "replace") not in PHOTO_EXTENSIONS
            ):
                continue
            try:
                if stat.S_ISREG(os.stat(path).st_mode):
                    found.add(path.decode("utf-8", "backslashreplace"))
            except OSError:
                continue
    return found


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    parser.add_argument("--model", type=Path, help="model bundle (default: the shipped one)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="photoscope-corpus-"))
    env = dict(os.environ)
    for name in ("HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(base / name.lower())
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    pictures, drive, drive2, mount_point = base / "P", base / "drive", base / "drive2", base / "M"
    odd = make_corpus(pictures)
    for i, d in enumerate((drive, drive2)):
        d.mkdir()
        for j in range(10):
            photo(1000 + 100 * i + j).save(d / f"drive{i}_{j}.jpg")
    (pictures / "External").mkdir()
    mount_point.mkdir()
    (mount_point / ".keep").touch()
    root = os.geteuid() == 0
    mounted = root and mount("--bind", str(drive), str(pictures / "External"))
    mounted = mounted and mount("--bind", str(drive2), str(mount_point))
    db = base / "library.db"
    ps = [sys.executable, "-m", "photoscope"]
    model = ["--model", str(args.model)] if args.model else []
    log: list[tuple[list[str], int | str, str]] = []
    try:
        run(
            [*ps, "index", str(pictures), str(mount_point), "--db", str(db), "--quiet", *model], env, 900, log
        )
        with sqlite3.connect(db) as conn:
            before = {r[0] for r in conn.execute("SELECT id FROM photos")}
        if mounted:  # unplug both drives, rescan, plug back, rescan
            subprocess.run(["umount", str(pictures / "External")], check=True)
            subprocess.run(["umount", str(mount_point)], check=True)
            run([*ps, "index", "--db", str(db), "--quiet", *model], env, 900, log)
            shutil.copytree(drive, base / "Copy of drive")  # a copy of an offline drive's photos
            run(
                [*ps, "index", str(base / "Copy of drive"), "--db", str(db), "--quiet", *model], env, 900, log
            )
            with sqlite3.connect(db) as conn:
                after_unplug = {r[0] for r in conn.execute("SELECT id FROM photos")}
            mount("--bind", str(drive), str(pictures / "External"))
            mount("--bind", str(drive2), str(mount_point))
        else:
            after_unplug = before
        run([*ps, "index", "--db", str(db), "--quiet", *model], env, 900, log)
        with sqlite3.connect(db) as conn:
            final = {r[0] for r in conn.execute("SELECT id FROM photos")}
            stored = {r[0] for r in conn.execute("SELECT path FROM photos")}
            problems = {r[0] for r in conn.execute("SELECT path FROM problems")}
        status = run([*ps, "status", "--all", "--db", str(db)], env, 300, log)
        odd_files = sorted(str(p) for p in (pictures / "odd").iterdir())
        run([*ps, "caption", *odd_files, *model], env, 900, log)
        for name in ("bomb.png", "fifo.jpg", "device.jpg", "truncated.png", "bad\\xff.jpg"):
            target = os.path.join(os.fsencode(pictures / "odd"), os.fsencode(name.replace("\\xff", "\udcff")))
            run([*ps, "similar", os.fsdecode(target), "--db", str(db), *model], env, 300, log)
        for argv in (["search", "x", "--from", "2020-13-45"], ["search", "x", "-n", "-5"]):
            run([*ps, *argv, "--db", str(db)], env, 300, log)
        run([*ps, "search", "a photo", "--paths-only", "--db", str(db), *model], env, 300, log)
        run([*ps, "doctor", "--db", str(db), *model], env, 300, log)
    finally:
        if mounted:
            for target in (pictures / "External", mount_point):
                subprocess.run(["umount", str(target)], capture_output=True)
    expected = expected_files(pictures) | expected_files(mount_point)
    expected |= {str(pictures / "External" / p.name) for p in drive.iterdir()} if mounted else set()
    errors = {line.split(": ")[0].strip() for line in status.splitlines() if line.startswith("  /")}
    accounted = stored | problems | errors
    missing = sorted(
        p for p in expected if p not in accounted and not any(p.startswith(q + "/") for q in problems)
    )
    dropped = len(before - after_unplug) + len(before - final)
    crashes = [(c, r) for c, r, _ in log if r != "hang" and r not in DOCUMENTED_EXITS]
    hangs = [c for c, r, _ in log if r == "hang"]
    tracebacks = [c for c, _, err in log if "Traceback" in err]
    print(
        f"corpus: 50 photos, {odd} odd entries, "
        f"drives {'mounted (root)' if mounted else 'skipped (needs root)'}"
    )
    print(f"commands run: {len(log)}; photos in the index: {len(final)}; not indexed (errors): {len(errors)}")
    print(f"photos dropped {dropped}")
    print(f"crashes {len(crashes)}")
    print(f"hangs {len(hangs)}")
    print(f"tracebacks {len(tracebacks)}")
    print(f"files missing from both the index and the error list {len(missing)}")
    for c, r in crashes:
        print(f"  crash {r}: {' '.join(c[2:5])}")
    for c in tracebacks:
        print(f"  traceback: {' '.join(c[2:5])}")
    for p in missing[:20]:
        print(f"  missing: {p}")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if not (dropped or crashes or hangs or tracebacks or missing) else 1


if __name__ == "__main__":
    sys.exit(main())
