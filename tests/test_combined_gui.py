"""The search bar's chips: typed words and dropped photos as added or taken-away terms."""

from __future__ import annotations

import warnings

from gui_support import names
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from photoscope.api import describe_terms
from photoscope.gui.term_chips import MINUS, PLUS


def drop(widget, mime: QMimeData, modifiers: Qt.KeyboardModifier) -> None:  # type: ignore[no-untyped-def]
    point = QPointF(widget.width() / 2, widget.height() / 2)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, modifiers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(point.toPoint(), *args)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(point, *args))


def test_typed_words_become_chips_that_flip_and_combine(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    window = make_window(library_db)
    search = window.search
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClicks(search.edit, "red")
        qtbot.keyClick(search.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert search.edit.text() == "" and len(search.terms_bar.chips) == 1 and search.terms_bar.isVisible()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClicks(search.edit, "square")
        search.subtract_button.click()  # the mouse's way to take the words away
    chip = search.terms_bar.chips[1]
    assert chip.sign.text() == MINUS and chip.negative and "without" in chip.accessibleName()
    assert all(n.startswith("red_circle") for n in names(window, 3)), names(window)
    # Space on a chip flips its sign; Delete removes it; both search again.
    chip.setFocus()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClick(chip, Qt.Key.Key_Space)
    assert chip.sign.text() == PLUS
    assert all(n.startswith("red_square") for n in names(window, 3)), names(window)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClick(chip, Qt.Key.Key_Delete)
    assert len(search.terms_bar.chips) == 1
    assert describe_terms(search.terms_bar.terms()) == "“red”"


def test_a_result_dropped_on_the_bar_joins_the_query_alt_takes_it_away(  # type: ignore[no-untyped-def]
    qtbot, make_window, library_db, indexed_library
) -> None:
    _, _, photos = indexed_library
    window = make_window(library_db)
    search = window.search
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        search.set_text("a circle")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photos / "green_circle_0.jpg"))])
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        drop(search.edit, mime, Qt.KeyboardModifier.AltModifier)
    chip = search.terms_bar.chips[0]
    assert chip.photo == str(photos / "green_circle_0.jpg") and chip.negative
    assert search.text() == "a circle" and search.query_photo is None  # the query stays
    assert not any(n.startswith("green") for n in names(window, 3)), names(window)
    window.browse_all()  # leaving the query drops its chips
    assert search.terms_bar.chips == [] and not search.terms_bar.isVisible()
