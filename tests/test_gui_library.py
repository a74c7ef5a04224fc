"""The desktop app around the search: first launch, indexing progress, the library, details, words."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from gui_support import index_folder, names, press, write_shapes
from mounts import remount_read_only, small_tmpfs
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from photoscope.api import IndexOptions, PhotoCounts, Photoscope
from photoscope.gui import desktop
from photoscope.gui.main_window import MainWindow


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The OS boundary: what would have been handed to the desktop to open."""
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(QUrl(url).toLocalFile()) or True)
    monkeypatch.setattr(desktop, "_file_manager_show_items", lambda path: False)  # no D-Bus file manager
    return urls


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home folder: QStandardPaths' Pictures folder is $HOME/Pictures."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


def test_first_launch_offers_pictures_then_indexes_with_progress_and_pause(qtbot, make_window, home) -> None:
    write_shapes(home / "Pictures", per_kind=1)
    window = make_window(home / "library.db")
    assert window.pages.currentWidget() is window.welcome
    assert str(home / "library.db") in window.welcome.library_label.text()  # where the library is kept
    assert str(home / "Pictures") in window.pictures_button.text() and window.pictures_button.isVisible()
    assert window.add_folder_button.isVisible()
    window.index_status.pause_button.setChecked(True)  # paused before the first batch
    with qtbot.waitSignal(window.indexing_started, timeout=20_000):
        qtbot.mouseClick(window.pictures_button, Qt.MouseButton.LeftButton)
    assert window.worker is not None and window.worker.paused
    window.index_status.pause_button.setChecked(False)
    assert not window.worker.paused
    qtbot.waitUntil(
        lambda: (p := window.index_status.last) is not None and p.total == 8 and p.done == 8, timeout=60_000
    )
    assert "8 photos" in window.index_status.label.text()
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a blue circle")
    assert names(window, 1) == ["blue_circle_0.jpg"]


def test_library_dialog_lists_adds_and_removes_folders(
    qtbot, make_window, library_db, indexed_library, tmp_path, monkeypatch
) -> None:
    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    row = dialog.tree.topLevelItem(0)
    assert row.text(0) == str(indexed_library[2]) and row.text(1) == "online" and row.text(2) == "24"
    assert "24 photos indexed" in dialog.summary.text()
    extra = tmp_path / "More"
    write_shapes(extra, per_kind=1, seed=40)
    dialog.note.setText("6 photos came back")  # what an earlier change said
    with qtbot.waitSignal(window.folders_changed, timeout=10_000):
        window.folder_keeper.add(extra)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 2)
    # The GUI walk of stop 40: the dialog kept saying what the change before did, its choice on
    # the folder before.
    qtbot.waitUntil(lambda: dialog.tree.currentItem().text(0) == str(extra))
    assert dialog.note.text() == f"Watching {extra}: its photos are being indexed."
    assert window.search.folder_combo.count() == 3
    # Indexing the new folder runs in the background and reports in the status bar.
    qtbot.waitUntil(
        lambda: (p := window.index_status.last) is not None and p.done == p.total == 8, timeout=60_000
    )
    # The GUI walk of stop 42: the note still said "being indexed" with every photo indexed.
    qtbot.waitUntil(
        lambda: dialog.note.text() == f"Watching {extra}: its photos are indexed.", timeout=10_000
    )
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    with qtbot.waitSignal(window.folders_changed, timeout=10_000):
        dialog.remove_button.click()
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    assert dialog.tree.topLevelItem(0).text(0) == str(extra)


def test_keyboard_navigation_and_the_detail_actions(qtbot, make_window, library_db, opened_urls) -> None:
    window = make_window(library_db)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a green square")
    window.show_more()  # the weaker matches follow a header row: rows are turned into photos below
    view, results = window.view, window.results
    window.activateWindow()
    window.search.edit.setFocus()
    press(qtbot, Qt.Key.Key_Down)  # from the search box into the grid
    assert view.hasFocus() and results.photo_at(view.currentIndex().row()) == 0
    press(qtbot, Qt.Key.Key_Right)
    assert results.photo_at(view.currentIndex().row()) == 1
    press(qtbot, Qt.Key.Key_Return)
    detail = window.detail
    assert detail.isVisible() and results.photo_at(detail.row) == 1
    match = results.match_at(detail.row)
    assert detail.fields["path"].text() == match.photo.path
    assert detail.fields["caption"].text() == match.photo.caption
    detail.activateWindow()
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is detail
    )
    press(qtbot, Qt.Key.Key_Right)  # to whichever of its buttons has the focus
    assert results.photo_at(detail.row) == 2
    path = results.match_at(detail.row).photo.path
    detail.copy_button.click()
    assert QGuiApplication.clipboard().text() == path
    assert QGuiApplication.clipboard().mimeData().urls()[0].toLocalFile() == path
    detail.open_button.click()
    detail.folder_button.click()
    assert opened_urls == [path, str(Path(path).parent)]
    # Audit: back from the photo view (Escape) the grid still pointed where the view was opened.
    press(qtbot, Qt.Key.Key_Right)
    stepped_to = detail.row
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not detail.isVisible())
    assert results.photo_at(stepped_to) == 3 and view.currentIndex().row() == stepped_to
    # The GUI audit of stop 60: after Escape nothing had the keyboard; the grid has it, at that photo.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    detail.show_row(results.row_of(2))
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        detail.similar_button.click()
    window.show_more()
    assert path not in [m.photo.path for m in window.results.matches()]
    assert names(window, 1)[0].startswith("green_square") and all("square" in n for n in names(window, 5))
    assert window.search.chip.isVisible() and Path(path).name in window.search.chip.label.text()
    # Results drag out to other apps as files.
    mime = results.mimeData([results.index(results.row_of(0)), results.index(results.row_of(1))])
    assert [u.toLocalFile() for u in mime.urls()] == [m.photo.path for m in window.results.matches()[:2]]
    # A double-click opens the detail view too.
    rect = view.visualRect(window.results.index(0))
    detail.hide()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert detail.isVisible() and detail.row == 0


