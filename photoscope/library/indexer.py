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

Memory: decodes share a budget of decoded bytes (``photos.MemoryBudget``), so huge PNGs and TIFFs
decode one at a time however many decode threads the cores allow.

Work once: a run holds an exclusive lock on ``<library>.indexing`` (``flock``, released by the system
even after a kill -9); a second worker on the same library, in this process or another, waits for it
and then finds nothing left to do, so no photo is encoded twice.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image

from photoscope.config import ResourceMissing
from photoscope.library.db import Library
from photoscope.library.errors import LibraryError, in_words
from photoscope.library.fs import is_under, same_bytes
from photoscope.library.photos import (
    DEFAULT_DECODE_BUDGET,
    DEFAULT_MAX_PIXELS,
    EmptyFile,
    MemoryBudget,
    PhotoMeta,
    describe_error,
    is_another_file,
    is_not_a_photo,
    is_unreachable,
    load_photo,
    read_metadata,
)
from photoscope.library.records import FailedPhoto, Folder, IndexedPhoto, PendingPhoto
from photoscope.library.scanner import root_present
from photoscope.library.thumbnails import (
    LARGE_SIZE,
    cache_root,
    copy_thumbnail,
    remove_stale_temporaries,
    write_thumbnail,
)
from photoscope.threads import lower_priority

log = logging.getLogger(__name__)

_PAGE = 512  # pending rows fetched per query


class Description(Protocol):
    """What the model says of one photo (``network.PhotoDescription``), as the index stores it."""

    @property
    def feature(self) -> npt.NDArray[np.float16]: ...
    @property
    def latent(self) -> npt.NDArray[np.float32]: ...
    @property
    def tags(self) -> list[tuple[str, float]]: ...
    @property
    def caption(self) -> str: ...
    @property
    def caption_score(self) -> float: ...


class IndexModel(Protocol):
    """What the worker needs from the network's ``PhotoscopeModel`` (tests wrap it to count calls).

    The library never imports the network: the API hands the model in.
    """

    @property
    def version(self) -> str: ...

    @property
    def input_size(self) -> int: ...

    def describe(self, photos: Sequence[Image.Image]) -> Sequence[Description]: ...

    def threads(self, count: int) -> contextlib.AbstractContextManager[None]: ...


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


@dataclass(frozen=True)
class Decoded:
    photo: PendingPhoto
    image: Image.Image  # the encoder's 224 x 224 input
    meta: PhotoMeta


