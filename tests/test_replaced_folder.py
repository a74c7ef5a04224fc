"""A watched folder renamed away while another folder is made at its place (``~/Pictures`` renamed
``~/Photos``, then a screenshot tool makes ``~/Pictures`` again and saves a file there): the place
is reachable and holds none of the photos, and a scan took them for deleted, every one. Adding the
new place then indexed them again under new ids. They are kept as moved away until the folder's new
place is added (they follow it, with their ids) or the folder is removed; the new folder's own
photos are indexed as usual.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from photos import ids_below, indexed_folder, photo_image, watching, write_photo

from photoscope.api import PhotoCounts, Photoscope
from photoscope.cli import main
from photoscope.library import fs, thumbnails
from photoscope.library.db import Library
from photoscope.library.scanner import Scanner


def _rename_and_make_again(old: Path, new: Path) -> Path:
    """``old`` renamed ``new``, and a screenshot saved in a folder made again at ``old``."""
    old.rename(new)
    return write_photo(old / "Screenshot.png", seed=90)


def test_a_folder_made_again_where_the_watched_one_was_renamed_keeps_its_photos(tmp_path: Path) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    before = indexed_folder(old, db)
    _rename_and_make_again(old, new)
    with Photoscope(db) as app:
        report = app.scan()
        assert report.removed == []  # every photo was taken for deleted
        assert len(report.added) == 1  # the screenshot, in the folder at the old place
        assert report.replaced == [(str(old), 6)]
        [folder] = app.folders()
        assert (folder.path, folder.online, folder.photos, folder.away) == (str(old), True, 7, 6)
        assert app.scan().removed == []  # and at the next scans
    with Library(db) as library:
        assert ids_below(library, old) == {**before, "Screenshot.png": report.added[0]}


@pytest.mark.usefixtures("fast_models")
def test_status_says_why_they_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    indexed_folder(old, db)
    _rename_and_make_again(old, new)
    assert main(["index", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "scanned: 1 new, 0 changed, 0 moved, 0 removed, 0 unchanged" in out
    assert (
        f"another folder is at {old} now than the one 6 photos were indexed from (moved or renamed?):"
        " they are kept until you add its new place (photoscope folders add NEW-PLACE), or remove"
        f" {old} and add it again to let them go"
    ) in out
    assert main(["status", "--db", str(db)]) == 0
    status = capsys.readouterr().out
    assert f"  {old} (7 photos, 6 kept from the folder that was here before: moved or renamed?)" in status
    assert (
        f"  {old}: another folder is here now than the one 6 photos were indexed from (moved or"
        " renamed?): they are kept; add its new place to the library and they follow it"
    ) in status


def test_adding_the_new_place_follows_with_the_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    before = indexed_folder(old, db)
    first = old / "2019" / "photo_0000.jpg"
    thumbnails.write_thumbnail(photo_image(0), first, first.stat().st_mtime)
    _rename_and_make_again(old, new)
    with Photoscope(db) as app:
        app.scan()
    assert main(["folders", "add", str(new), "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"watching {new}: the folder {old} moved here, and its 6 photos keep their index entries"
    ]
    assert thumbnails.thumbnail_path(new / "2019" / "photo_0000.jpg").exists()
    with Photoscope(db) as app:
        assert {f.path: (f.photos, f.away) for f in app.folders()} == {str(old): (1, 0), str(new): (6, 0)}
        report = app.scan()
        assert (report.added, report.removed, report.unchanged, report.replaced) == ([], [], 7, [])
        assert app.photo_counts() == PhotoCounts(indexed=6, pending=1, error=0)  # the screenshot alone
        assert app.scan_problems() == []
    with Library(db) as library:
        assert ids_below(library, new) == before  # the same photos, under the same ids
        assert library.text_search("Photos") and {i for i, _ in library.text_search("Photos")} == set(
            before.values()
        )


def test_removing_the_folder_lets_them_go(tmp_path: Path) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    indexed_folder(old, db)
    _rename_and_make_again(old, new)
    with Photoscope(db) as app:
        app.scan()
        assert app.remove_folder(old) == 7
        assert app.folders() == [] and app.scan_problems() == []


def test_a_folder_restored_in_place_is_the_same_folder(tmp_path: Path) -> None:
    """A backup restored at the place (another directory, the same photos): no photo is kept twice,
    and one the backup lacks is really gone."""
    db, old = tmp_path / "library.db", tmp_path / "Pictures"
    before = indexed_folder(old, db)
    shutil.copytree(old, tmp_path / "backup")
    shutil.rmtree(old)
    shutil.copytree(tmp_path / "backup", old)  # copy2: the same times, as a restore keeps them
    (old / "2020" / "photo_0100.jpg").unlink()  # taken after the backup: lost with the disk
    with Photoscope(db) as app:
        report = app.scan()
        assert (report.added, report.replaced, report.unchanged) == ([], [], 5)
        assert report.removed == [before["2020/photo_0100.jpg"]]
        assert [f.away for f in app.folders()] == [0]
        assert app.scan_problems() == []


def test_photos_emptied_out_of_the_same_folder_are_gone(tmp_path: Path) -> None:
    """The same directory, its photos deleted but one: deleted, not moved away."""
    db, old = tmp_path / "library.db", tmp_path / "Pictures"
    indexed_folder(old, db)
    shutil.rmtree(old / "2019")
    for photo in [*(old / "2020").iterdir()][1:]:
        photo.unlink()
    with Photoscope(db) as app:
        report = app.scan()
        assert (len(report.removed), report.replaced) == (5, [])


def test_a_photo_put_back_at_its_place_is_no_longer_away(tmp_path: Path) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    before = indexed_folder(old, db)
    _rename_and_make_again(old, new)
    with Photoscope(db) as app:
        app.scan()
        shutil.copy2(new / "2019" / "photo_0000.jpg", old / "photo_0000.jpg")  # elsewhere: a copy
        (old / "2019").mkdir()
        shutil.copy2(new / "2019" / "photo_0001.jpg", old / "2019" / "photo_0001.jpg")  # at its place
        report = app.scan()
        assert (len(report.added), report.removed, report.moved) == (1, [], 0)
        assert [f.away for f in app.folders()] == [5]
    with Library(db) as library:
        assert ids_below(library, old)["2019/photo_0001.jpg"] == before["2019/photo_0001.jpg"]


def test_without_trusted_directory_identities_a_scan_does_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system whose directories' numbers change from one mount to the next (FAT, some network
    shares) tells nothing by them: the folder is scanned as it always was."""
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    indexed_folder(old, db)
    monkeypatch.setattr(fs, "file_system_type", lambda path: "vfat")
    _rename_and_make_again(old, new)
    with Photoscope(db) as app:
        report = app.scan()
        assert (len(report.removed), report.replaced) == (6, [])