def test_words_panel_similar_words_analogies_and_unknown_words(qtbot, make_window, library_db) -> None:
    window = make_window(library_db)
    words = window.words
    words.show()
    words.word_edit.setText("red")
    with qtbot.waitSignal(
        window.runner.busy_changed,
        timeout=20_000,
        check_params_cb=lambda key, busy: key == "words" and not busy,
    ):
        qtbot.keyClick(words.word_edit, Qt.Key.Key_Return)
    assert words.results.count() > 0 and "red" in words.message.text()
    # Audit: only a double-click searched for a listed word; Enter on it did nothing.
    words.results.setFocus()
    words.results.setCurrentRow(0)
    chosen = words.results.item(0).data(Qt.ItemDataRole.UserRole)
    with qtbot.waitSignal(words.word_chosen, timeout=5_000, check_params_cb=lambda word: word == chosen):
        qtbot.keyClick(words.results, Qt.Key.Key_Return)
    for edit, word in ((words.a_edit, "red"), (words.b_edit, "circle"), (words.c_edit, "blue")):
        edit.setText(word)
    with qtbot.waitSignal(
        window.runner.busy_changed,
        timeout=20_000,
        check_params_cb=lambda key, busy: key == "words" and not busy,
    ):
        qtbot.keyClick(words.c_edit, Qt.Key.Key_Return)
    assert words.results.count() > 0
    words.word_edit.setText("circel")
    with qtbot.waitSignal(
        window.runner.busy_changed,
        timeout=20_000,
        check_params_cb=lambda key, busy: key == "words" and not busy,
    ):
        qtbot.keyClick(words.word_edit, Qt.Key.Key_Return)
    assert "does not know" in words.message.text() and "circle" in words.message.text()
    assert "“circel”" in words.message.text()  # quoted as the window quotes (it said 'circel')
    assert words.results.count() == 0


def _words_panel_open(qtbot, make_window, library_db):  # type: ignore[no-untyped-def]
    """A window on ``library_db`` and its Words panel, opened as the user opens it (Ctrl+Shift+W
    from the search box), its word box having the keyboard."""
    from gui_support import press

    window = make_window(library_db)
    window.activateWindow()
    window.search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.edit)
    press(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    words = window.words
    qtbot.waitUntil(lambda: words.isVisible() and QApplication.focusWidget() is words.word_edit)
    return window, words


def test_escape_leaves_the_words_panel_for_the_search_box(qtbot, make_window, library_db) -> None:
    """The GUI audit of stop 58: Esc in the Words panel did nothing (the photo view, the library,
    the keys and the maps all close on it); only Ctrl+F or Ctrl+Shift+W got the keyboard out."""
    from gui_support import press

    window, words = _words_panel_open(qtbot, make_window, library_db)
    qtbot.keyClicks(words.word_edit, "red")
    with qtbot.waitSignal(
        window.runner.busy_changed,
        timeout=20_000,
        check_params_cb=lambda key, busy: key == "words" and not busy,
    ):
        press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not words.isVisible())
    assert QApplication.focusWidget() is window.search.edit
    press(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: words.isVisible() and QApplication.focusWidget() is words.word_edit)
    words.results.setFocus()  # Esc from the list of words too
    qtbot.waitUntil(lambda: QApplication.focusWidget() is words.results)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not words.isVisible())


def test_the_words_panel_asks_for_one_word_at_a_time(qtbot, make_window, library_db) -> None:
    """The GUI audit of stop 60: "red car" under Similar words said "The model does not know the
    word “red car” well enough", though it knows both: the panel reads one word, and says so."""
    from gui_support import press

    _, words = _words_panel_open(qtbot, make_window, library_db)
    qtbot.keyClicks(QApplication.focusWidget(), "red circle")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "one word" in words.message.text(), timeout=10_000)
    assert "does not know" not in words.message.text() and QApplication.focusWidget() is words.word_edit
    for edit, text in zip(
        (words.a_edit, words.b_edit, words.c_edit), ("red", "blue circle", "square"), strict=True
    ):
        edit.setText(text)
    words.c_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is words.c_edit)
    words.message.clear()
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "one word" in words.message.text(), timeout=10_000)
    assert "“blue circle”" in words.message.text() and QApplication.focusWidget() is words.b_edit


def test_settings_are_remembered(qtbot, make_window, library_db, settings: QSettings) -> None:
    window = make_window(library_db)
    window.tile_slider.setValue(224)
    window.resize(700, 520)
    saved = window.size()
    window.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert again.view.tile_size() == 224 and again.tile_slider.value() == 224
    assert again.size() == saved
    again.shutdown()


def test_indexing_that_stops_says_why_and_what_to_do(
    qtbot, make_window, home, gui_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run the background indexer cannot finish (here: the install lacks a file the captions
    need) used to end in a log line only; the window kept saying nothing. It says why and what to
    do, and the photos stay pending (nothing marked failed)."""
    from photoscope.config import ResourceMissing

    def broken(*_: object, **__: object) -> None:
        raise ResourceMissing("/opt/photoscope/resources/presence.json is missing: reinstall Photoscope")

    monkeypatch.setattr(gui_model, "describe", broken)
    write_shapes(home / "Pictures", per_kind=1)
    window = make_window(home / "library.db")
    with qtbot.waitSignal(window.indexing_started, timeout=20_000):
        qtbot.mouseClick(window.pictures_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "reinstall Photoscope" in window.index_status.label.text(), timeout=30_000)
    assert "presence.json" in window.index_status.label.text()
    assert window.api is not None and window.api.library.counts().error == 0


@pytest.mark.qt_no_exception_capture  # the app's own hook is what is tested
def test_an_unexpected_error_in_the_window_is_said_once_and_the_app_goes_on(
    qtbot, make_window, library_db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a slot used to print a traceback on the terminal (if any) and nothing in the window."""
    import sys

    from PySide6.QtCore import QTimer

    from photoscope.gui.app import report_unexpected_errors

    window = make_window(library_db)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(text))
    report_unexpected_errors(window)

    def buggy() -> None:
        raise KeyError("thumbnail size")

    for _ in range(2):  # the same error twice: one message
        QTimer.singleShot(0, buggy)
    qtbot.waitUntil(lambda: len(said) == 1)
    qtbot.wait(50)
    assert len(said) == 1 and "KeyError: 'thumbnail size'" in said[0] and "--debug" in said[0]
    with qtbot.waitSignal(window.results_shown, timeout=20_000):  # still searching
        window.search.set_text("a red circle")


