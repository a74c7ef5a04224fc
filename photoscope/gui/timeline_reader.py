"""Reading the library's browsing order (the timeline) into its grid, off the GUI thread.

At launch the newest photos come first (50 ms, not the 0.5 s of the whole library at 100,000
photos), then the rest. Behind a query's results the timeline is only marked stale and read when it
shows again: reading 100,000 photos while indexing and searching stalled the window 100-200 ms at
each re-read (``benchmarks/gui.py``'s heartbeat). A re-read keeps the scroll position and the photo
the user was on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QObject, Signal

from photoscope.gui.preferences import Preferences
from photoscope.gui.results_model import TimelineModel
from photoscope.gui.results_view import ResultsView
from photoscope.gui.tasks import TaskRunner

if TYPE_CHECKING:
    from photoscope.api import Filters, Grouping, Photoscope, Sort, Timeline

TIMELINE_HEAD = 500  # photos read first at launch: more than a screen holds at the smallest tiles


class TimelineReader(QObject):
    """Fills ``model`` (shown by ``view``) on ``runner`` with the order the preferences choose; ``api``
    gives the library once it is open, ``behind_query`` whether a query's results hide the timeline,
    ``filters`` the folder and dates it is narrowed to, as a search is."""

    head_read = Signal()  # the newest photos are in: the grid can show while the rest is read
    read = Signal()  # the whole timeline is in
    failed = Signal(str)  # it could not be read: why

    def __init__(
        self,
        model: TimelineModel,
        view: ResultsView,
        runner: TaskRunner,
        preferences: Preferences,
        api: Callable[[], Photoscope | None],
        behind_query: Callable[[], bool],
        filters: Callable[[], Filters],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.model, self.view, self.runner, self.preferences = model, view, runner, preferences
        self.api, self.behind_query, self.filters = api, behind_query, filters
        self.stale = False  # changed behind a query's results: read again when shown

    def options(self) -> tuple[Sort, Grouping]:
        """The chosen sort ("newest", "oldest", …) and grouping ("month", …)."""
        return self.preferences.browse_sort, self.preferences.browse_grouping

    def sort_by(self, sort: Sort) -> None:
        self.preferences.browse_sort = sort
        self.reload()

    def group_by(self, grouping: Grouping) -> None:
        self.preferences.browse_grouping = grouping
        self.reload()

    def reload(self) -> None:
        """Read the timeline again (module docstring)."""
        api = self.api()
        if api is None:
            return
        if self.behind_query() and self.model.timeline is not None:
            self.stale = True
            return
        self.stale = False
        sort, group = self.options()
        filters = self.filters()
        if self.model.timeline is None and sort in ("newest", "oldest"):
            self.runner.submit(
                lambda: api.timeline(sort, group, TIMELINE_HEAD, filters),
                self._head_ready,
                lambda _: None,
                key="timeline-head",
            )
        self.runner.submit(
            lambda: api.timeline(sort, group, None, filters), self._ready, self._failed, key="timeline"
        )

    def reload_if_stale(self) -> None:
        if self.stale:
            self.reload()

    def forget(self, ids: Sequence[int]) -> None:
        """Photos gone from the library leave the grid at once. A listing read before their removal
        (the full timeline after the first screen's, at launch) would bring them back: it is dropped;
        the caller reads the library again once they are removed. The keyboard keeps its place: the
        photo after them is on, selected (``photo_staying``), and the scroll stays (audit 81: the
        model's reset left no photo on, and a second Delete did nothing)."""
        gone = {int(i) for i in ids}
        current = self._current_id()
        staying, chosen = current, self.view.selectionModel().isSelected(self.view.currentIndex())
        if current is not None and current in gone:  # the one after it, chosen in its place
            staying, chosen = self._id_staying(current, gone), True
        scrolled = self.view.verticalScrollBar().value()
        self.model.remove_ids(list(ids))
        self._put_back(staying, chosen, scrolled)
        self.runner.obsolete("timeline-head")
        self.runner.obsolete("timeline")

    def _id_staying(self, current: int, gone: set[int]) -> int | None:
        """The photo the keyboard goes on to from the photo ``current`` when the photos ``gone``
        leave (its id; None: none stays)."""
        staying = self.model.photo_staying(self.model.photo_of_id(current), gone)
        return self.model.id_of(staying) if staying >= 0 else None

    def _head_ready(self, head: Timeline) -> None:
        if self.model.timeline is not None or self.behind_query() or not len(head.ids):
            return
        self.model.set_timeline(head, complete=False)
        self.head_read.emit()

    def _failed(self, error: BaseException) -> None:
        self.failed.emit(f"The library could not be listed: {error}")

    def _ready(self, timeline: Timeline) -> None:
        shown = self.model.timeline
        same = shown is not None and (shown.sort, shown.filters) == (timeline.sort, timeline.filters)
        scrolled = self.view.verticalScrollBar().value() if same else 0
        current_id = self._current_id()
        chosen = self.view.selectionModel().isSelected(self.view.currentIndex())
        self.model.set_timeline(timeline)
        self._put_back(current_id, chosen, scrolled)
        self.read.emit()

    def _put_back(self, photo_id: int | None, chosen: bool, scrolled: int) -> None:
        """After the model's reset: the scroll at ``scrolled``, the keyboard on the photo ``photo_id``
        where it is now (if it still is), selected if ``chosen`` (the re-read after a Delete unselected
        the photo the keyboard went on to)."""
        self.view.verticalScrollBar().setValue(scrolled)
        photo = self.model.photo_of_id(photo_id) if photo_id is not None else -1
        if photo < 0:
            return
        flags = QItemSelectionModel.SelectionFlag
        self.view.selectionModel().setCurrentIndex(
            self.model.index(self.model.row_of(photo)), flags.ClearAndSelect if chosen else flags.NoUpdate
        )

    def _current_id(self) -> int | None:
        """The photo the user is on in the timeline (None: none)."""
        current = self.view.currentIndex()
        if current.isValid() and self.model.photo_at(current.row()) >= 0:
            return self.model.id_of(self.model.photo_at(current.row()))
        return None
