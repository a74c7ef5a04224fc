"""The stash of what left the index is kept in the library's file (schema 20): photos one process took
out (a `folders exclude` from the command line, a scan that saw a `.nomedia`) come back unchanged
into another (`index --watch`, the window) without being encoded again, and with their thumbnails
(audit 92, defect 3 and note 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from photos import index_pending, write_photo

from photoscope.api import PhotoCounts, Photoscope
from photoscope.library import thumbnails
from photoscope.library.db import Library
from photoscope.library.exclusions import ExclusionRule, Stash
from photoscope.library.scanner import Scanner


@pytest.fixture
def pictures(tmp_path: Path, library: Library) -> Path:
    root = tmp_path / "Pictures"
    for i in range(3):
        write_photo(root / f"photo_{i}.jpg", seed=i)
        write_photo(root / "Shots" / f"shot_{i}.png", seed=10 + i)
    library.add_folder(root)
    return root


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