def test_the_grid_follows_what_the_library_dialog_takes_out(
    qtbot, make_window, library_db, monkeypatch
) -> None:
    """Audit: removing the only folder in the library dialog left its photos in the grid ("24 photos,
    newest first") while the status bar said 0 indexed; so did exclusions and the hidden-folders
    switch: the dialog's changes refreshed the counts, never the timeline."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.timeline.photo_count() == 24, timeout=20_000)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: window.timeline.photo_count() == 0, timeout=20_000)


def test_an_offline_folder_is_said_in_the_window(
    qtbot, make_window, library_db, indexed_library, tmp_path
) -> None:
    """Audit: a watched folder renamed away (an unplugged drive) was said only in the Library dialog;
    the window went on saying "24 photos indexed" as if all were at hand."""
    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner

    folder = indexed_library[2]
    folder.rename(tmp_path / "unplugged")
    try:
        with Library(library_db) as library:
            assert Scanner(library).scan().offline == [str(folder)]  # as the app's catch-up scan finds it
        window = make_window(library_db)
        qtbot.waitUntil(lambda: "1 folder offline" in window.index_status.label.text(), timeout=30_000)
        assert str(folder) in window.index_status.label.toolTip()
    finally:
        (tmp_path / "unplugged").rename(folder)


def test_an_offline_folder_the_index_keeps_nothing_of_is_not_said_to_keep_photos(
    qtbot, make_window, library_db, indexed_library, tmp_path
) -> None:
    """The CLI audit of stop 58, in the window: a watched folder whose photos followed it into
    another watched folder (or that held none) was "1 folder offline (photos kept)"."""
    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner

    empty = tmp_path / "Empty"
    empty.mkdir()
    with Library(library_db) as library:
        library.add_folder(empty)
    empty.rmdir()
    with Library(library_db) as library:
        assert Scanner(library).scan().offline == [str(empty)]
    window = make_window(library_db)
    qtbot.waitUntil(lambda: bool(window.folder_keeper.folders), timeout=30_000)
    qtbot.wait(200)
    assert "photos kept" not in window.index_status.label.text(), window.index_status.label.text()
    assert str(empty) not in window.index_status.label.toolTip()


def test_a_library_without_folders_says_so_after_an_add_that_failed(
    qtbot, make_window, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The GUI audit of stop 58: a fresh start said "No folders yet" on the status line; after a
    folder that could not be added (no such folder), "0 photos indexed"."""
    from photoscope.library.db import Library

    db = tmp_path / "empty.db"
    Library(db).close()
    window = make_window(db)
    qtbot.waitUntil(lambda: window.index_status.label.text() == "No folders yet", timeout=10_000)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    with qtbot.waitSignal(window.folder_keeper.add_failed, timeout=10_000):
        window.folder_keeper.add(tmp_path / "no such folder")
    qtbot.wait(300)  # the counts read again
    assert window.index_status.label.text() == "No folders yet"


def test_a_folder_that_lost_its_permission_is_not_called_offline_in_the_window(
    qtbot, make_window, library_db, indexed_library, monkeypatch
) -> None:
    """The CLI audit of stop 55, in the window: a watched folder that only lost its read permission
    was "offline (not mounted or missing)", with "Moved, or mounted somewhere else?" as the way out."""
    import os

    from photos import deny_listing

    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner

    folder = indexed_library[2]
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda p=".": _refuse(p, folder) or real_listdir(p))
    deny_listing(monkeypatch, folder.name)
    with Library(library_db) as library:
        assert Scanner(library).scan().offline == [str(folder)]  # as the app's catch-up scan finds it
    window = make_window(library_db)
    label = window.index_status.label
    qtbot.waitUntil(lambda: "1 folder without permission to read it" in label.text(), timeout=30_000)
    assert "offline" not in label.text() and "Moved" not in label.toolTip()
    assert "skipped" not in label.text(), label.text()  # said once (the GUI audit of stop 56: twice)
    assert f"chmod u+rx {folder}" in label.toolTip()
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    row = dialog.tree.topLevelItem(0)
    assert row.text(1) == "no permission to read it" and "chmod u+rx" in row.toolTip(1)


def _refuse(path: object, folder: object) -> None:
    if str(path) == str(folder):
        raise PermissionError(13, "Permission denied", str(path))


def _pattern_excluded(qtbot, make_window, library_db, monkeypatch, pattern: str):  # type: ignore[no-untyped-def]
    """The library dialog of a window on ``library_db``, its folder's "Exclude pattern…" given ``pattern``."""
    from PySide6.QtWidgets import QInputDialog

    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (pattern, True))
    dialog.exclusions.pattern_button.click()
    return dialog


def test_an_exclusion_says_how_many_photos_left_and_how_to_bring_them_back(
    qtbot, make_window, library_db, monkeypatch
) -> None:
    """Audit: "Exclude pattern… *.jpg" took 20 photos out of the index with no word said; only the
    summary's count changed. (And the window's own catch-up scan, running at the same moment, could
    apply the new rule first: the exclusion's report then said nothing was taken out.)"""
    dialog = _pattern_excluded(qtbot, make_window, library_db, monkeypatch, "red_*")
    qtbot.waitUntil(lambda: "left the index" in dialog.note.text(), timeout=20_000)
    assert "photos left the index" in dialog.note.text() and "Remove the rule" in dialog.note.text()


def test_a_pattern_that_leaves_out_no_photo_says_so(qtbot, make_window, library_db, monkeypatch) -> None:
    """The GUI audit of stop 60: the pattern "Pets" (meant: the folder) was added as a rule that
    matched nothing, without a word; the command line at least said "0 photos left the index". The
    note says it leaves out no photo, and how a folder's photos are named."""
    dialog = _pattern_excluded(qtbot, make_window, library_db, monkeypatch, "Pets")
    qtbot.waitUntil(lambda: "no photo" in dialog.note.text(), timeout=20_000)
    assert "“Pets”" in dialog.note.text() and "Pets/*" in dialog.note.text(), dialog.note.text()


def test_excluding_the_watched_folder_itself_points_to_remove(
    qtbot, make_window, library_db, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The #17 audit of stop 44: "Exclude subfolder…" given the watched folder itself said to run
    `photoscope folders remove …`: the dialog's own Remove button does it."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    watched = window.api.folders()[0].path
    said: list[str] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: watched)
    monkeypatch.setattr(QMessageBox, "warning", lambda _w, _t, text, *a, **k: said.append(text))
    dialog.exclusions.subfolder_button.click()
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert "photoscope folders" not in said[0] and "Remove" in said[0], said[0]


def test_adding_a_folder_already_watched_says_so(qtbot, make_window, library_db, indexed_library) -> None:
    """Audit: adding a folder the library already watches said nothing at all."""
    window = make_window(library_db)
    window.folder_keeper.add(indexed_library[2])  # the library says so (the window's list may be old)
    qtbot.waitUntil(lambda: "is already watched" in window.statusBar().currentMessage(), timeout=10_000)
    qtbot.waitUntil(lambda: "Adding" not in window.index_status.label.text(), timeout=10_000)


