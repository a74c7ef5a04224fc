"""The desktop app as a daily tool (issue #16): each item a new user ran into, reproduced, then fixed.

Keys go to the widget that really has the focus (``QApplication.focusWidget()``), as a user's would.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from gui_support import WindowFactory, names, press, typed_query
from PySide6.QtCore import QEvent, QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QToolTip
from synthetic import shape_photo

from photoscope.api import IndexOptions, PhotoCounts, Photoscope, relevance
from photoscope.gui import about, desktop
from photoscope.gui.main_window import MainWindow
from photoscope.gui.photo_text import human_size
from photoscope.gui.results_model import COPY_ROLE, HEADER_ROLE, PATH_ROLE, STRENGTH_ROLE
from photoscope.gui.wording import REPAIR_AGAIN
from photoscope.network import torch_threads
from photoscope.network.model import PhotoscopeModel

# --- a library of its own: subfolders, a copy, photos without a date taken ---------------------------


@pytest.fixture(scope="module")
def daily_library(tmp_path_factory: pytest.TempPathFactory, gui_model: PhotoscopeModel) -> tuple[Path, Path]:
    """(database, photos folder): 8 shapes, 2 more in Photos/Trip/2023, and a copy of one."""
    photos = tmp_path_factory.mktemp("daily") / "Photos"
    trip = photos / "Trip" / "2023"
    trip.mkdir(parents=True)
    for colour in ("red", "green", "blue", "yellow"):
        for shape in ("circle", "square"):
            shape_photo(colour, shape, seed=20).save(photos / f"{colour}_{shape}.jpg", quality=90)
    shape_photo("red", "square", seed=31).save(trip / "trip_red_square.jpg", quality=90)
    shape_photo("blue", "circle", seed=32).save(trip / "trip_blue_circle.jpg", quality=90)
    shutil.copy(photos / "yellow_circle.jpg", photos / "copy_of_yellow_circle.jpg")
    # File times a year apart: the timeline's months, and the date filter's fallback.
    for i, path in enumerate(sorted(photos.rglob("*.jpg"))):
        stamp = time.mktime((2024, 1 + i % 12, 10, 12, 0, 0, 0, 0, -1))
        os.utime(path, (stamp, stamp))
    db = tmp_path_factory.mktemp("daily-db") / "library.db"
    with torch_threads(1), Photoscope(db, model=gui_model) as api:
        api.add_folder(photos)
        api.scanner().scan()
        api.indexer(options=IndexOptions(thumbnails=False)).run()
    return db, photos


@pytest.fixture
def daily_db(daily_library: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "library.db"
    copy.write_bytes(daily_library[0].read_bytes())
    return copy


def browse_ready(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=20_000)


def ungrouped_timeline(qtbot, make_window: WindowFactory, db: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    """A window on ``db`` showing its whole timeline, every row a photo (no month headers)."""
    window = make_window(db)
    view_choice(window, "Group by", "No groups")
    qtbot.waitUntil(lambda: window.timeline.rowCount() == 11, timeout=20_000)
    browse_ready(qtbot, window)
    return window


def view_choice(window: MainWindow, submenu: str, choice: str) -> None:
    """Clicks View > ``submenu`` > ``choice`` in the window's menu bar."""
    view = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View")
    inner = next(a.menu() for a in view.actions() if a.text().replace("&", "") == submenu)
    next(a for a in inner.actions() if a.text().replace("&", "") == choice).trigger()


# --- 1. relevance --------------------------------------------------------------------------------------


def test_relevance_cuts_at_the_knee_and_scores_read_as_strength() -> None:
    scores = [0.91, 0.9, 0.88, 0.41, 0.4, 0.39, 0.385, 0.38, 0.37, 0.36, 0.35, 0.34]
    relevant, strength = relevance(scores)
    assert relevant == 3
    assert strength[0] == 1.0 and all(0.0 <= s <= 1.0 for s in strength)
    assert strength == sorted(strength, reverse=True) and strength[-1] == 0.0
    assert relevance([]) == (0, [])
    assert relevance([0.5, 0.5, 0.5])[0] >= 1  # a flat curve: no knee, still one
    assert relevance(scores, copies=5)[0] == 5  # copies of the query photo always count
    # Text search lifts its re-ranked best 50 above the rest: the knee is found inside that block,
    # not at the cliff the lift made (which listed 50 "likely matches" for every query).
    lifted = [2.0, 1.95, 1.9] + [1.5 - 0.004 * i for i in range(47)] + [0.3 - 0.001 * i for i in range(100)]
    assert relevance(lifted)[0] == 3


def test_a_likely_match_is_never_a_0_percent_match() -> None:
    """The GUI walk of stop 43: `search "a dog" --add "dog" -n 300` called 183 of 210 photos likely,
    83 of them at strength 0: a few photos far below the rest put the curve's knee at them."""
    scores = [1.0 - 0.002 * i for i in range(195)] + [-3.0 - 0.1 * i for i in range(5)]
    relevant, strength = relevance(scores)
    assert 1 <= relevant <= sum(s > 0 for s in strength) < 150, relevant
    assert all(s > 0 for s in strength[:relevant])


def test_a_short_list_s_last_photo_is_not_a_0_percent_match() -> None:
    """The GUI walk of stop 42: "a hammer" listed the library's two hammers, the second "0 % match"
    with an empty bar: in a list of fewer than 8 the last score was the floor."""
    relevant, strength = relevance([-0.099, -0.437])
    assert relevant == 2 and strength[0] == 1.0 and 0.0 < strength[1] < 1.0
    _, strength = relevance([0.9, 0.7, 0.6, 0.2])
    assert strength == sorted(strength, reverse=True) and min(strength) > 0.0


def test_closest_guesses_claim_no_match_strength(qtbot, make_window, library_db) -> None:
    """The #14 audit of stop 44: "Eiffel Tower" (no photo shows it clearly) listed a beach photo as
    the closest guess, and its tile said "100 % match" with a full strength bar."""
    window = make_window(library_db)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a red circle")
    answered = window.api.search_text("a red circle", 5)
    with qtbot.waitSignal(window.results_shown, timeout=5000):
        window.presenter.show(replace(answered, unsure=("koala",)), "“koala”", 0.1)
    first = window.results.index(0)
    tip = first.data(Qt.ItemDataRole.ToolTipRole)
    assert "% match" not in tip and "closest guess" in tip, tip
    assert first.data(STRENGTH_ROLE) is None  # no bar
    with qtbot.waitSignal(window.results_shown, timeout=5000):
        window.presenter.show(answered, "“a red circle”", 0.1)
    assert "% match" in window.results.index(0).data(Qt.ItemDataRole.ToolTipRole)


