"""The folder watcher with real filesystem events; every wait is on a condition, with a timeout."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from photos import CountingModel, Reports, fast_model, write_library, write_photo

from photoscope.library import fs
from photoscope.library.db import Library
from photoscope.library.indexer import IndexOptions, IndexWorker
from photoscope.library.scanner import DRIVE_NOT_MOUNTED, Scanner
from photoscope.library.watcher import FolderWatcher

TIMEOUT = 20.0
DEBOUNCE = 0.5  # generous: a stall on a busy machine must not split one burst of saves in two


@pytest.fixture
def pictures(tmp_path: Path, library: Library) -> Path:
    root = tmp_path / "Pictures"
    write_library(root, 2)
    library.add_folder(root)
    return root


@pytest.fixture
def watched(library: Library, pictures: Path) -> Iterator[tuple[FolderWatcher, Reports]]:
    reports = Reports(TIMEOUT)
    watcher = FolderWatcher(
        library, Scanner(library), debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports
    )
    watcher.start()
    reports.wait_for(lambda r: len(r.added) == 2)  # the catch-up scan finds what was there before
    yield watcher, reports
    watcher.stop()
    assert not watcher.running


def test_new_photos_are_picked_up(watched: tuple[FolderWatcher, Reports], pictures: Path) -> None:
    _, reports = watched
    write_photo(pictures / "album" / "new é.jpg", seed=10)
    assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1


def test_five_saves_in_a_row_are_one_rescan(
    watched: tuple[FolderWatcher, Reports], pictures: Path, library: Library
) -> None:
    _, reports = watched
    for i in range(5):  # an editor saving repeatedly, well within the debounce window
        write_photo(pictures / "photo_0000.jpg", seed=20 + i)
    report = reports.wait_for(lambda r: r.changed > 0)
    assert report.changed == 1
    assert reports.none_within(4 * DEBOUNCE)
    assert library.pending_count() == 2  # the two catch-up photos (never indexed here) and no more


def test_moves_and_deletes(watched: tuple[FolderWatcher, Reports], pictures: Path, library: Library) -> None:
    _, reports = watched
    before = dict(library.db.execute("SELECT path, id FROM photos").fetchall())
    (pictures / "sorted").mkdir()
    os.rename(pictures / "photo_0000.jpg", pictures / "sorted" / "kept.jpg")
    assert reports.wait_for(lambda r: r.moved > 0).moved == 1
    after = dict(library.db.execute("SELECT path, id FROM photos").fetchall())
    assert after[str(pictures / "sorted" / "kept.jpg")] == before[str(pictures / "photo_0000.jpg")]
    os.remove(pictures / "photo_0001.jpg")
    assert reports.wait_for(lambda r: bool(r.removed)).removed == [before[str(pictures / "photo_0001.jpg")]]


def test_a_vanished_folder_goes_offline_and_is_rescanned_on_return(
    watched: tuple[FolderWatcher, Reports], pictures: Path, library: Library, tmp_path: Path
) -> None:
    _, reports = watched
    os.rename(pictures, tmp_path / "unplugged")
    assert reports.wait_for(lambda r: bool(r.offline)).offline == [str(pictures)]
    assert library.counts().pending == 2  # nothing dropped
    write_photo(tmp_path / "unplugged" / "added while away.jpg", seed=30)
    os.rename(tmp_path / "unplugged", pictures)
    report = reports.wait_for(lambda r: bool(r.back_online))
    assert report.back_online == [str(pictures)] and len(report.added) == 1 and report.removed == []
    write_photo(pictures / "after return.jpg", seed=31)  # the watch was renewed
    assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1


def test_a_folder_added_while_running_is_watched_after_refresh(
    watched: tuple[FolderWatcher, Reports], library: Library, tmp_path: Path
) -> None:
    watcher, reports = watched
    write_photo(tmp_path / "Phone" / "a.jpg", seed=50)
    library.add_folder(tmp_path / "Phone")
    watcher.refresh()
    assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1  # scanned at once
    write_photo(tmp_path / "Phone" / "b.jpg", seed=51)
    assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1  # and watched


def test_a_folder_another_process_added_is_watched_without_refresh(
    watched: tuple[FolderWatcher, Reports], library: Library, tmp_path: Path
) -> None:
    """Audit: `photoscope folders add` in another process while `index --watch` ran: the new folder
    was never watched, its photos never indexed. No refresh() comes from another process."""
    _, reports = watched
    write_photo(tmp_path / "Phone" / "a.jpg", seed=50)
    with Library(library.path) as other:  # another process's connection
        other.add_folder(tmp_path / "Phone")
    assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1  # scanned at the next root check
    write_photo(tmp_path / "Phone" / "b.jpg", seed=51)
    assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1  # and watched


def test_photos_another_process_queued_wake_the_worker(
    library: Library, pictures: Path, tmp_path: Path
) -> None:
    """Audit: `folders include` in another process while `index --watch` ran put photos back as
    waiting to be indexed, and said they were "back in the index"; the running worker never heard
    of them (no file changed, no folder was added), so they waited for ever."""
    import threading

    from photos import index_pending

    from photoscope.library.exclusions import ExclusionRule

    Scanner(library).scan()
    index_pending(library)
    woken = threading.Event()
    watcher = FolderWatcher(library, Scanner(library), root_check_s=0.2, on_waiting=woken.set)
    watcher.start(catch_up=False)
    try:
        assert not woken.wait(1.0)  # nothing waits: no call
        rule = ExclusionRule(str(pictures), "pattern", "*.jpg")
        with Library(library.path) as other:  # another process's connection: a rule set and dropped
            other.set_exclusion_rule(rule, True)
            Scanner(other).scan()
            other.set_exclusion_rule(rule, False)
            Scanner(other).scan()
            assert other.pending_count() == 2
        assert woken.wait(TIMEOUT)
    finally:
        watcher.stop()


def test_catch_up_and_worker_wiring(
    library: Library, pictures: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    """What the GUI and `index --watch` do: the watcher's reports wake a background worker."""
    model = CountingModel(fast_model(tiny_model_dir))
    worker = IndexWorker(library, model, IndexOptions(thumbnail_root=tmp_path / "thumbs"))
    watcher = FolderWatcher(library, Scanner(library), debounce_s=DEBOUNCE, on_queued=lambda r: worker.wake())
    worker.start()
    watcher.start()
    try:
        assert _wait(lambda: library.counts().indexed == 2)
        write_photo(pictures / "fresh.jpg", seed=40)
        assert _wait(lambda: library.counts().indexed == 3)
        assert worker.wait_idle(TIMEOUT)
        assert model.embedded == 3
    finally:
        watcher.stop()
        worker.stop()


