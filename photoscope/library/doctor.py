"""``photoscope doctor``: check a library and repair what can be rebuilt.

Checks: SQLite's own integrity check, the full-text index, every stored vector against its photo (one
per indexed photo, of the right length, finite), thumbnails of indexed photos, the model version the
photos were indexed with, and the rolling backup (``library.backup``).

Repairs (``repair=True``) never delete what cannot be rebuilt:

- a damaged file is moved aside (``library.db.damaged-<time>``, with its WAL) and a new library is built
  from what can still be read in it, table by table and row range by row range, topped up from the
  backup: folders, settings, photo ids and paths, captions and tags are kept; photos whose vectors were lost
  become pending, so the next ``photoscope index`` re-encodes exactly those;
- a damaged full-text index is rebuilt from the photos' captions and tags;
- damaged vectors are dropped and their photos made pending;
- temporary thumbnails left by killed runs are removed.
"""

from __future__ import annotations

import errno
import glob
import math
import os
import shutil
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photoscope.library import name_words
from photoscope.library.backup import (
    FOLDER_COLUMNS,
    backup_age,
    backup_path,
    backup_photo_count,
    backup_readable,
    read_backup,
)
from photoscope.library.db import Library
from photoscope.library.errors import LibraryBusy, LibraryDamaged, LibraryTooNew, LibraryUnwritable, disk_full
from photoscope.library.schema import SEARCH_TABLE
from photoscope.library.thumbnails import cache_root, is_current, remove_stale_temporaries
from photoscope.wording import plural


@dataclass
class DoctorReport:
    library: Path
    problems: list[str] = field(default_factory=list)  # what is wrong, in words
    repaired: list[str] = field(default_factory=list)  # what --repair did
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing to repair
    moved_aside: Path | None = None
    fixed: bool = False  # --repair dealt with every problem found
    repairable: bool = True  # False: --repair would do nothing (a newer Photoscope's file, no file)
    backup_unwritten: str | None = None  # why the rolling backup could not be written (a full disk)
    backup_errno: int | None = None  # the system's reason it could not (``errno``), if it gave one
    # a folder stands where the search's vectors file goes: each search reads the library instead
    vectors_blocked: Path | None = None

    @property
    def backup_file(self) -> Path:
        """Where the library's rolling backup is written."""
        return backup_path(self.library, 0)

    @property
    def ok(self) -> bool:
        """Nothing wrong is left (after repairs, if asked for)."""
        return not self.problems or self.fixed

    def lines(self) -> list[str]:
        """What was found and done, one line each, as the CLI and the GUI say it."""
        return (
            [f"problem: {p}" for p in self.problems]
            + [f"repaired: {r}" for r in self.repaired]
            + [f"note: {n}" for n in self.notes]
        )


def examine(
    path: Path,
    repair: bool = False,
    latent_dim: int | None = None,
    model_version: str | None = None,
    thumbnail_root: Path | None = None,
    feature_dim: int | None = None,
) -> DoctorReport:
    report = DoctorReport(path)
    if not path.exists() and not backup_photo_count(path):
        report.problems.append(f"{path} does not exist (nothing indexed yet?)")
        report.repairable = False
        return report
    try:
        library = Library(path)
    except LibraryTooNew as error:
        report.problems.append(str(error))
        report.repairable = False
        return report
    except LibraryDamaged as error:  # another program's file, a busy or read-only one: said as such
        report.problems.append(f"the file cannot be opened: {error.what}")  # not "run doctor --repair"
        if repair:
            _rebuild(path, report)
        return report
    with library:
        damage = _integrity(library)
        if damage:
            report.problems.append(f"SQLite finds the file damaged: {_first_findings(damage)}")
    if damage:
        if repair:
            _rebuild(path, report)
        return report
    with Library(path) as library:
        _check_search(library, report, repair)
        _check_vectors(library, report, repair, model_version, (latent_dim, feature_dim))
        _check_versions(library, report, model_version)
        _check_thumbnails(library, report, repair, thumbnail_root)
        _check_backup(library, report, repair)
    report.fixed = repair
    return report


def _integrity(library: Library) -> list[str]:
    try:
        rows = library.conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as error:
        return [str(error)]
    found = [str(r[0]) for r in rows]
    return [] if found == ["ok"] else found


