"""Thumbnails for the grid, loaded off the GUI thread for the rows being painted.

The indexer writes a 256 px PNG per photo into the freedesktop.org cache (``photoscope.library.thumbnails``);
reading one is a millisecond. A photo with no thumbnail yet (or a stale one, or a query photo from
outside the library) is decoded from the file itself with the pipeline's ``load_photo``.

Requests come from the model's ``data()`` as rows are painted, so only visible rows ask. The newest
request is served first and old ones are forgotten beyond a limit: flinging through 100,000 results
loads what is on screen now, not everything scrolled past. Decoding makes a ``QImage`` in a loading
thread, with Pillow only (Qt's image readers there deadlocked with the GUI thread, see
``read_cached``); the GUI thread turns it into a ``QPixmap`` (which only it may create) kept in a
small LRU.
"""

from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from photoscope.api import NOT_AT_ITS_PATH, file_state, is_under, load_photo, release_freed_memory
from photoscope.api import THUMBNAIL_SIZE as LARGE_SIZE
from photoscope.api import current_thumbnail_png as current_png


def pil_to_qimage(image: Image.Image) -> QImage:
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    # copy(): the QImage must own its pixels, ``data`` is freed when this function returns.
    return QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()


def qimage_to_pil(image: QImage) -> Image.Image:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    raw = bytes(rgb.constBits())  # rows may be padded to 4 bytes: bytesPerLine says by how much
    return Image.frombuffer("RGB", (rgb.width(), rgb.height()), raw, "raw", "RGB", rgb.bytesPerLine(), 1)


def read_cached(photo: str, mtime: float | None, root: Path | None = None) -> QImage | None:
    """The cached thumbnail if it exists and was made from this version of the photo (else the photo
    is decoded meanwhile)."""
    data = current_png(photo, mtime, root)
    if data is None:
        return None
    # Pillow, not QImage.fromData: Qt's format probe holds the GIL while it takes Qt's signal-slot
    # lock, and the GUI thread, destroying a QObject, holds that lock while it waits for the GIL.
    try:
        with Image.open(io.BytesIO(data)) as png:
            return pil_to_qimage(png)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a damaged cache file: decode the photo instead


def decode_photo(photo: str, max_side: int) -> QImage:
    """Decode a photo file (any format the indexer reads) to at most ``max_side`` pixels."""
    image = load_photo(photo, min_side=max_side)
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return pil_to_qimage(image)


def load_thumbnail(photo: str, mtime: float | None, root: Path | None = None) -> QImage:
    """A grid thumbnail: the cached one, else decoded from the photo; a null image if unreadable."""
    cached = read_cached(photo, mtime, root)
    if cached is not None:
        return cached
    try:
        return decode_photo(photo, LARGE_SIZE)
    except Exception:  # unreadable photos get the "broken" tile, never an exception in a pool thread
        return QImage()


# What the cache may hold: a screen of the largest tiles (256 px) several times over, about 500
# thumbnails of camera photos. Held to 1,500 thumbnails, a library scrolled through once held 240 MB
# (the speed audit of stop 46); one scrolled back to is read again from the disk cache in a few ms.
CACHE_BYTES = 96 * 1024 * 1024
RELEASE_AFTER_MS = 3000