def test_a_watched_folder_renamed_and_added_again_keeps_its_photos(
    qtbot, make_window, library_db, indexed_library, tmp_path, monkeypatch
) -> None:
    """Audit: a watched folder renamed, then added under its new name, was indexed again from the
    start while the old one stayed, offline, with the same photos. The offline folder says how to
    bring it back; adding it where it went says what happened, and nothing waits to be indexed."""
    import shutil

    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner

    shutil.copytree(indexed_library[1], tmp_path / "cache")  # the thumbnails move with the photos
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder, moved = indexed_library[2], tmp_path / "Renamed"
    folder.rename(moved)
    try:
        with Library(library_db) as library:
            Scanner(library).scan()  # as the app's catch-up scan finds it
        window = make_window(library_db)
        qtbot.waitUntil(lambda: "1 folder offline" in window.index_status.label.text(), timeout=30_000)
        assert "Add the folder at its new place" in window.index_status.label.toolTip()
        window.show_library()
        dialog = window.library_dialog
        qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
        assert "Add the folder at its new place" in dialog.tree.topLevelItem(0).toolTip(1)
        with qtbot.waitSignal(window.folders_changed, timeout=10_000):
            window.folder_keeper.add(moved)
        qtbot.waitUntil(lambda: dialog.tree.topLevelItem(0).text(0) == str(moved), timeout=10_000)
        assert dialog.tree.topLevelItemCount() == 1 and dialog.tree.topLevelItem(0).text(1) == "online"
        said = f"{folder} moved to {moved}: 24 photos kept their place in the index"
        assert said in window.statusBar().currentMessage() and said in dialog.note.text()
        qtbot.waitUntil(lambda: "offline" not in window.index_status.label.text(), timeout=10_000)
        assert window.api is not None and window.api.photo_counts().pending == 0
    finally:
        (moved if moved.exists() else folder).rename(folder)


def test_typing_a_letter_in_a_grid_jumps_to_a_file_name(qtbot, make_window, library_db) -> None:
    """Audit: a letter or Space typed with a grid focused killed the app (segmentation fault): the
    model's own ``match(row)`` stood where Qt's type-to-find calls ``match(start, role, value, …)``."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.timeline.rowCount() > 0, timeout=20_000)
    window.activateWindow()
    window.browse.setFocus()
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_R)
    row = window.browse.currentIndex().row()
    assert Path(window.timeline.data(window.timeline.index(row))).name.startswith("red")
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a blue circle")
    window.view.setFocus()
    press(qtbot, Qt.Key.Key_Space)  # in the results grid too
    assert window.isVisible()


def test_a_folder_that_goes_offline_while_the_window_is_open_is_said(
    qtbot, make_window, library_db, indexed_library, tmp_path
) -> None:
    """Audit: a watched folder renamed away while the app ran was said in the Library dialog, but
    the window's status line went on saying "436 photos indexed" with no word of it."""
    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.worker is not None, timeout=30_000)
    folder = indexed_library[2]
    dialog = window.library_dialog
    window.show_library()
    dialog.folder_added(str(folder), "")  # as when it was added: "Watching …: being indexed"
    folder.rename(tmp_path / "unplugged")
    try:
        qtbot.waitUntil(lambda: "1 folder offline" in window.index_status.label.text(), timeout=30_000)
        # The GUI walk of stop 47: the dialog listed it offline under "Watching …: its photos are
        # indexed", the note of its adding.
        qtbot.waitUntil(lambda: "offline" in dialog.note.text(), timeout=30_000)
        assert dialog.note.text().startswith(f"{folder} is offline") and "Watching" not in dialog.note.text()
    finally:
        (tmp_path / "unplugged").rename(folder)
    qtbot.waitUntil(lambda: "offline" not in window.index_status.label.text(), timeout=30_000)
    dialog.close()


def test_the_library_dialog_opens_with_a_folder_chosen(qtbot, make_window, library_db) -> None:
    """Audit: the one folder had the focus outline but was not selected, and the arrow keys did
    not select it: Remove and Exclude stayed greyed until Space was pressed."""
    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    assert dialog.tree.selectedItems() == [dialog.tree.topLevelItem(0)]
    assert dialog.remove_button.isEnabled() and dialog.exclusions.pattern_button.isEnabled()


def test_a_watched_folder_moved_into_another_is_said_and_not_indexed_again(
    qtbot, make_window, gui_model, tmp_path
) -> None:
    """Stop 37 left it: a watched folder moved into another was indexed again there, and listed
    twice. Its photos now follow it, and the status bar says so."""
    pictures, trip = tmp_path / "Pictures", tmp_path / "Downloads" / "Trip"
    write_shapes(pictures, per_kind=1, seed=10)
    write_shapes(trip, per_kind=1, seed=40)
    db = tmp_path / "library.db"
    with Photoscope(db, model=gui_model) as api:
        for folder in (pictures, trip):
            api.add_folder(folder)
        api.scanner().scan()
        api.indexer(options=IndexOptions(thumbnails=False)).run()
        total = api.photo_counts().indexed
    window = make_window(db)
    qtbot.waitUntil(lambda: window.worker is not None, timeout=30_000)
    trip.rename(pictures / "Trip")
    qtbot.waitUntil(lambda: "moved into" in window.statusBar().currentMessage(), timeout=30_000)
    assert window.statusBar().currentMessage() == (
        f"{trip} moved into {pictures / 'Trip'}: its photos kept their place in the index, nothing is"
        " indexed again."
    )
    assert window.api.photo_counts() == PhotoCounts(indexed=total, pending=0, error=0)


def test_a_subfolder_renamed_while_the_window_is_open_is_followed_by_the_results_and_the_filter(
    qtbot, make_window, tmp_path, gui_model
) -> None:
    """The GUI walk of stop 40: after `mv "Paris 2019" "Paris trip 2019"` the results on screen kept
    the old paths (the photo view said the file was missing) and the folder filter listed "Paris
    2019" until a restart; choosing it found nothing."""
    import os

    photos, db = tmp_path / "Photos", tmp_path / "library.db"
    write_shapes(photos / "Paris 2019", per_kind=1)
    index_folder(db, photos, gui_model)
    window = make_window(db)
    combo = window.search.folder_combo

    def folder_names() -> list[str]:
        return [combo.itemText(i).strip() for i in range(combo.count())]

    qtbot.waitUntil(lambda: any(n.startswith("Paris 2019") for n in folder_names()), timeout=20_000)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        window.search.set_text("a red circle")
    assert window.results.rowCount() > 0
    os.rename(photos / "Paris 2019", photos / "Paris trip 2019")
    assert window.api is not None
    window.changes(window.api.scanner().scan())  # the watcher's report, as it reaches the window
    qtbot.waitUntil(
        lambda: all("/Paris trip 2019/" in m.photo.path for m in window.results.matches()), timeout=20_000
    )
    qtbot.waitUntil(lambda: any(n.startswith("Paris trip 2019") for n in folder_names()), timeout=20_000)
    assert not any(n.startswith("Paris 2019") for n in folder_names())


