"""The maps window against the real widgets and a really indexed library."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import press, unnamed_controls
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from photoscope.api import Photoscope
from photoscope.gui.map_view import nearest_in_direction
from photoscope.gui.map_window import MapWindow
from photoscope.gui.tasks import TaskRunner


@pytest.fixture
def window(qtbot, shapes_library_db, trained_tiny: Path):
    db, _ = shapes_library_db
    app = Photoscope(db, trained_tiny)
    tasks = TaskRunner()
    window = MapWindow(app, tasks)
    qtbot.addWidget(window)
    window.show()
    window.busy_values: list[int] = []  # what the progress bar showed while the layout was computed
    window.busy.valueChanged.connect(window.busy_values.append)
    window.load()
    qtbot.waitUntil(
        lambda: len(window.photos.photo_ids()) == 24 and not window.photos.loading, timeout=60_000
    )
    qtbot.waitUntil(lambda: len(window.words.words()) > 5, timeout=30_000)
    yield window
    tasks.shutdown()
    app.close()


def test_photo_map_shows_every_photo_and_highlights_results(window: MapWindow) -> None:
    assert "24 photos" in window.status.text()
    results = window.app.search_text("a red circle", 3)
    window.highlight([m.photo.id for m in results.matches])
    assert len(window.photos._marks) == 3
    # The GUI walk of stop 42: the frames came with nothing to say what they were.
    assert window.frames_note.text() == "Framed: the 3 photos of the search in the main window"
    window.highlight([])
    assert window.frames_note.text() == ""


def test_the_bar_fills_while_the_photos_are_laid_out(window: MapWindow) -> None:
    # The audit's library of 436 photos took 20-29 s to map behind a bar that only said "busy".
    assert any(0 < value < 100 for value in window.busy_values)
    assert window.busy_values == sorted(window.busy_values)
    assert window.busy.isHidden()


def test_clicking_a_photo_opens_it(window: MapWindow, qtbot) -> None:
    view = window.photos
    for photo_id in view.photo_ids():  # the first whose centre no other photo covers
        item = view._items[photo_id]
        view.centerOn(item)
        point = view.mapFromScene(item.sceneBoundingRect().center())
        if view.itemAt(point) is item:
            break
    with qtbot.waitSignal(view.photo_activated, timeout=5000) as signal:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert signal.args == [photo_id]


def test_the_photo_map_works_from_the_keyboard(window: MapWindow, qtbot) -> None:
    # The GUI audit: the maps could be zoomed and opened with the mouse only.
    view = window.photos
    window.activateWindow()  # the map has the keys once drawn (they went to the tabs: the audit)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    assert view.current_photo() is None
    said = window.status.text()
    press(qtbot, Qt.Key.Key_Return)  # on no photo yet: nothing (it pressed the dialog's Recompute)
    assert window.status.text() == said and window.busy.isHidden()
    press(qtbot, Qt.Key.Key_Right)  # the photo nearest the middle of the view becomes current
    first = view.current_photo()
    assert first is not None and view.current_mark is not None
    caption = window.app.photos_by_ids([first])[0].caption
    assert caption and caption in window.status.text()  # which photo is framed, said
    press(qtbot, Qt.Key.Key_Right)
    second = view.current_photo()
    assert second is not None and second != first
    assert view.photo_position(second).x() > view.photo_position(first).x()  # it went right
    assert view.viewport().rect().contains(view.mapFromScene(view.photo_position(second)))
    with qtbot.waitSignal(view.photo_activated, timeout=2000) as opened:
        press(qtbot, Qt.Key.Key_Return)
    assert opened.args == [second]
    scale = view.transform().m11()
    press(qtbot, Qt.Key.Key_Plus)
    assert view.transform().m11() > scale
    press(qtbot, Qt.Key.Key_Minus)
    press(qtbot, Qt.Key.Key_Minus)
    assert view.transform().m11() < scale


def test_the_step_to_the_nearest_photo_in_a_direction() -> None:
    points = [(0.0, 0.0), (1.0, 0.1), (3.0, 0.0), (0.2, 2.0), (-1.0, -0.2)]
    assert nearest_in_direction(points, 0, (1, 0)) == 1  # right: the nearest within the cone
    assert nearest_in_direction(points, 1, (1, 0)) == 2
    assert nearest_in_direction(points, 2, (1, 0)) is None  # nothing further right
    assert nearest_in_direction(points, 0, (0, 1)) == 3  # down (scene y grows downwards)
    assert nearest_in_direction(points, 0, (-1, 0)) == 4


def test_the_word_map_leaves_out_function_words(window: MapWindow) -> None:
    # The GUI audit: "is", "a", "of", "his", "that" took the word map's room.
    from photoscope.wordlists import FUNCTION_WORDS

    assert window.words.words() and not set(window.words.words()) & FUNCTION_WORDS


def test_word_map_centres_a_word_and_its_neighbours(window: MapWindow, qtbot) -> None:
    window.word_box.setText("red")
    qtbot.keyClick(window.word_box, Qt.Key.Key_Return)
    assert window.words.label("red").scale() > 1
    assert window.word_note.text().startswith("nearest:")
    window.word_box.setText("qwzx")
    qtbot.keyClick(window.word_box, Qt.Key.Key_Return)
    assert "does not know" in window.word_note.text()
    # Audit 81: a word the image encoder knows is no word the model "does not know"
    window.word_box.setText("zebra")
    qtbot.keyClick(window.word_box, Qt.Key.Key_Return)
    assert "recognises 'zebra' in photos" in window.word_note.text(), window.word_note.text()
    # Audit 75 (repro_5): Enter in the empty box said "does not know the word ''", two words that
    # the model did not know them.
    for typed, said in (("", "Type a word"), ("   ", "Type a word"), ("red car", "more than one word")):
        window.word_box.setText(typed)
        qtbot.keyClick(window.word_box, Qt.Key.Key_Return)
        assert said in window.word_note.text() and "does not know" not in window.word_note.text()


def test_the_word_map_works_from_the_keyboard_and_by_click(window: MapWindow, qtbot) -> None:
    # Stop 43's second walk: the word map took no key but zooming; a word could be found only by
    # typing it. Now the arrows step between the words shown, Enter shows the current one's
    # nearest words, and so does a click on a word.
    window.tabs.setCurrentIndex(1)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.word_box)  # the tab's field first
    press(qtbot, Qt.Key.Key_Tab)
    view = window.words
    assert QApplication.focusWidget() is view
    press(qtbot, Qt.Key.Key_Right)  # the word nearest the middle of the view
    first = view.current_word()
    assert first is not None and first in view.visible_words()
    assert view.label(first).font().underline()  # the focus mark
    assert f"“{first}”" in window.word_status.text()  # said, with what the keys do
    for key, sign in ((Qt.Key.Key_Right, 1), (Qt.Key.Key_Left, -1)):  # noqa: B007  # one of them has a word that way
        press(qtbot, key)
        if (second := view.current_word()) != first:
            break
    assert second is not None and second != first and second in view.visible_words()
    assert sign * (view.label(second).pos().x() - view.label(first).pos().x()) > 0  # it went that way
    assert not view.label(first).font().underline()
    press(qtbot, Qt.Key.Key_Return)
    assert view.label(second).scale() > 1 and window.word_note.text().startswith("nearest:")
    assert window.word_box.text() == second
    assert QApplication.focusWidget() is view  # the keys stay on the map

    other = next(w for w in view.visible_words() if w not in (first, second))
    point = view.mapFromScene(view.label(other).sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.current_word() == other and window.word_box.text() == other
    assert view.label(other).scale() > 1


def test_the_word_box_keeps_its_width_beside_a_long_answer(window: MapWindow, qtbot) -> None:
    """The GUI walk of stop 42: after a word was found, the box shrank to about 25 px, and the
    answer ran into the map's own line with nothing between them."""
    window.show()
    window.tabs.setCurrentIndex(1)
    window.resize(900, 600)
    wide = window.word_box.width()
    window.word_box.setText("red")
    qtbot.keyClick(window.word_box, Qt.Key.Key_Return)
    qtbot.wait(50)  # the layout settles
    assert window.word_box.width() >= max(wide, window.word_box.fontMetrics().averageCharWidth() * 20)
    note, status = window.word_note.geometry(), window.word_status.geometry()
    assert not note.intersects(status)


