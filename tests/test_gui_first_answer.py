"""A query typed while the app is still loading the network (issue #18): its first answer comes from the
text encoder in NumPy, then the network's ranking replaces it, keeping the photo the user selected."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_support import names
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QWidget

from photoscope.api import Photoscope
from photoscope.gui.main_window import MainWindow
from photoscope.gui.wording import REFINING
from photoscope.network.model import PhotoscopeModel

QUERY = "a red circle"


def _at_launch(
    qtbot: Any, settings: QSettings, library_db: Path, model: Path
) -> tuple[Photoscope, MainWindow]:
    """The library's API with its network not built yet, as at launch, and a window not shown."""
    api = Photoscope(library_db, model_dir=model)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    return api, window


@contextlib.contextmanager
def _closed_after(api: Photoscope, window: MainWindow) -> Iterator[None]:
    try:
        yield
    finally:
        window.shutdown()
        api.close()


def _hold(api: Photoscope, method: str) -> threading.Event:
    """Make ``api.<method>`` wait for the returned event: the network still loading, as at launch."""
    go = threading.Event()
    original = getattr(api, method)

    def held(*args: Any, **kwargs: Any) -> Any:
        go.wait(60)
        return original(*args, **kwargs)

    setattr(api, method, held)
    return go


class PaintWatch(QObject):
    """Whether ``widget`` has been painted while ``condition()`` held (the grid had its rows)."""

    def __init__(self, widget: QWidget, condition: Any) -> None:
        super().__init__(widget)
        self.condition, self.seen = condition, False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.condition():
            self.seen = True
        return False


def test_a_query_typed_before_the_network_is_ready_is_answered_then_refined(
    qtbot: Any,
    settings: QSettings,
    library_db: Path,
    gui_model: PhotoscopeModel,
    trained_tiny: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gui_support import announcements

    said = announcements(monkeypatch)  # what a screen reader is told (audit 83: the first answer as final)
    with Photoscope(library_db, model=gui_model) as loaded:
        assert len(loaded.store)  # the vectors' mapped file, as the app's first load of them writes it
        refined = loaded.search_text(QUERY, 1000)
    api = Photoscope(library_db, model_dir=trained_tiny)  # the network not built: as at launch
    network_may_answer = _hold(api, "search_text")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    try:
        window.search.set_text(QUERY)  # typed before the library is even open
        with qtbot.waitSignal(window.results_shown, timeout=30_000) as first:
            window.open_library(lambda: api)
        assert first.args[0] > 0 and window.refining and window.first_answer == "quick"
        quick = api.search_text_quick(QUERY, 1000)
        assert quick is not None
        assert names(window) == [Path(m.photo.path).name for m in quick.matches[: len(names(window))]]
        assert all(n.startswith("red_circle") for n in names(window, 3)), names(window)
        assert REFINING in window.result_label.text()
        assert len(said) == 1 and said[0].endswith(REFINING.capitalize()), said

        # The user selects a photo in the first answer; the network's answer keeps it selected.
        refined_ids = [m.photo.id for m in refined.matches]
        rows = range(1, window.results.rowCount())
        row = next(r for r in rows if window.results.match_at(r).photo.id in refined_ids)
        chosen = window.results.match_at(row).photo.id
        window.view.setCurrentIndex(window.results.index(row))
        with qtbot.waitSignal(window.results_shown, timeout=60_000):
            network_may_answer.set()
        assert not window.refining and window.first_answer is None
        assert REFINING not in window.result_label.text()
        assert all(REFINING not in s.lower() for s in said[1:])
        assert [m.photo.id for m in window.results.matches()] == refined_ids[: window.results.rowCount()]
        assert window.view.selectionModel().hasSelection()
        assert window.results.match_at(window.view.currentIndex().row()).photo.id == chosen
    finally:
        network_may_answer.set()
        window.shutdown()
        api.close()


def test_garbage_collection_waits_until_the_network_is_in(
    qtbot: Any, settings: QSettings, library_db: Path, trained_tiny: Path
) -> None:
    # A full collection while PyTorch is imported stalls the window (benchmarks/gui.py): none runs
    # from the library's opening until the network is in, and then what is alive is frozen.
    api, window = _at_launch(qtbot, settings, library_db, trained_tiny)
    network_may_load = _hold(api, "start_background")
    window.show()
    frozen = gc.get_freeze_count()
    try:
        window.open_library(lambda: api)
        qtbot.waitUntil(lambda: window.api is not None, timeout=30_000)
        assert not gc.isenabled()
        with qtbot.waitSignal(window.indexing_started, timeout=60_000):
            network_may_load.set()
        assert gc.isenabled() and gc.get_freeze_count() > frozen
    finally:
        network_may_load.set()
        window.shutdown()
        api.close()
        gc.enable()


# PyTorch's import (and before it the quick answer's files) runs Python on another thread, and loads
# PyTorch's libraries under the dynamic loader's lock: started while the window lays out and paints
# a new grid, each of the grid's calls into Python waits for the GIL, and a thread started for its
# thumbnails waits for the loader. So the network loads once the first screen is painted.


def test_the_network_loads_once_the_first_answer_is_painted(
    qtbot: Any,
    settings: QSettings,
    library_db: Path,
    trained_tiny: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started_after_paint: list[bool] = []
    start_background = MainWindow.start_background

    def watched_start(window: MainWindow) -> None:
        started_after_paint.append(painted.seen)
        start_background(window)

    monkeypatch.setattr(MainWindow, "start_background", watched_start)
    api, window = _at_launch(qtbot, settings, library_db, trained_tiny)
    painted = PaintWatch(window.view.viewport(), lambda: window.results.rowCount() > 0)
    window.show()
    with _closed_after(api, window):
        window.search.set_text(QUERY)  # typed before the library is even open
        with qtbot.waitSignal(window.indexing_started, timeout=60_000):
            window.open_library(lambda: api)
        assert started_after_paint[:1] == [True]


def test_the_search_index_loads_once_the_timeline_is_painted(
    qtbot: Any, settings: QSettings, library_db: Path, trained_tiny: Path
) -> None:
    api, window = _at_launch(qtbot, settings, library_db, trained_tiny)
    painted = PaintWatch(window.browse.viewport(), lambda: window.timeline.complete)
    prepared_after_paint: list[bool] = []  # the quick answer's files: the first of the loading
    submit = window.quick.submit

    def watched_submit(fn: Any, *args: Any, **kwargs: Any) -> int:
        if fn == api.prepare_quick_search:
            prepared_after_paint.append(painted.seen)
        return submit(fn, *args, **kwargs)

    window.quick.submit = watched_submit  # type: ignore[method-assign]
    window.show()
    with _closed_after(api, window):
        with qtbot.waitSignal(window.indexing_started, timeout=60_000):
            window.open_library(lambda: api)
        assert window.pages.currentWidget() is window.browse
        assert prepared_after_paint == [True]
