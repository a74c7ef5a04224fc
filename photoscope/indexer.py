"""The background indexing worker: pending photos in, captions, tags, vectors and thumbnails out.

Pipeline: a small thread pool decodes photos ahead of inference (PIL releases the GIL while it decodes,
so this overlaps with the encoder), reading each file once: JPEG draft mode decodes a 12 MP photo near
256 px, and that one decoded image yields both the 256 px grid thumbnail and the encoder's 224 px input.
The inference thread embeds and captions a batch at a time and writes the batch in ONE transaction.

CPU split: decoding a 12 MP JPEG costs about twice the encoder's CPU per photo, even in draft mode
(``benchmarks/index_stages.py``: 32 ms against 16 ms on one core). So the inference thread runs PyTorch
on a third of the cores (one, on a 2-core laptop) and the decoders get the rest: on 2 cores this
indexes about 1.4x faster than letting PyTorch take every core and fight the decoders for them.
PyTorch's thread count is per calling thread, so searches on other threads keep every core.

Crash safety comes from the database: a photo stays 'pending' until the transaction holding its results
commits, so after a kill the next run redoes at most the batch that was in flight.

Bad input never stops the worker: whatever fails to decode (empty, truncated, corrupt, not an image,
too large, unreadable) is stored as status 'error' with a reason, and the run carries on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from photoscope.db import FailedPhoto, IndexedPhoto, Library, PendingPhoto
from photoscope.decoding import Caption
from photoscope.imaging import INPUT_SIZE, load_photo
from photoscope.model import PhotoEmbedding
from photoscope.threads import lower_priority
from photoscope.thumbnails import LARGE_SIZE, write_thumbnail

log = logging.getLogger(__name__)

# PIL refuses images above twice its MAX_IMAGE_PIXELS as decompression bombs; we refuse at the same size
# but without PIL's warning zone, so a 120 MP panorama indexes quietly and a crafted header does not.
DEFAULT_MAX_PIXELS = 2 * 89_478_485
_EXIF_IFD, _DATE_TIME_ORIGINAL, _MAKE, _MODEL, _ORIENTATION = 0x8769, 36867, 271, 272, 274
_PAGE = 512  # pending rows fetched per query


class IndexModel(Protocol):
    """What the worker needs from ``PhotoscopeModel`` (tests wrap it to count calls)."""

    @property
    def version(self) -> str: ...

    def embed(self, photos: Sequence[Image.Image]) -> list[PhotoEmbedding]: ...

    def caption(self, latents: torch.Tensor) -> list[Caption]: ...


@dataclass(frozen=True)
class Progress:
    done: int  # photos finished this run (indexed or failed)
    total: int  # done plus still pending
    indexed: int
    errors: int
    rate: float  # photos per second over the last batches
    elapsed_s: float

    @property
    def eta_s(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None


ProgressListener = Callable[[Progress], None]
AddedListener = Callable[[list[int]], None]


# --- decoding (runs in the pool threads) ---------------------------------------------------------------


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


@dataclass(frozen=True)
class Decoded:
    photo: PendingPhoto
    image: Image.Image  # the encoder's 224 x 224 input
    meta: PhotoMeta


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


def decode(
    photo: PendingPhoto, thumbnail_root: Path | None, thumbnails: bool, max_pixels: int
) -> Decoded | FailedPhoto:
    """Read one photo for the encoder (and its thumbnail), or the reason it cannot be read."""
    try:
        if photo.size == 0:
            raise EmptyFile("empty file (0 bytes)")
        meta = read_metadata(photo.path, max_pixels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = load_photo(photo.path, min_side=LARGE_SIZE)
        if thumbnails:
            _thumbnail(image, photo, thumbnail_root)
        encoder_input = image.resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BILINEAR)
        return Decoded(photo, encoder_input, meta)
    except Exception as error:  # anything a broken file can make PIL raise; the worker must go on
        return FailedPhoto(photo.id, photo.size, photo.mtime, describe_error(error))


def _thumbnail(image: Image.Image, photo: PendingPhoto, root: Path | None) -> None:
    try:
        write_thumbnail(image, photo.path, photo.mtime, root)
    except OSError as error:  # a full or read-only cache must not fail the photo itself
        log.warning("cannot write the thumbnail of %s: %s", photo.path, error)


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


def default_threads(cores: int | None = None) -> tuple[int, int]:
    """(PyTorch threads, decode threads) for indexing: a third of the cores infer, the rest decode."""
    cores = cores or os.cpu_count() or 2
    inference = max(1, cores // 3)
    return inference, max(2, cores - inference)


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run PyTorch on ``count`` threads in the calling thread only, restoring its setting after."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# --- the worker --------------------------------------------------------------------------------------


class IndexWorker:
    """Indexes pending photos; ``run()`` in the calling thread, or ``start()`` a background thread.

    Listeners are called from the indexing thread: ``on_progress`` after each batch, ``on_added`` with
    the ids whose vectors were just written (new or replaced), so an in-memory vector store can follow.
    """

    def __init__(
        self,
        library: Library,
        model: IndexModel,
        *,
        batch_size: int = 16,
        decode_threads: int | None = None,
        torch_threads: int | None = None,
        thumbnails: bool = True,
        thumbnail_root: Path | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        on_progress: ProgressListener | None = None,
        on_added: AddedListener | None = None,
    ) -> None:
        self.library, self.model = library, model
        default_torch, default_decode = default_threads()
        self.batch_size = batch_size
        self.decode_threads = decode_threads or default_decode
        self.torch_threads = torch_threads or default_torch
        self.thumbnails, self.thumbnail_root, self.max_pixels = thumbnails, thumbnail_root, max_pixels
        self.on_progress, self.on_added = on_progress, on_added
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._cancel = threading.Event()
        self._stop = threading.Event()
        self._work = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._requeued_for: str | None = None

    # control (safe from any thread)

    def pause(self) -> None:
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    def cancel(self) -> None:
        """Stop the current run after the batch in progress; what is left stays pending."""
        self._cancel.set()
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    def start(self) -> None:
        """Run in a background thread, indexing whenever ``wake()`` says there is work (and once now)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="photoscope-indexer", daemon=True)
        self._idle.clear()
        self._work.set()
        self._thread.start()

    def wake(self) -> None:
        self._idle.clear()
        self._work.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until the background thread has nothing left to do; False on timeout."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self.cancel()
        self._work.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _serve(self) -> None:
        lower_priority()  # indexing gives way to the GUI and to searches
        while not self._stop.is_set():
            self._work.wait()
            self._work.clear()
            if self._stop.is_set():
                break
            try:
                self.run()
            except Exception:  # e.g. the database vanished; log it and wait for the next wake
                log.exception("indexing run failed")
            if not self._work.is_set():
                self._idle.set()
        self._idle.set()

    # the run

    def run(self) -> Progress:
        """Index everything pending (in online folders) until none is left or ``cancel()``."""
        self._cancel.clear()
        if self._requeued_for != self.model.version:  # once per model, not on every wake
            self.library.requeue_other_versions(self.model.version)
            self._requeued_for = self.model.version
        tracker = _Tracker(self.library)
        # Linux threads inherit their creator's priority: in the background, the decode threads give way too.
        pool = ThreadPoolExecutor(self.decode_threads, thread_name_prefix="photoscope-decode")
        with pool, torch_threads(self.torch_threads):
            while not self._cancel.is_set():  # passes: rows re-queued during a pass are done in the next
                if not self._one_pass(pool, tracker) or self.library.pending_count() == 0:
                    break
        return tracker.progress()

    def _one_pass(self, pool: ThreadPoolExecutor, tracker: _Tracker) -> int:
        """Index the rows pending now, in id order; returns how many were taken."""
        window: deque[Future[Decoded | FailedPhoto]] = deque()
        photos = self._pending_once()
        taken = 0
        try:
            while True:
                taken += self._fill(window, photos, pool)
                batch = [window.popleft().result() for _ in range(min(self.batch_size, len(window)))]
                if not batch or not self._wait_unpaused():
                    return taken
                results = self._infer(batch)
                added = self.library.write_results(results)
                tracker.batch_done(results, added)
                if added and self.on_added is not None:
                    self.on_added(added)
                if self.on_progress is not None:
                    self.on_progress(tracker.progress())
        finally:
            for future in window:
                future.cancel()

    def _fill(
        self,
        window: deque[Future[Decoded | FailedPhoto]],
        photos: Iterator[PendingPhoto],
        pool: ThreadPoolExecutor,
    ) -> int:
        # Two batches of read-ahead: the next batch decodes while this one is in the encoder, and memory
        # stays bounded (a few hundred small images) however many photos are pending.
        added = 0
        while len(window) < 2 * self.batch_size and (photo := next(photos, None)) is not None:
            window.append(pool.submit(decode, photo, self.thumbnail_root, self.thumbnails, self.max_pixels))
            added += 1
        return added

    def _pending_once(self) -> Iterator[PendingPhoto]:
        after = 0
        while page := self.library.pending(after, _PAGE):
            yield from page
            after = page[-1].id

    def _wait_unpaused(self) -> bool:
        self._unpaused.wait()  # cancel() sets it too, so a paused run can still be cancelled
        return not self._cancel.is_set()

    def _infer(self, batch: list[Decoded | FailedPhoto]) -> list[IndexedPhoto | FailedPhoto]:
        failed: list[IndexedPhoto | FailedPhoto] = [b for b in batch if isinstance(b, FailedPhoto)]
        decoded = [b for b in batch if isinstance(b, Decoded)]
        try:
            return failed + self._encode(decoded)
        except Exception:  # one photo broke the model? find it: redo the batch one by one
            log.exception("batch failed in the model; retrying photo by photo")
        for d in decoded:
            try:
                failed += self._encode([d])
            except Exception as error:
                failed.append(
                    FailedPhoto(d.photo.id, d.photo.size, d.photo.mtime, f"the model failed: {error}")
                )
        return failed

    def _encode(self, decoded: list[Decoded]) -> list[IndexedPhoto | FailedPhoto]:
        if not decoded:
            return []
        embeddings = self.model.embed([d.image for d in decoded])
        captions = self.model.caption(torch.stack([e.latent for e in embeddings]))
        version = self.model.version
        return [
            IndexedPhoto(
                id=d.photo.id,
                size=d.photo.size,
                mtime=d.photo.mtime,
                width=d.meta.width,
                height=d.meta.height,
                taken_at=d.meta.taken_at,
                camera=d.meta.camera,
                caption=c.text,
                caption_score=c.score,
                tags=e.tags,
                latent=e.latent.float().numpy().astype(np.float32),
                feature=e.feature.float().numpy().astype(np.float16),
                model_version=version,
            )
            for d, e, c in zip(decoded, embeddings, captions, strict=True)
        ]


class _Tracker:
    """Counts and rate (over the last few batches, so a pause does not skew the estimate for long)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.start = time.monotonic()
        self.done = self.indexed = self.errors = 0
        self.marks: deque[tuple[float, int]] = deque([(self.start, 0)], maxlen=8)
        self.remaining = library.pending_count()

    def batch_done(self, results: Sequence[IndexedPhoto | FailedPhoto], added: list[int]) -> None:
        self.done += len(results)
        self.indexed += len(added)
        self.errors += sum(isinstance(r, FailedPhoto) for r in results)
        self.marks.append((time.monotonic(), self.done))
        self.remaining = self.library.pending_count()

    def progress(self) -> Progress:
        (t0, d0), (t1, d1) = self.marks[0], self.marks[-1]
        rate = (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0
        return Progress(
            self.done, self.done + self.remaining, self.indexed, self.errors, rate, t1 - self.start
        )
