"""The photo library database: watched folders, photos, captions, tags, vectors and full-text search.

One SQLite file in WAL mode (readers never block the indexer's writes). The schema is versioned with
``PRAGMA user_version`` and brought up to date by ``library.schema.MIGRATIONS``, one step function per
version, each applied in its own transaction so an interrupted upgrade leaves the previous version
intact. The records it hands out and takes in are ``library.records``.

Vectors are stored as raw ``numpy.tobytes()`` blobs (latent float32 in ``vectors``, feature float16 in
``features``): loading 100,000 of them is one query and one ``frombuffer`` per chunk, with no per-row
Python objects kept.

Opening a library needs only ``sqlite3``: NumPy is imported by the methods that handle vectors and
sqlite-utils (``Library.db``) on first use, so ``photoscope status`` starts in a fraction of a second.

No model code here: the worker computes, this module stores. Every public method takes a lock, so one
``Library`` may be shared by the worker, the scanner and the GUI threads.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from photoscope.library import name_words
from photoscope.library.errors import (
    BUSY_TIMEOUT_MS,
    LibraryDamaged,
    LibraryError,
    LibraryForeign,
    LibraryTooNew,
    LibraryUnwritable,
    cannot_write,
    in_words,
    translate_sqlite_error,
)
from photoscope.library.fs import (
    UNSTORABLE_FOLDER,
    display_path,
    folder_path,
    is_under,
    left_empty,
    normalize_path,
    storable,
)
from photoscope.library.records import (
    BrowseRow,
    FailedPhoto,
    Folder,
    IndexedPhoto,
    Move,
    NewFile,
    PendingPhoto,
    PhotoCounts,
    PhotoRecord,
    StoredFile,
    StoredStat,
)
from photoscope.library.schema import MIGRATIONS, NEXT_PHOTO_ID

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import sqlite_utils

    from photoscope.library.exclusions import ExclusionRule

VectorKind = Literal["latent", "feature"]
_VECTOR_DTYPES: dict[VectorKind, str] = {"latent": "float32", "feature": "float16"}
_FETCH_ROWS = 1024  # rows per fetch: bigger chunks hold the GIL for tens of ms (measured: GUI stalls)


# A photo's date: taken, else its file's time, as local ISO text, so the two sort and compare together.
# '' for a file time SQLite cannot write as a date (past the year 9999): "Unknown date", never NULL
DATE_KEY = "COALESCE(taken_at, strftime('%Y-%m-%dT%H:%M:%S', mtime, 'unixepoch', 'localtime'), '')"
CAMEL = name_words.SQL_FUNCTION  # writes the search index's ``names``: a path's camelCase words apart
BACKUP_EVERY_S = 300.0  # the rolling backup of the small tables is at most this old after a change
log = logging.getLogger(__name__)
_DB_SUFFIXES = {".db", ".sqlite", ".sqlite3", ".db3"}


_VECTOR_TABLES: dict[VectorKind, str] = {"latent": "vectors", "feature": "features"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json_ids(ids: Iterable[int]) -> str:
    # One json_each parameter instead of N placeholders: no SQLITE_MAX_VARIABLE_NUMBER limit to chunk around.
    return json.dumps([int(i) for i in ids])


def _photo_filter(
    column: str, ids: Sequence[int] | None, model_version: str | None, *conditions: str
) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters keeping the rows whose photo id (``column``) is among ``ids``
    and was indexed by ``model_version`` (either None: no such limit), and that meet ``conditions``."""
    where, params = list(conditions), list[Any]()
    if ids is not None:
        where.append(f"{column} IN (SELECT value FROM json_each(?))")
        params.append(_json_ids(ids))
    if model_version is not None:
        where.append(f"{column} IN (SELECT id FROM photos WHERE model_version = ?)")
        params.append(model_version)
    return " AND ".join(where) or "1", params


