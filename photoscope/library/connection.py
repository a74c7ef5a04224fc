"""The library's SQLite file: opening it (read-only when its folder cannot be written), creating and
migrating it, transactions, checks, the rolling backup of its small tables and its settings.
``LibraryFile`` is the base of ``db.Library``; the tables' methods are its parts in ``folder_rows``,
``index_rows`` and ``photo_reads``."""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import sqlite3
import stat
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from photoscope.library import name_words
from photoscope.library.errors import (
    BUSY_TIMEOUT_MS,
    LibraryDamaged,
    LibraryError,
    LibraryForeign,
    LibraryKeptCopy,
    LibraryLost,
    LibraryTooNew,
    LibraryUnwritable,
    cannot_write,
    disk_full,
    in_words,
    translate_sqlite_error,
)
from photoscope.library.schema import MIGRATIONS
from photoscope.library.sql import quoted
from photoscope.threads import remove_if_orphaned
from photoscope.wording import plural

if TYPE_CHECKING:
    import sqlite_utils

    from photoscope.library.backup import Identity

KEPT_NAME = re.compile(r"\.schema-\d+$")  # ``_keep_older``'s copy: "library.db.schema-7"
BACKUP_EVERY_S = 300.0  # the rolling backup of the small tables is at most this old after a change
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upgrade:
    """An older Photoscope's library brought to this one's schema on opening it."""

    older: int  # its schema version before
    newer: int
    kept: Path | None  # the copy an older Photoscope still opens (``LibraryFile._keep_older``)

    def said(self, path: Path) -> str:
        kept = (
            f"the older file is kept as {self.kept}, for an older Photoscope (its --db)"
            if self.kept is not None
            else "no copy of the older file could be kept (too little disk space)"
        )
        return (
            f"upgraded {path} from an older Photoscope's schema {self.older} to {self.newer}: older"
            f" versions of Photoscope cannot open it now; {kept}"
        )