def test_the_photos_that_could_not_be_read_are_listed_with_why(
    qtbot, make_window, tmp_path, gui_model
) -> None:
    """The GUI walk of stop 40: "2 could not be read" in the status bar and the library dialog,
    with no way in the window to learn which files or why (only `photoscope status` said)."""
    from photos import write_text

    photos, db = tmp_path / "Photos", tmp_path / "library.db"
    readable = write_shapes(photos, per_kind=1)
    write_text(photos / "recipe.jpg")
    bad_name = os.fsencode(photos) + b"/bad\xff.jpg"  # a name the index cannot hold (not UTF-8)
    with open(bad_name, "wb") as f:
        f.write((photos / "recipe.jpg").read_bytes())
    index_folder(db, photos, gui_model)
    window = make_window(db)
    button = window.index_status.problems_button
    qtbot.waitUntil(button.isVisible, timeout=20_000)
    assert "1 could not be read" in window.index_status.label.text()
    # the GUI walk of stop 47: the library dialog's Photos column counted it with the readable ones
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    assert dialog.tree.topLevelItem(0).text(2) == f"{len(readable)} (1 could not be read)"
    dialog.close()
    button.click()
    qtbot.waitUntil(lambda: window.unreadable_dialog is not None and window.unreadable_dialog.isVisible())
    listed = window.unreadable_dialog.listing.toPlainText()
    assert str(photos / "recipe.jpg") in listed and "not an image" in listed.lower(), listed
    # and what the scans could not look at or hold, which no count says (`photoscope status` does)
    assert str(photos / "bad\\xff.jpg") in listed and "not valid UTF-8" in listed, listed


def test_a_library_on_a_read_only_disk_is_searched_and_says_so(
    qtbot, make_window, library_db, tmp_path, monkeypatch
) -> None:
    """The CLI audit of stop 41: a library on a backup drive mounted read-only could not be opened; in
    the window, every watcher step then failed in the log while the status line said nothing."""
    with small_tmpfs(tmp_path / "disk", "16m") as disk:
        db = disk / "library.db"
        shutil.copy(library_db, db)
        remount_read_only(disk)
        window = make_window(db)
        qtbot.waitUntil(lambda: "read-only library" in window.index_status.label.text(), timeout=30_000)
        assert "write access to its folder" in window.index_status.label.toolTip()
        window.search.edit.setFocus()
        with qtbot.waitSignal(window.results_shown, timeout=20_000):
            qtbot.keyClicks(QApplication.focusWidget(), "a blue circle")
        assert names(window, 1)[0].startswith("blue_circle_")
        # The review of stop 42: Move to trash moved the file while its entry stayed in the index.
        first = window.results.match_at(0).photo.path
        window.view.setCurrentIndex(window.results.index(0))
        asked: list[object] = []
        monkeypatch.setattr(
            QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes
        )
        window.actions_.trash.trigger()
        assert not asked and Path(first).exists() and "read-only" in window.statusBar().currentMessage()
        window.show_library()  # its folders shown, none of its changes offered
        dialog = window.library_dialog
        qtbot.waitUntil(lambda: dialog.note.text().startswith("Read-only library:"), timeout=10_000)
        dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
        assert dialog.tree.topLevelItemCount() == 1 and not dialog.add_button.isEnabled()
        assert not dialog.remove_button.isEnabled() and not any(
            b.isEnabled() for b in dialog.exclusions.buttons
        )
        window.shutdown()


def test_a_rule_that_takes_most_of_a_folder_s_photos_asks_first(
    qtbot, make_window, library_db, monkeypatch
) -> None:
    """The GUI walk of stop 43: "Exclude pattern… *" took all 199 photos out of the index at once;
    brought back after the session, every one was encoded again. Asked first now; Cancel changes
    nothing. (A rule that takes a few, "red_*" above, is set at once.)"""
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    window = make_window(library_db)
    indexed = window.api.photo_counts().indexed
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("*", True))
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton):  # type: ignore[no-untyped-def]
        def question(parent, title, text, *rest):  # type: ignore[no-untyped-def]
            asked.append(text)
            return button

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    dialog.exclusions.pattern_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert "takes all photos of its folder out of the index" in asked[0]
    qtbot.wait(200)
    assert window.api.exclusion_rules() == [] and window.api.photo_counts().indexed == indexed
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    dialog.exclusions.pattern_button.click()
    qtbot.waitUntil(lambda: "left the index" in dialog.note.text(), timeout=20_000)
    assert len(asked) == 2 and window.api.photo_counts().indexed == 0


def test_the_words_panel_opens_by_a_key_with_its_word_field_ready(qtbot, make_window, library_db) -> None:
    """The second GUI walk of stop 43: View > Words had no key, and opened by the keyboard it left
    the focus in the search box: the word typed next searched the photos."""
    from gui_support import press
    from PySide6.QtWidgets import QApplication

    window = make_window(library_db)
    window.activateWindow()
    window.search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.edit)
    press(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.words.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.words.word_edit, timeout=5_000)
    qtbot.keyClicks(QApplication.focusWidget(), "red")
    assert window.words.word_edit.text() == "red" and window.search.edit.text() == ""


def test_the_library_dialog_says_which_photos_are_kept_from_a_folder_renamed_away(
    qtbot, make_window, tmp_path, gui_model
) -> None:
    """Stop 49: a watched folder renamed away while another was made at its place keeps its photos
    as moved away; `photoscope status` said so, the library dialog counted them as the new folder's."""
    photos, db = tmp_path / "Pictures", tmp_path / "library.db"
    kept = write_shapes(photos, per_kind=1)
    index_folder(db, photos, gui_model)
    photos.rename(tmp_path / "Photos")
    write_shapes(photos, per_kind=1, seed=40)[0].rename(photos / "Screenshot.jpg")
    for extra in photos.glob("*.jpg"):
        if extra.name != "Screenshot.jpg":
            extra.unlink()
    window = make_window(db)

    def scanned() -> bool:  # the window's first scan: the kept photos, and the screenshot added
        folder = window.api.folders()[0] if window.api is not None else None
        return folder is not None and folder.away > 0 and folder.photos == len(kept) + 1

    qtbot.waitUntil(scanned, timeout=20_000)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    qtbot.waitUntil(lambda: "kept" in dialog.tree.topLevelItem(0).text(2), timeout=20_000)
    assert dialog.tree.topLevelItem(0).text(2) == (
        f"{len(kept) + 1} ({len(kept)} kept from the folder that was here before: moved or renamed?)"
    )


