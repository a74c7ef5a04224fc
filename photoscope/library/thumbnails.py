"""Grid thumbnails in the shared freedesktop.org thumbnail cache.

Spec (Thumbnail Managing Standard): ``$XDG_CACHE_HOME/thumbnails/large/<md5 of the file URI>.png``,
at most 256 px, with ``Thumb::URI`` and ``Thumb::MTime`` PNG text chunks so any viewer can reuse them
and tell when they are stale. Files are written to a temporary name and renamed into place, so a reader
(or a crash) never sees half a PNG.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

LARGE_SIZE = 256
_TEMP_PREFIX = ".photoscope-"


def cache_root() -> Path:
    """The thumbnail cache folder: ``$XDG_CACHE_HOME/thumbnails`` (default ``~/.cache/thumbnails``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "thumbnails"


def file_uri(path: str | Path) -> str:
    # Path.as_uri percent-encodes the UTF-8 bytes, which is the spec's form for any Unicode name.
    return Path(os.path.abspath(path)).as_uri()


def thumbnail_path(photo: str | Path, root: Path | None = None) -> Path:
    digest = hashlib.md5(file_uri(photo).encode("utf-8")).hexdigest()  # the spec's name, not security
    return (root or cache_root()) / "large" / f"{digest}.png"


def write_thumbnail(image: Image.Image, photo: str | Path, mtime: float, root: Path | None = None) -> Path:
    """Save a 256 px thumbnail of ``image`` (already decoded, upright) for the photo at ``photo``."""
    from PIL import Image, PngImagePlugin  # PIL on first use: `status` imports this module, draws nothing

    target = thumbnail_path(photo, root)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    thumb = image.copy()
    thumb.thumbnail((LARGE_SIZE, LARGE_SIZE), Image.Resampling.BILINEAR)
    info = PngImagePlugin.PngInfo()
    info.add_text("Thumb::URI", file_uri(photo))
    info.add_text("Thumb::MTime", str(int(mtime)))
    info.add_text("Software", "Photoscope")
    png = io.BytesIO()  # encoded first: the temporary file lives microseconds, not the PNG encode
    thumb.save(png, format="PNG", pnginfo=info, compress_level=1)  # speed over a few KB
    # mkstemp creates the file 0600 as the spec asks, in the same folder so os.replace is atomic.
    fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".png", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(png.getbuffer())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def is_current(photo: str | Path, mtime: float, root: Path | None = None) -> bool:
    """Whether a thumbnail exists and was made from this version of the photo."""
    from PIL import Image

    try:
        with Image.open(thumbnail_path(photo, root)) as thumb:
            return bool(thumb.info.get("Thumb::MTime") == str(int(mtime)))
    except OSError:
        return False


def move_thumbnail(old: str | Path, new: str | Path, root: Path | None = None) -> bool:
    """Re-file a moved photo's thumbnail under its new URI (re-saving the small PNG, not decoding the photo).

    The URI chunk must name the new path for other viewers to accept it, so this rewrites the PNG rather
    than renaming it; the mtime is kept from the old one. Returns False if there was none to move.
    """
    from PIL import Image

    source = thumbnail_path(old, root)
    try:
        with Image.open(source) as thumb:
            thumb.load()
            mtime = float(thumb.info.get("Thumb::MTime", 0))
            write_thumbnail(thumb, new, mtime, root)
    except (OSError, ValueError):
        return False
    with contextlib.suppress(OSError):
        source.unlink()
    return True


def remove_thumbnail(photo: str | Path, root: Path | None = None) -> None:
    with contextlib.suppress(OSError):
        thumbnail_path(photo, root).unlink()


def remove_stale_temporaries(root: Path | None = None, older_than_s: float = 600.0) -> int:
    """Delete temporary thumbnails a killed process left behind (older than any write takes);
    returns how many went."""
    folder = (root or cache_root()) / "large"
    removed = 0
    cutoff = time.time() - older_than_s
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(_TEMP_PREFIX) and entry.name.endswith(".png"):
                    with contextlib.suppress(OSError):
                        if entry.stat().st_mtime < cutoff:
                            os.unlink(entry.path)
                            removed += 1
    except OSError:
        pass
    return removed