def test_a_query_shows_its_likely_matches_then_more_on_request(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a red circle")
    shown = window.results.rowCount()
    assert 1 <= shown < 24, "the whole library was listed"  # 24 photos, 3 of them red circles
    assert all(n.startswith("red_circle") for n in names(window, min(shown, 3))), names(window)
    assert window.more_bar.isVisible() and f"{24 - shown}" in window.more_button.text()
    assert "likely match" in window.result_label.text()
    first = window.results.index(0)
    assert "% match" in first.data(Qt.ItemDataRole.ToolTipRole) and "score" not in first.data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert first.data(STRENGTH_ROLE) == 1.0
    with qtbot.waitSignal(window.results_shown, timeout=5000):
        window.more_button.click()
    assert window.results.photo_count() == 24 and not window.more_bar.isVisible()
    # The GUI walk of stop 42: once all were shown, nothing said where the likely matches ended.
    header = window.results.index(window.results.row_of(shown) - 1)
    assert header.data(HEADER_ROLE) == "Weaker matches" and window.results.rowCount() == 25
    assert window.results.row_of(shown - 1) == shown - 1  # the likely ones stay where they were


def test_a_query_of_unknown_words_lists_nothing(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a blorf")  # "a" is known, "blorf" is not: nothing to rank by
    assert window.results.rowCount() == 0
    assert "does not know “blorf”" in window.search.message.text()


def test_a_word_searched_by_its_stand_in_says_so(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a cathedral")  # WordNet: a cathedral is a church (an ImageNet class)
    assert "does not know “cathedral”" in window.search.message.text()
    assert "nearest concept it knows, “church”" in window.search.message.text()


# --- 2. browsing: the timeline --------------------------------------------------------------------------


def test_the_first_screen_is_the_library_by_month_with_a_remembered_sort(
    qtbot, make_window, daily_db, settings: QSettings
) -> None:
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    timeline = window.timeline
    assert timeline.photo_count() == 11
    headers = [timeline.index(r).data(HEADER_ROLE) for r in range(timeline.rowCount())]
    months = [h for h in headers if h]
    assert len(months) == 11 and months[0] == "November 2024"  # newest first, one month per photo here
    assert headers[0] == "November 2024"
    # The count is said once the whole timeline is in (the first screen can show before).
    qtbot.waitUntil(lambda: "11 photos" in window.result_label.text(), timeout=20_000)
    # Sort by name, remembered for the next launch.
    with qtbot.waitSignal(window.timeline.modelReset, timeout=10_000):
        view_choice(window, "Sort by", "Name")
    view_choice(window, "Group by", "No groups")
    qtbot.waitUntil(lambda: window.timeline.rowCount() == 11, timeout=10_000)
    first = window.timeline.index(0)
    assert Path(first.data(Qt.ItemDataRole.DisplayRole)).name == "blue_circle.jpg"
    qtbot.waitUntil(lambda: window.result_label.text() == "11 photos, by name")  # not "11 photos, name"
    assert settings.value("browse/sort") == "name" and window.browse_options() == ("name", "none")


def test_a_sort_or_grouping_the_app_does_not_know_reads_as_the_default(
    qtbot, make_window, daily_db, settings: QSettings
) -> None:
    """A hand-edited or newer settings file ("browse/sort=random") made every idle refresh fail
    (KeyError in the window's label) and show "Something went wrong" (the code audit of stop 46)."""
    settings.setValue("browse/sort", "random")
    settings.setValue("browse/group", "weekly")
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    assert window.browse_options() == ("newest", "month")
    qtbot.waitUntil(lambda: window.result_label.text() == "11 photos, newest first", timeout=20_000)
    headers = [window.timeline.index(r).data(HEADER_ROLE) for r in range(window.timeline.rowCount())]
    assert headers[0] == "November 2024"


def test_keys_move_through_the_grid_and_enter_opens(qtbot, make_window, daily_db) -> None:
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F: the search box
    assert QApplication.focusWidget() is window.search.edit
    press(qtbot, Qt.Key.Key_Down)  # into the grid
    grid = window.browse
    assert QApplication.focusWidget() is grid and grid.currentIndex().row() == 0
    press(qtbot, Qt.Key.Key_Right)
    assert grid.currentIndex().row() == 1
    press(qtbot, Qt.Key.Key_End)
    assert grid.currentIndex().row() == 10
    press(qtbot, Qt.Key.Key_Home)
    assert grid.currentIndex().row() == 0
    press(qtbot, Qt.Key.Key_PageDown)
    assert grid.currentIndex().row() > 0
    press(qtbot, Qt.Key.Key_Return)
    assert window.detail.isVisible() and window.detail.row == grid.currentIndex().row()


def test_keys_in_a_grid_of_months_never_stop_on_a_month_s_header(qtbot, make_window, daily_db) -> None:
    """The GUI audit of stop 58: in the timeline grouped by month, Home made the "December 2026"
    header the current tile (as the grid began), and Enter then opened nothing."""
    from photoscope.gui.results_model import HEADER_ROLE

    window = make_window(daily_db)
    browse_ready(qtbot, window)
    grid = window.browse
    qtbot.waitUntil(lambda: grid.model().rowCount() > 0 and bool(grid.model().index(0, 0).data(HEADER_ROLE)))
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Down)  # into the grid: on its first photo
    assert QApplication.focusWidget() is grid
    assert not grid.currentIndex().data(HEADER_ROLE) and grid.currentIndex().row() == 1
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Home):
        press(qtbot, key)
    assert not grid.currentIndex().data(HEADER_ROLE) and grid.currentIndex().row() == 1
    press(qtbot, Qt.Key.Key_Up)  # above the first photo: still there
    assert grid.currentIndex().row() == 1
    press(qtbot, Qt.Key.Key_Return)
    assert window.detail.isVisible() and window.detail.row == 1


def test_the_concept_names_are_read_in_the_background_before_a_tooltip_asks(
    qtbot, make_window, daily_db
) -> None:
    # The speed audit: the first tooltip or photo view read them on the window's thread (90 ms).
    from photoscope.network.naming import bundle_namer

    bundle_namer.cache_clear()
    window = make_window(daily_db)
    qtbot.waitUntil(lambda: window.worker is not None, timeout=30_000)
    qtbot.waitUntil(lambda: bundle_namer.cache_info().currsize == 1, timeout=10_000)
    assert bundle_namer.cache_info().hits == 0  # nothing had asked for them yet


def test_a_timeline_tooltip_shows_the_caption_on_the_first_hover(qtbot, make_window, daily_db) -> None:
    # The GUI audit: hovering a tile in the timeline showed its file name alone; the caption came
    # only on a second hover, once the tile's page of records had been fetched for the first.
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    grid = window.browse
    centre = grid.visualRect(window.timeline.index(3)).center()
    record = window.api.photos_by_ids([window.timeline.id_of(3)])[0]
    assert record.caption
    hover = QHelpEvent(QEvent.Type.ToolTip, centre, grid.viewport().mapToGlobal(centre))
    QApplication.sendEvent(grid.viewport(), hover)
    qtbot.waitUntil(lambda: QToolTip.isVisible() and record.caption in QToolTip.text(), timeout=10_000)
    assert Path(record.path).name in QToolTip.text()
    assert "file dated" in QToolTip.text() and "2024" in QToolTip.text()  # the date it is filed under
    # Another control's tooltip later is left alone when more records come in (review of stop 38).
    QToolTip.showText(grid.mapToGlobal(centre), "Tile size", window.tile_slider)
    window.timeline.records_loaded.emit()
    assert QToolTip.text() == "Tile size"
    QToolTip.hideText()


# --- 3. the detail view ---------------------------------------------------------------------------------


def test_a_small_photo_is_not_blown_up_to_a_blur(qtbot, make_window, daily_db) -> None:
    # The GUI audit: a 224-pixel photo filled the whole photo view, 4 times its size, a smear.
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.open_detail(window.timeline.index(0))
    detail = window.detail
    detail.resize(1400, 1100)
    qtbot.waitUntil(lambda: detail.preview.height() > 600)
    qtbot.waitUntil(lambda: detail.preview.pixmap().width() == 2 * 224, timeout=10_000)  # at most twice
    assert detail.preview.pixmap().height() == 2 * 224


def test_enter_presses_the_photo_view_s_focused_button(qtbot, make_window, daily_db) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 47: Tab to "Copy path" or "100 %" and Enter did nothing (Space steps
    to the next photo, as it says), so the buttons needed the mouse."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.open_detail(window.timeline.index(0))
    detail = window.detail
    detail.activateWindow()
    detail.copy_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is detail.copy_button)
    QApplication.clipboard().clear()
    press(qtbot, Qt.Key.Key_Return)
    assert QApplication.clipboard().text() == detail.path() and detail.row == 0
    detail.zoom_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is detail.zoom_button)
    press(qtbot, Qt.Key.Key_Enter)
    assert detail.zoom_button.isChecked() and detail.isVisible()


def test_detail_view_steps_with_the_keys_whatever_has_the_focus_and_zooms_to_100(
    qtbot, make_window, daily_db
) -> None:
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.open_detail(window.timeline.index(0))
    detail = window.detail
    detail.activateWindow()
    detail.similar_button.setFocus()  # a button has the focus: arrows used to move it instead
    qtbot.waitUntil(lambda: QApplication.focusWidget() is detail.similar_button)
    press(qtbot, Qt.Key.Key_Right)
    assert detail.row == 1 and QApplication.focusWidget() is detail.similar_button
    press(qtbot, Qt.Key.Key_Space)
    assert detail.row == 2
    press(qtbot, Qt.Key.Key_Left)
    assert detail.row == 1
    # Page Down / Page Up step too, as in image viewers (audit 87's notes: they did nothing)
    press(qtbot, Qt.Key.Key_PageDown)
    assert detail.row == 2
    press(qtbot, Qt.Key.Key_PageUp)
    assert detail.row == 1
    assert "2 of 11" in detail.windowTitle() and detail.position.text() == "2 of 11"
    detail.next_button.click()
    assert detail.row == 2
    detail.previous_button.click()
    detail.previous_button.click()
    assert detail.row == 0 and not detail.previous_button.isEnabled()
    qtbot.waitUntil(lambda: detail.fields["caption"].text() != "", timeout=10_000)
    # No date taken: the file's date, which the timeline files it under (the GUI audit: the timeline
    # said "November 2024" and the photo view "Taken: unknown").
    assert detail.fields["taken"].text() == "unknown (the file is dated 10 November 2024)"
    detail.zoom_button.click()
    qtbot.waitUntil(
        lambda: detail.full.pixmap() is not None and not detail.full.pixmap().isNull(), timeout=10_000
    )
    assert detail.full.pixmap().width() == 224  # the photo at its own size
    assert detail.zoom_button.text() == "Fit"  # what pressing it again does
    press(qtbot, Qt.Key.Key_Escape)
    assert not detail.isVisible()


def test_enter_in_the_photo_view_does_not_find_similar_photos(qtbot, make_window, daily_db) -> None:
    # The GUI audit: a photo opened from the map (Previous and Next greyed) had the focus on Find
    # similar, the dialog's default button; Enter ran it, replacing the results and closing the view.
    # The view opens with the focus on no button (Enter presses one the user went to: stop 47).
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.open_detail(window.timeline.index(0))
    detail = window.detail
    detail.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is detail)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        press(qtbot, key)
    qtbot.wait(300)
    assert detail.isVisible() and detail.row == 0 and window.search.query_photo is None


def test_sizes_read_as_people_write_them() -> None:
    assert human_size(17_000) == "17 KB"
    assert human_size(3_240_000) == "3.2 MB"
    assert human_size(512) == "512 bytes"


# --- 4. maps --------------------------------------------------------------------------------------------


