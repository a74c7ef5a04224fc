"""Hidden folders and files (issue #17): left out by default, a library setting indexes them; the
scanner and the watcher apply it, photos leave the index when it goes off and come back, without
being encoded again, when it comes on; a watched folder that is itself hidden is always indexed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from gui_support import press, write_shapes
from photos import Reports, index_pending, photo_image, write_photo
from PySide6.QtCore import QPoint, Qt

from photoscope.api import PhotoCounts, Photoscope
from photoscope.cli import main
from photoscope.library import thumbnails
from photoscope.library.db import Library
from photoscope.library.exclusions import Rules, Stash, indexes_hidden, set_indexes_hidden
from photoscope.library.scanner import Scanner, ScanReport
from photoscope.library.watcher import FolderWatcher

TIMEOUT = 20.0
SHOWN = {"photo_0.jpg", "ok.jpg"}
HIDDEN = {"in_hidden_folder.jpg", ".hidden_file.jpg"}


@pytest.fixture
def dot_photos(tmp_path: Path, library: Library) -> Path:
    """A watched folder that is itself hidden (the user named it), holding a hidden folder, a hidden
    file and a macOS ``._`` companion file beside its ordinary photos."""
    root = tmp_path / ".photos"
    write_photo(root / "photo_0.jpg", seed=0)
    write_photo(root / "sub" / "ok.jpg", seed=1)
    write_photo(root / ".album" / "in_hidden_folder.jpg", seed=2)
    write_photo(root / "sub" / ".hidden_file.jpg", seed=3)
    write_photo(root / "sub" / "._ok.jpg", seed=4)  # the Finder's metadata: never a photo
    library.add_folder(root)
    return root


def _names(library: Library) -> set[str]:
    return {Path(r[0]).name for r in library.db.execute("SELECT path FROM photos").fetchall()}


def test_rules_leave_out_hidden_entries_below_the_root_only(tmp_path: Path) -> None:
    root = str(tmp_path / ".photos")
    off, on = Rules([], [root]), Rules([], [root], hidden=True)
    for path in (".album/a.jpg", "sub/.a.jpg", "a/.b/c/d.jpg"):
        assert off.excludes(f"{root}/{path}") and not on.excludes(f"{root}/{path}"), path
    for path in ("a.jpg", "sub/a.b.jpg", "sub.d/a.jpg"):
        assert not off.excludes(f"{root}/{path}"), path


def test_a_scan_skips_hidden_folders_unless_the_setting_says_and_they_come_back_without_encoding(
    library: Library, dot_photos: Path, tmp_path: Path
) -> None:
    restored: list[int] = []
    thumbs = tmp_path / "thumbnails"
    scanner = Scanner(library, thumbnail_root=thumbs, stash=Stash(lambda: "tiny@1", restored.extend))
    assert not indexes_hidden(library)
    scanner.scan()
    assert _names(library) == SHOWN  # the hidden root itself is indexed, what is hidden below it not
    assert set_indexes_hidden(library, True) and not set_indexes_hidden(library, True)
    report = scanner.scan()
    assert len(report.added) == 2 and _names(library) == SHOWN | HIDDEN  # never "._ok.jpg"
    index_pending(library)
    hidden_paths = [dot_photos / ".album" / "in_hidden_folder.jpg", dot_photos / "sub" / ".hidden_file.jpg"]
    for path in hidden_paths:
        thumbnails.write_thumbnail(photo_image(0), path, path.stat().st_mtime, thumbs)
    captions = {r.caption for r in library.photos_by_ids(library.photo_ids())}

    # Off: their rows, vectors and thumbnails leave the index; a rescan keeps them out.
    assert set_indexes_hidden(library, False)
    report = scanner.scan()
    assert len(report.removed) == 2 and _names(library) == SHOWN
    assert len(library.load_vectors("latent")[0]) == 2 and len(library.load_vectors("feature")[0]) == 2
    assert not any(thumbnails.thumbnail_path(p, thumbs).exists() for p in hidden_paths)
    assert scanner.scan().anything is False

    # On again: back as indexed, with their captions and vectors; nothing for the worker to encode.
    set_indexes_hidden(library, True)
    report = scanner.scan()
    assert len(report.added) == 2 and sorted(restored) == sorted(report.added)
    assert library.counts() == PhotoCounts(indexed=4, pending=0, error=0)
    assert {r.caption for r in library.photos_by_ids(library.photo_ids())} == captions
    assert len(library.load_vectors("latent")[0]) == 4


def test_a_targeted_scan_of_a_hidden_path_follows_the_setting(library: Library, dot_photos: Path) -> None:
    scanner = Scanner(library)
    scanner.scan()
    target = dot_photos / ".album" / "in_hidden_folder.jpg"
    assert scanner.scan([target]).added == []
    set_indexes_hidden(library, True)
    assert len(scanner.scan([target]).added) == 1
    assert len(scanner.scan([dot_photos / "sub" / ".hidden_file.jpg"]).added) == 1


def test_the_watcher_follows_hidden_folders_only_while_the_setting_is_on(
    library: Library, dot_photos: Path
) -> None:
    reports = Reports(TIMEOUT)

    scanner = Scanner(library)
    watched: list[list[str]] = []
    real_scan = scanner.scan

    def scan(targets: Iterable[str | Path] | None = None) -> ScanReport:
        watched.append([Path(t).name for t in targets] if targets is not None else ["<all>"])
        return real_scan(targets)

    scanner.scan = scan  # type: ignore[method-assign]
    watcher = FolderWatcher(library, scanner, debounce_s=0.3, root_check_s=60, on_queued=reports)
    watcher.start()
    try:
        reports.wait_for(lambda r: len(r.added) == 2)
        # Off: a photo in a hidden folder costs no scan; one in the (hidden) root is indexed live.
        write_photo(dot_photos / ".album" / "new_hidden.jpg", seed=5)
        write_photo(dot_photos / "new.jpg", seed=6)
        reports.wait_for(lambda r: len(r.added) == 1)
        assert _names(library) == SHOWN | {"new.jpg"}
        assert not any("new_hidden.jpg" in names or ".album" in names for names in watched), watched
        # On (as the API turns it on: the setting, then a scan of the folders): live from now on.
        set_indexes_hidden(library, True)
        scanner.scan()
        assert _names(library) == SHOWN | HIDDEN | {"new.jpg", "new_hidden.jpg"}
        reports.clear()
        write_photo(dot_photos / ".album" / ".deeper" / "newer_hidden.jpg", seed=7)
        reports.wait_for(lambda r: len(r.added) == 1)
        assert "newer_hidden.jpg" in _names(library)
        # Off again, by another process say (the setting is read at each flush): not followed.
        set_indexes_hidden(library, False)
        reports.clear()
        write_photo(dot_photos / ".album" / "off_again.jpg", seed=8)
        write_photo(dot_photos / "newest.jpg", seed=9)
        reports.wait_for(lambda r: len(r.added) == 1)
        assert "newest.jpg" in _names(library) and "off_again.jpg" not in _names(library)
        assert not any("off_again.jpg" in names for names in watched), watched
    finally:
        watcher.stop()


def test_folders_hidden_on_off_from_the_command_line(library: Library, dot_photos: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(library.path)
    Scanner(library).scan()
    assert main(["folders", "hidden", "--db", db]) == 0
    assert "hidden folders and files: left out" in capsys.readouterr().out
    assert main(["folders", "hidden", "on", "--db", db]) == 0
    assert (
        "indexed; 2 photos found: they wait to be indexed" in capsys.readouterr().out
    )  # the CLI audit: "back"
    assert main(["folders", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith(str(dot_photos)) and "hidden folders and files: indexed" in out
    assert _names(library) == SHOWN | HIDDEN
    assert main(["folders", "hidden", "off", "--db", db]) == 0
    assert "left out; 2 photos left the index" in capsys.readouterr().out
    assert _names(library) == SHOWN
    assert main(["folders", "hidden", "maybe", "--db", db]) == 2
    assert "takes on or off" in capsys.readouterr().err


def test_the_library_dialog_checkbox_turns_the_setting_on_and_off(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    photos = tmp_path / "Photos"
    write_shapes(photos, per_kind=1)
    write_shapes(photos / ".kept", per_kind=1, seed=40)
    db = tmp_path / "library.db"
    with Photoscope(db) as api:
        api.add_folder(photos)
        api.scanner().scan()
        assert api.photo_counts().pending == 8
    window = make_window(db)
    window.index_status.pause_button.setChecked(True)  # the counts stay put: nothing is encoded
    window.show_library()
    dialog = window.library_dialog
    box = dialog.exclusions.hidden_box
    qtbot.waitUntil(lambda: box.isEnabled())
    assert not box.isChecked() and "hidden" in box.text()
    box.setFocus()
    qtbot.waitUntil(lambda: box.hasFocus())
    with qtbot.waitSignal(dialog.changed, timeout=20_000):
        press(qtbot, Qt.Key.Key_Space)
    api = window.api
    assert api is not None and api.indexes_hidden()
    assert api.photo_counts().total == 16
    qtbot.waitUntil(lambda: box.isEnabled() and box.isChecked())
    with qtbot.waitSignal(dialog.changed, timeout=20_000):
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))  # the box
    assert not api.indexes_hidden() and api.photo_counts().total == 8
    qtbot.waitUntil(lambda: box.isEnabled() and not box.isChecked())


@pytest.mark.parametrize("loss", ["destroyed", "damaged"])
def test_a_repaired_library_keeps_the_setting(tmp_path: Path, loss: str) -> None:
    """Losing the setting would take the hidden folders' photos out at the next scan."""
    from photoscope.library.doctor import examine

    db = tmp_path / "library.db"
    with Library(db) as library:
        library.add_folder(tmp_path)
        assert set_indexes_hidden(library, True)
    if loss == "destroyed":  # the backup has it
        db.write_bytes(b"\x5a" * 8192)
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    else:  # the damaged file's own rows have it
        import sqlite3

        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'photos'").fetchone()[0]
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        with open(db, "r+b") as f:
            f.seek((root - 1) * page_size)
            f.write(b"\x5a" * page_size)
        (tmp_path / "library.db.backup.json.gz").unlink()
    assert examine(db, repair=True).fixed
    with Library(db) as library:
        assert indexes_hidden(library) and [f.path for f in library.folders()] == [str(tmp_path)]


