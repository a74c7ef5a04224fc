"""The photo view shows what it acts on (the audit's F1 and F12): it follows its photo when the grid
under it is read again (a photo arrives, or leaves), and says so when the photo's file is missing
instead of showing a blank area.

Keys go to the widget that really has the focus (``QApplication.focusWidget()``), as a user's would.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from gui_support import WindowFactory, index_folder, press, typed_query, write_shapes
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from synthetic import shape_photo

from photoscope.gui import desktop
from photoscope.gui.main_window import MainWindow


def timeline_ready(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.timeline.complete and window.timeline.photo_count() > 0, timeout=30_000)


def add_photos(qtbot: Any, window: MainWindow, folder: Path, names: list[str]) -> list[str]:
    """New photos in a new watched folder, newer than any other (first in the timeline), as the
    watcher finds them: the timeline is read again with them in."""
    folder.mkdir()
    paths = []
    for i, name in enumerate(names):
        path = folder / name
        shape_photo("green", "square", seed=90 + i).save(path, quality=90)
        future = time.time() + 3600 + i
        os.utime(path, (future, future))
        paths.append(str(path))
    api = window.api
    assert api is not None
    before = window.timeline.photo_count()
    api.add_folder(folder)
    qtbot.waitUntil(lambda: _reread(window) == before + len(names), timeout=30_000)
    return paths


def _reread(window: MainWindow) -> int:
    # What the watcher's report asks for, again until the scan is in; not while a read is running:
    # a new one would drop its result.
    if not window.timeline_reader.runner.is_busy("timeline"):
        window.reload_timeline()
    return window.timeline.photo_count()


def open_photo(qtbot: Any, window: MainWindow, photo: int) -> None:
    """The photo view on the timeline's ``photo``, the keyboard in it."""
    window.open_detail(window.timeline.index(window.timeline.row_of(photo)))
    detail = window.detail
    detail.activateWindow()
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is detail
    )


def opened_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What "Open" asks the desktop to open (nothing is opened)."""
    opened: list[str] = []
    monkeypatch.setattr(desktop, "open_file", lambda path: opened.append(path) or True)
    return opened


def _viewing_the_fourth_photo(
    qtbot: Any, make_window: WindowFactory, library_db: Path
) -> tuple[Any, str, int]:
    """A window on the library with the photo view open on the timeline's fourth photo: (the window,
    that photo's path, how many photos the timeline holds)."""
    window = make_window(library_db)
    timeline_ready(qtbot, window)
    open_photo(qtbot, window, 3)
    return window, window.timeline.path_of(3), window.timeline.photo_count()


