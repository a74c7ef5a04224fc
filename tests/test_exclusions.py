"""Exclusion rules: subfolders, glob patterns and ignore files, applied by scans and the watcher;
photos a rule took out come back when it goes, without being encoded again."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from photos import Reports, index_pending, watched_with_subfolder, write_photo

from photoscope.api import PhotoCounts
from photoscope.cli import main
from photoscope.library.db import Library
from photoscope.library.exclusions import ExclusionRule, Rules, Stash, ignored_because, rule_for
from photoscope.library.scanner import Scanner
from photoscope.library.watcher import FolderWatcher

TIMEOUT = 20.0


def test_every_rule_kind(tmp_path: Path) -> None:
    root = str(tmp_path / "Pictures")
    (tmp_path / "Pictures" / "Phone" / "cache").mkdir(parents=True)
    (tmp_path / "Pictures" / "Phone" / "cache" / ".nomedia").touch()
    (tmp_path / "Pictures" / "Private").mkdir()
    (tmp_path / "Pictures" / "Private" / ".photoscopeignore").touch()
    rules = Rules(
        [
            ExclusionRule(root, "folder", "Work/Scans"),
            ExclusionRule(root, "pattern", "*.png"),
            ExclusionRule(root, "pattern", "*/Screenshots/*"),
        ],
        [root],
    )
    out = [
        "Work/Scans/a.jpg",  # a subfolder rule, and everything below it
        "Work/Scans/2020/b.jpg",
        "trip/map.PNG",  # a glob, whatever the case
        "Screenshots/s.jpg",  # */Screenshots/* at the top ...
        "Phone/Screenshots/s.jpg",  # ... and deeper
        "Phone/cache/thumb.jpg",  # .nomedia
        "Private/x/y.jpg",  # .photoscopeignore, below too
    ]
    kept = ["Work/Scans2/a.jpg", "Work/a.jpg", "trip/png.jpg", "Phone/photo.jpg", "Screenshots.jpg"]
    assert [p for p in out if not rules.excludes(f"{root}/{p}")] == []
    assert [p for p in kept if rules.excludes(f"{root}/{p}")] == []
    assert not rules.excludes(str(tmp_path / "elsewhere" / "a.png"))  # not in a watched folder


def test_a_pattern_with_a_slash_is_anchored_at_the_watched_folder(tmp_path: Path) -> None:
    """The audit of stop 39: `Screenshots/*` left out nothing (the path it was matched with began
    with "/"), and `*/*` left out the photos at the top of the folder as well as those below."""
    root = str(tmp_path / "Pictures")

    def left_out(pattern: str) -> list[str]:
        rules = Rules([ExclusionRule(root, "pattern", pattern)], [root])
        paths = ["a.jpg", "Screenshots/s.jpg", "Phone/Screenshots/s.jpg", "Phone/p.jpg"]
        return [p for p in paths if rules.excludes(f"{root}/{p}")]

    assert left_out("Screenshots/*") == ["Screenshots/s.jpg"]
    assert left_out("*/*") == ["Screenshots/s.jpg", "Phone/Screenshots/s.jpg", "Phone/p.jpg"]
    assert left_out("*/Screenshots/*") == ["Screenshots/s.jpg", "Phone/Screenshots/s.jpg"]
    assert left_out("Phone/*.jpg") == ["Phone/Screenshots/s.jpg", "Phone/p.jpg"]  # * crosses "/"


def test_a_pattern_matches_a_name_however_its_accents_are_encoded(tmp_path: Path) -> None:
    """The fresh-seat audit of stop 59: `--pattern 'ç*'` left out "ça.jpg" written as one character
    (NFC, as Linux and Windows keep it), not its twin written as "c" and a combining cedilla (NFD, as
    macOS writes names): the two look the same."""
    import unicodedata

    root = str(tmp_path / "Pictures")
    nfc, nfd = (unicodedata.normalize(form, "ça va.jpg") for form in ("NFC", "NFD"))
    for pattern in (unicodedata.normalize("NFC", "ç*"), unicodedata.normalize("NFD", "ç*")):
        rules = Rules([ExclusionRule(root, "pattern", pattern)], [root])
        assert rules.excludes(f"{root}/{nfc}") and rules.excludes(f"{root}/{nfd}")
        assert rules.excludes(f"{root}/Été/{nfd}") and not rules.excludes(f"{root}/cava.jpg")


def test_rules_from_what_the_user_names(tmp_path: Path) -> None:
    root = str(tmp_path / "Pictures")
    other = str(tmp_path / "Other")
    assert rule_for([root, other], path=f"{root}/Work/Scans/") == [
        ExclusionRule(root, "folder", "Work/Scans")
    ]
    assert rule_for([root, other], pattern="*.png") == [
        ExclusionRule(root, "pattern", "*.png"),
        ExclusionRule(other, "pattern", "*.png"),
    ]
    assert rule_for([root, other], pattern="*.png", folder=other) == [
        ExclusionRule(other, "pattern", "*.png")
    ]
    for bad in (
        dict(path=str(tmp_path / "nowhere")),
        dict(path=root),  # the watched folder itself: remove it instead
        dict(pattern=" "),
        dict(pattern="*.png", folder=str(tmp_path)),
        dict(),
    ):
        with pytest.raises(ValueError):
            rule_for([root, other], **bad)  # type: ignore[arg-type]


@pytest.fixture
def pictures(tmp_path: Path, library: Library) -> Path:
    return watched_with_subfolder(tmp_path / "Pictures", library, "Screenshots")


def _paths(library: Library) -> set[str]:
    return {Path(r[0]).name for r in library.db.execute("SELECT path FROM photos").fetchall()}


def test_rescans_apply_rules_and_photos_come_back_without_encoding(library: Library, pictures: Path) -> None:
    restored: list[int] = []
    stash = Stash(lambda: "tiny@1", restored.extend)
    scanner = Scanner(library, stash=stash)
    scanner.scan()
    index_pending(library)
    captions = {r.path: (r.caption, r.tags) for r in library.photos_by_ids(library.photo_ids())}
    _, before = library.load_vectors("latent")
    root = library.folders()[0].path
    rule = ExclusionRule(root, "pattern", "*.png")
    assert library.set_exclusion_rule(rule, True) and library.exclusion_rules() == [rule]
    assert not library.set_exclusion_rule(rule, True)  # already there
    report = scanner.scan()
    assert len(report.removed) == 3 and _paths(library) == {f"photo_{i}.jpg" for i in range(3)}
    assert len(library.load_vectors("latent")[0]) == 3 and len(library.load_vectors("feature")[0]) == 3
    assert scanner.scan().anything is False  # a rescan keeps them out
    assert library.set_exclusion_rule(rule, False) and library.exclusion_rules() == []
    report = scanner.scan()
    assert len(report.added) == 3 and sorted(restored) == sorted(report.added)
    # Back as indexed with their captions, tags and vectors: the worker has nothing to encode.
    assert library.counts() == PhotoCounts(indexed=6, pending=0, error=0)
    after = {r.path: (r.caption, r.tags) for r in library.photos_by_ids(library.photo_ids())}
    assert sorted(after.values()) == sorted(captions.values())
    _, vectors = library.load_vectors("latent")
    assert np.array_equal(np.sort(before[:, 0]), np.sort(vectors[:, 0]))
    assert len(library.load_vectors("feature")[0]) == 6


@pytest.mark.parametrize("watched", [False, True])
def test_a_photo_moved_into_an_excluded_folder_and_back_comes_back_without_encoding(
    library: Library, pictures: Path, watched: bool
) -> None:
    """Audit 80: under ``index --watch`` a photo moved into an excluded folder left the index ("1
    removed") and, moved back, was encoded again ("indexed 1 photo"): its entry was stashed only
    when a rule took out the path it had, not when it went where a rule leaves it out."""
    restored: list[int] = []
    stash = Stash(lambda: "tiny@1", restored.extend)
    scanner = Scanner(library, stash=stash)
    scanner.scan()
    index_pending(library)
    library.set_exclusion_rule(ExclusionRule(library.folders()[0].path, "folder", "Private"), True)
    (pictures / "Private").mkdir()
    if watched:
        reports = Reports(TIMEOUT)
        watcher = FolderWatcher(library, scanner, debounce_s=0.3, root_check_s=0.2, on_queued=reports)
        watcher.start()
    try:
        (pictures / "photo_0.jpg").rename(pictures / "Private" / "photo_0.jpg")
        if watched:
            reports.wait_for(lambda r: len(r.removed) == 1)
        else:
            assert len(scanner.scan().removed) == 1
        (pictures / "Private" / "photo_0.jpg").rename(pictures / "photo_0.jpg")
        if watched:
            reports.wait_for(lambda r: len(r.added) == 1)
        else:
            assert len(scanner.scan().added) == 1
    finally:
        if watched:
            watcher.stop()
    assert len(restored) == 1 and library.counts() == PhotoCounts(indexed=6, pending=0, error=0)


def test_without_a_stash_they_come_back_pending(library: Library, pictures: Path) -> None:
    scanner = Scanner(library)
    scanner.scan()
    library.set_exclusion_rule(ExclusionRule(library.folders()[0].path, "folder", "Screenshots"), True)
    assert len(scanner.scan().removed) == 3
    library.set_exclusion_rule(ExclusionRule(library.folders()[0].path, "folder", "Screenshots"), False)
    assert len(scanner.scan().added) == 3 and library.pending_count() == 6


def test_the_watcher_applies_ignore_files_live(library: Library, pictures: Path) -> None:
    reports = Reports(TIMEOUT)

    watcher = FolderWatcher(library, Scanner(library), debounce_s=0.3, root_check_s=0.2, on_queued=reports)
    watcher.start()
    try:
        reports.wait_for(lambda r: len(r.added) == 6)
        (pictures / "Screenshots" / ".nomedia").touch()
        reports.wait_for(lambda r: len(r.removed) == 3)
        assert _paths(library) == {f"photo_{i}.jpg" for i in range(3)}
        (pictures / "Screenshots" / ".nomedia").unlink()
        reports.wait_for(lambda r: len(r.added) == 3)
        assert len(_paths(library)) == 6
    finally:
        watcher.stop()


def test_a_rule_that_takes_half_a_folder_asks_first(  # type: ignore[no-untyped-def]
    pictures: Path, library: Library, capsys, monkeypatch
) -> None:
    """The CLI audit of stop 47: `folders exclude --pattern '*'` took every photo's captions and
    vectors at once, with no question, where the window asks first. Without a terminal it is
    refused unless --yes; on one, the answer decides."""
    import io

    db = str(library.path)
    Scanner(library).scan()
    before = _paths(library)
    assert main(["folders", "exclude", "--pattern", "*", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "this rule takes all 6 photos of its folder out of the index (their captions and" in err
    assert "add --yes to exclude them" in err and _paths(library) == before

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["folders", "exclude", "--pattern", "*.png", "--db", db]) == 2
    assert "nothing excluded" in capsys.readouterr().err and _paths(library) == before
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert main(["folders", "exclude", "--pattern", "*.png", "--db", db]) == 0
    assert "3 photos left the index" in capsys.readouterr().out
    assert main(["folders", "exclude", "--pattern", "*", "--yes", "--db", db]) == 0
    assert _paths(library) == set()


def test_folders_exclude_include_and_list(pictures: Path, library: Library, capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(library.path)
    Scanner(library).scan()
    assert main(["folders", "exclude", str(pictures / "Screenshots"), "--yes", "--db", db]) == 0  # half
    assert "3 photos left the index" in capsys.readouterr().out
    assert main(["folders", "exclude", "--pattern", "photo_0.*", "--db", db]) == 0
    assert "1 photo left the index" in capsys.readouterr().out
    assert main(["folders", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"excluded: {pictures / 'Screenshots'}" in out and "excluded: photo_0.*" in out
    assert main(["folders", "include", str(pictures / "Screenshots"), "--db", db]) == 0
    back = capsys.readouterr().out  # a one-off command keeps nothing: they wait to be indexed again
    assert "3 photos back: they wait to be indexed (`photoscope index`" in back
    assert main(["folders", "exclude", "--db", db]) == 2
    assert main(["folders", "exclude", "/nowhere/at/all", "--db", db]) == 2
    assert _paths(library) == {"photo_1.jpg", "photo_2.jpg", *(f"shot_{i}.png" for i in range(3))}


def test_a_pattern_is_one_rule_in_any_case(pictures: Path, library: Library, capsys) -> None:  # type: ignore[no-untyped-def]
    """The fresh-seat audit of stop 54: patterns match in any case, as the help says, but
    `include --pattern 'screenshots/*'` of the rule `Screenshots/*` said "no such exclusion rule"."""
    db = str(library.path)
    Scanner(library).scan()
    assert main(["folders", "exclude", "--pattern", "Screenshots/*", "--yes", "--db", db]) == 0
    assert "3 photos left the index" in capsys.readouterr().out
    assert main(["folders", "exclude", "--pattern", "SCREENSHOTS/*", "--db", db]) == 1  # the same rule
    assert "is already excluded" in capsys.readouterr().err
    assert main(["folders", "include", "--pattern", "screenshots/*", "--db", db]) == 0
    assert "3 photos back" in capsys.readouterr().out
    assert library.exclusion_rules() == []


def test_an_entry_kept_for_a_link_that_leads_nowhere_leaves_when_a_rule_excludes_it(
    pictures: Path,
    library: Library,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """The fresh-seat audit of stop 54: a link whose photo had been renamed kept its entry (as a
    link to nothing does), and `folders exclude` of the link, or of its folder's pattern, left it in
    the index ("0 photos left the index")."""
    link = pictures / "Links" / "link.jpg"
    link.parent.mkdir()
    link.symlink_to(pictures / "photo_0.jpg")
    Scanner(library).scan()
    (pictures / "photo_0.jpg").rename(pictures / "renamed.jpg")  # the link leads nowhere
    assert Scanner(library).scan().removed == [] and "link.jpg" in _paths(library)  # kept
    db = str(library.path)
    assert main(["folders", "exclude", str(link), "--yes", "--db", db]) == 0
    assert "1 photo left the index" in capsys.readouterr().out
    assert "link.jpg" not in _paths(library)
    assert main(["folders", "include", str(link), "--db", db]) == 0
    capsys.readouterr()
    (pictures / "renamed.jpg").rename(pictures / "photo_0.jpg")  # it leads to its photo again
    Scanner(library).scan()
    assert "link.jpg" in _paths(library)  # back with the rule gone
    (pictures / "photo_0.jpg").rename(pictures / "renamed.jpg")
    assert Scanner(library).scan().removed == [] and "link.jpg" in _paths(library)
    assert main(["folders", "exclude", "--pattern", "Links/*", "--yes", "--db", db]) == 0
    assert "1 photo left the index" in capsys.readouterr().out and "link.jpg" not in _paths(library)


def test_a_folder_included_while_another_rule_leaves_its_photos_out_says_so(  # type: ignore[no-untyped-def]
    pictures: Path, library: Library, capsys
) -> None:
    """The fresh-seat audit of stop 51: `folders include ~/Pictures/Screenshots` while `*.png` was
    excluded said "no photo came back", naming nothing that kept them out."""
    db = str(library.path)
    Scanner(library).scan()
    assert main(["folders", "exclude", str(pictures / "Screenshots"), "--yes", "--db", db]) == 0
    assert main(["folders", "exclude", "--pattern", "*.png", "--yes", "--db", db]) == 0
    capsys.readouterr()
    assert main(["folders", "include", str(pictures / "Screenshots"), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "no photo came back: its 3 photos are still left out by another rule" in out
    assert "`photoscope folders list` shows the rules" in out
    assert main(["folders", "exclude", "--pattern", "shot_*", "--yes", "--db", db]) == 0
    capsys.readouterr()
    assert main(["folders", "include", "--pattern", "*.png", "--db", db]) == 0
    assert "no photo came back: its 3 photos are still left out by another rule" in capsys.readouterr().out


def test_a_hidden_folder_included_while_hidden_folders_are_left_out_says_why_none_came_back(  # type: ignore[no-untyped-def]
    pictures: Path, library: Library, capsys, monkeypatch
) -> None:
    """Audit 100's notes: `folders include ~/Pictures/.secret` with hidden folders off said "no
    photo came back", true but not why: hidden folders are left out, and the way in is said."""
    db = str(library.path)
    for i in range(2):
        write_photo(pictures / ".secret" / f"private_{i}.jpg", seed=40 + i)
    Scanner(library).scan()
    assert main(["folders", "exclude", str(pictures / ".secret"), "--yes", "--db", db]) == 0
    capsys.readouterr()
    assert main(["folders", "include", str(pictures / ".secret"), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "no photo came back: it is hidden, and hidden folders are left out" in out, out
    assert "`photoscope folders hidden on`" in out, out
    monkeypatch.chdir(pictures)  # as typed from its folder (the README check: said nothing of it then)
    assert main(["folders", "exclude", ".secret", "--yes", "--db", db]) == 0
    capsys.readouterr()
    assert main(["folders", "include", ".secret", "--db", db]) == 0
    assert "it is hidden, and hidden folders are left out" in capsys.readouterr().out


def test_a_dropped_rule_does_not_count_what_an_ignore_file_leaves_out_as_its_photos(  # type: ignore[no-untyped-def]
    pictures: Path, library: Library, capsys
) -> None:
    """Audit 80 (#2): `folders include --pattern 'Shots/*'` said "2 photos back …; 3 more are still
    left out by another rule" with no other rule: the 3 were an unrelated folder's, which its
    .nomedia file leaves out. What an ignore file holds back of the rule's own photos is said so."""
    db = str(library.path)
    for i in range(3):
        write_photo(pictures / "Junk" / f"junk_{i}.jpg", seed=20 + i)
    (pictures / "Junk" / ".nomedia").touch()
    Scanner(library).scan()
    assert main(["folders", "exclude", "--pattern", "Screenshots/*", "--yes", "--db", db]) == 0
    capsys.readouterr()
    assert main(["folders", "include", "--pattern", "Screenshots/*", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "3 photos back" in out and "still left out" not in out, out
    assert main(["folders", "exclude", "--pattern", "*.png", "--yes", "--db", db]) == 0
    (pictures / "Screenshots" / ".nomedia").touch()
    capsys.readouterr()
    assert main(["folders", "include", "--pattern", "*.png", "--db", db]) == 0
    assert "its 3 photos are still left out by an ignore file" in capsys.readouterr().out


def test_excluding_a_photo_that_is_not_there_is_refused_with_the_name_that_is(  # type: ignore[no-untyped-def]
    pictures: Path, library: Library, capsys
) -> None:
    """The fresh-seat audit of stop 52: `folders exclude ~/Pictures/Photo_0.JPG` (the file is
    photo_0.jpg) said "excluded … (no such folder yet: its photos are left out when it appears)":
    a folder rule named like a photo, matching nothing. A photo is named exactly."""
    db = str(library.path)
    Scanner(library).scan()
    code = main(["folders", "exclude", str(pictures / "Photo_0.JPG"), "--db", db])
    err = capsys.readouterr().err
    assert code == 2 and "no such photo" in err and str(pictures / "photo_0.jpg") in err, err
    assert library.exclusion_rules() == []
    assert main(["folders", "exclude", str(pictures / "Later"), "--db", db]) == 0  # a folder to come
    assert "no such folder yet" in capsys.readouterr().out


def test_a_dropped_rule_whose_photos_another_rule_keeps_out_says_how_many(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """The fresh-seat audit of stop 51, for every kind of rule: a rule dropped while another still
    leaves its photos out brought them not back and said only that; its report now counts them
    (the CLI and the Library dialog say it)."""
    import shutil

    from photoscope.api import Photoscope

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        assert len(app.exclude(pattern="red circle*").removed) == 3
        app.exclude(pattern="*circle*")
        back = app.include(pattern="red circle*")
        assert not back.added and back.still_left_out == 3
        reds = len(app.exclude(pattern="red *").removed)
        back = app.include(pattern="red *")  # the other red shapes come back, the red circles not
        assert len(back.added) == reds and back.still_left_out == 3
        back = app.include(pattern="*circle*")
        assert back.added and back.still_left_out == 0


def test_in_a_running_app_excluded_photos_come_back_without_encoding(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """Audit: in `index --watch` (no search yet, so no vectors loaded) a `.nomedia` added and taken
    away again, or a rule set and dropped, had its photos encoded again: the stash kept nothing
    unless the search's vectors were loaded."""
    import shutil

    from photoscope.api import Photoscope

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        app.watch()  # the app runs; nothing searched
        indexed = app.photo_counts().indexed
        taken_out = len(app.exclude(pattern="red *").removed)
        assert taken_out > 0 and app.photo_counts().indexed == indexed - taken_out
        back = app.include(pattern="red *")
        assert len(back.added) == taken_out and app.photo_counts() == PhotoCounts(
            indexed=indexed, pending=0, error=0
        )


def test_a_rule_is_dropped_as_listed_and_listed_by_its_folder(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    import shutil

    from photoscope.api import Photoscope

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        watched = app.folders()[0].path
        app.exclude(pattern="red *", folder=watched)
        app.exclude(Path(watched) / "sub")
        rules = app.exclusion_rules(watched)
        assert sorted(r.kind for r in rules) == ["folder", "pattern"] and app.exclusion_rules("/else") == []
        for rule in rules:
            app.drop_rule(rule)
        assert app.exclusion_rules() == []


def test_a_rule_that_could_never_apply_is_refused_for_what_it_is(tmp_path: Path) -> None:
    """Audit: "Exclude subfolder…" on the watched folder itself said it "is not inside a watched
    folder" (it is one); patterns that can never match a path below the folder ("/etc/*",
    "**/../*") were accepted silently as rules."""
    root = str(tmp_path / "Pictures")
    with pytest.raises(ValueError, match="is a watched folder itself: a rule names a subfolder"):
        rule_for([root], path=root)
    for pattern in ("/etc/*", "**/../*", "../*.png"):
        with pytest.raises(ValueError, match="below the watched folder"):
            rule_for([root], pattern=pattern)
    assert rule_for([root], pattern="*/Screenshots/*") == [ExclusionRule(root, "pattern", "*/Screenshots/*")]


def test_a_photo_named_by_its_path_is_left_out_by_its_own_pattern(
    pictures: Path, library: Library, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The #17 audit of stop 44: `folders exclude …/dogs/IMG_2041.jpg` said it excluded the photo and
    "0 photos left the index": a rule for a subfolder of that name, which leaves out nothing."""
    db = str(library.path)
    write_photo(pictures / "Screenshots" / "shot_[1].png", seed=40)  # a glob's brackets in its name
    Scanner(library).scan()
    assert main(["folders", "exclude", str(pictures / "Screenshots" / "shot_1.png"), "--db", db]) == 0
    assert "1 photo left the index" in capsys.readouterr().out
    assert main(["folders", "exclude", str(pictures / "Screenshots" / "shot_[1].png"), "--db", db]) == 0
    assert "1 photo left the index" in capsys.readouterr().out
    assert _paths(library) == {"photo_0.jpg", "photo_1.jpg", "photo_2.jpg", "shot_0.png", "shot_2.png"}
    assert main(["folders", "include", str(pictures / "Screenshots" / "shot_1.png"), "--db", db]) == 0
    assert "1 photo back" in capsys.readouterr().out
    # A photo the library holds whose file is away (an unplugged drive): its path still names a
    # photo, not a folder to come (the review of stop 44).
    away = pictures / "Screenshots" / "shot_2.png"
    away.rename(pictures.parent / "shot_2.png")
    assert main(["folders", "exclude", str(away), "--db", db]) == 0
    said = capsys.readouterr().out
    assert "1 photo left the index" in said and "no such folder" not in said, said
    # At the top of its watched folder too: a photo's rule is its path, not a name matched anywhere
    # (as a glob it was refused there: it would have matched that name in every subfolder).
    write_photo(pictures / "Screenshots" / "photo_0.jpg", seed=41)
    Scanner(library).scan()
    assert main(["folders", "exclude", str(pictures / "photo_0.jpg"), "--db", db]) == 0
    assert "1 photo left the index" in capsys.readouterr().out
    assert main(["folders", "list", "--db", db]) == 0
    assert f"  excluded: {pictures / 'photo_0.jpg'}\n" in capsys.readouterr().out


def test_a_folder_left_out_by_its_ignore_file_is_said(pictures: Path, library: Library, capsys) -> None:  # type: ignore[no-untyped-def]
    """The #17 audit of stop 44: a .nomedia file took its folder's photos out of the index, and
    nothing said so: not `folders list`, not `status`; `folders include` of it answered that it "is
    not excluded"."""
    db = str(library.path)
    (pictures / "Screenshots" / ".nomedia").touch()
    Scanner(library).scan()
    assert _paths(library) == {f"photo_{i}.jpg" for i in range(3)}
    shots = str(pictures / "Screenshots")
    assert library.problems() == [(shots, ignored_because(".nomedia"))]  # `status`, the window's Which?
    assert main(["folders", "list", "--db", db]) == 0
    assert f"left out by its .nomedia file: {shots}" in capsys.readouterr().out
    assert main(["status", "--db", db]) == 0  # the user's choice, not under the failures (the review)
    said = capsys.readouterr().out
    assert "left out by an ignore file: 1 folder" in said and "could not look at" not in said, said
    assert main(["folders", "include", shots, "--db", db]) == 2  # no rule to drop: a wrong argument
    said = capsys.readouterr().err
    assert "not excluded" not in said and f"delete {shots}/.nomedia" in said, said
    (pictures / "Screenshots" / ".nomedia").unlink()
    Scanner(library).scan()
    assert library.problems() == [] and len(_paths(library)) == 6


def test_an_ignore_file_at_the_top_of_a_watched_folder_leaves_nothing_out_and_is_said(
    pictures: Path, library: Library, capsys, fast_models: None
) -> None:  # type: ignore[no-untyped-def]
    """The CLI audit of stop 58: a .nomedia synced into a watched folder's top took every photo
    out of the index, exit 0, no word; deleting it encoded them all again. The user named the
    folder (as a hidden watched folder is indexed): its own ignore file does not leave it out, and
    `index` says so with the way to leave it out. A subfolder's ignore file still does."""
    db = str(library.path)
    Scanner(library).scan()
    assert len(_paths(library)) == 6
    (pictures / ".nomedia").touch()
    (pictures / "Screenshots" / ".photoscopeignore").touch()
    report = Scanner(library).scan()
    assert _paths(library) == {f"photo_{i}.jpg" for i in range(3)}, report
    assert report.unfollowed_ignore_files == [str(pictures / ".nomedia")]
    assert main(["index", "--db", db, "--quiet"]) == 0
    said = capsys.readouterr().out
    assert (
        f"not followed: {pictures / '.nomedia'}: it would leave out a watched folder"
        f" (photoscope folders remove {pictures} to leave its photos out)" in said
    ), said


def test_folders_options_may_come_before_the_folder(pictures: Path, library: Library, capsys) -> None:  # type: ignore[no-untyped-def]
    """Audit: the README's `folders exclude --pattern '*.png' ~/Pictures` was refused ("unrecognized
    arguments"): only `folders exclude ~/Pictures --pattern '*.png'` worked."""
    db = str(library.path)
    Scanner(library).scan()
    assert main(["folders", "exclude", "--pattern", "*.png", str(pictures), "--yes", "--db", db]) == 0
    assert "3 photos left the index" in capsys.readouterr().out
    assert main(["folders", "include", "--db", db, "--pattern", "*.png", str(pictures)]) == 0
    assert library.exclusion_rules() == []


def test_a_photo_s_own_rule_leaves_out_that_photo_and_not_its_name_in_another_case(
    pictures: Path, library: Library, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The audit of stop 45: `folders exclude sub/Beach.jpg` took "2 photos" out, "sub/beach.JPG"
    too: a photo's rule was its path as a glob, and globs match whatever the case. A photo's rule
    is a kind of its own now, its path matched as written; a glob typed with --pattern, wildcards
    or not, still matches any case (the review of stop 45: a first fix made those exact too)."""
    db = str(library.path)
    write_photo(pictures / "sub" / "Beach.jpg", seed=41)
    write_photo(pictures / "sub" / "beach.JPG", seed=42)
    Scanner(library).scan()
    assert main(["folders", "exclude", str(pictures / "sub" / "Beach.jpg"), "--db", db]) == 0
    assert "1 photo left the index" in capsys.readouterr().out
    assert "beach.JPG" in _paths(library) and "Beach.jpg" not in _paths(library)
    assert library.exclusion_rules() == [ExclusionRule(str(pictures), "photo", "sub/Beach.jpg")]
    root = str(pictures)
    for pattern in ("sub/IMG_0001.JPG", "sub/IMG_*.jpg"):
        assert Rules([ExclusionRule(root, "pattern", pattern)], [root]).excludes(f"{root}/sub/img_0001.jpg")


def test_a_photo_rule_made_as_a_glob_before_is_dropped_by_including_the_photo(
    pictures: Path, library: Library, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Libraries of stop 44 hold a photo's rule as its escaped glob: `folders include PHOTO` drops
    that one too."""
    db = str(library.path)
    write_photo(pictures / "sub" / "a[1].jpg", seed=43)
    Scanner(library).scan()
    library.set_exclusion_rule(ExclusionRule(str(pictures), "pattern", "sub/a[[]1].jpg"), True)
    Scanner(library).scan()
    assert "a[1].jpg" not in _paths(library)
    assert main(["folders", "include", str(pictures / "sub" / "a[1].jpg"), "--db", db]) == 0
    assert "included" in capsys.readouterr().out
    assert library.exclusion_rules() == [] and "a[1].jpg" in _paths(library)


@pytest.mark.parametrize("pattern", ["[", "IMG_[0-9.jpg", "*.[jp", "[]", "[!]"])
def test_a_pattern_whose_bracket_never_closes_is_refused(
    pattern: str, pictures: Path, library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fresh-seat audit: `folders exclude --pattern '['` said "excluded [; 0 photos left the
    index", and the rule stayed listed: a "[" that opens no set is matched as itself, so the rule
    left out nothing the user meant. Refused by the API, which the window's Exclude files… asks too."""
    from photoscope.api import Photoscope

    db = str(library.path)
    Scanner(library).scan()
    assert main(["folders", "exclude", "--pattern", pattern, "--db", db]) == 2
    line = capsys.readouterr().err.strip()
    assert line == (
        f"photoscope: pattern {pattern!r} has an unclosed '[': close it (IMG_[0-9]*.jpg),"
        " or write [[] for a bracket itself"
    ), line
    with Photoscope(library.path) as app:
        for asked in (app.exclusion_takes, app.exclude):  # the window asks what it takes first
            with pytest.raises(ValueError, match="unclosed"):
                asked(pattern=pattern)
    assert library.exclusion_rules() == [] and len(_paths(library)) == 6


def test_patterns_with_closed_brackets_are_rules_and_an_old_unclosed_one_can_be_dropped(
    pictures: Path, library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(library.path)
    Scanner(library).scan()
    for pattern in ("photo_[01].jpg", "[[]x", "[]]x", "[!s]x"):
        assert main(["folders", "exclude", "--pattern", pattern, "--db", db]) == 0, pattern
    assert _paths(library) == {"photo_2.jpg", *(f"shot_{i}.png" for i in range(3))}
    # A library may hold one from before they were refused: `folders include` still drops it.
    library.set_exclusion_rule(ExclusionRule(str(pictures), "pattern", "["), True)
    assert main(["folders", "include", "--pattern", "[", "--db", db]) == 0
    assert "included [ again" in capsys.readouterr().out


def test_status_says_how_many_exclusion_rules_there_are(
    pictures: Path, library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fresh-seat audit: `status` said the folders an ignore file leaves out, not the rules."""
    db = str(library.path)
    Scanner(library).scan()
    assert main(["status", "--db", db]) == 0
    assert "exclusion rule" not in capsys.readouterr().out
    assert main(["folders", "exclude", "--pattern", "*.png", "--yes", "--db", db]) == 0
    assert main(["folders", "exclude", str(pictures / "Screenshots"), "--yes", "--db", db]) == 0
    capsys.readouterr()
    assert main(["status", "--db", db]) == 0
    said = capsys.readouterr().out
    assert "exclusion rules: 2 (`photoscope folders list` lists them)" in said, said


def test_watching_a_folder_that_holds_one_with_rules_is_refused_and_keeps_them(tmp_path: Path) -> None:
    """Adding ~ while ~/Pictures was watched with rules absorbed ~/Pictures and dropped its rules: the
    next index took in its private folder and its screenshots (the CLI audit of stop 55). Refused
    until its rules are removed; the rules stay."""
    from photoscope.library.errors import LibraryError

    pictures = tmp_path / "Pictures"
    (pictures / "private").mkdir(parents=True)
    with Library(tmp_path / "library.db") as library:
        library.add_folder(pictures)
        rules = [
            ExclusionRule(str(pictures), "folder", "private"),
            ExclusionRule(str(pictures), "pattern", "shots/*"),
        ]
        for rule in rules:
            library.set_exclusion_rule(rule, True)
        with pytest.raises(LibraryError, match="exclusion rules"):
            library.add_folder(tmp_path)
        assert [f.path for f in library.folders()] == [str(pictures)]
        assert sorted(library.exclusion_rules(), key=str) == sorted(rules, key=str)
        for rule in rules:
            library.set_exclusion_rule(rule, False)
        assert library.add_folder(tmp_path).absorbed == (str(pictures),)  # with no rules, as before


def test_a_folder_watched_through_a_link_takes_rules_and_filters_named_through_it(tmp_path: Path) -> None:
    """The reliability audit of stop 60 (repro_4): ~/Pictures a link to the photo disk, added as
    ~/Pictures, then the README's `photoscope folders exclude ~/Pictures/Screenshots` said "is not
    inside a watched folder", and `search --folder ~/Pictures/Trips` "no photo of the library is
    below …": the folder is kept resolved, the paths typed were not."""
    from photoscope.api import Filters, Photoscope

    disk = tmp_path / "disk" / "Photos"
    for name in ("Screenshots/s1.jpg", "Screenshots/s2.jpg", "Trips/t1.jpg", "Trips/t2.jpg"):
        write_photo(disk / name)
    link = tmp_path / "Pictures"
    link.symlink_to(disk)
    with Photoscope(tmp_path / "library.db") as app:
        app.add_folder(link)
        app.scanner().scan()
        assert app.photos_below(link / "Trips") == 2
        assert len(app._allowed(Filters(folder=str(link / "Trips")))) == 2
        app.exclude(link / "Screenshots")
        app.exclude(link / "Trips" / "t2.jpg")
        kinds = sorted((r.kind, r.pattern, r.folder) for r in app.exclusion_rules())
        watched = str(disk.resolve())
        assert kinds == [("folder", "Screenshots", watched), ("photo", "Trips/t2.jpg", watched)], kinds
        assert app.photos_below(link) == 1 and app.photos_below(link / "Trips") == 1
        app.include(link / "Screenshots")
        assert app.photos_below(link / "Screenshots") == 2


def _rules_of(library: Library) -> list[tuple[str, str]]:
    return sorted((r.kind, r.pattern) for r in library.exclusion_rules())


def test_a_subfolder_or_photo_left_out_stays_out_when_renamed(library: Library, pictures: Path) -> None:
    """The reliability audit of stop 60 (repro_2): an excluded subfolder renamed ("Private" to
    "Private (old)"), or an excluded photo, came back into the index at the next scan: captioned,
    encoded and searchable, its rule still listed but matching nothing. A rule follows what it
    names when that moves within its watched folder, as the scanner follows a moved photo."""
    scanner = Scanner(library)
    scanner.scan()
    root = library.folders()[0].path
    library.set_exclusion_rule(ExclusionRule(root, "folder", "Screenshots"), True)
    library.set_exclusion_rule(ExclusionRule(root, "photo", "photo_2.jpg"), True)
    scanner.scan()
    assert _paths(library) == {"photo_0.jpg", "photo_1.jpg"}
    (pictures / "Screenshots").rename(pictures / "Screenshots (old)")
    (pictures / "photo_2.jpg").rename(pictures / "private.jpg")
    scanner.scan()
    assert _paths(library) == {"photo_0.jpg", "photo_1.jpg"}
    assert _rules_of(library) == [("folder", "Screenshots (old)"), ("photo", "private.jpg")]
    (pictures / "Trips").mkdir()  # moved deeper, the folder that holds it renamed after
    (pictures / "Screenshots (old)").rename(pictures / "Trips" / "Shots")
    scanner.scan()
    (pictures / "Trips").rename(pictures / "Travel")
    scanner.scan()
    assert _paths(library) == {"photo_0.jpg", "photo_1.jpg"}
    assert _rules_of(library) == [("folder", "Travel/Shots"), ("photo", "private.jpg")]


def test_a_rule_whose_subfolder_is_gone_follows_no_later_folder(library: Library, pictures: Path) -> None:
    """A folder made after the excluded one was deleted is not it, whatever number its file system
    gives it (ext4 hands freed inode numbers out again)."""
    import shutil

    scanner = Scanner(library)
    scanner.scan()
    root = library.folders()[0].path
    library.set_exclusion_rule(ExclusionRule(root, "folder", "Screenshots"), True)
    scanner.scan()
    shutil.rmtree(pictures / "Screenshots")
    scanner.scan()  # gone: the rule names it still, and nothing else
    for i in range(3):
        write_photo(pictures / "New" / f"new_{i}.jpg", seed=20 + i)
    scanner.scan()
    assert {f"new_{i}.jpg" for i in range(3)} <= _paths(library)
    assert _rules_of(library) == [("folder", "Screenshots")]


def test_the_watcher_keeps_a_renamed_excluded_folder_out(library: Library, pictures: Path) -> None:
    reports = Reports(TIMEOUT)
    Scanner(library).scan()
    root = library.folders()[0].path
    library.set_exclusion_rule(ExclusionRule(root, "folder", "Screenshots"), True)
    Scanner(library).scan()
    watcher = FolderWatcher(library, Scanner(library), debounce_s=0.3, root_check_s=0.2, on_queued=reports)
    watcher.start()
    try:
        (pictures / "Screenshots").rename(pictures / "Old shots")
        write_photo(pictures / "later.jpg", seed=30)  # a photo that is no screenshot, after it
        import time

        deadline = time.monotonic() + TIMEOUT
        while "later.jpg" not in _paths(library) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # and whatever the renamed folder's scan brings
        assert _paths(library) == {f"photo_{i}.jpg" for i in range(3)} | {"later.jpg"}
        assert _rules_of(library) == [("folder", "Old shots")]
    finally:
        watcher.stop()


def test_a_new_folder_that_gets_a_deleted_excluded_folder_s_number_is_not_left_out(
    library: Library, pictures: Path
) -> None:
    """The audit of stop 60's changes (repro_1): the excluded "Screenshots" deleted, then a folder
    "Trip" made before the next scan, which ext4 gave the deleted folder's inode number: the rule
    moved to "Trip" and its photos were left out without a word. What a rule follows is its folder
    as the last scan saw it: the number, and the names inside it."""
    import shutil

    scanner = _excluded(library, "folder", "Screenshots")
    number = os.stat(pictures / "Screenshots").st_ino
    shutil.rmtree(pictures / "Screenshots")
    trip = _made_with(number, [pictures / f"Trip {n}" for n in range(50)], Path.mkdir, Path.rmdir)
    for i in range(3):  # other photos with the same camera names (the audit of the rules' renames)
        write_photo(trip / f"shot_{i}.png", seed=40 + i)
    scanner.scan()
    assert {f"shot_{i}.png" for i in range(3)} <= _paths(library)
    assert _rules_of(library) == [("folder", "Screenshots")]


def test_a_new_photo_that_gets_an_excluded_photo_s_number_is_not_left_out(
    library: Library, pictures: Path
) -> None:
    scanner = _excluded(library, "photo", "photo_2.jpg")
    number = os.stat(pictures / "photo_2.jpg").st_ino
    (pictures / "photo_2.jpg").unlink()
    made = _made_with(number, [pictures / f"new_{n}.jpg" for n in range(50)], write_photo, Path.unlink)
    scanner.scan()
    assert made.name in _paths(library) and _rules_of(library) == [("photo", "photo_2.jpg")]


def _excluded(library: Library, kind: str, pattern: str) -> Scanner:
    """A scanner of ``library`` once its watched folder's rule (``kind``, ``pattern``) is applied."""
    scanner = Scanner(library)
    scanner.scan()
    library.set_exclusion_rule(ExclusionRule(library.folders()[0].path, kind, pattern), True)  # type: ignore[arg-type]
    scanner.scan()
    return scanner


def _made_with(
    number: int, paths: list[Path], make: Callable[[Path], object], unmake: Callable[[Path], object]
) -> Path:
    """The first of ``paths`` that, made, the file system gives inode ``number`` (a deleted one's),
    the others unmade; the test is skipped where none gets it."""
    for path in paths:
        make(path)
        if os.stat(path).st_ino == number:
            return path
        unmake(path)
    pytest.skip("this file system did not give the number out again")


@pytest.mark.parametrize("left_there", ["a new folder", "a link to it", "nothing, seen later"])
def test_an_excluded_folder_moved_stays_out_whatever_is_left_at_its_name(
    library: Library, pictures: Path, left_there: str
) -> None:
    """The audit of the rules' renames (stop 60): "mv Private 'Private 2019'; mkdir Private" left the
    rule on the new, empty folder and indexed the private photos; so did a link left at the old
    name; and a folder moved into a hidden one was forgotten, its photos indexed once hidden folders
    were turned on. The rule follows what it named, wherever a scan finds it."""
    from photoscope.library.exclusions import set_indexes_hidden

    scanner = _excluded(library, "folder", "Screenshots")
    if left_there == "nothing, seen later":
        (pictures / ".archive").mkdir()
        (pictures / "Screenshots").rename(pictures / ".archive" / "Shots")
        scanner.scan()  # it cannot look in hidden folders: the rule keeps what it named
        set_indexes_hidden(library, True)
    else:
        (pictures / "Screenshots").rename(pictures / "Shots")
        if left_there == "a new folder":
            (pictures / "Screenshots").mkdir()
        else:
            (pictures / "Screenshots").symlink_to(pictures / "Shots")
    scanner.scan()
    assert _paths(library) == {f"photo_{i}.jpg" for i in range(3)}
    assert len(_rules_of(library)) == 1 and _rules_of(library)[0][1].endswith("Shots")


def test_an_excluded_photo_renamed_and_its_name_taken_by_a_new_one_stays_out(
    library: Library, pictures: Path
) -> None:
    """The same audit: the excluded IMG_0001.jpg renamed, and the next import bringing another
    IMG_0001.jpg: the private photo was indexed and the new one left out without a word."""
    scanner = _excluded(library, "photo", "photo_2.jpg")
    (pictures / "photo_2.jpg").rename(pictures / "private.jpg")
    write_photo(pictures / "photo_2.jpg", seed=60)
    scanner.scan()
    assert "private.jpg" not in _paths(library) and "photo_2.jpg" in _paths(library)
    assert _rules_of(library) == [("photo", "private.jpg")]


def test_a_rule_that_followed_its_folder_is_said_and_a_stale_one_is_not_dropped_in_silence(
    tmp_path: Path,
) -> None:
    """The audit of the rules' renames (repro_7): the library dialog listed "Private" after the
    watcher's scan had moved the rule onto "Secret" (nothing in the scan's report said so, so the
    dialog was not refreshed), and Remove on that row did nothing, in silence. The report names the
    rules that followed their folders; a rule no longer there is refused with what to do."""
    from photoscope.api import Photoscope

    pictures = tmp_path / "Pictures"
    for i in range(2):
        write_photo(pictures / f"photo_{i}.jpg", seed=i)
        write_photo(pictures / "Private" / f"p_{i}.jpg", seed=10 + i)
    with Photoscope(tmp_path / "library.db") as app:
        app.add_folder(pictures)
        app.scanner().scan()
        app.exclude(pictures / "Private")
        [shown] = app.exclusion_rules()
        (pictures / "Private").rename(pictures / "Secret")
        report = app.scanner().scan()
        assert report.rules_followed == [(str(pictures / "Private"), str(pictures / "Secret"))]
        with pytest.raises(ValueError, match="no exclusion rule now"):
            app.drop_rule(shown)
        assert [r.pattern for r in app.exclusion_rules()] == ["Secret"]


def test_an_excluded_photo_renamed_and_touched_stays_out(library: Library, pictures: Path) -> None:
    """The audit of stop 60's rules (repro_6): renamed, then its time set by a tool that writes in
    place (same file, same bytes, another time) before the next scan: it was indexed, and its
    rule named nothing. Its bytes tell it: the first and last 64 KiB, read only for a file with
    the rule's number."""
    scanner = _excluded(library, "photo", "photo_2.jpg")
    (pictures / "photo_2.jpg").rename(pictures / "private.jpg")
    os.utime(pictures / "private.jpg", (1_700_000_000, 1_700_000_000))
    scanner.scan()
    assert "private.jpg" not in _paths(library)
    assert _rules_of(library) == [("photo", "private.jpg")]


def test_a_photo_made_with_a_deleted_excluded_ones_number_and_size_is_not_it(
    library: Library, pictures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another photo given the excluded one's number (deleted, the number used again) and its size
    but other bytes is a photo of its own: indexed, the rule left naming the deleted one."""
    from photoscope.library import exclusions

    scanner = _excluded(library, "photo", "photo_2.jpg")
    gone = pictures / "photo_2.jpg"
    number, data = str(gone.stat().st_ino), bytearray(gone.read_bytes())
    gone.unlink()
    data[len(data) // 2] ^= 0xFF
    (pictures / "other.jpg").write_bytes(bytes(data))
    os.utime(pictures / "other.jpg", (1_700_000_000, 1_700_000_000))
    real = exclusions._inode
    monkeypatch.setattr(exclusions, "_inode", lambda p: number if p.endswith("other.jpg") else real(p))
    scanner.scan()
    assert "other.jpg" in _paths(library)
    assert _rules_of(library) == [("photo", "photo_2.jpg")]


def test_a_pattern_that_leaves_out_no_photo_says_how_a_folder_s_photos_are_named(
    pictures: Path, library: Library, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Audit 80: `folders exclude --pattern Trip ~/Pictures` (meant: a folder Trip) printed "0 photos
    left the index" and no more; the library dialog says how a folder's photos are named, and so
    does the command line now, in one wording."""
    Scanner(library).scan()
    db = str(library.path)
    assert main(["folders", "exclude", "--pattern", "Screenshots", str(pictures), "--db", db]) == 0
    out = capsys.readouterr().out
    said = "0 photos left the index: a pattern matches the names of files ('Screenshots/*' leaves out"
    assert f"{said} the photos of a folder Screenshots)" in out, out
    assert main(["folders", "exclude", "--pattern", "Screenshots/", str(pictures), "--db", db]) == 0
    assert "('Screenshots/*' leaves out the photos of a folder Screenshots)" in capsys.readouterr().out
    assert main(["folders", "exclude", "--pattern", "*.gif", str(pictures), "--db", db]) == 0
    assert capsys.readouterr().out.rstrip().endswith("left the index: a pattern matches the names of files")
    assert main(["folders", "exclude", "--pattern", "Screenshots/*", str(pictures), "--yes", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "3 photos left the index (kept a month" in out and "pattern matches" not in out


def test_photos_moved_out_of_the_library_and_back_come_back_without_encoding(
    library: Library, pictures: Path, tmp_path: Path
) -> None:
    """Audit 86's notes: a folder of 45 photos moved out of the library and back a few seconds
    later (a drag gone wrong, a delete undone from the trash) was removed and then encoded again,
    all 45. Every photo that leaves the index is stashed for the session, as a rule's are: back
    unchanged (its bytes, size and time), it is written back as indexed."""
    from PIL import Image

    from photoscope.library import thumbnails

    restored: list[int] = []
    root = tmp_path / "thumbs"
    scanner = Scanner(library, thumbnail_root=root, stash=Stash(lambda: "tiny@1", restored.extend))
    scanner.scan()
    index_pending(library)
    for photo in library.photos_by_ids(library.photo_ids()):  # as the indexer writes them
        thumbnails.write_thumbnail(Image.new("RGB", (8, 8)), photo.path, photo.mtime, root)
    captions = {Path(r.path).name: r.caption for r in library.photos_by_ids(library.photo_ids())}
    outside = tmp_path / "Trash"
    shutil.move(pictures / "Screenshots", outside)
    (pictures / "photo_0.jpg").rename(tmp_path / "photo_0.jpg")
    assert len(scanner.scan().removed) == 4
    shutil.move(outside, pictures / "Shots")  # back under another name: its thumbnails follow
    (tmp_path / "photo_0.jpg").rename(pictures / "photo_0.jpg")
    report = scanner.scan()
    assert len(report.added) == 4 and report.restored == 4 and sorted(restored) == sorted(report.added)
    assert report.summary().startswith("4 new (4 of them back as they were: not encoded again), ")
    assert library.counts() == PhotoCounts(indexed=6, pending=0, error=0)
    back = library.photos_by_ids(library.photo_ids())
    assert {Path(r.path).name: r.caption for r in back} == captions
    # audit 91 (repro_2): their thumbnails had gone with them, and nothing made them again
    assert all(thumbnails.is_current(r.path, r.mtime, root) for r in back), [r.path for r in back]


def test_the_stash_holds_photos_that_left_up_to_its_bound(
    library: Library, pictures: Path, tmp_path: Path
) -> None:
    """What left the index is held in memory for the session: a bound keeps a library emptied
    folder by folder from holding every photo's vectors (the latest kept: the likeliest back)."""
    restored: list[int] = []
    scanner = Scanner(library, stash=Stash(lambda: "tiny@1", restored.extend, capacity=2))
    scanner.scan()
    index_pending(library)
    shutil.move(pictures / "Screenshots", tmp_path / "Trash")
    assert len(scanner.scan().removed) == 3
    shutil.move(tmp_path / "Trash", pictures / "Screenshots")
    report = scanner.scan()
    assert len(report.added) == 3 and report.restored == 2
    assert library.counts() == PhotoCounts(indexed=5, pending=1, error=0)
