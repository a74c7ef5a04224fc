"""The order in which the window starts its heavy work at launch (issue #18).

On two busy CPUs, one heavy thing at a time, and the loading only once the window has painted what
it shows (``after_paint``):

- a query typed before the library opened: its first answer (the text encoder in NumPy), then the
  network (PyTorch's import, the vectors, indexing) and the query's own search, then the timeline and
  the folder filter's subfolders (``after_network``);
- no query: the timeline, then the quick answer's files, then the network, then the subfolders.

Garbage collection is paused from the library's opening until the network is in: a full collection
walks every object holding the GIL, and during PyTorch's import each stalled the window 40-120 ms.

The window says what happened (``attached``, ``opened``, ``timeline_read``, ``first_answer_shown``,
``network_started``, ``network_loaded``); this object decides what starts next.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from photoscope.gui.after_paint import after_paint
from photoscope.gui.app import resume_collection
from photoscope.gui.tasks import TaskRunner

if TYPE_CHECKING:
    from photoscope.api import Photoscope

COLLECTION_PAUSE_MS = 60_000  # the longest the garbage collector waits for the network at launch
Task = Callable[[], None]


class LaunchOrder(QObject):
    """``start_network`` loads the network (the window's ``start_background``), ``prepare_on`` is the
    runner the quick answer's files are opened on, ``shown`` the widget on screen below the search bar
    (painted before the loading starts)."""

    def __init__(
        self, start_network: Task, prepare_on: TaskRunner, shown: Callable[[], QWidget], parent: QObject
    ) -> None:
        super().__init__(parent)
        self.start_network, self.prepare_on, self.shown = start_network, prepare_on, shown
        self.api: Photoscope | None = None
        self._after_first_answer: list[Task] = []
        self._after_network: list[Task] = []
        self._when_browsing = False  # the network loads once the timeline is read and painted

    def attached(self, api: Photoscope) -> None:
        """The library is open: no collection until the network is in (``network_started``); the timer
        resumes it whatever becomes of the load. What is alive then is frozen, so later collections
        walk only newer objects (not PyTorch's ~200,000: ~100 ms each)."""
        self.api = api
        if not api.model_ready:
            gc.disable()
            QTimer.singleShot(COLLECTION_PAUSE_MS, resume_collection)

    def opened(self, query_waiting: bool, timeline_complete: bool) -> None:
        """The library has folders: what loads the network, and when."""
        if query_waiting:  # importing PyTorch holds the GIL and both CPUs; the first answer needs neither
            self._after_first_answer.append(self.start_network)
        elif timeline_complete:  # on screen already
            self.after_paint(self._in_turn)
        else:
            self._when_browsing = True

    def timeline_read(self) -> None:
        """The timeline is on screen (or could not be read)."""
        if self._when_browsing:
            self._when_browsing = False
            self.after_paint(self._in_turn)

    def after_paint(self, task: Task) -> None:
        """``task`` once the page on screen has painted (a first answer, the timeline)."""
        after_paint(self.shown(), task)

    def first_answer_shown(self) -> None:
        """A query has its first answer (or needs none): the network loads now."""
        waiting, self._after_first_answer = self._after_first_answer, []
        for task in waiting:
            task()

    def after_network(self, task: Task) -> None:
        self._after_network.append(task)

    def network_started(self) -> None:
        """PyTorch is imported and the vectors loaded: collection resumes, their objects frozen."""
        resume_collection()

    def network_loaded(self) -> None:
        """The network has answered what was queued for it: what waited for it runs."""
        waiting, self._after_network = self._after_network, []
        for task in waiting:
            task()

    def _in_turn(self) -> None:
        """No query: the quick answer's files first (beside PyTorch's import, opening them takes
        several times as long), then the network."""
        api, start = self.api, self.start_network
        if api is None or api.model_ready:
            start()
            return
        self.prepare_on.submit(api.prepare_quick_search, lambda _: start(), lambda _: start())