def test_a_photo_opened_from_the_map_leaves_the_search_as_it_was(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a blue square")
    before = names(window)
    other = window.results.match_at(0).photo.id + 1
    window.open_photo(other)
    qtbot.waitUntil(lambda: window.detail.isVisible(), timeout=10_000)
    assert window.detail.match().photo.id == other
    assert names(window) == before and window.search.text() == "a blue square"
    assert not window.search.chip.isVisible()


# --- 5. copies ------------------------------------------------------------------------------------------


def test_copies_have_a_badge_and_the_library_lists_its_groups_of_copies(qtbot, make_window, daily_db) -> None:
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.search.set_text("a yellow circle")
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    # Audit: the query stayed in the search box over the library's copies, as if they were its
    # answer ("No copies found" under "a dog on the beach").
    assert window.search.text() == "" and not window.search.has_query()
    qtbot.wait(600)  # past the search box's pause: no query of its own replaces the copies
    assert "of copies" in window.result_label.full_text
    rows = range(window.results.rowCount())
    headers = [window.results.index(r).data(HEADER_ROLE) for r in rows]
    assert headers[0] and headers[0].startswith("Group 1: ") and headers[0].endswith(" copies of one photo")
    groups: list[list[str]] = []
    for r, header in zip(rows, headers, strict=True):
        if header:
            groups.append([])
        else:
            groups[-1].append(Path(window.results.index(r).data(Qt.ItemDataRole.DisplayRole)).name)
            assert window.results.index(r).data(COPY_ROLE) is True  # the tile's badge
    assert any({"yellow_circle.jpg", "copy_of_yellow_circle.jpg"} <= set(g) for g in groups), groups
    # The second GUI walk of stop 43: two copies of one name in two folders had the same tooltip;
    # which one the trash would take could not be told. Each names its folder and pixel size.
    tiles = [window.results.index(r) for r in rows if not headers[r]]
    for tile in tiles:
        tip, path = tile.data(Qt.ItemDataRole.ToolTipRole), tile.data(PATH_ROLE)
        assert str(Path(path).parent) in tip and "pixels" in tip, tip


def listed_copies(qtbot, window) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """File > Find copies on the library once shown: each listed photo's row by its file name."""
    browse_ready(qtbot, window)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    rows = range(window.results.rowCount())
    return {Path(str(window.results.index(r).data(Qt.ItemDataRole.DisplayRole))).name: r for r in rows}


def test_trashing_a_copy_keeps_the_copies_listing(
    qtbot, make_window, daily_db, monkeypatch, tmp_path
) -> None:
    """The GUI walk of stop 40: trashing one of a group's copies threw the window back to the library
    (the next group had to be looked for again); the question said "They leave the library" of one
    photo, and a copy's tooltip called it "a copy of the query photo" with no query."""
    window = make_window(daily_db)
    named = listed_copies(qtbot, window)
    copy = window.results.index(named["copy_of_yellow_circle.jpg"])
    assert "query photo" not in copy.data(Qt.ItemDataRole.ToolTipRole)
    window.view.selectionModel().select(copy, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    asked: list[str] = []
    trashed: list[tuple[str, Path]] = []

    def move_to_trash(path: str) -> bool:  # the file leaves its folder (put back at the end)
        trashed.append((path, shutil.move(path, tmp_path / Path(path).name)))
        return True

    monkeypatch.setattr(desktop, "move_to_trash", move_to_trash)
    monkeypatch.setattr(
        QMessageBox, "question", lambda _w, _t, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes
    )
    with qtbot.waitSignal(window.timeline_reader.read, timeout=30_000):  # the library read again
        window.actions_.trash.trigger()
    assert "It leaves the library; the trash can give it back." in asked[0]

    def listed() -> list[str]:
        return [
            str(window.results.index(r).data(Qt.ItemDataRole.DisplayRole))
            for r in range(window.results.rowCount())
        ]

    qtbot.waitUntil(
        lambda: not any(n.endswith("copy_of_yellow_circle.jpg") for n in listed()), timeout=30_000
    )
    qtbot.wait(300)  # the library's view, read again, does not take the grid's place
    assert window.pages.currentWidget() in (window.view, window.pages.message)
    assert "copies" in window.result_label.full_text.lower()  # the groups left, or none
    window.shutdown()
    for path, kept in trashed:  # the module's photos are the next tests' too
        shutil.move(kept, path)


def test_a_copy_an_exclusion_takes_out_leaves_the_copies_listing(qtbot, make_window, daily_db) -> None:  # type: ignore[no-untyped-def]
    """The GUI walk of stop 47: with File > Find copies on show, an exclusion rule (Ctrl+L) took one
    copy out of the index, and the window still listed it, "1 group of copies (2 photos)"."""
    window = make_window(daily_db)
    named = listed_copies(qtbot, window)
    assert "copy_of_yellow_circle.jpg" in named

    def listed() -> list[str]:
        return [
            Path(str(window.results.index(r).data(Qt.ItemDataRole.DisplayRole))).name
            for r in range(window.results.rowCount())
        ]

    api = window.api
    try:
        api.exclude(pattern="copy_of_yellow_circle.jpg")
        window.library_dialog.changed.emit()  # as the dialog says when its rule is added
        qtbot.waitUntil(lambda: "copy_of_yellow_circle.jpg" not in listed(), timeout=30_000)
        assert window.results.copies_listed or window.pages.currentWidget() is window.pages.message
    finally:
        api.include(pattern="copy_of_yellow_circle.jpg")  # the module's library is the next tests' too
    window.shutdown()


def test_trashing_every_copy_of_a_photo_says_so_before(qtbot, make_window, daily_db, monkeypatch) -> None:
    """Stop 43's second walk: selecting every copy of a group and pressing Delete asked the same
    question as for one spare copy; the photo was then gone from the library altogether."""
    window = make_window(daily_db)
    named = listed_copies(qtbot, window)
    rows = window.results.rowCount()
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _w, _t, text, *a: asked.append(text) or QMessageBox.StandardButton.Cancel,
    )
    selection = window.view.selectionModel()
    selection.select(
        window.results.index(named["yellow_circle.jpg"]), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    window.view.setFocus()
    press(qtbot, Qt.Key.Key_Delete)
    assert len(asked) == 1 and "all the copies" not in asked[0]  # a copy stays: the usual question
    selection.select(
        window.results.index(named["copy_of_yellow_circle.jpg"]), QItemSelectionModel.SelectionFlag.Select
    )
    press(qtbot, Qt.Key.Key_Delete)
    assert "These are all the copies of one photo: none is left in the library." in asked[1]
    assert window.results.rowCount() == rows  # Cancel: nothing moved


def test_all_photos_or_escape_leave_the_copies_listing(qtbot, make_window, daily_db) -> None:
    """The review of stop 40: over the library's copies, View > All photos (Ctrl+Home) and Escape
    did nothing: the copies had already emptied the query, so there was nothing to leave."""
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    window.browse_all()  # View > All photos
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    assert not window.results.copies_listed
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    window.activateWindow()
    window.search.edit.setFocus()
    press(qtbot, Qt.Key.Key_Escape)  # in the empty search box
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    window.view.setFocus()  # the GUI walk of stop 47: Esc in the grid did nothing
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)


def test_back_returns_to_the_copies_left_for_all_photos(qtbot, make_window, daily_db) -> None:
    """The GUI walk of stop 47: Esc left the copies for all photos, and Back then said "Nothing to go
    back to", where a browser's Back returns to the page left."""
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    listed = window.results.rowCount()
    window.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    window.browse_all()  # Ctrl+Home over all photos: still the copies to go back to
    window.update_back_action()  # as View opens
    assert window.back_action.text() == "&Back to the copies"
    window.browse.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.browse)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # View > Back
    assert window.results.copies_listed and window.results.rowCount() == listed
    assert window.pages.currentWidget() is window.view
    window.update_back_action()
    assert window.back_action.text() == "&Back (after Find similar)"  # the copies are on show


def test_find_copies_keeps_the_query_it_leaves_for_back_and_says_nothing_of_it(
    qtbot, make_window, daily_db
) -> None:  # type: ignore[no-untyped-def]
    """The GUI audit of stop 58: File > Find copies over "an animal" + "grass" (weight 2.5) + "on a
    table" threw the query away (Back kept showing the copies, though it read "Back (after Find
    similar)"); the last query's note ("The model does not know “xyzzy”") stayed above the copies;
    and the emptied box kept its clear button, which did nothing."""
    from PySide6.QtWidgets import QToolButton

    window = make_window(daily_db)
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "xyzzy")
    search = window.search
    assert search.message.isVisible() and "xyzzy" in search.message.text()
    copies = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        press(qtbot, Qt.Key.Key_D, copies)
    assert window.results.copies_listed and not search.message.isVisible(), search.message.text()
    search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search.edit)
    qtbot.keyClicks(search.edit, "red")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # a chip
    [chip] = search.terms_bar.chips
    chip.weight.setValue(2.5)
    qtbot.keyClicks(search.edit, "circle")
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        press(qtbot, Qt.Key.Key_Return)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        press(qtbot, Qt.Key.Key_D, copies)
    assert window.results.copies_listed and not search.has_query()
    # the clear button fades out as the box empties (Qt animates it), and is gone
    qtbot.waitUntil(lambda: not [b for b in search.edit.findChildren(QToolButton) if b.isVisible()])
    window.update_back_action()
    assert window.back_action.text() != "&Back (after Find similar)", window.back_action.text()
    window.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # View > Back
    assert not window.results.copies_listed
    assert search.text() == "circle"
    [chip] = search.terms_bar.chips
    assert chip.text == "red" and chip.weight.value() == 2.5 and not chip.negative


