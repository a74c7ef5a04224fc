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
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

LARGE_SIZE = 256
_TEMP_PREFIX = ".photoscope-"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEAD_BYTES = 64 * 1024  # a thumbnail's chunks before its pixels fit many times over


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
    thumb = image.copy()
    thumb.thumbnail((LARGE_SIZE, LARGE_SIZE), Image.Resampling.BILINEAR)
    info = PngImagePlugin.PngInfo()
    info.add_text("Thumb::URI", file_uri(photo))
    info.add_text("Thumb::MTime", str(int(mtime)))
    info.add_text("Software", "Photoscope")
    png = io.BytesIO()  # encoded first: the temporary file lives microseconds, not the PNG encode
    thumb.save(png, format="PNG", pnginfo=info, compress_level=1)  # speed over a few KB
    _write_atomically(png.getvalue(), target)
    return target


def make_thumbnail(photo: str | Path, mtime: float, root: Path | None = None) -> bool:
    """Decode the photo and write its thumbnail (``write_thumbnail``), as the indexer does without
    encoding it: for a photo written back as indexed whose thumbnail went with it. False where it
    cannot be read or written now: the window makes it when the photo is shown."""
    from photoscope.library.photos import load_photo  # PIL: decoded only when one is made

    try:
        write_thumbnail(load_photo(photo, min_side=LARGE_SIZE), photo, mtime, root)
    except (OSError, ValueError):
        return False
    return True


def current_png(photo: str | Path, mtime: float | None, root: Path | None = None) -> bytes | None:
    """The cached thumbnail's PNG if there is one made from this version of the photo (the file's
    ``mtime``, as the spec's Thumb::MTime says it; None: from any version, for a photo that cannot
    be looked at). None otherwise: the photo changed since, and the indexer will write a new one."""
    try:
        data = thumbnail_path(photo, root).read_bytes()
    except OSError:
        return None
    if mtime is not None and not _made_from(data, mtime):
        return None
    return data


def is_current(photo: str | Path, mtime: float, root: Path | None = None) -> bool:
    """Whether a thumbnail exists and was made from this version of the photo (its first bytes
    read: the text chunks come before the pixels)."""
    try:
        with open(thumbnail_path(photo, root), "rb") as thumb:
            return _made_from(thumb.read(_HEAD_BYTES), mtime)
    except OSError:
        return False


def _made_from(png: bytes, mtime: float) -> bool:
    """Whether the thumbnail ``png`` was made from the photo as it was at ``mtime`` (the spec's
    Thumb::MTime, whole seconds)."""
    return png_text(png, b"Thumb::MTime") == str(int(mtime))


def move_thumbnail(old: str | Path, new: str | Path, root: Path | None = None) -> bool:
    """Re-file a moved photo's thumbnail under its new URI (the photo is not decoded again).

    The URI chunk must name the new path for other viewers to accept it: the PNG's bytes are copied
    with that one text chunk replaced (a whole folder of thumbnails re-files in seconds); one whose
    chunks cannot be read that way is re-saved through Pillow. The mtime chunk is kept. Returns
    False if there was none to move.
    """
    source = thumbnail_path(old, root)
    try:
        data = source.read_bytes()
    except OSError:
        return False
    renamed = _refiled(data, new)
    try:
        if renamed is not None:
            _write_atomically(renamed, thumbnail_path(new, root))
        else:
            _resave(source, new, root)
    except (OSError, ValueError):
        return False
    with contextlib.suppress(OSError):
        source.unlink()
    return True


def copy_thumbnail(
    source: str | Path, source_mtime: float, copy: str | Path, copy_mtime: float, root: Path | None = None
) -> bool:
    """File the thumbnail of ``source`` for its byte-for-byte ``copy`` too (the copy is not decoded):
    the PNG's bytes with the URI and mtime chunks the copy's. Returns False when the source has none
    made from this version of it, or the copy's cannot be written (the grid decodes it then)."""
    try:
        data = thumbnail_path(source, root).read_bytes()
    except OSError:
        return False
    if not _made_from(data, source_mtime):
        return False
    dated = _refiled(data, copy, copy_mtime)
    if dated is None:
        return False
    try:
        _write_atomically(dated, thumbnail_path(copy, root))
    except OSError:
        return False
    return True


def _refiled(png: bytes, photo: str | Path, mtime: float | None = None) -> bytes | None:
    """A thumbnail's PNG filed for ``photo``: its URI chunk (and with ``mtime`` its mtime chunk) the
    photo's, the pixels as they are; None when its chunks cannot be read that way."""
    renamed = _with_text(png, b"Thumb::URI", file_uri(photo).encode("utf-8"))
    if renamed is None or mtime is None:
        return renamed
    return _with_text(renamed, b"Thumb::MTime", str(int(mtime)).encode())


def _resave(source: Path, new: str | Path, root: Path | None) -> None:
    from PIL import Image

    with Image.open(source) as thumb:
        thumb.load()
        write_thumbnail(thumb, new, float(thumb.info.get("Thumb::MTime", 0)), root)


def png_text(png: bytes, key: bytes) -> str | None:
    """A PNG ``tEXt`` chunk's value, from the chunks before the pixels (Qt's reader splits keys at
    ':', so it cannot read the spec's "Thumb::MTime")."""
    found = _text_chunk(png, key)
    return None if found is None else png[found[0] + 9 + len(key) : found[1] - 4].decode("latin-1")


def _with_text(png: bytes, key: bytes, value: bytes) -> bytes | None:
    """``png`` with the value of its ``tEXt`` chunk ``key`` replaced (its CRC computed anew); None if
    it has no such chunk."""
    found = _text_chunk(png, key)
    if found is None:
        return None
    body = key + b"\0" + value
    chunk = len(body).to_bytes(4, "big") + b"tEXt" + body + zlib.crc32(b"tEXt" + body).to_bytes(4, "big")
    return png[: found[0]] + chunk + png[found[1] :]


def _text_chunk(png: bytes, key: bytes) -> tuple[int, int] | None:
    """Where the ``tEXt`` chunk ``key`` lies in ``png`` (start, end), if it comes before the pixels."""
    if not png.startswith(_PNG_SIGNATURE):
        return None
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(png):
        length, kind = int.from_bytes(png[pos : pos + 4], "big"), png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind in (b"IDAT", b"IEND") or end > len(png):
            return None
        if kind == b"tEXt" and png[pos + 8 : pos + 8 + length].partition(b"\0")[0] == key:
            return pos, end
        pos = end
    return None


def _write_atomically(data: bytes, target: Path) -> None:
    """Write ``target`` through a temporary name in its folder, so ``os.replace`` is atomic (mkstemp
    makes it 0600, as the spec asks)."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".png", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
