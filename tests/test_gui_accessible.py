"""Every control the keyboard reaches in the main window has a name a screen reader can say.

Qt names a push button by its text and a labelled field by its label's text (its buddy); the
search field, the plus and minus buttons, the folder filter, the date fields, the tile-size slider and
the two photo grids had no name (a tooltip is only their description), so a screen reader said
"edit", "plus", "combo box", "list"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QWidget


def _unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        parent = widget.parent()
        if isinstance(parent, QAbstractSpinBox):
            continue  # a date field's own line edit: the reader speaks of the field
        if isinstance(parent, QAbstractScrollArea) and widget is parent.viewport():
            continue  # a map's or a grid's drawing area: the reader speaks of the view
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name).strip() if interface is not None else ""
        if len(name) < 3:  # a "+" or a minus sign is no name
            where = type(widget.parent()).__name__
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {name!r} in {where}")
    return missing


def test_every_control_of_the_main_window_has_a_name(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    assert _unnamed(window) == []
    window.search.set_text("a red circle")
    qtbot.waitUntil(lambda: window.results.rowCount() > 0, timeout=20_000)
    assert _unnamed(window) == []
    window.search.edit.setText("a blue square")
    window.search.add_text_term(negative=True)  # a chip: its sign, weight and remove button
    QApplication.processEvents()
    assert window.search.terms_bar.terms() and _unnamed(window) == []


def test_the_photo_view_library_dialog_and_words_panel_name_their_controls(
    qtbot, make_window, library_db
) -> None:
    window = make_window(library_db)
    window.search.set_text("a red circle")
    qtbot.waitUntil(lambda: window.results.rowCount() > 0, timeout=20_000)
    window.open_detail(window.results.index(0))
    qtbot.waitUntil(window.detail.isVisible, timeout=5_000)
    window.show_library()
    qtbot.waitUntil(window.library_dialog.isVisible, timeout=5_000)
    window.words.show()
    unnamed = {
        "photo view": _unnamed(window.detail),
        "library": _unnamed(window.library_dialog),
        "words": _unnamed(window.words),
    }
    assert unnamed == {"photo view": [], "library": [], "words": []}
