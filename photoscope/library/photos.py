"""Reading photos from disk with PIL: upright RGB pixels, header metadata, and the reason a file
cannot be read. No PyTorch here, so the GUI can decode a thumbnail without importing it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from photoscope.library.fs import NotAFile, open_regular

# Registering HEIF support once at import lets every Image.open below read HEIC/HEIF photos.
try:
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass

# PIL warns of a damaged EXIF block (a tag past its end, "Corrupt EXIF data.") with a raw Python warning
# that names no photo; ``_exif`` already takes such metadata as missing (the photo loses its date and
# camera, not its place in the index). Filtered once here, for the whole process: ``catch_warnings``
# around each read is not thread-safe, and photos are decoded on several threads.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.TiffImagePlugin")

# PIL refuses images above twice its MAX_IMAGE_PIXELS as decompression bombs; we refuse at the same size
# but without PIL's warning zone, so a 120 MP panorama indexes quietly and a crafted header does not.
DEFAULT_MAX_PIXELS = 2 * 89_478_485
DEFAULT_MIN_SIDE = 224  # the encoder's input side: the smallest decode that loses nothing it sees
_EXIF_IFD, _DATE_TIME_ORIGINAL, _MAKE, _MODEL, _ORIENTATION = 0x8769, 36867, 271, 272, 274
_TRANSPOSE = {  # EXIF orientation -> the transpose that makes the photo upright (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoTooLarge(ValueError):
    pass


class MemoryBudget:
    """Bytes of decoded pixels that may be in memory at once, shared by the decode threads.

    A photo reserves what its decode needs before decoding; one that needs more than the whole budget
    waits until it is alone. So a few huge PNGs or TIFFs decode one at a time whatever the core count,
    while camera JPEGs (decoded small in draft mode) still decode side by side.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.peak = 0
        self._free = threading.Condition()
        _map_large_allocations()

    @contextmanager
    def reserve(self, amount: int) -> Iterator[None]:
        with self._free:
            self._free.wait_for(lambda: self.used == 0 or self.used + amount <= self.limit)
            self.used += amount
            self.peak = max(self.peak, self.used)
        try:
            yield
        finally:
            with self._free:
                self.used -= amount
                self._free.notify_all()


_MAPPED = False


def _map_large_allocations() -> None:
    """Make glibc give every large allocation (a decoded image's 16 MB blocks) its own mapping, returned
    to the system when freed. By default glibc raises its mmap threshold after the first big free, so
    the next huge photo is decoded on the heap of its thread's arena and stays in RSS once freed: with
    two decode threads, two 169 MP photos' worth (measured: 1.52 GB peak for 4 x 169 MP PNGs)."""
    global _MAPPED
    if _MAPPED or not sys.platform.startswith("linux"):
        return
    _MAPPED = True
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 4 * 1024 * 1024)  # M_MMAP_THRESHOLD: fixed at 4 MB (also ends its raising)
    except (OSError, AttributeError):  # not glibc
        pass


