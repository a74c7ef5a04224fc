"""Maps of what the network has learned: photos and words laid out in 2-D by t-SNE.

Photos: the library's latents, reduced to 50 dimensions by PCA (the usual first step, which makes
t-SNE both faster and less noisy) and laid out by t-SNE (``photoscope.search.tsne``, NumPy alone), which
is deterministic: the same library gives the same map. Layouts are cached per model; a cached one is
reused while the library has changed by less than ``STALE_FRACTION`` (new photos are placed beside their
nearest laid-out neighbour, removed ones dropped), and recomputed when it has changed more. Libraries above
``MAX_PHOTOS`` are sampled (the map says so); ``benchmarks/maps.py`` times the layout.

Words: the decoder's embeddings of the most frequent words, laid out the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from photoscope.search.tsne import pca
from photoscope.search.tsne import tsne as tsne_2d

log = logging.getLogger(__name__)

MAX_PHOTOS = 5000
STALE_FRACTION = 0.1

Progress = Callable[[str, float], None]  # what is being done, and the fraction of it done (0 to 1)


@dataclass(frozen=True)
class Layout:
    """Points in [0, 1]^2, one per item (photo id or word), and whether the items were sampled."""

    keys: Sequence[int | str]
    xy: npt.NDArray[np.float32]
    total: int  # items there were; more than len(keys) when sampled

    @property
    def sampled(self) -> bool:
        return self.total > len(self.keys)


def tsne(
    vectors: npt.NDArray[np.float32], seed: int = 0, on_step: Callable[[float], None] | None = None
) -> npt.NDArray[np.float32]:
    """2-D t-SNE of the rows (cosine geometry: rows are normalised first), scaled into [0, 1]."""
    n = len(vectors)
    if n < 3:  # t-SNE needs a neighbourhood; put one or two points in the middle
        return np.full((n, 2), 0.5, dtype=np.float32)
    rows = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    if rows.shape[1] > 50 and n > 50:
        rows = pca(rows, 50)
    perplexity = float(min(30, max(2, (n - 1) // 3)))
    return _unit_square(tsne_2d(rows, perplexity, seed, on_step))


def _unit_square(xy: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float32]:
    low, high = xy.min(0), xy.max(0)
    scaled: npt.NDArray[np.float32] = ((xy - low) / np.maximum(high - low, 1e-12)).astype(np.float32)
    return scaled


def sample_ids(ids: npt.NDArray[np.int64], limit: int, seed: int = 0) -> npt.NDArray[np.int64]:
    if len(ids) <= limit:
        return ids
    return np.sort(np.random.default_rng(seed).choice(ids, limit, replace=False))


class PhotoMapCache:
    """Photo layouts on disk, one file per model version, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, model_version: str) -> Path:
        return self.folder / f"photos-{hashlib.sha1(model_version.encode()).hexdigest()[:12]}.npz"

    def load(self, model_version: str) -> Layout | None:
        """The layout kept for this model; None when there is none, or none that can be read (a
        damaged file is laid out anew)."""
        path = self._path(model_version)
        try:
            with np.load(path) as data:
                return Layout(data["ids"].tolist(), data["xy"], int(data["total"]))
        except (FileNotFoundError, NotADirectoryError):  # none kept (or no folder to keep it in)
            return None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            log.warning("cannot read the map's layout kept in %s (%s): laying it out again", path, error)
            return None

    def save(self, model_version: str, layout: Layout) -> None:
        """Keep the layout; a cache that cannot be written costs the next map its time, not this map
        (the CLI audit of stop 55: `map photos` wrote nothing when its cache's folder was a file)."""
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=".npz", dir=self.folder)
            with os.fdopen(fd, "wb") as f:
                np.savez(f, ids=np.asarray(layout.keys, np.int64), xy=layout.xy, total=layout.total)
            os.replace(tmp, self._path(model_version))
        except OSError as error:
            log.warning(
                "cannot keep the map's layout in %s (%s): it is laid out again next time", self.folder, error
            )
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.remove(tmp)