def test_the_photo_view_follows_its_photo_when_a_new_photo_arrives(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, shown, count = _viewing_the_fourth_photo(qtbot, make_window, library_db)
    timeline, detail = window.timeline, window.detail
    assert f"{Path(shown).name} — 4 of {count}" == detail.windowTitle()

    add_photos(qtbot, window, tmp_path / "Arrivals", ["arrival.jpg"])
    assert Path(timeline.path_of(0)).name == "arrival.jpg"  # before the shown photo: it moved one on

    assert detail.path() == shown and detail.fields["path"].text() == shown
    assert detail.windowTitle() == f"{Path(shown).name} — 5 of {count + 1}"
    assert detail.position.text() == f"5 of {count + 1}"
    opened = opened_paths(monkeypatch)
    detail.open_button.click()
    assert opened == [shown]  # the photo shown, not the one now at its old row
    press(qtbot, Qt.Key.Key_Right)
    assert detail.path() == timeline.path_of(5) != shown  # Next: the photo after it, not itself again
    assert detail.position.text() == f"6 of {count + 1}"


def test_the_photo_view_says_when_its_photo_left_the_library(
    qtbot: Any, make_window: WindowFactory, library_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, shown, count = _viewing_the_fourth_photo(qtbot, make_window, library_db)
    timeline, detail = window.timeline, window.detail
    photo_id = timeline.id_of(3)
    api = window.api
    assert api is not None
    # The photo's file stays on disk (the library is shared by the tests): the window's catch-up
    # scan, had it not run yet, would index it again as new. Out of the test's way first.
    qtbot.waitUntil(lambda: window.worker is not None, timeout=30_000)
    api.stop_background()

    api.remove_photos([photo_id])  # taken out of the index (trashed, or deleted on disk)
    qtbot.waitUntil(lambda: _reread(window) == count - 1, timeout=30_000)

    assert detail.isVisible() and detail.path() == shown
    assert Path(shown).name in detail.windowTitle() and "of" not in detail.position.text()
    assert detail.note.isVisible() and "no longer in the library" in detail.note.text()
    assert not detail.similar_button.isEnabled()  # the index no longer knows it
    opened = opened_paths(monkeypatch)
    detail.open_button.click()
    assert opened == [shown]  # the file the view names, still (it is on disk)
    # The GUI walk of stop 42: Previous and Next were greyed, a dead end with the rest of the grid
    # out of reach. They go on from where it was: Next to the photo now in its place.
    assert detail.next_button.isEnabled() and detail.previous_button.isEnabled()
    after = timeline.path_of(3)
    press(qtbot, Qt.Key.Key_Right)
    assert detail.path() == after != shown and detail.position.text() == f"4 of {count - 1}"
    press(qtbot, Qt.Key.Key_Left)
    assert detail.path() == timeline.path_of(2)


def _with_new_photos(
    qtbot: Any, make_window: WindowFactory, library_db: Path, folder: Path
) -> tuple[MainWindow, str, int]:
    """A window on the library with two photos added in ``folder``: (the window, the first one's
    path, its place in the timeline)."""
    window = make_window(library_db)
    timeline_ready(qtbot, window)
    first, _ = add_photos(qtbot, window, folder, ["first.jpg", "second.jpg"])
    photo = next(i for i in range(window.timeline.photo_count()) if window.timeline.path_of(i) == first)
    return window, first, photo


def _showing_a_new_photo(
    qtbot: Any, make_window: WindowFactory, library_db: Path, folder: Path
) -> tuple[MainWindow, str, int]:
    """A window whose photo view shows the first of two photos added in ``folder``: (window, its
    path, its place in the timeline)."""
    window, shown, photo = _with_new_photos(qtbot, make_window, library_db, folder)
    window.detail.show_row(window.timeline.row_of(photo))
    return window, shown, photo


def test_the_photo_view_says_when_its_photo_was_deleted(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GUI walk of stop 42: a photo deleted while shown was said to be "no longer in the
    results", with Open and Show in folder still said to act on a file that was gone."""
    window, gone, photo = _showing_a_new_photo(qtbot, make_window, library_db, tmp_path / "Drive")
    detail = window.detail
    os.remove(gone)  # the watcher takes it out of the index; the timeline is read again
    qtbot.waitUntil(lambda: "Its file was deleted or moved" in detail.note.text(), timeout=30_000)
    assert detail.note.text() == f"Its file was deleted or moved: {gone}"
    assert not detail.open_button.isEnabled()
    assert detail.folder_button.isEnabled()  # its folder is there: what is in it may tell where it went
    assert detail.copy_button.isEnabled()
    # Next goes to the photo now in its place (the timeline read again without it), Previous before it.
    assert detail.next_button.isEnabled() == (photo < window.timeline.photo_count())
    assert detail.previous_button.isEnabled() == (photo > 0)
    if photo < window.timeline.photo_count():
        after = window.timeline.path_of(photo)
        detail.next_button.click()
        assert detail.path() == after and detail.open_button.isEnabled() and not detail.note.isVisible()


def test_a_deleted_photo_s_path_is_said_as_it_is_not_read_as_rich_text(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path
) -> None:
    """The note put a deleted photo's path into the label as it was: a folder named "<b>Drive &amp;
    co" was shown bold, as "Drive & co", as Qt reads a label's text that looks like HTML."""
    folder = tmp_path / "<b>Drive &amp; co"
    window, gone, _ = _showing_a_new_photo(qtbot, make_window, library_db, folder)
    detail = window.detail
    field = detail.fields["path"]  # the File field below: the same path, the same way
    field.setSelection(0, len(gone))
    assert field.selectedText() == gone
    os.remove(gone)
    qtbot.waitUntil(lambda: "Its file was deleted or moved" in detail.note.text(), timeout=30_000)
    said = f"Its file was deleted or moved: {gone}"
    assert detail.note.text() == said
    detail.note.setSelection(0, len(said))  # what the label shows, as the user selects and copies it
    assert detail.note.selectedText() == said


def test_the_photo_view_says_when_its_file_went_bad_rather_than_left_the_library(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path
) -> None:
    """Audit 75 (repro_6): a photo whose file went bad while shown (a failed copy or sync) was "no
    longer in the library", Find similar greyed; the library keeps it, as a photo that could not be
    read, and says so (`status`: "1 error"). The view says its file cannot be read."""
    window, bad, _ = _showing_a_new_photo(qtbot, make_window, library_db, tmp_path / "Drive")
    detail = window.detail
    Path(bad).write_bytes(b"not a photo any more" * 100)  # the watcher reads it again, and fails
    qtbot.waitUntil(lambda: detail.row < 0, timeout=60_000)  # indexed again, it failed: off the timeline
    # the view's check of the file (on its reading thread) decides the title and the note
    qtbot.waitUntil(lambda: "cannot be read" in detail.windowTitle(), timeout=10_000)
    assert "cannot be read" in detail.note.text()
    assert "no longer in the library" not in detail.note.text()
    assert "no longer in the library" not in detail.windowTitle()


def test_the_photo_view_says_when_the_file_is_missing(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path
) -> None:
    window, gone, photo = _with_new_photos(qtbot, make_window, library_db, tmp_path / "Drive")
    os.remove(gone)  # deleted, or its drive unplugged

    open_photo(qtbot, window, photo)
    detail = window.detail
    said = f"The file is missing: {gone}"

    def said_once() -> bool:  # under its thumbnail, or where the picture would be: not both
        places = [detail.note.text() if detail.note.isVisible() else "", detail.preview.text()]
        return sum(said in p for p in places) == 1

    qtbot.waitUntil(said_once, timeout=10_000)
    assert (said in detail.note.text()) == detail.preview.has_picture()
    # audit 97: Open stayed enabled, and only pressing it said the file was missing
    qtbot.waitUntil(lambda: not detail.open_button.isEnabled(), timeout=10_000)
    assert "not at its path" in detail.open_button.toolTip()
    assert detail.folder_button.isEnabled()  # its folder is there: what is in it may tell where it went

    press(qtbot, Qt.Key.Key_1)  # 100 %
    qtbot.waitUntil(lambda: "missing" in detail.full.text(), timeout=10_000)
    assert detail.full.text() != "Loading…"
    assert not detail.note.isVisible() or said not in detail.note.text()  # audit: it was said twice


def test_a_photo_on_an_unplugged_drive_offers_neither_open_nor_show_in_folder(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path
) -> None:
    """Audit 97: Open and Show in folder stayed enabled for a photo whose drive was unplugged."""
    window, gone, photo = _with_new_photos(qtbot, make_window, library_db, tmp_path / "Drive")
    assert window.api is not None
    window.api.stop_background()
    shutil.rmtree(tmp_path / "Drive")  # the drive unplugged: its folder is gone too

    open_photo(qtbot, window, photo)
    detail = window.detail
    qtbot.waitUntil(lambda: not detail.folder_button.isEnabled(), timeout=10_000)
    assert not detail.open_button.isEnabled()
    assert "not at its path" in detail.open_button.toolTip()
    assert "folder is not there" in detail.folder_button.toolTip()

    press(qtbot, Qt.Key.Key_Right)  # the next photo is there: both are offered again
    qtbot.waitUntil(lambda: detail.path() != gone, timeout=10_000)
    assert Path(detail.path()).is_file()
    assert detail.open_button.isEnabled() and detail.folder_button.isEnabled()
    assert "not at its path" not in detail.open_button.toolTip()


def test_open_on_a_missing_file_says_the_file_is_missing(
    qtbot: Any, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gui_model: Any
) -> None:
    """The GUI walk of stop 40: Open on a photo whose file was gone said "no application handles
    it"; and the photo chooser opened on a folder that no longer existed."""

    photos, db = tmp_path / "Photos", tmp_path / "library.db"
    write_shapes(photos, per_kind=1)
    index_folder(db, photos, gui_model)
    window = make_window(db)
    window.settings.setValue("library/last_folder", str(tmp_path / "Phone Backup"))  # gone since
    assert Path(window.folder_keeper.last_folder()).is_dir()
    timeline_ready(qtbot, window)
    open_photo(qtbot, window, 0)
    assert window.api is not None
    window.api.stop_background()  # no scan takes the photo out while the view shows it
    monkeypatch.setattr(desktop, "open_file", lambda path: False)  # nothing opens what is not there
    Path(window.detail.path()).unlink()
    window.detail.open_button.click()
    # said under the photo: the second GUI walk of stop 43 found it in the window's status bar,
    # behind the photo view, cut off
    said = window.detail.note.text()
    assert (
        window.detail.note.isVisible() and "the file is missing" in said and "no application" not in said
    ), said
    next_photo = window.detail.row + 1
    if next_photo < window.timeline.rowCount():
        window.detail.show_row(next_photo)  # another photo: that was this one's
        assert "the file is missing" not in window.detail.note.text()


def test_the_photo_view_opens_within_the_screen(
    qtbot: Any, make_window: WindowFactory, library_db: Path
) -> None:
    """The GUI walk of stop 42: the view opened at 900 x 760 whatever the screen, taller than a
    768-pixel laptop's room below its panel."""
    window, _, _ = _viewing_the_fourth_photo(qtbot, make_window, library_db)
    room = window.detail.screen().availableGeometry()
    frame = window.detail.frameGeometry()
    assert frame.height() <= room.height() and frame.width() <= room.width(), (frame, room)


def test_the_photo_view_says_when_the_file_was_renamed_to_a_name_that_is_not_utf8(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path
) -> None:
    """The CLI audit of stop 55, in the window: a photo renamed to a name the index cannot hold is
    kept, and its view said "The file is missing … deleted or moved, or its drive is not connected"."""
    window = make_window(library_db)
    timeline_ready(qtbot, window)
    renamed, _ = add_photos(qtbot, window, tmp_path / "Drive", ["pan.jpg", "kept.jpg"])
    photo = next(i for i in range(window.timeline.photo_count()) if window.timeline.path_of(i) == renamed)
    os.rename(renamed, os.fsencode(tmp_path / "Drive") + b"/p\xe4n.jpg")

    open_photo(qtbot, window, photo)
    detail = window.detail
    said = "The file was renamed to p\\xe4n.jpg, a name that is not UTF-8"
    qtbot.waitUntil(lambda: said in detail.preview.text() or said in detail.note.text(), timeout=10_000)
    assert "missing" not in detail.preview.text()


def test_the_photo_view_looks_for_a_renamed_file_off_the_window_s_thread(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop 56's leftover: a missing photo's view listed its folder (renamed to a name that is not
    UTF-8?) on the window's thread: a folder of 50,000 files, or a slow share, froze the window."""
    import threading

    from photoscope.library import fs

    window = make_window(library_db)
    timeline_ready(qtbot, window)
    gone, _ = add_photos(qtbot, window, tmp_path / "Drive", ["pan.jpg", "kept.jpg"])
    photo = next(i for i in range(window.timeline.photo_count()) if window.timeline.path_of(i) == gone)
    os.remove(gone)
    listed_on: list[threading.Thread] = []
    listing = fs.unstorable_names
    monkeypatch.setattr(
        fs, "unstorable_names", lambda d: listed_on.append(threading.current_thread()) or listing(d)
    )

    open_photo(qtbot, window, photo)
    detail = window.detail
    # said where the picture would be, or under its thumbnail once that is drawn (as in the test
    # above: which comes first is the thumbnail's race; the preview alone failed a run in three)
    qtbot.waitUntil(
        lambda: any("The file is missing" in t for t in (detail.preview.text(), detail.note.text())),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: bool(listed_on), timeout=10_000)  # once the view has the photo's record
    assert threading.main_thread() not in listed_on


def test_photos_indexed_after_a_result_was_clicked_join_the_results_around_it(
    qtbot: Any, make_window: WindowFactory, library_db: Path, tmp_path: Path
) -> None:
    """The fresh-seat GUI audit of stop 57: a result clicked (selected) stopped every refresh while
    indexing: four new dog photos never joined "a dog", even once indexing was done. They join, and
    the selection stays on the photo the user clicked."""
    from PySide6.QtTest import QTest

    window = make_window(library_db)
    timeline_ready(qtbot, window)
    typed_query(qtbot, window, "a green square")
    view, results = window.view, window.results
    spot = view.visualRect(results.index(1, 0)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    clicked = window.presenter.selected_id()
    assert clicked is not None

    folder = tmp_path / "New"
    folder.mkdir()
    # named by both words, as the photos found by name (a name with one vouches for one only: stop 59)
    new = {str(folder / f"new_green_square_{i}.jpg") for i in range(2)}
    for i, path in enumerate(sorted(new)):
        shape_photo("green", "square", seed=90 + i).save(path, quality=90)
    assert window.api is not None
    window.api.add_folder(folder)  # as the library dialog adds it: the watcher finds the photos

    def shown() -> set[str]:
        rows = (results.photo_at(r) for r in range(results.rowCount()))
        return {results.path_of(photo) for photo in rows if photo >= 0}

    qtbot.waitUntil(lambda: new <= shown(), timeout=30_000)
    assert window.presenter.selected_id() == clicked