def _first_findings(damage: list[str], shown: int = 3) -> str:
    """SQLite's first findings, and how many more: its list comes as rows of many lines each (about
    100 "Page N is never used" lines were printed: audit 89's notes)."""
    found = [line.strip() for row in damage for line in row.splitlines()]
    found = [line for line in found if line and not line.startswith("***")]  # "*** in database main ***"
    more = len(found) - shown
    return "; ".join(found[:shown]) + (f" (and {more} more)" if more > 0 else "")


def _check_search(library: Library, report: DoctorReport, repair: bool) -> None:
    conn = library.conn
    try:
        conn.execute("INSERT INTO search(search) VALUES ('integrity-check')")
        indexed = conn.execute("SELECT count(*) FROM photos WHERE status = 'indexed'").fetchone()[0]
        searchable = conn.execute("SELECT count(*) FROM search").fetchone()[0]
        if searchable < indexed:
            raise sqlite3.DatabaseError(f"{indexed - searchable} indexed photos are missing from it")
    except sqlite3.DatabaseError as error:
        found = library.translate_error(error)
        if isinstance(found, LibraryBusy):  # another program writes: not damage (the audit of stop 59)
            raise found from error
        if isinstance(found, LibraryUnwritable) and repair:  # FTS5's check is a write: a read-only
            raise found from error  # library is not a damaged one (the CLI audit: "damaged", exit 4)
        if isinstance(found, LibraryUnwritable):  # the rest is checked (it refused all: stop 45's audit)
            # a full disk said as such: freeing space is all it takes (audit 89's notes)
            why = "the disk holding it is full" if disk_full(library.path) else "the library is read-only"
            report.notes.append(f"the text search index was not checked: {why}")
            return
        report.problems.append(f"the text search index is damaged ({error})")
        if repair:
            with library.transaction() as cur:
                _fill_search(cur)
            report.repaired.append("rebuilt the text search index from the captions and tags")


def _fill_search(cur: sqlite3.Cursor) -> None:
    # made anew, not emptied: a DELETE reads the segments it removes, and damaged ones failed it or
    # were left behind (the fresh-seat audit of stop 59: "rebuilt", and still damaged)
    cur.execute("DROP TABLE search")
    cur.execute(SEARCH_TABLE)
    cur.execute(
        "INSERT INTO search (rowid, path, caption, tags, names)"
        " SELECT p.id, p.path, c.text,"
        " COALESCE((SELECT group_concat(label, ' ') FROM tags t WHERE t.photo_id = p.id), ''),"
        f" {name_words.SQL_FUNCTION}(p.path)"
        # every photo with a caption, as the index keeps them: a changed photo waiting to be read
        # again stays searchable by its last caption
        " FROM photos p JOIN captions c ON c.photo_id = p.id"
    )


def _bad_vectors(
    conn: sqlite3.Connection, table: str, column: str, dtype: str, fixed: dict[str | None, int]
) -> set[int]:
    """The photos whose ``column`` in ``table`` is not its model version's length in bytes (the
    version's most common one, or ``fixed``'s for it), or not finite numbers. One pass, a chunk of
    rows at a time, each chunk checked in NumPy by shape (one call per row took 1.6 s at 100,000
    photos: the speed audit of stop 46)."""
    import numpy as np  # here, not at the top: `status` imports this module, and never checks vectors

    itemsize = np.dtype(dtype).itemsize
    bad: set[int] = set()
    ids_by_shape: dict[tuple[str | None, int], list[int]] = defaultdict(list)
    rows = conn.execute(
        f"SELECT v.photo_id, v.{column}, p.model_version FROM {table} v"
        " LEFT JOIN photos p ON p.id = v.photo_id"
    )
    while chunk := rows.fetchmany(5000):
        by_shape: dict[tuple[str | None, int], list[tuple[int, bytes]]] = defaultdict(list)
        for photo_id, blob, version in chunk:
            if not isinstance(blob, bytes) or not blob or len(blob) % itemsize:
                bad.add(int(photo_id))
            else:
                by_shape[version, len(blob)].append((int(photo_id), blob))
        for shape, found in by_shape.items():
            values = np.frombuffer(b"".join(blob for _, blob in found), dtype).reshape(len(found), -1)
            finite = np.isfinite(values).all(axis=1)
            bad.update(photo_id for (photo_id, _), ok in zip(found, finite, strict=True) if not ok)
            ids_by_shape[shape] += [photo_id for photo_id, _ in found]
    counts: dict[str | None, dict[int, int]] = defaultdict(dict)
    for (version, size), ids in ids_by_shape.items():
        counts[version][size] = len(ids)
    lengths = {version: max(sizes, key=sizes.__getitem__) for version, sizes in counts.items()}
    lengths.update(fixed)
    for (version, size), ids in ids_by_shape.items():
        if size != lengths[version]:
            bad.update(ids)
    return bad


