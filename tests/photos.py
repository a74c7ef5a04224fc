"""Photos the library tests make themselves: good ones (with EXIF), broken ones, and a fast test model.

``fast_model`` is the tiny bundle (real caption network code) with ``PixelEncoder`` in place of
EfficientNet: a fixed random projection of the downscaled pixels, so vectors depend on the content
while a test pays milliseconds instead of the encoder's seconds of loading and tracing.
"""

from __future__ import annotations

import contextlib
import os
import random
import struct
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from photoscope.library.db import Library
from photoscope.network.encoder import FEATURE_DIM, EncoderOutput, ImageEncoder
from photoscope.network.model import PhotoDescription, PhotoscopeModel

_EXIF_IFD, _DATE_TIME_ORIGINAL = 0x8769, 36867


def photo_image(seed: int, size: tuple[int, int] = (96, 64)) -> Image.Image:
    """A smooth random-colour gradient with a little noise: different per seed, compresses like a photo."""
    rng = np.random.default_rng(seed)
    w, h = size
    corners = rng.uniform(0, 255, (2, 2, 3))
    ys, xs = np.linspace(0, 1, h)[:, None, None], np.linspace(0, 1, w)[None, :, None]
    top = corners[0, 0] * (1 - xs) + corners[0, 1] * xs
    bottom = corners[1, 0] * (1 - xs) + corners[1, 1] * xs
    pixels = top * (1 - ys) + bottom * ys + rng.normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def write_photo(
    path: Path,
    seed: int = 0,
    size: tuple[int, int] = (96, 64),
    *,
    orientation: int | None = None,
    taken: str | None = None,
    make: str | None = None,
    model: str | None = None,
    quality: int = 85,
) -> Path:
    """Save a photo in the format its extension names, with the EXIF fields given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make is not None:
        exif[271] = make
    if model is not None:
        exif[272] = model
    if taken is not None:
        exif.get_ifd(_EXIF_IFD)[_DATE_TIME_ORIGINAL] = taken
    image = photo_image(seed, size)
    suffix = path.suffix.lower()
    options: dict[str, Any] = {}
    if suffix in (".jpg", ".jpeg", ".webp", ".png", ".tif", ".tiff"):
        options["exif"] = exif.tobytes()
    if suffix in (".jpg", ".jpeg", ".webp"):
        options["quality"] = quality
    image.save(path, **options)
    return path


def write_library(root: Path, count: int, size: tuple[int, int] = (96, 64), start: int = 0) -> list[Path]:
    return [write_photo(root / f"photo_{i:04d}.jpg", seed=i, size=size) for i in range(start, start + count)]


def write_zero_byte(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def write_truncated(path: Path, seed: int = 99) -> Path:
    """A JPEG cut off half way, as an interrupted copy leaves it."""
    write_photo(path, seed, size=(320, 240))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def write_garbage(path: Path, seed: int = 7) -> Path:
    """Random bytes behind a JPEG signature: a corrupt file that still claims to be a photo."""
    path.write_bytes(b"\xff\xd8\xff\xe0" + random.Random(seed).randbytes(4000))
    return path


def write_text(path: Path) -> Path:
    path.write_text("this is not an image at all\n")
    return path


def write_bomb_png(path: Path, side: int = 40_000) -> Path:
    """A tiny PNG whose header claims ``side`` x ``side`` pixels (1.6 GP by default): a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    body = zlib.compress(b"\x00" * (side + 1) * 4)  # a few rows; PIL refuses before it reads them
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunks)
    return path


class PixelEncoder(ImageEncoder):
    """A stand-in encoder: an 8 x 8 colour thumbnail projected to 1280 features and 1000 class scores."""

    def _load(self) -> None:
        generator = torch.Generator().manual_seed(0)
        self._to_features = torch.randn(3 * 8 * 8, FEATURE_DIM, generator=generator) / 8
        self._to_logits = torch.randn(FEATURE_DIM, 1000, generator=generator) / 36

    def _predict(self, inputs: torch.Tensor) -> EncoderOutput:
        pooled = torch.nn.functional.adaptive_avg_pool2d(inputs, 8).flatten(1)
        features = torch.relu(pooled @ self._to_features)
        return EncoderOutput(features=features, logits=features @ self._to_logits)


def fast_model(model_dir: str | Path) -> PhotoscopeModel:
    return PhotoscopeModel(model_dir, encoder=PixelEncoder())


class CountingModel:
    """Wraps a model and counts the photos it is asked to embed (to prove what is not re-encoded)."""

    def __init__(self, model: PhotoscopeModel, version: str | None = None) -> None:
        self.model = model
        self._version = version
        self.embedded = 0
        self.calls = 0

    @property
    def version(self) -> str:
        return self._version or self.model.version

    @property
    def input_size(self) -> int:
        return self.model.input_size

    def threads(self, count: int) -> contextlib.AbstractContextManager[None]:
        return self.model.threads(count)

    def describe(self, photos: Sequence[Image.Image]) -> list[PhotoDescription]:
        self.calls += 1
        self.embedded += len(photos)
        return self.model.describe(photos)