def test_the_library_dialog_lists_the_folders_an_ignore_file_leaves_out(qtbot, make_window, tmp_path) -> None:
    """The fresh-seat audit: a subfolder left out by a .nomedia file inside it was listed by
    `photoscope folders list` and "Which?", not by the library dialog, which lists the exclusion rules
    under each folder. It is listed there now, saying which file leaves it out and that deleting the
    file brings its photos back; Remove cannot include it (the file decides, not a rule)."""
    photos = tmp_path / "Photos"
    write_shapes(photos, per_kind=1)
    write_shapes(photos / "private", per_kind=1)
    (photos / "private" / ".nomedia").touch()
    db = tmp_path / "library.db"
    with Photoscope(db) as app:
        app.add_folder(photos)
        app.scan()
    window = make_window(db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    # (each listing makes the rows again: the folder's row is read anew)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItem(0).childCount() == 1, timeout=10_000)
    left_out = dialog.tree.topLevelItem(0).child(0)
    assert left_out.text(0) == "private" and str(photos / "private") in left_out.toolTip(0)
    assert ".nomedia" in left_out.text(1)
    assert ".nomedia" in left_out.toolTip(0) and "delete" in left_out.toolTip(0).lower()
    dialog.tree.setCurrentItem(left_out)
    assert not dialog.remove_button.isEnabled()
    assert dialog.exclusions.pattern_button.isEnabled()  # its watched folder's buttons still work


def test_the_answer_on_show_follows_the_photos_indexed_after_it(qtbot, make_window, tmp_path) -> None:
    """The fresh-seat audit: "a dog" typed on a first start, then a folder of ~100 photos added; with
    every photo indexed the window still said "2 likely matches" (the answer to the few photos
    indexed when it ran), and only Enter again gave the 14: the first refresh while indexing selected the
    photo the keyboard was on, and a selection stops the refreshes. The answer on show follows indexing."""
    window = make_window(tmp_path / "library.db")
    window.activateWindow()
    window.search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.edit)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        qtbot.keyClicks(QApplication.focusWidget(), "a red circle")  # the pause after typing runs it
    photos = tmp_path / "Photos"
    write_shapes(photos, per_kind=12)  # batches of 16 for some seconds: refreshes while indexing
    window.folder_keeper.add(photos)
    qtbot.waitUntil(
        lambda: (p := window.index_status.last) is not None and p.done == p.total == 96, timeout=120_000
    )
    api = window.api
    assert api is not None
    fresh = window.flow.query().run(api)  # what Enter would show now
    assert fresh.relevant > 0

    def shown() -> tuple[list[int], int]:
        return [m.photo.id for m in window.results.matches()], window.results.hidden()

    expected = ([m.photo.id for m in fresh.matches[: fresh.relevant]], len(fresh.matches) - fresh.relevant)
    qtbot.waitUntil(lambda: shown() == expected, timeout=10_000)
    # The cause: a refresh selected the photo the keyboard was on, and a selection stops refreshes.
    assert not window.view.selectionModel().hasSelection()


def test_a_key_asks_for_a_folder_to_add_and_f1_lists_it(qtbot, make_window, tmp_path, monkeypatch) -> None:
    """The fresh-seat audit: File > Add folder… had no key (Library has Ctrl+L), and the welcome
    page's button was 7 Tabs away. Ctrl+Shift+O (beside Ctrl+O, Search by photo) asks for the folder,
    and Help > Keys (F1) lists it."""
    from PySide6.QtWidgets import QFileDialog

    window = make_window(tmp_path / "library.db")
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: asked.append(a) or "")
    window.activateWindow()
    window.search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.edit)
    press(qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5_000)  # cancelled: nothing added
    assert window.folder_keeper.folders == []
    press(qtbot, Qt.Key.Key_F1)
    dialog = window.keys_dialog
    assert dialog is not None and dialog.isVisible()
    assert ("File", "Ctrl+Shift+O", "Add folder…") in dialog.rows


def test_a_rule_removed_while_another_keeps_its_photos_out_says_so(qtbot, make_window, library_db) -> None:
    """The fresh-seat audit of stop 51: Remove on a rule whose photos another rule still leaves out
    brought nothing back and the dialog said nothing at all (the CLI said why)."""
    from photoscope.gui.exclusion_rules import RULE_ROLE

    window = make_window(library_db)
    window.api.exclude(pattern="red_circle*")
    window.api.exclude(pattern="*circle*")
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    folder = dialog.tree.topLevelItem(0)
    qtbot.waitUntil(lambda: folder.childCount() == 2)
    rule = next(
        folder.child(i) for i in range(2) if folder.child(i).data(0, RULE_ROLE).pattern == "red_circle*"
    )
    dialog.tree.setCurrentItem(rule)
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: "still left out" in dialog.note.text(), timeout=20_000)
    assert dialog.note.text().startswith("No photo came back: its "), dialog.note.text()
    assert [r.pattern for r in window.api.exclusion_rules()] == ["*circle*"]


def test_removing_a_folder_asks_with_its_photo_count_and_enter_keeps_it(
    qtbot, make_window, library_db, indexed_library
) -> None:
    """The fresh-seat audit of stop 53: Remove's question had Yes as its default button, so Enter
    took the folder's 24 photos, captions and vectors out of the index, and it did not say how many."""
    from PySide6.QtCore import QTimer

    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    asked: list[str] = []
    defaults: list[bool] = []
    focused: list[object] = []
    answered: list[bool] = []  # whether Enter closed the question

    def answer_with_enter() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_with_enter)
            return
        asked.append(box.text())
        defaults.append(box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel))
        box.activateWindow()  # as a desktop gives a new dialog the keyboard (offscreen Qt does not)
        qtbot.waitUntil(lambda: (w := QApplication.focusWidget()) is not None and w.window() is box)
        focused.append(QApplication.focusWidget())
        press(qtbot, Qt.Key.Key_Return)  # to the widget that has the focus
        answered.append(not box.isVisible())
        if box.isVisible():  # the key did not answer it: close it, and fail below
            box.reject()

    QTimer.singleShot(0, answer_with_enter)
    dialog.remove_button.click()
    assert asked and "its 24 photos leave the index" in asked[0].lower(), asked
    assert defaults == [True] and answered == [True], focused  # Enter answers Cancel, the default
    qtbot.wait(200)
    assert dialog.tree.topLevelItemCount() == 1 and window.api.photos_in_folder(indexed_library[2]) == 24


def test_indexing_the_pictures_folder_by_keyboard_leaves_the_keyboard_in_the_search_box(
    qtbot, make_window, home
) -> None:
    """The fresh-seat audit of stop 53: after "Index my Pictures folder" (pressed with the keyboard)
    the welcome page went, and with it the button that had the keyboard: no widget had it."""
    write_shapes(home / "Pictures", per_kind=1)
    window = make_window(home / "library.db")
    window.activateWindow()
    window.pictures_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.pictures_button)
    with qtbot.waitSignal(window.indexing_started, timeout=20_000):
        press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is not window.welcome)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search.edit, timeout=5_000)


@pytest.mark.parametrize(
    ("key", "button"),
    [
        (Qt.Key.Key_A, "add_button"),
        (Qt.Key.Key_S, "subfolder_button"),
        (Qt.Key.Key_P, "pattern_button"),
    ],
)
def test_the_library_dialog_s_buttons_are_a_key_away(  # type: ignore[no-untyped-def]
    qtbot, make_window, library_db, monkeypatch, key, button
) -> None:
    """The GUI audit of stop 55: "Add folder…" was five Tabs from where the dialog opens, and the
    exclusion buttons further; each has its Alt key now, pressed where the keyboard is."""
    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    dialog.activateWindow()
    dialog.tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.tree)
    target = getattr(dialog, button, None) or getattr(dialog.exclusions, button)
    clicked: list[bool] = []
    target.clicked.disconnect()
    target.clicked.connect(lambda: clicked.append(True))
    press(qtbot, key, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: clicked == [True], timeout=2_000)  # a mnemonic's click is animated