def test_an_empty_answer_left_behind_is_not_explained_again(qtbot, make_window, daily_db) -> None:
    """The review of stop 40: a query that found nothing, cleared, was judged again over the library
    view when a count came in ("Nothing found yet" under no query)."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.search.date_to.set_value(date(2020, 1, 1))  # before every photo
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.pages.message, timeout=10_000)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("circle")
    window.browse_all()
    qtbot.waitUntil(lambda: not window.search.has_query(), timeout=10_000)
    qtbot.wait(300)  # the narrowed library view, read again: no photo matches these filters
    said = window.pages.message.text()
    window.index_status.show_counts(PhotoCounts(indexed=11, pending=3, error=0))  # a count comes in
    assert window.pages.message.text() == said and "Nothing found yet" not in said


# --- 6. the tiles' context menu, multi-select -----------------------------------------------------------


def test_tile_menu_copies_several_and_trashes_after_asking(
    qtbot, make_window, daily_db, daily_library, monkeypatch, tmp_path
) -> None:
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    grid = window.browse
    for row in (0, 2):  # Ctrl+click two tiles
        rect = grid.visualRect(window.timeline.index(row))
        qtbot.mouseClick(
            grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, rect.center()
        )
    assert len(grid.selectionModel().selectedIndexes()) == 2
    menu = window.actions_.popup(grid.mapToGlobal(grid.visualRect(window.timeline.index(0)).center()))
    texts = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    assert texts == [
        "Open",
        "Open with…",
        "Show in folder",
        "Copy",
        "Copy path",
        "Find similar",
        "Move to trash…",
    ]
    menu.close()
    window.actions_.copy.trigger()
    urls = [u.toLocalFile() for u in QGuiApplication.clipboard().mimeData().urls()]
    assert urls == [window.timeline.path_of(0), window.timeline.path_of(2)]
    # Move to trash: asked first; "Cancel" keeps the photo.
    trashed: list[str] = []

    def move_to_trash(path: str) -> bool:  # as the desktop's trash does: the file leaves the folder
        trashed.append(path)
        shutil.move(path, tmp_path / Path(path).name)
        return True

    monkeypatch.setattr(desktop, "move_to_trash", move_to_trash)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    grid.selectionModel().select(window.timeline.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    window.actions_.trash.trigger()
    assert trashed == []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    gone = window.timeline.path_of(0)
    window.actions_.trash.trigger()  # moved off the window's thread (a slow drive froze it)
    qtbot.waitUntil(lambda: trashed == [gone], timeout=10_000)
    # The photo leaves the timeline and the counts once moved (item 8: the count kept "174" for 20 s).
    qtbot.waitUntil(lambda: window.timeline.photo_count() == 10, timeout=5_000)
    assert window.statusBar().currentMessage() == "Moved 1 photo to the trash"
    qtbot.waitUntil(lambda: "10 photos indexed" in window.index_status.label.text(), timeout=30_000)
    assert gone not in [window.timeline.path_of(i) for i in range(10)]
    window.shutdown()
    # The module's photos are the next tests' too: left gone, each later window's watcher found it
    # so at no set moment, and its refresh raced their queries (stop 49's intermittent failure).
    shutil.move(tmp_path / Path(gone).name, gone)


def test_delete_in_the_photo_view_asks_to_trash_the_shown_photo(
    qtbot, make_window, daily_db, monkeypatch, tmp_path
) -> None:
    """The fresh-seat audit 75 of stop 61 (minor): the Keys dialog says the Photo menu's keys work in
    the photo view, and the menu lists Del = Move to trash…; there Del did nothing, no question and
    no word. It asks, as in the grid, and the photo, moved, is said to be gone."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.open_detail(window.timeline.index(0))
    detail = window.detail
    shown = detail.path()
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(
        QMessageBox, "question", lambda parent, title, text, *a: asked.append(text) or answer[0]
    )
    trashed: list[str] = []

    def move_to_trash(path: str) -> bool:
        trashed.append(path)
        shutil.move(path, tmp_path / Path(path).name)
        return True

    monkeypatch.setattr(desktop, "move_to_trash", move_to_trash)
    detail.activateWindow()
    qtbot.waitUntil(detail.isActiveWindow)
    press(qtbot, Qt.Key.Key_Delete)
    assert len(asked) == 1 and Path(shown).name in asked[0] and trashed == []  # Cancel keeps it
    answer[0] = QMessageBox.StandardButton.Yes
    press(qtbot, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: trashed == [shown], timeout=10_000)
    qtbot.waitUntil(lambda: window.timeline.photo_count() == 10, timeout=10_000)
    qtbot.waitUntil(lambda: "no longer in the library" in detail.windowTitle(), timeout=10_000)
    window.shutdown()
    shutil.move(tmp_path / Path(shown).name, shown)  # the module's photos are the next tests' too


@pytest.fixture
def trash_yes(monkeypatch, tmp_path: Path) -> Iterator[tuple[list[str], list[MainWindow]]]:  # type: ignore[no-untyped-def]
    """Move to trash answered Yes, each file moved aside as the desktop's trash does: (the questions
    asked, the windows to shut down before the files are put back: the module's photos are the next
    tests' too, even after a failure)."""
    asked: list[str] = []
    windows: list[MainWindow] = []
    moved: list[tuple[str, Path]] = []

    def move_to_trash(path: str) -> bool:
        moved.append((path, Path(shutil.move(path, tmp_path / Path(path).name))))
        return True

    monkeypatch.setattr(desktop, "move_to_trash", move_to_trash)
    monkeypatch.setattr(
        QMessageBox, "question", lambda _w, _t, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes
    )
    yield asked, windows
    for window in windows:
        window.shutdown()  # its watcher would see them come back
    for path, kept in moved:
        shutil.move(kept, path)


def keyboard_on(qtbot, window: MainWindow, grid) -> str:  # type: ignore[no-untyped-def]
    """The grid has the keyboard and the window is active (shortcuts answer there only); the file
    name of the photo the keyboard is on (asserted selected, as Delete and Enter act on it)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    current = grid.currentIndex()
    assert current.isValid(), "no current photo: the keyboard lost its place"
    assert grid.selectionModel().isSelected(current)
    return Path(str(current.data(Qt.ItemDataRole.DisplayRole))).name


def deleted(qtbot, window: MainWindow, grid, left: int) -> None:  # type: ignore[no-untyped-def]
    """Delete pressed in ``grid`` (the question answered Yes); back once the library holds ``left``
    photos and the window has read it again."""
    press(qtbot, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: f"{left} photos indexed" in window.index_status.label.text(), timeout=30_000)
    qtbot.waitUntil(lambda: window.timeline.photo_count() == left, timeout=30_000)
    qtbot.wait(800)  # the re-reads the removal and the watcher ask for (one 300 ms after the change)
    qtbot.waitUntil(lambda: not window.pages_runner.is_busy("timeline"), timeout=10_000)


def test_delete_in_the_timeline_keeps_the_keyboards_place(qtbot, make_window, daily_db, trash_yes) -> None:
    """Audit 81 #3: after Delete (Move to trash) in the timeline the grid had no current photo: a
    second Delete did nothing, and the arrows started again at the top (the trashed photo's
    removal reset the model). As in a file manager, the photo after it is on, selected (at the
    end, the one before), for one photo trashed or several."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    window.resize(760, 560)
    window.tile_slider.setValue(window.tile_slider.maximum())  # two photos a row: the grid scrolls
    grid, model = window.browse, window.timeline
    before = [Path(model.path_of(i)).name for i in range(model.photo_count())]
    asked, windows = trash_yes
    windows.append(window)
    window.activateWindow()
    grid.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    press(qtbot, Qt.Key.Key_Home)
    for _ in range(4):
        press(qtbot, Qt.Key.Key_Right)
    assert keyboard_on(qtbot, window, grid) == before[4]
    scrolled = grid.verticalScrollBar().value()
    assert scrolled > 0, "the photo on is below the first screen"
    deleted(qtbot, window, grid, 10)
    assert before[4] in asked[0]
    assert keyboard_on(qtbot, window, grid) == before[5]
    assert grid.verticalScrollBar().value() == scrolled
    deleted(qtbot, window, grid, 9)  # a second Delete goes on from there
    assert before[5] in asked[1] and keyboard_on(qtbot, window, grid) == before[6]
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # two photos selected
    assert keyboard_on(qtbot, window, grid) == before[8]
    deleted(qtbot, window, grid, 7)
    assert "these 2 photos" in asked[2] and keyboard_on(qtbot, window, grid) == before[9]
    press(qtbot, Qt.Key.Key_End)
    deleted(qtbot, window, grid, 6)  # the last photo: the one before it is on
    assert before[10] in asked[3] and keyboard_on(qtbot, window, grid) == before[9]


def test_delete_in_the_results_keeps_the_keyboards_place(qtbot, make_window, daily_db, trash_yes) -> None:
    """Audit 81 #3, in the search results: the photo after the trashed ones is on, selected, and the
    grid keeps the keyboard."""
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "a red square")
    window.show_more()
    grid = window.view
    listed = names(window)
    asked, windows = trash_yes
    windows.append(window)
    grid.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    press(qtbot, Qt.Key.Key_Home)
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert keyboard_on(qtbot, window, grid) == listed[2]
    deleted(qtbot, window, grid, 9)
    qtbot.waitUntil(lambda: listed[1] not in names(window) and listed[2] not in names(window), timeout=30_000)
    assert "these 2 photos" in asked[0]
    assert keyboard_on(qtbot, window, grid) == listed[3]


def test_delete_outside_the_grid_never_asks_to_trash_photos(
    qtbot, make_window, daily_db, monkeypatch
) -> None:
    """The tile keys (Delete: move to trash, Ctrl+C: copy the files) act only while a grid has the
    focus: Delete in the search box or on a query chip edits the query, it does not trash the photo
    that happens to be selected."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)  # row 0 is a photo, not a month's header
    grid = window.browse
    grid.selectionModel().select(window.timeline.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    asked: list[object] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel
    )
    window.activateWindow()  # shortcuts answer in the active window only
    qtbot.waitUntil(window.isActiveWindow)
    grid.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is grid)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    assert len(asked) == 1  # in the grid, Delete is the trash (after asking; "Cancel" here)
    box = window.search.edit
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    qtbot.keyClicks(box, "red")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the words become a chip
    chip = window.search.terms_bar.chips[0]
    chip.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chip)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    assert len(asked) == 1 and window.search.terms_bar.chips == []
    qtbot.waitUntil(lambda: window.runner.is_busy("search") is False, timeout=30_000)


# --- 7. filters -----------------------------------------------------------------------------------------


def test_date_filter_falls_back_to_the_file_time_and_says_so_and_subfolders_are_listed(
    qtbot, make_window, daily_db
) -> None:
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    combo = window.search.folder_combo
    qtbot.waitUntil(lambda: combo.count() == 4, timeout=10_000)  # all, Photos, Trip, Trip/2023
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[2].strip().startswith("Trip") and labels[3].strip().startswith("2023"), labels
    combo.setCurrentIndex(3)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a red square")
    window.show_more()
    assert sorted(names(window)) == ["trip_blue_circle.jpg", "trip_red_square.jpg"]
    combo.setCurrentIndex(0)
    # None of these photos has a date taken: file times (January to November 2024) stand in.
    window.search.date_from.set_value(date(2024, 6, 1))
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.date_to.set_value(date(2024, 8, 31))
    window.show_more()
    # three photos (the rows may hold a line between the likely matches and the rest: which are
    # likely is the whole library's answer since stop 45, and a file an earlier test trashed moves it)
    assert len(names(window)) == 3
    assert "no date taken" in window.search.message.text() and "file's date" in window.search.message.text()


def test_a_folder_without_a_likely_match_lists_its_closest_and_says_so(qtbot, make_window, daily_db) -> None:
    """Which matches are likely was read from what the filter leaves: Trip/2023 (a red square, a
    blue circle) answered "yellow" with a likely match. Now from the whole library's, and a folder
    without one lists its photos, none waiting behind "more", and says that none is likely."""
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    combo = window.search.folder_combo
    qtbot.waitUntil(lambda: combo.count() == 4, timeout=10_000)  # all, Photos, Trip, Trip/2023
    typed_query(qtbot, window, "yellow")
    assert "likely" in window.result_label.text()
    combo.setCurrentIndex(3)
    qtbot.waitUntil(lambda: window.runner.is_busy("search") is False, timeout=30_000)
    qtbot.waitUntil(lambda: "None of these" in window.search.message.text(), timeout=10_000)
    assert sorted(names(window)) == ["trip_blue_circle.jpg", "trip_red_square.jpg"]
    assert window.results.hidden() == 0 and window.result_label.text().startswith("2 closest guesses")


def test_the_filters_narrow_the_library_view_too(qtbot, make_window, daily_db) -> None:
    """The GUI walk of stop 40: with no query, choosing a folder or dates changed nothing: the
    library view went on listing every photo, "11 photos, newest first"."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    combo = window.search.folder_combo
    qtbot.waitUntil(lambda: combo.count() == 4, timeout=10_000)  # all, Photos, Trip, Trip/2023
    combo.setCurrentIndex(2)  # Trip
    qtbot.waitUntil(lambda: window.timeline.rowCount() == 2, timeout=10_000)
    shown = sorted(Path(window.timeline.index(r).data(Qt.ItemDataRole.DisplayRole)).name for r in range(2))
    assert shown == ["trip_blue_circle.jpg", "trip_red_square.jpg"]
    assert window.pages.currentWidget() is window.browse
    assert window.result_label.text() == "2 photos in Trip, newest first"
    combo.setCurrentIndex(0)
    window.search.date_from.set_value(date(2024, 6, 1))  # file times: January to November 2024
    window.search.date_to.set_value(date(2024, 8, 31))
    qtbot.waitUntil(lambda: window.timeline.rowCount() == 3, timeout=10_000)
    assert window.result_label.text() == "3 photos taken 2024-06-01 to 2024-08-31, newest first"
    window.search.date_to.set_value(date(2020, 1, 1))  # before them all
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.pages.message, timeout=10_000)
    assert "No photos match these filters" in window.pages.message.text()
    window.search.date_from.check.setChecked(False)
    window.search.date_to.check.setChecked(False)
    # the whole library again (10 photos when an earlier test of this module trashed one's file)
    qtbot.waitUntil(lambda: window.timeline.timeline.filters is None, timeout=10_000)
    assert window.pages.currentWidget() is window.browse and window.timeline.rowCount() >= 10
    assert window.result_label.text() == f"{window.timeline.rowCount()} photos, newest first"


