"""Finding photos on disk: which files count, walking folders, and the partial content hash.

Pure filesystem code (no database, no model) so the scanner and the watcher agree on what a photo is.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)

PHOTO_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"}
)

# rclip's trick: size plus the first and last 64 KiB identify a photo well enough to recognise it after a
# move or rename, while reading 128 KiB instead of the whole (multi-megabyte) file.
HASH_CHUNK = 64 * 1024


class FileStat(NamedTuple):
    path: str
    size: int
    mtime: float


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def is_photo_name(name: str) -> bool:
    return not is_hidden(name) and os.path.splitext(name)[1].lower() in PHOTO_EXTENSIONS


def storable(path: str) -> bool:
    """Whether SQLite can hold this path: names that are not valid UTF-8 decode to lone surrogates."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalize_path(path: str | os.PathLike[str]) -> str:
    """The one spelling of a path the index uses: absolute, user-expanded, no ``..`` or trailing slash.

    Symlinks are not resolved: a folder reached through a link keeps the path the user chose.
    """
    return os.path.normpath(os.path.abspath(os.path.expanduser(os.fspath(path))))


def is_under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def has_hidden_part(path: str, root: str) -> bool:
    """Whether any component of ``path`` below ``root`` is hidden (the root itself may be)."""
    relative = os.path.relpath(path, root)
    return any(is_hidden(part) for part in Path(relative).parts if part not in (".", ".."))


def stat_photo(path: str) -> FileStat | None:
    """The stat of a regular photo file, or None if it is missing, not a file or not a photo name."""
    if not is_photo_name(os.path.basename(path)) or not storable(path):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not os.path.isfile(path):
        return None
    return FileStat(path, st.st_size, st.st_mtime)


def walk_photos(root: str, on_error: Callable[[OSError], None] | None = None) -> Iterator[FileStat]:
    """Every photo under ``root``, skipping hidden entries and never visiting a directory twice.

    Symlinked directories are followed (people link albums into their Pictures folder) but each
    directory's (device, inode) is remembered, so a link back up the tree cannot loop.
    """
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
            key = (st.st_dev, st.st_ino)
            if key in visited:
                continue
            visited.add(key)
            with os.scandir(directory) as entries:
                for entry in entries:
                    found = _visit(entry, stack)
                    if found is not None:
                        yield found
        except OSError as error:  # unreadable or vanished directory: skip it, keep walking the rest
            log.warning("skipping %s: %s", directory, error)
            if on_error is not None:
                on_error(error)


def _visit(entry: os.DirEntry[str], stack: list[str]) -> FileStat | None:
    if is_hidden(entry.name):
        return None
    try:
        if entry.is_dir():
            stack.append(entry.path)
            return None
        if not is_photo_name(entry.name) or not entry.is_file() or not storable(entry.path):
            return None
        st = entry.stat()
    except OSError:  # a broken symlink or a file deleted while we walk
        return None
    return FileStat(entry.path, st.st_size, st.st_mtime)


def partial_hash(path: str, size: int | None = None) -> str:
    """Hash of the size and the first and last 64 KiB: cheap, and stable across moves and renames."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        if size is None:
            size = os.fstat(f.fileno()).st_size
        digest.update(size.to_bytes(8, "little"))
        digest.update(f.read(HASH_CHUNK))
        if size > 2 * HASH_CHUNK:
            f.seek(size - HASH_CHUNK)
            digest.update(f.read(HASH_CHUNK))
        elif size > HASH_CHUNK:
            digest.update(f.read())
    return digest.hexdigest()
