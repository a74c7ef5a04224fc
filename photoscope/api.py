"""What Photoscope can do: the one core API that the CLI and the desktop app both call.

It ties the library index (``db``), the model (``model``), the in-memory vectors (``vectors``)
and search (``search``) together, and keeps the vectors in step with the indexer's changes.
Nothing here knows about Qt or the terminal.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from photoscope.config import cache_dir, default_db_path
from photoscope.library.db import Folder, Library, LibraryError, PhotoRecord
from photoscope.library.fs import normalize_path
from photoscope.library.indexer import IndexWorker, ProgressListener
from photoscope.library.indexer import Progress as IndexProgress
from photoscope.library.photos import load_photo
from photoscope.library.scanner import Scanner, ScanReport
from photoscope.library.thumbnails import LARGE_SIZE as THUMBNAIL_SIZE
from photoscope.library.thumbnails import thumbnail_path
from photoscope.library.watcher import FolderWatcher
from photoscope.search.maps import (
    MAX_PHOTOS,
    Layout,
    PhotoMapCache,
    photo_layout,
    render_photos,
    render_words,
    word_layout,
)
from photoscope.search.maps import Progress as MapProgress

if TYPE_CHECKING:
    from photoscope.network import BundleError, DecodeOptions, PhotoscopeModel, torch_threads
    from photoscope.search.ranking import SearchEngine, SearchResult, TextSearchOptions, UnknownWord
    from photoscope.search.vectors import VectorStore
    from photoscope.search.words import UnknownWordError, WordScore, WordSpace
    from photoscope.service import SearchService

# What needs PyTorch is imported on first use, so commands that never run the network (status,
# folders) and the GUI's first window start without it: seconds and hundreds of MB saved.
_LAZY = {
    "BundleError": "photoscope.network",
    "DecodeOptions": "photoscope.network",
    "torch_threads": "photoscope.network",
    "TextSearchOptions": "photoscope.search.ranking",
    "UnknownWord": "photoscope.search.ranking",
    "UnknownWordError": "photoscope.search.words",
    "WordScore": "photoscope.search.words",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The value types the GUI and the CLI use come from here, so neither imports below this door.
__all__ = [
    "THUMBNAIL_SIZE",
    "BundleError",
    "CaptionedPhoto",
    "DecodeOptions",
    "Filters",
    "Folder",
    "IndexProgress",
    "IndexWorker",
    "Layout",
    "LibraryError",
    "MapProgress",
    "Match",
    "ModelInfo",
    "PhotoRecord",
    "Photoscope",
    "Results",
    "ScanReport",
    "TextSearchOptions",
    "UnknownWord",
    "UnknownWordError",
    "WordScore",
    "load_photo",
    "render_photos",
    "render_words",
    "thumbnail_path",
    "torch_threads",
]


@dataclass(frozen=True)
class Filters:
    folder: str | Path | int | None = None
    taken_from: date | str | None = None
    taken_to: date | str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.folder, self.taken_from, self.taken_to))


@dataclass(frozen=True)
class Match:
    """One search result, ready to show: the photo, its score and why it matched."""

    photo: PhotoRecord
    score: float
    near_duplicate: bool = False


@dataclass(frozen=True)
class Results:
    matches: list[Match]
    unknown_words: list[UnknownWord]


@dataclass(frozen=True)
class ModelInfo:
    """The model a library is searched with, as the About box and ``status`` show it."""

    name: str
    version: str
    training_data: str
    metrics: dict[str, float]


@dataclass(frozen=True)
class CaptionedPhoto:
    caption: str
    score: float  # length-normalised log-probability (higher is better, <= 0)


class Photoscope:
    def __init__(
        self,
        db_path: str | Path | None = None,
        model_dir: str | Path | None = None,
        model: PhotoscopeModel | None = None,
    ) -> None:
        self._db_path = Path(db_path or default_db_path())
        self._model_dir = model_dir
        if model is not None:
            self.model = model
        self._store_lock = threading.RLock()
        self._store: VectorStore | None = None
        self._worker: IndexWorker | None = None
        self._watcher: FolderWatcher | None = None
        self._service: SearchService | None = None

    @cached_property
    def model(self) -> PhotoscopeModel:
        """The network, imported and built on first use (its weights load lazily too)."""
        from photoscope.network import PhotoscopeModel

        return PhotoscopeModel(self._model_dir)

    # the library: folders, scanning and indexing

    @cached_property
    def library(self) -> Library:
        """The library database, opened on first use (captioning a file needs none)."""
        return Library(self._db_path)

    def folders(self) -> list[Folder]:
        return self.library.folders()

    def add_folder(self, path: str | Path) -> Folder:
        """Watch a folder; a running background indexer picks it up at once."""
        folder = self.library.add_folder(path)
        if self._watcher is not None:
            self._watcher.refresh()
        return folder

    def remove_folder(self, path: str | Path) -> int:
        """Stop watching a folder; its photos leave the index. Returns how many left."""
        removed = self.library.remove_folder(path)
        self.photos_removed(removed)
        if self._watcher is not None:
            self._watcher.refresh()
        return len(removed)

    def scanner(self) -> Scanner:
        return Scanner(self.library, on_removed=self.photos_removed)

    def indexer(self, on_progress: ProgressListener | None = None, **options: Any) -> IndexWorker:
        """An indexing worker whose results flow into this API's vectors as they are written."""

        def progressed(progress: IndexProgress) -> None:
            if on_progress is not None:
                on_progress(progress)
            if progress.done >= progress.total:  # idle: keep the mapped vectors current
                self.refresh_vectors()

        return IndexWorker(
            self.library, self.model, on_progress=progressed, on_added=self.photos_added, **options
        )

    def start_background(
        self,
        on_progress: ProgressListener | None = None,
        on_changes: Callable[[ScanReport], None] | None = None,
        watch: bool = True,
        catch_up: bool = True,
        **options: Any,
    ) -> IndexWorker:
        """Keep the index current in the background: index what is pending and, with ``watch``,
        follow the folders (``catch_up`` first scans for changes made while the app was closed)."""
        if self._worker is None:
            worker = self._worker = self.indexer(on_progress, **options)
            worker.start()

            def changed(report: ScanReport) -> None:
                if on_changes is not None:
                    on_changes(report)
                worker.wake()

            self._watcher = FolderWatcher(self.library, self.scanner(), on_queued=changed)
            if watch:
                self._watcher.start(catch_up=catch_up)
        return self._worker

    def stop_background(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def status(self) -> dict[str, int]:
        """Photos by state: indexed, pending, error."""
        return self.library.counts()

    def model_versions(self) -> dict[str, int]:
        """Indexed photos by the model version that described them."""
        return self.library.model_versions()

    def pending_count(self) -> int:
        return self.library.pending_count()

    def photos_by_ids(self, ids: Sequence[int]) -> list[PhotoRecord]:
        return self.library.photos_by_ids(list(ids))

    def model_version(self) -> str:
        """The model's version as the index records it (loads the bundle)."""
        return self.model.version

    def model_info(self) -> ModelInfo:
        """The model's name, version and validation metrics (loads the bundle)."""
        bundle = self.model.bundle
        return ModelInfo(bundle.name, bundle.version, bundle.training_data, dict(bundle.metrics))

    def serve(self) -> bool:
        """Answer other processes' searches on this library (``photoscope search`` asks a running app
        first) over a user-only local socket, until ``close()``; False if another process does."""
        from photoscope.service import SearchService

        if self._service is None:
            service = SearchService(self)
            if not service.start():
                return False
            self._service = service
        return True

    def close(self) -> None:
        if self._service is not None:
            self._service.stop()
            self._service = None
        self.stop_background()
        if "library" in self.__dict__:
            self.library.close()

    def __enter__(self) -> Photoscope:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # the in-memory vectors, loaded on first use and then kept in step

    @property
    def store(self) -> VectorStore:
        """The library's vectors, loaded on first use (under the lock, so the indexer's updates
        made meanwhile wait for the load instead of being lost)."""
        with self._store_lock:
            if self._store is None:
                self._store = self._load_store()
            return self._store

    def _load_store(self) -> VectorStore:
        from photoscope.search.sidecar import open_store, sidecar_path
        from photoscope.search.vectors import load_store

        try:  # the vectors' memory-mapped file next to the database, checked against it
            path = sidecar_path(self._db_path)
            return open_store(self.library, self.model.version, self.model.latent_dim, path)
        except OSError:  # a read-only folder, a full disk: load them into memory
            return load_store(self.library, self.model.version, self.model.latent_dim)

    def refresh_vectors(self) -> None:
        """Rewrite the vectors' mapped file if enough changed since (the indexer calls it when idle)."""
        from photoscope.search.sidecar import MappedStore, refresh_sidecar, sidecar_path

        with self._store_lock:
            live = self._store if isinstance(self._store, MappedStore) else None
            try:
                fresh = refresh_sidecar(
                    self.library, self.model.version, self.model.latent_dim, sidecar_path(self._db_path), live
                )
            except OSError:
                return  # the next open rebuilds it
            if fresh is not None and self._store is not None:
                self._store = fresh

    @property
    def engine(self) -> SearchEngine:
        from photoscope.search.ranking import SearchEngine

        return SearchEngine(self.model, self.store)

    def photos_added(self, ids: Sequence[int]) -> None:
        """Indexer listener: (re)load these photos' vectors into the store."""
        with self._store_lock:
            if self._store is None or not ids:
                return  # not loaded yet: it will read them from the database when it is
            from photoscope.search.vectors import read_vectors

            self._store.upsert(*read_vectors(self.library, self.model.version, ids), copy=False)

    def photos_removed(self, ids: Sequence[int]) -> None:
        with self._store_lock:
            if self._store is not None:
                self._store.remove(ids)

    def errors(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, reason) of the photos that could not be indexed."""
        return self.library.errors(limit)

    @property
    def library_path(self) -> Path:
        return self._db_path

    # search

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or not filters.active:
            return None
        ids = self.library.photo_ids(filters.folder, filters.taken_from, filters.taken_to)
        return np.asarray(ids, dtype=np.int64)

    def _results(self, result: SearchResult) -> Results:
        records = {p.id: p for p in self.library.photos_by_ids([h.photo_id for h in result.hits])}
        matches = [
            Match(records[h.photo_id], h.score, h.photo_id in result.near_duplicates)
            for h in result.hits
            if h.photo_id in records
        ]
        return Results(matches, result.unknown_words)

    def search_text(
        self,
        text: str,
        limit: int = 50,
        filters: Filters | None = None,
        options: TextSearchOptions | None = None,
    ) -> Results:
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_text(text, limit, allowed, options)
        return self._results(result)

    def search_photo(
        self, photo: str | Path | Image.Image, limit: int = 50, filters: Filters | None = None
    ) -> Results:
        """Photos like ``photo`` (a path anywhere, or an image); the photo itself is left out."""
        image = photo if isinstance(photo, Image.Image) else load_photo(photo)
        feature = self.model.embed([image])[0].feature
        exclude = self._library_ids_of(photo)
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_vector(feature, limit, allowed, exclude)
        return self._results(result)

    def similar_to(self, photo_id: int, limit: int = 50, filters: Filters | None = None) -> Results:
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_similar_to(photo_id, limit, allowed)
        return self._results(result)

    def _library_ids_of(self, photo: str | Path | Image.Image) -> list[int]:
        if isinstance(photo, Image.Image):
            return []
        found = self.library.files_at([normalize_path(photo)])
        return [f.id for f in found.values()]

    # the network's words

    @cached_property
    def words(self) -> WordSpace:
        from photoscope.search.words import WordSpace

        if "model" in self.__dict__:
            return WordSpace(self.model)
        from photoscope.network import load_lexicon

        return WordSpace(load_lexicon(self._model_dir))  # from the bundle's files: no PyTorch

    def similar_words(self, word: str, limit: int = 10) -> list[WordScore]:
        """Words the network uses like ``word``; raises ``UnknownWordError``."""
        return self.words.similar(word, limit)

    def analogy(self, a: str, b: str, c: str, limit: int = 5) -> list[WordScore]:
        """a is to b as c is to ?; raises ``UnknownWordError``."""
        return self.words.analogy(a, b, c, limit)

    def word_map(self, count: int = 300) -> Layout:
        """The most frequent known words laid out by their embeddings."""
        space = self.words
        words = space.words[:count]  # the vocabulary is sorted by frequency
        return word_layout(words, space.vectors[: len(words)])

    # maps

    def photo_map(self, progress: MapProgress | None = None, limit: int = MAX_PHOTOS) -> Layout:
        """The library's photos laid out by their latents (cached; sampled above ``limit``)."""
        ids, latents = self.library.load_vectors("latent", model_version=self.model.version)
        cache = PhotoMapCache(
            cache_dir() / "maps" / hashlib.sha1(str(self.library.path).encode()).hexdigest()[:10]
        )
        return photo_layout(ids, latents, cache, self.model.version, limit, progress)

    def thumbnail(self, photo_id: int) -> Image.Image | None:
        """The photo's grid thumbnail from the shared cache, else decoded small from the photo itself;
        None if the photo is unknown or unreadable (an offline drive, say)."""
        records = self.library.photos_by_ids([photo_id])
        if not records:
            return None
        try:
            with Image.open(thumbnail_path(records[0].path)) as image:
                return image.convert("RGB")
        except OSError:
            pass
        try:
            photo = load_photo(records[0].path, min_side=THUMBNAIL_SIZE)
        except (OSError, ValueError):
            return None
        photo.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        return photo

    def caption(
        self, photos: Sequence[Image.Image], options: DecodeOptions | None = None
    ) -> list[CaptionedPhoto]:
        """The caption the index would store for each photo (they need not be in the library)."""
        return [CaptionedPhoto(d.caption, d.caption_score) for d in self.model.describe(photos, options)]