def test_a_date_filter_starts_at_the_library_s_first_or_last_day(qtbot, make_window, daily_db) -> None:
    """The GUI walk of stop 40: ticking "Taken from" started at today, so every photo went."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    qtbot.waitUntil(lambda: window.search.date_from.edit.date().year() == 2024, timeout=10_000)
    window.search.date_from.check.setChecked(True)
    window.search.date_to.check.setChecked(True)
    assert window.search.filters().days == (date(2024, 1, 10), date(2024, 11, 10))  # the file times
    qtbot.waitUntil(lambda: window.timeline.timeline.filters is not None, timeout=10_000)
    assert window.timeline.rowCount() >= 10  # all (but a photo an earlier test of this module trashed)
    window.search.date_from.set_value(date(2024, 6, 1))  # a date the user chose stays theirs
    window.search.date_from.check.setChecked(False)
    window.search.date_from.check.setChecked(True)
    assert window.search.date_from.value() == date(2024, 6, 1)


def test_the_date_range_cannot_be_set_backwards(qtbot, make_window, daily_db) -> None:
    """The fresh-seat GUI audit of stop 57: "Taken from" 2025-01-01 and "to" 2023-01-01 said only
    "No photos match these filters", the range backwards unsaid. Each end keeps to its side of the
    other: a "to" typed before "from" stops at it, and the calendars offer no such day."""
    from PySide6.QtCore import QDate

    window = ungrouped_timeline(qtbot, make_window, daily_db)
    search = window.search
    search.date_from.set_value(date(2025, 1, 1))
    search.date_to.check.setChecked(True)
    assert search.date_to.edit.minimumDate() == QDate(2025, 1, 1)
    search.date_to.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search.date_to.edit)
    press(qtbot, Qt.Key.Key_Home)
    qtbot.keyClicks(QApplication.focusWidget(), "2023-01-01")
    press(qtbot, Qt.Key.Key_Tab)
    low, high = search.filters().days
    assert low is not None and high is not None and low <= high, (low, high)
    assert search.date_from.edit.maximumDate() == search.date_to.edit.date()
    search.date_to.check.setChecked(False)  # no end: the other may go anywhere
    assert search.date_from.edit.maximumDate() == QDate(9999, 12, 31)


def test_an_unticked_end_of_the_date_range_is_not_moved_by_the_other(qtbot, make_window, daily_db) -> None:
    """The GUI audit of stop 58: "Taken from" set past the library's last day quietly pushed the
    unticked "to" forward (2027-12-04): ticked later, it started there, not at the library's last
    day. Only a ticked end bounds the other."""
    window = ungrouped_timeline(qtbot, make_window, daily_db)
    search = window.search
    last_day = search.date_to.edit.date()
    after = last_day.addYears(1)
    search.date_from.set_value(date(after.year(), after.month(), after.day()))
    assert not search.date_to.check.isChecked() and search.date_to.edit.date() == last_day
    search.date_to.check.setChecked(True)  # ticked now: it keeps to its side of "from"
    low, high = search.filters().days
    assert low is not None and high is not None and low <= high, (low, high)


# --- 8. stale state -------------------------------------------------------------------------------------


def test_a_new_query_selects_nothing_and_its_count_stays(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a green square")
    window.view.setCurrentIndex(window.results.index(2))  # the user picks a tile
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a yellow circle")
    assert window.view.selectionModel().selectedIndexes() == []  # no tile reads as "the best match"
    assert "yellow circle" in window.result_label.text()
    window.statusBar().showMessage("something else", 10)  # a passing message does not replace it
    qtbot.wait(50)
    assert "yellow circle" in window.result_label.text() and window.result_label.isVisible()


def test_no_welcome_page_when_a_folder_is_given(qtbot, settings, gui_model, tmp_path) -> None:
    from gui_support import write_shapes

    write_shapes(tmp_path / "Pictures", per_kind=1)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    seen = [window.pages.currentWidget()]
    window.pages.currentChanged.connect(lambda _: seen.append(window.pages.currentWidget()))
    window.show()
    api = Photoscope(tmp_path / "library.db", model=gui_model)
    try:
        with qtbot.waitSignal(window.library_opened, timeout=20_000):
            window.open_library(lambda: api, add_folder=tmp_path / "Pictures")
        qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=60_000)
        assert window.welcome not in seen
    finally:
        window.shutdown()
        api.close()


def test_a_model_that_cannot_load_is_said_in_the_window_with_the_way_out(qtbot, settings, tmp_path) -> None:
    """The GUI audit of stop 58: `photoscope gui --model DIR --folder ~/Pictures` with no model in
    DIR said "0 photos indexed" and "No photos yet: your folders hold no photos" over a folder of
    12; the error ("background task failed (BundleError …)") went to the terminal alone."""
    from gui_support import write_shapes

    from photoscope.gui.app import open_api

    write_shapes(tmp_path / "Pictures", per_kind=1)
    (tmp_path / "not-a-model").mkdir()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.library_opened, timeout=60_000):
            window.open_library(
                lambda: open_api(tmp_path / "library.db", tmp_path / "not-a-model"),
                add_folder=tmp_path / "Pictures",
            )
        page = window.pages.message
        qtbot.waitUntil(
            lambda: window.pages.currentWidget() is page and "model" in page.text().lower(), timeout=60_000
        )
        said = page.text()
        assert str(tmp_path / "not-a-model") in said and "--model" in said, said
        assert "hold no photos" not in said
        assert "model" in window.index_status.label.text().lower(), window.index_status.label.text()
        qtbot.wait(1000)  # nothing read later puts "No photos yet" in its place
        assert window.pages.currentWidget() is page and page.text() == said
        # a query asked anyway says the same, not "The search failed: cannot read this photo"
        window.activateWindow()
        press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(QApplication.focusWidget(), "a red circle")
        with qtbot.waitSignal(window.results_shown, timeout=30_000):  # its answer: a failure
            press(qtbot, Qt.Key.Key_Return)
        assert "could not be loaded" in page.text() and "--model" in page.text(), page.text()
        assert "cannot read this photo" not in page.text()
    finally:
        window.shutdown()
        if window.api is not None:
            window.api.close()


# --- 9. layout and text ---------------------------------------------------------------------------------


def _settled_height(qtbot, widget) -> int:  # type: ignore[no-untyped-def]
    """The widget's height once its layout has settled: the same at two looks 20 ms apart."""
    last = -1
    for _ in range(100):
        qtbot.wait(20)
        if widget.height() == last:
            break
        last = widget.height()
    return last


def test_grid_fills_its_width_and_the_chip_moves_nothing(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    window.resize(800, 600)  # the GUI audit's size
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a red circle")
    view = window.view
    width = view.viewport().width()
    columns = width // view.gridSize().width()
    assert width - columns * view.gridSize().width() < columns + 2  # no empty strip at the right
    window.search.show_message("")  # the note on the text's answer (names listed first) aside
    height = _settled_height(qtbot, window.search)  # 20 ms were not always enough on a busy machine
    top = window.pages.mapTo(window, window.pages.rect().topLeft()).y()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.find_similar(window.results.match_at(0).photo.id, window.results.match_at(0).photo.path)
    assert window.search.chip.isVisible()
    # The GUI audit: beside the chip the long hint was cut ("…on th…"); a short one says what typing does.
    edit = window.search.edit
    assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) < edit.width()
    assert _settled_height(qtbot, window.search) == height or window.search.message.isVisible()
    assert window.pages.mapTo(window, window.pages.rect().topLeft()).y() == top


