"""What every part of the API stands on: the library file, the network and the in-memory vectors,
each opened or built on first use, and the vectors kept in step with the indexer's changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.config import default_db_path, default_model_dir
from photoscope.library.connection import Upgrade
from photoscope.library.db import Library

if TYPE_CHECKING:
    from photoscope.api.service import SearchService
    from photoscope.library.indexer import IndexWorker
    from photoscope.library.scanner import ScanReport
    from photoscope.library.watcher import FolderWatcher
    from photoscope.network import ModelIdentity, PhotoscopeModel
    from photoscope.search.ranking import SearchEngine
    from photoscope.search.vectors import VectorStore


class Core:
    """The state the API's parts share (``Photoscope`` is all of them together)."""

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
        self._adopted_for: str | None = None  # the model whose ``adopt_vectors`` has run
        self._watcher: FolderWatcher | None = None
        self._folders_went_away = False  # the indexer found a photo's folder away (``_check_roots``)
        self._service: SearchService | None = None
        self._show: Callable[[str | None], None] | None = None  # a window's, asked by another start
        self._on_changes: Callable[[ScanReport], None] | None = None
        self._data_version: int | None = None  # the library's, at the last ``changed_elsewhere``

    @cached_property
    def model(self) -> PhotoscopeModel:
        """The network, imported and built on first use (its weights load lazily too)."""
        from photoscope.network import PhotoscopeModel

        return PhotoscopeModel(self._model_dir)

    def model_version(self) -> str:
        """The model's version as the index records it: the loaded network's, else read from its
        bundle's file without PyTorch (raises ``BundleError`` for a missing or damaged bundle)."""
        if self.model_ready:
            return self.model.version
        from photoscope.network import model_version_of

        return model_version_of(self._model_dir or default_model_dir())

    def model_identity(self) -> ModelIdentity | None:
        """The model's version and vector sizes: the loaded network's, else read from its bundle's
        file (importing PyTorch to build the network takes 2 s: ``doctor`` and ``map photos`` need
        only these); None without a model (a missing bundle)."""
        from photoscope.network import BundleError, ModelIdentity, model_identity_of

        if self.model_ready:
            model = self.model
            return ModelIdentity(model.version, model.latent_dim, model.bundle.encoder.feature_dim)
        try:
            return model_identity_of(self._model_dir or default_model_dir())
        except (BundleError, OSError, ValueError, KeyError):
            return None

    @cached_property
    def library(self) -> Library:
        """The library database, opened on first use (captioning a file needs none)."""
        return Library(self._db_path)

    def changed_elsewhere(self) -> bool:
        """Whether another process wrote the library since the last call (False at the first): a
        rule `photoscope folders exclude` set took photos out, and a window open on the library kept
        counting and showing them, as no file changed for its watcher to see (audit 80). A library
        that cannot be read now (another Photoscope holds it, it is damaged, its drive went) says no
        change: the next read of it meets what is wrong and says so once. Raised, it asked the window's
        repair question behind its own check and repair (stop 63's CI hung on that dialog)."""
        import sqlite3

        from photoscope.library.errors import LibraryError

        try:
            version = self.library.data_version()
        except (LibraryError, sqlite3.Error, OSError):
            return False
        before, self._data_version = self._data_version, version
        return before is not None and version != before

    @property
    def library_path(self) -> Path:
        return self._db_path

    @property
    def library_read_only(self) -> bool:
        """The library's folder or disk cannot be written: it is searched, never indexed or changed."""
        return self.library.read_only

    @property
    def library_upgraded(self) -> Upgrade | None:
        """What opening the library did when an older Photoscope wrote it: upgraded it (which older
        versions then cannot open) and kept a copy of the older file; None for a library of today's."""
        return self.library.upgraded

    @property
    def library_disk_full(self) -> bool:
        """The library is read-only as its disk is full (``library_read_only``)."""
        return self.library.full_disk

    @property
    def model_ready(self) -> bool:
        """The network is built (PyTorch imported): a search now costs milliseconds, not seconds."""
        return "model" in self.__dict__

    # the in-memory vectors, loaded on first use and then kept in step

    @property
    def store(self) -> VectorStore:
        """The library's vectors, loaded on first use (under the lock, so the indexer's updates
        made meanwhile wait for the load instead of being lost)."""
        with self._store_lock:
            if self._store is None:
                self._store = self._load_store()
            else:
                self._take_in_other_writers()
            return self._store

    def load_vectors(self) -> None:
        """Load the library's vectors now rather than at the first search, so that it does not wait
        for them (vectors the indexer writes before are read with the rest, after it into the store)."""
        _ = self.store

    def _take_in_other_writers(self) -> None:
        """Photos another process indexed or dropped since (a `photoscope index` while the window or
        `index --watch` runs, which answers `photoscope search`): read from the database's change
        log (``MappedStore.catch_up``: all but what this process's indexer handed over already)."""
        from photoscope.search.sidecar import MappedStore

        store = self._store
        if isinstance(store, MappedStore) and not store.catch_up(self.library, self.model.version):
            self._store = self._load_store()  # the log no longer reaches back: read it all again

    def _load_store(self) -> VectorStore:
        from photoscope.search.sidecar import open_store, sidecar_path
        from photoscope.search.vectors import load_store

        try:  # the vectors' memory-mapped file next to the database, checked against it
            return open_store(
                self.library, self.model.version, self.model.latent_dim, sidecar_path(self._db_path)
            )
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