def indexed_row(photo_id: int, caption: str = "a dog", **fields: Any) -> Any:
    """An ``IndexedPhoto`` as the indexer writes it, with small defaults (a 1x1 photo, a zero latent,
    no feature, model "m@1"); ``fields`` override them."""
    from photoscope.library.records import IndexedPhoto

    row: dict[str, Any] = {
        "id": photo_id,
        "size": 10,
        "mtime": 1.0,
        "width": 1,
        "height": 1,
        "taken_at": None,
        "camera": None,
        "caption": caption,
        "caption_score": -1.0,
        "tags": [],
        "latent": np.zeros(4, np.float32),
        "feature": None,
        "model_version": "m@1",
    } | fields
    return IndexedPhoto(**row)


class Reports:
    """Scan reports as a watcher queues them (pass the object as its ``on_queued``), with a way to
    wait for one that matches."""

    def __init__(self, timeout: float = 20.0) -> None:
        self.timeout = timeout
        self.items: list[Any] = []
        self.changed = threading.Condition()

    def __call__(self, report: Any) -> None:
        with self.changed:
            self.items.append(report)
            self.changed.notify_all()

    def wait_for(self, match: Callable[[Any], bool], timeout: float | None = None) -> Any:
        """The first queued report that matches (taken off the list), waiting up to ``timeout``."""
        timeout = self.timeout if timeout is None else timeout
        with self.changed:
            found = self.changed.wait_for(lambda: next((r for r in self.items if match(r)), None), timeout)
            assert found is not None, f"no matching report in {timeout} s; got {self.items}"
            self.items.remove(found)
            return found

    def none_within(self, seconds: float) -> bool:
        with self.changed:
            return not self.changed.wait_for(lambda: bool(self.items), seconds)

    def clear(self) -> None:
        with self.changed:
            self.items.clear()


@contextlib.contextmanager
def watching(library: Any) -> Iterator[Reports]:
    """A folder watcher running on ``library`` (short debounce and root checks, no catch-up scan),
    half a second after its start; its queued reports; stopped after."""
    import time

    from photoscope.library.scanner import Scanner
    from photoscope.library.watcher import FolderWatcher

    reports = Reports(20.0)
    watcher = FolderWatcher(library, Scanner(library), debounce_s=0.3, root_check_s=0.2, on_queued=reports)
    watcher.start(catch_up=False)
    try:
        time.sleep(0.5)
        yield reports
    finally:
        watcher.stop()


def index_pending(library: Any) -> None:
    """Write every pending photo of ``library`` as indexed, as the worker would (a 96x64 photo,
    vectors made up from its id, model "tiny@1")."""
    library.write_results(
        [
            indexed_row(
                p.id,
                f"photo {p.id}",
                size=p.size,
                mtime=p.mtime,
                width=96,
                height=64,
                tags=[("tag", 0.5)],
                latent=np.full(8, p.id, np.float32),
                feature=np.full(16, p.id, np.float16),
                model_version="tiny@1",
            )
            for p in library.pending()
        ]
    )


def indexed_folder(root: Path, db: Path, count: int = 6) -> dict[str, int]:
    """A library at ``db`` watching ``root``, which holds ``count`` photos in 2019/ and 2020/, all
    indexed (``index_pending``): their ids by path below ``root``."""
    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner

    write_library(root / "2019", count // 2)
    write_library(root / "2020", count - count // 2, start=100)
    with Library(db) as library:
        library.add_folder(root)
        Scanner(library).scan()
        index_pending(library)
        return ids_below(library, root)


def ids_below(library: Any, root: Path) -> dict[str, int]:
    """The library's photos below ``root``: their ids by path below it."""
    from photoscope.library.fs import is_under

    rows = library.db.execute("SELECT id, path FROM photos").fetchall()
    return {os.path.relpath(path, root): id_ for id_, path in rows if is_under(path, str(root))}


def deny_listing(monkeypatch: Any, folder_name: str) -> None:
    """Make every folder whose name ends with ``folder_name`` unreadable to the scanner, as a folder
    without read permission is (``os.scandir`` raises PermissionError; works as root too)."""
    from photoscope.library import fs

    real_scandir = os.scandir

    def deny(path: str) -> object:
        if str(path).endswith(folder_name):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(fs.os, "scandir", deny)


def damage_page(db: Path, page: str | int) -> None:
    """Overwrite one page of an SQLite file with garbage, as a bad sector would: the root page of the
    table or index named ``page``, or page number ``page`` (1-based; -1: the file's last)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        if isinstance(page, str):
            page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (page,)).fetchone()[0]
        elif page < 0:
            page += conn.execute("PRAGMA page_count").fetchone()[0] + 1
    with open(db, "r+b") as f:
        f.seek((int(page) - 1) * page_size)
        f.write(b"\xa5" * page_size)


def watched_with_subfolder(root: Path, library: Library, subfolder: str) -> Path:
    """A watched folder of three JPEGs and a subfolder of three PNGs (``subfolder``), as the
    exclusion tests take them out and back."""
    for i in range(3):
        write_photo(root / f"photo_{i}.jpg", seed=i)
        write_photo(root / subfolder / f"shot_{i}.png", seed=10 + i)
    library.add_folder(root)
    return root