def release_freed_memory() -> None:
    """Hand the memory freed since back to the system (glibc's ``malloc_trim``; elsewhere nothing).
    Small blocks freed in a thread's arena stay in RSS otherwise: the window, having scrolled a
    library of 1,536 photos through once, held 659 MB, and 511 MB once trimmed (stop 46)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# Decoding a 169 MP PNG takes about 0.7 GB; two at once would not fit a 1.5 GB indexing budget.
DEFAULT_DECODE_BUDGET = 768 * 1024 * 1024
_UNLIMITED = MemoryBudget(1 << 62)


def decode_cost(image: Image.Image) -> int:
    """Bytes decoding ``image`` (as opened, after any draft) will take: PIL keeps 4 bytes a pixel for
    RGB, and the reduced, upright copies add about half as much again at worst."""
    width, height = image.size
    return width * height * 6


def load_photo(
    path: str | Path,
    min_side: int = DEFAULT_MIN_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    budget: MemoryBudget | None = None,
) -> Image.Image:
    """Decode a photo upright and in RGB, at no less than ``min_side`` pixels on its short side.

    JPEG draft mode lets libjpeg decode at 1/2, 1/4 or 1/8 scale, so a 12 MP photo costs
    little more than a thumbnail; the result is still at least ``min_side`` on each side. Other
    formats are decoded whole (under ``budget``, so big ones one at a time) and reduced at once,
    before any copy is made.
    Only regular files are opened (a FIFO named like a photo would block forever).
    Raises ``OSError``/``ValueError`` (``PhotoTooLarge``, ``NotAFile``) for unreadable input; an
    ``OSError`` names the photo (``filename``): PIL, reading from the opened file, names none.
    """
    try:
        with _open_checked(path, max_pixels) as image:
            return _decoded(image, min_side, budget)
    except OSError as error:
        if error.filename is None:
            error.filename = str(path)
        raise


def _decoded(image: Image.Image, min_side: int, budget: MemoryBudget | None) -> Image.Image:
    if image.format == "JPEG":
        image.draft("RGB", (min_side, min_side))
    image.seek(0)  # first frame of a GIF or a multi-page TIFF
    with (budget or _UNLIMITED).reserve(decode_cost(image)):
        image.load()
        # Read once loaded: Pillow turns a TIFF upright itself as it loads it, and drops its tag then
        # (read before, it was turned twice: audit 84, repro_1).
        orientation = _exif(image).get(_ORIENTATION)
        wide = _reducible(image)
        factor = min(wide.size) // max(1, min_side)
        small = wide.reduce(factor) if factor >= 2 else wide
        if small.mode in _WIDE_GREYS:  # scaled once small: float copies of the whole would be big
            small = _eight_bit_grey(small, image.mode)
        if small.mode == "RGBa":
            small = _on_white(small)
        method = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
        upright = small.transpose(method) if method is not None else small
        return upright.convert("RGB") if upright.mode != "RGB" or upright is image else upright


def read_otherwise_before_v19(path: str | Path) -> bool:
    """Whether builds before schema 19 read this photo otherwise than this one: it has transparency
    (dropped then, not laid on white) or it is a TIFF with an orientation tag (turned twice then).
    Read from its header only; a file that cannot be opened is left to the scan's other checks."""
    try:
        with _open_checked(path, DEFAULT_MAX_PIXELS) as image:
            if image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in image.info:
                return True
            return image.format == "TIFF" and _exif(image).get(_ORIENTATION, 1) != 1
    except Exception:  # a header that cannot be read leaves the photo as its last reading stored it
        return False


def _on_white(premultiplied: Image.Image) -> Image.Image:
    """A photo with transparency as a viewer shows it on white: its converting to RGB dropped the
    alpha, so what the transparent parts hid was what the thumbnail showed and the network saw (a
    black logo on a transparent ground, all black; audit 84, repro_2). ``premultiplied`` ("RGBa"):
    reduced so, a hidden colour does not bleed into the edges."""
    white = Image.new("RGBA", premultiplied.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, premultiplied.convert("RGBA")).convert("RGB")


def _reducible(image: Image.Image) -> Image.Image:
    """The decoded photo in a mode ``reduce()`` takes and averages rightly: 16-bit greys as 32-bit
    ones, a palette as its colours (averaged indices are other colours: GIFs, palette PNGs), 1-bit
    black and white as greys, one with transparency premultiplied by it (``_on_white``). reduce()
    refused the palette and 1-bit modes, so such a photo over about 450 pixels was "truncated or
    corrupt" and never indexed (the fresh-seat audit of stop 53)."""
    if image.mode.startswith("I;16"):
        return image.convert("I")
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB")
    if image.mode in ("LA", "La", "RGBA") or (image.mode == "L" and "transparency" in image.info):
        return image.convert("RGBA").convert("RGBa")  # premultiplied: see ``_on_white``
    return image.convert("L") if image.mode == "1" else image


# Greyscale modes wider than 8 bits (16-bit PNG and TIFF, from scanners and editors): PIL's convert
# to RGB clips their values at 255, and a photo of 0-65535 comes out white.
_WIDE_GREYS = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})


