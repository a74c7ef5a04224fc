"""The grid's Qt list models: search results (one row per ``api.Match``) and the browsing timeline.

Both are a ``PhotoGridModel``: photos in order, optionally split by header rows (a month, a folder, a
group of copies) that the delegate paints as a label tile. Thumbnails come from the loader for the rows
being painted only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QPixmap

from photoscope.gui.photo_text import (
    NOT_THERE,
    TOOLTIP_NAME,
    record_tooltip,
    shown_name,
    spoken_tile,
    tooltip,
)
from photoscope.gui.tasks import TaskRunner
from photoscope.gui.thumbnail_loader import ThumbnailLoader
from photoscope.gui.wording import WEAKER_MATCHES
from photoscope.wording import safe_text

if TYPE_CHECKING:
    from photoscope.api import Match, MonthGroup, PhotoRecord, Timeline

MATCH_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's api.Match (None while a timeline page loads)
PATH_ROLE = Qt.ItemDataRole.UserRole + 2
FAILED_ROLE = Qt.ItemDataRole.UserRole + 3  # True when the photo cannot be decoded
HEADER_ROLE = Qt.ItemDataRole.UserRole + 4  # a header row's text (None on photo rows)
STRENGTH_ROLE = Qt.ItemDataRole.UserRole + 5  # match strength 0..1 (None when browsing)
COPY_ROLE = (
    Qt.ItemDataRole.UserRole + 6
)  # True for a copy of the query photo, of its group, or of one listed before it
PAGE = 256  # timeline records fetched at a time
# What a screen reader asks a tile for: its name (without one, Qt gives the file name, DisplayRole)
# and its description, in the order ``spoken_of`` gives them.
_SPOKEN = (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.AccessibleDescriptionRole)

AnyIndex = QModelIndex | QPersistentModelIndex


class Tile(NamedTuple):
    """What a grid tile shows (``PhotoGridModel.tile``)."""

    header: str | None  # a header row's text; the rest is empty then
    pixmap: QPixmap | None = None  # None while loading, or unreadable
    failed: bool = False
    strength: float | None = None
    copy: bool = False
    missing: bool = False  # its file was not at its path when its thumbnail was read


class PhotoGridModel(QAbstractListModel):
    """Photos ``0..n-1`` in order with header rows before the groups; subclasses say what each is."""

    records_loaded = Signal()  # more photos' records came in (the timeline fetches them by pages)

    def __init__(self, loader: ThumbnailLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self._headers: dict[int, str] = {}  # row -> header text
        self._photo_of_row = np.zeros(0, dtype=np.int64)  # row -> photo index, -1 on headers
        self._row_of_photo = np.zeros(0, dtype=np.int64)
        self._rows: dict[str, int] = {}  # path -> row, to repaint one tile when its thumbnail arrives
        # The last tooltip given: (photo index, its text), which the file name alone while the
        # photo's record loads; the view says the caption once it is in (``ResultsView``).
        self.last_tooltip: tuple[int, str] | None = None
        loader.batch_loaded.connect(self._thumbnails_loaded)

    # what subclasses give

    def photo_count(self) -> int:
        return len(self._row_of_photo)

    def path_of(self, photo: int) -> str:
        raise NotImplementedError

    def id_of(self, photo: int) -> int:
        raise NotImplementedError

    def photo_of_id(self, photo_id: int) -> int:
        """Where the photo ``photo_id`` is now (its photo index), -1 when it is not here."""
        return next((i for i in range(self.photo_count()) if self.id_of(i) == photo_id), -1)

    def mtime_of(self, photo: int) -> float | None:
        return None

    def match_of(self, photo: int) -> Match | None:
        raise NotImplementedError

    def tooltip_of(self, photo: int) -> str:
        match = self.match_of(photo)
        return tooltip(match, self.copies_listed) if match is not None else _unread(self.path_of(photo))

    def spoken_of(self, photo: int) -> tuple[str, str] | None:
        """The tile's name and description for a screen reader (``spoken_tile``); None while its
        record loads: Qt names it by its file then."""
        match = self.match_of(photo)
        return spoken_tile(match, self.copies_listed) if match is not None else None

    @property
    def copies_listed(self) -> bool:
        """The grid lists the library's groups of copies (File > Find copies), not a query's answer."""
        return False

    def whole_copy_groups(self, photos: Collection[int]) -> int:
        """How many of the listed groups of copies ``photos`` hold every photo of: none listed here."""
        return 0

    # the row layout

    def _layout(self, count: int, groups: Sequence[tuple[str, int]] = ()) -> None:
        """``count`` photos; ``groups`` are (header, first photo index) in order. Call inside a reset."""
        starts = {start: label for label, start in groups}
        rows = np.arange(count, dtype=np.int64)
        if starts:
            first = np.asarray(sorted(starts), dtype=np.int64)
            rows = rows + np.searchsorted(first, rows, side="right")  # one row per header before it
        self._row_of_photo = rows
        self._photo_of_row = np.full(count + len(starts), -1, dtype=np.int64)
        self._photo_of_row[rows] = np.arange(count)
        # a folder's name with its control and bidi characters escaped: "evil\u202egpj.exe" read
        # "evilexe.jpg", a newline broke the header (audit 75, repro_1)
        self._headers = {
            int(rows[start]) - 1: safe_text(label) for start, label in starts.items() if start < count
        }
        self._rows = {}
        self.last_tooltip = None

    def photo_at(self, row: int) -> int:
        """The photo index of a row, -1 for a header or out of range."""
        return int(self._photo_of_row[row]) if 0 <= row < len(self._photo_of_row) else -1

    def row_of(self, photo: int) -> int:
        return int(self._row_of_photo[photo])

    def step(self, row: int, step: int) -> int:
        """The photo row ``step`` photos away from ``row`` (headers skipped), or -1 past either end."""
        photo = self.photo_at(row) + step
        return self.row_of(photo) if 0 <= photo < self.photo_count() else -1

    def photo_staying(self, photo: int, gone: AbstractSet[int]) -> int:
        """Where the keyboard goes on from ``photo`` when the photos ``gone`` (ids) leave the grid:
        that photo if it stays, else the first after it that stays, else the last before it, as a
        file manager does; -1 when none stays. Few steps: the photos gone are next to it."""
        after = (p for p in range(photo, self.photo_count()) if self.id_of(p) not in gone)
        before = (p for p in range(photo - 1, -1, -1) if self.id_of(p) not in gone)
        return next(itertools.chain(after, before), -1)

    def match_at(self, row: int) -> Match:
        """The row's match; only for loaded rows (search results always are)."""
        found = self.match_of(self.photo_at(row))
        assert found is not None
        return found

    # Qt's side

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._photo_of_row)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._photo_of_row):
            return None
        header = self._headers.get(row)
        if header is not None:
            # the tooltip: the whole of a long folder name the tile cuts (audit 75)
            shown = (HEADER_ROLE, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
            return header if role in shown else None
        photo = int(self._photo_of_row[row])
        if role == Qt.ItemDataRole.DecorationRole:
            # Only painted rows ask, so only visible rows are loaded.
            path = self.path_of(photo)
            self._rows[path] = row
            return self.loader.pixmap(path, self.mtime_of(photo))
        if role == Qt.ItemDataRole.DisplayRole:
            return Path(self.path_of(photo)).name  # typing in the grid jumps to a file name
        if role == Qt.ItemDataRole.ToolTipRole:
            self.last_tooltip = (photo, self.tooltip_of(photo))
            return self.last_tooltip[1]
        if role in _SPOKEN:
            spoken = self.spoken_of(photo)
            return None if spoken is None else spoken[_SPOKEN.index(role)]
        if role == MATCH_ROLE:
            return self.match_of(photo)
        if role == PATH_ROLE:
            return self.path_of(photo)
        if role == FAILED_ROLE:
            return self.loader.failed(self.path_of(photo))
        return self.extra_data(photo, role)

    def extra_data(self, photo: int, role: int) -> Any:
        return None

    def tile(self, row: int) -> Tile:
        """All the delegate paints for ``row``, in one call: each ``index.data()`` goes through Qt and
        back, taking the GIL twice, a wait each time a loading thread holds it."""
        header = self._headers.get(row)
        if header is not None or not 0 <= row < len(self._photo_of_row):
            return Tile(header)
        photo = int(self._photo_of_row[row])
        path = self.path_of(photo)
        self._rows[path] = row
        pixmap = self.loader.pixmap(path, self.mtime_of(photo))
        strength = self.extra_data(photo, STRENGTH_ROLE)
        return Tile(
            None,
            pixmap,
            pixmap is None and self.loader.failed(path),
            strength if isinstance(strength, float) else None,
            bool(self.extra_data(photo, COPY_ROLE)),
            self.loader.missing(path),
        )

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.row() in self._headers:
            return Qt.ItemFlag.ItemIsEnabled  # not selectable: a selection is photos only
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    # dragging results out to other apps, as files

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", "text/plain"]

    def paths(self, indexes: Sequence[QModelIndex]) -> list[str]:
        rows = sorted({i.row() for i in indexes})
        return [self.path_of(p) for p in (self.photo_at(r) for r in rows) if p >= 0]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        paths = self.paths(indexes)
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
        mime.setText("\n".join(paths))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    @Slot(list)
    def _thumbnails_loaded(self, paths: list[str]) -> None:
        """Repaint the tiles whose thumbnails came in: one ``dataChanged`` for the rows on screen (near
        each other), so the view repaints once, not once per tile. Rows far apart (one scrolled past
        that was already loading) get their own: Qt's icon view walks every row of a range."""
        count = len(self._photo_of_row)
        rows = sorted(row for row in map(self._rows.get, paths) if row is not None and row < count)
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i] - rows[i - 1] > 64:
                first, last = self.index(rows[start]), self.index(rows[i - 1])
                self.dataChanged.emit(first, last, [Qt.ItemDataRole.DecorationRole])
                start = i


