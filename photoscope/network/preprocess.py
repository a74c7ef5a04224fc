"""The encoder's one preprocessing (documented once, used everywhere).

EXIF orientation is applied when the photo is loaded (``library.photos.load_photo``); here the
upright photo is converted to RGB, resized whole to 224x224 without cropping (aspect ratio not
kept, so nothing at the edges is lost for search), and scaled to [-1, 1] as EfficientNet-Lite expects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

INPUT_SIZE = 224


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
