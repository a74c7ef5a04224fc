"""Where things live: the shipped model bundle, the user's database and caches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "photoscope"
SHIPPED_MODEL = "photoscope-caption"


class BadInputFile(ValueError):
    """A file or folder the user named is not what the command needs: a caption dataset without its
    table, a table that is not UTF-8 text or lacks a column (bad usage: exit 2, one line)."""


class ResourceMissing(Exception):
    """A file Photoscope ships with is missing or damaged: the install is broken, not the library
    or a photo (a plain ``FileNotFoundError`` would read as a photo that disappeared)."""


def resources_dir() -> Path:
    """``resources/`` inside an installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "resources", package.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise ResourceMissing("Photoscope's resources folder is missing: reinstall Photoscope")


def read_resource(name: str, path: Path | str | None = None) -> str:
    """The text of ``path`` if given (a tool's or a test's file), else of the shipped
    ``resources/<name>``: ``ResourceMissing`` when the install lacks it."""
    if path is not None:
        return Path(path).read_text(encoding="utf-8")
    where = resources_dir() / name
    try:
        return where.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ResourceMissing(
            f"{where}, a file Photoscope ships with, is missing or unreadable: reinstall Photoscope"
        ) from error


def resource_json(name: str, path: Path | str | None = None) -> Any:
    """``path`` if given, else the shipped ``resources/<name>``, parsed as JSON; the shipped file
    ``ResourceMissing`` when missing or damaged."""
    text = read_resource(name, path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if path is not None:
            raise  # a tool's or a test's own file
        raise ResourceMissing(
            f"{resources_dir() / name}, a file Photoscope ships with, is damaged: reinstall Photoscope"
        ) from error


def default_model_dir() -> Path:
    return resources_dir() / "models" / SHIPPED_MODEL


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "library.db"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def service_socket(db_path: str | Path) -> Path:
    """Where a running app (the GUI, ``index --watch``) answers searches on a library: a Unix socket
    in the user's runtime folder (``$XDG_RUNTIME_DIR``, else the cache folder), one per database."""
    import hashlib
    import os

    key = hashlib.sha1(str(Path(db_path).expanduser().resolve()).encode()).hexdigest()[:12]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) / APP_NAME if runtime else cache_dir() / "run"
    path = folder / f"search-{key}.sock"
    if len(os.fsencode(path)) <= SOCKET_PATH_MAX:
        return path
    # A deep runtime or cache folder (a long home folder's): the app could not listen there and
    # answered nothing, silently (stop 61's Left list). A short folder of the user's own instead.
    short = Path("/tmp") / f"{APP_NAME}-{os.getuid()}"
    return short / path.name if _private_or_absent(short) else path


SOCKET_PATH_MAX = 107  # the bytes a Unix socket's path may have on Linux (108 with its NUL)


def _private_or_absent(folder: Path) -> bool:
    """Whether ``folder`` is this user's alone (or not there yet, made 0700 by the service): in the
    shared /tmp, a folder another user made or may write would let them answer this user's searches."""
    import os
    import stat

    try:
        found = os.lstat(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077
