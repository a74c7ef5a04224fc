"""The timeline behind a query's results is not read again at every change (reading 100,000 photos
while indexing and searching stalled the window: benchmarks/gui.py's heartbeat); it is read when it
shows again, and then holds what changed meanwhile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gui_support import WindowFactory, press, write_shapes
from PySide6.QtCore import Qt


def test_the_timeline_behind_a_query_is_read_again_when_it_shows(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path
) -> None:
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.timeline.complete and window.timeline.photo_count() > 0, timeout=30_000)
    before = window.timeline.photo_count()
    window.search.edit.setFocus()
    qtbot.waitUntil(window.search.edit.hasFocus)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        qtbot.keyClicks(window.search.edit, "a red square")
        press(qtbot, Qt.Key.Key_Return)
    api = window.api
    assert api is not None
    reads: list[str] = []
    timeline = api.timeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args[0] if args else "")
        return timeline(*args, **kwargs)

    api.timeline = counted  # type: ignore[method-assign]
    new = write_shapes(tmp_path / "New", per_kind=1)
    api.add_folder(tmp_path / "New")  # photos found while the results show (as the watcher would)
    window.reload_timeline()  # what indexing progress asks for
    qtbot.wait(1500)
    assert reads == [] and window.timeline.photo_count() == before  # not read behind the results

    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # the user clears the query
    press(qtbot, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: window.timeline.photo_count() == before + len(new), timeout=30_000)
    assert window.pages.currentWidget() is window.browse
