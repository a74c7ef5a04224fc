"""``photoscope search``, ``similar`` and ``words`` on a small library indexed for real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import one_clean_line, run


def test_search_prints_scores_paths_and_captions(shapes_library_db, trained_tiny: Path, capsys) -> None:
    db, _ = shapes_library_db
    code, out, _ = run(
        capsys, "search", "a red circle", "-n", "3", "--db", str(db), "--model", str(trained_tiny)
    )
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 3
    for line in lines:
        score, rest = line.split(maxsplit=1)
        float(score)
        path, caption = rest.split("  — ")
        assert Path(path).name.startswith("red circle") and "red" in caption


def test_search_json_and_paths_only_are_pipeable(shapes_library_db, trained_tiny: Path, capsys) -> None:
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    _, out, _ = run(capsys, "search", "a blue square", "-n", "2", "--json", *common)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [sorted(r) for r in rows] == [
        [
            "caption",
            "concepts",
            "copy_of",
            "damaged",
            "likely",
            "near_duplicate",
            "on_disk",
            *("path", "renamed_to", "score", "state", "strength", "taken_at"),
        ]
    ] * 2
    assert all(Path(r["path"]).name.startswith("blue square") for r in rows)
    assert rows[0]["score"] >= rows[1]["score"] and rows[0]["likely"] and rows[0]["strength"] == 1.0
    # which are likely matches, as the window counts them (the honest-results walk: nothing said it)
    _, out, err = run(capsys, "search", "a blue square", "-n", "24", "--json", *common)  # the library
    rows = [json.loads(line) for line in out.splitlines()]
    likely = [r["likely"] for r in rows]
    assert likely[0] and not likely[-1] and likely == sorted(likely, reverse=True)
    assert f"note: the first {sum(likely)} are likely matches; the rest are weaker" in err
    # ... and when every row shown is one (the fresh-seat audit of stop 49: no note, as if no verdict)
    _, out, err = run(capsys, "search", "a blue square", "-n", "2", *common)
    assert "note: both are likely matches" in err
    _, out, err = run(capsys, "search", "a blue square", "-n", "1", *common)
    assert "note: it is a likely match" in err
    _, out, _ = run(capsys, "search", "a blue square", "-n", "4", "--paths-only", *common)
    assert [Path(p).parent for p in out.splitlines()] == [photos] * 4


def test_a_photo_no_longer_at_its_path_is_said_and_left_out_of_the_paths(
    shapes_library_db, trained_tiny: Path, capsys
) -> None:
    """The fresh-seat audit of stop 51: after `rm`, `search --paths-only` printed the deleted photo's
    path first (the README's `| xargs eog` failed on it), and the list called it a likely match with
    nothing said; the command line watches nothing, so its index is as the last `index` left it."""
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    _, out, _ = run(capsys, "search", "a blue square", "-n", "3", "--paths-only", *common)
    first = Path(out.splitlines()[0])
    away = first.with_name("away.tmp")
    first.rename(away)  # (the module's library: put back below)
    try:
        code, out, err = run(capsys, "search", "a blue square", "-n", "3", "--paths-only", *common)
        assert code == 0 and len(out.splitlines()) == 2 and str(first) not in out
        note = "note: 1 listed photo is not at its path now (moved or deleted since it was indexed, or"
        assert note in err and "left out of the paths; `photoscope index --db" in err
        _, out, err = run(capsys, "search", "a blue square", "-n", "3", *common)
        assert out.splitlines()[0].endswith("  [not found]") and str(first) in out.splitlines()[0]
        assert note in err
        _, out, _ = run(capsys, "search", "a blue square", "-n", "3", "--json", *common)
        assert [json.loads(line)["on_disk"] for line in out.splitlines()] == [False, True, True]
    finally:
        away.rename(first)


def test_paths_printed_after_the_likely_ones_left_out_are_said_to_be_no_match(
    shapes_library_db, trained_tiny: Path, capsys
) -> None:
    """Audit 74 (repro_5): with the likely matches' files gone, `--paths-only` printed the weaker
    rest with no word of how good it is (text output says which are likely): `| xargs eog` opened
    a cat for "a dog"."""
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    _, out, err = run(capsys, "search", "a blue square", "-n", "6", "--json", *common)
    rows = [json.loads(line) for line in out.splitlines()]
    likely = [Path(r["path"]) for r in rows if r["likely"]]
    assert 0 < len(likely) < len(rows)
    for path in likely:
        path.rename(path.with_name(path.name + ".away"))  # (the module's library: put back below)
    try:
        code, out, err = run(capsys, "search", "a blue square", "-n", "6", "--paths-only", *common)
        assert code == 0 and out and not set(map(Path, out.splitlines())) & set(likely)
        assert "none of these is clearly a match" in err, err
    finally:
        for path in likely:
            path.with_name(path.name + ".away").rename(path)


def test_photos_of_a_folder_that_is_not_there_now_are_said_to_be_offline(
    shapes_library_db, trained_tiny: Path, capsys
) -> None:
    """The fresh-seat audit of stop 53: the photos of an unplugged drive's folder were "[not found]",
    with "`photoscope index` updates the library", which keeps them (the folder is offline) and can
    do nothing for them: they wait for the drive."""
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    unplugged = photos.with_name("unplugged.tmp")
    photos.rename(unplugged)  # the watched folder's drive away (the module's library: put back below)
    try:
        code, out, err = run(capsys, "search", "a blue square", "-n", "3", *common)
        assert code == 0 and all(row.endswith("  [folder offline]") for row in out.splitlines()), out
        assert "not at its path" not in err and "not at their path" not in err
        assert (
            "note: 3 listed photos are in a folder that is not there now (a drive not plugged"
            " in?): they stay in the index; plug the drive in to open them" in err
        ), err
        code, out, err = run(capsys, "search", "a blue square", "-n", "3", "--paths-only", *common)
        assert code == 1 and out == "" and "left out of the paths" in err  # no path: a failure (stop 57)
        _, out, _ = run(capsys, "search", "a blue square", "-n", "3", "--json", *common)
        assert [json.loads(line)["on_disk"] for line in out.splitlines()] == [False, False, False]
        # The reliability audit of stop 60: a file where the folder was made its photos "[cannot
        # be read]"; the folder is not there, as when a drive is unplugged.
        photos.write_text("not a folder")
        code, out, _ = run(capsys, "search", "a blue square", "-n", "3", *common)
        assert code == 0 and all(row.endswith("  [folder offline]") for row in out.splitlines()), out
        photos.unlink()
    finally:
        unplugged.rename(photos)


def test_a_photo_in_a_folder_that_cannot_be_read_is_not_said_to_be_gone(
    shapes_library_db, trained_tiny: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh-seat audit of stop 52: the photos of a `chmod 000` folder were "[not found]", "not at
    their path now (moved or deleted …)": they are there, and cannot be read."""
    import os

    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    _, out, _ = run(capsys, "search", "a blue square", "-n", "3", "--paths-only", *common)
    first = out.splitlines()[0]
    lstat = os.lstat

    def no_permission(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path) == first:  # root reads any folder: its refusal, as another user gets it
            raise PermissionError(13, "Permission denied", path)
        return lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", no_permission)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: os.fspath(path) != first)
    code, out, err = run(capsys, "search", "a blue square", "-n", "3", *common)
    assert code == 0 and "not found" not in out and "not at its path" not in err
    assert out.splitlines()[0].endswith("  [cannot be read]"), out
    _, out, _ = run(capsys, "search", "a blue square", "-n", "3", "--json", *common)
    assert [json.loads(line)["on_disk"] for line in out.splitlines()] == [True, True, True]
    # ... and JSON says so too, as the text does (audit 79 of stop 62: "on_disk" alone said all was well)
    assert [json.loads(line)["state"] for line in out.splitlines()] == ["cannot be read", None, None]


def test_unknown_words_are_explained_on_stderr(shapes_library_db, trained_tiny: Path, capsys) -> None:
    db, _ = shapes_library_db
    code, out, err = run(capsys, "search", "a gren sqare", "--db", str(db), "--model", str(trained_tiny))
    assert code == 1 and not out  # "a" alone would rank every photo: nothing is listed (issue #16)
    assert "does not know 'gren'" in err and "green" in err and "square" in err
    # "zebras" is an ImageNet concept (#14) and finds photos now: a word nobody knows
    code, out, err = run(capsys, "search", "blorptastic", "--db", str(db), "--model", str(trained_tiny))
    assert code == 1 and not out and "no matching photos" in err
    # "cathedral" is no class, but WordNet files it under one ("church"): searched by it, and said
    _, _, err = run(capsys, "search", "a cathedral", "--db", str(db), "--model", str(trained_tiny))
    assert "does not know 'cathedral' — searched by the nearest concept it knows, 'church'" in err


def test_similar_finds_the_same_kind_and_leaves_out_the_photo(
    shapes_library_db, trained_tiny: Path, capsys
) -> None:
    db, photos = shapes_library_db
    query = photos / "yellow circle 0.jpg"
    code, out, _ = run(
        capsys,
        "similar",
        str(query),
        "-n",
        "2",
        "--paths-only",
        "--db",
        str(db),
        "--model",
        str(trained_tiny),
    )
    found = out.splitlines()
    assert code == 0 and str(query) not in found
    assert all(Path(p).name.startswith("yellow circle") for p in found)


def test_similar_with_a_photo_outside_the_library(
    shapes_library_db, trained_tiny: Path, tmp_path: Path, capsys
) -> None:
    from synthetic import shape_photo

    db, _ = shapes_library_db
    outside = tmp_path / "query.png"
    shape_photo("green", "square", seed=99).save(outside)
    code, out, _ = run(
        capsys,
        "similar",
        str(outside),
        "-n",
        "1",
        "--paths-only",
        "--db",
        str(db),
        "--model",
        str(trained_tiny),
    )
    assert code == 0 and Path(out.strip()).name.startswith("green square")
    code, _, err = run(capsys, "similar", str(tmp_path / "missing.jpg"), "--db", str(db))
    assert code == 2 and "no such photo" in err


def test_help_and_version_start_without_torch_or_qt() -> None:
    """Every subcommand registers at start-up: none may import PyTorch or Qt until it runs."""
    import subprocess
    import sys

    probe = (
        "import sys; from photoscope.cli import build_parser; build_parser().format_help(); "
        "print(sorted(m for m in ('torch', 'PySide6', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    version = subprocess.run(
        [sys.executable, "-m", "photoscope", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("photoscope ")


def test_caption_commands_refuse_a_negative_choice_weight(capsys: pytest.CaptureFixture[str]) -> None:
    from photoscope.cli import build_parser

    parser = build_parser()
    for option in ("--rerank", "--consensus"):
        with pytest.raises(SystemExit) as stop:
            parser.parse_args(["caption", "x.jpg", option, "-1"])
        assert stop.value.code == 2
        assert f"argument {option}: must be 0 or more, not -1" in capsys.readouterr().err


def test_evaluate_refuses_a_beam_or_length_penalty_it_cannot_decode_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``evaluate captions --beam 0`` ended in "unexpected error (IndexError …) please report it"."""
    from photoscope.cli import build_parser

    parser = build_parser()
    for option, value, says in (
        ("--beam", "0", "must be 1 or more"),
        ("--length-penalty", "-1", "must be 0"),
    ):
        with pytest.raises(SystemExit) as stop:
            parser.parse_args(["evaluate", "captions", "--data", "d", option, value])
        assert stop.value.code == 2
        assert f"argument {option}: {says}" in capsys.readouterr().err


def test_caption_commands_decode_as_the_app_does_by_default() -> None:
    from photoscope.cli import build_parser
    from photoscope.network.model import DecodeOptions

    parser = build_parser()
    app = DecodeOptions()
    for argv in (["caption", "x.jpg"], ["evaluate", "captions", "--data", "d"]):
        args = parser.parse_args(argv)
        given = (args.beam, args.length_penalty, args.rerank, args.consensus)
        assert given == (app.beam, app.length_penalty, app.rerank, app.consensus)
        # no --max-len: the app's length, its caption uncut (audit 74, repro_9: `caption` cuts to a given one)
        assert getattr(args, "max_len", None) is None


def test_a_folder_filter_outside_the_library_says_so(shapes_library_db, trained_tiny: Path, capsys) -> None:
    """A mistyped --folder found "no matching photos", as if the search had looked there: it says
    that the library has no photo below that folder, and how to list the watched ones."""
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    typo = photos.parent / "Photoz"
    for command in (("search", "a red circle"), ("similar", str(photos / "red circle 0.jpg"))):
        code, out, err = run(capsys, *command, "--folder", str(typo), *common)
        assert code == 2 and not out
        said = f"photoscope: no photo of the library is below {typo}: `photoscope folders list` lists the"
        said += " watched folders"
        assert err.strip().splitlines() == [said]
    code, out, _ = run(capsys, "search", "a red circle", "-n", "2", "--folder", str(photos), *common)
    assert code == 0 and len(out.splitlines()) == 2


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "101", "-1"])
def test_search_and_similar_refuse_a_weight_that_is_not_a_sane_number(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """``--weight nan`` ended in "unexpected error (ValueError …)"; ``inf`` and ``1e308`` scored every
    photo ``nan``: the parser refuses them, as the query's and as an added term's weight."""
    from photoscope.cli import build_parser

    parser = build_parser()
    for command in (["search", "dog"], ["similar", "a.jpg"]):
        for argv in ([*command, "--weight", value], [*command, "--add", "cat", "--weight", value]):
            with pytest.raises(SystemExit) as stop:
                parser.parse_args(argv)
            assert stop.value.code == 2
            assert "argument --weight: " in capsys.readouterr().err.strip().splitlines()[-1]
    args = parser.parse_args(["search", "dog", "--weight", "100", "--add", "cat", "--weight", "0"])
    assert (args.query_weight, args.terms[0][3]) == (100.0, 0.0)
    # The CLI walk of stop 42: a second weight for one term replaced the first, unsaid.
    for argv in (
        ["search", "dog", "--add", "cat", "--weight", "0.5", "--weight", "3"],
        ["search", "dog", "--weight", "2", "--weight", "3"],
    ):
        with pytest.raises(SystemExit) as stop:
            parser.parse_args(argv)
        assert stop.value.code == 2 and "--weight given twice for one term" in capsys.readouterr().err
    from photoscope.api import MAX_WEIGHT

    assert MAX_WEIGHT == 100.0  # what --weight's help says


def test_search_to_the_last_day_a_date_can_hold(shapes_library_db, trained_tiny: Path, capsys) -> None:
    """``--to 9999-12-31`` ended in "unexpected error (OverflowError: date value out of range)"."""
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    code, out, err = run(capsys, "search", "a red circle", "-n", "2", "--to", "9999-12-31", *common)
    assert code == 0 and len(out.splitlines()) == 2, err


@pytest.mark.parametrize("order", ["from first", "to first"])
def test_search_refuses_a_reversed_date_range(capsys: pytest.CaptureFixture[str], order: str) -> None:
    """``--from 2030-01-01 --to 2020-01-01`` silently found nothing."""
    from photoscope.cli import build_parser

    dates = ["--from", "2030-01-01", "--to", "2020-01-01"]
    dates = dates if order == "from first" else dates[2:] + dates[:2]
    for command in (["search", "dog"], ["similar", "a.jpg"]):
        with pytest.raises(SystemExit) as stop:
            build_parser().parse_args([*command, *dates])
        assert stop.value.code == 2
        said = capsys.readouterr().err.strip().splitlines()[-1]
        assert said.endswith("--from 2030-01-01 is after --to 2020-01-01: swap them"), said


@pytest.mark.usefixtures("files_there")
def test_closest_guesses_are_said_to_be_guesses(capsys: pytest.CaptureFixture[str]) -> None:
    """Audit: `search "a banana"` listed a roller coaster with no word said."""
    from types import SimpleNamespace

    from photoscope.commands import search as search_command

    match = SimpleNamespace(
        photo=SimpleNamespace(path="/p/coaster.jpg", caption="a ride"), score=0.1, near_duplicate=False
    )
    results = SimpleNamespace(unknown_words=[], unsure=("banana",), matches=[match], photo_words=())
    args = SimpleNamespace(paths_only=False, null=False, json=False)
    assert search_command._print(results, args) == 0
    out, err = capsys.readouterr()
    assert "coaster.jpg" in out
    assert (
        err.strip()
        == "note: Photoscope cannot clearly see 'banana' in any photo: these are its closest guesses"
    )


@pytest.mark.usefixtures("files_there")
def test_closest_guesses_are_not_said_to_leave_likely_ones_out(capsys: pytest.CaptureFixture[str]) -> None:
    """The fresh-seat audit 77 of stop 62 (#4): every answer of closest guesses ("an elephant",
    "fruit") also said "none of these is clearly a match …; the likely ones are left out", with no
    photo left out and none likely: the search counts its relevant photos whether sure or not."""
    from types import SimpleNamespace

    from photoscope.commands import search as search_command

    match = SimpleNamespace(
        photo=SimpleNamespace(path="/p/camel.jpg", caption="a camel"), score=0.1, near_duplicate=False
    )
    results = SimpleNamespace(
        unknown_words=[], unsure=("elephant",), matches=[match], photo_words=(), relevant=3
    )
    assert search_command._print(results, SimpleNamespace(paths_only=False, null=False, json=False)) == 0
    _, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        "note: Photoscope cannot clearly see 'elephant' in any photo: these are its closest guesses"
    ]


@pytest.mark.usefixtures("files_there")
def test_a_long_query_says_each_note_once_what_is_unknown_first(capsys: pytest.CaptureFixture[str]) -> None:
    """The honest-results walk of stop 48: a description said four times over printed 12 notes for 3,
    and "cannot clearly see" came before "does not know"."""
    from types import SimpleNamespace

    from photoscope.api import UnknownWord
    from photoscope.commands import search as search_command

    match = SimpleNamespace(
        photo=SimpleNamespace(path="/p/cat.jpg", caption="a cat"), score=0.1, near_duplicate=False
    )
    blorf = UnknownWord("blorf", ())
    unsure = ("yarn", "yarn", "floors")
    results = SimpleNamespace(unknown_words=[blorf] * 3, unsure=unsure, matches=[match], photo_words=())
    assert search_command._print(results, SimpleNamespace(paths_only=False, null=False, json=False)) == 0
    _, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        "note: Photoscope does not know 'blorf'",
        "note: Photoscope cannot clearly see 'yarn' or 'floors' in any photo: these are its closest guesses",
    ]


def test_photos_listed_by_their_names_are_said_to_be(capsys: pytest.CaptureFixture[str]) -> None:
    """The GUI and CLI audits: "paris" listed its folder's photos with no word of why."""
    from types import SimpleNamespace

    from photoscope.commands import search as search_command

    match = SimpleNamespace(
        photo=SimpleNamespace(path="/p/Paris 2019/a.jpg", caption="a pool"), score=0.3, near_duplicate=False
    )
    results = SimpleNamespace(unknown_words=[], unsure=(), matches=[match], photo_words=(), by_name=1)
    args = SimpleNamespace(paths_only=False, null=False, json=False)
    assert search_command._print(results, args) == 0
    # one photo is not "the first" (the fresh-seat audit of stop 49)
    assert capsys.readouterr().err.strip().startswith("note: it is listed by its folder or file name")


@pytest.mark.usefixtures("files_there")
def test_a_filter_that_leaves_no_likely_match_says_so_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Under `--folder` or a date, the matches are likely by the whole library's line: a folder with
    none of them lists its closest photos and says that none is a likely match."""
    from types import SimpleNamespace

    from photoscope.commands import search as search_command

    match = SimpleNamespace(
        photo=SimpleNamespace(path="/p/squares/a.jpg", caption="a blue square"),
        score=0.1,
        near_duplicate=False,
    )
    results = SimpleNamespace(unknown_words=[], unsure=(), matches=[match], photo_words=(), relevant=0)
    args = SimpleNamespace(paths_only=False, null=False, json=False)
    assert search_command._print(results, args) == 0
    assert capsys.readouterr().err.strip() == (
        "note: none of these is clearly a match: they are the closest found"
    )


@pytest.mark.usefixtures("files_there")
def test_photos_placed_by_their_files_date_are_said_to_be(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI audit: `dog --from 2019-01-01` listed photos with no date taken (placed by their
    file's date, 2026) and said nothing; the window says it."""
    from types import SimpleNamespace

    from photoscope.commands import search as search_command

    match = SimpleNamespace(
        photo=SimpleNamespace(path="/p/a.jpg", caption="a dog"), score=0.3, near_duplicate=False
    )
    results = SimpleNamespace(unknown_words=[], unsure=(), matches=[match], photo_words=(), undated=1)
    args = SimpleNamespace(paths_only=False, null=False, json=False)
    assert search_command._print(results, args) == 0
    assert capsys.readouterr().err.strip() == (
        "note: 1 photo with no date taken is placed by the file's date"
    )


def test_a_concept_no_photo_shows_is_said_when_nothing_is_listed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit: `search espresso` printed "no matching photos" and no reason. (A reason the
    library gives, photos waiting or another model's, comes first: ``api.why_nothing``.)"""
    from types import SimpleNamespace

    from photoscope.api import PhotoCounts, Photoscope
    from photoscope.commands import search as search_command

    monkeypatch.setattr(Photoscope, "photo_counts", lambda app: PhotoCounts(indexed=3))  # photos searchable
    # as a running app's answer comes: its fields as attributes
    results = SimpleNamespace(unknown_words=[], unsure=("espresso",), matches=[], photo_words=())
    args = SimpleNamespace(
        paths_only=False,
        null=False,
        json=False,
        folder=None,
        taken_from=None,
        taken_to=None,
        db=tmp_path / "x.db",
    )
    assert search_command._print(results, args) == 1
    assert capsys.readouterr().err.strip() == (
        "no matching photos: Photoscope cannot clearly see 'espresso' in any photo"
    )


@pytest.mark.parametrize("option", ["--add", "--subtract"])
def test_an_added_or_taken_away_text_without_words_is_refused(
    capsys: pytest.CaptureFixture[str], option: str, shapes_library_db: tuple[Path, Path], trained_tiny: Path
) -> None:
    """The audit of stop 39: `search dog --add ''` was searched, and changed the ranking."""
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    code, _, err = run(capsys, "search", "a red circle", option, "  ", *common)
    assert code == 2 and f'{option} "  " holds no words' in err
    photo = str(next(photos.rglob("*.png"), next(photos.rglob("*.jpg"))))
    code, _, err = run(capsys, "similar", photo, option, "", *common)
    assert code == 2 and "holds no words" in err


def test_terms_that_ask_nothing_are_refused_and_an_empty_query_beside_terms_is_none(
    capsys: pytest.CaptureFixture[str], shapes_library_db: tuple[Path, Path], trained_tiny: Path
) -> None:
    """The #17 audit of stop 44: `--add "the a of"` was left out unsaid; every weight 0 said "no
    matching photos" with no reason; `search "" --subtract people` found nothing, unsaid, where the
    window's lone taken-away chip lists the photos least like it."""
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    code, _, err = run(capsys, "search", "a red circle", "--add", "the a of", *common)
    assert code == 2 and '--add "the a of" holds only words like “the”' in err
    code, _, err = run(capsys, "search", "a red circle", "--weight", "0", *common)
    assert code == 2 and "every term weighs 0" in err
    code, _, err = run(
        capsys, "search", "", "--add", "blue", "--weight", "0", *common
    )  # the review of stop 44
    assert code == 2 and "every term weighs 0" in err
    code, out, err = run(capsys, "search", "", "--subtract", "a red circle", "-n", "3", *common)
    assert code == 0 and len(out.splitlines()) == 3 and "red_circle" not in out
    # Audit 73: a term at weight 0 beside others changed nothing, unsaid.
    code, out, err = run(
        capsys, "search", "a red circle", "--add", "blue", "--weight", "0", "-n", "3", *common
    )
    assert code == 0 and "note: 'blue' weighs 0: it counts for nothing" in err


def test_a_term_at_next_to_no_weight_counts_for_nothing_and_says_so(
    capsys: pytest.CaptureFixture[str], shapes_library_db: tuple[Path, Path], trained_tiny: Path
) -> None:
    """Audit 100 (repro_1): `--add snow --weight 0` answered as "a dog" alone, but at 0.0000001 the
    order and the likely matches changed (another ranking, other bars). A term under a hundredth of
    the heaviest counts for nothing, as at 0, and the note says why."""
    db, _ = shapes_library_db
    common = ("-n", "5", "--json", "--db", str(db), "--model", str(trained_tiny))
    _, alone, _ = run(capsys, "search", "a red circle", *common)
    code, out, err = run(capsys, "search", "a red circle", "--add", "blue", "--weight", "0.0000001", *common)
    assert code == 0 and out == alone, (out, alone)
    assert "note: 'blue' weighs next to nothing beside the other terms: it counts for nothing" in err, err
    code, out, err = run(capsys, "search", "a red circle", "--add", "blue", "--weight", "0.5", *common)
    assert code == 0 and "next to nothing" not in err and "weighs 0" not in err


def test_a_photo_path_given_as_the_description_searches_by_that_photo(
    shapes_library_db, trained_tiny: Path, capsys, tmp_path: Path
) -> None:
    """The README check of stop 42: `search "'/…/a.jpg'"` searched the path's words ("the model does
    not know 'tmp' — did you mean 'top'?"); the window searches by the photo, and so does this."""
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    photo = next(photos.glob("blue square*"))
    code, out, err = run(capsys, "search", f"'{photo}'", "-n", "3", "--paths-only", *common)
    assert code == 0 and "does not know" not in err, err
    code_similar, same, _ = run(capsys, "similar", str(photo), "-n", "3", "--paths-only", *common)
    assert code_similar == 0 and out == same  # as `similar`: the photo itself is the query
    code, _, err = run(capsys, "search", str(tmp_path / "gone.jpg"), *common)
    assert code == 2 and one_clean_line(err).endswith("gone.jpg: no such photo (give a photo's path)")


def test_a_text_added_and_taken_away_cancels_out(
    capsys: pytest.CaptureFixture[str], shapes_library_db: tuple[Path, Path], trained_tiny: Path
) -> None:
    """The GUI walk of stop 43: `search "a cat" --subtract "a cat"` listed photos at full strength,
    "9 likely matches", ranked by what the network's two readings of one text do not share. The
    two cancel out: nothing else asked, nothing is listed, and both say why."""
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    for query in (["a red circle", "--subtract", "the red circle"], ["a red circle without a red circle"]):
        code, out, err = run(capsys, "search", *query, *common)
        assert code == 1 and not out, (query, out)
        assert "'a red circle' is added and taken away: they cancel out" in err
        assert "no matching photos: what it adds, it takes away too" in err
    # with more asked, the rest is searched as without the pair
    code, out, err = run(
        capsys, "search", "a blue square", "--add", "red", "--subtract", "red", "-n", "3", *common
    )
    _, plain, _ = run(capsys, "search", "a blue square", "-n", "3", *common)
    assert code == 0 and out == plain and "'red' is added and taken away" in err


def test_a_photo_added_and_taken_away_cancels_out(
    capsys: pytest.CaptureFixture[str], shapes_library_db: tuple[Path, Path], trained_tiny: Path
) -> None:
    """The CLI audit of stop 47: `similar A.jpg --subtract-photo A.jpg` listed A's likeness at full
    strength, "3 likely matches", where the same text added and taken away cancels out."""
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    photo = photos / "red circle 1.jpg"
    spelled = f"{photos}/../{photos.name}/red circle 1.jpg"  # another spelling of the same file
    code, out, err = run(capsys, "similar", str(photo), "--subtract-photo", spelled, *common)
    assert code == 1 and not out, out
    assert "'red circle 1.jpg' is added and taken away: they cancel out" in err
    assert "no matching photos: what it adds, it takes away too" in err
    # with more asked, the rest is searched as without the pair
    code, out, err = run(
        capsys, "search", "a blue square", "--add-photo", str(photo), "--subtract-photo", str(photo),
        "-n", "3", *common,
    )  # fmt: skip
    _, plain, _ = run(capsys, "search", "a blue square", "-n", "3", *common)
    assert code == 0 and out == plain and "'red circle 1.jpg' is added and taken away" in err


def test_a_text_taken_away_at_a_smaller_weight_does_notcancel_out(
    capsys: pytest.CaptureFixture[str], shapes_library_db: tuple[Path, Path], trained_tiny: Path
) -> None:
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    query = ["a red circle", "--subtract", "a red circle", "--weight", "0.5", "-n", "3"]
    code, out, err = run(capsys, "search", *query, *common)
    assert code == 0 and out and "cancel" not in err


def test_what_cancels_out_does_not_hang_on_the_order_of_the_terms() -> None:
    """The review of stop 43: with two taken-away texts alike, the last one's weight decided, and
    two added texts alike were each cancelled by one taken away."""
    from photoscope.api import QueryTerm
    from photoscope.api.query_terms import cancel_out

    red, away = QueryTerm(text="a red circle"), QueryTerm(text="red circle", negative=True)
    half_away = QueryTerm(text="the red circle", negative=True, weight=0.5)
    assert cancel_out([red, away, half_away]) == ([], ("a red circle",))
    assert cancel_out([red, half_away, away]) == ([], ("a red circle",))
    assert cancel_out([red, half_away])[1] == ()  # less taken away than added: searched
    assert cancel_out([red, red, away]) == ([red, red, away], ())  # added twice, taken once


def test_similar_to_a_library_photo_whose_file_is_away_answers_from_its_stored_vectors(
    capsys: pytest.CaptureFixture[str],
    shapes_library_db: tuple[Path, Path],
    trained_tiny: Path,
    tmp_path: Path,
) -> None:
    """The second GUI walk of stop 43: `similar` on a photo of an unplugged drive said "no such
    photo" (exit 2) where the window's Find similar answers from the photo's stored vectors. A
    path the library does not hold is still a wrong path."""
    import shutil

    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    photo = next(photos.glob("blue square*"))
    code, here, _ = run(capsys, "similar", str(photo), "-n", "3", "--paths-only", *common)
    assert code == 0 and here
    away = tmp_path / "away"
    shutil.move(photo, away)  # its drive unplugged (no scan since)
    try:
        code, there, err = run(capsys, "similar", str(photo), "-n", "3", "--paths-only", *common)
        assert code == 0 and there == here, err
        code, _, err = run(capsys, "similar", str(photos / "never indexed.jpg"), *common)
        assert code == 2 and "no such photo" in err
    finally:
        shutil.move(away, photo)


def test_two_output_forms_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """The audit of stop 45: `--paths-only --null --json` was taken, and --null won unsaid."""
    from photoscope.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["search", "a dog", "--paths-only", "--json"])
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_a_heic_photo_is_one_that_can_be_searched_by(tmp_path: Path) -> None:
    """The review of stop 47: ``api.unreadable_photo`` called a HEIC photo "not a photo Photoscope
    can read" unless something had loaded the app's photo reading (which registers HEIC) before."""
    import subprocess
    import sys

    heic = tmp_path / "red.heic"
    make = (
        "import pillow_heif; pillow_heif.register_heif_opener(); from PIL import Image;"
        f"Image.new('RGB', (64, 64), 'red').save({str(heic)!r})"
    )
    subprocess.run([sys.executable, "-c", make], check=True)
    ask = f"from photoscope.api import unreadable_photo; print(repr(unreadable_photo({str(heic)!r})))"
    said = subprocess.run([sys.executable, "-c", ask], check=True, capture_output=True, text=True).stdout
    assert said.strip() == "None"


@pytest.mark.usefixtures("files_there")
def test_a_copy_of_a_photo_listed_above_says_so_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Stop 52's Left: a photo and its copies in other folders were three answers, said alike."""
    from types import SimpleNamespace

    from photoscope.commands import search as search_command

    def match(id_: int, path: str, copy_of: int | None = None) -> SimpleNamespace:
        photo = SimpleNamespace(id=id_, path=path, caption="a red circle", taken_at=None, tags="")
        return SimpleNamespace(photo=photo, score=0.5, near_duplicate=False, strength=1.0, copy_of=copy_of)

    matches = [
        match(1, "/p/phone/a.jpg"),
        match(2, "/p/backup/a.jpg", 1),
        match(3, "/p/b.jpg"),
        match(4, "/p/c.jpg", 1),
    ]
    results = SimpleNamespace(unknown_words=[], unsure=(), matches=matches, photo_words=(), relevant=4)
    assert search_command._print(results, SimpleNamespace(paths_only=False, null=False, json=False)) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [r.split("— a red circle")[1] for r in rows] == [
        "",
        "  [copy of the photo above]",
        "",
        "  [copy of a.jpg]",
    ]
    assert (
        search_command._print(results, SimpleNamespace(paths_only=False, null=False, json=True, model=None))
        == 0
    )
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["copy_of"] for p in printed] == [None, "/p/phone/a.jpg", None, "/p/phone/a.jpg"]


def test_a_photo_given_as_a_file_url_is_that_photo(
    shapes_library_db, trained_tiny: Path, capsys, tmp_path: Path
) -> None:
    """The fresh-seat audit of stop 53: `similar "file:///…/America%20drums.jpg"` (a file manager's
    copied location) said "file:/…/America%20drums.jpg: no such photo", though the window takes it."""
    from urllib.parse import quote

    from synthetic import shape_photo

    from photoscope.commands.common import user_path

    db, _ = shapes_library_db
    outside = tmp_path / "my photos" / "green square.png"
    outside.parent.mkdir()
    shape_photo("green", "square", seed=9).save(outside)
    url = "file://" + quote(str(outside))
    assert "%20" in url
    code, out, err = run(
        capsys, "similar", url, "-n", "1", "--paths-only", "--db", str(db), "--model", str(trained_tiny)
    )
    assert code == 0 and Path(out.strip()).name.startswith("green square"), err
    assert user_path("file://localhost" + quote(str(outside))) == outside
    assert user_path("file://elsewhere/x.jpg") == Path("file://elsewhere/x.jpg")  # no such path here: said so


def test_photos_of_a_drive_unplugged_inside_a_watched_folder_are_said_to_be_offline(
    trained_tiny: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh-seat audit of stop 54: a card unplugged inside a watched folder kept its photos
    (`status` said so), but search listed them "[not found]", "`photoscope index` updates the
    library", which can do nothing for them."""
    import shutil

    from photos import write_library

    from photoscope.api import indexing
    from photoscope.library import scanner

    points = {str(tmp_path / "P" / "Card")}
    monkeypatch.setattr(scanner, "mount_points", lambda: set(points))
    monkeypatch.setattr(indexing, "mount_points", lambda: set(points))
    write_library(tmp_path / "P" / "Card", 3)
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    points.clear()  # the card unplugged: its mount point left empty
    shutil.rmtree(tmp_path / "P" / "Card")
    (tmp_path / "P" / "Card").mkdir()
    code, out, err = run(capsys, "search", "a red circle", "-n", "3", *common)
    assert code == 0 and len(out.splitlines()) == 3, (out, err)
    assert all(row.endswith("  [folder offline]") for row in out.splitlines()), out
    assert "3 listed photos are in a folder that is not there now (a drive not plugged in?)" in err, err


def test_a_link_that_leads_nowhere_is_said_so_not_unreadable(
    trained_tiny: Path, tmp_path: Path, capsys
) -> None:
    """The fresh-seat audit of stop 54: a link whose photo had been renamed was listed "[cannot be
    read]", and its photo, listed next, "[copy of the photo above]"."""
    from photos import write_library

    write_library(tmp_path / "P", 2)
    photo = sorted((tmp_path / "P").iterdir())[0]
    (tmp_path / "P" / "link.jpg").symlink_to(photo)
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    photo.rename(photo.with_name("renamed.jpg"))
    assert run(capsys, "index", "--quiet", *common)[0] == 0  # the link's entry is kept
    code, out, err = run(capsys, "search", "a red circle", "-n", "3", *common)
    rows = [row for row in out.splitlines() if "link.jpg" in row]
    assert code == 0 and len(rows) == 1 and rows[0].endswith("  [link leads nowhere]"), out
    said = "1 listed photo is a link that leads nowhere now: the index keeps it; fix the link or remove it"
    assert said in err, err


def test_the_photos_of_a_linked_album_whose_target_is_gone_are_said_to_be_behind_a_link(
    trained_tiny: Path, tmp_path: Path, capsys
) -> None:
    """The CLI audit of stop 57: an album linked into the watched folder, its drive unplugged: index
    said the link leads nowhere and kept its photos, but search listed them "[not found]" and said
    `photoscope index` updates the library, which cannot help."""
    from photos import write_library

    write_library(tmp_path / "drive" / "album", 2)
    (tmp_path / "P").mkdir()
    (tmp_path / "P" / "album").symlink_to(tmp_path / "drive" / "album")
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    (tmp_path / "drive").rename(tmp_path / "unplugged")
    run(capsys, "index", "--quiet", *common)  # the link's photos are kept
    code, out, err = run(capsys, "search", "a red circle", "-n", "2", *common)
    rows = out.splitlines()
    assert code == 0 and len(rows) == 2 and all(r.endswith("  [link leads nowhere]") for r in rows), out
    assert "updates the library" not in err and "[not found]" not in out, err


def test_paths_only_that_lists_no_path_says_it_failed(trained_tiny: Path, tmp_path: Path, capsys) -> None:
    """The CLI audit of stop 57: every match in a folder not there now, `--paths-only` and `--null`
    printed nothing and exited 0: `... | xargs eog` opened an empty viewer, and a script could not
    tell. With no path to give, they exit 1, as "no matching photos" does."""
    from photos import write_library

    write_library(tmp_path / "P", 2)
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    (tmp_path / "P").rename(tmp_path / "unplugged")
    for option in ("--paths-only", "--null"):
        code, out, err = run(capsys, "search", "a red circle", option, *common)
        assert code == 1 and out == "" and "not there now" in err, (option, err)
    code, out, _ = run(capsys, "search", "a red circle", *common)
    assert code == 0 and "[folder offline]" in out


def test_a_photo_cut_short_is_still_found_and_said_to_be_damaged(
    trained_tiny: Path, tmp_path: Path, capsys
) -> None:
    """The CLI audit of stop 55: a photo cut short after it was indexed (a copy or sync that did not
    finish) left search, though its file was there; it is found, and said to be damaged."""
    from photos import write_library

    photos = write_library(tmp_path / "P", 2)
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    data = photos[0].read_bytes()
    photos[0].write_bytes(data[: len(data) // 2])
    code, out, err = run(capsys, "index", "--quiet", *common)
    assert code == 1 and "1 could not be read" in out, (out, err)  # not indexed again
    code, out, err = run(capsys, "search", "a red circle", "-n", "3", *common)
    rows = [row for row in out.splitlines() if photos[0].name in row]
    assert code == 0 and len(rows) == 1 and rows[0].endswith("  [file damaged]"), out
    said = "1 listed photo's file is damaged (cut short or emptied: a copy or sync that did not finish?)"
    assert said in err, err
    code, out, _ = run(capsys, "search", "a red circle", "-n", "3", "--json", *common)
    (row,) = [json.loads(line) for line in out.splitlines() if photos[0].name in line]
    assert row["damaged"] is True and row["on_disk"] is True


def test_a_photo_renamed_to_a_name_that_is_not_utf8_is_said_so_not_gone(
    trained_tiny: Path, tmp_path: Path, capsys
) -> None:
    """The CLI audit of stop 55: a photo renamed to a name that is not UTF-8 is kept by the index,
    but search said "[not found]" and "`photoscope index` updates the library", which it cannot."""
    import os

    from photos import write_library

    photos = write_library(tmp_path / "P", 2)
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    renamed = os.fsencode(tmp_path / "P") + b"/p\xe4n.jpg"
    os.rename(photos[0], renamed)
    run(capsys, "index", "--quiet", *common)  # the name is said there; the entry is kept
    code, out, err = run(capsys, "search", "a red circle", "-n", "3", *common)
    rows = [row for row in out.splitlines() if photos[0].name in row]
    assert code == 0 and len(rows) == 1, out
    assert rows[0].endswith("  [renamed to p\\xe4n.jpg, a name that is not UTF-8]"), out
    assert "updates the library" not in err and "not at its path" not in err, err
    said = "1 listed photo was renamed to a name that is not valid UTF-8 (a file's or a folder's, shown"
    assert said in err, err
    code, out, _ = run(capsys, "search", "a red circle", "-n", "3", "--json", *common)
    (row,) = [json.loads(line) for line in out.splitlines() if photos[0].name in line]
    assert row["on_disk"] is False and row["renamed_to"] == str(tmp_path / "P" / "p\\xe4n.jpg")


def test_a_photo_renamed_to_a_name_not_utf8_is_found_after_its_folder_is_renamed_too(
    trained_tiny: Path, tmp_path: Path, capsys
) -> None:
    """Audit 96 (repro_1): a photo renamed to a name that is not UTF-8 was said renamed; once its
    folder was renamed too ("snow trip" to "snow trip 2") it was "[not found]", and `photoscope
    index` changed nothing. The entry is kept (the scan finds its bytes); where it is is said."""
    import os

    from photos import write_library

    photos = write_library(tmp_path / "P" / "snow trip", 2)
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    os.rename(photos[0], os.fsencode(photos[0].parent) + b"/p\xe4n.jpg")
    run(capsys, "index", "--quiet", *common)
    (tmp_path / "P" / "snow trip").rename(tmp_path / "P" / "snow trip 2")
    run(capsys, "index", "--quiet", *common)
    code, out, _ = run(capsys, "search", "a red circle", "-n", "3", "--json", *common)
    (row,) = [json.loads(line) for line in out.splitlines() if photos[0].name in line]
    assert code == 0 and row["renamed_to"] == str(tmp_path / "P" / "snow trip 2" / "p\\xe4n.jpg"), row


def test_photos_missing_from_one_folder_list_it_once_for_a_new_name(
    trained_tiny: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop 56's leftover: each listed photo not at its path listed its folder again, looking for it
    under a name that is not UTF-8: ten photos deleted from a folder of 50,000 files, ten listings."""
    import os

    from photos import write_library

    from photoscope.library import fs

    photos = write_library(tmp_path / "P", 4)
    common = ("--db", str(tmp_path / "library.db"), "--model", str(trained_tiny))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    for photo in photos[:3]:
        os.remove(photo)
    listed: list[str] = []
    listdir = os.listdir
    monkeypatch.setattr(fs.os, "listdir", lambda d: listed.append(os.fspath(d)) or listdir(d))
    code, out, _ = run(capsys, "search", "a red circle", "-n", "4", *common)
    assert code == 0 and out.count("[not found]") == 3, out
    assert listed.count(str(tmp_path / "P")) == 1, listed


def test_one_photo_in_a_folder_not_there_is_said_in_the_singular(capsys) -> None:
    """The CLI audit of stop 57: "1 listed photo is in a folder that is not there now …: they stay"."""
    from photoscope.commands.search import _note_offline

    _note_offline(1, False)
    said = capsys.readouterr().err
    assert (
        "1 listed photo is in a folder" in said
        and "it stays in the index; plug the drive in to open it" in said
    )