def test_the_library_dialog_shows_rules_with_odd_names_escaped(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The audit of stop 60's changes (repro_5): the watched folders' rows were escaped, their rules'
    were not: a right-to-left override and a newline in an excluded folder's name were shown raw."""
    from PySide6.QtWidgets import QTreeWidgetItem

    from photoscope.api import ExclusionRule
    from photoscope.gui.exclusion_rules import ExclusionButtons

    item = QTreeWidgetItem(["/p"])
    item.setData(0, Qt.ItemDataRole.UserRole, "/p")
    rule = ExclusionRule("/p", "folder", "evil\u202egpj\nx")
    ExclusionButtons.show_rules(None, item, [rule], [("/p/odd\u202ename", ".nomedia")])  # type: ignore[arg-type]
    shown = [item.child(i).text(0) for i in range(item.childCount())]
    shown += [item.child(i).toolTip(0) for i in range(item.childCount())]
    assert shown[0] == "evil\\u202egpj\\x0ax" and all("\u202e" not in t and "\n" not in t for t in shown), (
        shown
    )


def test_the_words_panel_s_word_field_is_wide_enough_to_read_in_a_small_window(
    qtbot, make_window, library_db
) -> None:  # type: ignore[no-untyped-def]
    """Audit 75 (repro_3): in an 800 x 600 window the "Similar words" field was 49 px: its
    placeholder read "a wo…" and a word of six letters scrolled out of view."""
    window, panel = _words_panel_open(qtbot, make_window, library_db)
    window.resize(800, 600)
    qtbot.wait(200)
    edit = panel.word_edit
    qtbot.waitUntil(lambda: edit.isVisible())
    assert edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText()), edit.width()


def test_the_library_dialog_names_each_rule_by_its_path_below_its_folder(
    qtbot, make_window, tmp_path
) -> None:
    """Audit 80 (defect 3): each exclusion row showed its full path, and at the dialog's own size
    the end of it, the subfolder's name (the one part that differs from the folder's row above), was
    cut. Rows name the path below their watched folder, as pattern rules read; the tooltip has the
    full path; a row still too long is cut in the middle, so its end stays."""
    photos = tmp_path / "Photos"
    write_shapes(photos / "Phone" / "Screenshots", per_kind=1)
    write_shapes(photos / "Junk", per_kind=1)
    (photos / "Junk" / ".nomedia").touch()
    db = tmp_path / "library.db"
    with Photoscope(db) as app:
        app.add_folder(photos)
        app.scan()
        app.exclude(path=photos / "Phone" / "Screenshots")
    window = make_window(db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItem(0).childCount() == 2, timeout=10_000)
    folder = dialog.tree.topLevelItem(0)
    rows = {folder.child(i).text(0): folder.child(i) for i in range(2)}
    assert set(rows) == {"Phone/Screenshots", "Junk"}, rows
    assert str(photos / "Phone" / "Screenshots") in rows["Phone/Screenshots"].toolTip(0)
    assert str(photos / "Junk") in rows["Junk"].toolTip(0)
    room = dialog.tree.columnWidth(0) - dialog.tree.indentation() - 8  # a child row's, at the default size
    for text in rows:
        assert dialog.tree.fontMetrics().horizontalAdvance(text) <= room, (text, room)
    # the watched folder's own row (this test's long temporary path) keeps its end too
    assert dialog.tree.textElideMode() == Qt.TextElideMode.ElideMiddle


def test_a_rule_another_process_sets_takes_its_photos_out_of_the_open_window(
    qtbot, make_window, library_db
) -> None:  # type: ignore[no-untyped-def]
    """Audit 80: with the window open, `photoscope folders exclude --yes ~/Pictures/Farm` took 9
    photos out; the status line still said "135 photos indexed" and the grid kept Farm/cow.jpg until
    the next search. The window follows what another process writes to the library."""
    from gui_support import typed_query

    window = make_window(library_db)
    qtbot.waitUntil(lambda: window.timeline.photo_count() == 24, timeout=20_000)
    qtbot.waitUntil(lambda: window.index_status.label.text().startswith("24 photos"), timeout=20_000)
    typed_query(qtbot, window, "a red circle")
    assert any(name.startswith("red_") for name in names(window)), names(window)
    with Photoscope(library_db) as other:  # another process: a connection of its own
        assert len(other.exclude(pattern="red_*").removed) == 6
    qtbot.waitUntil(lambda: window.index_status.label.text().startswith("18 photos"), timeout=10_000)
    qtbot.waitUntil(lambda: not any(name.startswith("red_") for name in names(window)), timeout=10_000)
    assert names(window), "the answer is read again, not emptied"
    press(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)  # All photos: the timeline too
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.browse, timeout=10_000)
    qtbot.waitUntil(lambda: window.timeline.photo_count() == 18, timeout=10_000)


def test_a_failed_look_at_what_another_process_wrote_asks_nothing(
    qtbot, make_window, library_db, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """CI hung at stop 63: the window's first look at the library's change mark, made as it opens,
    failed while File > Check and repair met another Photoscope holding the library, and the failure
    went to the repair question, a modal dialog nobody answered. A look that fails asks nothing: the
    next one, or the next read of the library, meets what is wrong."""
    from photoscope.api import LibraryBusy
    from photoscope.library.db import Library

    asked: list[object] = []
    monkeypatch.setattr(MainWindow, "ask_repair", lambda self, *a: asked.append(a) or False)
    monkeypatch.setattr(MainWindow, "_task_failed", lambda self, error: asked.append(error))

    def busy(self: Library) -> int:
        raise LibraryBusy(f"{self.path} is in use by another Photoscope")

    monkeypatch.setattr(Library, "data_version", busy)
    window = make_window(library_db)
    qtbot.wait(window.elsewhere_timer.interval() + 1_500)  # the first look, and a timed one
    assert asked == []


def test_tab_goes_through_the_library_dialog_in_its_reading_order(qtbot, make_window, library_db) -> None:
    """Audit 82's notes: Tab went from the hidden-folders box to Close, the rightmost button, then
    back to Add folder…; it goes left to right, Close last."""
    from PySide6.QtWidgets import QCheckBox, QPushButton

    window = make_window(library_db)
    dialog = _library_with_the_tree_focused(qtbot, window)
    visited = []
    for _ in range(8):
        press(qtbot, Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused is dialog.tree:
            break
        visited.append(
            focused.text() if isinstance(focused, (QPushButton, QCheckBox)) else type(focused).__name__
        )
    buttons = [b for b in visited if b != dialog.exclusions.hidden_box.text()]
    enabled = [b.text() for b in dialog.findChildren(QPushButton) if b.isEnabled() and b.isVisible()]
    assert buttons[-1] == "Close" and sorted(buttons) == sorted(enabled), visited
    assert buttons.index("&Add folder…") == 0, visited


def test_after_exclude_subfolder_the_focus_is_on_the_new_rule_not_on_close(
    qtbot, make_window, tmp_path, gui_model, monkeypatch
) -> None:
    """Audit 83's notes: after "Exclude subfolder…" the tree was read again, the choice went, the
    exclude buttons greyed out with the focus on one, and Qt put it on Close: the next Space or
    Enter closed the dialog unasked."""
    from PySide6.QtWidgets import QFileDialog

    from photoscope.gui.exclusion_rules import RULE_ROLE

    photos, db = tmp_path / "Photos", tmp_path / "library.db"
    write_shapes(photos, per_kind=1)
    (photos / "Scans").mkdir()
    index_folder(db, photos, gui_model)
    window = make_window(db)
    dialog = _library_with_the_tree_focused(qtbot, window)
    button = dialog.exclusions.subfolder_button
    while QApplication.focusWidget() is not button:  # Tab, as the keyboard gets there
        press(qtbot, Qt.Key.Key_Tab)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(photos / "Scans"))
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItem(0).childCount() == 1, timeout=10_000)
    qtbot.wait(300)  # the window's own reading of the tree, after the change
    current = dialog.tree.currentItem()
    assert current is not None and current.data(0, RULE_ROLE) is not None
    assert current.data(0, RULE_ROLE).pattern.endswith("Scans")
    assert QApplication.focusWidget() is dialog.tree
    press(qtbot, Qt.Key.Key_Space)  # the key that closed the dialog
    assert dialog.isVisible()