class ResultsModel(PhotoGridModel):
    """Search results, best first. Only the likely relevant ones show until ``show_more``."""

    def __init__(self, loader: ThumbnailLoader, parent: QObject | None = None) -> None:
        super().__init__(loader, parent)
        self._all: list[Match] = []
        self._copies = False
        self._guesses = False  # the answer is its closest guesses: no tile claims a match strength
        self._matches: list[Match] = []
        self._copy_groups: list[range] = []  # the photos of each group of copies listed

    def set_matches(
        self,
        matches: Sequence[Match],
        shown: int | None = None,
        groups: Sequence[tuple[str, int]] = (),
        copies: bool = False,
        guesses: bool = False,
    ) -> None:
        """Show ``matches`` (the first ``shown`` of them until ``show_more``), with optional headers;
        ``copies``: they are the library's groups of copies."""
        self.loader.forget_pending()  # the old rows' queued loads are no longer wanted
        self.beginResetModel()
        self._copies, self._guesses = copies, guesses
        self._all = list(matches)
        self._matches = self._all[: len(self._all) if shown is None else max(0, shown)]
        starts = [start for _, start in groups] + [len(self._all)] if copies else []
        self._copy_groups = [range(a, b) for a, b in itertools.pairwise(starts)]
        self._layout(len(self._matches), [g for g in groups if g[1] < len(self._matches)])
        self.endResetModel()

    @property
    def copies_listed(self) -> bool:
        return self._copies

    def whole_copy_groups(self, photos: Collection[int]) -> int:
        """How many of the listed groups of copies ``photos`` hold every photo of (trashed, no copy
        of that photo is left)."""
        return sum(all(p in photos for p in group) for group in self._copy_groups)

    def hidden(self) -> int:
        """How many weaker matches ``show_more`` would add."""
        return len(self._all) - len(self._matches)

    def show_more(self) -> None:
        """Every match, the weaker ones after a header where the likely ones end (shown all in one
        run, nothing said where they ended: the GUI walk of stop 42)."""
        if self.hidden():
            likely = len(self._matches)
            weaker = [(WEAKER_MATCHES, likely)] if likely and not self._copies else []
            self.set_matches(self._all, groups=weaker, copies=self._copies, guesses=self._guesses)

    def matches(self) -> list[Match]:
        return list(self._matches)

    def path_of(self, photo: int) -> str:
        return self._matches[photo].photo.path

    def id_of(self, photo: int) -> int:
        return self._matches[photo].photo.id

    def mtime_of(self, photo: int) -> float | None:
        return self._matches[photo].photo.mtime

    def match_of(self, photo: int) -> Match | None:
        return self._matches[photo] if 0 <= photo < len(self._matches) else None

    def tooltip_of(self, photo: int) -> str:
        match = self.match_of(photo)
        if match is None:
            return _unread(self.path_of(photo))
        said = tooltip(match, self.copies_listed, guess=self._guesses, copy_of=self._copied_name(match))
        return f"{said}\n{NOT_THERE}" if _not_there(match.photo.path) else said

    def spoken_of(self, photo: int) -> tuple[str, str] | None:
        match = self.match_of(photo)
        if match is None:
            return None
        copy = bool(self.extra_data(photo, COPY_ROLE))  # the badge the tile shows
        copied = self._copied_name(match)
        name, description = spoken_tile(match, self.copies_listed, self._guesses, copied, copy)
        return name, f"{description}. {NOT_THERE}" if _not_there(match.photo.path) else description

    def _copied_name(self, match: Match) -> str | None:
        """The file name of the listed photo ``match`` is a copy of (``Match.copy_of``), if any."""
        if match.copy_of is None:
            return None
        original = next((m for m in self._all if m.photo.id == match.copy_of), None)
        return None if original is None else shown_name(original.photo.path)

    def extra_data(self, photo: int, role: int) -> Any:
        if role == STRENGTH_ROLE:  # a closest guess has no bar: its strength is its rank, not a match
            return None if self._guesses else self._matches[photo].strength
        if role == COPY_ROLE:
            match = self._matches[photo]
            return match.near_duplicate or match.copy_of is not None
        return None