def test_windows_hidden_attribute_counts_like_a_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a folder is hidden by its attribute; here the attribute is stood in for by inode."""
    from photoscope.library import exclusions, fs

    root = tmp_path / "Pictures"
    write_photo(root / "Secret" / "a.jpg", seed=1)
    write_photo(root / "b.jpg", seed=2)
    secret = (root / "Secret").stat().st_ino

    def marked(st: object) -> bool:
        return getattr(st, "st_ino", None) == secret

    for module in (fs, exclusions):
        monkeypatch.setattr(module, "HIDDEN_ATTRIBUTES", True)
        monkeypatch.setattr(module, "hidden_by_attribute", marked)
    assert [Path(s.path).name for s in fs.walk_photos(str(root))] == ["b.jpg"]
    assert sorted(Path(s.path).name for s in fs.walk_photos(str(root), hidden=True)) == ["a.jpg", "b.jpg"]
    assert Rules([], [str(root)]).excludes(str(root / "Secret" / "a.jpg"))
    assert not Rules([], [str(root)]).excludes(str(root / "b.jpg"))
    assert not Rules([], [str(root)], hidden=True).excludes(str(root / "Secret" / "a.jpg"))


def test_a_watched_hidden_folder_is_not_absorbed_while_hidden_folders_are_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Watching ~/Pictures after ~/Pictures/.private would make .private a hidden folder below a
    watched one: its photos would leave the index. Refused, until the user turns the setting on."""
    private = tmp_path / "Pictures" / ".private"
    write_photo(private / "a.jpg", seed=1)
    write_photo(tmp_path / "Pictures" / "b.jpg", seed=2)
    db = tmp_path / "library.db"
    with Photoscope(db) as api:
        api.add_folder(private)
        api.scanner().scan()
        before = {p.path: p.id for p in api.library.photos_by_ids(api.library.photo_ids())}
    assert main(["folders", "add", str(tmp_path / "Pictures"), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "hidden inside it" in err and "photoscope folders hidden on" in err and "Traceback" not in err
    assert main(["folders", "hidden", "on", "--db", str(db)]) == 0
    assert main(["folders", "add", str(tmp_path / "Pictures"), "--db", str(db)]) == 0
    with Photoscope(db) as api:
        assert [f.path for f in api.folders()] == [str(tmp_path / "Pictures")]
        api.scanner().scan()
        after = {p.path: p.id for p in api.library.photos_by_ids(api.library.photo_ids())}
    assert {path: after[path] for path in before} == before  # the same photos, the same ids


def test_photoscope_s_own_folders_are_never_indexed_even_with_hidden_folders_on(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit of stop 57: the home folder watched with hidden folders on indexed the thumbnail
    cache (~/.cache/thumbnails), which indexing fills: each `index` added photos, without end. The
    thumbnail cache and Photoscope's own cache and data folders are never walked; the user's own
    hidden folders are."""
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    write_photo(home / "Pictures" / "a.jpg", seed=0)
    write_photo(home / ".album" / "kept.jpg", seed=1)
    for own in (".cache/thumbnails/large/t.jpg", ".cache/photoscope/c.jpg", ".local/share/photoscope/d.jpg"):
        write_photo(home / own, seed=2)
    library.add_folder(home)
    set_indexes_hidden(library, True)
    scanner = Scanner(library)
    scanner.scan()
    assert _names(library) == {"a.jpg", "kept.jpg"}
    written = home / ".cache" / "thumbnails" / "large" / "new.jpg"  # as the watcher reports it
    write_photo(written, seed=3)
    assert scanner.scan([written]).added == [] and scanner.scan().added == []


def test_a_folder_whose_photos_all_lie_in_a_hidden_folder_stays_online(
    library: Library, tmp_path: Path
) -> None:
    """The CLI audit of stop 57: with hidden folders on, a watched folder holding only ``.backup``
    read as an unplugged drive's bare mount point: offline at every scan, its photos never indexed.
    A bare mount point's own hidden folders (``.Trash-1000``) still read so."""
    root = tmp_path / "pics"
    for i in range(2):
        write_photo(root / ".backup" / f"p{i}.jpg", seed=i)
    library.add_folder(root)
    set_indexes_hidden(library, True)
    scanner = Scanner(library)
    assert len(scanner.scan().added) == 2
    for _ in range(2):
        report = scanner.scan()
        assert report.offline == [] and library.folders()[0].online, report
    # the drive unplugged: its bare mount point is another directory than the drive's root (the
    # very directory, emptied, is the folder still there: audit 98, repro_2)
    root.rename(tmp_path / "elsewhere")
    (root / ".Trash-1000" / "files").mkdir(parents=True)
    assert scanner.scan().offline == [str(root)] and len(library.photo_ids()) == 2
