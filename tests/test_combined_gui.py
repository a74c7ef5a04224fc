"""The search bar's chips: typed words and dropped photos as added or taken-away terms."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from gui_support import names, weighed_chip
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from photoscope.api import IndexOptions, describe_terms
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
    # The GUI audit: + and - did nothing with no words typed, and did not look it.
    assert not search.add_button.isEnabled() and not search.subtract_button.isEnabled()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClicks(search.edit, "red")
        assert search.add_button.isEnabled() and search.subtract_button.isEnabled()
        qtbot.keyClick(search.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert search.edit.text() == "" and len(search.terms_bar.chips) == 1 and search.terms_bar.isVisible()
    assert not search.add_button.isEnabled()
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
    window.activateWindow()
    chip.setFocus()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClick(chip, Qt.Key.Key_Delete)
    assert len(search.terms_bar.chips) == 1
    assert describe_terms(search.terms_bar.terms()) == "“red”"
    # Audit: after Delete the focus went nowhere: to the chip beside it, then to the search box.
    remaining = search.terms_bar.chips[0]
    assert QApplication.focusWidget() is remaining
    qtbot.keyClick(remaining, Qt.Key.Key_Delete)  # the query is empty now: the timeline shows
    assert QApplication.focusWidget() is search.edit and not search.terms_bar.chips


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


def test_words_typed_beside_a_dropped_photo_join_it(qtbot, make_window, library_db, indexed_library) -> None:  # type: ignore[no-untyped-def]
    """The #17 audit of stop 44: "this photo, but at night" could not be asked. A photo dropped on the
    empty bar, then words typed beside it: the pause after typing threw the photo away and searched
    the words alone. They join it now, and taking the words away leaves the photo's search."""
    _, _, photos = indexed_library
    window = make_window(library_db)
    search = window.search
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photos / "green_circle_0.jpg"))])
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        drop(search.edit, mime, Qt.KeyboardModifier.NoModifier)
    assert search.query_photo == str(photos / "green_circle_0.jpg")
    search.edit.setFocus()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):  # after the pause
        qtbot.keyClicks(search.edit, "red")
    assert search.query_photo == str(photos / "green_circle_0.jpg") and search.text() == "red"
    said = window.result_label.full_text
    assert "for photos like green_circle_0.jpg + “red” (" in said, said
    first = names(window, 1)[0]
    assert first.startswith("red_circle"), names(window)  # a circle, and red
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        search.edit.clear()  # the words go: the photo's own search again
    said = window.result_label.full_text
    assert "for photos like green_circle_0.jpg (" in said, said
    assert names(window, 1)[0].startswith("green_circle")


def test_the_search_bar_says_what_a_dropped_photo_counts_as(  # type: ignore[no-untyped-def]
    qtbot, settings, shipped_model_dir, tmp_path
) -> None:
    # The shipped model (its word detectors know Flickr8k's words; the tiny test model has none),
    # on a few shapes indexed with it: "snow" typed, then a photo dropped on the bar joins the
    # query, and the bar says which words the photo was searched as.
    from gui_support import write_shapes

    from photoscope.api import Photoscope
    from photoscope.gui.main_window import MainWindow
    from photoscope.network.model import PhotoscopeModel
    from photoscope.network.word_probes import load_word_probes

    model = PhotoscopeModel(shipped_model_dir)
    photos = write_shapes(tmp_path / "Photos", per_kind=1)
    db = tmp_path / "library.db"
    with Photoscope(db, model=model) as indexing:
        indexing.add_folder(tmp_path / "Photos")
        indexing.scanner().scan()
        indexing.indexer(options=IndexOptions(thumbnail_root=tmp_path / "thumbnails")).run()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    api = Photoscope(db, model=model)
    try:
        window.show()
        with qtbot.waitSignal(window.library_opened, timeout=10_000):
            window.attach(api)
        search = window.search
        search.edit.setFocus()
        with qtbot.waitSignal(window.results_shown, timeout=20_000):
            qtbot.keyClicks(search.edit, "snow")
        assert not search.message.text().startswith("The photo")
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(photos[0]))])
        with qtbot.waitSignal(window.results_shown, timeout=20_000):
            drop(search.edit, mime, Qt.KeyboardModifier.NoModifier)
        note = search.message.text()
        assert search.message.isVisible() and note.startswith("The photo counts as what it shows: "), note
        words = note.removeprefix("The photo counts as what it shows: ").split(".")[0].split(", ")
        assert f"{photos[0].name} is not listed: it is one of the photos searched by." in note, note
        content = load_word_probes().content
        assert content is not None and set(words) <= content and "snow" not in words
    finally:
        window.shutdown()
        api.close()