def test_about_names_its_metrics_and_the_words_panel_asks_for_what_is_missing(
    qtbot, make_window, library_db
) -> None:
    from photoscope.api import ModelInfo

    text = about.about_html(ModelInfo("m", "1", "Flickr8k", {"r1": 17.6, "median_rank": 8.0, "cider": 0.51}))
    assert "r1" not in text and "median_rank" not in text and "8.000" not in text
    assert "the right photo first" in text and "17.6 %" in text
    # Audit: these figures read as the app's search (which the README gives higher: the concepts
    # and the word detectors), and BLEU-4 came before BLEU-1.
    assert "the network alone, as trained" in text and "photoscope evaluate retrieval" in text
    ordered = about.about_html(ModelInfo("m", "1", "F", {f"bleu{n}": 0.1 * n for n in (4, 1, 3, 2)}))
    places = [ordered.index(f"BLEU-{n}") for n in (1, 2, 3, 4)]
    assert places == sorted(places)
    window = make_window(library_db)
    words = window.words
    words.show()
    words.a_edit.setText("red")
    words.solve_analogy()
    assert "b and c" in words.message.text()
    words.word_edit.clear()
    words.find_similar()
    assert "Type a word" in words.message.text()


# --- the whole round trip -------------------------------------------------------------------------------


@pytest.fixture
def window_on_daily(make_window: WindowFactory, daily_db: Path) -> Iterator[MainWindow]:
    yield make_window(daily_db)


def test_a_ctrl_click_into_the_grid_selects_that_photo_alone(qtbot, make_window, daily_db) -> None:
    """The review of stop 40: the grid selected its current photo whenever it got the focus, so a
    first Ctrl+click from the search box selected the first photo too (Delete would trash both)."""
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "circle")
    view = window.view
    assert window.results.rowCount() >= 3 and view.currentIndex().row() == 0  # as a new answer starts
    rect = view.visualRect(window.results.index(2))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, rect.center()
    )
    assert QApplication.focusWidget() is view
    assert sorted(i.row() for i in view.selectedIndexes()) == [2]


def test_browse_query_detail_next_similar_and_back(qtbot, window_on_daily: MainWindow) -> None:
    window = window_on_daily
    browse_ready(qtbot, window)  # browse: the timeline first
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), "a green circle")
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        press(qtbot, Qt.Key.Key_Return)  # query
    assert window.pages.currentWidget() is window.view
    press(qtbot, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is window.view
    # The GUI walk of stop 40: the grid had the focus and no photo drawn as the one Enter opens.
    assert [i.row() for i in window.view.selectedIndexes()] == [window.view.currentIndex().row()] == [0]
    press(qtbot, Qt.Key.Key_Return)  # detail
    detail = window.detail
    assert detail.isVisible() and detail.row == 0
    detail.activateWindow()
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is detail
    )
    if window.results.rowCount() < 2:
        window.show_more()
    press(qtbot, Qt.Key.Key_Right)  # next: the second photo (a "weaker matches" header may come between)
    assert detail.row >= 1 and detail.match().photo.id == window.results.matches()[1].photo.id
    photo = detail.match().photo
    # The GUI walk of stop 40: the Photo menu's keys did nothing in the photo view.
    press(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == photo.path
    assert "Ctrl+Shift+F" in detail.similar_button.toolTip()
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.search.chip.isVisible() and Path(photo.path).name in window.search.chip.label.text()
    assert photo.path not in [m.photo.path for m in window.results.matches()]
    window.activateWindow()  # the photo view closed with the new results: the window has the keys
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and QApplication.focusWidget() is not None)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # back to the query
    assert window.search.text() == "a green circle" and not window.search.chip.isVisible()
    assert names(window, 1) == ["green_circle.jpg"]
    # ... on the photo "Find similar" started from, as a browser's Back returns to the place left.
    grid = window.view
    assert grid.selectionModel().isSelected(grid.currentIndex())
    assert window.results.match_at(grid.currentIndex().row()).photo.id == photo.id
    # A refined answer to it keeps the photo the user moved to since (review of stop 38: a network's
    # answer arriving after a first one jumped back to the photo Back had landed on).
    press(qtbot, Qt.Key.Key_Home)
    moved_to = window.results.match_at(grid.currentIndex().row()).photo.id
    assert moved_to != photo.id
    answer = window.api.search_text("a green circle", 24)
    window.presenter.show(answer, "a green circle", 0.1, refining=True, landing=photo.id)
    assert window.results.match_at(grid.currentIndex().row()).photo.id == moved_to


def test_help_keys_names_where_back_goes_now(qtbot, window_on_daily: MainWindow) -> None:
    """Audit 87 (repro_2): Help > Keys listed Back as the View menu last said it ("Back (after Find
    similar)", or a query two searches old), while Alt+Left went back to the query just left."""
    window = window_on_daily
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "a green circle")
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.find_similar(window.results.match_at(0).photo.id, window.results.match_at(0).photo.path)
    press(qtbot, Qt.Key.Key_F1)
    dialog = window.keys_dialog
    assert dialog is not None and dialog.isVisible()
    assert ("View", "Alt+Left", "Back to “a green circle”") in dialog.rows, dialog.rows


def test_back_with_no_find_similar_to_undo_keeps_the_search(qtbot, window_on_daily: MainWindow) -> None:
    # The GUI audit: Alt+Left ("Back to the previous search") after typing a second query cleared
    # it and showed the timeline; the menu promised the previous search.
    window = window_on_daily
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "a green circle")
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.search.text() == "a green circle" and window.pages.currentWidget() is window.view
    assert "Back returns from Find similar" in window.statusBar().currentMessage()
    window.update_back_action()  # as the View menu opens: it says what Back would do
    assert window.back_action.text() == "&Back (after Find similar)"
    # Find similar started from the timeline (no text to return to): Back leaves it, to all photos
    # (the review of stop 38: it said there was nothing to go back to, the similar photos still shown).
    window.search.set_text("")
    browse_ready(qtbot, window)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.find_similar(window.timeline.id_of(0), window.timeline.path_of(0))
    window.update_back_action()
    assert window.back_action.text() == "&Back to all photos"
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    browse_ready(qtbot, window)
    assert not window.search.chip.isVisible()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a green circle")
    window.find_similar(window.results.match_at(0).photo.id, window.results.match_at(0).photo.path)
    window.update_back_action()
    assert window.back_action.text() == "&Back to “a green circle”"


def test_back_from_find_similar_shows_the_weaker_matches_shown_before(
    qtbot, window_on_daily: MainWindow
) -> None:
    """The GUI walk of stop 47: Back from Find similar showed the earlier results with "Show more"
    collapsed again, the weaker matches the user had opened hidden behind it."""
    window = window_on_daily
    _back_to_more_shown(qtbot, window)
    assert window.search.text() == "a green circle"
    assert not window.results.hidden() and not window.more_bar.isVisible()


def _refined(window: MainWindow) -> bool:
    return window.flow.state.first_answer is None  # the network's answer is shown


def _back_to_more_shown(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """ "a green circle" with "Show more" pressed, Find similar on its first photo, then Back (Alt+Left),
    once the network's answer to it is shown."""
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "a green circle")
    qtbot.waitUntil(lambda: _refined(window), timeout=20_000)
    assert window.results.hidden()  # some weaker matches wait behind "Show more"
    window.more_button.click()
    assert not window.results.hidden()
    first = window.results.match_at(0).photo
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.find_similar(first.id, first.path)
    window.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # back to the query
    qtbot.waitUntil(lambda: _refined(window), timeout=20_000)  # the first answer, then the network's


def test_a_new_query_after_back_starts_with_its_likely_matches_alone(
    qtbot, window_on_daily: MainWindow
) -> None:
    window = window_on_daily
    _back_to_more_shown(qtbot, window)
    typed_query(qtbot, window, "a red square")
    answer = window.flow.query().run(window.api)
    # waited for: the signal typed_query waits on may be an earlier answer's
    qtbot.waitUntil(lambda: window.results.hidden() == len(answer.matches) - answer.relevant, timeout=20_000)
    assert _refined(window) and not window.presenter.shows_more()


def test_a_refresh_before_a_new_query_answers_keeps_nothing_of_the_answer_on_show(
    qtbot, window_on_daily: MainWindow
) -> None:
    """Why the test above failed 2 runs in 6 (stop 49): the window's watcher found a photo an earlier
    test had trashed gone (its catch-up scan, at no set moment), and the refresh that follows replaced
    "a red square" before it answered; that refresh kept what the grid still showed, "a green circle"
    with its weaker matches opened, as a refresh of that answer would."""
    from photoscope.api import ScanReport

    window = window_on_daily
    _back_to_more_shown(qtbot, window)
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), "a red square")
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        press(qtbot, Qt.Key.Key_Return)
        window.changes(ScanReport(moved=1))  # the watcher's report, before the query's answer came
    answer = window.flow.query().run(window.api)
    assert window.results.hidden() == len(answer.matches) - answer.relevant > 0
    assert not window.presenter.shows_more() and window.view.currentIndex().row() == 0


def test_the_network_s_answer_opens_the_weaker_matches_only_if_the_user_did(qtbot, window_on_daily) -> None:
    """The review of stop 48: a first answer with nothing hidden (a few captions, all likely) read as
    "Show more" pressed, and the network's answer replacing it opened all its weaker matches."""
    from dataclasses import replace

    window = window_on_daily
    browse_ready(qtbot, window)
    answer = window.api.search_text("a green circle", 24)
    assert answer.relevant < len(answer.matches)  # weaker matches behind "Show more"
    first = replace(answer, matches=answer.matches[:2], relevant=2)  # nothing hidden
    window.presenter.show(first, "a green circle", 0.1)
    window.presenter.show(answer, "a green circle", 0.5, refining=True)
    assert window.results.hidden() == len(answer.matches) - answer.relevant
    assert not window.presenter.shows_more()
    # "Show more" pressed on a first answer that hid some: the network's answer keeps them open
    window.presenter.show(replace(answer, relevant=1), "a green circle", 0.1)
    assert window.results.hidden()
    window.show_more()
    window.presenter.show(answer, "a green circle", 0.5, refining=True)
    assert window.results.hidden() == 0 and window.presenter.shows_more()
    window.presenter.show(answer, "a green circle", 0.5)  # a new answer: its likely matches alone
    assert window.results.hidden() and not window.presenter.shows_more()


