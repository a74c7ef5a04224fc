"""A watched folder moved or renamed as a whole (``~/Pictures`` renamed ``~/Photos``, a drive mounted
at another place), then added again under its new path: the library follows it. Audit (stop 36):
every photo was encoded again under new ids, and the old folder stayed, offline, its photos listed
twice in search.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pytest
from photos import ids_below, index_pending, indexed_folder, photo_image, watching, write_library, write_photo
from PIL import Image

from photoscope.api import PhotoCounts, Photoscope
from photoscope.cli import main
from photoscope.library import scanner, thumbnails
from photoscope.library.db import Library
from photoscope.library.exclusions import ExclusionRule
from photoscope.library.fs import mount_points as fs_mount_points
from photoscope.library.scanner import Scanner


def _ids_by_name(library: Library) -> dict[str, int]:
    return ids_below(library, Path(library.folders()[0].path))


def test_a_renamed_folder_added_again_keeps_its_photos_and_index(tmp_path: Path) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    before = indexed_folder(old, db)
    with Library(db) as library:
        library.set_exclusion_rule(ExclusionRule(str(old), "pattern", "*.png"), True)
    first = old / "2019" / "photo_0000.jpg"
    thumbnails.write_thumbnail(photo_image(0), first, first.stat().st_mtime)
    old.rename(new)
    with Photoscope(db) as app:
        folder = app.add_folder(new)
        moved_thumbnail = thumbnails.thumbnail_path(new / "2019" / "photo_0000.jpg")
        assert not thumbnails.thumbnail_path(first).exists()
        uri = thumbnails.png_text(moved_thumbnail.read_bytes(), b"Thumb::URI")
        assert uri == (new / "2019" / "photo_0000.jpg").as_uri()
        assert folder.moved_from == str(old) and folder.path == str(new) and folder.online
        assert [(f.path, f.photos) for f in app.folders()] == [(str(new), 6)]
        assert app.photo_counts() == PhotoCounts(indexed=6, pending=0, error=0)  # nothing to encode again
        assert app.exclusion_rules() == [ExclusionRule(str(new), "pattern", "*.png")]  # rules follow
        report = app.scanner().scan()
        assert (report.unchanged, report.added, report.removed, report.moved) == (6, [], [], 0)
    with Library(db) as library:
        assert _ids_by_name(library) == before  # the same photos, under the same ids
        assert {i for i, _ in library.text_search("Photos")} == set(before.values())  # paths' words
        assert library.text_search("Pictures") == []


def test_a_drive_mounted_elsewhere_follows_with_a_photo_added_meanwhile(tmp_path: Path) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "media" / "USB" / "DCIM", tmp_path / "media" / "USB1"
    before = indexed_folder(old, db, count=10)
    os.renames(old, new / "DCIM")
    write_photo(new / "DCIM" / "2020" / "late.jpg", seed=77)
    with Photoscope(db) as app:
        assert app.add_folder(new / "DCIM").moved_from == str(old)
        report = app.scanner().scan()
        assert (len(report.added), len(report.removed), report.unchanged) == (1, 0, 10)
    with Library(db) as library:
        kept = {name: id_ for name, id_ in _ids_by_name(library).items() if name != "2020/late.jpg"}
        assert kept == before


def test_a_copy_is_a_folder_of_its_own(tmp_path: Path) -> None:
    """The old folder still there (a backup copy, say): two folders, nothing moved."""
    db, old, copy = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Backup"
    indexed_folder(old, db)
    os.system(f"cp -a '{old}' '{copy}'")
    with Photoscope(db) as app:
        assert app.add_folder(copy).moved_from is None
        assert {f.path for f in app.folders()} == {str(copy), str(old)}


@pytest.mark.parametrize("how", ["other photos", "same names, other photos", "some missing"])
def test_an_offline_folder_is_not_taken_for_one_that_does_not_hold_its_photos(
    tmp_path: Path, how: str
) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    indexed_folder(old, db, count=10)
    if how == "other photos":
        write_library(new / "elsewhere", 10, start=500)
        old.rename(tmp_path / "gone")
    elif how == "same names, other photos":  # each name and size there, with other bytes in it
        for name in (*(old / "2019").iterdir(), *(old / "2020").iterdir()):
            data = bytearray(name.read_bytes())
            data[len(data) // 2] ^= 0xFF  # the same size: only the partial hash tells them apart
            target = new / name.relative_to(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bytes(data))
        old.rename(tmp_path / "gone")
    else:  # a copy of 9 of its 10 photos, the folder gone: following it would drop the tenth
        shutil.copytree(old, new)
        (new / "2020" / "photo_0100.jpg").unlink()
        old.rename(tmp_path / "gone")
    with Photoscope(db) as app:
        assert app.add_folder(new).moved_from is None
        assert {f.path for f in app.folders()} == {str(old), str(new)}


def test_a_moved_folder_of_one_photo_is_said_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fresh-seat audit of stop 59: "its 1 photo keep their index entries"."""
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    indexed_folder(old, db, count=1)
    old.rename(new)
    assert main(["folders", "add", str(new), "--db", str(db)]) == 0
    line = capsys.readouterr().out.strip()
    assert line == f"watching {new}: the folder {old} moved here, and its photo keeps its index entry"