def _bytes_of(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * max(pixmap.depth(), 8) // 8


class ThumbnailLoader(QObject):
    """``pixmap(path, mtime)`` answers from the cache or queues a load; ``loaded`` says when it is in.

    The GUI thread and the loading threads share one GIL, and every call from Qt into Python (a
    delegate's paint, a model's ``data()``) must take it back: a loading thread running Python while
    a screen of tiles is painted makes each of those calls wait. So the threads are woken once the
    event that asked has finished (not at each tile's request), and what they load comes back in
    batches: one queued event for everything loaded meanwhile, one ``batch_loaded`` for the models
    (one repaint), instead of an event and a repaint per tile.
    """

    loaded = Signal(str)  # one per thumbnail, for single views (the search chip)
    batch_loaded = Signal(list)  # the paths loaded since the last batch, for the grids
    _ready = Signal()  # from a loading thread: results wait in ``_done``

    def __init__(
        self,
        capacity_bytes: int = CACHE_BYTES,
        threads: int = 2,
        pending_limit: int = 300,
        root: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.capacity_bytes, self.threads = capacity_bytes, threads
        self.pending_limit, self.root = pending_limit, root
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        # The file time each thumbnail held (or each failure) was read for: a photo edited in place
        # is asked for with its new time, and read again (audit 86: its old tile stayed on).
        self._read_for: dict[str, float | None] = {}
        self._cached_bytes = 0
        self._on_screen: dict[str, int] = {}  # how many tiles each view can show at once
        self._failed: set[str] = set()
        # Photos whose file was not at its path when their thumbnail was read (``missing``): the
        # grid marks their tiles. Looked at by the loading thread, a stat beside each thumbnail read.
        self._missing: set[str] = set()
        self._lock = threading.Lock()  # guards what follows, shared with the loading threads
        self._work = threading.Condition(self._lock)
        self._wanted: OrderedDict[str, float | None] = OrderedDict()  # newest last
        self._in_flight: set[str] = set()
        self._kept: set[str] = set()  # wanted paths ``forget_pending`` leaves (``pixmap(keep=True)``)
        self._done: list[tuple[str, float | None, QImage, bool]] = []  # ..., and whether missing
        self._workers: list[threading.Thread] = []
        self._waiting = 0  # threads asleep on ``_work``
        self._closed = False
        self._wake_queued = False
        self._ready.connect(self._store, Qt.ConnectionType.QueuedConnection)
        # Once loading has been quiet a moment, what decoding and the thumbnails let go is handed
        # back to the system (``release_freed_memory``: 150 MB after a library scrolled through),
        # on a thread of its own: it takes about 170 ms (the review of stop 46).
        self._release = QTimer(self, singleShot=True, interval=RELEASE_AFTER_MS)
        self._release.timeout.connect(self._release_freed_memory)

    def pixmap(self, path: str, mtime: float | None = None, keep: bool = False) -> QPixmap | None:
        """The thumbnail if loaded (None meanwhile, and for unreadable photos: see ``failed``).
        ``keep``: the request outlives ``forget_pending`` (the search chip's, not a grid's tile)."""
        pixmap = self._cache.get(path)
        if pixmap is not None:
            self._cache.move_to_end(path)
            if self._newer(path, mtime):  # the old thumbnail shows until the new one is in
                self.request(path, mtime, keep)
            return pixmap
        if path not in self._failed or self._newer(path, mtime):
            self.request(path, mtime, keep)
        return None

    def _newer(self, path: str, mtime: float | None) -> bool:
        """Whether ``mtime`` names another version of the photo than the one read (None: any)."""
        return mtime is not None and self._read_for.get(path) != mtime

    def failed(self, path: str) -> bool:
        return path in self._failed

    def missing(self, path: str) -> bool:
        """Whether the photo's file was not at its path (``api.file_state``) when its thumbnail was
        read: a drive unplugged, or moved or deleted since (the library keeps it)."""
        return path in self._missing

    def look_again(self, offline: Sequence[str] = ()) -> None:
        """The photos said missing, and those read below the folders that went ``offline``, are read
        again when next shown: a drive plugged back in, or unplugged while the window was open
        (audit 99, repro_1: no tile said "missing"), or the library read again after a scan."""
        below = [p for p in self._read_for if any(is_under(p, folder) for folder in offline)]
        for path in [*self._missing, *below]:  # its tile shows what it showed until the new reading is in
            self._read_for.pop(path, None)
            self._failed.discard(path)

    def request(self, path: str, mtime: float | None = None, keep: bool = False) -> None:
        with self._lock:
            if self._closed or path in self._in_flight:
                return
            self._wanted[path] = mtime
            self._wanted.move_to_end(path)
            if keep:
                self._kept.add(path)
            over = len(self._wanted) - self.pending_limit
            if over > 0:  # the oldest were scrolled past long ago
                for old in [p for p in self._wanted if p not in self._kept][:over]:
                    del self._wanted[old]
            if self._wake_queued:
                return
            self._wake_queued = True
        # After the event asking (a paint asks for every new tile) is done: a thread woken now would
        # take the GIL from the painting between two tiles.
        QTimer.singleShot(0, self._wake)

    def _wake(self) -> None:
        with self._lock:
            self._wake_queued = False
            if self._closed or not self._wanted:
                return
            if self._waiting:
                self._work.notify(min(self._waiting, len(self._wanted)))
            start = len(self._workers) < self.threads and len(self._wanted) > self._waiting
            if start:
                worker = threading.Thread(target=self._run, name="photoscope-thumbnails", daemon=True)
                self._workers.append(worker)
        if start:
            worker.start()

    def _run(self) -> None:
        """A loading thread: the newest request first (what is on screen now), until shut down."""
        while True:
            with self._lock:
                while not self._wanted and not self._closed:
                    self._waiting += 1
                    self._work.wait()
                    self._waiting -= 1
                if self._closed:
                    return
                path, mtime = self._wanted.popitem(last=True)
                self._in_flight.add(path)
            image = load_thumbnail(path, mtime, self.root)
            missing = file_state(path) in NOT_AT_ITS_PATH
            with self._lock:
                first = not self._done
                self._done.append((path, mtime, image, missing))
            if first:  # the GUI thread takes everything loaded by the time it gets to it
                try:
                    self._ready.emit()
                except RuntimeError:  # the loader went with its window while this photo decoded
                    return

    @Slot()
    def _store(self) -> None:
        with self._lock:
            done, self._done = self._done, []
            for path, *_ in done:
                self._in_flight.discard(path)
                self._kept.discard(path)
        if not done:
            return
        for path, mtime, image, missing in done:
            self._read_for[path] = mtime
            if missing:
                self._missing.add(path)
            else:
                self._missing.discard(path)
            if image.isNull():
                self._failed.add(path)
            else:
                self._failed.discard(path)
                self._keep(path, QPixmap.fromImage(image))
        self._release.start()
        paths = [path for path, *_ in done]
        self.batch_loaded.emit(paths)
        for path in paths:
            self.loaded.emit(path)

    def _release_freed_memory(self) -> None:
        threading.Thread(
            target=lambda: release_freed_memory(), name="photoscope-release", daemon=True
        ).start()

    def keep_on_screen(self, view: str, tiles: int) -> None:
        """``view`` can show ``tiles`` thumbnails at once: the cache keeps at least twice that many
        of the most recently asked for, whatever their bytes (a 4K screen of the smallest tiles
        shows 800, more than the bytes hold: evicted, each would be asked for again at the next
        paint, and loaded again and again)."""
        self._on_screen[view] = tiles

    def _keep(self, path: str, pixmap: QPixmap) -> None:
        """Cache ``pixmap`` as the newest; the least recently asked for are let go while the cache
        holds over its bytes and more than the views' screens need (``keep_on_screen``: what is on
        screen was asked for at its last paint, after anything scrolled out of it)."""
        old = self._cache.pop(path, None)
        if old is not None:
            self._cached_bytes -= _bytes_of(old)
        self._cache[path] = pixmap
        self._cached_bytes += _bytes_of(pixmap)
        floor = 2 * sum(self._on_screen.values())
        while self._cached_bytes > self.capacity_bytes and len(self._cache) > floor:
            let_go, gone = self._cache.popitem(last=False)
            self._cached_bytes -= _bytes_of(gone)
            self._read_for.pop(let_go, None)

    def forget_pending(self) -> None:
        """Drop queued loads (a new result set replaces the rows that asked for them), but the kept."""
        with self._lock:
            for path in [p for p in self._wanted if p not in self._kept]:
                del self._wanted[path]

    def shutdown(self, wait_ms: int = 10_000) -> None:
        with self._lock:
            self._closed = True
            self._wanted.clear()
            self._work.notify_all()
            workers = list(self._workers)
        deadline = time.monotonic() + wait_ms / 1000
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