def test_a_chip_s_words_are_struck_through_exactly_while_it_is_taken_away(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 40: a chip flipped to + kept its strike-through (only the chip's frame
    was styled again, not its words), one flipped to - showed none: the chip said the opposite of
    the query."""
    from photoscope.gui.term_chips import TermChip

    chip = TermChip("water", None, negative=True)
    qtbot.addWidget(chip)
    chip.show()
    assert chip.name.font().strikeOut()
    for negative in (False, True, False):
        chip.sign.toggle()
        assert chip.negative is negative and chip.name.font().strikeOut() is negative


def test_tab_reaches_the_chips_where_they_are_between_the_search_box_and_the_filters(  # type: ignore[no-untyped-def]
    qtbot, make_window, library_db
) -> None:
    """The GUI walk of stop 40: Tab went from the search row to the filters and the grid, and only
    then to the chips, which sit between them."""
    from gui_support import press

    window = make_window(library_db)
    search = window.search
    window.activateWindow()
    search.edit.setFocus()
    for words in ("red", "square"):
        with qtbot.waitSignal(window.results_shown, timeout=20_000):
            qtbot.keyClicks(search.edit, words)
            qtbot.keyClick(search.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    first, second = search.terms_bar.chips
    visited = []
    while QApplication.focusWidget() is not search.folder_combo and len(visited) < 30:
        press(qtbot, Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    on_chips = [w for w in visited if w in (first, second) or w.parent() in (first, second)]
    assert on_chips[0] is first and second in on_chips, visited
    assert visited.index(first) < visited.index(second) < visited.index(search.folder_combo)


def test_a_chip_with_the_keyboard_focus_looks_focused(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 42: Tab reached each chip, but nothing showed which had the focus."""
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from photoscope.gui.term_chips import TermChip

    page = QWidget()
    qtbot.addWidget(page)
    other, chip = QLineEdit(), TermChip("a dog", None, negative=True)
    column = QVBoxLayout(page)
    column.addWidget(other)
    column.addWidget(chip)
    page.show()
    qtbot.waitExposed(page)
    other.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is other)
    unfocused = chip.grab().toImage()
    qtbot.keyClick(other, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chip)
    focused = chip.grab().toImage()
    assert focused != unfocused


