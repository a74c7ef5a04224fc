"""What Photoscope can do: the one core API that the CLI and the desktop app both call.

It ties the library index (``photoscope.library``), the network (``photoscope.network``) and search
(``photoscope.search``) together, and keeps the in-memory vectors in step with the indexer's changes.
Nothing here knows about Qt or the terminal. The package is thin, one module a job:

- ``types``: the value types callers give and get (filters, query terms, results, the timeline);
- ``core``: the state every part shares (the library file, the network, the vectors);
- ``indexing``: folders, exclusion rules, background indexing, what the index holds, doctor;
- ``browsing``: the timeline, the folder filter's choices, near-duplicates, removing photos;
- ``searching``, ``combining`` and ``scoring``: every kind of search (combined queries of texts and
  photos their own module), and how many results are likely relevant;
- ``nothing_found``: why a search found no photo, one decision for every front end;
- ``queries``: a search bar's query as one value (``Query``): which search answers it, how it reads;
- ``describing``: single photos and the model (captions, concepts, thumbnails, model info);
- ``maps``: the network's words and the t-SNE maps;
- ``app``: ``Photoscope``, all of them as one object.

Callers import from ``photoscope.api`` itself, never its modules: what they need is re-exported here.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from photoscope.api.app import Photoscope
from photoscope.api.describing import photo_concepts, shipped_model_version
from photoscope.api.indexing import pattern_problem
from photoscope.api.nothing_found import (
    EmptyAnswer,
    WhyNothing,
    asks_nothing,
    asks_numbers_alone,
    still_waiting,
    waiting_offline,
    why_nothing,
)
from photoscope.api.queries import (
    PASTED,
    Query,
    describe_query,
    describe_terms,
    is_photo_file,
    local_file_url_path,
    typed_path,
    unreadable_photo,
)
from photoscope.api.query_terms import next_to_nothing, same_photo
from photoscope.api.scoring import relevance
from photoscope.api.types import (
    GROUPINGS,
    MAX_WEIGHT,
    SORTS,
    CaptionedPhoto,
    Copies,
    Filters,
    Grouping,
    Match,
    ModelInfo,
    MonthGroup,
    QueryTerm,
    Repeat,
    Results,
    Sort,
    Timeline,
    query_too_long,
)
from photoscope.config import ResourceMissing  # the install lacks a file it ships with
from photoscope.library.connection import Upgrade
from photoscope.library.doctor import DoctorReport
from photoscope.library.errors import (  # what can go wrong, by kind (the CLI maps each to an exit status)
    FolderPartOfWatched,
    LibraryBusy,
    LibraryDamaged,
    LibraryError,
    LibraryForeign,
    LibraryHeldElsewhere,
    LibraryKeptCopy,
    LibraryTooNew,
    LibraryUnwritable,
    translate_sqlite_error,
)
from photoscope.library.exclusions import ExclusionRule, RuleOnWatchedFolder, wide_exclusion
from photoscope.library.records import Folder, PhotoCounts, PhotoRecord
from photoscope.library.scanner import ScanReport
from photoscope.library.thumbnails import LARGE_SIZE as THUMBNAIL_SIZE
from photoscope.library.thumbnails import current_png as current_thumbnail_png
from photoscope.wordlists import says_nothing

if TYPE_CHECKING:
    from photoscope.library.backup import backup_photo_count
    from photoscope.library.fs import (
        CANNOT_BE_READ,
        LINK_NOWHERE,
        NOT_AT_ITS_PATH,
        NOT_FOUND,
        display_path,
        file_state,
        folder_path,
        is_under,
        nothing_at,
        renamed_unstorably,
        unstorable_names,
    )
    from photoscope.library.indexer import IndexOptions, IndexWorker
    from photoscope.library.indexer import Progress as IndexProgress
    from photoscope.library.photos import (
        describe_error,
        describe_failure,
        is_damage,
        load_photo,
        release_freed_memory,
    )
    from photoscope.network import BundleError, DecodeOptions, torch_threads
    from photoscope.search.maps import Layout, render_photos, render_words
    from photoscope.search.maps import Progress as MapProgress
    from photoscope.search.ranking import TextSearchOptions, UnknownWord
    from photoscope.search.words import UnknownWordError, WordScore

# What needs PyTorch is imported on first use, so commands that never run the network (status,
# folders) and the GUI's first window start without it: seconds and hundreds of MB saved. So is what
# needs NumPy or PIL (the indexer, decoding photos, the maps): 0.1-0.2 s more off `status`.
_LAZY = {
    "IndexOptions": "photoscope.library.indexer",
    "IndexWorker": "photoscope.library.indexer",
    "describe_error": "photoscope.library.photos",
    "describe_failure": "photoscope.library.photos",
    "is_damage": "photoscope.library.photos",
    "display_path": "photoscope.library.fs",
    "folder_path": "photoscope.library.fs",
    "nothing_at": "photoscope.library.fs",
    "file_state": "photoscope.library.fs",
    "NOT_FOUND": "photoscope.library.fs",
    "CANNOT_BE_READ": "photoscope.library.fs",
    "LINK_NOWHERE": "photoscope.library.fs",
    "NOT_AT_ITS_PATH": "photoscope.library.fs",
    "renamed_unstorably": "photoscope.library.fs",
    "backup_photo_count": "photoscope.library.backup",
    "unstorable_names": "photoscope.library.fs",
    "is_under": "photoscope.library.fs",
    "load_photo": "photoscope.library.photos",
    "release_freed_memory": "photoscope.library.photos",
    "Layout": "photoscope.search.maps",
    "render_photos": "photoscope.search.maps",
    "render_words": "photoscope.search.maps",
    "BundleError": "photoscope.network",
    "DecodeOptions": "photoscope.network",
    "torch_threads": "photoscope.network",
    "TextSearchOptions": "photoscope.search.ranking",
    "UnknownWord": "photoscope.search.ranking",
    "UnknownWordError": "photoscope.search.words",
    "WordScore": "photoscope.search.words",
}


_RENAMED = {  # re-exported under another name: (module, its name there)
    "IndexProgress": ("photoscope.library.indexer", "Progress"),
    "MapProgress": ("photoscope.search.maps", "Progress"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    if name in _RENAMED:
        module, original = _RENAMED[name]
        return getattr(import_module(module), original)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The value types the GUI and the CLI use come from here, so neither imports below this door.
__all__ = [
    "CANNOT_BE_READ",
    "GROUPINGS",
    "LINK_NOWHERE",
    "MAX_WEIGHT",
    "NOT_AT_ITS_PATH",
    "NOT_FOUND",
    "PASTED",
    "SORTS",
    "THUMBNAIL_SIZE",
    "BundleError",
    "CaptionedPhoto",
    "Copies",
    "DecodeOptions",
    "DoctorReport",
    "EmptyAnswer",
    "ExclusionRule",
    "Filters",
    "Folder",
    "FolderPartOfWatched",
    "Grouping",
    "IndexOptions",
    "IndexProgress",
    "IndexWorker",
    "Layout",
    "LibraryBusy",
    "LibraryDamaged",
    "LibraryError",
    "LibraryForeign",
    "LibraryHeldElsewhere",
    "LibraryKeptCopy",
    "LibraryTooNew",
    "LibraryUnwritable",
    "MapProgress",
    "Match",
    "ModelInfo",
    "MonthGroup",
    "PhotoCounts",
    "PhotoRecord",
    "Photoscope",
    "Query",
    "QueryTerm",
    "Repeat",
    "ResourceMissing",
    "Results",
    "RuleOnWatchedFolder",
    "ScanReport",
    "Sort",
    "TextSearchOptions",
    "Timeline",
    "UnknownWord",
    "UnknownWordError",
    "Upgrade",
    "WhyNothing",
    "WordScore",
    "asks_nothing",
    "asks_numbers_alone",
    "backup_photo_count",
    "current_thumbnail_png",
    "describe_error",
    "describe_failure",
    "describe_query",
    "describe_terms",
    "display_path",
    "file_state",
    "folder_path",
    "is_damage",
    "is_photo_file",
    "is_under",
    "load_photo",
    "local_file_url_path",
    "next_to_nothing",
    "nothing_at",
    "pattern_problem",
    "photo_concepts",
    "query_too_long",
    "release_freed_memory",
    "relevance",
    "renamed_unstorably",
    "render_photos",
    "render_words",
    "same_photo",
    "says_nothing",
    "shipped_model_version",
    "still_waiting",
    "torch_threads",
    "translate_sqlite_error",
    "typed_path",
    "unreadable_photo",
    "unstorable_names",
    "waiting_offline",
    "why_nothing",
    "wide_exclusion",
]
