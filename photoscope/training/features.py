"""Encoder features of a dataset's photos, computed once and cached on disk.

The ``"flip"`` views are each photo as it is and mirrored left-right: evaluation averages the
two latents, and training draws one of them at random for each sample (cheap augmentation).
The optional ``"crops"`` views are four overlapping 85 % crops and their mirror images: more
views of the same photo for training to draw from, since the frozen encoder's features of a
Flickr8k-sized set are otherwise memorised after a few epochs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from photoscope.library.photos import load_photo
from photoscope.network.bundle import DEFAULT_ENCODER, EncoderSpec
from photoscope.network.encoder import ImageEncoder

Progress = Callable[[int, int], None]

Box = tuple[float, float, float, float]  # left, top, right, bottom, as fractions of width and height
WHOLE: Box = (0.0, 0.0, 1.0, 1.0)
CROPS: tuple[Box, ...] = (
    (0.0, 0.0, 0.85, 0.85),
    (0.15, 0.0, 1.0, 0.85),
    (0.0, 0.15, 0.85, 1.0),
    (0.15, 0.15, 1.0, 1.0),
)
# Each box of a kind gives two views: the region as it is and mirrored.
VIEW_BOXES: dict[str, tuple[Box, ...]] = {"flip": (WHOLE,), "crops": CROPS}
_CACHE_STEM = {"flip": "features", "crops": "crops"}


def view_count(kind: str) -> int:
    return 2 * len(VIEW_BOXES[kind])


def _region(photo: Image.Image, box: Box) -> Image.Image:
    if box == WHOLE:
        return photo
    w, h = photo.size
    return photo.crop((round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h)))


def _views(photo: Image.Image, kind: str) -> list[Image.Image]:
    regions = [_region(photo, box) for box in VIEW_BOXES[kind]]
    return [view for region in regions for view in (region, ImageOps.mirror(region))]


def encode_photos(
    paths: Sequence[Path],
    encoder: ImageEncoder,
    batch: int = 32,
    progress: Progress | None = None,
    kind: str = "flip",
) -> np.ndarray:
    """N x V x F float16 features (F: 1280 for EfficientNet-Lite): the V views ``kind`` makes of
    each photo."""
    out = np.zeros((len(paths), view_count(kind), encoder.spec.feature_dim), dtype=np.float16)
    # Decoding and cropping release the GIL: threads keep a fast encoder (a GPU's) fed.
    with ThreadPoolExecutor(max(1, min(8, os.cpu_count() or 1))) as pool:
        for lo in range(0, len(paths), batch):
            images = list(pool.map(lambda p: _views(load_photo(p), kind), paths[lo : lo + batch]))
            features = encoder.encode_images([v for photo in images for v in photo]).features.numpy()
            m = len(images)
            out[lo : lo + m] = features.reshape(m, out.shape[1], -1)
            if progress:
                progress(lo + m, len(paths))
    return out


def cached_features(
    names: Sequence[str],
    image_dir: Path,
    cache_dir: Path,
    encoder: ImageEncoder | None = None,
    progress: Progress | None = None,
    kind: str = "flip",
) -> np.ndarray:
    """Features for ``names`` from ``cache_dir``; encodes (and caches) only what is missing.

    The cache is ``encoder``'s (default: EfficientNet-Lite0 at 224 px): another encoder's, or another
    input size's, is made again."""
    encoder = encoder or ImageEncoder()
    key = _cache_key(encoder.spec)
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = _CACHE_STEM[kind]
    array_path, index_path = cache_dir / f"{stem}.npy", cache_dir / f"{stem}.json"
    known: dict[str, int] = {}
    stored = np.zeros((0, view_count(kind), encoder.spec.feature_dim), dtype=np.float16)
    if array_path.is_file() and index_path.is_file():
        meta = json.loads(index_path.read_text())
        if meta.get("encoder") == key:
            known = {n: i for i, n in enumerate(meta["names"])}
            stored = np.load(array_path)
    missing = [n for n in names if n not in known]
    if missing:
        paths = [image_dir / n for n in missing]
        new = encode_photos(paths, encoder, progress=progress, kind=kind)
        all_names = [*known, *missing]
        stored = np.concatenate([stored, new])
        _atomic_save(array_path, stored)
        tmp = index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"encoder": key, "names": all_names}))
        os.replace(tmp, index_path)
        known = {n: i for i, n in enumerate(all_names)}
    return stored[[known[n] for n in names]]


def encoder_cache(cache: Path, spec: EncoderSpec) -> Path:
    """The folder for the features of encoder ``spec`` under ``cache``: the folder itself for the
    default encoder (the caches made before bundles named their encoder), a subfolder for another,
    so that evaluating two models in turn does not encode the photos again each time."""
    return cache if spec == DEFAULT_ENCODER else cache / spec.key


def _cache_key(spec: EncoderSpec) -> str:
    """The cache's encoder: the default one's name alone, as caches made before encoder specs say."""
    return spec.name if spec == DEFAULT_ENCODER else spec.key


def _atomic_save(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp.npy")
    np.save(tmp, array)
    os.replace(tmp, path)