def test_cached_thumbnails_are_read_not_decoded_again(tmp_path: Path) -> None:
    # Qt's PNG reader splits text keys at ':', so "Thumb::MTime" never matched and every thumbnail
    # was decoded again from the photo: a missing photo (a 100,000-photo timeline's) got no tile at all.
    from photoscope.gui.thumbnail_loader import read_cached
    from photoscope.library.thumbnails import write_thumbnail

    photo = str(tmp_path / "gone.jpg")  # no such file: only the cache can answer
    write_thumbnail(shape_photo("red", "circle"), photo, 1_700_000_000.5, tmp_path / "thumbs")
    image = read_cached(photo, 1_700_000_000.5, tmp_path / "thumbs")
    assert image is not None and image.width() == 224
    assert read_cached(photo, 1_700_000_999.0, tmp_path / "thumbs") is None  # made from an older version


def test_cached_thumbnails_are_decoded_without_qt_s_image_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The thumbnail thread decoded cached PNGs with QImage.fromData, which holds the GIL while Qt's
    # format probe (the SVG plugin's QTextStream) takes Qt's signal-slot lock; the GUI thread,
    # destroying a QObject with a Python override, held that lock and waited for the GIL: the
    # window froze for good (seen twice running the suite, test_gui_timeline_stale's search).
    from PySide6.QtGui import QImage

    from photoscope.gui.thumbnail_loader import read_cached
    from photoscope.library.thumbnails import write_thumbnail

    def no_qt_reader(*args: object, **kwargs: object) -> QImage:
        raise AssertionError("Qt's image readers ran on the thumbnail thread")

    photo = str(tmp_path / "red.jpg")
    write_thumbnail(shape_photo("red", "circle"), photo, 1_700_000_000.5, tmp_path / "thumbs")
    monkeypatch.setattr(QImage, "fromData", no_qt_reader)
    image = read_cached(photo, 1_700_000_000.5, tmp_path / "thumbs")
    assert image is not None and image.width() == 224
    centre = image.pixelColor(112, 112)
    assert centre.red() > 150 and centre.green() < 100 and centre.blue() < 100  # the red circle


# --- #15: opening a damaged library offers a way out ------------------------------------------------------


def _opened_without_repair(qtbot, settings, monkeypatch, db: Path) -> tuple[MainWindow, list[str]]:  # type: ignore[no-untyped-def]
    """The window opening ``db``, which it cannot open: it offers no repair and says why once (the
    window, and what it said)."""
    from photoscope.gui.app import open_api, repair_library

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    offered: list[str] = []
    said: list[str] = []
    monkeypatch.setattr(window, "ask_repair", lambda error: offered.append(error) or True)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: said.append(text))
    with qtbot.waitSignal(window.opener.cannot_open, timeout=60_000):
        window.open_library(lambda: open_api(db, None), repair=lambda: repair_library(db, None))
    assert not offered and len(said) == 1
    return window, said


def test_another_programs_database_is_said_and_not_offered_repair(
    qtbot, settings, tmp_path, gui_model, monkeypatch
) -> None:
    """Repair would move another program's file aside: the window says what the file is instead."""
    import sqlite3

    db = tmp_path / "shop.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    window, said = _opened_without_repair(qtbot, settings, monkeypatch, db)
    assert str(db) in said[0] and "not a Photoscope library" in said[0]
    # Audit: the page said "Opening your library…" for ever after the message closed.
    assert window.pages.currentWidget() is window.pages.message
    assert "could not be opened" in window.pages.message.text() and str(db) in window.pages.message.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.sqlite"]
    window.shutdown()


def test_a_library_that_cannot_be_opened_is_offered_repair_then_opens(
    qtbot, settings, tmp_path, gui_model, monkeypatch
) -> None:
    from photoscope.gui.app import open_api, repair_library

    db = tmp_path / "library.db"
    db.write_bytes(b"\x00\x01damaged" + bytes(range(256)) * 10)  # damaged beyond reading (not a text)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    offered: list[str] = []
    monkeypatch.setattr(window, "ask_repair", lambda error: offered.append(error) or True)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    with qtbot.waitSignal(window.library_opened, timeout=60_000):
        window.open_library(lambda: open_api(db, None), repair=lambda: repair_library(db, None))
    assert len(offered) == 1 and str(db) in offered[0]  # the message names the file
    assert window.api is not None and window.api.folders() == []
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("library.db.damaged")]
    assert kept and kept[0].read_bytes().startswith(b"\x00\x01damaged")  # moved aside, never deleted
    window.shutdown()
    window.api.close()


def _shown_window(qtbot, settings: QSettings) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    return window


def _open_repairable(qtbot, window: MainWindow, db: Path, model: PhotoscopeModel) -> None:  # type: ignore[no-untyped-def]
    """``db`` opened in ``window`` as the app opens it, with its repair at hand (``doctor --repair``)."""
    with qtbot.waitSignal(window.library_opened, timeout=60_000):
        window.open_library(
            lambda: Photoscope(db, model=model).open(),
            repair=lambda: Photoscope(db, model=model).doctor(repair=True, how_to_repair=REPAIR_AGAIN),
        )


def _ask(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    """A query as the user asks it (Ctrl+F, the words, Enter), without waiting for its answer."""
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), text)
    press(qtbot, Qt.Key.Key_Return)


def test_a_library_found_damaged_while_open_is_offered_repair_and_opens_again(
    qtbot, settings, daily_db, gui_model, monkeypatch
) -> None:
    """The review of stop 55: a library damaged in a table the window reads later (a search reads
    the photos' tags) said "run `photoscope doctor --repair`" on the search page, and the window
    had no way to repair it. It offers the repair, lets the library go, repairs it and opens it again."""
    from photos import damage_page

    damage_page(daily_db, "tags")
    window = _shown_window(qtbot, settings)
    offered: list[tuple[str, str | None]] = []
    monkeypatch.setattr(
        window, "ask_repair", lambda error, heading=None: offered.append((error, heading)) or True
    )
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    opened: list[object] = []  # each API the window attached, in order
    window.library_opened.connect(lambda: opened.append(window.api))
    _open_repairable(qtbot, window, daily_db, gui_model)
    browse_ready(qtbot, window)
    # The search, or the network's start reading the vectors before it (whichever meets the damage
    # first: both read the tags), offers the repair once; the library opens again. The start can
    # meet it, and the library be repaired and open again, before the query is typed: so the
    # opens are counted, not compared with the API seen here (a test race seen in CI, stop 62).
    _ask(qtbot, window, "a red circle")
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=60_000)
    assert len(offered) == 1 and str(daily_db) in offered[0][0], offered
    assert offered[0][1] is not None and "damaged" in offered[0][1]  # not "could not be opened"
    assert "photoscope doctor" not in offered[0][0]  # the window's button does it
    assert window.api is not None and window.api is opened[1] and opened[1] is not opened[0]
    assert any(p.name.startswith("library.db.damaged") for p in daily_db.parent.iterdir())
    # The fresh-seat audit of stop 56: "The search failed" stayed after the repair; the query is
    # asked again once the library is open again.
    qtbot.waitUntil(lambda: bool(names(window)), timeout=30_000)
    assert window.pages.currentWidget() is not window.pages.message
    window.shutdown()
    window.api.close()


def test_a_damaged_library_declined_says_so_and_the_file_menu_repairs_it(
    qtbot, settings, daily_db, gui_model, monkeypatch
) -> None:
    """The fresh-seat audit of stop 56: with the repair declined, the page said "The search failed:
    cannot read this photo (LibraryDamaged: … run `photoscope doctor --repair`)", and the window had
    no way to repair until the next search asked again."""
    from photos import damage_page

    damage_page(daily_db, "tags")
    window = _shown_window(qtbot, settings)
    offered: list[str] = []
    asked = lambda error, heading=None: offered.append(error) and False  # noqa: E731 - Close
    monkeypatch.setattr(window, "ask_repair", asked)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    _open_repairable(qtbot, window, daily_db, gui_model)
    browse_ready(qtbot, window)
    # The network's start reads the vectors' tags and meets the damage first, whenever it runs (a
    # query asked before it would race it): declined once, then asked again by the user's query.
    qtbot.waitUntil(lambda: len(offered) == 1, timeout=60_000)
    _ask(qtbot, window, "a red circle")
    qtbot.waitUntil(
        lambda: len(offered) == 2 and window.pages.currentWidget() is window.pages.message, timeout=30_000
    )
    qtbot.wait(500)  # the other tasks that meet the same damage now do not ask again
    assert len(offered) == 2
    page = window.pages.message.text()
    assert "The library is damaged" in page and "cannot read this photo" not in page, page
    assert "photoscope doctor" not in page and "Check and repair" in page, page
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if "repair" in a.text())
    first = window.api
    with qtbot.waitSignal(window.library_opened, timeout=60_000):
        action.trigger()
    assert window.api is not None and window.api is not first
    qtbot.waitUntil(lambda: bool(names(window)), timeout=30_000)  # the query asked again
    window.shutdown()
    window.api.close()


def test_check_and_repair_while_another_photoscope_holds_the_library_says_so_and_keeps_it_open(
    qtbot, settings, daily_db, gui_model, monkeypatch
) -> None:
    """Stop 59's Left list: File > Check and repair moved the library aside under a running `photoscope
    index --watch`, which went on writing the file moved aside. The window says another Photoscope
    holds the library and how to go on, and opens it again as it was."""
    from photoscope.library.indexer import _IndexingLock

    window = _shown_window(qtbot, settings)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: said.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: said.append(str(a[2])))
    _open_repairable(qtbot, window, daily_db, gui_model)
    browse_ready(qtbot, window)
    first = window.api
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if "repair" in a.text())
    with _IndexingLock(daily_db) as lock:
        assert lock.acquire()
        with qtbot.waitSignal(window.library_opened, timeout=60_000):
            action.trigger()
    assert len(said) == 1 and "another Photoscope" in said[0] and "close it" in said[0].lower(), said
    assert "photoscope doctor" not in said[0] and "Check and repair" in said[0]  # the window's way
    assert not [p for p in daily_db.parent.iterdir() if "damaged" in p.name]  # left where it was
    assert window.api is not None and window.api is not first
    browse_ready(qtbot, window)
    window.shutdown()
    window.api.close()