def _filter_clauses(
    folder: str | Path | int | None,
    taken_from: date | datetime | str | None,
    taken_to: date | datetime | str | None,
) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (joined by AND; "1" when none) and parameters that keep the photos below a
    folder (a watched folder's id or any directory path) dated within [taken_from, taken_to] (a date
    ``taken_to`` includes that day), by ``DATE_KEY``."""
    where, params = ["1"], list[Any]()
    if isinstance(folder, int):
        where.append("folder_id = ?")
        params.append(folder)
    elif folder is not None:
        where.append("path > ? AND path < ?")
        params.extend(_prefix_range(normalize_path(folder)))
    if taken_from is not None:
        where.append(f"{DATE_KEY} >= ?")
        params.append(_iso(taken_from))
    if taken_to is not None and taken_to != date.max:  # no day comes after the last a date holds
        if isinstance(taken_to, date) and not isinstance(taken_to, datetime):
            where.append(f"{DATE_KEY} < ?")
            params.append(_iso(taken_to + timedelta(days=1)))
        else:
            where.append(f"{DATE_KEY} <= ?")
            params.append(_iso(taken_to))
    return where, params


def _prefix_range(directory: str) -> tuple[str, str]:
    """Bounds selecting every path strictly below ``directory`` with the path index (no LIKE scan)."""
    base = directory.rstrip("/\\") + "/"
    return base, base[:-1] + chr(ord("/") + 1)


# --- the library ------------------------------------------------------------------------------------


class Library:
    """The photo index in one SQLite file; creates and migrates it on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self.scan_lock = threading.Lock()  # one scan at a time (``Scanner``), however many scanners
        self._written = False  # anything committed since the last backup
        self._backed_up = -1  # photos in the last backup this process wrote
        if not self.path.exists():
            self._create()
        elif self.path.is_file() and self.path.stat().st_size == 0:
            # Every library this app creates is complete when it appears (``_create``): an empty file is
            # someone else's, and turning it into a library would hide a mistyped --db.
            raise LibraryForeign(
                f"{self.path} is an empty file, not a Photoscope library (left as it is): give a new"
                " file name, or delete the empty file"
            )
        self.read_only = False  # opened read-only: its folder or disk cannot be written (``_open``)
        self.conn = self._open()

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection as a ``sqlite_utils.Database`` (for tools and tests); the library itself uses
        ``conn``. Made on first use: importing sqlite-utils (and its plugins) is a tenth of a second."""
        db = self.__dict__.get("_db")
        if db is None or db.conn is not self.conn:
            import sqlite_utils

            db = self.__dict__["_db"] = sqlite_utils.Database(self.conn)
        return db

    def _connect(self, path: Path) -> sqlite3.Connection:
        try:
            # isolation_level=None: transactions are explicit (``_transaction``), so a batch is exactly one.
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise self._translate(error) from error
        self.conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # a CLI run and the GUI may share it
            self._refuse_foreign(conn)
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = wal")
            # NORMAL in WAL mode: a crash of the app loses nothing committed; a power cut may lose the last
            # transactions but never corrupts the file. FULL would fsync every batch for little gain.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            name_words.register(conn)  # the search index's names column is written by it
            self._migrate()
        except (sqlite3.Error, LibraryError) as error:
            conn.close()
            if isinstance(error, LibraryError):
                raise
            raise self._translate(error) from error
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect(self.path)
        except LibraryUnwritable:
            if not os.access(self.path, os.R_OK) or not cannot_write(self.path):
                raise
            conn = self._connect_read_only()
            if conn is None:
                raise
            return conn

    def _connect_read_only(self) -> sqlite3.Connection | None:
        """A library on a disk or in a folder this user cannot write (a backup drive, a share mounted
        read-only) is still searched: opened read-only. Shared with a writer (its owner's app keeps
        the log's shared-memory file there), SQLite reads it through that file, as a reader beside the
        writer. Else it cannot make that file there, and opens the file as immutable: nobody writes
        it now, and reading it so would ignore a log that still holds changes (then nothing opens
        it). None when neither works."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        wal = Path(f"{self.path}-wal")
        quiet = not (wal.exists() and wal.stat().st_size > 0)
        for attempt in (uri, f"{uri}&immutable=1") if quiet else (uri,):
            conn = self._try_read_only(attempt)
            if conn is not None:
                self.read_only = True
                return conn
        return None

    def _try_read_only(self, uri: str) -> sqlite3.Connection | None:
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        except sqlite3.Error:
            return None
        self.conn = conn
        try:
            self._refuse_foreign(conn)
            if self._check_version() < len(MIGRATIONS):
                raise LibraryUnwritable(
                    f"{self.path} was made by an older Photoscope and must be upgraded, but it is "
                    "read-only: open it once where it can be written, or fix the permissions"
                )
            name_words.register(conn)
        except sqlite3.Error:
            conn.close()
            return None
        except LibraryError:
            conn.close()
            raise
        return conn

    def _refuse_foreign(self, conn: sqlite3.Connection) -> None:
        """Every library has a schema version from the moment it appears (``_create``): tables without
        one are another program's, and nothing may be written to them, not even the journal mode."""
        if conn.execute("PRAGMA user_version").fetchone()[0] != 0:
            return
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone() is None:
            return
        raise LibraryForeign(
            f"{self.path} is another program's database, not a Photoscope library (left as it is): "
            "give another --db"
        )

    def _create(self) -> None:
        """Make a new library atomically: built under a temporary name (private to this user: 0600),
        then linked into place, so no other process ever opens a half-made one and two processes
        creating the same library at once both end up with the one that won."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise LibraryUnwritable(
                f"cannot create the library {self.path}: {error.strerror or error} "
                f"({error.filename or self.path.parent}); choose another --db"
            ) from error
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.new")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            self._connect(tmp).close()  # the last connection's close folds the WAL into the file
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another process made it first: use that one
            except OSError as error:  # a filesystem without hard links
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                if not self.path.exists():
                    os.replace(tmp, self.path)
        except OSError as error:
            raise LibraryUnwritable(self._os_message(error, "create")) from error
        finally:
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                with suppress(OSError):
                    leftover.unlink()

    def _os_message(self, error: OSError, doing: str) -> str:
        if error.errno == errno.ENOSPC:
            return f"the disk holding {self.path} is full: free some space, then try again"
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return (
                f"cannot {doing} the library {self.path}: {error.strerror} (a read-only disk or folder?); "
                "choose another --db or fix the folder's permissions"
            )
        return f"cannot {doing} the library {self.path}: {error.strerror or error}"

    def _translate(self, error: sqlite3.Error) -> LibraryError:
        return translate_sqlite_error(error, self.path)

    # life cycle

    def close(self) -> None:
        with self._lock:
            if self._written:
                self.backup(min_age_s=0)
            with suppress(sqlite3.Error):  # a read-only or full disk must not turn closing into an error
                self.conn.execute("PRAGMA optimize")
            self.conn.close()

    def backup(self, max_age_s: float = BACKUP_EVERY_S, min_age_s: float = 30.0) -> bool:
        """Write the rolling backup of the small tables (``library.backup``) when the last one is older
        than ``max_age_s``, or older than ``min_age_s`` and the photos have come or gone since; True if
        written. A failure (a full disk) is logged, never raised."""
        from photoscope.library.backup import backup_age, write_backup

        if self.read_only:
            return False
        age = backup_age(self.path)
        recent = age is not None and age < max_age_s
        if recent and (age < min_age_s or self._count_photos() == self._backed_up):  # type: ignore[operator]
            return False
        with self._lock:
            try:
                write_backup(self.conn, self.path)
                self._backed_up = self._count_photos()
            except (OSError, sqlite3.Error, LibraryError) as error:
                log.warning("cannot write the backup of %s: %s", self.path, in_words(error))
                return False
            self._written = False
        return True

    def _count_photos(self) -> int:
        return int(self._query("SELECT count(*) FROM photos")[0][0])

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            try:
                cur = self.conn.cursor()
                # IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) instead
                # of failing half way through with SQLITE_BUSY on its first write.
                cur.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._translate(error) from error
            try:
                yield cur
            except BaseException as error:
                with suppress(sqlite3.Error):  # a failed COMMIT (disk full) may have rolled back already
                    cur.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise self._translate(error) from error
                raise
            try:
                cur.execute("COMMIT")
            except sqlite3.Error as error:
                with suppress(sqlite3.Error):
                    cur.execute("ROLLBACK")
                raise self._translate(error) from error
            self._written = True

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise self._translate(error) from error

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        while True:
            if self._check_version() == len(MIGRATIONS):
                return
            # Read the version again under the write lock: another process may be creating or upgrading
            # the same file right now, and a step must run once.
            with self._transaction():
                version = self._check_version()
                if version < len(MIGRATIONS):
                    MIGRATIONS[version](self.conn)
                    self.conn.execute(f"PRAGMA user_version = {version + 1}")

    def _check_version(self) -> int:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise LibraryTooNew(
                f"{self.path} was written by a newer Photoscope (schema {current}, this one knows "
                f"{len(MIGRATIONS)}); update Photoscope to open it"
            )
        return current

    def integrity_check(self) -> str:
        return str(self._query("PRAGMA integrity_check")[0][0])

    def quick_check(self) -> list[str]:
        """SQLite's quick check: [] when the file's pages are sound, else what is wrong."""
        try:
            rows = self._query("PRAGMA quick_check")
        except LibraryDamaged as error:  # SQLite's own words, as its findings: the caller says what to do
            return [str(error.__cause__ or error)]
        found = [str(r[0]) for r in rows]
        return [] if found == ["ok"] else found

    def root_check(self) -> list[str]:
        """A cheap check, for every open: [] when the first pages of every table and index can be read,
        else what is wrong. It reads a few pages a b-tree (a bad sector over a table's root, a file
        overwritten from the start), not the whole file as ``quick_check`` does, so it costs the same
        milliseconds at a million photos; damage deeper in a b-tree is for ``photoscope doctor``."""
        try:
            trees = self._query(
                "SELECT type, name, tbl_name FROM sqlite_master"
                " WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY rootpage"
            )
            for kind, name, table in trees:
                source = _quoted(table) + (f" INDEXED BY {_quoted(name)}" if kind == "index" else "")
                self._query(f"SELECT 1 FROM {source} LIMIT 1")
        except LibraryDamaged as error:  # SQLite's own words, as ``quick_check``'s: the caller advises
            return [str(error.__cause__ or error)]
        return []

    # folders

    def folders(self) -> list[Folder]:
        rows = self._query(
            "SELECT f.id, f.path, f.added_at, f.online, f.last_scan_at,"
            " (SELECT count(*) FROM photos p WHERE p.folder_id = f.id), f.drive, f.drive_id"
            " FROM folders f ORDER BY f.path"
        )
        return [Folder(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7]) for r in rows]

    def folder(self, path: str | Path) -> Folder | None:
        """The watched folder at ``path`` (as given, or with its symlinks resolved)."""
        keys = {normalize_path(path), folder_path(path)}
        return next((f for f in self.folders() if f.path in keys), None)

    def add_folder(self, path: str | Path) -> Folder:
        """Watch a folder, under its real path (``fs.folder_path``). A folder inside a watched one is
        refused; one containing watched folders absorbs them (their photos keep their ids and index
        entries)."""
        key = folder_path(path)
        if not storable(key):  # SQLite holds UTF-8 text: the insert failed as an unexpected error
            raise LibraryError(f"{display_path(key)}: {UNSTORABLE_FOLDER}")
        with self._transaction() as cur:
            existing = self.folder(key)
            if existing is not None:
                return dataclasses.replace(existing, already=True)
            for other in self.folders():
                if is_under(key, other.path):
                    raise LibraryError(self._inside_message(key, other))
            _refuse_absorbing_offline(key, self.folders())
            cur.execute("INSERT INTO folders (path, added_at) VALUES (?, ?)", (key, now_iso()))
            new_id = cur.lastrowid
            inside = [f for f in self.folders() if f.id != new_id and is_under(f.path, key)]
            children = [f.id for f in inside]
            if children:
                cur.execute(
                    "UPDATE photos SET folder_id = ? WHERE folder_id IN (SELECT value FROM json_each(?))",
                    (new_id, _json_ids(children)),
                )
                cur.execute(
                    "UPDATE OR IGNORE mounts SET folder_id = ?"
                    " WHERE folder_id IN (SELECT value FROM json_each(?))",
                    (new_id, _json_ids(children)),
                )
                cur.execute(
                    "DELETE FROM folders WHERE id IN (SELECT value FROM json_each(?))", (_json_ids(children),)
                )
        folder = self.folder(key)
        assert folder is not None
        self.backup(max_age_s=0)  # the folder list is the configuration a lost file must not lose
        return dataclasses.replace(folder, absorbed=tuple(f.path for f in inside))

    def _inside_message(self, key: str, watched: Folder) -> str:
        """Why a folder inside a watched one is not added: it is part of it, or a rule leaves it out
        (a subfolder rule, an ignore file, a pattern, the hidden-folders setting)."""
        from photoscope.library.exclusions import Rules

        return Rules.load(self).left_out_because(key) or f"{key} is already watched as part of {watched.path}"

    def remove_folder(self, path: str | Path) -> list[int]:
        """Stop watching a folder and drop its photos from the index; returns their ids."""
        folder = self.folder(path)
        if folder is None:
            key = normalize_path(path)
            holder = next((f for f in self.folders() if is_under(key, f.path)), None)
            if holder is not None:
                raise LibraryError(
                    f"{key} is not a watched folder: it is part of {holder.path}"
                    " (exclude it there to leave its photos out)"
                )
            raise LibraryError(f"{key} is not a watched folder")
        with self._transaction() as cur:
            ids = [r[0] for r in cur.execute("SELECT id FROM photos WHERE folder_id = ?", (folder.id,))]
            self._delete(cur, ids)
            cur.execute("DELETE FROM folders WHERE id = ?", (folder.id,))
            cur.execute(
                "DELETE FROM problems WHERE path = ? OR (path > ? AND path < ?)",
                (folder.path, *_prefix_range(folder.path)),
            )
        self.backup(max_age_s=0)
        return ids

    def set_folder_online(self, folder_id: int, online: bool) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE folders SET online = ? WHERE id = ?", (int(online), folder_id))

    def set_folder_drive(self, folder_id: int, mount_point: str, identity: str | None) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE folders SET drive = ?, drive_id = ? WHERE id = ?", (mount_point, identity, folder_id)
            )

    def some_paths(self, folder_id: int, limit: int = 20) -> list[str]:
        """A few of a folder's photos' paths (spread over it by id): enough to see if its files are there."""
        rows = self._query(
            "SELECT path FROM photos WHERE folder_id = ? AND id % 97 = 0 LIMIT ?", (folder_id, limit)
        ) or self._query("SELECT path FROM photos WHERE folder_id = ? LIMIT ?", (folder_id, limit))
        return [str(r[0]) for r in rows]

    def sample_files(self, folder_id: int, limit: int = 20) -> list[StoredFile]:
        """A few of a folder's photos, drawn at random (a fixed draw lets a copy that lacks a photo
        outside it pass every time): enough to tell whether its files' bytes are somewhere else now.
        Only photos with a hash: one without (unreadable when scanned) could be told by its size alone."""
        rows = self._query(
            "SELECT id, path, size, mtime, hash FROM photos WHERE folder_id = ? AND hash IS NOT NULL"
            " ORDER BY random() LIMIT ?",
            (folder_id, limit),
        )
        return [StoredFile(*r) for r in rows]

    def photo_directories(self, folder_id: int) -> list[str]:
        """The directories that hold a folder's photos, each once."""
        # rtrim(path, <the path's characters but the separator>) leaves the directory and its separator
        rows = self._query(
            "SELECT DISTINCT rtrim(path, replace(path, ?, '')) FROM photos WHERE folder_id = ?",
            (os.sep, folder_id),
        )
        return [str(r[0]).rstrip(os.sep) or os.sep for r in rows]

    def folder_sizes(self, folder_id: int) -> list[tuple[str, int]]:
        """(path, size) of every photo of a folder, whatever its state."""
        rows = self._query("SELECT path, size FROM photos WHERE folder_id = ?", (folder_id,))
        return [(str(r[0]), int(r[1])) for r in rows]

    def folder_files(self, folder_id: int) -> list[StoredFile]:
        """Every photo of a folder that has a partial hash, what a move is recognised by."""
        rows = self._query(
            "SELECT id, path, size, mtime, hash FROM photos WHERE folder_id = ? AND hash IS NOT NULL",
            (folder_id,),
        )
        return [StoredFile(*r) for r in rows]

    def relocate_folder(self, folder_id: int, path: str | Path) -> Folder:
        """Watch a folder at another path, with its photos, their ids and index entries: the folder
        was moved or renamed as a whole (``library.relocation``). Its mount points move with it; the
        drive above it is noted again at the next scan."""
        key = folder_path(path)
        old = next(f for f in self.folders() if f.id == folder_id)
        rest = len(old.path) + 1  # SQLite's substr counts characters from 1, as len() does
        with self._transaction() as cur:
            cur.execute(
                "UPDATE folders SET path = ?, online = 1, drive = NULL, drive_id = NULL WHERE id = ?",
                (key, folder_id),
            )
            cur.execute(
                f"UPDATE search SET path = ? || substr(path, ?), names = {CAMEL}(? || substr(path, ?))"
                " WHERE rowid IN (SELECT id FROM photos WHERE folder_id = ?)",
                (key, rest, key, rest, folder_id),
            )
            for table in ("photos", "mounts"):
                cur.execute(
                    f"UPDATE {table} SET path = ? || substr(path, ?) WHERE folder_id = ?",
                    (key, rest, folder_id),
                )
            cur.execute(
                "DELETE FROM problems WHERE path = ? OR (path > ? AND path < ?)",
                (old.path, *_prefix_range(old.path)),
            )
        self.backup(max_age_s=0)  # the folder list is the configuration a lost file must not lose
        folder = self.folder(key)
        assert folder is not None
        return folder

    def photo_paths(self, folder_id: int) -> list[tuple[int, str]]:
        """(id, path) of every photo of a folder."""
        return [
            (r[0], str(r[1]))
            for r in self._query("SELECT id, path FROM photos WHERE folder_id = ?", (folder_id,))
        ]

    def mark_scanned(self, folder_id: int) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE folders SET last_scan_at = ? WHERE id = ?", (now_iso(), folder_id))

    # mount points and scan problems, for the scanner

    def mounts(self, folder_id: int | None = None) -> set[str]:
        """Mount points recorded at or below a watched folder (all folders' with None)."""
        if folder_id is None:
            return {str(r[0]) for r in self._query("SELECT path FROM mounts")}
        return {str(r[0]) for r in self._query("SELECT path FROM mounts WHERE folder_id = ?", (folder_id,))}

    def set_mounts(self, folder_id: int, paths: Iterable[str]) -> None:
        with self._transaction() as cur:
            cur.execute("DELETE FROM mounts WHERE folder_id = ?", (folder_id,))
            cur.executemany("INSERT INTO mounts VALUES (?, ?)", [(folder_id, p) for p in sorted(set(paths))])

    def replace_problems(self, targets: Iterable[str], problems: Iterable[tuple[str, str]]) -> None:
        """Forget the problems recorded at or below ``targets`` (just scanned) and record ``problems``:
        (display path, reason) of what the scan could not look at or could not index."""
        with self._transaction() as cur:
            for target in targets:
                cur.execute(
                    "DELETE FROM problems WHERE path = ? OR (path > ? AND path < ?)",
                    (target, *_prefix_range(target)),
                )
            cur.executemany("INSERT OR REPLACE INTO problems VALUES (?, ?)", list(problems))

    def problems(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, reason) of what the scans could not look at or index (not photos that failed to decode)."""
        rows = self._query(
            "SELECT path, reason FROM problems ORDER BY path LIMIT ?", (-1 if limit is None else limit,)
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    # photos, for the scanner

    def stats_under(self, directory: str) -> dict[str, StoredStat]:
        """Every stored photo below ``directory`` (recursively) as (path, size, mtime), keyed by path,
        in one query. Only what a re-scan compares: a million rows are read, and most stay as SQLite
        made them (the few that turn out gone are read whole with ``files_at``)."""
        low, high = _prefix_range(directory)
        rows = self._query("SELECT path, size, mtime FROM photos WHERE path > ? AND path < ?", (low, high))
        return {row[0]: row for row in rows}

    def files_with_hashes(self, hashes: Iterable[str]) -> list[StoredFile]:
        rows = self._query(
            "SELECT id, path, size, mtime, hash FROM photos WHERE hash IN (SELECT value FROM json_each(?))",
            (json.dumps(list(hashes)),),
        )
        return [StoredFile(*r) for r in rows]

    def files_at(self, paths: Iterable[str]) -> dict[str, StoredFile]:
        rows = self._query(
            "SELECT id, path, size, mtime, hash FROM photos WHERE path IN (SELECT value FROM json_each(?))",
            (json.dumps(list(paths)),),
        )
        return {r[1]: StoredFile(*r) for r in rows}

    def apply_scan(
        self,
        new: Sequence[NewFile] = (),
        changed: Sequence[NewFile | StoredFile] = (),
        moves: Sequence[Move] = (),
        removed: Sequence[int] = (),
    ) -> list[int]:
        """Record one scan's findings in one transaction; returns the ids of the new photos.

        ``changed`` rows become pending again but keep their caption and vectors until re-indexed,
        so a photo stays searchable while its new version waits.
        """
        with self._transaction() as cur:
            self._delete(cur, removed)
            self._move(cur, moves)
            cur.executemany(
                "UPDATE photos SET size = ?, mtime = ?, hash = ?, status = 'pending', error = NULL"
                " WHERE path = ?",
                [(c.size, c.mtime, c.hash, c.path) for c in changed],
            )
            new_ids = []
            for n in new:
                # OR IGNORE: another process's scan may have stored the same new file a moment ago.
                cur.execute(
                    "INSERT OR IGNORE INTO photos (id, folder_id, path, size, mtime, hash)"
                    f" VALUES ({NEXT_PHOTO_ID}, ?, ?, ?, ?, ?)",
                    (n.folder_id, n.path, n.size, n.mtime, n.hash),
                )
                if cur.rowcount == 1 and cur.lastrowid is not None:
                    new_ids.append(cur.lastrowid)
        return new_ids

    def add_photos(self, new: Sequence[NewFile]) -> list[int]:
        return self.apply_scan(new=new)

    def move_photos(self, moves: Sequence[Move]) -> None:
        self.apply_scan(moves=moves)

    def delete_photos(self, ids: Sequence[int]) -> None:
        self.apply_scan(removed=ids)

    @staticmethod
    def _move(cur: sqlite3.Cursor, moves: Sequence[Move]) -> None:
        if not moves:
            return
        cur.executemany(
            "UPDATE photos SET path = ?, folder_id = ?, size = ?, mtime = ? WHERE id = ?",
            [(m.path, m.folder_id, m.size, m.mtime, m.id) for m in moves],
        )
        cur.executemany(
            f"UPDATE search SET path = ?, names = {CAMEL}(?) WHERE rowid = ?",
            [(m.path, m.path, m.id) for m in moves],
        )

    @staticmethod
    def _delete(cur: sqlite3.Cursor, ids: Sequence[int]) -> None:
        if not ids:
            return
        selection = "(SELECT value FROM json_each(?))"
        cur.execute(f"DELETE FROM search WHERE rowid IN {selection}", (_json_ids(ids),))
        # captions, tags and vectors go with their photo (ON DELETE CASCADE).
        cur.execute(f"DELETE FROM photos WHERE id IN {selection}", (_json_ids(ids),))

    # photos, for the worker

    def pending(self, after_id: int = 0, limit: int = 256) -> list[PendingPhoto]:
        """Pending photos in online folders, in id order: the worker pages through with ``after_id``."""
        rows = self._query(
            "SELECT p.id, p.path, p.size, p.mtime FROM photos p JOIN folders f ON f.id = p.folder_id"
            " WHERE p.status = 'pending' AND f.online = 1 AND p.id > ? ORDER BY p.id LIMIT ?",
            (after_id, limit),
        )
        return [PendingPhoto(*r) for r in rows]

    def copies_waiting(
        self, model_version: str, after_id: int = 0, limit: int = 256
    ) -> list[tuple[PendingPhoto, int, str]]:
        """Pending photos in online folders that an indexed photo of ``model_version`` may be a
        copy of (the same partial hash and size), in id order, each with that photo's id and path."""
        rows = self._query(
            # By the (status, id) index: the few photos pending among 100,000 in 0.5 ms, where
            # SQLite's own choice walked every row by id (36 ms, each indexing run).
            # (SQLite's min() gives the path of the row with the least id: one original a copy.)
            "SELECT p.id, p.path, p.size, p.mtime, min(s.id), s.path FROM photos p INDEXED BY photos_status"
            " JOIN folders f ON f.id = p.folder_id AND f.online = 1"
            " JOIN photos s ON s.hash = p.hash AND s.size = p.size AND s.id != p.id"
            " AND s.status = 'indexed' AND s.model_version = ?"
            " WHERE p.status = 'pending' AND p.id > ? GROUP BY p.id ORDER BY p.id LIMIT ?",
            (model_version, after_id, limit),
        )
        return [(PendingPhoto(*r[:4]), int(r[4]), str(r[5])) for r in rows]

    def index_entries(self, ids: Sequence[int], model_version: str) -> dict[int, IndexedPhoto]:
        """The index entries, as the worker wrote them, of the indexed photos among ``ids`` that
        ``model_version`` described (those with a caption and vectors), by id."""
        import numpy as np

        lat_ids, latents = self.load_vectors("latent", ids=ids, model_version=model_version)
        feat_ids, features = self.load_vectors("feature", ids=ids, model_version=model_version)
        feature_of = {int(i): features[n] for n, i in enumerate(feat_ids)}
        records = {r.id: r for r in self.photos_by_ids([int(i) for i in lat_ids])}
        rules = dict(
            self._query(
                "SELECT id, description_version FROM photos WHERE id IN (SELECT value FROM json_each(?))",
                (_json_ids(records),),
            )
        )
        entries = {}
        for n, photo_id in enumerate(lat_ids.tolist()):
            r = records.get(photo_id)
            if r is None or r.status != "indexed" or r.caption is None:
                continue
            entries[photo_id] = IndexedPhoto(
                id=photo_id,
                size=r.size,
                mtime=r.mtime,
                width=r.width or 0,
                height=r.height or 0,
                taken_at=r.taken_at,
                camera=r.camera,
                caption=r.caption,
                caption_score=r.caption_score or 0.0,
                tags=list(r.tags),
                latent=np.array(latents[n]),
                feature=feature_of.get(photo_id),
                model_version=model_version,
                description_version=rules.get(photo_id),
            )
        return entries

    def try_errors_again(self, folder_ids: Sequence[int]) -> int:
        """Make the photos of these folders that could not be read for now (``FailedPhoto``'s not
        ``not_a_photo``) pending again; returns how many."""
        if not folder_ids:  # a watcher's scan of some paths: no write (the library's lock) for nothing
            return 0
        with self._transaction() as cur:
            cur.execute(
                "UPDATE photos SET status = 'pending' WHERE status = 'error' AND try_again = 1"
                " AND folder_id IN (SELECT value FROM json_each(?))",
                (_json_ids(folder_ids),),
            )
            return cur.rowcount

    def pending_count(self) -> int:
        rows = self._query(
            "SELECT count(*) FROM photos p JOIN folders f ON f.id = p.folder_id"
            " WHERE p.status = 'pending' AND f.online = 1"
        )
        return int(rows[0][0])

    def indexed_by_other_versions(self, model_version: str) -> int:
        """How many photos stand indexed by another model than ``model_version``."""
        rows = self._query(
            "SELECT count(*) FROM photos WHERE status = 'indexed' AND model_version IS NOT ?",
            (model_version,),
        )
        return int(rows[0][0])

    def requeue_other_versions(self, model_version: str) -> int:
        """Make photos indexed by another model pending again: vectors of different models don't mix."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE photos SET status = 'pending' WHERE status = 'indexed' AND model_version IS NOT ?",
                (model_version,),
            )
            return cur.rowcount

    def indexed_by(self, model_version: str, limit: int, after_id: int = 0) -> list[tuple[int, str]]:
        """(id, path) of photos indexed by ``model_version`` with a stored feature, ids above
        ``after_id``, in id order."""
        rows = self._query(
            "SELECT p.id, p.path FROM photos p JOIN features f ON f.photo_id = p.id"
            " WHERE p.status = 'indexed' AND p.model_version = ? AND p.id > ? ORDER BY p.id LIMIT ?",
            (model_version, after_id, limit),
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    def adopt_latents(
        self, ids: Sequence[int], latents: npt.NDArray[np.float32], from_version: str, model_version: str
    ) -> list[int]:
        """Photos indexed by ``from_version`` become ``model_version``'s with new latents (computed
        from their stored features by a model on the same encoder): features and tags stay, the
        caption waits to be written again from the vectors (``stale_descriptions``). A photo
        indexed again meanwhile is left as it is. Returns the ids adopted."""
        import numpy as np

        adopted = []
        with self._transaction() as cur:
            for photo_id, latent in zip(ids, latents, strict=True):
                cur.execute(
                    "UPDATE photos SET model_version = ?, description_version = NULL"
                    " WHERE id = ? AND status = 'indexed' AND model_version = ?",
                    (model_version, photo_id, from_version),
                )
                if cur.rowcount == 1:
                    blob = np.asarray(latent, np.float32).tobytes()
                    cur.execute("UPDATE vectors SET latent = ? WHERE photo_id = ?", (blob, photo_id))
                    adopted.append(photo_id)
        return adopted

    def write_results(self, batch: Sequence[IndexedPhoto | FailedPhoto]) -> list[int]:
        """Store a batch of worker results in ONE transaction; returns the ids stored as indexed.

        Each row is updated only if its size and mtime are still the ones the worker read: a photo that
        changed (or was deleted) meanwhile stays pending for the next round instead of getting stale data.
        """
        written = []
        stamp = now_iso()
        with self._transaction() as cur:
            for result in batch:
                if isinstance(result, FailedPhoto):
                    cur.execute(
                        "UPDATE photos SET status = 'error', error = ?, indexed_at = ?, try_again = ?"
                        " WHERE id = ? AND size = ? AND mtime = ?",
                        (
                            result.error,
                            stamp,
                            int(not result.not_a_photo),
                            result.id,
                            result.size,
                            result.mtime,
                        ),
                    )
                    if cur.rowcount == 1 and result.not_a_photo:  # no match for what is not there
                        self._forget_description(cur, result.id)
                elif self._write_indexed(cur, result, stamp):
                    written.append(result.id)
        return written

    @staticmethod
    def _forget_description(cur: sqlite3.Cursor, photo_id: int) -> None:
        """Drop what an earlier version of the photo left (its vectors, caption, tags and text-index
        row): its file holds no photo now. The entry itself stays, under the errors."""
        for table in ("vectors", "features", "captions", "tags"):
            cur.execute(f"DELETE FROM {table} WHERE photo_id = ?", (photo_id,))
        cur.execute("DELETE FROM search WHERE rowid = ?", (photo_id,))

    @staticmethod
    def _write_indexed(cur: sqlite3.Cursor, r: IndexedPhoto, stamp: str) -> bool:
        cur.execute(
            "UPDATE photos SET width = ?, height = ?, taken_at = ?, camera = ?, status = 'indexed',"
            " error = NULL, model_version = ?, indexed_at = ? WHERE id = ? AND size = ? AND mtime = ?",
            (r.width, r.height, r.taken_at, r.camera, r.model_version, stamp, r.id, r.size, r.mtime),
        )
        if cur.rowcount != 1:
            return False
        import numpy as np

        cur.execute("UPDATE photos SET description_version = ? WHERE id = ?", (r.description_version, r.id))
        cur.execute("INSERT OR REPLACE INTO captions VALUES (?, ?, ?)", (r.id, r.caption, r.caption_score))
        cur.execute("DELETE FROM tags WHERE photo_id = ?", (r.id,))
        cur.executemany(
            "INSERT INTO tags VALUES (?, ?, ?)", [(r.id, label, score) for label, score in r.tags]
        )
        cur.execute(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?)", (r.id, np.asarray(r.latent, np.float32).tobytes())
        )
        if r.feature is None:
            cur.execute("DELETE FROM features WHERE photo_id = ?", (r.id,))
        else:
            feature = np.asarray(r.feature, np.float16).tobytes()
            cur.execute("INSERT OR REPLACE INTO features VALUES (?, ?)", (r.id, feature))
        cur.execute("DELETE FROM search WHERE rowid = ?", (r.id,))
        cur.execute(
            "INSERT INTO search (rowid, path, caption, tags, names)"
            f" SELECT id, path, ?, ?, {CAMEL}(path) FROM photos WHERE id = ?",
            (r.caption, " ".join(label for label, _ in r.tags), r.id),
        )
        return True

    # reading, for search and status

    def photos_by_ids(self, ids: Sequence[int]) -> list[PhotoRecord]:
        """Records in the order of ``ids`` (unknown ids are left out)."""
        param = (_json_ids(ids),)
        rows = self._query(
            "SELECT p.id, p.path, p.folder_id, c.text, c.score, p.taken_at, p.camera, p.width, p.height,"
            " p.size, p.mtime, p.status, p.error FROM photos p LEFT JOIN captions c ON c.photo_id = p.id"
            " WHERE p.id IN (SELECT value FROM json_each(?))",
            param,
        )
        tags: dict[int, list[tuple[str, float]]] = {}
        for photo_id, label, score in self._query(
            "SELECT photo_id, label, score FROM tags WHERE photo_id IN (SELECT value FROM json_each(?))"
            " ORDER BY photo_id, score DESC",
            param,
        ):
            tags.setdefault(photo_id, []).append((label, score))
        by_id = {
            r[0]: PhotoRecord(
                id=r[0],
                path=r[1],
                folder_id=r[2],
                caption=r[3],
                caption_score=r[4],
                taken_at=r[5],
                camera=r[6],
                width=r[7],
                height=r[8],
                size=r[9],
                mtime=r[10],
                tags=tags.get(r[0], []),
                status=r[11],
                error=r[12],
            )
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def stale_descriptions(
        self, version: str, model_version: str, limit: int = 256, after_id: int = 0
    ) -> list[int]:
        """Indexed photos (by ``model_version``, ids above ``after_id``) whose caption an older
        caption rule wrote."""
        rows = self._query(
            "SELECT id FROM photos WHERE status = 'indexed' AND model_version = ? AND id > ?"
            " AND description_version IS NOT ? ORDER BY id LIMIT ?",
            (model_version, after_id, version, limit),
        )
        return [int(r[0]) for r in rows]

    def stale_description_count(self, version: str, model_version: str | None = None) -> int:
        """How many photos ``stale_descriptions`` would give, all of them (any model's without
        ``model_version``)."""
        query = "SELECT count(*) FROM photos WHERE status = 'indexed' AND description_version IS NOT ?"
        args: tuple[str, ...] = (version,)
        if model_version is not None:
            query, args = query + " AND model_version = ?", (version, model_version)
        return int(self._query(query, args)[0][0])

    def write_descriptions(self, rows: Sequence[tuple[int, str, float]], version: str) -> None:
        """New captions (photo id, caption, score) written from stored vectors by caption rule ``version``."""
        with self._transaction() as cur:
            for photo_id, caption, score in rows:
                cur.execute(
                    "UPDATE photos SET description_version = ? WHERE id = ? AND status = 'indexed'",
                    (version, photo_id),
                )
                if cur.rowcount != 1:
                    continue
                cur.execute("INSERT OR REPLACE INTO captions VALUES (?, ?, ?)", (photo_id, caption, score))
                cur.execute("UPDATE search SET caption = ? WHERE rowid = ?", (caption, photo_id))

    def load_tags(
        self, ids: Sequence[int] | None = None, model_version: str | None = None
    ) -> tuple[npt.NDArray[np.int64], list[str], npt.NDArray[np.float32]]:
        """Every stored tag (the encoder head's top classes) as photo ids, labels and probabilities,
        by photo id (all photos, or those of ``ids``; ``model_version`` keeps one model's)."""
        where, params = _photo_filter("photo_id", ids, model_version)
        rows = self._query(f"SELECT photo_id, label, score FROM tags WHERE {where} ORDER BY photo_id", params)
        import numpy as np

        return (
            np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
            [str(r[1]) for r in rows],
            np.fromiter((r[2] for r in rows), dtype=np.float32, count=len(rows)),
        )

    def load_vectors(
        self, kind: VectorKind, ids: Sequence[int] | None = None, model_version: str | None = None
    ) -> tuple[npt.NDArray[np.int64], np.ndarray]:
        """All stored vectors of one kind (or those of ``ids``) as (int64 ids, N x D), by id.

        Latents come as float32 and features as float16, the dtypes they are stored in.

        Rows are fetched in chunks straight into a preallocated matrix, so memory peaks at the result
        plus one chunk. ``model_version`` keeps only photos indexed by that model.
        """
        dtype = _VECTOR_DTYPES[kind]
        where, params = _photo_filter("v.photo_id", ids, model_version, f"v.{kind} IS NOT NULL")
        sql = f"FROM {_VECTOR_TABLES[kind]} v WHERE {where}"
        with self._lock:
            conn = self.conn
            try:
                conn.execute("BEGIN")  # one read snapshot: the count and the rows agree
                try:
                    n = int(conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0])
                    cursor = conn.execute(f"SELECT v.photo_id, v.{kind} {sql} ORDER BY v.photo_id", params)
                    return _fill_matrix(cursor, n, dtype)
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as error:
                raise self._translate(error) from error

    def text_search(self, query: str, limit: int = 50) -> list[tuple[int, float]]:
        """Photos whose caption, tags or path match every word of ``query`` (the last as a prefix).

        Returns (photo id, score) best first; the score is minus FTS5's bm25, so higher is better.
        Captions weigh most, then tags, then the path.
        """
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " ".join(f'"{w}"' for w in words) + "*"
        rows = self._query(
            "SELECT rowid, bm25(search, 0.5, 2.0, 1.0, 0.5) AS rank FROM search WHERE search MATCH ?"
            " ORDER BY rank LIMIT ?",
            (match, limit),
        )
        return [(int(r[0]), -float(r[1])) for r in rows]

    def count_below(self, directory: str | Path) -> int:
        """How many photos (any status) are below ``directory``."""
        if not storable(str(directory)):
            return 0  # no photo's path holds a name that is not UTF-8
        bounds = _prefix_range(normalize_path(directory))
        return int(self._query("SELECT count(*) FROM photos WHERE path > ? AND path < ?", bounds)[0][0])

    def photo_ids(
        self,
        folder: str | Path | int | None = None,
        taken_from: date | datetime | str | None = None,
        taken_to: date | datetime | str | None = None,
    ) -> list[int]:
        """Ids of the photos that pass the search filters: below a folder (a watched folder's id or any
        directory path) and dated within [taken_from, taken_to] (a date ``taken_to`` includes that day):
        the date taken, else the file's time (``DATE_KEY``, as the timeline files photos; most photos
        from phones' apps, scans and downloads carry no EXIF date: a filter must not hide them)."""
        where, params = _filter_clauses(folder, taken_from, taken_to)
        rows = self._query(f"SELECT id FROM photos WHERE {' AND '.join(where)} ORDER BY id", params)
        return [int(r[0]) for r in rows]

    def browse_rows(
        self,
        newest_first: bool | None = None,
        limit: int | None = None,
        folder: str | Path | int | None = None,
        taken_from: date | datetime | str | None = None,
        taken_to: date | datetime | str | None = None,
    ) -> list[BrowseRow]:
        """Every photo but the unreadable ones, for browsing and date filters. ``newest_first`` sorts
        them by (date key, path), descending or not, and ``limit`` keeps the first ones: the
        timeline's first screen in 50 ms at 100,000 photos, not the whole library's 0.3 s. The
        filters keep the photos ``photo_ids`` would."""
        order = (
            "" if newest_first is None else " ORDER BY 4 DESC, 2 DESC" if newest_first else " ORDER BY 4, 2"
        )
        where, params = _filter_clauses(folder, taken_from, taken_to)
        rows = self._query(
            f"SELECT id, path, folder_id, {DATE_KEY}, mtime, taken_at IS NOT NULL FROM photos"
            f" WHERE status != 'error' AND {' AND '.join(where)}{order} LIMIT ?",
            (*params, -1 if limit is None else limit),
        )
        return list(map(BrowseRow._make, rows))  # SQLite's types are the row's: no conversion per value

    def counts(self) -> PhotoCounts:
        by_status = dict(self._query("SELECT status, count(*) FROM photos GROUP BY status"))
        return PhotoCounts(**{status: int(n) for status, n in by_status.items()})

    def errors(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, reason) of every photo that could not be indexed."""
        rows = self._query(
            "SELECT path, error FROM photos WHERE status = 'error' ORDER BY path LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    def model_versions(self, described_only: bool = False) -> dict[str, int]:
        """Photos by the model version that last read them (``described_only``: not those it failed
        to read, which keep the version of their last try)."""
        status = " AND status != 'error'" if described_only else ""
        rows = self._query(
            f"SELECT model_version, count(*) FROM photos WHERE model_version IS NOT NULL{status}"
            " GROUP BY model_version"
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def vector_generation(self) -> int:
        """The number of the last vector change (0 before any): a stamp for copies of the vectors."""
        rows = self._query("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'")
        return int(rows[0][0]) if rows else 0

    def vector_changes(self, since: int) -> tuple[int, list[int] | None]:
        """(the current generation, ids of the photos whose vectors changed after ``since``), the ids
        None when the log no longer reaches back that far (it was pruned past it)."""
        with self._lock:
            conn = self.conn
            try:
                conn.execute("BEGIN")  # one read snapshot: the generation and the ids agree
                try:
                    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'").fetchone()
                    now = int(row[0]) if row else 0
                    first = conn.execute("SELECT min(generation) FROM vector_log").fetchone()[0]
                    if since > now or since < (now if first is None else int(first) - 1):
                        return now, None
                    ids = conn.execute(
                        "SELECT DISTINCT photo_id FROM vector_log WHERE generation > ?", (since,)
                    ).fetchall()
                    return now, [int(r[0]) for r in ids]
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as error:
                raise self._translate(error) from error

    def prune_vector_log(self, upto: int) -> None:
        """Forget the vector changes up to generation ``upto`` (a copy of the vectors has them)."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM vector_log WHERE generation <= ?", (upto,))

    def paths_with_word(self, word: str) -> list[tuple[int, str]]:
        """(photo id, path) of the indexed photos whose path has ``word`` as a token (FTS5) or as a
        word of a camelCase name ("tower" in "eiffelTower", one token to FTS5)."""
        token = word.replace('"', "")
        if not token:
            return []
        match = f'{{path names}} : "{token}"'
        rows = self._query("SELECT rowid, path FROM search WHERE search MATCH ?", (match,))
        return [(int(r[0]), str(r[1])) for r in rows]

    def exclusion_rules(self) -> list[ExclusionRule]:
        """Every watched folder's exclusion rules (``library.exclusions``)."""
        from photoscope.library.exclusions import ExclusionRule

        rows = self._query(
            "SELECT f.path, e.kind, e.pattern FROM exclusions e JOIN folders f ON f.id = e.folder_id"
            " ORDER BY f.path, e.kind, e.pattern"
        )
        return [ExclusionRule(str(r[0]), r[1], str(r[2])) for r in rows]

    def set_exclusion_rule(self, rule: ExclusionRule, present: bool) -> bool:
        """Add (``present``) or remove a rule; returns whether that changed anything."""
        with self._transaction() as cur:
            folder = cur.execute("SELECT id FROM folders WHERE path = ?", (rule.folder,)).fetchone()
            if folder is None:
                raise LibraryError(f"{rule.folder} is not a watched folder")
            values = (folder[0], rule.kind, rule.pattern)
            if present:
                cur.execute("INSERT OR IGNORE INTO exclusions VALUES (?, ?, ?)", values)
            else:
                cur.execute("DELETE FROM exclusions WHERE folder_id = ? AND kind = ? AND pattern = ?", values)
            return cur.rowcount == 1

    def setting(self, key: str) -> str | None:
        """A library setting's value (``settings``), None when it has its default."""
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str | None, back_up: bool = True) -> bool:
        """Set a library setting (None: back to its default); returns whether that changed anything.
        ``back_up=False`` for a note that is not configuration (the rolling backup takes it later):
        a backup written now would hold back the next one, with the captions indexed meanwhile."""
        with self._transaction() as cur:
            old = cur.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            if (None if old is None else str(old[0])) == value:
                return False
            if value is None:
                cur.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                cur.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))
        if back_up:
            self.backup(max_age_s=0)  # configuration, like the folder list: a lost file must not lose it
        return True


