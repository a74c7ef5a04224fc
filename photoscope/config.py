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
    import os

    path = _runtime_socket(db_path)
    if len(os.fsencode(path)) <= SOCKET_PATH_MAX:
        return path
    # A deep runtime or cache folder (a long home folder's): the app could not listen there and
    # answered nothing, silently (stop 61's Left list). A short folder of the user's own instead.
    short = short_socket_folder()
    return short / path.name if _private_or_absent(short) else path


def _runtime_socket(db_path: str | Path) -> Path:
    import hashlib
    import os

    # the path's bytes: a library in a folder whose name is not UTF-8 had no key (audit 98, repro_1)
    key = hashlib.sha1(os.fsencode(Path(db_path).expanduser().resolve())).hexdigest()[:12]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(runtime) / APP_NAME if runtime else cache_dir() / "run"
    return folder / f"search-{key}.sock"


SHORT_SOCKET_ROOT = Path("/tmp")  # where the short folder is, when the runtime folder is too deep
SOCKET_PATH_MAX = 107  # the bytes a Unix socket's path may have on Linux (108 with its NUL)


def short_socket_folder() -> Path:
    """``/tmp/photoscope-UID``: the socket's folder when the runtime folder's path is too long."""
    import os

    return SHORT_SOCKET_ROOT / f"{APP_NAME}-{os.getuid()}"


def claim_socket_folder(db_path: str | Path) -> str | None:
    """For the app about to answer searches on ``db_path``: None when it may listen at
    ``service_socket``, else why not and what to do (one line). A short folder of this user's own
    that others may enter is first put right (0700): the service would make it so anyway, and
    skipping it served no search, unsaid (audit 78). Clients never do this: they only trust it."""
    import os

    if len(os.fsencode(_runtime_socket(db_path))) <= SOCKET_PATH_MAX:
        return None
    short = short_socket_folder()
    why = _unfit(short)
    if why is not None:
        return (
            f"{short}, the short folder its socket needs (the runtime folder's path is too long), {why},"
            " or set XDG_RUNTIME_DIR to a short folder of your own"
        )
    _make_private(short)
    return None


def _unfit(folder: Path) -> str | None:
    """Why ``folder`` cannot be this user's socket folder, with what to do; None if it can (or is
    not there yet)."""
    import os
    import stat

    try:
        found = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be looked at ({error.strerror}): check its permissions"
    if not stat.S_ISDIR(found.st_mode):
        return "is not a folder: remove it"
    if found.st_uid != os.getuid():
        return "belongs to another user: have it removed"
    return None


def _make_private(folder: Path) -> None:
    """This user's own ``folder`` made 0700, if it is not; what another user put in it while it was
    open removed: a socket of theirs there would answer this user's searches."""
    import contextlib
    import os
    import stat

    with contextlib.suppress(OSError):  # not put right: listening there fails, and says so
        if not os.lstat(folder).st_mode & 0o077:
            return
        os.chmod(folder, 0o700)
        with os.scandir(folder) as entries:
            for entry in entries:
                found = entry.stat(follow_symlinks=False)
                if found.st_uid != os.getuid() and not stat.S_ISDIR(found.st_mode):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _private_or_absent(folder: Path) -> bool:
    """Whether ``folder`` is this user's alone (or not there yet, made 0700 by the service): in the
    shared /tmp, a folder another user made or may write would let them answer this user's searches."""
    import os

    if _unfit(folder) is not None:  # another user's, no folder, or not to be looked at
        return False
    try:
        return not os.lstat(folder).st_mode & 0o077
    except FileNotFoundError:
        return True
    except OSError:
        return False