def _wait(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)  # poll interval, not a guess at how long the work takes
    return True


def test_a_stop_while_another_thread_starts_the_watcher_waits_for_it(
    library: Library, pictures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI at the end of stop 44: the window's test stopped the background work while a task thread
    was starting the watcher, and the stop joined a thread not yet started ("cannot join thread
    before it is started")."""
    import threading
    from types import SimpleNamespace

    from photoscope.library import watcher as watcher_module

    made = threading.Event()

    class SlowToStart(threading.Thread):  # the watcher's thread is made, not yet started
        def start(self) -> None:
            made.set()
            time.sleep(0.3)
            super().start()

    watcher = FolderWatcher(library, Scanner(library), root_check_s=0.2)
    monkeypatch.setattr(watcher_module, "threading", SimpleNamespace(Thread=SlowToStart))
    starter = threading.Thread(target=watcher.start, kwargs={"catch_up": False})
    starter.start()
    assert made.wait(5)
    watcher.stop()  # raised RuntimeError, and could leave the watcher's thread running
    starter.join(5)
    assert not watcher.running


def test_a_drive_mounted_inside_a_watched_folder_is_scanned_without_a_restart(
    library: Library, pictures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit of stop 45: during `index --watch` the photos of a drive mounted inside a watched
    folder were never seen (the folder's file events come from the directory underneath the mount)
    until a restart. The root checks follow the mount points inside the watched folders."""
    from photoscope.library import watcher as watcher_module

    card = pictures / "card"
    write_library(card, 3, start=50)  # what the drive holds, unseen by the file events
    points = {"/"}
    monkeypatch.setattr(watcher_module, "mount_points", lambda: set(points))
    reports = Reports(TIMEOUT)
    watcher = FolderWatcher(
        library, Scanner(library), debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports
    )
    watcher.start(catch_up=False)
    try:
        assert reports.none_within(0.6)  # no event came, no scan was due
        points.add(str(card))  # the drive mounted there
        assert len(reports.wait_for(lambda r: bool(r.added)).added) == 3
    finally:
        watcher.stop()


def test_a_drive_mounted_inside_a_watched_folder_is_scanned_real_mount(
    library: Library, pictures: Path, tmp_path: Path
) -> None:
    from test_reliability_scan import bind_mount

    (pictures / "card").mkdir()
    write_library(tmp_path / "drive", 2, start=60)
    reports = Reports(TIMEOUT)
    watcher = FolderWatcher(
        library, Scanner(library), debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports
    )
    watcher.start()
    try:
        reports.wait_for(lambda r: len(r.added) == 2)  # the catch-up scan
        with bind_mount(tmp_path / "drive", pictures / "card"):
            assert len(reports.wait_for(lambda r: bool(r.added)).added) == 2
            write_photo(pictures / "card" / "later.jpg", seed=70)  # and its file events from then on
            assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1
        # Unplugged while watching: its photos are kept, and why is said (the live audit of stop 48:
        # `status` said nothing while the app ran, where a one-shot `index` says the drive is gone).
        said = (fs.display_path(str(pictures / "card")), DRIVE_NOT_MOUNTED)
        assert _wait(lambda: said in library.problems()), library.problems()
        kept = library.db.execute("SELECT count(*) FROM photos WHERE path LIKE ?", (f"{pictures}/card/%",))
        assert kept.fetchone()[0] == 3
    finally:
        watcher.stop()


def test_another_card_mounted_at_the_same_place_between_two_checks_is_scanned(
    library: Library, pictures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review of stop 45: the root checks noticed only mount points new by their path: another
    card mounted at the same place between two checks kept the old one's watch, and its photos
    were not seen. Each mount point is known with the drive it holds."""
    from photoscope.library import watcher as watcher_module

    card = pictures / "card"
    write_library(card, 3, start=50)  # what the second card holds, unseen by the file events
    drive = {"id": "UUID-1\t/"}
    monkeypatch.setattr(watcher_module, "mount_points", lambda: {"/", str(card)})
    monkeypatch.setattr(watcher_module, "drive_identity", lambda point: drive["id"])
    reports = Reports(TIMEOUT)
    watcher = FolderWatcher(
        library, Scanner(library), debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports
    )
    watcher.start(catch_up=False)
    try:
        assert reports.none_within(0.6)  # the same card: nothing to scan
        drive["id"] = "UUID-2\t/"  # another card at the same place
        assert len(reports.wait_for(lambda r: bool(r.added)).added) == 3
    finally:
        watcher.stop()


def test_a_photo_added_to_an_album_linked_in_is_picked_up(library: Library, tmp_path: Path) -> None:
    """Audit 98 (repro_7): an album linked into a watched folder from elsewhere is indexed by the
    scans, but a photo added to it waited for a whole scan: the folder's watch does not follow links.
    Its real place is watched too; its photos are said under the link's path, as the library holds them."""
    pictures, elsewhere = tmp_path / "Pictures", tmp_path / "elsewhere" / "Album"
    write_library(pictures, 1)
    write_library(elsewhere, 2, start=10)
    (pictures / "Album").symlink_to(elsewhere)
    library.add_folder(pictures)
    reports = Reports(TIMEOUT)
    watcher = FolderWatcher(
        library, Scanner(library), debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports
    )
    watcher.start()
    try:
        reports.wait_for(lambda r: len(r.added) == 3)
        write_photo(elsewhere / "new.jpg", seed=30)
        added = reports.wait_for(lambda r: bool(r.added)).added
        paths = {p for (p,) in library.db.execute("SELECT path FROM photos").fetchall()}
        assert len(added) == 1 and str(pictures / "Album" / "new.jpg") in paths, paths
        assert not any(p.startswith(str(elsewhere)) for p in paths)
    finally:
        watcher.stop()


def test_a_folder_gone_when_the_watcher_starts_is_not_warned_about(
    library: Library, pictures: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Audit 99 (repro_2): with a watched folder's drive unplugged since the last scan, every start
    printed "photoscope: cannot watch …: [Errno 2] No such file or directory" before the start-up
    scan said it offline, as the window and `status` do calmly. A folder not there is offline, not a
    failure to watch."""
    Scanner(library).scan()  # recorded online
    os.rename(pictures, tmp_path / "unplugged")
    reports = Reports(TIMEOUT)
    watcher = FolderWatcher(
        library, Scanner(library), debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports
    )
    with caplog.at_level("INFO", logger="photoscope"):
        watcher.start()
        try:
            assert reports.wait_for(lambda r: bool(r.offline)).offline == [str(pictures)]
        finally:
            watcher.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