def decode(
    photo: PendingPhoto,
    thumbnail_root: Path | None,
    thumbnails: bool,
    max_pixels: int,
    input_size: int,
    budget: MemoryBudget | None = None,
) -> Decoded | FailedPhoto:
    """Read one photo for the encoder (and its thumbnail), or the reason it cannot be read."""
    try:
        if photo.size == 0:
            raise EmptyFile("empty file (0 bytes)")
        meta = read_metadata(photo.path, max_pixels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = load_photo(photo.path, min_side=LARGE_SIZE, max_pixels=max_pixels, budget=budget)
        if thumbnails:
            _thumbnail(image, photo, thumbnail_root)
        encoder_input = image.resize((input_size, input_size), Image.Resampling.BILINEAR)
        return Decoded(photo, encoder_input, meta)
    except Exception as error:  # anything a broken file can make PIL raise; the worker must go on
        return FailedPhoto(
            photo.id,
            photo.size,
            photo.mtime,
            describe_error(error),
            is_not_a_photo(error, photo.path),
            is_unreachable(error),
            photo.path,
            is_another_file(error, photo.path),
        )


# The cache folders and reasons already said: a cache that cannot be written is said once, not for
# every photo (the CLI audit of stop 57: one raw "[Errno 20]" line per photo), until a thumbnail is
# written there again (``_said_and_gone``).
_THUMBNAILS_REFUSED: set[tuple[str, str]] = set()


# Free space the thumbnail cache's disk keeps for the library: below it, thumbnails (a cache, made
# when photos are shown) are not written while indexing. On a nearly full disk they took the last
# 1.8 of 2 MiB before a batch was written, and no photo was indexed (the fresh-seat audit of stop 59).
THUMBNAIL_RESERVE = 128 * 1024 * 1024


def _thumbnail(image: Image.Image, photo: PendingPhoto, root: Path | None) -> None:
    where = root or cache_root()
    free = _free_space(where)
    if free < THUMBNAIL_RESERVE:
        _say_once(
            str(where),
            "little space",
            "little space is left on the disk of the thumbnail cache %s (%s): the photos are indexed"
            " without thumbnails; they are made when they are shown",
            f"{free // (1024 * 1024)} MiB free",
        )
        return
    try:
        write_thumbnail(image, photo.path, photo.mtime, root)
    except OSError as error:  # a full or read-only cache must not fail the photo itself
        _say_once(
            str(error.filename or where),
            in_words(error),
            "cannot write thumbnails to %s (%s): the photos are indexed without them; their thumbnails"
            " are made when they are shown (check the cache folder, XDG_CACHE_HOME)",
        )
        return
    _said_and_gone(str(where))


def _free_space(path: Path) -> int:
    """Free bytes on the disk of ``path``, or of its nearest folder there (a cache not made yet)."""
    for place in (path, *path.parents):
        try:
            return shutil.disk_usage(place).free
        except OSError:
            continue
    return THUMBNAIL_RESERVE  # not to be told: writing says what is wrong


def _said_and_gone(where: str) -> None:
    """A thumbnail written to the cache ``where``: what was said of it is over, and is said again if
    it comes back (stop 59's Left list: a window open for days said a nearly full disk only once)."""
    if _THUMBNAILS_REFUSED:
        _THUMBNAILS_REFUSED.difference_update({k for k in _THUMBNAILS_REFUSED if is_under(k[0], where)})


def _say_once(where: str, why: str, message: str, detail: str | None = None) -> None:
    """Log ``message`` (of ``where`` and ``detail``, else ``why``) once per cache folder and reason."""
    if (where, why) not in _THUMBNAILS_REFUSED:
        _THUMBNAILS_REFUSED.add((where, why))
        log.warning(message, where, detail or why)


def _folder_away(path: str, folders: Sequence[Folder], mounts: Iterable[str] = ()) -> bool:
    """Whether a photo's folder is not there, or its watched folder (of ``folders``) is not
    (``root_present``: an empty mount point counts as away), or the drive mounted inside it that
    holds the photo (``mounts``, as the scans recorded them) is not mounted now (the fresh-seat
    audit of stop 59: its photos waiting became errors, "the file disappeared")."""
    if not os.path.isdir(os.path.dirname(path)):
        return True
    if any(is_under(path, point) and not os.path.ismount(point) for point in mounts):
        return True
    watched = [f for f in folders if is_under(path, f.path)]
    return bool(watched) and not root_present(max(watched, key=lambda f: len(f.path)))


def default_threads(cores: int | None = None) -> tuple[int, int]:
    """(PyTorch threads, decode threads) for indexing: a third of the cores infer, the rest decode."""
    cores = cores or os.cpu_count() or 2
    inference = max(1, cores // 3)
    return inference, max(2, cores - inference)


# --- the worker --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexOptions:
    """How an ``IndexWorker`` works: its batches, threads and memory, and what it writes."""

    batch_size: int = 16  # photos encoded together
    decode_threads: int | None = None  # None: the machine's share (``default_threads``)
    torch_threads: int | None = None
    thumbnails: bool = True  # write each photo's thumbnails as it is indexed
    thumbnail_root: Path | None = None  # None: the user's thumbnail cache
    max_pixels: int = DEFAULT_MAX_PIXELS  # photos over this many pixels are refused (decompression bombs)
    decode_budget: int = DEFAULT_DECODE_BUDGET  # bytes of decoded pixels held at once
    # Photos another model described are described again by this one (their vectors cannot be
    # mixed); False leaves them as they are until ``Library.requeue_other_versions`` (the app's
    # "Later" when it offers the upgrade).
    redo_other_models: bool = True


class IndexWorker:
    """Indexes pending photos; ``run()`` in the calling thread, or ``start()`` a background thread.

    Listeners are called from the indexing thread: ``on_progress`` after each batch, ``on_added`` with
    the ids whose vectors were just written (new or replaced), so an in-memory vector store can follow,
    and, in the background thread, ``on_idle`` after each run that left nothing to do (work that waits
    for an idle moment: it ran only when a run ended with a batch, so never in a library with nothing
    to index).
    """

    def __init__(
        self,
        library: Library,
        model: IndexModel,
        options: IndexOptions | None = None,
        *,
        on_progress: ProgressListener | None = None,
        on_added: AddedListener | None = None,
        on_wait: Callable[[], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
        on_idle: Callable[[], None] | None = None,
        on_folders_away: Callable[[], None] | None = None,
    ) -> None:
        self.library, self.model = library, model
        self.on_idle, self.on_folders_away = on_idle, on_folders_away
        self._waiting: set[int] = set()  # photos whose folder went away during this run (pending)
        self._life = threading.Lock()  # starting and stopping, one at a time
        options = options or IndexOptions()
        self.redo_other_models = options.redo_other_models
        default_torch, default_decode = default_threads()
        self.batch_size = options.batch_size
        self.decode_threads = options.decode_threads or default_decode
        self.torch_threads = options.torch_threads or default_torch
        self.thumbnails, self.thumbnail_root = options.thumbnails, options.thumbnail_root
        self.max_pixels = options.max_pixels
        self.on_progress, self.on_added, self.on_wait = on_progress, on_added, on_wait
        self.on_failed = on_failed  # a background run that could not finish, with why (``start``)
        self.budget = MemoryBudget(options.decode_budget)
        self._tidied = False
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

    @property
    def stopping(self) -> bool:
        """Asked to stop, or to end the current run: work done on its thread should end too."""
        return self._stop.is_set() or self._cancel.is_set()

    @property
    def has_work(self) -> bool:
        """Whether the background thread was woken again (work waits)."""
        return self._work.is_set()

    def start(self) -> None:
        """Run in a background thread, indexing whenever ``wake()`` says there is work (and once now)."""
        with self._life:  # a stop from another thread waits for the start (as ``FolderWatcher``'s)
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
        with self._life:
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
                if self.on_idle is not None and not self._work.is_set() and not self.stopping:
                    self.on_idle()
            except Exception as error:  # e.g. the database vanished: say it, wait for the next wake
                if isinstance(error, LibraryError):  # says what is wrong and what to do: one line
                    log.error("indexing stopped: %s", error)
                    log.debug("indexing stopped", exc_info=error)
                else:
                    log.exception("indexing run failed")
                if self.on_failed is not None:
                    self.on_failed(error)
            if not self._work.is_set():
                self._idle.set()
        self._idle.set()

    # the run

    def run(self) -> Progress:
        """Index everything pending (in online folders) until none is left or ``cancel()``.

        Waits first while another worker indexes the same library (``on_wait`` is told once)."""
        self._cancel.clear()
        self._waiting.clear()  # photos left waiting for their folder are tried again each run
        with _IndexingLock(self.library.path) as lock:
            while not lock.acquire():
                if self.on_wait is not None and lock.attempts == 1:
                    self.on_wait()
                if self._cancel.wait(0.2):
                    return _Tracker(self.library).progress()
            return self._run_locked()

    def _run_locked(self) -> Progress:
        if not self._tidied and self.thumbnails:
            self._tidied = True
            remove_stale_temporaries(self.thumbnail_root)
        if self.redo_other_models and self._requeued_for != self.model.version:  # once per model
            self.library.requeue_other_versions(self.model.version)
            self._requeued_for = self.model.version
        tracker = _Tracker(self.library, lambda: len(self._waiting))
        # Linux threads inherit their creator's priority: in the background, the decode threads give way too.
        pool = ThreadPoolExecutor(self.decode_threads, thread_name_prefix="photoscope-decode")
        with pool, self.model.threads(self.torch_threads):
            while not self._cancel.is_set():  # passes: rows re-queued during a pass are done in the next
                if not self._one_pass(pool, tracker) or self.library.pending_count() == 0:
                    break
        self.library.backup()  # the rolling backup of ids and captions, if the last one is old
        return tracker.progress()

    def _one_pass(self, pool: ThreadPoolExecutor, tracker: _Tracker) -> int:
        """Index the rows pending now, in id order; returns how many were taken."""
        window: deque[Future[Decoded | FailedPhoto]] = deque()
        taken = self._take_copies(tracker)
        photos = self._pending_once()
        try:
            while True:
                taken += self._fill(window, photos, pool)
                batch = [window.popleft().result() for _ in range(min(self.batch_size, len(window)))]
                if not batch or not self._wait_unpaused():
                    return taken
                results = self._waiting_for_away_folders(self._infer(batch))
                self._tell(tracker, results, self.library.write_results(results))
        finally:
            for future in window:
                future.cancel()

    def _waiting_for_away_folders(
        self, results: list[IndexedPhoto | FailedPhoto]
    ) -> list[IndexedPhoto | FailedPhoto]:
        """The results less the photos that could not be reached because their watched folder, or
        their own folder, is away (a drive unplugged in the middle of the run): those stay pending,
        are not taken again this run, and ``on_folders_away`` is told, so that the scans (the
        watcher's root check, the next ``index``) mark the folder offline, or find the photos gone.
        A file gone from a folder that is still there stays a failure. The worker changes no
        folder's state itself: a state the scans had not seen change was lost to them (a drive
        back, never scanned again: the review of stop 44)."""
        unreachable = [r for r in results if isinstance(r, FailedPhoto) and r.unreachable]
        if not unreachable:
            return results
        folders, mounts = self.library.folders(), self.library.mounts()  # once a batch, not a photo
        away = [r.id for r in unreachable if _folder_away(r.path, folders, mounts)]
        if not away:
            return results
        self._waiting.update(away)
        if self.on_folders_away is not None:
            self.on_folders_away()
        return [r for r in results if r.id not in self._waiting]

    def _take_copies(self, tracker: _Tracker) -> int:
        """Give each pending copy of a photo this model indexed (the same bytes, compared whole: a
        folder copied in, an export's duplicates) that photo's entry and thumbnail, without decoding
        or encoding it; returns how many were taken. A photo whose original cannot be read now (an
        unplugged drive) or differs is indexed as any other."""
        version, after, taken = self.model.version, 0, 0
        while self._wait_unpaused() and (pairs := self.library.copies_waiting(version, after, _PAGE)):
            after = pairs[-1][0].id
            entries = self.library.index_entries(sorted({source for _, source, _ in pairs}), version)
            copies = {
                p.id: (p, entries[s], path)
                for p, s, path in pairs
                if s in entries and same_bytes(path, p.path)
            }
            batch = [replace(e, id=p.id, size=p.size, mtime=p.mtime) for p, e, _ in copies.values()]
            added = self.library.write_results(batch)
            if self.thumbnails:
                for p, e, source in (copies[i] for i in added):
                    copy_thumbnail(source, e.mtime, p.path, p.mtime, self.thumbnail_root)
            taken += len(batch)
            if batch:
                self._tell(tracker, batch, added)
        return taken

    def _tell(
        self, tracker: _Tracker, results: Sequence[IndexedPhoto | FailedPhoto], added: list[int]
    ) -> None:
        """A batch's results to the tracker and the listeners."""
        tracker.batch_done(results, added)
        if added and self.on_added is not None:
            self.on_added(added)
        if self.on_progress is not None:
            self.on_progress(tracker.progress())

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
            window.append(
                pool.submit(
                    decode,
                    photo,
                    self.thumbnail_root,
                    self.thumbnails,
                    self.max_pixels,
                    self.model.input_size,
                    self.budget,
                )
            )
            added += 1
        return added

    def _pending_once(self) -> Iterator[PendingPhoto]:
        after = 0
        while page := self.library.pending(after, _PAGE):
            yield from (p for p in page if p.id not in self._waiting)
            after = page[-1].id

    def _wait_unpaused(self) -> bool:
        self._unpaused.wait()  # cancel() sets it too, so a paused run can still be cancelled
        return not self._cancel.is_set()

    def _infer(self, batch: list[Decoded | FailedPhoto]) -> list[IndexedPhoto | FailedPhoto]:
        failed: list[IndexedPhoto | FailedPhoto] = [b for b in batch if isinstance(b, FailedPhoto)]
        decoded = [b for b in batch if isinstance(b, Decoded)]
        try:
            return failed + self._encode(decoded)
        except ResourceMissing:
            raise  # the install lacks a file: no photo is at fault, so none is marked failed
        except Exception:  # one photo broke the model? find it: redo the batch one by one
            log.exception("batch failed in the model; retrying photo by photo")
        for d in decoded:
            try:
                failed += self._encode([d])
            except ResourceMissing:
                raise
            except Exception as error:
                failed.append(
                    FailedPhoto(d.photo.id, d.photo.size, d.photo.mtime, f"the model failed: {error}")
                )
        return failed

    def _encode(self, decoded: list[Decoded]) -> list[IndexedPhoto | FailedPhoto]:
        if not decoded:
            return []
        descriptions = self.model.describe([d.image for d in decoded])
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
                caption=e.caption,
                caption_score=e.caption_score,
                tags=e.tags,
                latent=e.latent,
                feature=e.feature,
                model_version=version,
                description_version=getattr(self.model, "description_version", None),
            )
            for d, e in zip(decoded, descriptions, strict=True)
        ]


class _IndexingLock:
    """An exclusive ``flock`` on ``<library>.indexing``: one indexing run per library at a time, across
    processes and threads (each holder opens the file itself). Where the file cannot be made (a
    read-only folder) or locks are not supported, runs are not serialised."""

    def __init__(self, library_path: Path) -> None:
        self.path = library_path.with_name(library_path.name + ".indexing")
        self.attempts = 0
        self._fd: int | None = None

    def __enter__(self) -> _IndexingLock:
        return self

    def acquire(self) -> bool:
        self.attempts += 1
        if sys.platform == "win32":  # pragma: no cover - no flock
            return True
        import fcntl

        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
            except OSError as error:
                log.warning("cannot lock %s (%s): indexing without it", self.path, error)
                return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as error:  # a filesystem without locks
            log.warning("cannot lock %s (%s): indexing without it", self.path, error)
        return True

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None


def indexing_now(library_path: Path) -> bool:
    """Whether another indexing run holds ``library_path``'s lock now (``_IndexingLock``): a search
    that finds photos waiting says they are being indexed, not to run `photoscope index` (the CLI
    audit of stop 58). Asked without creating the lock file; False where it cannot be told."""
    if sys.platform == "win32":  # pragma: no cover - no flock
        return False
    import fcntl

    try:
        fd = os.open(_IndexingLock(library_path).path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:  # never indexed here, or not ours to read
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # a filesystem without locks
        return False
    finally:
        os.close(fd)  # releases a shared lock taken
    return False


class _Tracker:
    """Counts and rate (over the last few batches, so a pause does not skew the estimate for long)."""

    def __init__(self, library: Library, waiting: Callable[[], int] = lambda: 0) -> None:
        self.library, self.waiting = library, waiting  # ``waiting``: pending photos the run leaves
        self.start = time.monotonic()
        self.done = self.indexed = self.errors = 0
        self.marks: deque[tuple[float, int]] = deque([(self.start, 0)], maxlen=8)
        self.remaining = library.pending_count()

    def batch_done(self, results: Sequence[IndexedPhoto | FailedPhoto], added: list[int]) -> None:
        self.done += len(results)
        self.indexed += len(added)
        self.errors += sum(isinstance(r, FailedPhoto) for r in results)
        self.marks.append((time.monotonic(), self.done))
        self.remaining = max(0, self.library.pending_count() - self.waiting())

    def progress(self) -> Progress:
        (t0, d0), (t1, d1) = self.marks[0], self.marks[-1]
        rate = (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0
        return Progress(
            self.done, self.done + self.remaining, self.indexed, self.errors, rate, t1 - self.start
        )
