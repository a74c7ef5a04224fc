"""Every control the keyboard reaches in the main window has a name a screen reader can say.

Qt names a push button by its text and a labelled field by its label's text (its buddy); the
search field, the plus and minus buttons, the folder filter, the date fields, the tile-size slider and
the two photo grids had no name (a tooltip is only their description), so a screen reader said
"edit", "plus", "combo box", "list"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_support import announcements, press, typed_query, unnamed_controls
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAccessible, QColor, QCursor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from photoscope.gui.results_view import tip_place


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
        # audit 83's notes: Tab reaches the photo view's text fields, which the keyboard copies
        ("Tab", "the text fields"),
        ("Ctrl+A, Ctrl+C", "copy it"),
    ):
        assert any(k == key and what in w for _, k, w in dialog.rows), (key, what, dialog.rows)
        assert key in listed and what in listed


def _focused_tile(grid) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """What a screen reader says of the grid's focused tile: (its name, its description)."""
    tile = QAccessible.queryAccessibleInterface(grid).focusChild()
    assert tile is not None, "no tile has the focus"
    return tile.text(QAccessible.Text.Name), tile.text(QAccessible.Text.Description)


def test_a_tile_says_its_caption_and_match_to_a_screen_reader_and_the_keyboard(
    qtbot, make_window, library_db
) -> None:
    """Audit 82 (repro_1): a result tile was named by its file alone; its caption, match strength and
    "copy" badge were in the mouse's tooltip only, which the keyboard's tile never showed."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    typed_query(qtbot, window, "a red circle")
    press(qtbot, Qt.Key.Key_Down)  # from the search box into the results
    grid = window.view
    assert QApplication.focusWidget() is grid
    match = window.results.match_at(grid.currentIndex().row())
    name, description = _focused_tile(grid)
    assert match.photo.caption and match.photo.caption in name
    assert f"{round(match.strength * 100)} % match" in name
    assert Path(match.photo.path).name in description
    press(qtbot, Qt.Key.Key_Right)  # the next tile shows its tooltip, with no mouse over it
    current = grid.currentIndex()
    assert current.row() == 1
    qtbot.waitUntil(QToolTip.isVisible, timeout=2_000)
    assert QToolTip.text() == current.data(Qt.ItemDataRole.ToolTipRole)
    assert window.results.match_at(1).photo.caption in QToolTip.text()


def _tip_shown() -> QRect:
    """Where the tooltip on show is, on the screen."""
    label = next(
        w for w in QApplication.topLevelWidgets() if w.objectName() == "qtooltip_label" and w.isVisible()
    )
    return label.frameGeometry()


def test_the_keyboard_s_tooltip_opens_clear_of_the_mouse_pointer_and_the_next_row(
    qtbot, make_window, library_db
) -> None:
    """Audit 83 (repro_1): the keyboard's tile's tooltip opened at the tile's bottom-left corner,
    whatever lay there: where the idle mouse pointer rested, the grid "left" for it and Qt hid it
    at once; and it covered the tiles of the row below, where the keys go on to."""
    window = make_window(library_db)
    window.resize(1000, 700)
    typed_query(qtbot, window, "a red circle")
    press(qtbot, Qt.Key.Key_Down)
    grid = window.view
    assert QApplication.focusWidget() is grid
    following = grid.model().index(grid.currentIndex().row() + 1, 0)
    tile = grid.visualRect(following)
    corner = grid.viewport().mapToGlobal(tile.bottomLeft())
    QCursor.setPos(corner + QPoint(40, 30))  # the mouse left idle where the tooltip opened
    press(qtbot, Qt.Key.Key_Right)
    assert grid.currentIndex() == following
    qtbot.waitUntil(QToolTip.isVisible, timeout=2_000)
    shown = _tip_shown()
    assert not shown.contains(QCursor.pos()), (shown, QCursor.pos())
    below = grid.viewport().mapToGlobal(tile.bottomLeft()).y()  # the row the keys go on to
    assert shown.bottom() < below, (shown, below)


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        (QPoint(900, 900), QRect(300, 200 - 60, 500, 60)),  # above the tile, at its left edge
        (QPoint(320, 170), QRect(300, 361, 500, 60)),  # the pointer there: below it
        (QPoint(320, 400), QRect(300, 140, 500, 60)),  # and the other way round
    ],
)
def test_the_keyboard_s_tooltip_goes_above_its_tile_away_from_the_pointer(pointer, expected) -> None:
    tile = QRect(300, 200, 161, 161)
    assert tip_place(tile, QSize(500, 60), pointer, QRect(0, 0, 1280, 800)) == expected


def test_the_keyboard_s_tooltip_at_the_top_of_the_screen_goes_below_and_stays_on_the_screen() -> None:
    tile, screen = QRect(1100, 30, 161, 161), QRect(0, 0, 1280, 800)
    place = tip_place(tile, QSize(500, 60), QPoint(0, 0), screen)
    assert place.top() == tile.bottom() + 1 and place.right() == screen.right()
    wide = tip_place(tile, QSize(1300, 60), QPoint(100, 770), screen)
    assert wide == QRect(0, 0, 1300, 60)  # wider than the screen: at the edge away from the pointer


def test_a_library_tile_says_its_caption_once_its_record_is_read(qtbot, make_window, library_db) -> None:
    """The timeline reads its photos' records by pages, as a tile is asked about: its name is the
    file's until then, its caption after."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.timeline.complete and window.timeline.photo_count() > 0, timeout=20_000)
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Down)
    grid = window.browse
    assert QApplication.focusWidget() is grid
    _focused_tile(grid)  # asks for the record
    photo = window.timeline.photo_at(grid.currentIndex().row())
    qtbot.waitUntil(lambda: window.timeline.match_of(photo) is not None, timeout=10_000)
    caption = window.timeline.match_of(photo).photo.caption
    name, description = _focused_tile(grid)
    assert caption and name == caption and "match" not in name
    assert Path(window.timeline.path_of(photo)).name in description


