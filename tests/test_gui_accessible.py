"""Every control the keyboard reaches in the main window has a name a screen reader can say.

Qt names a push button by its text and a labelled field by its label's text (its buddy); the
search field, the plus and minus buttons, the folder filter, the date fields, the tile-size slider and
the two photo grids had no name (a tooltip is only their description), so a screen reader said
"edit", "plus", "combo box", "list"."""

from __future__ import annotations

from gui_support import unnamed_controls
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def test_every_control_of_the_main_window_has_a_name(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    assert unnamed_controls(window) == []
    window.search.set_text("a red circle")
    qtbot.waitUntil(lambda: window.results.rowCount() > 0, timeout=20_000)
    assert unnamed_controls(window) == []
    window.search.edit.setText("a blue square")
    window.search.add_text_term(negative=True)  # a chip: its sign, weight and remove button
    QApplication.processEvents()
    assert window.search.terms_bar.terms() and unnamed_controls(window) == []


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
        "photo view": unnamed_controls(window.detail),
        "library": unnamed_controls(window.library_dialog),
        "words": unnamed_controls(window.words),
    }
    assert unnamed == {"photo view": [], "library": [], "words": []}


def test_f1_lists_every_key_the_window_answers(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 40: the Help menu held only "About"; no list of keys anywhere."""
    from gui_support import press

    window = make_window(library_db)
    window.activateWindow()
    window.search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.edit)
    press(qtbot, Qt.Key.Key_F1)
    dialog = window.keys_dialog
    assert dialog is not None and dialog.isVisible()
    listed = dialog.text.toPlainText()
    for key, what in (
        ("Ctrl+Shift+F", "Find similar"),  # a menu item's, read from the menu bar
        ("Ctrl+Shift+D", "Find copies in the library"),
        ("Ctrl+Enter", "added term"),  # one no menu shows
        ("Esc", "leave the whole query"),
    ):
        assert any(k == key and what in w for _, k, w in dialog.rows), (key, what, dialog.rows)
        assert key in listed and what in listed
