"""A rolling backup of the library's small tables, beside the database.

What a destroyed database would cost the user is not the vectors (re-encoding rebuilds them) but the
configuration: the watched folders, the mount points seen in them, the library's settings (whether
hidden folders are indexed) and which id each photo had. These
are written to ``<library>.backup.json.gz`` (private, 0600), the previous one kept as ``...gz.1``, by
``write_backup`` at most every few minutes (``Library.close``, the end of an indexing run) and at once
when the folder list changes. ``photoscope doctor --repair`` reads them back when the database cannot.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

FORMAT = 1


# A folder's columns as the backup keeps them and a repair writes them back: the drive it was on,
# and which, then which directory its root was, last (an older backup has the first five alone).
FOLDER_COLUMNS = ("id", "path", "added_at", "online", "last_scan_at", "drive", "drive_id", "root_id")


HEAD_BYTES = 1 << 20  # what ``backup_photo_count`` reads: the folders, mounts, settings and rules come first


def backup_path(library_path: Path, generation: int = 0) -> Path:
    name = f"{library_path.name}.backup.json.gz" + (f".{generation}" if generation else "")
    return library_path.with_name(name)


def write_backup(conn: sqlite3.Connection, library_path: Path) -> Path:
    """Write the backup from an open connection (one read snapshot) and rotate the previous one."""
    data: dict[str, Any] = {"format": FORMAT, "written_at": time.time()}
    conn.execute("BEGIN")
    try:
        data["folders"] = [list(r) for r in conn.execute(f"SELECT {', '.join(FOLDER_COLUMNS)} FROM folders")]
        data["mounts"] = [list(r) for r in conn.execute("SELECT folder_id, path FROM mounts")]
        data["settings"] = [list(r) for r in conn.execute("SELECT key, value FROM settings")]
        data["exclusions"] = [
            list(r) for r in conn.execute("SELECT folder_id, kind, pattern FROM exclusions")
        ]
        data["moved_away"] = [r[0] for r in conn.execute("SELECT photo_id FROM moved_away")]
        data["photos"] = [
            list(r)
            for r in conn.execute(
                "SELECT p.id, p.folder_id, p.path, p.size, p.mtime, p.hash, c.text, c.score"
                " FROM photos p LEFT JOIN captions c ON c.photo_id = p.id ORDER BY p.id"
            )
        ]
    finally:
        conn.execute("COMMIT")
    data["photo_count"] = len(data["photos"])  # in the head: read without the photos (``backup_photo_count``)
    target = backup_path(library_path)
    _write_private(data, target, rotating=library_path)
    return target


def _write_private(data: dict[str, Any], target: Path, rotating: Path | None = None) -> None:
    """Write ``data`` as ``target`` (0600), through a file beside it swapped in whole; ``rotating``:
    the library whose newest backup this is, the one it replaces kept as the older."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3) as f:
            for chunk in _json_chunks(data):
                f.write(chunk)
        # an unreadable newest (overwritten, cut short) is replaced, not rotated over a good older one
        if (
            rotating is not None
            and target.exists()
            and not _keeps_the_photos(rotating)
            and _is_backup(target)
        ):
            os.replace(target, backup_path(rotating, 1))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


Identity = tuple[str, int, float, str]  # a photo's partial hash, size, time and file name


def forget_photos(
    library_path: Path, leaves_out: Callable[[list[str]], Iterable[str]], also: Collection[Identity] = ()
) -> int:
    """Rewrite both backups without the photos that ``leaves_out`` picks among their paths, and those
    ``also`` names by their identity (a photo backed up before its folder was renamed: audit 96):
    photos the user asked to keep nothing of (``folders exclude --forget``). The older backup kept
    their paths and captions until two more backups were written, never on a library that does not
    change (audit 94, defect 3). The rest is kept as it was, for a repair; returns the photos dropped."""
    return sum(_forget_in(backup_path(library_path, g), leaves_out, set(also)) for g in (0, 1))


def _forget_in(backup: Path, leaves_out: Callable[[list[str]], Iterable[str]], also: set[Identity]) -> int:
    data = _read_whole(backup)
    if data is None:
        # none; or one this version cannot read whole, nor repair from, whose readable part may
        # still hold the photos forgotten: it goes (audit 95, repro_4)
        backup.unlink(missing_ok=True)
        return 0
    photos = data["photos"]
    gone = set(leaves_out([str(row[2]) for row in photos])) | {
        row[2] for row in photos if (row[5], row[3], row[4], os.path.basename(row[2])) in also
    }
    if not gone:
        return 0
    kept = [row for row in photos if row[2] not in gone]
    gone_ids = {row[0] for row in photos if row[2] in gone}
    data["moved_away"] = [i for i in data.get("moved_away", []) if i not in gone_ids]
    data["photos"], data["photo_count"] = kept, len(kept)
    written = backup.stat()
    _write_private(data, backup)
    # what it holds is as old as it was: its age still says when the next backup is due
    os.utime(backup, ns=(written.st_atime_ns, written.st_mtime_ns))
    return len(photos) - len(kept)