def photo_layout(
    ids: npt.NDArray[np.int64],
    latents: npt.NDArray[np.float32],
    cache: PhotoMapCache | None = None,
    model_version: str = "",
    limit: int = MAX_PHOTOS,
    progress: Progress | None = None,
) -> Layout:
    """The map of these photos: the cached layout brought up to date, or a fresh t-SNE."""
    cached = cache.load(model_version) if cache else None
    if cached is not None and _still_fresh(cached, ids, limit):
        return _update(cached, ids, latents, limit)
    chosen = sample_ids(ids, limit)
    message = f"laying out {len(chosen):,} photos" + (
        f" (a sample of {len(ids):,})" if len(chosen) < len(ids) else ""
    )
    on_step = None if progress is None else lambda done: progress(message, done)
    rows = np.searchsorted(ids, chosen)
    layout = Layout(chosen.tolist(), tsne(latents[rows], on_step=on_step), len(ids))
    if cache:
        cache.save(model_version, layout)
    return layout


def _still_fresh(cached: Layout, ids: npt.NDArray[np.int64], limit: int) -> bool:
    current = set(ids.tolist())
    laid_out = set(cached.keys)
    gone = len(laid_out - current)
    new = len(current - laid_out) if len(ids) <= limit else 0  # a sample need not grow
    return gone + new <= STALE_FRACTION * max(len(laid_out), 1)


def _update(
    cached: Layout, ids: npt.NDArray[np.int64], latents: npt.NDArray[np.float32], limit: int
) -> Layout:
    """Drop removed photos; place new ones (up to the limit) next to their nearest laid-out photo."""
    row_of = {int(pid): r for r, pid in enumerate(ids)}
    keep = [i for i, pid in enumerate(cached.keys) if pid in row_of]
    keys = [int(cached.keys[i]) for i in keep]
    xy = cached.xy[keep]
    room = max(0, limit - len(keys))
    new = [int(pid) for pid in ids if int(pid) not in set(keys)][:room]
    if new and keys:
        known = _normalised(latents[[row_of[k] for k in keys]])
        nearest = (_normalised(latents[[row_of[p] for p in new]]) @ known.T).argmax(1)
        jitter = np.random.default_rng(0).normal(0, 0.005, (len(new), 2)).astype(np.float32)
        xy = np.concatenate([xy, np.clip(xy[nearest] + jitter, 0, 1)])
        keys += new
    return Layout(keys, xy.astype(np.float32), len(ids))


def _normalised(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    unit: npt.NDArray[np.float32] = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return unit


def word_layout(words: Sequence[str], vectors: npt.NDArray[np.float32]) -> Layout:
    return Layout(list(words), tsne(vectors), len(words))


# --- rendering to an image file (headless export) ------------------------------------------------------


def render_photos(
    layout: Layout, thumbnail: Callable[[int], Image.Image | None], size: tuple[int, int], tile: int = 48
) -> Image.Image:
    """Each photo's thumbnail drawn at its place; photos without one are drawn as dots. Thumbnails
    are read two at a time (PIL decodes without the GIL): one after another, 1,536 of them took
    2.4 s of a map's 4.4 s (the speed audit of stop 46)."""
    canvas = Image.new("RGB", size, (250, 250, 250))
    draw = ImageDraw.Draw(canvas)
    with ThreadPoolExecutor(2) as pool:
        images = pool.map(lambda key: thumbnail(int(key)), layout.keys)
        places = _to_pixels(layout.xy, size, tile)
        for image, (x, y) in zip(images, places, strict=True):
            _draw_thumbnail(canvas, draw, image, x, y, tile)
    if layout.sampled:
        draw.text(
            (10, size[1] - 20), f"a sample of {len(layout.keys):,} of {layout.total:,} photos", fill=(0, 0, 0)
        )
    return canvas


def _draw_thumbnail(
    canvas: Image.Image, draw: ImageDraw.ImageDraw, image: Image.Image | None, x: int, y: int, tile: int
) -> None:
    """``image`` as a tile centred at (x, y); a dot for a photo without one."""
    if image is None:
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(90, 90, 90))
        return
    image = image.copy()
    image.thumbnail((tile, tile))
    canvas.paste(image.convert("RGB"), (x - image.width // 2, y - image.height // 2))


def render_words(layout: Layout, size: tuple[int, int], highlight: Sequence[str] = ()) -> Image.Image:
    canvas = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=max(10, min(size) // 80))
    for word, (x, y) in zip(layout.keys, _to_pixels(layout.xy, size, 60), strict=True):
        colour = (200, 30, 30) if word in highlight else (30, 30, 30)
        draw.text((x, y), str(word), fill=colour, font=font, anchor="mm")
    return canvas


def _to_pixels(xy: npt.NDArray[np.float32], size: tuple[int, int], margin: int) -> list[tuple[int, int]]:
    w, h = size[0] - 2 * margin, size[1] - 2 * margin
    return [(margin + int(x * w), margin + int(y * h)) for x, y in xy]
