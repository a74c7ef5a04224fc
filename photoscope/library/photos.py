"""Reading photos from disk with PIL: upright RGB pixels, header metadata, and the reason a file
cannot be read. No PyTorch here, so the GUI can decode a thumbnail without importing it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

# Registering HEIF support once at import lets every Image.open below read HEIC/HEIF photos.
try:
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass

# PIL refuses images above twice its MAX_IMAGE_PIXELS as decompression bombs; we refuse at the same size
# but without PIL's warning zone, so a 120 MP panorama indexes quietly and a crafted header does not.
DEFAULT_MAX_PIXELS = 2 * 89_478_485
DEFAULT_MIN_SIDE = 224  # the encoder's input side: the smallest decode that loses nothing it sees
_EXIF_IFD, _DATE_TIME_ORIGINAL, _MAKE, _MODEL, _ORIENTATION = 0x8769, 36867, 271, 272, 274


def load_photo(path: str | Path, min_side: int = DEFAULT_MIN_SIDE) -> Image.Image:
    """Decode a photo upright and in RGB, at no less than ``min_side`` pixels on its short side.

    JPEG draft mode lets libjpeg decode at 1/2, 1/4 or 1/8 scale, so a 12 MP photo costs
    little more than a thumbnail; the result is still at least ``min_side`` on each side.
    Raises ``OSError``/``ValueError``/``Image.DecompressionBombError`` for unreadable input.
    """
    with Image.open(path) as image:
        if image.format == "JPEG":
            image.draft("RGB", (min_side, min_side))
        image.seek(0)  # first frame of a GIF or a multi-page TIFF
        upright = ImageOps.exif_transpose(image)
        return upright.convert("RGB")


class PhotoTooLarge(ValueError):
    pass


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise PhotoTooLarge(
                    f"{width}x{height} pixels ({width * height / 1e6:.0f} MP) is over the "
                    f"{max_pixels / 1e6:.0f} MP limit: refused as a possible decompression bomb"
                )
            exif = _exif(image)
    if exif.get(_ORIENTATION) in (5, 6, 7, 8):  # stored sideways: the upright photo is the other way
        width, height = height, width
    return PhotoMeta(
        width, height, _exif_date(exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL)), _camera(exif)
    )


def _exif(image: Image.Image) -> Image.Exif:
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


def describe_error(error: BaseException) -> str:
    """A reason a user can act on, for ``photoscope status``."""
    if isinstance(error, EmptyFile):
        return str(error)
    if isinstance(error, PhotoTooLarge | Image.DecompressionBombError):
        return f"image too large: {error}"
    if isinstance(error, PermissionError):
        return "permission denied: Photoscope may not read this file"
    if isinstance(error, FileNotFoundError):
        return "the file disappeared before it could be read"
    if isinstance(error, UnidentifiedImageError):
        return "not an image, or an image format Photoscope cannot read"
    if isinstance(error, OSError | ValueError | SyntaxError | EOFError):  # PIL's ways of saying "corrupt"
        return f"truncated or corrupt image ({error})"
    return f"cannot read this photo ({type(error).__name__}: {error})"