def test_folders_add_says_the_folder_moved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    indexed_folder(old, db)
    old.rename(new)
    assert main(["folders", "add", str(new), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"watching {new}: the folder {old} moved here, and its 6 photos keep their index entries"
    ]
    assert main(["status", "--db", str(db)]) == 0
    status = capsys.readouterr().out
    assert f"folders: 1\n  {new} (6 photos)\n" in status and "photos: 6 (6 indexed, 0 pending" in status


@pytest.mark.usefixtures("fast_models")
def test_index_says_it_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    write_library(old, 6)
    assert main(["index", str(old), "--db", str(db)]) == 0
    capsys.readouterr()
    old.rename(new)
    assert main(["index", str(new), "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"watching {new}: the folder {old} moved here, and its 6 photos keep their index entries"
    assert out[1] == "scanned: 0 new, 0 changed, 0 moved, 0 removed, 6 unchanged"


def test_a_thumbnail_re_filed_by_its_bytes_is_a_valid_png_naming_the_new_place(tmp_path: Path) -> None:
    old, new, root = tmp_path / "a" / "x.jpg", tmp_path / "b c" / "é.jpg", tmp_path / "thumbs"
    thumbnails.write_thumbnail(photo_image(3), old, 1234.9, root)
    assert thumbnails.move_thumbnail(old, new, root)
    assert not thumbnails.thumbnail_path(old, root).exists()
    data = thumbnails.thumbnail_path(new, root).read_bytes()
    assert thumbnails.png_text(data, b"Thumb::URI") == new.as_uri()
    assert thumbnails.png_text(data, b"Thumb::MTime") == "1234"
    with Image.open(io.BytesIO(data)) as png:
        png.verify()  # every chunk's CRC
    with Image.open(io.BytesIO(data)) as png:
        assert png.size == (96, 64) and png.convert("RGB").tobytes() == photo_image(3).tobytes()
    assert thumbnails.move_thumbnail(old, new, root) is False  # none left to move


def test_a_copy_missing_a_photo_outside_the_sample_is_not_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit of stop 39: a copy of an unplugged drive's 60-photo folder, one photo short, was
    followed (its sample was every time the same 50 photos), and the next scan dropped the missing
    photo's entry, which the drive still held. The sample is drawn here without the missing photo
    (the review: drawn at random, it held it five times in six, and the test could not fail)."""
    db, old, copy = tmp_path / "library.db", tmp_path / "usb" / "Trip", tmp_path / "home" / "Trip"
    indexed_folder(old, db, count=60)
    shutil.copytree(old, copy)
    missing = old / "2020" / "photo_0100.jpg"
    (copy / missing.relative_to(old)).unlink()
    every_other = Library.folder_files

    def sample_without_it(library: Library, folder_id: int, limit: int = 20) -> list[object]:
        return [f for f in every_other(library, folder_id) if f.path != str(missing)][:limit]

    monkeypatch.setattr(Library, "sample_files", sample_without_it)
    old.rename(tmp_path / "usb" / "away")  # the drive unplugged: the folder is not there
    with Photoscope(db) as app:
        assert app.add_folder(copy).moved_from is None
        assert {f.path: f.photos for f in app.folders()}[str(old)] == 60  # every entry kept


def _two_watched(tmp_path: Path) -> tuple[Path, Path, Path, dict[str, int]]:
    """(database, ~/Pictures, ~/Downloads/Trip): both watched, indexed; Trip's 6 photos' ids by name."""
    db, pictures, trip = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Downloads" / "Trip"
    write_library(pictures, 2, start=500)
    write_library(trip / "day1", 3)
    write_library(trip / "day2", 3, start=100)
    with Library(db) as library:
        library.add_folder(pictures)
        library.add_folder(trip)
        Scanner(library).scan()
        index_pending(library)
        trip_id = next(f.id for f in library.folders() if f.path == str(trip))
        ids = {os.path.relpath(p, trip): i for i, p in library.photo_paths(trip_id)}
    return db, pictures, trip, ids


@pytest.mark.parametrize("watcher", [False, True])
def test_a_watched_folder_moved_into_another_keeps_its_photos_index(tmp_path: Path, watcher: bool) -> None:
    # Stop 37 left it: Trip moved into Pictures was encoded again under new ids by Pictures' scan,
    # and the old Trip stayed, offline, its photos listed twice by every search.
    db, pictures, trip, before = _two_watched(tmp_path)
    first = trip / "day1" / "photo_0000.jpg"
    thumbnails.write_thumbnail(photo_image(0), first, first.stat().st_mtime)
    os.rename(trip, pictures / "Trip")
    with Library(db) as library:  # a whole scan, or the watcher's of the directory that came in
        report = Scanner(library).scan([pictures / "Trip"] if watcher else None)
        assert (report.added, report.removed, report.moved) == ([], [], 6)
        assert report.arrived == [(str(trip), str(pictures / "Trip"))]
        assert report.offline == [str(trip)]
        by_folder = {f.path: f for f in library.folders()}
        assert by_folder[str(pictures)].photos == 8 and by_folder[str(trip)].photos == 0
        moved = {
            os.path.relpath(p, pictures / "Trip"): i
            for i, p in library.photo_paths(by_folder[str(pictures)].id)
            if "Trip" in p
        }
        assert moved == before  # the same photos under the same ids: captions and vectors kept
        assert library.counts().pending == 0  # nothing to encode again
    assert thumbnails.thumbnail_path(pictures / "Trip" / "day1" / "photo_0000.jpg").exists()


def test_a_part_of_an_offline_folder_copied_into_another_is_new_photos(tmp_path: Path) -> None:
    """Half of a folder copied into another, then the folder deleted: not the folder, so its
    entries stay where they are (offline)."""
    db, pictures, trip, _ = _two_watched(tmp_path)
    shutil.copytree(trip / "day1", pictures / "day1")
    shutil.rmtree(trip)
    with Library(db) as library:
        report = Scanner(library).scan()
        assert (len(report.added), report.moved, report.arrived) == (3, 0, [])
        assert {f.path: f.photos for f in library.folders()}[str(trip)] == 6


@pytest.mark.usefixtures("fast_models")
def test_index_says_where_a_watched_folder_moved_into_another_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, pictures, trip = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Downloads" / "Trip"
    write_library(pictures, 2, start=500)
    write_library(trip / "day1", 6)
    assert main(["index", str(pictures), str(trip), "--db", str(db)]) == 0
    capsys.readouterr()
    os.rename(trip, pictures / "Trip")
    assert main(["index", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "scanned: 0 new, 0 changed, 6 moved, 0 removed, 2 unchanged"
    assert f"offline: {trip}" in out  # not "its photos stay in the index": they followed it (stop 58)
    assert (
        f"the photos of the watched folder {trip} are in {pictures / 'Trip'} now: they keep their index"
        f" entries; {trip} stays watched (photoscope folders remove {trip}, if you want it no more)"
    ) in out


@pytest.mark.parametrize("why", ["unplugged, its mount point left empty", "unreadable"])
def test_a_copy_of_a_folder_that_is_there_but_offline_is_a_folder_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    """The audit of stop 45: `folders add` of a copy of a folder offline because its drive was
    unplugged or its permission taken away said "the folder ... moved here", and the original was
    watched no more: plugged in or readable again, its photos were indexed nowhere. A folder is
    followed only when its root is gone, to a place on its own drive."""
    from photos import deny_listing

    db, old, copy = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Backup"
    before = indexed_folder(old, db)
    shutil.copytree(old, copy)
    if why == "unreadable":
        deny_listing(monkeypatch, "Pictures")
    else:
        shutil.move(old, tmp_path / "on the drive")
        old.mkdir()
    with Photoscope(db) as app:
        assert app.add_folder(copy).moved_from is None
        assert {f.path for f in app.folders()} == {str(copy), str(old)}
    with Library(db) as library:
        assert {i: p for i, p in library.db.execute("SELECT id, path FROM photos")} == {
            i: str(old / name) for name, i in before.items()
        }


def test_a_folder_followed_from_a_mount_point_to_a_plain_folder_is_online(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit of stop 45: a watched drive's folder (its root a mount point) followed to a folder
    that is no mount point stayed offline for ever ("a mount point that is not one now"), and a
    photo added there was never indexed: the root's mount record moved with it."""
    db, old, new = tmp_path / "library.db", tmp_path / "card", tmp_path / "Backup"
    points = {str(old)}
    monkeypatch.setattr(scanner, "mount_points", lambda: set(points))
    write_library(old, 3)
    with Library(db) as library:
        library.add_folder(old)
        Scanner(library).scan()
        assert library.mounts() == {str(old)}
        # A library from before drives were noted: the only way left to follow a folder from a
        # mount point to a folder that is none (``relocation._left_for``).
        library.conn.execute("UPDATE folders SET drive = NULL, drive_id = NULL")
        library.conn.commit()
    old.rename(new)
    points.clear()
    write_photo(new / "new.jpg", seed=40)
    with Photoscope(db) as app:
        assert app.add_folder(new).moved_from == str(old)
        report = app.scanner().scan()
        assert report.offline == [] and len(report.added) == 1
        assert [f.online for f in app.folders()] == [True]


def test_a_folder_copied_to_another_file_system_without_volume_ids_is_a_folder_of_its_own(
    tmp_path: Path,
) -> None:
    """The review of stop 45: where the system names no volume's UUID (tmpfs, network shares,
    containers), every drive read as the same one ("\\t/"), and a folder moved from the disk to
    /dev/shm was followed as renamed there. Without a UUID the new place must be on the file
    system of the drive that held it, still mounted."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    db, old = tmp_path / "library.db", tmp_path / "Pictures"
    indexed_folder(old, db)
    new = shm / f"photoscope-test-{os.getpid()}" / "Pictures"
    shutil.copytree(old, new)
    shutil.rmtree(old)  # moved to another file system: a copy, then the original deleted
    try:
        with Photoscope(db) as app:
            assert app.add_folder(new).moved_from is None
    finally:
        shutil.rmtree(new.parent, ignore_errors=True)


def _photos_by_folder(library: Library) -> dict[str, tuple[int, int]]:
    return {f.path: (f.photos, f.away) for f in library.folders()}


@pytest.mark.parametrize("watcher", [False, True])
def test_a_watched_folder_moved_into_another_and_made_again_is_not_indexed_twice(
    tmp_path: Path, watcher: bool
) -> None:
    """The report of stop 49: Trip renamed into Pictures, then an app made Trip again (with a file).
    Trip's photos were kept as moved away (another directory at its place), and Pictures' scan
    indexed them again under new ids: every photo twice in the index and in every search."""
    db, pictures, trip, before = _two_watched(tmp_path)
    first = trip / "day1" / "photo_0000.jpg"
    thumbnails.write_thumbnail(photo_image(0), first, first.stat().st_mtime)
    os.rename(trip, pictures / "Trip")
    write_photo(trip / "Screenshot.png", seed=90)  # the folder made again, with a file of its own
    with Library(db) as library:  # a whole scan, or the watcher's of the directory that came in
        report = Scanner(library).scan([pictures / "Trip"] if watcher else None)
        assert (report.removed, report.moved, report.arrived) == ([], 6, [])
        assert len(report.added) == (0 if watcher else 1)  # the screenshot: new, at the old place
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (len(report.added), 0)}
        moved = ids_below(library, pictures / "Trip")
        assert moved == before  # the same photos under the same ids: captions and vectors kept
        assert library.counts().pending == len(report.added)  # nothing encoded again
        assert library.problems() == []  # nothing kept: nothing to say about it
        again = Scanner(library).scan()  # the screenshot, if the first scan did not look there
        assert (len(again.added), again.removed, again.moved) == (int(watcher), [], 0)
    assert thumbnails.thumbnail_path(pictures / "Trip" / "day1" / "photo_0000.jpg").exists()


def test_kept_photos_follow_a_part_at_a_time(tmp_path: Path) -> None:
    """A watcher's batch may hold a part of the directory that came in: each part follows."""
    db, pictures, trip, before = _two_watched(tmp_path)
    os.rename(trip, pictures / "Trip")
    write_photo(trip / "Screenshot.png", seed=90)
    with Library(db) as library:
        for part in ("day2", "day1"):
            report = Scanner(library).scan([pictures / "Trip" / part])
            assert (report.added, report.removed, report.moved) == ([], [], 3)
        assert ids_below(library, pictures / "Trip") == before
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (0, 0)}


def test_kept_photos_moved_later_into_a_watched_folder_follow_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Trip renamed out of the library and made again (its photos kept as moved away, and `status`
    says so), then moved into Pictures: the watcher's scan of what came in follows them, and
    `status` no longer says they are kept."""
    db, pictures, trip, before = _two_watched(tmp_path)
    os.rename(trip, tmp_path / "Trip")
    write_photo(trip / "Screenshot.png", seed=90)
    with Library(db) as library:
        assert Scanner(library).scan().replaced == [(str(trip), 6)]
    assert main(["status", "--db", str(db)]) == 0
    assert "kept from the folder that was here before" in capsys.readouterr().out
    os.rename(tmp_path / "Trip", pictures / "Trip")
    with Library(db) as library:
        report = Scanner(library).scan([pictures / "Trip"])
        assert (report.added, report.removed, report.moved) == ([], [], 6)
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (1, 0)}
        assert ids_below(library, pictures / "Trip") == before
        assert library.problems() == []
    assert main(["status", "--db", str(db)]) == 0
    status = capsys.readouterr().out
    assert "kept from" not in status and f"  {trip} (1 photo)\n" in status


def test_kept_photos_not_in_the_folder_that_came_in_stay_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo of Trip deleted on the way, outside the sample looked at (a folder of thousands):
    the others follow; it stays kept (its file may be anywhere), and so does why."""
    from photoscope.library import relocation

    db, pictures, trip, before = _two_watched(tmp_path)
    missing = "day2/photo_0100.jpg"
    drawn = relocation._sample

    def without_it(photos: list[object]) -> list[object]:
        return [p for p in drawn(photos) if not str(getattr(p, "path", "")).endswith(missing)]

    monkeypatch.setattr(relocation, "_sample", without_it)
    os.rename(trip, pictures / "Trip")
    (pictures / "Trip" / missing).unlink()
    write_photo(trip / "Screenshot.png", seed=90)
    with Library(db) as library:
        report = Scanner(library).scan()
        assert (report.removed, report.moved, len(report.added)) == ([], 5, 1)
        assert _photos_by_folder(library) == {str(pictures): (7, 0), str(trip): (2, 1)}
        assert ids_below(library, trip)[missing] == before[missing]
        assert [reason for path, reason in library.problems() if path == str(trip)] == [scanner.moved_away(1)]


def test_a_copy_of_kept_photos_on_another_file_system_is_new_photos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept photos found on another file system than their folder's are a copy (the folder was
    renamed on its own drive, or it is elsewhere still): new photos, the kept ones stay kept."""
    from photoscope.library import relocation

    monkeypatch.setattr(relocation, "_same_file_system", lambda path, other: False)
    db, pictures, trip, _ = _two_watched(tmp_path)
    os.rename(trip, pictures / "Trip")
    write_photo(trip / "Screenshot.png", seed=90)
    with Library(db) as library:
        report = Scanner(library).scan()
        assert (report.removed, report.moved, len(report.added)) == ([], 0, 7)
        assert _photos_by_folder(library)[str(trip)] == (7, 6)


def test_the_running_watcher_follows_kept_photos_into_another_folder(tmp_path: Path) -> None:
    db, pictures, trip, before = _two_watched(tmp_path)
    with Library(db) as library:
        with watching(library) as reports:
            with library.scan_lock:  # both done before the watcher's next scan: Trip is replaced
                os.rename(trip, pictures / "Trip")
                write_photo(trip / "Screenshot.png", seed=90)
            reports.wait_for(lambda r: r.moved == 6)
            reports.wait_for(lambda r: len(r.added) == 1)
            time.sleep(1.0)  # a few root checks more
        assert all(not r.removed and not r.added for r in reports.items)
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (1, 0)}
        assert ids_below(library, pictures / "Trip") == before


@pytest.mark.parametrize("watcher", [False, True])
def test_a_watched_folder_moved_into_another_and_made_again_empty_is_not_indexed_twice(
    tmp_path: Path, watcher: bool
) -> None:
    """Stop 49's case left open: Trip renamed into Pictures, then an app made Trip again, empty. An
    empty root that held photos is offline (an unplugged drive's bare mount point, perhaps), so its
    photos were not kept as moved away, and Pictures' scan indexed them again under new ids. On the
    drive that held Trip, still mounted, the directory that came in is Trip's own (its number):
    they follow it."""
    db, pictures, trip, before = _two_watched(tmp_path)
    first = trip / "day1" / "photo_0000.jpg"
    thumbnails.write_thumbnail(photo_image(0), first, first.stat().st_mtime)
    os.rename(trip, pictures / "Trip")
    trip.mkdir()
    with Library(db) as library:  # a whole scan, or the watcher's of the directory that came in
        report = Scanner(library).scan([pictures / "Trip"] if watcher else None)
        assert (report.added, report.removed, report.moved) == ([], [], 6)
        assert report.arrived == [(str(trip), str(pictures / "Trip"))]
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (0, 0)}
        assert ids_below(library, pictures / "Trip") == before  # captions and vectors kept
        assert library.counts().pending == 0  # nothing encoded again
        write_photo(trip / "Screenshot.png", seed=90)  # a file of its own, later
        again = Scanner(library).scan()
        assert (len(again.added), again.removed, again.moved) == (1, [], 0)
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (1, 0)}
        assert ids_below(library, pictures / "Trip") == before
    assert thumbnails.thumbnail_path(pictures / "Trip" / "day1" / "photo_0000.jpg").exists()


def test_a_copy_of_a_folder_made_again_empty_is_new_photos(tmp_path: Path) -> None:
    """Trip copied into Pictures, then moved out of the library and made again, empty: the copy is
    another directory than Trip's. Its photos are new ones; Trip's stay, offline (they may come back)."""
    db, pictures, trip, before = _two_watched(tmp_path)
    shutil.copytree(trip, pictures / "Trip")
    os.rename(trip, tmp_path / "elsewhere")
    trip.mkdir()
    with Library(db) as library:
        report = Scanner(library).scan()
        assert (len(report.added), report.removed, report.moved, report.arrived) == (6, [], 0, [])
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (6, 0)}
        assert ids_below(library, trip) == before


@pytest.mark.parametrize("mounted", ["at the folder's root", "above the folder's root"])
def test_an_unplugged_drives_folder_made_again_empty_keeps_its_photos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mounted: str
) -> None:
    """An unplugged drive's bare mount point, the folder's root or a directory above it, with the
    folder's directory made again (by an app, or the drive's empty mount point itself): its photos
    are away, not moved, and a copy of them in another folder (even their directory's number) is
    new photos. The folder keeps every entry until its drive is back."""
    db, pictures, usb = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "usb"
    root = usb if mounted == "at the folder's root" else usb / "DCIM"
    real = fs_mount_points()
    points = {*(real or set()), str(usb)}
    monkeypatch.setattr(scanner, "mount_points", lambda: set(points))
    write_library(pictures, 2, start=500)
    write_library(root, 4)
    with Library(db) as library:
        library.add_folder(pictures)
        library.add_folder(root)
        Scanner(library).scan()
        index_pending(library)
        before = ids_below(library, root)
        assert {f.path: f.drive for f in library.folders()}[str(root)] == str(usb)
    points.discard(str(usb))  # unplugged: what it held is away, its directory's number with it
    os.rename(root, pictures / "card")
    root.mkdir()
    with Library(db) as library:
        report = Scanner(library).scan()
        assert (len(report.added), report.removed, report.moved, report.arrived) == (4, [], 0, [])
        assert _photos_by_folder(library) == {str(pictures): (6, 0), str(root): (4, 0)}
        assert ids_below(library, root) == before


def test_without_trusted_directory_identities_a_folder_made_again_empty_does_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where directories' numbers tell nothing (FAT, FUSE, some network shares), the directory that
    came in cannot be told Trip's own: its photos are new ones, Trip's kept, offline, as before."""
    from photoscope.library import fs

    monkeypatch.setattr(fs, "file_system_type", lambda path: "vfat")
    db, pictures, trip, before = _two_watched(tmp_path)
    os.rename(trip, pictures / "Trip")
    trip.mkdir()
    with Library(db) as library:
        report = Scanner(library).scan()
        assert (len(report.added), report.removed, report.moved) == (6, [], 0)
        assert _photos_by_folder(library)[str(trip)] == (6, 0)
        assert ids_below(library, trip) == before


def test_the_running_watcher_follows_a_folder_made_again_empty(tmp_path: Path) -> None:
    db, pictures, trip, before = _two_watched(tmp_path)
    with Library(db) as library:
        with watching(library) as reports:
            with library.scan_lock:  # both done before the watcher's next scan: Trip is empty
                os.rename(trip, pictures / "Trip")
                trip.mkdir()
            reports.wait_for(lambda r: r.moved == 6)
            time.sleep(1.0)  # a few root checks more
        assert all(not r.removed and not r.added for r in reports.items)
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (0, 0)}
        assert ids_below(library, pictures / "Trip") == before


def test_a_renamed_folder_holding_a_link_that_led_nowhere_before_is_followed(tmp_path: Path) -> None:
    """The fresh-seat audit of stop 54: a link in the folder whose photo had been renamed (its
    entry kept, as the index keeps a link to nothing) made the renamed folder "a folder of its
    own": every photo indexed again, each listed twice. The link moved with the folder, still
    leading nowhere: it is at its place."""
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    write_library(old / "2019", 3)
    (old / "link.jpg").symlink_to(old / "2019" / "photo_0000.jpg")
    with Library(db) as library:
        library.add_folder(old)
        Scanner(library).scan()
        index_pending(library)
    (old / "2019" / "photo_0000.jpg").rename(old / "2019" / "renamed.jpg")  # the link leads nowhere
    with Library(db) as library:
        Scanner(library).scan()
        before = _ids_by_name(library)
    assert "link.jpg" in before  # kept: a link to nothing is not a photo gone
    old.rename(new)
    with Photoscope(db) as app:
        folder = app.add_folder(new)
        assert folder.moved_from == str(old), "taken for a folder of its own"
    with Library(db) as library:
        assert Scanner(library).scan().removed == []
        assert _ids_by_name(library) == before


def test_a_renamed_folder_with_a_drive_unplugged_inside_it_is_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same audit, in its main library: the photos kept from a card unplugged inside the
    folder made the renamed folder a new one. Its empty mount point moved with the folder."""
    points: set[str] = set()
    monkeypatch.setattr(scanner, "mount_points", lambda: set(points))
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    write_library(old, 3)
    write_library(old / "Card", 2, start=10)
    points.add(str(old / "Card"))
    with Library(db) as library:
        library.add_folder(old)
        Scanner(library).scan()
        index_pending(library)
    points.clear()  # the card unplugged: its mount point left empty
    shutil.rmtree(old / "Card")
    (old / "Card").mkdir()
    with Library(db) as library:
        assert Scanner(library).scan().removed == []
        before = _ids_by_name(library)
    assert len(before) == 5
    old.rename(new)
    with Photoscope(db) as app:
        assert app.add_folder(new).moved_from == str(old), "taken for a folder of its own"
    with Library(db) as library:
        assert Scanner(library).scan().removed == []  # the card's photos: still kept, not gone
        assert _ids_by_name(library) == before


def test_two_watched_folders_that_swap_names_are_followed_without_a_note_of_kept_photos(
    tmp_path: Path,
) -> None:
    """The CLI audit of stop 57: A and B swapped names; the scan followed all 4 photos ("4 moved")
    and still said, of each, "another folder is at … now: they are kept until you add its new
    place": nothing was kept."""
    a, b = tmp_path / "A", tmp_path / "B"
    write_library(a, 2)
    write_library(b, 2, start=50)
    with Library(tmp_path / "library.db") as library:
        library.add_folder(a)
        library.add_folder(b)
        Scanner(library).scan()
        index_pending(library)
        a.rename(tmp_path / "swap")
        b.rename(a)
        (tmp_path / "swap").rename(b)
        report = Scanner(library).scan()
        assert report.moved == 4 and report.replaced == [], report
        assert sum(f.away for f in library.folders()) == 0


def test_a_renamed_folder_with_a_photo_deleted_on_the_way_is_followed(tmp_path: Path) -> None:
    """The very directory renamed (its number on the file system it was on): the photo deleted on
    the way is gone, the nine others keep their entries instead of being encoded again."""
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    before = indexed_folder(old, db, count=10)
    old.rename(new)
    (new / "2020" / "photo_0100.jpg").unlink()
    with Photoscope(db) as app:
        assert app.add_folder(new).moved_from == str(old)
        report = app.scanner().scan()
        assert (len(report.added), len(report.removed), report.unchanged) == (0, 1, 9)
    with Library(db) as library:
        del before["2020/photo_0100.jpg"]
        assert _ids_by_name(library) == before


def test_a_renamed_folder_whose_every_photo_is_excluded_keeps_its_rules(tmp_path: Path) -> None:
    """No photo of it in the index to look for (the audit of stop 60's rules, repro_8): the folder
    is known by its directory, and its rules go with it instead of staying on the offline path
    while the next scan indexes what they left out."""
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    write_library(old / "Private", 3)
    with Photoscope(db) as app:
        app.add_folder(old)
        app.scan()
        app.exclude(old / "Private")
        assert app.photo_counts().indexed + app.photo_counts().pending == 0
    old.rename(new)
    with Photoscope(db) as app:
        assert app.add_folder(new).moved_from == str(old)
        assert [f.path for f in app.folders()] == [str(new)]
        assert [r.folder for r in app.exclusion_rules()] == [str(new)]
        app.scan()
        assert app.photo_counts().pending == 0


def test_a_folder_made_where_a_deleted_one_was_numbered_is_not_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory with the old root's number but none of its photos (the number used again after
    the folder was deleted) is a folder of its own."""
    from photoscope.library import relocation

    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    indexed_folder(old, db)
    shutil.rmtree(old)
    write_library(new, 3, start=500)
    with Library(db) as library:
        root_id = library.folders()[0].root_id
    monkeypatch.setattr(relocation, "directory_identity", lambda path: root_id)
    with Photoscope(db) as app:
        assert app.add_folder(new).moved_from is None
        assert {f.path for f in app.folders()} == {str(old), str(new)}


@pytest.mark.parametrize("watcher", [False, True])
def test_a_watched_folder_emptied_into_another_stays_online_and_its_photos_move(
    tmp_path: Path, watcher: bool
) -> None:
    """Audit 98 (repro_2): every photo of a watched Inbox moved into Pictures/2024 left Inbox
    "OFFLINE … plug it in" (an empty root that held photos read as an unplugged drive's bare mount
    point), and each photo listed twice, its old entry "[folder offline]". Inbox is the very directory
    it was, emptied: it stays online and its photos move. The watcher scans what its events name:
    a move's two ends."""
    db, pictures, trip, before = _two_watched(tmp_path)
    (pictures / "2024").mkdir()
    for day in ("day1", "day2"):
        os.rename(trip / day, pictures / "2024" / day)
    with Library(db) as library:
        scan = Scanner(library)
        moved = 0
        for targets in [[trip, pictures / "2024"]] if watcher else [None]:
            report = scan.scan(targets)
            assert report.offline == [] and report.removed == [] and report.added == [], report
            moved += report.moved
        assert moved == 6
        assert all(f.online for f in library.folders())
        assert _photos_by_folder(library) == {str(pictures): (8, 0), str(trip): (0, 0)}
        assert ids_below(library, pictures / "2024") == before  # captions and vectors kept