def _refuse_absorbing_offline(key: str, folders: Sequence[Folder]) -> None:
    """A watched folder inside ``key`` that is offline (its drive unplugged) cannot become part of
    ``key``: the new folder's scans would find its photos missing and drop them, as nothing would
    remember that they are away."""
    offline = [
        f.path
        for f in folders
        if not f.online and is_under(f.path, key) and (not os.path.isdir(f.path) or left_empty(f.path))
    ]  # offline at the last scan and still away: one plugged back in since is absorbed as usual
    if offline:
        raise LibraryError(
            f"{offline[0]} is watched and offline (an unplugged drive?): plug it in before watching "
            f"{key}, which holds it, or stop watching it (`photoscope folders remove`)"
        )


def _quoted(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _iso(value: date | datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _fill_matrix(
    cursor: sqlite3.Cursor, n: int, dtype: npt.DTypeLike
) -> tuple[npt.NDArray[np.int64], np.ndarray]:
    """Ids and an N x D matrix in the stored dtype (features stay float16: 100,000 of them are 256 MB)."""
    import numpy as np

    ids = np.empty(n, np.int64)
    matrix: np.ndarray | None = None
    at = 0
    while rows := cursor.fetchmany(_FETCH_ROWS):
        chunk_ids, blobs = zip(*rows, strict=True)
        block = np.frombuffer(b"".join(blobs), dtype=dtype)
        if matrix is None:
            matrix = np.empty((n, len(rows[0][1]) // np.dtype(dtype).itemsize), dtype)
        block = block.reshape(len(rows), matrix.shape[1])
        ids[at : at + len(rows)] = chunk_ids
        matrix[at : at + len(rows)] = block
        at += len(rows)
    if matrix is None:
        matrix = np.empty((0, 0), dtype)
    return ids[:at], matrix[:at]
