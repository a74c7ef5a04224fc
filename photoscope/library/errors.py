"""What can go wrong with a library file, by kind, and in words: each ``LibraryError`` kind lets the
CLI and the GUI give one clear line (the CLI a distinct exit status) naming the file and what to do.
``translate_sqlite_error`` turns SQLite's codes into them, looking at the file where the code alone
cannot tell (a photo given as the library, a read-only folder, a full disk)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another program's lock
NEAR_LIMIT = 4 << 20  # a library or log this close to the file-size limit met it (a batch of pages)


class LibraryError(Exception):
    """The database cannot be used as asked (a newer schema, a folder inside a watched one...).

    The subclasses say why, so the CLI and the GUI can each give one clear line (and the CLI a
    distinct exit status); their messages name the file and what to do.
    """


class FolderPartOfWatched(LibraryError):
    """A folder asked to be watched is inside a watched one already (and no rule leaves it out): its
    photos are indexed as that folder's."""

    def __init__(self, folder: str, watched: str) -> None:
        super().__init__(f"{folder} is already watched as part of {watched}")
        self.folder, self.watched = folder, watched


class LibraryBusy(LibraryError):
    """Another program held the library's write lock for longer than the busy timeout."""


class LibraryHeldElsewhere(LibraryBusy):
    """A repair was asked while another Photoscope (a window, ``photoscope index --watch``) has the
    library open: the repair would move the file from under it, and it would go on writing the file
    moved aside (the fresh-seat audit of stop 59). Each door says how to ask again (``how``)."""

    def __init__(self, path: Path, how: str = "run `photoscope doctor --repair`") -> None:
        super().__init__(path, how)  # as its arguments: a copy (pickle) is made alike
        self.path, self.how = path, how

    def __str__(self) -> str:
        return (
            f"{self.path}: another Photoscope has this library open (a window, or a `photoscope index`"
            f" run, --watch or not): close it, then {self.how} again"
        )


class LibraryDamaged(LibraryError):
    """Not a Photoscope library, or a damaged one: ``photoscope doctor --repair`` may help.
    ``what`` says what is wrong without that command (the window offers a button for it)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)  # as its only argument: a copy (pickle) is made alike
        self.what = what

    def __str__(self) -> str:
        return f"{self.what}: run `photoscope doctor --repair` (it keeps a copy of the damaged file)"


class LibraryLost(LibraryDamaged):
    """A library file gone, its backup beside it: repaired from the backup, with no file to keep a
    copy of (audit 76, repro_4: "it keeps a copy of the damaged file", of none)."""

    def __str__(self) -> str:
        return f"{self.what}: run `photoscope doctor --repair` (it rebuilds the library from its backup)"


class LibraryTooNew(LibraryError):
    """Written by a newer Photoscope (a schema this one does not know)."""


class LibraryKeptCopy(LibraryError):
    """The copy of an older Photoscope's library that an upgrade kept beside it, ``library.db.schema-N``
    (``connection.LibraryFile._keep_older``): kept for that Photoscope, so this one does not upgrade
    it (audit 78: it did, and kept a copy of the copy)."""


class LibraryForeign(LibraryError):
    """Another program's SQLite database: left exactly as it is (a mistyped --db, most likely)."""


class LibraryUnwritable(LibraryError):
    """The library cannot be written: a read-only file or folder, no permission, or a full disk."""


def in_words(error: BaseException) -> str:
    """An error as a user reads it: "the disk is full", not "[Errno 28] No space left on device"."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "the disk is full"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error)


def translate_sqlite_error(error: sqlite3.Error, where: Path) -> LibraryError:
    """The one line a user needs for an SQLite error, as the ``LibraryError`` kind it is."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error)
    if primary in (5, 6) or "locked" in text:  # SQLITE_BUSY, SQLITE_LOCKED
        return LibraryBusy(
            f"{where} is in use by another program (it held the library for over "
            f"{BUSY_TIMEOUT_MS // 1000} s): wait for it to finish, or close it, and try again"
        )
    if primary == 13 or "full" in text:  # SQLITE_FULL
        return _disk_full(where)
    opening = primary in (8, 3, 14) or "unable to open" in text
    if opening and cannot_read(where):  # called read-only, it was not even readable
        return LibraryUnwritable(
            f"{where} cannot be read (no permission): fix its permissions (chmod u+rw), "
            "or choose another --db"
        )
    if primary in (8, 3, 14) and cannot_write(where):  # a read-only disk or folder fails opens too
        primary = 8
    if primary in (8, 3) or "readonly" in text or "read-only" in text:  # SQLITE_READONLY, SQLITE_PERM
        if _full_not_refused(where):
            return _disk_full(where)
        return LibraryUnwritable(
            f"{where} is read-only (the file, its folder or the disk): fix the permissions, "
            "or choose another --db"
        )
    if (primary == 14 or "unable to open" in text) and where.is_symlink() and not where.exists():
        return LibraryUnwritable(
            f"{where} is a link to {os.readlink(where)}, which is not there: plug in or restore"
            " what it links to, or choose another --db"
        )
    if primary == 14 or "unable to open" in text:  # SQLITE_CANTOPEN
        return LibraryUnwritable(
            f"cannot open {where}: check that its folder exists and that you may write there"
        )
    other = _other_kind_of_file(where) if primary == 26 or "not a database" in text else None
    if other is not None and not _was_a_library(where):  # a photo or a text: a mistyped --db
        return LibraryForeign(
            f"{where} is {other}, not a Photoscope library (left as it is): give another --db"
        )
    if primary in (10, 11) or "I/O error" in text or "malformed" in text:
        # SQLITE_IOERR, SQLITE_CORRUPT: a full disk often reads as either (no room for the log)
        if disk_full(where):
            return _disk_full(where)
        if primary == 10 or "I/O error" in text:
            limit = _file_size_limit(where)
            if limit is not None:  # SQLite's write got EFBIG: the disk is sound (the CLI audit of stop 47)
                return LibraryUnwritable(
                    f"cannot write {where}: this session has a file-size limit of {limit:,} bytes (ulimit"
                    " -f), or the disk failed: raise the limit, then try again"
                )
            return LibraryUnwritable(f"cannot read or write {where} (disk I/O error): check the disk")
    return LibraryDamaged(f"{where} is not a Photoscope library, or it is damaged ({text})")