def _said(widget) -> str:  # type: ignore[no-untyped-def]
    """A widget's name and description, as a screen reader asks Qt for them."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return f"{interface.text(QAccessible.Text.Name)} | {interface.text(QAccessible.Text.Description)}"


def test_the_photo_view_names_its_picture_and_tab_reaches_its_caption(qtbot, make_window, library_db) -> None:
    """Audit 82 (repro_2): the picture was a graphic with no name, and the caption, tags and path
    were labels Tab never reached (mouse-selectable only), so a screen reader said nothing of the
    photo and the keyboard could not select its path."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    typed_query(qtbot, window, "a red circle")
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)  # the photo view, on the first result
    detail = window.detail
    qtbot.waitUntil(lambda: detail.isVisible() and QApplication.focusWidget() is detail)
    caption = window.results.match_at(detail.row).photo.caption
    assert caption in _said(detail.preview) and caption in _said(detail)
    caption_field = detail.fields["caption"]
    for _ in range(12):  # Tab round the view to the caption
        press(qtbot, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is caption_field:
            break
    assert QApplication.focusWidget() is caption_field and caption in _said(caption_field)
    press(qtbot, Qt.Key.Key_Right)  # the next photo, the focus staying on its caption
    assert detail.row == window.results.row_of(1) and QApplication.focusWidget() is caption_field
    following = window.results.match_at(detail.row).photo.caption
    assert _said(caption_field).startswith(following) and _said(detail.preview).startswith(following)
    path_field = detail.fields["path"]
    while QApplication.focusWidget() is not path_field:
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # the keyboard selects the path
    assert path_field.selectedText() == detail.path()


def test_the_photo_view_s_focused_field_is_framed_in_the_highlight_colour(
    qtbot, make_window, library_db
) -> None:
    """Audit 83 (repro_3): Tab to the photo view's caption, tags, date, camera, size or file showed
    the focus by a text caret alone, one pixel wide: for six presses it seemed to vanish."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    typed_query(qtbot, window, "a red circle")
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)  # the photo view
    detail = window.detail
    qtbot.waitUntil(lambda: detail.isVisible() and QApplication.focusWidget() is detail)
    highlight = detail.palette().color(QPalette.ColorRole.Highlight)

    def framed(field) -> bool:  # type: ignore[no-untyped-def]
        """The field's frame is drawn: the highlight colour at its corner and its edges' middles."""
        image = field.grab().toImage()
        w, h = image.width(), image.height()
        points = [(0, 0), (w // 2, 0), (0, h // 2), (w - 1, h // 2), (w // 2, h - 1)]
        return all(image.pixelColor(x, y) == highlight for x, y in points)

    fields = [detail.fields[name] for name in ("caption", "tags", "taken", "camera", "size", "path")]
    assert not any(framed(field) for field in fields)
    for field in fields:
        while QApplication.focusWidget() is not field:
            press(qtbot, Qt.Key.Key_Tab)
        assert framed(field) and not any(framed(other) for other in fields if other is not field)
        assert field.textFormat() == Qt.TextFormat.PlainText
    press(qtbot, Qt.Key.Key_Tab)  # on to the buttons: no field framed
    assert not any(framed(field) for field in fields)


def test_a_search_s_answer_is_announced_to_a_screen_reader(
    qtbot, make_window, library_db, monkeypatch
) -> None:
    """Audit 82 (repro_4): the answer went to the status bar, the page and the note, never where the
    focus is (the search box), and nothing was sent to assistive technology: a screen reader's user
    who typed a query heard nothing."""
    said = announcements(monkeypatch)
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    typed_query(qtbot, window, "a red circle")
    assert QApplication.focusWidget() is window.search.edit
    count = window.result_label.text().partition(" for ")[0]  # "3 likely matches"
    assert len(said) == 1 and said[0].startswith(f"{count} for “a red circle”.")
    said.clear()
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # the words typed over
    typed_query(qtbot, window, "xyzzy plugh")
    assert QApplication.focusWidget() is window.search.edit
    assert len(said) == 1 and said[0].startswith("No photos found.") and "“xyzzy”" in said[0]


def test_the_first_matches_indexing_brings_to_an_empty_answer_are_announced_once(
    qtbot, make_window, tmp_path, monkeypatch
) -> None:
    """Audit 83 (repro_2): a query typed while the first folder was indexed was said to have found
    "Nothing found yet. Photos show up here as they are indexed."; when they did, by the refresh
    while indexing, nothing was said: a screen reader's user never learnt of them."""
    from gui_support import write_shapes

    from photoscope.gui.main_window import MainWindow
    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the thumbnails indexing makes
    said = announcements(monkeypatch)
    write_shapes(tmp_path / "P", per_kind=1)
    with Library(tmp_path / "library.db") as library:
        library.add_folder(tmp_path / "P")
        Scanner(library).scan()  # found, none indexed yet
    held = [True]  # indexing waits until the query's answer is in
    start = MainWindow.start_background
    monkeypatch.setattr(MainWindow, "start_background", lambda w: None if held[0] else start(w))
    window = make_window(tmp_path / "library.db")
    typed_query(qtbot, window, "a red circle")
    assert said and said[-1].startswith("Nothing found yet.")
    said.clear()
    held[0] = False
    window.start_background()
    qtbot.waitUntil(lambda: "8 photos indexed" in window.index_status.label.text(), timeout=60_000)
    qtbot.waitUntil(
        lambda: window.results.rowCount() > 0 and not window.runner.is_busy("search"), timeout=30_000
    )
    assert QApplication.focusWidget() is window.search.edit
    # said once, the first refresh that found them; not again at each refresh after it
    assert len(said) == 1 and " for “a red circle”." in said[0] and not said[0].startswith("Nothing"), said


def test_the_keyboard_s_tile_is_marked_apart_from_the_selection(qtbot, make_window, library_db) -> None:
    """Audit 82 (repro_5): Ctrl+arrows moved the current tile (what Enter opens, Ctrl+Space
    selects) without drawing it: only the selected tile looked any different."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.timeline.complete and window.timeline.photo_count() > 2, timeout=20_000)
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Down)  # into the library's grid, its first photo selected
    grid = window.browse
    assert QApplication.focusWidget() is grid
    first = grid.currentIndex()
    target = window.timeline.index(window.timeline.step(first.row(), 2))
    rect = grid.visualRect(target)
    ring = QPoint(rect.width() // 2, 3)  # on the ring, in the padding above the photo
    highlight = grid.palette().color(QPalette.ColorRole.Highlight)

    def at_ring() -> QColor:
        return grid.viewport().grab(rect).toImage().pixelColor(ring)

    assert at_ring() != highlight
    for _ in range(2):
        press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert grid.currentIndex() == target and not grid.selectionModel().isSelected(target)
    assert at_ring() == highlight
    press(qtbot, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)  # selected: the ring stays seen
    assert grid.selectionModel().isSelected(target)
    assert at_ring() == grid.palette().color(QPalette.ColorRole.HighlightedText)


def test_the_query_photo_s_clear_button_says_what_it_clears(qtbot, make_window, library_db) -> None:
    """Audit 82 (repro_7): the query photo chip's "✕" had no name, so a screen reader said
    "multiplication x" where a term chip's button says "Remove “dog”"."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.timeline.complete and window.timeline.photo_count() > 0, timeout=20_000)
    path = window.timeline.path_of(0)
    window.search.set_photo(path)  # as Photo… or a drop gives it
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Tab)
    button = window.search.chip.clear_button
    assert QApplication.focusWidget() is button
    assert _said(button).startswith(f"Clear the query photo {Path(path).name} |")
    assert unnamed_controls(window) == []


