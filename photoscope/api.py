"""What Photoscope can do: the one core API that the CLI and the desktop app both call.

It ties the library index (``db``), the model (``model``), the in-memory vectors (``vectors``)
and search (``search``) together, and keeps the vectors in step with the indexer's changes.
Nothing here knows about Qt or the terminal.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from photoscope.config import cache_dir, default_db_path
from photoscope.library.db import (  # what can go wrong, by kind (the CLI maps each to an exit status)
    Folder,
    Library,
    LibraryBusy,
    LibraryDamaged,
    LibraryError,
    LibraryTooNew,
    LibraryUnwritable,
    PhotoRecord,
    translate_sqlite_error,
)
from photoscope.library.doctor import DoctorReport, examine
from photoscope.library.exclusions import ExclusionRule, Stash, rule_for
from photoscope.library.fs import normalize_path
from photoscope.library.indexer import IndexWorker, ProgressListener
from photoscope.library.indexer import Progress as IndexProgress
from photoscope.library.photos import describe_error, load_photo
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
    from photoscope.network import BundleError, DecodeOptions, Namer, PhotoscopeModel, torch_threads
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
# A query whose known words are all function words or numbers ("a giraffe" with "giraffe" unknown)
# carries nothing the network can rank by: it finds nothing (the network's FUNCTION_WORDS plus these).
NUMBERS = frozenset({"one", "two", "three"})

__all__ = [
    "GROUPINGS",
    "SORTS",
    "THUMBNAIL_SIZE",
    "BundleError",
    "CaptionedPhoto",
    "DecodeOptions",
    "DoctorReport",
    "ExclusionRule",
    "Filters",
    "Folder",
    "IndexProgress",
    "IndexWorker",
    "Layout",
    "LibraryBusy",
    "LibraryDamaged",
    "LibraryError",
    "LibraryTooNew",
    "LibraryUnwritable",
    "MapProgress",
    "Match",
    "ModelInfo",
    "MonthGroup",
    "PhotoRecord",
    "Photoscope",
    "QueryTerm",
    "Results",
    "ScanReport",
    "TextSearchOptions",
    "Timeline",
    "UnknownWord",
    "UnknownWordError",
    "WordScore",
    "describe_error",
    "load_photo",
    "photo_concepts",
    "relevance",
    "render_photos",
    "render_words",
    "thumbnail_path",
    "torch_threads",
    "translate_sqlite_error",
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
    strength: float = 1.0  # how strongly it matches, 0..1, comparable between text and photo queries


@dataclass(frozen=True)
class Results:
    matches: list[Match]
    unknown_words: list[UnknownWord]
    relevant: int = 0  # the first ``relevant`` matches are likely relevant (see ``relevance``)
    undated: int = 0  # with a date filter: matches placed by their file's time (no date taken)


KNEE_SPAN = 200  # the knee is sought among this many best scores
MIN_BLOCK = 8  # a block of best scores above a cliff is searched on its own from this size


def relevance(scores: Sequence[float], copies: int = 0) -> tuple[int, list[float]]:
    """How many of these best-first scores are likely relevant, and each one's strength in 0..1.

    A rule on the score curve, not a calibrated threshold. Among the best ``KNEE_SPAN`` scores (or,
    when the best stand as a block above a cliff, as text search lifts its re-ranked best 50 above
    the rest, among that block) relevant are those in the upper half between the typical score (the
    median) and the best, and at least those before the knee of the curve (the point furthest below
    the chord from the best to the last, Kneedle); at least one, and at least the ``copies``.
    Strength is the score's place between the median of all the scores given and the best: 1 for the
    best, 0 at or below the median; rank-based within one query, so text and photo queries read alike.
    """
    s = np.asarray(scores, dtype=np.float64)
    n = len(s)
    if n == 0:
        return 0, []
    floor = float(np.median(s)) if n >= 8 else float(s[-1])
    span = float(s[0]) - floor
    strength = [float(v) for v in (np.clip((s - floor) / span, 0.0, 1.0) if span > 1e-9 else np.ones(n))]
    top = s[: min(n, KNEE_SPAN)]
    if len(top) > 2:
        cliff = int(np.argmax(top[:-1] - top[1:])) + 1  # the end of the block above the largest drop
        if MIN_BLOCK <= cliff < len(top):
            top = top[:cliff]
    if len(top) < 3:
        return max(len(top), copies), strength
    if top[0] - top[-1] <= 1e-9:
        return max(1, copies), strength
    x = np.arange(len(top)) / (len(top) - 1)
    y = (top - top[-1]) / (top[0] - top[-1])
    knee = int(np.argmax((1.0 - x) - y))  # furthest below the chord
    upper = int(np.sum(top >= (top[0] + float(np.median(top))) / 2))
    return max(1, knee, upper, copies), strength


@dataclass(frozen=True)
class MonthGroup:
    """One header of the browsing grid: a month (or a folder, a letter) and where its photos are."""

    label: str
    start: int  # index of its first photo in ``Timeline.ids``
    count: int


@dataclass(frozen=True)
class Timeline:
    """Every photo of the library in browsing order, cheap to hold at 100,000 photos: ids, paths and
    times as arrays; the full records are fetched a page at a time (``photos_by_ids``)."""

    ids: np.ndarray  # int64
    paths: list[str]
    mtimes: list[float]
    groups: list[MonthGroup]
    sort: str
    undated: int  # photos without a date taken, placed by their file's time


SORTS = ("newest", "oldest", "name", "folder")
GROUPINGS = ("month", "folder", "none")


@dataclass(frozen=True)
class QueryTerm:
    """One term of a combined query (``Photoscope.search_terms``): a text, or a photo (a file, an
    image, or a library photo's id), with a weight, added or (``negative``) taken away."""

    text: str | None = None
    photo: str | Path | Image.Image | int | None = None
    weight: float = 1.0
    negative: bool = False

    def __post_init__(self) -> None:
        if (self.text is None) == (self.photo is None):
            raise ValueError("a query term is either a text or a photo")
        if not self.weight >= 0:
            raise ValueError("a query term's weight is 0 or more (mark it negative to take it away)")


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
    concepts: tuple[tuple[str, float], ...] = ()  # what the encoder's ImageNet head sees, in words


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
        self._on_changes: Callable[[ScanReport], None] | None = None

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
        return Scanner(self.library, on_removed=self.photos_removed, stash=self._exclusion_stash)

    # exclusions: subfolders, glob patterns and ignore files the index leaves out (library.exclusions)

    @cached_property
    def _exclusion_stash(self) -> Stash:
        """What rules took out this session, kept while the vectors are loaded (so it comes back
        without being encoded again)."""
        return Stash(lambda: self.model.version if self._store is not None else None, self.photos_added)

    def exclusion_rules(self) -> list[ExclusionRule]:
        return self.library.exclusion_rules()

    def exclude(
        self, path: str | Path | None = None, pattern: str | None = None, folder: str | Path | None = None
    ) -> ScanReport:
        """Leave out a subfolder ``path``, or files matching a glob ``pattern`` in the watched
        ``folder`` (all of them when None); their photos leave the index now. Raises ``ValueError``."""
        return self._set_rules(path, pattern, folder, True)

    def include(
        self, path: str | Path | None = None, pattern: str | None = None, folder: str | Path | None = None
    ) -> ScanReport:
        """Drop an exclusion rule; its photos come back (those taken out this session, unchanged,
        without being encoded again; the others pending)."""
        return self._set_rules(path, pattern, folder, False)

    def _set_rules(
        self, path: str | Path | None, pattern: str | None, folder: str | Path | None, present: bool
    ) -> ScanReport:
        roots = [f.path for f in self.folders()]
        rules = rule_for(
            roots, None if path is None else str(path), pattern, None if folder is None else str(folder)
        )
        changed = [r for r in rules if self.library.set_exclusion_rule(r, present)]
        targets = {str(Path(r.folder) / r.pattern) if r.kind == "folder" else r.folder for r in changed}
        report = self.scanner().scan(sorted(targets)) if targets else ScanReport()
        if report.queued and self._worker is not None:
            self._worker.wake()
        return report

    def indexer(self, on_progress: ProgressListener | None = None, **options: Any) -> IndexWorker:
        """An indexing worker whose results flow into this API's vectors as they are written."""

        def progressed(progress: IndexProgress) -> None:
            if on_progress is not None:
                on_progress(progress)
            if progress.done >= progress.total:  # idle: keep the mapped vectors current
                self.refresh_vectors()
                self.redescribe()  # captions an older caption rule wrote, from the stored vectors

        return IndexWorker(
            self.library, self.model, on_progress=progressed, on_added=self.photos_added, **options
        )

    def redescribe(self, batch: int = 256, limit: int | None = None) -> int:
        """Re-caption indexed photos whose caption an older caption rule wrote (a library indexed
        before the encoder head's concepts, say) from their stored vectors: the decoder runs again,
        the encoder does not. Stops early when photos are waiting to be indexed (the next idle moment
        goes on). Returns how many photos got a new caption."""
        import torch

        from photoscope.search.vectors import read_vectors

        model = self.model
        version = getattr(model, "description_version", None)
        if version is None or not hasattr(model, "describe_vectors"):  # a stand-in model (tests)
            return 0
        done, after = 0, 0
        while limit is None or done < limit:
            ids = self.library.stale_descriptions(version, model.version, batch, after)
            if not ids or (done and self.library.pending_count()):
                break
            after = ids[-1]
            found_ids, latents, features, _ = read_vectors(self.library, model.version, ids)
            if not found_ids:
                continue
            described = model.describe_vectors(
                torch.from_numpy(np.asarray(features, np.float32)), torch.from_numpy(np.asarray(latents))
            )
            rows = [(i, d.text, d.score) for i, d in zip(found_ids, described, strict=True)]
            self.library.write_descriptions(rows, version)
            done += len(rows)
        return done

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
            if self._watcher is None:  # else already following the folders (``watch``)
                self._on_changes = on_changes
                self._watcher = FolderWatcher(self.library, self.scanner(), on_queued=self._changed)
                if watch:
                    self._watcher.start(catch_up=catch_up)
        return self._worker

    def watch(self, on_changes: Callable[[ScanReport], None] | None = None) -> None:
        """Follow the folders from now on (no catch-up scan): changes are scanned as they happen and
        the background worker, once started, is woken for them. ``index --watch`` starts this before
        its first scan, so photos copied in during a long first indexing are not missed."""
        if self._watcher is None:
            self._on_changes = on_changes
            self._watcher = FolderWatcher(self.library, self.scanner(), on_queued=self._changed)
            self._watcher.start(catch_up=False)

    def _changed(self, report: ScanReport) -> None:
        if self._on_changes is not None:
            self._on_changes(report)
        if self._worker is not None:
            self._worker.wake()

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

    def open(self) -> Photoscope:
        """Open the library now, so a damaged, newer or unwritable file is said at once (raises the
        ``LibraryError`` of its kind) instead of by whichever call touches it first."""
        self.library  # noqa: B018 - opening is the point
        return self

    def doctor(self, repair: bool = False) -> DoctorReport:
        """Check the library's integrity (SQLite, text index, vectors against photos, thumbnails, model
        version, backup); with ``repair``, rebuild what can be rebuilt (``library.doctor``). What is
        open is closed first and reopened on next use: a repair may move a damaged file aside."""
        self.stop_background()
        if "library" in self.__dict__:
            self.library.close()
            del self.__dict__["library"]
        with self._store_lock:
            self._store = None
        try:
            version, latent_dim = self.model.version, self.model.latent_dim
        except Exception:  # no model (a missing bundle): the checks that need it are skipped
            version, latent_dim = None, None
        return examine(self._db_path, repair, latent_dim=latent_dim, model_version=version)

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

    def errors(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, reason) of the photos that could not be indexed."""
        return self.library.errors(limit)

    def scan_problems(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, reason) of what the scans could not look at (kept as it was) or cannot index (a file
        name that is not UTF-8): with ``errors`` it accounts for every file that is not indexed."""
        return self.library.problems(limit)

    @property
    def library_path(self) -> Path:
        return self._db_path

    # browsing: the whole library in order, without a query

    def timeline(self, sort: str = "newest", group: str = "month") -> Timeline:
        """Every photo (but the unreadable ones) sorted ``newest``/``oldest`` (date taken, else the
        file's time), by ``name`` or by ``folder``, with headers by ``month``, ``folder`` or ``none``."""
        rows = self.library.browse_rows()  # (id, path, folder id, date key, mtime, has date taken)
        if sort == "oldest":
            rows.sort(key=lambda r: (r[3], r[1]))
        elif sort == "name":
            rows.sort(key=lambda r: (os.path.basename(r[1]).lower(), r[1]))
        elif sort == "folder":
            rows.sort(key=lambda r: (os.path.dirname(r[1]).lower(), os.path.basename(r[1]).lower()))
        else:
            rows.sort(key=lambda r: (r[3], r[1]), reverse=True)
        groups: list[MonthGroup] = []
        label_of: Callable[[tuple[Any, ...]], str] | None = None
        if group == "month":
            label_of = _month_label
        elif group == "folder":
            label_of = lambda r: os.path.dirname(r[1])  # noqa: E731
        if label_of is not None:
            last = None
            for i, row in enumerate(rows):
                label = label_of(row)
                if label != last:
                    groups.append(MonthGroup(label, i, 0))
                    last = label
            ends = [g.start for g in groups[1:]] + [len(rows)] if groups else []
            groups = [
                MonthGroup(g.label, g.start, end - g.start) for g, end in zip(groups, ends, strict=True)
            ]
        return Timeline(
            np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
            [r[1] for r in rows],
            [r[4] for r in rows],
            groups,
            sort,
            sum(1 for r in rows if not r[5]),
        )

    def folder_choices(self) -> list[tuple[str, int, int]]:
        """(directory, depth below its watched folder, photos below it) of each watched folder and
        every subfolder holding photos, in tree order: the choices of the folder filter."""
        counts: dict[str, int] = {}
        roots = [f.path for f in self.library.folders()]
        for row in self.library.browse_rows():
            directory = os.path.dirname(row[1])
            root = next(
                (r for r in roots if directory == r or directory.startswith(r.rstrip(os.sep) + os.sep)), None
            )
            if root is None:
                continue
            while True:
                counts[directory] = counts.get(directory, 0) + 1
                if directory == root or len(directory) <= len(root):
                    break
                directory = os.path.dirname(directory)
        choices = []
        for root in roots:
            below = sorted(d for d in counts if d == root or d.startswith(root.rstrip(os.sep) + os.sep))
            for d in below or [root]:
                depth = 0 if d == root else d[len(root.rstrip(os.sep)) :].count(os.sep)
                choices.append((d, depth, counts.get(d, 0)))
        return choices

    def remove_photos(self, ids: Sequence[int]) -> None:
        """Take photos out of the index at once (the app moved their files to the trash): searches
        and counts stop showing them without waiting for the watcher."""
        self.library.delete_photos(list(ids))
        self.photos_removed(ids)

    def duplicate_groups(self, threshold: float = 0.97, block: int = 1024) -> list[list[int]]:
        """Groups of near-duplicate photos (encoder features with cosine >= ``threshold``: resized,
        recompressed or lightly edited copies), largest first. Compares every pair a block at a time:
        about N^2 x 1280 multiply-adds (a few seconds at 20,000 photos on a laptop)."""
        import torch

        with self._store_lock:
            store = self.store
            ids = store.ids
            features = store.vectors("feature")
            parent = list(range(len(ids)))

            def find(i: int) -> int:
                while parent[i] != i:
                    parent[i] = parent[parent[i]]
                    i = parent[i]
                return i

            for lo in range(0, len(ids), block):
                rows = features[lo : lo + block].float()
                sims = rows @ features[lo:].float().T
                pairs = torch.nonzero(sims >= threshold)
                for a, b in pairs.tolist():
                    i, j = lo + a, lo + b
                    if i < j:
                        parent[find(i)] = find(j)
        groups: dict[int, list[int]] = {}
        for i in range(len(ids)):
            groups.setdefault(find(i), []).append(int(ids[i]))
        return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))

    # search

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or not filters.active:
            return None
        ids = np.asarray(self.library.photo_ids(filters.folder), dtype=np.int64)
        if filters.taken_from is None and filters.taken_to is None:
            return ids
        # Dates: the date taken, else the file's time (most photos from phones' apps, scans and
        # downloads carry no EXIF date: a date filter must not silently hide them).
        low = _day(filters.taken_from)
        high = _day(filters.taken_to, next_day=True)
        dated = [
            row[0]
            for row in self.library.browse_rows()
            if (low is None or row[3] >= low) and (high is None or row[3] < high)
        ]
        return np.intersect1d(ids, np.asarray(dated, dtype=np.int64))

    def _results(self, result: SearchResult, filters: Filters | None = None) -> Results:
        records = {p.id: p for p in self.library.photos_by_ids([h.photo_id for h in result.hits])}
        hits = [h for h in result.hits if h.photo_id in records]
        copies = sum(1 for h in hits if h.photo_id in result.near_duplicates)
        relevant, strengths = relevance([h.score for h in hits], copies)
        matches = [
            Match(records[h.photo_id], h.score, h.photo_id in result.near_duplicates, strength)
            for h, strength in zip(hits, strengths, strict=True)
        ]
        dated = filters is not None and (filters.taken_from is not None or filters.taken_to is not None)
        undated = sum(1 for m in matches if m.photo.taken_at is None) if dated else 0
        return Results(matches, result.unknown_words, relevant, undated)

    @property
    def model_ready(self) -> bool:
        """The network is built (PyTorch imported): a search now costs milliseconds, not seconds."""
        return "model" in self.__dict__

    def search_captions(self, text: str, limit: int = 50, filters: Filters | None = None) -> Results:
        """Photos whose caption, tags or path hold every word of ``text`` (SQLite's full-text index,
        no network): what the app shows for a query typed while PyTorch is still loading."""
        allowed = self._allowed(filters)
        hits = self.library.text_search(text, limit if allowed is None else 20 * limit)
        if allowed is not None:
            keep = set(allowed.tolist())
            hits = [h for h in hits if h[0] in keep]
        records = {p.id: p for p in self.library.photos_by_ids([i for i, _ in hits[:limit]])}
        found = [(records[i], score) for i, score in hits[:limit] if i in records]
        relevant, strengths = relevance([score for _, score in found], 0)
        matches = [
            Match(p, score, False, strength) for (p, score), strength in zip(found, strengths, strict=True)
        ]
        return Results(matches, [], relevant)

    def search_text(
        self,
        text: str,
        limit: int = 50,
        filters: Filters | None = None,
        options: TextSearchOptions | None = None,
    ) -> Results:
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self._search_text(text, limit, allowed, options)
        if result.hits and self._only_function_words_known(text, result.unknown_words):
            return Results([], result.unknown_words)  # "a giraffe": "a" alone would rank every photo
        return self._results(result, filters)

    def _search_text(
        self, text: str, limit: int, allowed: np.ndarray | None, options: TextSearchOptions | None
    ) -> SearchResult:
        """The engine's text search with the photos whose folder or file names have the query's words
        lifted (``search.path_words``); words that name paths are not reported as unknown."""
        from photoscope.search import path_words
        from photoscope.search.ranking import SearchResult, TextRanker, TextSearchOptions

        engine = self.engine
        matches, named = path_words.path_matches(self.library, text, [f.path for f in self.folders()])
        if not matches or len(self.store) == 0:
            return engine.search_text(text, limit, allowed, options)
        unknown = engine.unknown_words(text)
        unknown_words = {w for u in unknown for w in path_words.tokens(u.word)}
        scores = None  # no word the network knows: the names alone rank, among the photos they name
        if set(path_words.query_words(text)) - unknown_words:
            given = path_words.network_text(text, unknown_words, named)  # "paris" in "a dog in paris"
            scores = TextRanker(self.model, self.store).scores([given], options or TextSearchOptions())[0]
        else:
            matched = np.fromiter(matches, dtype=np.int64, count=len(matches))
            allowed = matched if allowed is None else np.intersect1d(allowed, matched)
        lifted = path_words.lift(scores, self.store.ids, matches)
        unknown = [u for u in unknown if not set(path_words.tokens(u.word)) <= named]
        return SearchResult(self.store.top_k(lifted, limit, allowed), unknown)

    @staticmethod
    def _only_function_words_known(text: str, unknown: Sequence[UnknownWord]) -> bool:
        if not unknown:
            return False
        missing = {u.word.lower() for u in unknown}
        words = [w for w in re.findall(r"[\w']+", text.lower()) if w not in missing]
        from photoscope.network import FUNCTION_WORDS  # plain Python: no PyTorch import

        return all(w in FUNCTION_WORDS or w in NUMBERS for w in words)

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
        return self._results(result, filters)

    def similar_to(self, photo_id: int, limit: int = 50, filters: Filters | None = None) -> Results:
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_similar_to(photo_id, limit, allowed)
        return self._results(result, filters)

    def search_terms(
        self, terms: Sequence[QueryTerm], limit: int = 50, filters: Filters | None = None
    ) -> Results:
        """Photos for a combined query: texts and photos, each added or taken away, with weights
        (``photoscope.search.combine``). One added text alone is ``search_text``, one photo alone
        ``search_photo``; the query's own library photos are left out."""
        from photoscope.search.combine import CombinedRanker, Term
        from photoscope.search.ranking import SearchResult

        terms = [t for t in terms if t.weight > 0]
        if len(terms) == 1 and not terms[0].negative:
            only = terms[0]
            if only.text is not None:
                return self.search_text(only.text, limit, filters)
            assert only.photo is not None
            if isinstance(only.photo, int):
                return self.similar_to(only.photo, limit, filters)
            return self.search_photo(only.photo, limit, filters)
        engine = self.engine
        unknown = [u for t in terms if t.text is not None for u in engine.unknown_words(t.text)]
        resolved, exclude = [], []
        for t in terms:
            if t.text is not None:
                if self.model.knows_any(t.text):
                    resolved.append(Term(text=t.text, weight=t.weight, negative=t.negative))
                continue
            assert t.photo is not None
            known = [t.photo] if isinstance(t.photo, int) else self._library_ids_of(t.photo)
            with self._store_lock:  # a library photo's stored vectors: nothing to encode
                known = [i for i in known if i in self.store]
                if known:
                    feature = self.store.vector_of(known[0], "feature")
                    latent = self.store.vector_of(known[0], "latent")
            if known:
                exclude += known
            elif isinstance(t.photo, int):
                continue
            else:
                image = t.photo if isinstance(t.photo, Image.Image) else load_photo(t.photo)
                embedding = self.model.embed([image])[0]
                feature, latent = embedding.feature, embedding.latent
            resolved.append(Term(feature=feature, latent=latent, weight=t.weight, negative=t.negative))
        allowed = self._allowed(filters)
        with self._store_lock:
            store = self.store
            if not resolved or len(store) == 0:
                hits = []
            else:
                hits = store.top_k(
                    CombinedRanker(self.model, store).scores(resolved), limit, allowed, exclude
                )
        return self._results(SearchResult(hits, unknown))

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
        return [
            CaptionedPhoto(d.caption, d.caption_score, tuple(d.concepts))
            for d in self.model.describe(photos, options)
        ]

    def photo_concepts(self, photo: PhotoRecord) -> list[tuple[str, float]]:
        """What the encoder's ImageNet head sees in an indexed photo, in plain words with
        probabilities ("cat" 0.91, "Egyptian cat" 0.62, ...), from its stored tags (no network)."""
        return photo_concepts(photo, self._model_dir)


def photo_concepts(photo: PhotoRecord, model_dir: str | Path | None = None) -> list[tuple[str, float]]:
    """An indexed photo's concepts in plain words (``Photoscope.photo_concepts``), for a caller
    without a ``Photoscope`` (the search command answered by a running app)."""
    from photoscope.network import concepts_from_tags

    return concepts_from_tags(photo.tags, _namer(str(model_dir) if model_dir else None))


@functools.lru_cache(maxsize=2)
def _namer(model_dir: str | None) -> Namer:
    from photoscope.config import default_model_dir
    from photoscope.network import Namer, decoder_words, load_concepts

    return Namer(load_concepts(), decoder_words(model_dir or default_model_dir()))


def _day(value: date | str | None, next_day: bool = False) -> str | None:
    """A date filter's bound as the ISO text the date keys are compared with."""
    if value is None:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return (day + timedelta(days=1) if next_day else day).isoformat()


def _month_label(row: tuple[Any, ...]) -> str:
    key = str(row[3])
    try:
        return date(int(key[:4]), int(key[5:7]), 1).strftime("%B %Y")
    except ValueError:
        return "Unknown date"
