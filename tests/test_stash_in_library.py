"""The stash of what left the index is kept in the library's file (schema 20): photos one process took
out (a `folders exclude` from the command line, a scan that saw a `.nomedia`) come back unchanged
into another (`index --watch`, the window) without being encoded again, and with their thumbnails
(audit 92, defect 3 and note 2)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from photos import index_pending, watched_with_subfolder, write_photo

from photoscope.api import PhotoCounts, Photoscope
from photoscope.library import thumbnails
from photoscope.library.db import Library
from photoscope.library.exclusions import ExclusionRule, Stash
from photoscope.library.scanner import Scanner


@pytest.fixture
def pictures(tmp_path: Path, library: Library) -> Path:
    return watched_with_subfolder(tmp_path / "Pictures", library, "Shots")


def _scanner(library: Library, thumbs: Path | None = None) -> Scanner:
    """A scanner with a stash of its own, as each process makes one."""
    return Scanner(library, thumbnail_root=thumbs, stash=Stash(lambda: "tiny@1"))


def _take_out(library: Library, pictures: Path, how: str) -> None:
    if how == "rule":
        library.set_exclusion_rule(ExclusionRule(str(pictures), "pattern", "*.png"), True)
    else:
        (pictures / "Shots" / ".nomedia").touch()


def _bring_back(library: Library, pictures: Path, how: str) -> None:
    if how == "rule":
        library.set_exclusion_rule(ExclusionRule(str(pictures), "pattern", "*.png"), False)
    else:
        (pictures / "Shots" / ".nomedia").unlink()


@pytest.mark.parametrize("how", ["rule", "nomedia"])
def test_photos_one_process_took_out_come_back_into_another_without_encoding(
    library: Library, pictures: Path, how: str
) -> None:
    """Audit 92 (repro_3): `folders exclude` from a terminal took the photos out, `folders include`
    brought them back, and the running `index --watch` encoded them again: the stash was the
    memory of the process that took them out (and a one-off command kept none)."""
    command = _scanner(library)
    command.scan()
    index_pending(library)
    captions = {r.path: r.caption for r in library.photos_by_ids(library.photo_ids())}
    _take_out(library, pictures, how)
    assert len(command.scan().removed) == 3
    with Library(library.path) as elsewhere:  # another process, with its own (empty) memory
        _bring_back(elsewhere, pictures, how)
        report = _scanner(elsewhere).scan()
        assert len(report.added) == 3 and report.restored == 3
        assert elsewhere.counts() == PhotoCounts(indexed=6, pending=0, error=0)
        back = {r.path: r.caption for r in elsewhere.photos_by_ids(elsewhere.photo_ids())}
        assert back == captions
        assert len(elsewhere.load_vectors("latent", model_version="tiny@1")[0]) == 6
        assert len(elsewhere.load_vectors("feature", model_version="tiny@1")[0]) == 6


def test_a_rule_set_and_dropped_by_one_off_commands_encodes_nothing_again(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """Audit 92 (defect 3): `folders exclude` and `folders include` are one-off commands: the first
    kept nothing ("none in a one-off command"), so the photos came back waiting to be encoded."""
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        indexed = app.photo_counts().indexed
        taken_out = len(app.exclude(pattern="red *").removed)
    assert taken_out > 0
    with Photoscope(db, trained_tiny) as app:
        back = app.include(pattern="red *")
        assert len(back.added) == taken_out and back.restored == taken_out
        assert app.photo_counts() == PhotoCounts(indexed=indexed, pending=0, error=0)


@pytest.mark.parametrize("how", ["rule", "nomedia"])
def test_photos_back_from_the_stash_get_their_thumbnails_made_again(
    library: Library, pictures: Path, tmp_path: Path, how: str
) -> None:
    """Audit 92 (note 2): photos a rule or a `.nomedia` took out lose their thumbnails (issue #17);
    back from the stash, not encoded, they had none, and nothing made them again."""
    from PIL import Image

    thumbs = tmp_path / "thumbs"
    scanner = _scanner(library, thumbs)
    scanner.scan()
    index_pending(library)
    for photo in library.photos_by_ids(library.photo_ids()):  # as the indexer writes them
        thumbnails.write_thumbnail(Image.new("RGB", (8, 8)), photo.path, photo.mtime, thumbs)
    _take_out(library, pictures, how)
    assert len(scanner.scan().removed) == 3
    shots = sorted((pictures / "Shots").glob("*.png"))
    assert not any(thumbnails.thumbnail_path(p, thumbs).exists() for p in shots)  # issue #17
    _bring_back(library, pictures, how)
    assert scanner.scan().restored == 3
    back = library.photos_by_ids(library.photo_ids())
    assert all(thumbnails.is_current(r.path, r.mtime, thumbs) for r in back), [r.path for r in back]


def test_stashed_entries_older_than_a_month_are_not_written_back(library: Library, pictures: Path) -> None:
    """Kept in the file, the stash would otherwise hold a photo's entry for ever: after a month (a
    trash's usual time) what left is taken as gone for good, and encoded again if it ever returns."""
    scanner = _scanner(library)
    scanner.scan()
    index_pending(library)
    _take_out(library, pictures, "rule")
    assert len(scanner.scan().removed) == 3
    library.conn.execute("UPDATE stash SET stashed_at = '2000-01-01T00:00:00'")
    library.conn.commit()
    _bring_back(library, pictures, "rule")
    report = _scanner(library).scan()
    assert len(report.added) == 3 and report.restored == 0 and library.pending_count() == 3
    assert library.conn.execute("SELECT count(*) FROM stash").fetchone()[0] == 0


def test_the_stash_in_the_file_keeps_the_latest_entries_up_to_its_bound(
    library: Library, pictures: Path
) -> None:
    scanner = Scanner(library, stash=Stash(lambda: "tiny@1", capacity=2))
    scanner.scan()
    index_pending(library)
    _take_out(library, pictures, "rule")
    assert len(scanner.scan().removed) == 3
    assert library.conn.execute("SELECT count(*) FROM stash").fetchone()[0] == 2
    _bring_back(library, pictures, "rule")
    report = _scanner(library).scan()
    assert len(report.added) == 3 and report.restored == 2 and library.pending_count() == 1
    assert library.conn.execute("SELECT count(*) FROM stash").fetchone()[0] == 0  # written back: gone


def _scan_page(path: Path, seed: int) -> None:
    """A scanned page: white margins top and bottom (more than the 64 KiB the partial hash reads of
    each end of an uncompressed BMP), a different picture between them."""
    import numpy as np
    from PIL import Image

    page = np.full((700, 400, 3), 255, np.uint8)
    page[120:580] = np.random.default_rng(seed).integers(0, 255, (460, 400, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(page).save(path)
    os.utime(path, (1_700_000_000, 1_700_000_000))


def test_another_photo_with_the_same_ends_size_and_time_takes_no_stashed_entry(
    library: Library, tmp_path: Path
) -> None:
    """Audit 93 (repro_1): scan_001.bmp deleted, then scan_002.bmp (another page, the same size, the
    same white ends, the same time) arrived and was written back as scan_001 was: its caption, tags
    and vectors, for good. The partial hash tells JPEGs apart, not what keeps its pixels where it
    reads nothing (a BMP's or TIFF's middle): such a photo comes back by its own name alone."""
    root = tmp_path / "Scans"
    _scan_page(root / "scan_001.bmp", seed=1)
    write_photo(root / "photo.jpg", seed=3)
    write_photo(root / "stays.jpg", seed=4)  # a folder left empty reads as a drive unplugged
    library.add_folder(root)
    scanner = _scanner(library)
    scanner.scan()
    index_pending(library)
    kept = tmp_path / "kept"
    kept.mkdir()
    shutil.move(root / "scan_001.bmp", kept / "scan_001.bmp")
    shutil.move(root / "photo.jpg", kept / "photo.jpg")
    assert len(scanner.scan().removed) == 2
    _scan_page(root / "scan_002.bmp", seed=2)
    assert (root / "scan_002.bmp").stat().st_size == (kept / "scan_001.bmp").stat().st_size
    shutil.move(kept / "photo.jpg", root / "renamed.jpg")  # a JPEG's ends tell it apart: back by them
    report = scanner.scan()
    assert report.restored == 1 and library.counts() == PhotoCounts(indexed=2, pending=1, error=0)
    (root / "scan_002.bmp").unlink()
    scanner.scan()
    shutil.move(kept / "scan_001.bmp", root / "scan_001.bmp")  # the page itself, back by its name
    assert scanner.scan().restored == 1


def test_photos_added_back_by_a_scan_that_died_before_their_entries_were_written_are_restored_later(
    library: Library, pictures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit 93 (repro_2): the rows of photos back from the trash are added in one transaction and
    their stashed entries written in the next; a process killed between the two left them waiting,
    and the next `index` encoded them all again and left their entries in the stash for a month."""
    scanner = _scanner(library)
    scanner.scan()
    index_pending(library)
    kept = pictures.parent / "trash"
    shutil.move(pictures / "Shots", kept)
    assert len(scanner.scan().removed) == 3
    shutil.move(kept, pictures / "Shots")

    def killed(*args: object, **kwargs: object) -> list[tuple[int, str, str]]:
        raise KeyboardInterrupt  # the process dies here

    with monkeypatch.context() as patched:
        patched.setattr(Library, "restore_stashed", killed)
        with pytest.raises(KeyboardInterrupt):
            scanner.scan()
    assert library.counts() == PhotoCounts(indexed=3, pending=3, error=0)
    report = _scanner(library).scan()
    assert report.restored == 3 and library.counts() == PhotoCounts(indexed=6, pending=0, error=0)
    with sqlite3.connect(library.path) as db:
        assert db.execute("SELECT count(*) FROM stash").fetchone() == (0,)  # written back: none left


def test_a_rule_told_to_forget_keeps_nothing_of_the_photos_it_takes_out(
    shapes_library_db: tuple[Path, Path],
    trained_tiny: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Audit 93 (note 1): the stash keeps what a rule took out in the library for a month, captions
    included, and `folders exclude` said the photos left "with their captions": a private folder's
    captions stayed in the file with no way to drop them. `--forget` keeps nothing of them; the
    question and the answer say what is kept."""
    from photoscope.cli import main

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    model = ["--db", str(db)]
    with Photoscope(db, trained_tiny) as app:
        taken_out = len(app.exclude(pattern="red *", forget=True).removed)
        assert taken_out > 0
        back = app.include(pattern="red *")
        assert len(back.added) == taken_out and back.restored == 0  # to be indexed again
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM stash").fetchone() == (0,)
    assert main(["folders", "exclude", "--pattern", "blue *", "--yes", *model]) == 0
    said = capsys.readouterr().out
    assert "left the index (kept a month" in said and "--forget" in said
    assert main(["folders", "include", "--pattern", "blue *", *model]) == 0
    assert "back in the index" in capsys.readouterr().out
    assert main(["folders", "exclude", "--pattern", "blue *", "--forget", "--yes", *model]) == 0
    assert "kept a month" not in capsys.readouterr().out
    assert main(["folders", "include", "--pattern", "blue *", "--forget", *model]) == 2  # exclude's alone


def _stashed_paths(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT path FROM stash")]


def _backed_up_paths(db: Path) -> dict[int, list[str]]:
    """The photo paths each backup beside ``db`` holds, by generation."""
    import gzip
    import json

    from photoscope.library.backup import backup_path

    held: dict[int, list[str]] = {}
    for generation in (0, 1):
        if backup_path(db, generation).exists():
            with gzip.open(backup_path(db, generation), "rb") as f:
                held[generation] = [row[2] for row in json.loads(f.read())["photos"]]
    return held


def test_a_rule_excluded_without_forget_can_be_forgotten_later(
    shapes_library_db: tuple[Path, Path],
    trained_tiny: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Audit 94 (defect 2): `folders exclude` says "--forget keeps none", but `folders exclude
    --forget` of the rule then was refused ("already excluded", status 1): the captions and vectors
    of its photos stayed in the library's file for a month. It forgets them now, and them alone."""
    from photoscope.cli import main

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    model = ["--db", str(db)]
    assert main(["folders", "exclude", "--pattern", "red *", "--yes", *model]) == 0
    assert main(["folders", "exclude", "--pattern", "blue *", "--yes", *model]) == 0
    capsys.readouterr()
    reds = [p for p in _stashed_paths(db) if os.path.basename(p).startswith("red ")]
    blues = [p for p in _stashed_paths(db) if os.path.basename(p).startswith("blue ")]
    assert reds and blues
    assert main(["folders", "exclude", "--pattern", "red *", "--forget", "--yes", *model]) == 0
    said = capsys.readouterr().out
    assert f"forgot the captions and vectors kept of {len(reds)} photos" in said and said.count("\n") == 1
    assert sorted(_stashed_paths(db)) == sorted(blues)  # the other rule's are kept
    with Photoscope(db, trained_tiny) as app:
        assert app.forget_excluded(pattern="blue *") == len(blues)
        assert app.forget_excluded(pattern="blue *") == 0
        assert app.is_excluded(pattern="blue *")  # the rule stays
    assert _stashed_paths(db) == []


@pytest.mark.parametrize("when", ["at once", "later"])
def test_forgotten_photos_leave_the_backups_and_the_vectors_file(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path, when: str
) -> None:
    """Audit 94 (defect 3 and note 1): after `exclude --forget` the older rolling backup (and the
    vectors' mapped file) still held the forgotten photos, paths and captions, until enough changed
    for them to be written again: on a library that does not change, never. The backups keep every
    other photo (a repair's worth), privately."""
    from photoscope.library.backup import backup_path, read_backup
    from photoscope.search.stored import read_sidecar, sidecar_path

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        everyone = {p: i for i, p in app.library.photo_paths(app.library.folders()[0].id)}
        app.library.backup(max_age_s=0, min_age_s=0)
        app.library.backup(max_age_s=0, min_age_s=0)  # both generations hold every photo
        assert len(app.store) == len(everyone)  # the vectors' file written
        if when == "at once":
            app.exclude(pattern="red *", forget=True)
        else:
            app.exclude(pattern="red *")
            app.library.backup(max_age_s=0, min_age_s=0)  # the newest without them, the older with
            app.forget_excluded(pattern="red *")
        reds = {p for p in everyone if os.path.basename(p).startswith("red ")}
        assert reds
        for generation, paths in _backed_up_paths(db).items():
            assert not reds & set(paths), generation
            assert set(paths) == set(everyone) - reds, generation
            assert oct(backup_path(db, generation).stat().st_mode & 0o777) == oct(0o600)
        assert read_backup(db) is not None
        side = read_sidecar(sidecar_path(db), app.model.version, app.model.latent_dim)
        assert side is None or not {everyone[p] for p in reds} & set(side.ids.tolist())


def test_forgetting_a_rule_forgets_nothing_another_rule_took_out(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """Audit 95 (repro_1): `exclude --forget --pattern '*.png'`, a pattern no photo matched, wiped the
    stashed entries of the photos another rule had taken out: every photo the scan found left out
    was forgotten, not only the new rule's."""
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        taken_out = len(app.exclude(pattern="red *").removed)
        assert taken_out > 0 and len(app.exclude(pattern="*.png", forget=True).removed) == 0
        back = app.include(pattern="red *")
        assert len(back.added) == taken_out and back.restored == taken_out


def test_a_backup_no_one_can_read_goes_when_photos_are_forgotten(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """Audit 95 (repro_4): a damaged backup could not be rewritten without the forgotten photos and
    was left as it was, their paths and captions readable in what it still holds."""
    import zlib

    from photoscope.library.backup import backup_path

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        assert app.library.backup(max_age_s=0, min_age_s=0)
        packed = backup_path(db).read_bytes()
        backup_path(db).write_bytes(packed[: len(packed) // 2])  # cut short: half of it still reads
        assert b"/red " in zlib.decompressobj(31).decompress(backup_path(db).read_bytes())
        assert len(app.exclude(pattern="red *", forget=True).removed) > 0
    for generation in (0, 1):
        left = backup_path(db, generation)
        assert not left.exists() or b"/red " not in zlib.decompressobj(31).decompress(left.read_bytes())


def test_forgetting_names_the_copies_of_the_library_that_still_hold_the_photos(
    shapes_library_db: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Audit 95 (repro_5): the copy an upgrade keeps (``library.db.schema-19``) and those a repair
    moves aside (``library.db.damaged-…``) still held the forgotten photos' captions and vectors, and
    nothing said so."""
    from photoscope.cli import main

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    shutil.copy(db, tmp_path / "library.db.schema-19")
    assert main(["folders", "exclude", "--pattern", "red *", "--forget", "--yes", "--db", str(db)]) == 0
    said = capsys.readouterr().out
    assert "library.db.schema-19" in said and "delete" in said
    assert main(["folders", "exclude", "--pattern", "blue *", "--yes", "--db", str(db)]) == 0
    assert "schema-19" not in capsys.readouterr().out  # kept a month, as said: no copy to name


def test_a_rule_whose_photos_could_not_be_taken_out_is_not_kept(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit 95 (repro_2): on a full disk, `exclude --forget` said the library was kept as it was,
    but the rule had been saved before the scan that takes its photos out failed: run again, it was
    "already excluded" and forgot nothing, and the next `index` stashed every photo for a month."""
    from photoscope.library.errors import LibraryError

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        indexed = app.photo_counts().indexed

        def full(*args: object, **kwargs: object) -> list[int]:
            raise sqlite3.OperationalError("database or disk is full")

        with monkeypatch.context() as patched:
            patched.setattr(Library, "apply_scan", full)
            with pytest.raises((LibraryError, sqlite3.Error)):
                app.exclude(pattern="red *", forget=True)
        assert app.library.exclusion_rules() == [] and app.photo_counts().indexed == indexed
        assert len(app.exclude(pattern="red *", forget=True).removed) > 0  # the second try does it


@pytest.mark.parametrize("stash_moved", [True, False])
def test_forgetting_a_rule_that_followed_its_folder_keeps_nothing_of_its_photos(
    trained_tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stash_moved: bool
) -> None:
    """Audit 96 (repro_2): "wedding" excluded, then renamed "wedding (old)"; the rule followed it, but
    `folders exclude --forget` of the rule said it forgot 0 photos while the stash (and the backups)
    still held their captions and vectors under the folder's old name. A library whose rule followed
    before the stash moved with it (``stash_moved`` False) has its entries told by the files there."""
    from synthetic import shape_photo

    from photoscope.api import IndexOptions

    photos, private = tmp_path / "Photos", tmp_path / "Photos" / "wedding"
    private.mkdir(parents=True)
    for i, colour in enumerate(["red", "blue", "green"]):
        shape_photo(colour, "circle", seed=10 + i).save(photos / f"{colour} circle.jpg")
        shape_photo(colour, "square", seed=20 + i).save(private / f"{colour} square.jpg")
    db = tmp_path / "library.db"
    with Photoscope(db, trained_tiny) as app:
        app.add_folder(photos)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
        app.library.backup(max_age_s=0, min_age_s=0)
        app.library.backup(max_age_s=0, min_age_s=0)  # both generations hold every photo
        assert len(app.exclude(path=private).removed) == 3
        moved = private.rename(photos / "wedding (old)")
        if not stash_moved:
            monkeypatch.setattr(Library, "move_stashed", lambda self, old, new: None)
        assert app.scan().rules_followed  # the rule follows the folder
        assert app.is_excluded(path=moved)
        assert app.forget_excluded(path=moved) == 3
    assert _stashed_paths(db) == []
    for generation, paths in _backed_up_paths(db).items():
        assert not [p for p in paths if "square" in p], generation