def _check_vectors(
    library: Library,
    report: DoctorReport,
    repair: bool,
    model_version: str | None,
    sizes: tuple[int | None, int | None],
) -> None:
    """``sizes``: the latent's and the feature's of ``model_version`` (None: not known)."""
    conn = library.conn
    # Each model version's vectors are of its own lengths: this model's the sizes it says (the most
    # common among its photos could be damaged ones: the review of stop 46), another's the most
    # common among its photos (a library indexed by a model of another size was all "damaged
    # vectors" to a doctor run with the shipped one, and --repair dropped them all: the review of
    # stop 45; for features, the audit of stop 46).
    latent_dim, feature_dim = sizes
    latents: dict[str | None, int] = {}
    features: dict[str | None, int] = {}
    if model_version is not None and latent_dim:
        latents[model_version] = latent_dim * 4
    if model_version is not None and feature_dim:
        features[model_version] = feature_dim * 2
    bad = _bad_vectors(conn, "vectors", "latent", "float32", latents)
    bad |= _bad_vectors(conn, "features", "feature", "float16", features)
    missing = [
        int(r[0])
        for r in conn.execute(
            # either vector lost: search reads both (the fresh-seat audit of stop 54: a repair had
            # kept photos with no feature as indexed, never searched and never encoded again)
            "SELECT id FROM photos WHERE status = 'indexed' AND (id NOT IN (SELECT photo_id FROM vectors)"
            " OR id NOT IN (SELECT photo_id FROM features))"
        )
    ]
    if bad or missing:
        report.problems.append(
            f"{len(bad)} photos have damaged vectors and {len(missing)} indexed photos have none"
        )
        if repair:
            ids = sorted(bad | set(missing))
            with library.transaction() as cur:
                for table in ("vectors", "features"):
                    cur.executemany(f"DELETE FROM {table} WHERE photo_id = ?", [(i,) for i in ids])
                cur.executemany("UPDATE photos SET status = 'pending' WHERE id = ?", [(i,) for i in ids])
            report.repaired.append(f"{len(ids)} photos will be re-encoded by the next `photoscope index`")


def _check_versions(library: Library, report: DoctorReport, model_version: str | None) -> None:
    versions = library.model_versions()
    if model_version is not None:
        others = sum(n for v, n in versions.items() if v != model_version)
        if others:
            report.notes.append(
                f"{others} photos were indexed by another model version; `photoscope index` brings them"
                " up to date (from their stored vectors when that model had the same encoder)"
            )


def _check_thumbnails(library: Library, report: DoctorReport, repair: bool, root: Path | None) -> None:
    rows = library.conn.execute("SELECT path, mtime FROM photos WHERE status = 'indexed'").fetchall()
    root = root or cache_root()  # once: per thumbnail it was 0.9 s of 20,000 (the speed audit of stop 46)
    stale = sum(not is_current(path, mtime, root) for path, mtime in rows[:20000])
    if stale:
        report.notes.append(
            f"{stale} indexed photos have no current thumbnail (they are drawn from the photo)"
        )
    if repair:
        removed = remove_stale_temporaries(root)
        if removed:
            report.repaired.append(f"removed {removed} temporary thumbnails left by interrupted runs")


def _check_backup(library: Library, report: DoctorReport, repair: bool) -> None:
    age = backup_age(library.path)
    unreadable = age is not None and not backup_readable(library.path)
    if age is None or repair or unreadable or _backup_lacks_photos(library):
        if library.backup(max_age_s=0):
            why = "the backup could not be read: " if unreadable else ""
            report.notes.append(f"{why}wrote a fresh backup of the folder list, photo ids and captions")
        elif not library.read_only:  # a full disk: "all good" with no backup written (the audit of stop 45)
            report.backup_unwritten = library.backup_failed or "it could not be written"
            report.backup_errno = library.backup_errno
    elif age is not None:
        report.notes.append(f"backup of the folder list and photo ids: {age / 60:.0f} minutes old")


def _backup_lacks_photos(library: Library) -> bool:
    """Whether the backup holds fewer photos than the library: one written when the library was
    made, on a disk that filled up since, was called fresh (the CLI audit of stop 47)."""
    held = backup_photo_count(library.path)
    return held is not None and held < library.conn.execute("SELECT count(*) FROM photos").fetchone()[0]