def _eight_bit_grey(image: Image.Image, decoded_as: str) -> Image.Image:
    """The photo's greys in 0-255, by what the file held (``decoded_as``, its mode as decoded): 16
    bits divided by 257 (a dark 16-bit photo stays dark), 0-1 floats times 255; a 32-bit integer
    or a float image of other ranges scaled down by its own largest value."""
    import numpy as np

    values = np.array(image, dtype=np.float32)  # a copy of the small image, to scale in place
    top = float(values.max()) if values.size else 0.0
    if decoded_as.startswith("I;16"):
        values /= 257.0
    elif decoded_as == "F" and top <= 1.0:
        values *= 255.0
    elif top > 255.0:
        values *= 255.0 / top
    return Image.fromarray(np.clip(values + 0.5, 0, 255).astype(np.uint8), "L")


@contextmanager
def _open_checked(path: str | Path, max_pixels: int) -> Iterator[Image.Image]:
    """A regular file opened by PIL (header only), refused above ``max_pixels`` as a possible bomb."""
    with open_regular(path) as f, warnings.catch_warnings():
        if os.fstat(f.fileno()).st_size == 0:
            raise EmptyFile(f"{_EMPTY} (0 bytes)")
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            opened = Image.open(f)
        except Image.DecompressionBombError as error:
            raise PhotoTooLarge(_bomb_message(str(error))) from error
        with opened as image:
            _check_pixels(image, max_pixels)
            yield image


def _bomb_message(said: str) -> str:
    """PIL's refusal ("Image size (N pixels) exceeds limit of M pixels, could be decompression
    bomb DOS attack.") as the app says it."""
    sizes = [int(n) for n in re.findall(r"(\d+) pixels", said)]
    if len(sizes) != 2:
        return "too many pixels to decode safely: refused as a possible decompression bomb"
    return (
        f"{sizes[0] / 1e6:.0f} MP is over the {sizes[1] / 1e6:.0f} MP limit: refused as a possible"
        " decompression bomb"
    )


def _check_pixels(image: Image.Image, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise PhotoTooLarge(
            f"{width}x{height} pixels ({width * height / 1e6:.0f} MP) is over the "
            f"{max_pixels / 1e6:.0f} MP limit: refused as a possible decompression bomb"
        )


class EmptyFile(ValueError):
    pass


@dataclass(frozen=True)
class PhotoMeta:
    width: int  # upright, full-size dimensions
    height: int
    taken_at: str | None
    camera: str | None


def read_metadata(path: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> PhotoMeta:
    """Size, date taken and camera from the file header: no pixels are decoded."""
    with _open_checked(path, max_pixels) as image:
        width, height = image.size
        exif = _exif(image)
    if exif.get(_ORIENTATION) in (5, 6, 7, 8):  # stored sideways: the upright photo is the other way
        width, height = height, width
    return PhotoMeta(
        width, height, _exif_date(exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL)), _camera(exif)
    )


def _exif(image: Image.Image) -> Image.Exif:
    if image.format == "PNG" and "exif" not in image.info and not getattr(image, "_exif", None):
        # PIL's PNG getexif() decodes every pixel to look for an eXIf chunk after the image data: a
        # whole 169 MP decode (0.7 GB) outside the memory budget, just for the header. An eXIf chunk
        # before the data is in ``info`` already.
        return Image.Exif()
    try:
        exif = image.getexif()
        exif.get_ifd(_EXIF_IFD)  # parsed lazily: make a broken sub-IFD fail here, not later
        return exif
    except Exception:  # damaged EXIF costs the photo its date and camera, not its place in the index
        return Image.Exif()


def _exif_date(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:  # EXIF writes "2021:07:04 12:30:00"; cameras with no clock write zeros or blanks
        return datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


def _camera(exif: Image.Exif) -> str | None:
    make, model = (str(exif.get(tag, "")).strip("\x00 ") for tag in (_MAKE, _MODEL))
    if model.lower().startswith(make.lower()):  # "Canon" + "Canon EOS R5" reads better as the model alone
        make = ""
    return " ".join(p for p in (make, model) if p) or None


def describe_failure(error: BaseException) -> str:
    """``describe_error`` with the photo it is about in front, when the error names one: a failed
    search by example photo (``load_photo`` names its photo; PIL, opening a path itself, says it only
    in its words: "cannot identify image file '…'")."""
    path = getattr(error, "filename", None)
    if path is None:
        found = re.search(r"cannot identify image file '(.+)'", str(error))
        path = found.group(1) if found else None
    if isinstance(error, FileNotFoundError):  # not "disappeared": a query photo may never have been there
        reason = "no such file (moved, deleted, or on a drive not connected)"
    else:
        reason = describe_error(error)
    return f"{path}: {reason}" if path else reason


def _said(error: BaseException) -> str:
    """What an error says, without Python's "[Errno None] None: 'path'" (an OSError named after its
    photo, ``load_photo``, that has no errno: PIL's "image file is truncated")."""
    if isinstance(error, OSError) and error.errno is None and error.args:
        return str(error.args[0])
    return str(error)


# Formats PIL reads without a plugin: a file named so that PIL cannot identify holds no such photo.
# (A HEIC that PIL cannot identify may be one it lacks the plugin for.)
_BUILT_IN_FORMATS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})


