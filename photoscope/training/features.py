"""Encoder features of a dataset's photos, computed once and cached on disk.

Each photo is encoded as it is and mirrored left-right: training draws one of the two at
random for each sample (cheap augmentation), and evaluation averages the two latents.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import ImageOps

from photoscope.encoder import MODEL_NAME, ImageEncoder
from photoscope.imaging import load_photo

Progress = Callable[[int, int], None]


def encode_photos(
    paths: Sequence[Path], encoder: ImageEncoder, batch: int = 32, progress: Progress | None = None
) -> np.ndarray:
    """N x 2 x 1280 float16 features: each photo and its mirror image."""
    out = np.zeros((len(paths), 2, 1280), dtype=np.float16)
    for lo in range(0, len(paths), batch):
        photos = [load_photo(p) for p in paths[lo : lo + batch]]
        both = photos + [ImageOps.mirror(p) for p in photos]
        features = encoder.encode_images(both).features.numpy()
        m = len(photos)
        out[lo : lo + m, 0] = features[:m]
        out[lo : lo + m, 1] = features[m:]
        if progress:
            progress(lo + m, len(paths))
    return out


def cached_features(
    names: Sequence[str],
    image_dir: Path,
    cache_dir: Path,
    encoder: ImageEncoder | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """Features for ``names`` from ``cache_dir``; encodes (and caches) only what is missing."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    array_path, index_path = cache_dir / "features.npy", cache_dir / "features.json"
    known: dict[str, int] = {}
    stored = np.zeros((0, 2, 1280), dtype=np.float16)
    if array_path.is_file() and index_path.is_file():
        meta = json.loads(index_path.read_text())
        if meta.get("encoder") == MODEL_NAME:
            known = {n: i for i, n in enumerate(meta["names"])}
            stored = np.load(array_path)
    missing = [n for n in names if n not in known]
    if missing:
        new = encode_photos([image_dir / n for n in missing], encoder or ImageEncoder(), progress=progress)
        all_names = [*known, *missing]
        stored = np.concatenate([stored, new])
        _atomic_save(array_path, stored)
        tmp = index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"encoder": MODEL_NAME, "names": all_names}))
        os.replace(tmp, index_path)
        known = {n: i for i, n in enumerate(all_names)}
    return stored[[known[n] for n in names]]


def _atomic_save(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp.npy")
    np.save(tmp, array)
    os.replace(tmp, path)