class LibraryFile:
    """The photo index's SQLite file; creates and migrates it on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self.scan_lock = threading.Lock()  # one scan at a time (``Scanner``), however many scanners
        self._written = False  # anything committed since the last backup
        self._backup_failed: str | None = None  # why the last backup could not be written, said once
        self._backup_errno: int | None = None  # and the system's reason (what to do differs)
        self._backed_up = -1  # photos in the last backup this process wrote
        if not self.path.exists():
            self._refuse_lost_with_a_backup("is missing")
            self._create()
        elif self.path.is_file() and self.path.stat().st_size == 0:
            self._refuse_empty()
        self.upgraded: Upgrade | None = None  # an older Photoscope's library, upgraded by this open
        self.read_only = False  # opened read-only: its folder or disk cannot be written (``_open``)
        self.full_disk = False  # opened read-only as its disk is full (``_open``)
        self.conn = self._open()

    def _refuse_empty(self) -> None:
        """A file of size 0 is refused: an empty one, or one whose size says nothing of it."""
        if _holds_bytes(self.path):  # procfs says 0 of /proc/self/status: no empty file to delete
            raise LibraryForeign(  # (audit 74, repro_12), nor a library
                f"{self.path} is not a Photoscope library (left as it is): give another --db"
            )
        self._refuse_lost_with_a_backup("is an empty file")
        # Every library this app creates is complete when it appears (``_create``): an empty file is
        # someone else's, and turning it into a library would hide a mistyped --db.
        raise LibraryForeign(
            f"{self.path} is an empty file, not a Photoscope library (left as it is): give a new"
            " file name, or delete the empty file"
        )

    def _refuse_lost_with_a_backup(self, said: str) -> None:
        """A library file gone or emptied (a crash, a sync tool) whose rolling backup beside it holds
        photos is damaged, for ``doctor --repair`` to rebuild from the backup: begun anew, its own
        backups replaced those, and the photos of a drive not plugged in were gone (the CLI audit of
        stop 57). A backup without photos loses nothing: the library is made anew."""
        from photoscope.library.backup import backup_photo_count

        held = backup_photo_count(self.path)
        if held:
            lost = LibraryDamaged if self.path.exists() else LibraryLost  # no file to keep a copy of
            raise lost(f"{self.path} {said}, but its backup holds {plural(held, 'photo')}")

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
            # isolation_level=None: transactions are explicit (``transaction``), so a batch is exactly one.
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise self.translate_error(error) from error
        self.conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # a CLI run and the GUI may share it
            self._refuse_foreign(conn)
            self._refuse_kept_copy(conn)
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
            raise self.translate_error(error) from error
        return conn

    def _open(self) -> sqlite3.Connection:
        # First: SQLite opens a log it may not write read-only, and refuses the first write only.
        _logs_writable_again(self.path)
        try:
            conn = self._connect(self.path)
        except LibraryUnwritable:
            # a full disk too: WAL mode makes a shared-memory file to open the library (the fresh-seat
            # audit of stop 59: `status`, `search` and `folders list` all said the disk is full)
            full = disk_full(self.path)
            if not os.access(self.path, os.R_OK) or not (cannot_write(self.path) or full):
                raise
            self.full_disk = full  # before: an older library's refusal says which (``_try_read_only``)
            fallback = self._connect_read_only()
            if fallback is None:
                raise
            return fallback
        if os.access(self.path, os.W_OK):
            return conn
        # The file refuses writes (chmod 444) in a folder that takes them: SQLite opened it read-only
        # without a word, and the first write failed ("7 photos indexed" in the window, new photos
        # never indexed, no word but on stderr: the fresh-seat audit of stop 52). Read-only, and said.
        read_only = self._connect_read_only()
        if read_only is None:
            self.conn = conn
            return conn
        conn.close()
        return read_only

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

    def _cannot_upgrade(self) -> str:
        """Why an older library opened read-only cannot be upgraded, and what to do: a full disk was
        told "it is read-only … fix the permissions", with none to fix (audit 76, repro_5)."""
        if self.full_disk:
            return "must be upgraded, but its disk is full: free space on it, then open it again"
        return (
            "must be upgraded, but it is read-only: open it once where it can be written, or fix the"
            " permissions"
        )

    def _try_read_only(self, uri: str) -> sqlite3.Connection | None:
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        except sqlite3.Error:
            return None
        self.conn = conn
        try:
            self._refuse_foreign(conn)
            self._refuse_kept_copy(conn)
            if self._check_version() < len(MIGRATIONS):
                raise LibraryUnwritable(
                    f"{self.path} was made by an older Photoscope and {self._cannot_upgrade()}"
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

    def _refuse_kept_copy(self, conn: sqlite3.Connection) -> None:
        """The copy an upgrade kept for an older Photoscope (``_keep_older``) is known by its name,
        ``….schema-N``, and its older schema: refused before anything is written to it, which
        upgrading it would turn into this Photoscope's file, the older one's copy gone (audit 78).
        One of today's schema so named (renamed by hand) is any library."""
        kept = KEPT_NAME.search(self.path.name)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if kept is None or not 0 < version < len(MIGRATIONS):
            return
        library = self.path.with_name(self.path.name[: kept.start()])
        beside = f" (this Photoscope's library is {library})" if library.is_file() else ""
        raise LibraryKeptCopy(
            f"{self.path} is the copy of the library an upgrade kept for an older Photoscope (schema"
            f" {version}), left as it is: open it with that Photoscope, or copy it to another name"
            f" (not ending in {kept.group()}) and open the copy to upgrade it{beside}"
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
        _remove_dead_copies(self.path)
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            self._fold_in_log(self._connect(tmp))
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

    def _fold_in_log(self, conn: sqlite3.Connection) -> None:
        """Write the new library's log into its file, then close it: a close would do it too, but
        says nothing when the disk is too full for it, and the half-written file was put in place
        without its log, damaged (the fresh-seat audit of stop 52, on a 400k disk)."""
        try:
            busy, log, folded = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error as error:
            raise self.translate_error(error) from error
        finally:
            conn.close()
        if busy or folded != log:
            raise LibraryUnwritable(f"cannot create the library {self.path}: its log could not be written in")

    def _os_message(self, error: OSError, doing: str) -> str:
        if error.errno == errno.ENOSPC:
            return f"the disk holding {self.path} is full: free some space, then try again"
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return (
                f"cannot {doing} the library {self.path}: {error.strerror} (a read-only disk or folder?); "
                "choose another --db or fix the folder's permissions"
            )
        return f"cannot {doing} the library {self.path}: {error.strerror or error}; choose another --db"

    def translate_error(self, error: sqlite3.Error) -> LibraryError:
        return translate_sqlite_error(error, self.path)

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
                said = in_words(error)
                if said != self._backup_failed:  # once, not again at close (a full disk: twice before)
                    log.warning(
                        "cannot write the backup of %s: %s (the library itself is kept as it was)",
                        self.path,
                        said,
                    )
                self._backup_failed = said
                self._backup_errno = error.errno if isinstance(error, OSError) else None
                return False
            self._backup_failed = None
            self._written = False
        return True

    def forget_in_backups(
        self, leaves_out: Callable[[list[str]], Iterable[str]], also: Collection[Identity] = ()
    ) -> int:
        """Rewrite the backups without the photos ``leaves_out`` picks or ``also`` names
        (``backup.forget_photos``), under the lock that keeps this process's next backup from
        rotating one away meanwhile. A backup that cannot be rewritten (a full disk) is deleted: the
        photos were to leave no trace."""
        from photoscope.library.backup import backup_path, forget_photos

        with self._lock:
            try:
                return forget_photos(self.path, leaves_out, also)
            except OSError as error:
                log.warning("cannot rewrite the backups of %s without forgotten photos: %s", self.path, error)
                for generation in (0, 1):
                    with suppress(OSError):
                        backup_path(self.path, generation).unlink(missing_ok=True)
                return 0

    @property
    def backup_failed(self) -> str | None:
        """Why the last backup could not be written (None: it was, or none was tried)."""
        return self._backup_failed

    @property
    def backup_errno(self) -> int | None:
        """The system's reason the last backup could not be written (``errno``), if it gave one."""
        return self._backup_errno if self._backup_failed is not None else None

    def _count_photos(self) -> int:
        return int(self._query("SELECT count(*) FROM photos")[0][0])

    def data_version(self) -> int:
        """SQLite's mark of the commits other connections made to the file: it changes when another
        process writes the library (this one's own writes, all through ``conn``, leave it)."""
        return int(self._query("PRAGMA data_version")[0][0])

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            try:
                cur = self.conn.cursor()
                # IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) instead
                # of failing half way through with SQLITE_BUSY on its first write.
                cur.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self.translate_error(error) from error
            try:
                yield cur
            except BaseException as error:
                with suppress(sqlite3.Error):  # a failed COMMIT (disk full) may have rolled back already
                    cur.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise self.translate_error(error) from error
                raise
            try:
                cur.execute("COMMIT")
            except sqlite3.Error as error:
                with suppress(sqlite3.Error):
                    cur.execute("ROLLBACK")
                raise self.translate_error(error) from error
            self._written = True

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise self.translate_error(error) from error

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        first = self._check_version()
        kept = self._keep_older(first) if 0 < first < len(MIGRATIONS) else None  # 0: a library being made
        stepped = False
        while self._check_version() < len(MIGRATIONS):
            # Read the version again under the write lock: another process may be creating or upgrading
            # the same file right now, and a step must run once.
            with self.transaction():
                version = self._check_version()
                if version < len(MIGRATIONS):
                    MIGRATIONS[version](self.conn)
                    self.conn.execute(f"PRAGMA user_version = {version + 1}")
                    stepped = True
        if stepped and first > 0:
            self.upgraded = Upgrade(first, len(MIGRATIONS), kept)
            log.warning("photoscope: %s", self.upgraded.said(self.path))  # as the CLI says the rest

    def _keep_older(self, version: int) -> Path | None:
        """A copy of the library as an older Photoscope wrote it (schema ``version``), beside it,
        made before the first step changes it (the fresh-seat audit 76 of stop 61: a mere `status`
        upgraded a library for good, and another machine's or a rolled-back Photoscope could not open
        it again). None when its disk has not room for it twice over, the copy fails, or another
        process upgraded the file meanwhile: the upgrade goes on, and says so."""
        kept = self.path.with_name(f"{self.path.name}.schema-{version}")
        tmp = kept.with_name(f".{kept.name}.{os.getpid()}.{threading.get_ident()}.new")
        _remove_dead_copies(self.path)
        try:
            # Room for the copy and for the upgrade after it (its log), with a MiB to spare.
            if shutil.disk_usage(self.path.parent).free < 2 * self.path.stat().st_size + (1 << 20):
                return None
            copy = sqlite3.connect(tmp)
            try:
                self.conn.backup(copy)  # a snapshot, begun again if another process writes meanwhile
                copied = copy.execute("PRAGMA user_version").fetchone()[0]
            finally:
                copy.close()
            if copied != version:  # another process upgraded it first: it keeps its own copy
                tmp.unlink()
                return None
            os.chmod(tmp, 0o600)
            os.replace(tmp, kept)
        except (OSError, sqlite3.Error) as error:
            log.info("no copy of the older library kept: %s", error)
            with suppress(OSError):
                tmp.unlink()
            return None
        return kept

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
                source = quoted(table) + (f" INDEXED BY {quoted(name)}" if kind == "index" else "")
                self._query(f"SELECT 1 FROM {source} LIMIT 1")
        except LibraryDamaged as error:  # SQLite's own words, as ``quick_check``'s: the caller advises
            return [str(error.__cause__ or error)]
        return []

    def setting(self, key: str) -> str | None:
        """A library setting's value (``settings``), None when it has its default."""
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str | None, back_up: bool = True) -> bool:
        """Set a library setting (None: back to its default); returns whether that changed anything.
        ``back_up=False`` for a note that is not configuration (the rolling backup takes it later):
        a backup written now would hold back the next one, with the captions indexed meanwhile."""
        with self.transaction() as cur:
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