def _library_with_the_tree_focused(qtbot, window):  # type: ignore[no-untyped-def]
    """File > Library…, its one folder listed, the keyboard's focus in its tree."""
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.activateWindow()
    dialog.tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.tree)
    return dialog


def test_delete_removes_the_selected_rule_as_remove_does(qtbot, make_window, library_db, monkeypatch) -> None:
    """Audit 87 (repro_3): Delete on a selected exclusion rule did nothing; only the Remove button
    took it away, where Delete removes in the rest of the window (chips, Move to trash). On a watched
    folder it asks first, as Remove does (Cancel by default)."""
    dialog = _pattern_excluded(qtbot, make_window, library_db, monkeypatch, "red_*")
    qtbot.waitUntil(lambda: dialog.tree.topLevelItem(0).childCount() == 1, timeout=20_000)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0).child(0))
    dialog.activateWindow()
    dialog.tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.tree)
    press(qtbot, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: dialog.api().exclusion_rules(None) == [], timeout=20_000)
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.Cancel
    )
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    dialog.tree.setFocus()
    press(qtbot, Qt.Key.Key_Delete)
    assert asked == ["Remove folder"] and window_folders(dialog) == 1


def window_folders(dialog) -> int:  # type: ignore[no-untyped-def]
    return len(dialog.api().folders())


def test_forget_on_a_rule_keeps_nothing_of_its_photos(qtbot, make_window, library_db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Audit 94 (defect 2's window half): a rule keeps its photos' captions and vectors in the
    library for a month, and the window had no way to keep nothing of them, as `folders exclude
    --forget` does. Forget works on the rule chosen, and says what it did."""
    import sqlite3

    dialog = _pattern_excluded(qtbot, make_window, library_db, monkeypatch, "red_*")
    qtbot.waitUntil(lambda: "left the index" in dialog.note.text(), timeout=20_000)
    forget = dialog.exclusions.forget_button
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    assert not forget.isEnabled()  # a folder chosen: no rule to forget
    qtbot.waitUntil(lambda: dialog.exclusions.choose(lambda rule: rule.pattern == "red_*"), timeout=20_000)
    assert forget.isEnabled()
    with sqlite3.connect(library_db) as db:
        assert db.execute("SELECT count(*) FROM stash").fetchone()[0] > 0
    # Audit 97 (note): it forgot at once, with no question; Cancel (the default) keeps them.
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or next(answers))
    dialog.activateWindow()
    forget.setFocus()
    qtbot.waitUntil(forget.hasFocus)
    press(qtbot, Qt.Key.Key_Space)
    assert len(asked) == 1 and "indexed again" in asked[0]
    qtbot.wait(200)
    with sqlite3.connect(library_db) as db:
        assert db.execute("SELECT count(*) FROM stash").fetchone()[0] > 0
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "nothing of them is kept" in dialog.note.text(), timeout=20_000)
    with sqlite3.connect(library_db) as db:
        assert db.execute("SELECT count(*) FROM stash").fetchone()[0] == 0


def test_the_folder_chooser_of_the_library_dialog_gives_the_keys_back_to_it(  # type: ignore[no-untyped-def]
    qtbot, make_window, library_db, monkeypatch
) -> None:
    """Audit 97 (repro_1): Library > Add folder… asked for the folder over the main window, which had
    the keys once it closed: Delete, Tab and Esc went to the search box behind the dialog. The
    chooser is the dialog's own (its keys come back to it); the welcome page's stays the window's."""
    from PySide6.QtWidgets import QFileDialog

    window = make_window(library_db)
    parents: list[object] = []
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda parent, *a, **k: parents.append(parent) or ""
    )
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(parents) == 1, timeout=5_000)
    assert parents == [dialog]


def test_ctrl_l_gives_the_keys_to_the_library_dialog_open_already(  # type: ignore[no-untyped-def]
    qtbot, make_window, library_db
) -> None:
    """Audit 97 (repro_4): Ctrl+L with the library dialog open behind the window raised it, but the
    search box kept the keys."""
    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    window.activateWindow()
    window.search.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5_000)


def test_a_pattern_refused_is_asked_for_again_as_typed_with_the_reason(  # type: ignore[no-untyped-def]
    qtbot, make_window, library_db, monkeypatch
) -> None:
    """Audit 97 (note): a pattern refused for its unclosed '[' closed the pattern's box, and the user
    typed it all again. The box comes back with the pattern as typed and why it was refused."""
    from PySide6.QtWidgets import QInputDialog

    asked: list[tuple[str, str]] = []
    answers = iter([("IMG_[0-9.jpg", True), ("", False)])

    def get_text(parent, title, label, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append((label, kwargs.get("text", args[1] if len(args) > 1 else "")))
        return next(answers)

    window = make_window(library_db)
    window.show_library()
    dialog = window.library_dialog
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    monkeypatch.setattr(QInputDialog, "getText", get_text)
    dialog.exclusions.pattern_button.click()
    assert len(asked) == 2 and asked[1][1] == "IMG_[0-9.jpg"
    assert "unclosed '['" in asked[1][0]
    assert window.api.library.exclusion_rules() == []
