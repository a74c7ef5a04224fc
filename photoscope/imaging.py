"""Photo decoding and the encoder's one preprocessing.

Preprocessing (documented once, used everywhere): EXIF orientation applied, converted to RGB,
the whole photo resized to 224x224 without cropping (aspect ratio not kept, so nothing at the
edges is lost for search), pixel values scaled to [-1, 1] as EfficientNet-Lite expects.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

INPUT_SIZE = 224

# Registering HEIF support once at import lets every Image.open below read HEIC/HEIF photos.
try:
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass


def load_photo(path: str | Path, min_side: int = INPUT_SIZE) -> Image.Image:
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


def preprocess(images: Sequence[Image.Image]) -> torch.Tensor:
    """Turn RGB photos into the encoder's input batch: float32, N x 3 x 224 x 224, in [-1, 1]."""
    arrays = [
        np.asarray(
            image.convert("RGB").resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BILINEAR),
            dtype=np.uint8,
        )
        for image in images
    ]
    batch = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float()
    return batch.div_(127.5).sub_(1.0)
