"""The encoder's one preprocessing (documented once, used everywhere).

EXIF orientation is applied when the photo is loaded (``library.photos.load_photo``); here the
upright photo is converted to RGB, resized whole to the encoder's input size (224x224 for the
shipped EfficientNet-Lite0; a bundle's ``EncoderSpec.input_size``) without cropping (aspect ratio
not kept, so nothing at the edges is lost for search), and scaled to [-1, 1] as EfficientNet-Lite
expects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

INPUT_SIZE = 224  # the default encoder's (EfficientNet-Lite0's, as the shipped model uses it)


def preprocess(images: Sequence[Image.Image], size: int = INPUT_SIZE) -> torch.Tensor:
    """Turn RGB photos into the encoder's input batch: float32, N x 3 x size x size, in [-1, 1]."""
    arrays = [
        np.asarray(
            image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR),
            dtype=np.uint8,
        )
        for image in images
    ]
    batch = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float()
    return batch.div_(127.5).sub_(1.0)