def is_not_a_photo(error: BaseException, path: str) -> bool:
    """Whether the file was read and its bytes are no photo (``describe_error``'s empty, not a
    regular file, not an image of its kind, truncated or corrupt), not that it could not be read
    for now (permission, a drive's error) or by this install (a format or decoder it lacks)."""
    if isinstance(error, EmptyFile | NotAFile):
        return True
    if isinstance(error, UnidentifiedImageError):
        return Path(path).suffix.lower() in _BUILT_IN_FORMATS
    if isinstance(error, PhotoTooLarge | Image.DecompressionBombError):
        return False
    if isinstance(error, OSError):  # PIL's "truncated", "broken data stream"; not EIO, EACCES, ENOENT
        return error.errno is None and "not available" not in str(error)  # "decoder jpeg2k not available"
    return isinstance(error, ValueError | SyntaxError | EOFError)


def is_another_file(error: BaseException, path: str) -> bool:
    """Whether the file's bytes are no image of its kind at all (a text file saved over a photo, a
    pipe), not a photo of its kind cut short, emptied or corrupt (``is_not_a_photo`` either way)."""
    if isinstance(error, NotAFile):
        return True
    return isinstance(error, UnidentifiedImageError) and is_not_a_photo(error, path)


# A file's drive unplugged or its network share dropped: the file could not be reached, whatever its bytes.
_UNREACHABLE = frozenset({errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.ESTALE, errno.ENOTCONN})


def is_unreachable(error: BaseException) -> bool:
    """Whether the file was not there to read (gone, or its drive's or share's error): if its watched
    folder is away too, the photo is not at fault and waits for it."""
    return isinstance(error, OSError) and error.errno in _UNREACHABLE


_EMPTY, _CORRUPT = "empty file", "truncated or corrupt image"
_NOT_AN_IMAGE = "not an image, or an image format Photoscope cannot read"


def is_damage(reason: str | None) -> bool:
    """Whether a reason ``describe_error`` gave says the file is a photo cut short, emptied or
    corrupt: an indexed one keeps its description (``FailedPhoto.another_file``)."""
    return bool(reason) and str(reason).startswith((_EMPTY, _CORRUPT))


def describe_error(error: BaseException) -> str:
    """A reason a user can act on, for ``photoscope status``."""
    if isinstance(error, EmptyFile):  # what to do too (audit 84's notes: these two said only why)
        return f"{error}: copy it again from where it came from"
    if isinstance(error, NotAFile):
        return "not a regular file (a pipe or a device named like a photo): nothing to read"
    if isinstance(error, PhotoTooLarge):
        return f"image too large: {error}: make a smaller copy to index it"
    if isinstance(error, Image.DecompressionBombError):
        return f"image too large: {_bomb_message(str(error))}: make a smaller copy to index it"
    if isinstance(error, PermissionError):
        return "permission denied: Photoscope may not read this file"
    if isinstance(error, FileNotFoundError):
        return "the file disappeared before it could be read"
    if isinstance(error, UnidentifiedImageError):
        return f"{_NOT_AN_IMAGE}: open it in an image viewer to see what it is"
    if isinstance(error, OSError | ValueError | SyntaxError | EOFError):  # PIL's ways of saying "corrupt"
        # PIL's words after a dash: they may hold brackets ("(33 bytes not processed)")
        return f"{_CORRUPT} — {_said(error)}: copy it again from where it came from"
    return f"cannot read this photo ({type(error).__name__}: {error})"