def test_the_running_watcher_keeps_them_too(tmp_path: Path) -> None:
    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    before = indexed_folder(old, db)
    with Library(db) as library:
        with watching(library) as reports:
            old.rename(new)
            old.mkdir()  # an empty folder at the place: offline, as a drive's bare mount point
            time.sleep(0.5)
            write_photo(old / "Screenshot.png", seed=90)
            found = reports.wait_for(lambda r: len(r.added) == 1)
            time.sleep(1.0)  # a few root checks more
        assert all(not r.removed for r in [found, *reports.items])
        kept = ids_below(library, old)
        assert {k: v for k, v in kept.items() if k != "Screenshot.png"} == before
        assert [f.away for f in library.folders()] == [6]


@pytest.mark.parametrize("source", ["the damaged file", "the backup"])
def test_a_repair_keeps_them_moved_away(tmp_path: Path, source: str) -> None:
    """Without the mark and the root's identity, the first scan after `doctor --repair` took them
    for deleted."""
    from photoscope.library import doctor

    db, old, new = tmp_path / "library.db", tmp_path / "Pictures", tmp_path / "Photos"
    before = indexed_folder(old, db)
    _rename_and_make_again(old, new)
    with Library(db) as library:
        Scanner(library).scan()
        library.backup(max_age_s=0)
        if source == "the backup":  # the damaged file lost its marks: the backup has them
            library.db.execute("DELETE FROM moved_away")
    doctor._rebuild(db, doctor.DoctorReport(db))
    with Library(db) as repaired:
        assert [f.away for f in repaired.folders()] == [6]
        assert Scanner(repaired).scan().removed == []
        kept = ids_below(repaired, old)
        assert {k: v for k, v in kept.items() if k != "Screenshot.png"} == before