# --- rebuilding a damaged file ----------------------------------------------------------------------


def _rebuild(path: Path, report: DoctorReport) -> None:
    """Build a new library from what can be read in the damaged one at ``path`` and the backup.
    The new one is built beside it and takes its place only when whole: a repair killed halfway
    had left an empty library at ``path`` (or none), and the empty library's backups then replaced
    those that held the photos (the fresh-seat audit of stop 54). The damaged file is kept aside."""
    aside = _keep_aside(path) if path.exists() else None  # a missing file: nothing to keep or read
    building = path.with_name(f".{path.name}.rebuilding")
    _remove_library_files(building)  # one left by a repair killed before
    try:
        salvaged = _salvage(aside)
        backup = read_backup(path)
        with Library(building) as library, library.transaction() as cur:
            kept = _restore(cur, salvaged, backup)
            _fill_search(cur)
    except BaseException:
        _remove_library_files(building)
        raise
    for suffix in ("-wal", "-shm"):  # the damaged file's, kept aside: never to be read into the new one
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(building, path)
    _remove_library_files(building)  # what closing it wrote beside it (its backup)
    report.moved_aside = aside
    # Only what was done: a missing file was said "moved aside" to a name that never was (audit 76, repro_4).
    done = (
        f"moved the damaged file aside to {aside} and built a new library from what could be read"
        if aside is not None
        else f"{path} was missing: rebuilt it from its backup"
    )
    report.repaired.append(
        f"{done}: {plural(kept['folders'], 'folder')}, {plural(kept['photos'], 'photo')} ({kept['indexed']}"
        f" still indexed, {kept['pending']} to re-encode), {plural(kept['captions'], 'caption')}"
        + (" (topped up from the backup)" if backup and aside is not None else "")
    )
    report.fixed = True


_LIBRARY_FILES = ("", "-wal", "-shm")  # a library file's own and its WAL's, as SQLite names them
DAMAGED = ".damaged-"  # a damaged library kept aside: "library.db.damaged-<time>"


def library_copies(path: Path) -> list[Path]:
    """The copies of the library at ``path`` kept beside it: the one an upgrade keeps
    (``….schema-N``: ``connection.KEPT_NAME``), those a repair moved aside (``….damaged-…``)."""
    from photoscope.library.connection import KEPT_NAME

    beside = path.parent.glob(f"{glob.escape(path.name)}.*")
    return sorted(p for p in beside if KEPT_NAME.search(p.name) or p.name.startswith(f"{path.name}{DAMAGED}"))


def _keep_aside(path: Path) -> Path:
    """The damaged file and its WAL under a new name too (``library.db.damaged-<time>``, then
    ``-2``, ``-3``… where taken), the original left in place; the name.

    A name in use is never written: by the second only, a repair killed after it kept the file aside
    made the next, in the same second, fail with "… are the same file", and two repairs in one second
    copied the second damaged file over the first one kept (audit 76, repro_2)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        aside = path.with_name(f"{path.name}{DAMAGED}{stamp}" + (f"-{attempt}" if attempt > 1 else ""))
        if any(Path(f"{aside}{suffix}").exists() for suffix in _LIBRARY_FILES):
            continue
        try:
            for suffix in _LIBRARY_FILES:
                _second_name(Path(f"{path}{suffix}"), Path(f"{aside}{suffix}"))
        except FileExistsError:  # taken in between, by another repair: the next name
            continue
        return aside
    raise FileExistsError(errno.EEXIST, "no free name to keep the damaged file under", str(path))


def _second_name(source: Path, target: Path) -> None:
    """``source`` under the name ``target`` too, never over a file there (FileExistsError): a
    second name for the same file where the file system allows it (instant), else a copy."""
    if not source.exists():
        return
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        with source.open("rb") as src, target.open("xb") as dst:  # "x": never over a file there
            shutil.copyfileobj(src, dst)
        shutil.copystat(source, target)


def _remove_library_files(path: Path) -> None:
    """A library file that is not in use, with its WAL and its backups."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for generation in (0, 1):
        backup_path(path, generation).unlink(missing_ok=True)


_TABLES = (
    "folders", "mounts", "settings", "exclusions", "photos", "captions", "tags", "vectors", "features",
    "moved_away", "stash",
)  # fmt: skip