def _disk_full(where: Path) -> LibraryUnwritable:
    return LibraryUnwritable(f"the disk holding {where} is full: free some space, then try again")


def _full_not_refused(where: Path) -> bool:
    """Whether a write refused as read-only was refused for the full disk: a library on a full disk
    is opened read-only (``LibraryFile._open``: WAL mode needs room for its shared-memory file), and
    nothing else refuses this user the file. Said as read-only, the user was told to fix the
    permissions, with none to fix (audit 89, repro_4: `folders exclude`, `add`, `hidden on`)."""
    return disk_full(where) and not cannot_write(where)


def _file_size_limit(where: Path) -> int | None:
    """The largest file this process may write, in bytes (``ulimit -f``), when the library or its
    log has grown to within a page batch of it (else a disk I/O error is the disk's: the review of
    stop 47); None: no limit, or far from it."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if soft == resource.RLIM_INFINITY:
        return None
    sizes = []
    for path in (where, Path(f"{where}-wal"), Path(f"{where}-journal")):
        with contextlib.suppress(OSError):
            sizes.append(path.stat().st_size)
    return int(soft) if sizes and max(sizes) + min(NEAR_LIMIT, soft // 4) >= soft else None


def cannot_read(path: Path) -> bool:
    """Whether the library file is there but cannot be read (or its folder looked in)."""
    try:
        return path.exists() and not (os.access(path, os.R_OK) and os.access(path.parent, os.X_OK))
    except OSError:
        return False


def cannot_write(path: Path) -> bool:
    """Whether the library file (or, for a new one, its folder) cannot be written."""
    target = path if path.exists() else path.parent
    try:
        return not os.access(target, os.W_OK) or not os.access(path.parent, os.W_OK)
    except OSError:
        return False


_SQLITE = b"SQLite format 3\x00"
_SMALLEST_PAGE = 512
_DB_SUFFIXES = {".db", ".sqlite", ".sqlite3", ".db3"}  # what a library may be named, noise and all

# What a file given as the library may be instead, by its first bytes: a mistyped --db names a photo
# or a document; a library whose header was overwritten (damaged, for `doctor`) starts with none.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"GIF8", "a GIF image"),
    (8, b"WEBP", "a WebP image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (4, b"ftyp", "a HEIF image or a video"),
    (0, b"%PDF", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive or an office document"),
    (0, b"\x1f\x8b", "a gzip file"),
)


def _other_kind_of_file(path: Path) -> str | None:
    """What the file at ``path`` is, if it is plainly not a library: a photo, a document, a text."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    for offset, magic, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if _is_text(head):
        return "a text file"
    # Not SQLite's either, and too short to be (a database is a page or more) or not named as one:
    # a mistyped --db. A library.db that reads as noise is a library with its header overwritten.
    if not head.startswith(_SQLITE) and (
        len(head) < _SMALLEST_PAGE or path.suffix.lower() not in _DB_SUFFIXES
    ):
        return "a file of another kind (not SQLite)"
    return None


def _is_text(head: bytes) -> bool:
    """Printable UTF-8 with words apart (a page of one byte over and over is damage, not a text),
    tabs and line ends allowed, a character cut off at the end forgiven."""
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        printable = all(c.isprintable() or c in "\t\r\n" for c in text)
        return printable and any(c.isspace() for c in text) and len(set(text)) >= 4
    return False


def _was_a_library(path: Path) -> bool:
    """Whether Photoscope kept a library at ``path``: its rolling backup lies beside it (then a file
    that reads as something else is a library overwritten: damaged, for `doctor --repair`)."""
    from photoscope.library.backup import backup_path

    return backup_path(path).exists() or backup_path(path, 1).exists()


def disk_full(path: Path, margin: int = 1 << 20) -> bool:
    """Whether the disk holding the library ``path`` is (all but) full."""
    try:
        return shutil.disk_usage(path.parent).free < margin
    except OSError:
        return False
