"""From what the search panel asks to the answer in the grid, off the GUI thread.

Each query replaces any search still running. While the network loads, a text query gets a first
answer without it (the text encoder in NumPy, else the caption index) on a runner of its own, and
the network's ranking replaces it when ready; the network is asked only once that first answer is
painted, so that at launch the two do not share the CPUs. A query typed before the library opened
runs as soon as it is (``waiting``). "Find similar" remembers the query it replaces, chips and all, for Back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStatusBar

from photoscope.gui.launch_order import LaunchOrder
from photoscope.gui.query_state import QueryState
from photoscope.gui.results_presenter import ResultsPresenter
from photoscope.gui.search_panel import PhotoQuery, SearchPanel
from photoscope.gui.tasks import TaskRunner
from photoscope.gui.thumbnail_loader import qimage_to_pil
from photoscope.gui.wording import CAPTIONS_WHILE_LOADING, NOTHING_TO_GO_BACK_TO

if TYPE_CHECKING:
    from PIL import Image

    from photoscope.api import Photoscope, Query, Results


class SearchFlow(QObject):
    """Runs what ``search`` asks on ``runner`` (first answers on ``quick``, in the ``launch`` order)
    and hands the answers to ``presenter``; ``api`` gives the library once it is open."""

    cleared = Signal()  # the query is empty: the window shows the library again
    copies_wanted = Signal(object)  # Back to the library's copies left (their ``Copies``)

    def __init__(
        self,
        search: SearchPanel,
        presenter: ResultsPresenter,
        runner: TaskRunner,
        quick: TaskRunner,
        launch: LaunchOrder,
        status: QStatusBar,
        api: Callable[[], Photoscope | None],
        result_limit: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.search, self.presenter, self.runner, self.quick = search, presenter, runner, quick
        self.launch, self.status, self.api = launch, status, api
        self.result_limit = result_limit
        self.state = QueryState()  # "Find similar" and Back; which query's answer the grid shows
        self.waiting = False  # a query was typed before the library opened
        self._pasted: tuple[int, Image.Image] | None = None  # the pasted image's key and PIL copy

    def new_query(self) -> None:
        self.state.forget()
        self.run()

    def photo_changed(self, photo: PhotoQuery) -> None:
        self.state.photo_changed(photo)
        self.run()

    def photo_cleared(self) -> None:
        """Clearing the chip of a "Find similar" query goes back to the query it came from."""
        if self.state.can_go_back():
            self.go_back()
        else:
            self.new_query()

    def go_back(self) -> None:
        """Back to the query that "Find similar" replaced, or to all photos when it had none;
        with no Find similar to leave, the query stays and the status bar says what Back does (it
        cleared the search, which the menu called the previous one)."""
        leaving_similar = self.state.similar is not None
        left, copies = self.state.left, self.state.left_copies
        back = self.state.go_back()
        if back is not None:  # the query Find similar replaced, chips and all
            self.search.set_aside()
            self.search.restore(back)
            self.run()
        elif leaving_similar:  # started from the timeline: back to it (the Find similar is not kept)
            self.browse_all(remember=False)
        elif left is not None:  # the query Escape (or Ctrl+Home) left, chips, signs and weights
            self.state.forget()
            self.search.restore(left)
            self.run()
        elif copies is not None:  # the library's copies, left by Esc or Ctrl+Home
            self.state.forget()
            self.copies_wanted.emit(copies)
        else:
            self.status.showMessage(NOTHING_TO_GO_BACK_TO, 8000)

    def browse_all(self, remember: bool = True) -> None:
        """Leave any query: the whole library, newest first (also from what no query shows: the
        library's copies). Back returns to the query left (``remember``), else to the one before."""
        # Not a query that is none (a second Escape) or a Find similar's (Back from it is all photos).
        left = self.search.left_query() if remember and self.state.similar is None else None
        left = left or self.state.left
        copies = self.presenter.copies_listed() or self.state.left_copies  # kept for Back, Ctrl+Home again
        self.state.forget()
        self.search.clear_photo()
        self.search.terms_bar.clear()
        self.search.edit.clear()
        if not self.search.has_query():  # the query's own signals clear only what was a query's
            self._clear()
        # after the clearing: each of its signals was a new query, forgetting
        self.state.left, self.state.left_copies = left, copies

    def searching(self) -> bool:
        """A query's answer is awaited (its first answer's or the network's)."""
        return self.runner.is_busy("search") or self.quick.is_busy("early")

    def set_aside(self) -> None:
        """Leave any query without showing the timeline: the grid is about to show something else."""
        self.state.forget()
        self.search.set_aside()

    def leave_for_copies(self) -> None:
        """Leave the query for the library's copies (File > Find copies): Back returns to it, chips,
        signs and weights, as after Escape (the GUI audit of stop 58: it was thrown away, and Back
        showed the copies again). A Find similar's query is left as Escape leaves it: for the one
        before it, if any."""
        left = self.search.left_query() if self.state.similar is None else None
        left = left or self.state.back_query() or self.state.left
        self.set_aside()
        self.state.left = left

    def find_similar(self, photo_id: int, path: str) -> None:
        """Photos like this one, and nothing else the bar held (the GUI walk of stop 43: its chips
        stayed, and were searched with it under "Photos like …"); Back (and clearing the photo's
        chip) returns to the query it replaces."""
        self.state.find_similar(photo_id, path, self.search.left_query(), self.presenter.shows_more())
        self.search.set_aside()
        self.search.set_photo(path)

    def query(self) -> Query:
        """What the search panel asks, as the API's ``Query`` (a pasted image handed over as PIL's)."""
        from photoscope.api import Query  # the API is loaded by now: importing is a lookup

        photo, search = self.search.query_photo, self.search
        return Query(
            text=search.text(),
            photo=self._pil_of(photo) if isinstance(photo, QImage) else photo,
            similar=self.state.similar,
            terms=tuple(search.terms_bar.terms()),
            filters=search.filters(),
            limit=self.result_limit,
        )

    def _pil_of(self, image: QImage) -> Image.Image:
        """A pasted image as PIL's, converted once (12 MP take 0.2 s; a refresh must not pay again)."""
        if self._pasted is None or self._pasted[0] != image.cacheKey():
            self._pasted = (image.cacheKey(), qimage_to_pil(image))
        return self._pasted[1]

    @property
    def first_answer(self) -> str | None:
        """What the grid shows while the network's ranking is awaited to replace it: the text encoder's
        first answer ("quick"), the caption index's ("captions"), or None (the network's own)."""
        return self.state.first_answer

    def run(self, quiet: bool = False) -> None:
        """Run whatever the search panel says, replacing any search still running; ``quiet``: a
        refresh while indexing, which keeps the selection and says nothing in the status bar."""
        api = self.api()
        if api is None:
            self.waiting = self.search.has_query()
            return
        query = self.query()
        if query.empty:
            self._clear()
            return
        # A refresh before the query asked has answered is that query run again, as it was asked:
        # the grid still shows an earlier query's answer, whose selection and "Show more" are not its.
        quiet = quiet and self.state.refreshes_answer_on_show()
        described = query.describe()
        if not quiet:
            self.status.showMessage(f"Searching for {described}…")
        started = time.perf_counter()
        number = self.state.start(refresh=quiet)
        self.quick.obsolete("early")  # an earlier query's first answer must not show now

        def answered(results: Results) -> None:
            self.quick.obsolete("early")  # the network's ranking replaces the first answer for good
            refining = self.state.answered(number)
            seconds = time.perf_counter() - started
            landing, more = self.state.landing(), self.state.more_wanted()
            self.presenter.show(results, described, seconds, quiet, refining, landing, more)
            self.state.landed()

        def search() -> None:
            self.launch.first_answer_shown()
            self.runner.submit(lambda: query.run(api), answered, self._failed, key="search")

        if not query.wants_first_answer(api):
            search()
            return
        # The network is loading: a first answer without it, then the network's (module docstring).
        self.runner.obsolete("search")

        def early(answer: tuple[Results, bool]) -> None:
            self._show_early(number, *answer, described, started, quiet)
            # A newer query meanwhile starts the network's search itself.
            self.launch.after_paint(lambda: search() if self.state.is_latest(number) else None)

        self.quick.submit(lambda: query.first_answer(api), early, lambda _: search(), key="early")

    def _clear(self) -> None:
        self.runner.obsolete("search")
        self.quick.obsolete("early")
        self.state.cleared()
        self.presenter.clear()
        self.cleared.emit()
        self.launch.first_answer_shown()

    def _show_early(
        self,
        number: int,
        results: Results,
        quick: bool,
        described: str,
        started: float,
        quiet: bool,
    ) -> None:
        """The first answer to query ``number``: the text encoder's (``quick``) or the caption index's."""
        if not self.state.is_latest(number):
            return
        self.state.first_answer_shown(number, quick)
        landing, more = self.state.landing(), self.state.more_wanted()
        if quick:
            seconds = time.perf_counter() - started
            self.presenter.show(results, described, seconds, quiet, landing=landing, more=more, first=True)
        else:
            described = f"{described} {CAPTIONS_WHILE_LOADING}"
            self.presenter.show(results, described, 0.0, quiet, landing=landing, more=more)
        self.state.landed()

    def _failed(self, error: BaseException) -> None:
        self.state.cleared()
        self.search.show_message("")  # an earlier query's note is not this failure's (the walk of stop 47)
        self.presenter.show_failure(error)