def _salvage(damaged: Path | None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that can still be read from each table (ranges of rowids around damaged pages);
    none of a missing file (``None``)."""
    out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _TABLES}
    if damaged is None:
        return out
    try:
        conn = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    except sqlite3.Error:
        return out
    with conn:
        for table in _TABLES:
            try:
                columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            except sqlite3.Error:
                continue
            if not columns:
                continue
            out[table] = list(_rows(conn, table, columns))
    conn.close()
    return out


def _restore_stash(cur: sqlite3.Cursor, rows: list[tuple[Any, ...]]) -> None:
    """The stash's entries as they were read (photos that left the index come back without being
    encoded again after a repair too: audit 95, repro_3), where the damaged file's stash has the
    new one's columns."""
    width = len(cur.execute("PRAGMA table_info(stash)").fetchall())
    if rows and len(rows[0]) == width:
        cur.executemany(f"INSERT OR IGNORE INTO stash VALUES ({', '.join('?' * width)})", rows)


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    select = f"SELECT {', '.join(columns)} FROM {table}"
    try:
        yield from conn.execute(select).fetchall()
        return
    except sqlite3.Error:
        pass
    try:
        top = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0
    except sqlite3.Error:
        top = 1 << 20
    stack = [(1, int(top) + 1)]
    while stack:
        low, high = stack.pop()
        try:
            yield from conn.execute(f"{select} WHERE rowid >= ? AND rowid < ?", (low, high)).fetchall()
        except sqlite3.Error:
            if high - low > 1:
                middle = (low + high) // 2
                stack += [(middle, high), (low, middle)]


def _restore(
    cur: sqlite3.Cursor, salvaged: dict[str, list[tuple[Any, ...]]], backup: dict[str, Any] | None
) -> dict[str, int]:
    """Write what was salvaged from the damaged file, completed by the backup, into the new one:
    folders (and their mounts and the settings), then each photo with what it still has, then tags.
    The counts of what was restored."""
    backup = backup or {}
    folders = _restore_folders(cur, salvaged, backup)
    photos = _salvaged_photos(salvaged, backup)
    kept = _Kept(
        vectors={int(r[0]): r[1] for r in salvaged["vectors"] if isinstance(r[1], bytes) and r[1]},
        features={int(r[0]): r[1] for r in salvaged["features"] if isinstance(r[1], bytes)},
        captions={int(r[0]): (r[1], r[2]) for r in salvaged["captions"]},
    )
    kept.own_captions = frozenset(kept.captions)
    for r in backup.get("photos", []):
        if r[6] is not None:
            kept.captions.setdefault(int(r[0]), (r[6], r[7] if r[7] is not None else 0.0))
    counts = {"folders": len(folders), "photos": 0, "indexed": 0, "pending": 0, "captions": 0}
    for p in photos.values():
        if int(p["folder_id"]) in folders and isinstance(p.get("path"), str):
            _restore_photo(cur, p, kept, counts)
    known = {int(p["id"]) for p in photos.values()}
    cur.executemany(
        "INSERT INTO tags SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM photos WHERE id = ?)",
        [(r[0], r[1], r[2], r[0]) for r in salvaged["tags"] if int(r[0]) in known],
    )
    _restore_stash(cur, salvaged["stash"])
    # Photos kept as moved away stay so (without the mark, the next scan took them for deleted).
    away = [r[0] for r in salvaged["moved_away"]] or backup.get("moved_away", [])
    cur.executemany(
        "INSERT OR IGNORE INTO moved_away SELECT ? WHERE EXISTS (SELECT 1 FROM photos WHERE id = ?)",
        [(i, i) for i in away if int(i) in known],
    )
    return counts


@dataclass
class _Kept:
    """A salvaged photo's vectors, features and caption, by photo id."""

    vectors: dict[int, bytes]
    features: dict[int, bytes]
    captions: dict[int, tuple[Any, Any]]
    # The captions read from the damaged file itself: their rule is its photos row's. One from the
    # backup may be older than the rule the row names (written again after it), so its rule is unknown.
    own_captions: frozenset[int] = frozenset()