def test_photos_open_large_enough_to_see_and_word_labels_never_overlap(window: MapWindow, qtbot) -> None:
    # The photo map opened fitted to a 4000-unit canvas: 56-unit tiles became ~8 px specks.
    assert window.photos.tile_on_screen() >= 32
    visible = window.words.visible_words()
    assert 5 < len(visible) <= len(window.words.words())
    rects = [window.words.screen_rect(w) for w in visible]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    before = len(visible)
    for _ in range(4):
        window.words.zoom(1.25)  # zooming in makes room for more words
    assert len(window.words.visible_words()) >= before
    # Each tab says what it shows: the words' tab does not count photos.
    assert "photos" not in window.word_status.text() and "words" in window.word_status.text()


def test_every_control_of_the_maps_window_has_a_name(window: MapWindow) -> None:
    assert unnamed_controls(window) == []


def test_results_asked_to_be_framed_before_the_map_is_drawn_are_framed_once_it_is(
    qtbot, shapes_library_db, trained_tiny: Path
) -> None:
    """Audit: Ctrl+M with results on show opened the map with none framed (the frames were asked
    for while the photos were still being laid on it); a second Ctrl+M framed them."""
    db, _ = shapes_library_db
    app = Photoscope(db, trained_tiny)
    tasks = TaskRunner()
    window = MapWindow(app, tasks)
    qtbot.addWidget(window)
    try:
        window.show()
        window.highlight([m.photo.id for m in app.search_text("a red circle", 3).matches])
        window.load()
        qtbot.waitUntil(
            lambda: len(window.photos.photo_ids()) == 24 and not window.photos.loading, timeout=60_000
        )
        qtbot.waitUntil(lambda: len(window.photos._marks) == 3, timeout=5_000)
    finally:
        tasks.shutdown()
        app.close()