def _logs_writable_again(path: Path) -> bool:
    """Whether the library's log files were left read-only by a read-only session, and are now
    given its permissions again: the library ours and writable, they ours and not. SQLite makes
    them with the library's permissions: after `chmod 444 lib.db` a search made lib.db-shm 0444,
    and with lib.db 0600 again every write said "lib.db is read-only", for good (the CLI audit of
    stop 47)."""
    try:
        own = path.stat()
    except OSError:
        return False
    if own.st_uid != os.getuid() or not own.st_mode & stat.S_IWUSR:
        return False
    changed = False
    for log in (Path(f"{path}-shm"), Path(f"{path}-wal")):
        try:
            found = log.stat()
            if found.st_uid == own.st_uid and not found.st_mode & stat.S_IWUSR:
                log.chmod(stat.S_IMODE(own.st_mode))
                changed = True
        except OSError:
            continue
    return changed


def _remove_dead_copies(path: Path) -> None:
    """Delete the hidden temporaries beside the library (``.library.db.….<pid>.<thread>.new``: a
    copy of an older file, a library being made) whose process is gone: a kill while one was being
    written leaves a file the size of the library."""
    for leftover in path.parent.glob(f".{path.name}.*.new"):
        remove_if_orphaned(leftover, leftover.name.split(".")[-3])


def _holds_bytes(path: Path) -> bool:
    """Whether reading ``path`` gives anything, whatever its size says (procfs and sysfs files say 0).
    One that cannot be read is taken at its size's word."""
    try:
        with path.open("rb") as file:
            return bool(file.read(1))
    except OSError:
        return False