def test_back_returns_to_the_query_escape_left(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 42: with the query in chips the box is empty, so the first Escape left
    the whole query, weights and signs with it, and Back had "nothing to go back to"."""
    window = make_window(library_db)
    search = window.search
    search.edit.setFocus()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClicks(QApplication.focusWidget(), "red")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClicks(QApplication.focusWidget(), "square")
        search.subtract_button.click()
    search.terms_bar.chips[1].weight.setValue(2.0)
    composed = describe_terms(search.terms_bar.terms())
    search.edit.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # the box is empty: the query goes
    assert not search.terms_bar.chips
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # again: nothing more to leave
    window.update_back_action()
    assert window.back_action.text() == f"&Back to {composed}"
    # From the library, a Find similar and Back from it: the query left before is still Back's.
    timeline = window.timeline
    qtbot.waitUntil(lambda: timeline.photo_count() > 0, timeout=20_000)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.find_similar(timeline.id_of(0), timeline.path_of(0))
    window.update_back_action()
    assert window.back_action.text() == "&Back to all photos"
    window.go_back()
    assert search.query_photo is None and not search.terms_bar.chips
    window.update_back_action()
    assert window.back_action.text() == f"&Back to {composed}"
    search.edit.setFocus()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert (
        describe_terms(search.terms_bar.terms())
        == composed
        == "“red” \N{MINUS SIGN} 2\N{MULTIPLICATION SIGN} “square”"
    )
    assert all(n.startswith("red_circle") for n in names(window, 3)), names(window)


def test_a_left_query_with_a_photo_and_chips_names_both(
    qtbot, make_window, library_db, indexed_library
) -> None:  # type: ignore[no-untyped-def]
    """The review of stop 42: Back's label named only the chips of a query that had a photo too."""
    window = make_window(library_db)
    photo = str(indexed_library[2] / "red_circle_0.jpg")
    window.search.set_photo(photo)
    window.search.terms_bar.add(text="square", negative=True)
    left = window.search.left_query()
    assert left is not None and left.photo == photo
    assert left.described == "photos like red_circle_0.jpg \N{MINUS SIGN} “square”"


def _chips(qtbot, window, added: str, taken_away: str) -> None:  # type: ignore[no-untyped-def]
    """Type two chips as a user does: ``added`` (Ctrl+Enter), then ``taken_away`` (Ctrl+Shift+Enter)."""
    search = window.search
    for text, keys in (
        (added, Qt.KeyboardModifier.ControlModifier),
        (taken_away, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
    ):
        with qtbot.waitSignal(window.results_shown, timeout=20_000):
            qtbot.keyClicks(search.edit, text)
            qtbot.keyClick(search.edit, Qt.Key.Key_Return, keys)


def test_the_same_words_added_and_taken_away_cancel_out(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 43: chips “a cat” and - “a cat” showed "9 likely matches" at full strength."""
    window = make_window(library_db)
    search = window.search
    _chips(qtbot, window, added="a red circle", taken_away="red circle")
    assert [c.negative for c in search.terms_bar.chips] == [False, True]
    assert window.pages.currentWidget() is window.pages.message
    assert "Nothing left to search for" in window.pages.message.text()
    assert "“a red circle” is added and taken away: they cancel out" in search.message.text()


def test_find_similar_searches_by_the_photo_alone_and_back_returns_the_chips(
    qtbot, make_window, library_db
) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 43: with chips + “red” and - “square” in the bar, Find similar on a photo
    answered "the photo + “red” - “square”" under the header "Photos like …": the chips stayed.
    Find similar asks for photos like that photo; Back puts the whole query back."""
    window = make_window(library_db)
    search = window.search
    _chips(qtbot, window, added="red", taken_away="square")
    composed = describe_terms(search.terms_bar.terms())
    photo = window.results.matches()[0].photo
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.find_similar(photo.id, photo.path)
    assert not search.terms_bar.chips and search.query_photo == photo.path
    assert window.flow.query().terms == () and window.flow.query().similar == (photo.id, photo.path)
    window.update_back_action()  # as the View menu opens
    assert "“red”" in window.back_action.text()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.go_back()
    assert describe_terms(search.terms_bar.terms()) == composed and search.query_photo is None
    assert [c.negative for c in search.terms_bar.chips] == [False, True]


def test_a_photo_dropped_anywhere_on_the_bar_joins_the_query_once(
    qtbot, make_window, library_db, indexed_library
) -> None:  # type: ignore[no-untyped-def]
    """The #17 audit of stop 44: a result dropped one row lower, on the chips, replaced the whole
    query (the words erased, Alt ignored), and a photo dropped again was in the query twice, once
    added and once taken away."""
    _, _, photos = indexed_library
    window = make_window(library_db)
    search = window.search
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        search.set_text("a circle")

    def mime(name: str) -> QMimeData:
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(photos / name))])
        return data

    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        drop(search.edit, mime("green_circle_0.jpg"), Qt.KeyboardModifier.AltModifier)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):  # on the chip: it joins too
        drop(search.terms_bar.chips[0], mime("red_square_0.jpg"), Qt.KeyboardModifier.NoModifier)
    assert search.text() == "a circle" and search.query_photo is None
    assert [(Path(str(c.photo)).name, c.negative) for c in search.terms_bar.chips] == [
        ("green_circle_0.jpg", True),
        ("red_square_0.jpg", False),
    ]
    with qtbot.waitSignal(window.results_shown, timeout=20_000):  # again, with Alt: its sign changes
        drop(search.terms_bar, mime("red_square_0.jpg"), Qt.KeyboardModifier.AltModifier)
    assert [(Path(str(c.photo)).name, c.negative) for c in search.terms_bar.chips] == [
        ("green_circle_0.jpg", True),
        ("red_square_0.jpg", True),
    ]
    with qtbot.waitSignal(window.results_shown, timeout=20_000):  # the grid, below the bar: the photo alone
        drop(window.view, mime("red_square_0.jpg"), Qt.KeyboardModifier.NoModifier)
    assert search.query_photo == str(photos / "red_square_0.jpg") and not search.terms_bar.chips