def _restore_folders(
    cur: sqlite3.Cursor, salvaged: dict[str, list[tuple[Any, ...]]], backup: dict[str, Any]
) -> dict[int, tuple[Any, ...]]:
    """The folders (salvaged, else from the backup), their mounts, the settings and the exclusion
    rules; the folders by id."""
    folders = {int(r[0]): r for r in salvaged["folders"]}
    for r in backup.get("folders", []):
        folders.setdefault(int(r[0]), tuple(r))
    for f in folders.values():
        # with the drive it was on and which one (the review of stop 41: without them, a folder kept
        # offline while another drive is in its place lost its photos at the next scan)
        row = (*f, *(None,) * len(FOLDER_COLUMNS))[: len(FOLDER_COLUMNS)]
        cur.execute(
            f"INSERT OR IGNORE INTO folders ({', '.join(FOLDER_COLUMNS)})"
            f" VALUES ({', '.join('?' * len(FOLDER_COLUMNS))})",
            row,
        )
    for r in salvaged["mounts"] or [tuple(m) for m in backup.get("mounts", [])]:
        if int(r[0]) in folders:
            cur.execute("INSERT OR IGNORE INTO mounts VALUES (?, ?)", (r[0], r[1]))
    # Settings decide what the index holds (hidden folders): a repair keeps them, else their photos
    # would leave the index at the next scan.
    for r in salvaged["settings"] or [tuple(s) for s in backup.get("settings", [])]:
        if len(r) >= 2 and isinstance(r[0], str) and isinstance(r[1], str):
            cur.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (r[0], r[1]))
    # ... and so do the exclusion rules (the review of stop 39: lost, their photos came back)
    for r in salvaged["exclusions"] or [tuple(e) for e in backup.get("exclusions", [])]:
        if len(r) >= 3 and int(r[0]) in folders:
            cur.execute(
                "INSERT OR IGNORE INTO exclusions (folder_id, kind, pattern) VALUES (?, ?, ?)",
                (r[0], r[1], r[2]),
            )
    return folders


_PHOTO_COLUMNS = ["id", "folder_id", "path", "size", "mtime", "hash", "width", "height", "taken_at", "camera"]
_PHOTO_COLUMNS += ["status", "error", "model_version", "indexed_at", "description_version"]


def _salvaged_photos(
    salvaged: dict[str, list[tuple[Any, ...]]], backup: dict[str, Any]
) -> dict[int, dict[str, Any]]:
    """Every photo row salvaged, then the backup's for those it lacks (its file columns only)."""
    photos: dict[int, dict[str, Any]] = {}
    for r in salvaged["photos"]:
        row = dict(zip(_PHOTO_COLUMNS, r, strict=False))
        photos[int(row["id"])] = row
    for r in backup.get("photos", []):
        photo_id = int(r[0])
        if photo_id not in photos:
            photos[photo_id] = dict(zip(_PHOTO_COLUMNS[:6], r[:6], strict=True))
    return photos


def _restore_photo(cur: sqlite3.Cursor, p: dict[str, Any], kept: _Kept, counts: dict[str, int]) -> None:
    """One photo: indexed only if its latent, its feature and its caption survived (else pending:
    indexed again), with its caption and vectors; ``counts`` adds it."""
    held = p["id"] in kept.vectors and p["id"] in kept.features and p["id"] in kept.captions
    whole = p.get("status") == "indexed" and held
    status = p.get("status") if whole or p.get("status") == "error" else "pending"
    size = p.get("size") if isinstance(p.get("size"), int) else 0
    mtime = p.get("mtime") if isinstance(p.get("mtime"), float | int) and math.isfinite(p["mtime"]) else 0.0
    cur.execute(
        "INSERT OR IGNORE INTO photos (id, folder_id, path, size, mtime, hash, width, height, taken_at,"
        " camera, status, error, model_version, indexed_at, description_version)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            p["id"], p["folder_id"], p["path"], size, mtime, p.get("hash"), p.get("width"),
            p.get("height"), p.get("taken_at"), p.get("camera"), status, p.get("error"),
            p.get("model_version"), p.get("indexed_at"),
            p.get("description_version") if p["id"] in kept.own_captions else None,  # its rule, if known
        ),
    )  # fmt: skip
    if cur.rowcount != 1:
        return
    counts["photos"] += 1
    counts["indexed" if status == "indexed" else "pending"] += status != "error"
    if p["id"] in kept.captions:
        text, score = kept.captions[p["id"]]
        cur.execute("INSERT OR REPLACE INTO captions VALUES (?, ?, ?)", (p["id"], text, score))
        counts["captions"] += 1
    if status == "indexed":
        cur.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?)", (p["id"], kept.vectors[p["id"]]))
        cur.execute("INSERT OR REPLACE INTO features VALUES (?, ?)", (p["id"], kept.features[p["id"]]))