class TimelineModel(PhotoGridModel):
    """The whole library in browsing order (``api.Timeline``), with its month (or folder) headers.

    Paths and times are all in memory from the start, so thumbnails load as soon as tiles are painted;
    the full records (caption, tags) are fetched a page at a time when a tooltip or the detail view
    needs them, and ``records_loaded`` says when a page is in.
    """

    def __init__(
        self,
        loader: ThumbnailLoader,
        fetch: Callable[[list[int]], list[PhotoRecord]],
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(loader, parent)
        self.fetch, self.runner = fetch, runner
        self.timeline: Timeline | None = None
        self.complete = False  # whether ``timeline`` is the whole library, not its first screen only
        self._records: dict[int, PhotoRecord] = {}
        self._asked: set[int] = set()  # pages requested
        self._generation = 0
        # Photos taken out (moved to the trash) that a listing read before their removal may still
        # hold; forgotten once a listing comes without them.
        self._removed: set[int] = set()

    def set_timeline(self, timeline: Timeline, complete: bool = True) -> None:
        """Show ``timeline``; ``complete=False`` for the first screen's photos only, the whole library
        following (``complete`` says which is shown)."""
        if self._removed:
            stale = {int(i) for i in timeline.ids[np.isin(timeline.ids, list(self._removed))]}
            self._removed &= stale
            if stale:
                timeline = timeline.without(stale)
        self.loader.forget_pending()
        self.beginResetModel()
        self.timeline = timeline
        self.complete = complete
        self._records.clear()
        self._asked.clear()
        self._generation += 1
        self._layout(len(timeline.ids), [(g.label, g.start) for g in timeline.groups])
        self.endResetModel()

    def remove_ids(self, ids: Sequence[int]) -> None:
        """Take photos out at once (moved to the trash): the re-read timeline follows later."""
        timeline = self.timeline
        if timeline is None or not len(ids):
            return
        self._removed |= {int(i) for i in ids}
        self.set_timeline(timeline, complete=self.complete)  # the first screen's stays the first screen's

    def groups(self) -> list[MonthGroup]:
        return list(self.timeline.groups) if self.timeline is not None else []

    def path_of(self, photo: int) -> str:
        assert self.timeline is not None
        return self.timeline.paths[photo]

    def mtime_of(self, photo: int) -> float | None:
        assert self.timeline is not None
        return self.timeline.mtimes[photo]

    def id_of(self, photo: int) -> int:
        assert self.timeline is not None
        return int(self.timeline.ids[photo])

    def photo_of_id(self, photo_id: int) -> int:
        """As ``PhotoGridModel.photo_of_id``, over the library's ids at once (100,000 of them)."""
        if self.timeline is None:
            return -1
        found = (self.timeline.ids == photo_id).nonzero()[0]
        return int(found[0]) if len(found) else -1

    def match_of(self, photo: int) -> Match | None:
        if not 0 <= photo < self.photo_count():
            return None
        record = self._records.get(self.id_of(photo))
        if record is None:
            self.request(photo)
            return None
        from photoscope.api import Match  # loaded by the time a timeline exists: a lookup

        return Match.browsed(record)

    def tooltip_of(self, photo: int) -> str:
        match = self.match_of(photo)
        return record_tooltip(match.photo) if match is not None else _unread(self.path_of(photo))

    def spoken_of(self, photo: int) -> tuple[str, str] | None:
        match = self.match_of(photo)
        return spoken_tile(match, browsing=True) if match is not None else None

    def request(self, photo: int) -> None:
        """Fetch the page of records around ``photo`` (once)."""
        page = photo // PAGE
        if page in self._asked or self.timeline is None:
            return
        self._asked.add(page)
        ids = [int(i) for i in self.timeline.ids[page * PAGE : (page + 1) * PAGE]]
        generation = self._generation
        self.runner.submit(lambda: self.fetch(ids), lambda found: self._loaded(generation, found))

    def _loaded(self, generation: int, records: list[PhotoRecord]) -> None:
        if generation != self._generation:
            return  # a newer timeline replaced the one that asked
        self._records.update((r.id, r) for r in records)
        self.records_loaded.emit()


def _unread(path: str) -> str:
    """A tile's tooltip before its record is read: its file's name, as tooltips show it (the audit of
    stop 60's changes: the raw name, a right-to-left override and all)."""
    return shown_name(path, TOOLTIP_NAME)


def _not_there(path: str) -> bool:
    """Whether a listed photo's file is not at its path, as `search` marks it (``api.file_state``: a
    folder this user may not read is not "missing"): asked when its tooltip or spoken name is, for
    the few tiles hovered or read."""
    from photoscope.api import NOT_AT_ITS_PATH, file_state  # loaded by the time a result shows

    return file_state(path) in NOT_AT_ITS_PATH
