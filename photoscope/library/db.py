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

from photoscope.library.connection import BACKUP_EVERY_S
from photoscope.library.folder_rows import FolderRows
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
from photoscope.library.schema import MIGRATIONS
from photoscope.library.sql import DATE_KEY, VectorKind, now_iso

__all__ = [
    "BACKUP_EVERY_S",
    "DATE_KEY",
    "MIGRATIONS",
    "BrowseRow",
    "FailedPhoto",
    "Folder",
    "IndexedPhoto",
    "Library",
    "Move",
    "NewFile",
    "PendingPhoto",
    "PhotoCounts",
    "PhotoRecord",
    "StoredFile",
    "StoredStat",
    "VectorKind",
    "now_iso",
]


class Library(FolderRows):
    """The photo index in one SQLite file; creates and migrates it on open. Its parts, each built on
    the one before: the file (``connection.LibraryFile``), what search and browsing read
    (``photo_reads``), the rows scans and the indexer write (``index_rows``), the watched folders
    (``folder_rows``)."""