def _read_whole(backup: Path) -> dict[str, Any] | None:
    """A backup of this format, read whole (its photos a list), or None."""
    try:
        with gzip.open(backup, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError, EOFError):
        return None
    if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("photos"), list):
        return data
    return None


_HEAD = b'{"format":%d,' % FORMAT  # how a backup of this format begins, decompressed


def _is_backup(path: Path, whole: bool = False) -> bool:
    """Whether ``path`` begins as a backup does (gzip, then this format's head): cheap, for rotation;
    ``whole``: and every byte decompresses and checks out (what `doctor` vouches for)."""
    try:
        with gzip.open(path, "rb") as f:
            if f.read(len(_HEAD)) != _HEAD:
                return False
            while whole and f.read(1 << 20):
                pass
    except (OSError, EOFError):
        return False
    return True


def backup_readable(library_path: Path) -> bool:
    """Whether the newest backup reads whole: a text in its place was "0 minutes old, all good"
    (the CLI audit of stop 58)."""
    return _is_backup(backup_path(library_path), whole=True)


def _keeps_the_photos(library_path: Path) -> bool:
    """Whether the older backup is the last that holds photos, the newer one none: rotated, it would
    go. An empty library's backups, written twice, had replaced both that held its 716 photos (the
    fresh-seat audit of stop 54: a repair killed halfway had left it empty)."""
    older = backup_path(library_path, 1)
    return backup_photo_count(library_path) == 0 and older.exists() and _photo_count(older) != 0


def _json_chunks(data: dict[str, Any], rows: int = 1000) -> Iterator[bytes]:
    """``json.dumps(data)`` (compact) in pieces, the photos ``rows`` at a time: one call over 100,000
    photos is 0.3 s of C that never lets go of the GIL, a frozen window while the indexer backs up."""
    photos = data["photos"]
    head = json.dumps({k: v for k, v in data.items() if k != "photos"}, separators=(",", ":"))
    yield (head[:-1] + ("," if len(head) > 2 else "") + '"photos":[').encode("utf-8")
    for start in range(0, len(photos), rows):
        chunk = json.dumps(photos[start : start + rows], separators=(",", ":"))[1:-1]
        yield (("," if start else "") + chunk).encode("utf-8")
    yield b"]}"


def read_backup(library_path: Path) -> dict[str, Any] | None:
    """The newest backup that can be read, or None."""
    for generation in (0, 1):
        try:
            with gzip.open(backup_path(library_path, generation), "rb") as f:
                data = json.loads(f.read().decode("utf-8"))
            if isinstance(data, dict) and data.get("format") == FORMAT:
                return data
        except (OSError, ValueError, EOFError):
            continue
    return None


def backup_photo_count(library_path: Path) -> int | None:
    """How many photos the newest backup holds, read from its head, else counted in it whole (None:
    no backup, or none that can be read). Every "is there a backup?" check asks this."""
    return _photo_count(backup_path(library_path))


def _photo_count(backup: Path) -> int | None:
    import re

    try:
        with gzip.open(backup, "rb") as f:
            head = f.read(HEAD_BYTES)
    except (OSError, EOFError):
        return None
    found = re.search(rb'"photo_count":(\d+)', head.split(b'"photos":[', 1)[0])
    if found:
        return int(found.group(1))
    # A backup written before the count (up to 62b877b, 2026-12-03) was taken for none: a library
    # lost beside it was begun anew, and its backups rotated the old one out (audit 76, repro_1).
    return _counted_photos(backup) if head.startswith(_HEAD) else None


def _counted_photos(backup: Path) -> int | None:
    """The photos in a backup without a count in its head, read whole (rare: until the first
    backup the current version writes); None: it cannot be read whole."""
    try:
        with gzip.open(backup, "rb") as f:
            photos = json.loads(f.read().decode("utf-8")).get("photos")
    except (OSError, EOFError, ValueError, AttributeError):
        return None
    return len(photos) if isinstance(photos, list) else None


def backup_age(library_path: Path) -> float | None:
    try:
        return time.time() - backup_path(library_path).stat().st_mtime
    except OSError:
        return None