@pytest.fixture
def large_text() -> Iterator[None]:
    """The application's font at 18 pt, twice the default: a desktop's "large text"."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QFont(app.font())
    font = QFont(before)
    font.setPointSizeF(18)
    app.setFont(font)
    yield
    app.setFont(before)


def test_with_large_text_the_window_fits_a_small_screen(qtbot, make_window, library_db, large_text) -> None:
    """Audit 82 (repro_3): at 18 pt the window could not be narrower than 1,114 pixels (1,459 with
    the Words panel): the filter row never wrapped, and the welcome page's one-line text held the
    pages' stack that wide behind the grid."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    assert window.minimumSizeHint().width() <= 1024
    window.resize(window.minimumSizeHint().width(), 700)
    search = window.search
    qtbot.waitUntil(lambda: search.date_from.y() > search.folder_combo.y())  # the row wrapped
    assert search.date_from.geometry().top() >= search.folder_combo.geometry().bottom()
    window.activateWindow()
    press(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(window.words.isVisible)
    assert window.minimumSizeHint().width() <= 1366


@pytest.mark.parametrize("side", [128, 96])  # smaller, then cut with "…" at its least size
def test_with_large_text_a_header_tile_keeps_its_words_within_it(
    qtbot, make_window, library_db, large_text, side
) -> None:
    """Audit 82 (repro_6): at 18 pt a month's header ran past both sides of its tile, "December" read
    ")ecembe", no "…". Here the results under a header of a long month's name, in small tiles."""
    window = make_window(library_db)
    typed_query(qtbot, window, "a red circle")
    results = window.results
    results.set_matches(results.matches(), groups=[("September 2026", 0)])
    window.tile_slider.setValue(side)
    grid = window.view
    header = results.index(0)
    assert header.data(Qt.ItemDataRole.DisplayRole) == "September 2026"
    qtbot.waitUntil(lambda: grid.visualRect(header).width() == side + 12)
    tile = grid.viewport().grab(grid.visualRect(header)).toImage()
    width, height = tile.width(), tile.height()
    # between the header's box (8 pixels in) and where its text may go: no text there
    margins = [*range(9, 15), *range(width - 15, width - 9)]
    inked = [
        (x, y)
        for y in range(height // 3, 2 * height // 3)
        for x in margins
        if tile.pixelColor(x, y).lightness() < 90
    ]
    assert inked == []


def test_with_large_text_the_status_line_s_two_texts_stay_apart(
    qtbot, make_window, library_db, large_text
) -> None:
    """Audits 82 and 83 (notes): at 18 pt a long answer's line took all the room it could, and the
    indexing count ran into it, "135 photos indexed 1 likely match for “grass” + …", read as one.
    The answer's text starts a blank of one "m" into its own place, whatever is before it."""
    window = make_window(library_db)
    typed_query(qtbot, window, "a red circle next to a blue square on the white grass by a green circle")
    window.resize(1024, 700)  # a long answer's line wants more room than the window has
    bar, counts, answer = window.statusBar(), window.index_status, window.result_label
    qtbot.waitUntil(lambda: "indexed" in counts.label.text(), timeout=20_000)
    assert answer.shown_text() != answer.text()  # it had to be cut: the case of the audits
    place = answer.mapTo(bar, QPoint(0, 0)).x()
    assert counts.mapTo(bar, QPoint(counts.width(), 0)).x() <= place  # the count ends before it
    text_starts = answer.mapTo(bar, answer.contentsRect().topLeft()).x()
    assert text_starts - place >= answer.fontMetrics().horizontalAdvance("m")
    shown = answer.fontMetrics().horizontalAdvance(answer.shown_text())
    assert text_starts + shown <= answer.mapTo(bar, QPoint(answer.width(), 0)).x()  # cut within it