def test_the_photos_framed_for_a_search_are_brought_into_view(window: MapWindow, qtbot) -> None:
    """The fresh-seat audit of stop 52: "Framed: the 10 photos of the search", with the frames cut
    off at the view's edge, or off it. The best match's frame is brought into view, whole."""
    view = window.photos
    view.zoom(4.0)  # closer than the whole map, and away in a corner
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum())
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    results = window.app.search_text("a red circle", 3)
    far = min(
        (m.photo.id for m in results.matches),
        key=lambda pid: view._items[pid].pos().x() + view._items[pid].pos().y(),
    )
    window.highlight([far, *(m.photo.id for m in results.matches if m.photo.id != far)])
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(view._marks[0].sceneBoundingRect()), (shown, view._marks[0].sceneBoundingRect())


def test_a_map_photo_no_longer_in_the_library_is_said_when_opened(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """Audit 75 (repro_2): after a folder was removed, the map kept its photos, and Enter on one did
    nothing, with no word. Opening one the library no longer holds says so, and how to redraw."""
    main = make_window(library_db)
    main.show_maps()
    maps = main.maps
    assert maps is not None
    qtbot.waitUntil(lambda: "photos." in maps.status.text(), timeout=30_000)  # the map drawn
    main.open_photo(10_000_000)  # no such photo: its folder removed since the map was drawn
    qtbot.waitUntil(lambda: "no longer in the library" in maps.status.text(), timeout=10_000)
    assert "Refresh" in maps.status.text()
    maps.close()


def test_escape_from_a_photo_opened_on_the_map_gives_the_map_its_keys_back(
    qtbot, make_window, library_db
) -> None:  # type: ignore[no-untyped-def]
    """Audit 75 (repro_8): Esc from a photo opened on the map left nothing with the keyboard focus
    (no window manager gives it back offscreen, or on some desktops): the arrows did nothing until a
    click. As from the grid, the map has the keys again."""
    main = make_window(library_db)
    main.show_maps()
    maps = main.maps
    assert maps is not None
    qtbot.waitUntil(lambda: "photos." in maps.status.text(), timeout=30_000)
    maps.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is maps.photos)
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: main.detail.isVisible(), timeout=10_000)
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is main.detail
    )
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is maps.photos, timeout=5_000)
    maps.close()


def test_the_photo_map_is_drawn_again_when_photos_leave_the_library(qtbot, make_window, library_db) -> None:  # type: ignore[no-untyped-def]
    """Audit 75 (repro_2): after File > Library… removed a folder, the map still said "6 photos" and
    let the user step to the removed ones. A change the library dialog makes draws it again."""
    main = make_window(library_db)
    main.show_maps()
    maps = main.maps
    assert maps is not None
    qtbot.waitUntil(lambda: "photos." in maps.status.text(), timeout=30_000)
    api = main.api
    assert api is not None
    for folder in api.folders():
        api.remove_folder(folder.path)
    main.library_dialog.changed.emit()  # as the dialog says its Remove
    qtbot.waitUntil(lambda: "No photos are indexed yet" in maps.status.text(), timeout=30_000)
    # audit 97's notes: an empty map offered Recompute and said nothing of what would fill it
    assert "File > Library" in maps.status.text() and "Recompute" in maps.status.text()
    maps.close()


def test_a_word_s_neighbours_stand_out_on_a_dark_map(window: MapWindow, qtbot) -> None:
    """Audit 82's notes: the nearest words were the accent darkened by 30 %, 2.6:1 on a dark theme's
    base, under the 3:1 a large word needs."""
    from PySide6.QtGui import QColor, QPalette

    from photoscope.gui.colours import contrast_ratio

    view = window.words
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2a5a8c"))  # a dark theme's accent
    view.setPalette(palette)
    window.word_box.setText("red")
    qtbot.keyClick(window.word_box, Qt.Key.Key_Return)
    neighbours = [w for w in view.words() if w != "red" and view.label(w).scale() > 1]
    assert neighbours
    for word in neighbours:
        shown = view.label(word).brush().color()
        assert contrast_ratio(shown, QColor("#1e1e1e")) >= 3.0, (word, shown.name())