def test_a_library_damage_the_indexer_meets_is_offered_repair(
    qtbot, settings, daily_db, gui_model, monkeypatch
) -> None:
    """The fresh-seat audit of stop 56: damage met by indexing stopped it, "run `photoscope doc…`"
    cut off on the status line, and no repair was offered."""
    from photoscope.api import LibraryDamaged

    window = _shown_window(qtbot, settings)
    offered: list[tuple[str, str | None]] = []
    asked = lambda error, heading=None: offered.append((error, heading)) and False  # noqa: E731
    monkeypatch.setattr(window, "ask_repair", asked)
    _open_repairable(qtbot, window, daily_db, gui_model)
    window.index_failures(LibraryDamaged(f"{daily_db} is not a Photoscope library, or it is damaged"))
    qtbot.waitUntil(lambda: len(offered) == 1, timeout=10_000)
    assert offered[0][1] is not None and "damaged" in offered[0][1]
    assert "photoscope doctor" not in window.index_status.label.text()
    window.shutdown()
    window.api.close()


def test_a_query_typed_while_copies_are_looked_for_is_answered_at_once(
    qtbot, make_window, daily_db, monkeypatch
) -> None:
    """The speed audit of stop 46: File > Find copies took about 30 s at 100,000 photos, and a query
    typed meanwhile waited for it (then its copies were dropped); quitting waited too. The pass now
    stops at its next block when a query (or quitting) makes it unwanted."""
    import time as clock

    from photoscope.search import duplicates

    passes: list[str] = []
    monkeypatch.setattr(duplicates, "duplicate_groups", slow_copies(passes))
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    window.find_copies()
    qtbot.waitUntil(lambda: passes == ["started"], timeout=10_000)
    began = clock.monotonic()
    typed_query(qtbot, window, "a red circle")
    assert clock.monotonic() - began < 20 and passes == ["started", "stopped"]
    assert window.results.rowCount() > 0 and not window.results.copies_listed


def slow_copies(passes: list[str]):  # type: ignore[no-untyped-def]
    """A stand-in for ``duplicate_groups``: a long pass that stops when no longer wanted."""
    import time as clock

    from photoscope.search import duplicates

    def groups(features, ids, threshold=0.97, block=256, keep_going=None):  # type: ignore[no-untyped-def]
        passes.append("started")
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            if keep_going is not None and not keep_going():
                passes.append("stopped")
                raise duplicates.StoppedEarly
            clock.sleep(0.02)
        return []

    return groups


def test_the_copies_listed_read_again_stop_neither_a_new_pass_nor_a_query(
    qtbot, make_window, daily_db, monkeypatch
) -> None:
    """The review of stop 46: the copies listed, read again after a trash or the watcher's report,
    took the search's place: a new Find copies pass the user asked for stopped, and a query typed
    over the copies was dropped (the copies stayed under it)."""
    from photoscope.search import duplicates

    window = make_window(daily_db)
    listed_copies(qtbot, window)
    passes: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(duplicates, "duplicate_groups", slow_copies(passes))
        window.find_copies()  # asked again
        qtbot.waitUntil(lambda: passes == ["started"], timeout=10_000)
        window._refresh_shown_answer()  # what a trash's end or the watcher's report runs
        qtbot.wait(500)
        assert passes == ["started"]
        typed_query(qtbot, window, "a red circle")  # stops it: the query's answer replaces it
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    assert window.results.copies_listed
    window.search.edit.setText("a red circle")
    window.run_query()  # its task queued, and a watcher's report before its answer
    window._refresh_shown_answer()
    qtbot.waitUntil(lambda: not window.results.copies_listed, timeout=20_000)


def test_a_query_s_refresh_due_while_indexing_leaves_the_copies_be(
    qtbot, make_window, daily_db, monkeypatch
) -> None:
    """The review of stop 46: while photos were indexed, a query on screen had a refresh due; Find
    copies within it, and the refresh found no query and cleared the grid, stopping the pass or
    taking the copies just listed away."""
    from photoscope.search import duplicates

    window = make_window(daily_db)
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "a red circle")
    window.refresh_timer.start()  # what a progress report does while a query is on screen
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.find_copies()
    qtbot.wait(window.refresh_timer.interval() + 500)
    assert window.results.copies_listed
    passes: list[str] = []
    monkeypatch.setattr(duplicates, "duplicate_groups", slow_copies(passes))
    typed_query(qtbot, window, "a red circle")
    window.refresh_timer.start()
    window.find_copies()
    qtbot.waitUntil(lambda: passes == ["started"], timeout=10_000)
    qtbot.wait(window.refresh_timer.interval() + 500)
    assert passes == ["started"]


def test_the_grids_tell_the_thumbnail_cache_how_many_tiles_they_show(qtbot, make_window, daily_db) -> None:
    """What the cache keeps whatever its bytes (``ThumbnailLoader.keep_on_screen``): a screenful of
    tiles, which follows the window's size and the tile size."""
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    window.resize(900, 700)
    qtbot.waitUntil(lambda: window.loader._on_screen.get("library", 0) > 0)
    before = window.loader._on_screen["library"]
    window.tile_slider.setValue(window.tile_slider.minimum())  # smaller tiles: more of them
    qtbot.waitUntil(lambda: window.loader._on_screen["library"] > before)


def test_a_folder_header_shows_its_name_escaped_and_whole_in_its_tooltip(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Audit 75 (repro_1): grouped by folder, a header read "Pictures/evilexe.jpg" (a right-to-left
    override in the folder's name), a newline broke it over two lines, and a long name was cut at
    both ends with no tooltip to read it."""
    from photoscope.gui.results_model import ResultsModel
    from photoscope.gui.thumbnail_loader import ThumbnailLoader

    model = ResultsModel(ThumbnailLoader(threads=1, root=tmp_path / "thumbnails"))
    model._layout(2, [("Pictures/evil\u202egpj.exe", 0), ("Pictures/new\nline", 1)])
    shown = [model.index(r).data(HEADER_ROLE) for r in (0, 2)]
    assert shown == ["Pictures/evil\\u202egpj.exe", "Pictures/new\\x0aline"]
    assert model.index(0).data(Qt.ItemDataRole.ToolTipRole) == shown[0]


def test_why_a_photo_cannot_be_shown_names_its_path_escaped() -> None:
    """Audit 75 (repro_7): "The file cannot be read: ... /Pictures/new" then "line/x.jpg" on a line
    of its own: the photo view's note put the path in raw, where the File field below escapes it."""
    from photoscope.gui.photo_text import unreadable_text

    for error in (OSError("not an image"), FileNotFoundError("gone")):
        said = unreadable_text("/p/new\nline/evil\u202e.jpg", error)
        assert "\n" not in said and "\u202e" not in said and "new\\x0aline" in said


def test_the_copy_an_upgrade_kept_is_refused_in_the_window_with_a_way_out(
    qtbot, settings, tmp_path, monkeypatch
) -> None:
    """Audit 78 (minor 7): the copy an upgrade keeps for an older Photoscope (library.db.schema-7),
    opened with this one, was upgraded too. The window says what it is and what to do, offers no
    repair, and leaves it as it is."""
    from test_db import _kept_copy

    kept = _kept_copy(tmp_path)
    before = kept.read_bytes()
    window, said = _opened_without_repair(qtbot, settings, monkeypatch, kept)
    assert f"{kept} is the copy of the library an upgrade kept for an older Photoscope" in said[0]
    assert "open it with that Photoscope, or copy it to another name" in said[0]
    page = window.pages.message.text()
    assert window.pages.currentWidget() is window.pages.message
    assert str(kept) in page and "photoscope gui --db" in page  # the way out: another library
    assert kept.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "schema-7" in p.name) == ["library.db.schema-7"]
    window.shutdown()


def test_an_older_library_opened_in_the_window_says_it_was_upgraded_and_where_its_copy_is(
    qtbot, settings, tmp_path, gui_model
) -> None:
    """The fresh-seat audit 76 of stop 61 (#4): opening an older Photoscope's library upgraded it for
    good without a word; the window's status line says it, and where the older file is kept."""
    import sqlite3

    from photoscope.library import connection

    db = tmp_path / "library.db"
    conn = sqlite3.connect(db)
    for step in connection.MIGRATIONS[:9]:
        step(conn)
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    window = _shown_window(qtbot, settings)
    _open_repairable(qtbot, window, db, gui_model)
    said = window.statusBar().currentMessage()
    assert said == (
        "The library was upgraded for this Photoscope: older versions open the copy kept beside it,"
        " library.db.schema-9."
    ), said
    assert (tmp_path / "library.db.schema-9").is_file()
    window.shutdown()
    window.api.close()


def test_a_photo_restored_from_the_trash_comes_back_into_the_answer_on_show(
    qtbot, make_window, daily_db, tmp_path
) -> None:
    """Audit 91 (repro_1): photos back in a folder unchanged (restored from the trash, a folder
    moved out and back) came back into the index from the session's stash, not encoded again, but
    the answer on show never listed them: the window refreshed it for photos indexed, moved or
    gone, not for those written back."""
    window = make_window(daily_db)
    browse_ready(qtbot, window)
    typed_query(qtbot, window, "circle")

    def listed() -> list[str]:
        return [window.results.path_of(i) for i in range(window.results.photo_count())]

    path = listed()[0]
    shutil.move(path, tmp_path / Path(path).name)  # to the trash
    qtbot.waitUntil(lambda: path not in listed(), timeout=30_000)
    shutil.move(tmp_path / Path(path).name, path)  # and back
    qtbot.waitUntil(lambda: path in listed(), timeout=30_000)
    assert window.api.photo_counts().pending == 0  # written back, not encoded again
    window.shutdown()