def test_many_chips_wrap_within_the_window(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """The #17 audit of stop 44: six chips made the window at least 1381 px wide (a laptop's screen
    is 1366): the chips' row never wrapped."""
    window = make_window(library_db)
    window.resize(900, 700)
    search = window.search
    for words in ("a dog running on the beach", "people", "at night", "snow", "a red ball", "grass"):
        search.edit.setText(words)
        search.add_text_term(negative=False)
    qtbot.waitUntil(lambda: all(chip.isVisible() for chip in search.terms_bar.chips))
    assert window.minimumSizeHint().width() <= 900
    assert window.width() <= 900
    bar = search.terms_bar.rect()
    for chip in search.terms_bar.chips:
        assert bar.contains(chip.geometry()), (chip.describe(), chip.geometry(), bar)
    assert len({chip.y() for chip in search.terms_bar.chips}) > 1  # on more than one line


def test_the_chips_by_keyboard(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """The #17 audit of stop 44: Left and Right did nothing on a chip, nor did Escape, and each chip
    took four Tab stops (the chip, its sign, weight and remove buttons, where the chip's own Space
    and Delete do what the two buttons do)."""
    from gui_support import press

    window = make_window(library_db)
    search = window.search
    for words in ("red", "square", "blue"):
        search.edit.setText(words)
        search.add_text_term(negative=False)
    first, second, third = search.terms_bar.chips
    qtbot.waitUntil(lambda: all(chip.isVisible() for chip in (first, second, third)))
    window.activateWindow()
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    press(qtbot, Qt.Key.Key_Right)
    assert QApplication.focusWidget() is second
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right)  # the last: it stays
    assert QApplication.focusWidget() is third
    press(qtbot, Qt.Key.Key_Left)
    assert QApplication.focusWidget() is second
    press(qtbot, Qt.Key.Key_Tab)  # its weight, then the next chip
    assert (
        QApplication.focusWidget().parent() is second
        and "Weight" in QApplication.focusWidget().accessibleName()
    )
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is third
    press(qtbot, Qt.Key.Key_Escape)  # back to the words
    assert QApplication.focusWidget() is search.edit


def test_a_chip_s_weight_goes_as_high_as_the_command_line_s(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """Stop 44's Left list: the window's weight box stopped at 5x where ``--weight`` takes up to 100
    (``MAX_WEIGHT``): a query the command line can make, the window could not."""

    from photoscope.api import MAX_WEIGHT

    window = make_window(library_db)
    search = window.search
    chip = weighed_chip(qtbot, window, "red", "20")
    assert [t.weight for t in search.terms_bar.terms()] == [20.0]
    assert chip.weight.maximum() == MAX_WEIGHT
    # audit 97 (note): typed over it, the weight stopped there without a word; its tooltip says so
    assert "from 0 to 100" in chip.weight.toolTip()


def test_a_query_whose_every_term_weighs_0_says_so(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 47: a chip set to 0 said "No photos for 0x “a dog”" and "Try describing
    it in other words", as if its words were at fault."""
    from gui_support import press

    window = make_window(library_db)
    weighed_chip(qtbot, window, "a red circle", "0")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Nothing to search for" in window.pages.message.text(), timeout=20_000)
    assert "weighs 0" in window.pages.message.text()
    assert "other words" not in window.pages.message.text()


def test_ctrl_home_in_a_chip_s_weight_box_shows_all_photos(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 47: Ctrl+Home (View > All photos) did nothing while a chip's weight box
    had the focus: the box took it as its own Home."""
    from gui_support import press

    window = make_window(library_db)
    weighed_chip(qtbot, window, "a red circle", "2")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.view, timeout=20_000)
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    assert not window.search.terms_bar.chips


def test_the_query_s_photo_dropped_on_the_bar_is_not_added_again(  # type: ignore[no-untyped-def]
    qtbot, make_window, library_db, indexed_library
) -> None:
    """Audit 73 (repro_4): the photo searched by, dropped on the bar, became a chip beside itself
    ("dog.jpg + dog.jpg", "given twice"), and with Alt "dog.jpg - dog.jpg", nothing left to search
    for. It is in the query already, as typing or pasting its path says."""
    _, _, photos = indexed_library
    window = make_window(library_db)
    search = window.search
    photo = str(photos / "red_square_0.jpg")
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        search.set_photo(photo)
    for modifier in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.AltModifier):
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(photo)])
        drop(search.edit, data, modifier)
        assert search.terms_bar.chips == [] and search.query_photo == photo
        assert "in the query already" in search.message.text()


def test_a_photo_chip_shows_its_name_s_control_characters_escaped(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Audit 73 (repro_6): a chip's label, tooltip and accessible name held a file name's
    right-to-left override raw (the rest read backwards) and its newline (the tooltip split), where
    the tiles and the photo view escape them."""
    from photoscope.gui.term_chips import TermChip

    for name, escaped in (
        ("evil\u202egpj.exe.jpg", "evil\\u202egpj.exe.jpg"),
        ("new\nline.jpg", "new\\x0aline.jpg"),
    ):
        chip = TermChip(None, f"/nowhere/{name}", negative=False)
        qtbot.addWidget(chip)
        for text in (
            chip.name.text(),
            chip.toolTip(),
            chip.accessibleName(),
            chip.remove_button.accessibleName(),
        ):
            assert "\u202e" not in text and "\n" not in text.split("\nSpace:")[0], text
        assert escaped in chip.toolTip()


def test_a_chip_at_weight_0_is_said_to_count_for_nothing(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """Audit 80: a chip at 0x beside words got no note under the bar; the command line says "'x'
    weighs 0: it counts for nothing", and the README says the notes say so."""
    from gui_support import press

    window = make_window(library_db)
    search = window.search
    weighed_chip(qtbot, window, "a red circle", "0")
    search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search.edit)
    qtbot.keyClicks(QApplication.focusWidget(), "blue")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.view, timeout=20_000)
    qtbot.waitUntil(lambda: "weighs 0" in search.message.text(), timeout=20_000)
    assert "“a red circle” weighs 0: it counts for nothing." in search.message.text()


@pytest.mark.parametrize("window_colour", ["#2b2b2b", "#ffffff"])
def test_a_taken_away_chip_s_red_border_stands_out_on_a_dark_or_light_window(  # type: ignore[no-untyped-def]
    qtbot, window_colour
) -> None:
    """Audit 82's notes: on a dark window (#2b2b2b) the taken-away chip's #c0392b border had 2.6:1
    contrast, under the 3:1 a control's outline needs to be seen (WCAG 1.4.11)."""
    from PySide6.QtGui import QColor, QPalette

    from photoscope.gui.colours import contrast_ratio
    from photoscope.gui.term_chips import TermChip

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    theme = QPalette(before)  # the desktop's theme: the application's palette
    theme.setColor(QPalette.ColorRole.Window, QColor(window_colour))
    app.setPalette(theme)
    try:
        chip = TermChip("people", None, negative=True)
        qtbot.addWidget(chip)
        chip.show()
        qtbot.waitExposed(chip)
        image = chip.grab().toImage()
    finally:
        app.setPalette(before)
    border = image.pixelColor(0, image.height() // 2)  # the left edge, between the rounded corners
    assert border.red() > border.green() + 40, border.name()  # red: the sign of a taken-away term
    assert contrast_ratio(border, QColor(window_colour)) >= 3.0, border.name()


def test_a_taken_away_chip_follows_the_theme_turning_dark_while_it_shows(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    from photoscope.gui.colours import contrast_ratio
    from photoscope.gui.term_chips import TermChip

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    chip = TermChip("people", None, negative=True)  # built under the light theme
    qtbot.addWidget(chip)
    chip.show()
    qtbot.waitExposed(chip)
    dark = QPalette(before)
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2b"))
    try:
        app.setPalette(dark)

        def border() -> QColor:
            image = chip.grab().toImage()
            return image.pixelColor(0, image.height() // 2)

        qtbot.waitUntil(lambda: contrast_ratio(border(), QColor("#2b2b2b")) >= 3.0, timeout=2_000)
    finally:
        app.setPalette(before)


def test_a_taken_away_chip_s_sign_does_not_look_pressed(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Audit 97's notes: a taken-away chip's minus sign was drawn as a pressed button (a checked toggle),
    which read as stuck; its sign, red border and struck-through words say it is taken away."""
    from photoscope.gui.term_chips import TermChip

    added, taken_away = TermChip("beach", None, False), TermChip("people", None, True)
    for chip in (added, taken_away):
        qtbot.addWidget(chip)
        chip.show()
    qtbot.waitExposed(taken_away)
    plain, signed = added.sign.grab().toImage(), taken_away.sign.grab().toImage()
    assert signed.size() == plain.size()  # flipping a sign does not move the chip's words
    corners = [(1, 1), (1, plain.height() - 2), (plain.width() - 2, 1)]
    assert [signed.pixelColor(x, y) for x, y in corners] == [plain.pixelColor(x, y) for x, y in corners]
    assert taken_away.sign.isChecked() and taken_away.negative  # still a toggle to a screen reader
