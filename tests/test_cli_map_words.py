"""``photoscope map`` and ``photoscope words``: bad arguments and paths refused at once, in one line,
with the exit status of their kind (audit of the command line: map and words)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import one_clean_line, run

from photoscope.api.maps import WordsAndMaps
from photoscope.cli import build_parser
from photoscope.library.db import Library

USAGE, FAILED, UNWRITABLE = 2, 1, 5


def _refused_by_the_parser(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The parser's error line for ``argv`` (exit status 2, one line: no usage block before it). Only
    parsed, never run: a size the parser let through once took all the memory the machine had."""
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(list(argv))
    assert stop.value.code == USAGE
    err = capsys.readouterr().err
    assert "usage:" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "--help` lists what it takes" in err
    return err.strip()


@pytest.fixture
def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A map that gets as far as its layout fails the test (the layout is the slow part: t-SNE)."""

    def drawn(*_: object, **__: object) -> None:
        raise AssertionError("the layout ran before the output was checked")

    monkeypatch.setattr(WordsAndMaps, "word_map", drawn)
    monkeypatch.setattr(WordsAndMaps, "photo_map", drawn)


# --- map --size ----------------------------------------------------------------------------------


def test_map_refuses_a_size_too_large_to_draw(capsys: pytest.CaptureFixture[str]) -> None:
    """``--size 100000x100000`` asked for a 30 GB canvas: the kernel killed it (exit 137)."""
    for size in ("100000x100000", "10001x500", "500x10001"):
        said = _refused_by_the_parser(capsys, "map", "words", "--out", "m.png", "--size", size)
        assert "argument --size" in said and "at most 10000x10000" in said
    assert build_parser().parse_args(["map", "words", "--out", "m.png", "--size", "10000x10000"]).size == (
        10000,
        10000,
    )


# --- map --out -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("m.xyz", "cannot write a .xyz image"),
        ("m.xbm", "cannot write a .xbm image"),  # Pillow knows XBM, but not for a colour image
        ("m", "has no image type"),
        ("folder", "is a folder"),
        ("missing/m.png", "no such folder"),
    ],
)
def test_map_checks_its_output_file_before_drawing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tiny_model_dir: Path,
    no_drawing: None,
    name: str,
    says: str,
) -> None:
    """An unknown or missing extension or a folder ended in "unexpected error (ValueError …)" and a
    missing folder in "No such file or directory" after the slow layout: each is refused first."""
    (tmp_path / "folder").mkdir()
    out = tmp_path / name
    with Library(tmp_path / "library.db"):
        pass  # an empty library, so that `map photos` gets past its check for one
    common = ("--out", str(out), "--model", str(tiny_model_dir), "--db", str(tmp_path / "library.db"))
    for what in ("words", "photos"):
        code, stdout, err = run(capsys, "map", what, *common)
        line = one_clean_line(err)
        assert code == USAGE and not stdout
        assert line.startswith(f"photoscope: {out}") and says in line, line
        assert not out.is_file()


def test_map_says_before_drawing_when_no_file_can_be_made_in_its_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, no_drawing: None
) -> None:
    """The CLI audit of stop 56: ``--out /proc/x.png`` (a folder where no file can be made) said
    "/proc/x.png: No such file or directory" after the layout, though /proc is there."""
    out = Path("/proc/photoscope-map.png")
    with Library(tmp_path / "library.db"):
        pass
    common = ("--out", str(out), "--model", str(tiny_model_dir), "--db", str(tmp_path / "library.db"))
    for what in ("words", "photos"):
        code, stdout, err = run(capsys, "map", what, *common)
        line = one_clean_line(err)
        assert code == UNWRITABLE and not stdout
        said = "no file can be made there (no such file or directory): write the map elsewhere"
        assert line == f"photoscope: {out}: {said}"


def test_map_names_its_output_when_the_disk_is_full(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, trained_tiny: Path
) -> None:
    """A write that fails at save time is the unwritable kind (exit 5), and names the map's file."""
    out = tmp_path / "m.png"
    out.symlink_to("/dev/full")  # every write to it fails with "no space left on device"
    code, stdout, err = run(capsys, "map", "words", "--out", str(out), "--model", str(trained_tiny))
    line = one_clean_line(err)
    assert code == UNWRITABLE and "wrote" not in stdout
    assert line == f"photoscope: {out}: the disk is full: free some space, then try again"


# --- map words --words, --highlight ----------------------------------------------------------------


def test_map_words_refuses_fewer_than_one_word(capsys: pytest.CaptureFixture[str]) -> None:
    """``--words 0`` wrote a blank image and said "wrote"; ``--words -3`` mapped all words but 3."""
    for count in ("0", "-3"):
        said = _refused_by_the_parser(capsys, "map", "words", "--out", "w.png", "--words", count)
        assert "argument --words: must be 1 or more" in said


def test_map_words_notes_a_highlighted_word_it_cannot_draw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, trained_tiny: Path
) -> None:
    """``--highlight xyzzyq`` was silently ignored: a word the model does not know, or one not among
    the words mapped, is said on stderr; the map is still written."""
    out = tmp_path / "w.png"
    common = ("--out", str(out), "--size", "400x300", "--model", str(trained_tiny))
    code, stdout, err = run(capsys, "map", "words", *common, "--highlight", "xyzzyq", "Red")
    assert code == 0 and stdout.startswith(f"wrote {out}") and out.is_file()
    assert (
        one_clean_line(err) == "note: not highlighted: Photoscope does not know the word 'xyzzyq' well enough"
    )
    from photoscope.api import Photoscope

    with Photoscope(tmp_path / "none.db", trained_tiny) as app:
        mapped = app.word_map(1).keys[0]  # the most frequent word that is not a function word
    other = "square" if mapped != "square" else "circle"
    code, _, err = run(capsys, "map", "words", *common, "--words", "1", "--highlight", other)
    assert code == 0
    assert one_clean_line(err) == (
        f"note: not highlighted: '{other}' is not among the 1 words on the map (--words N maps more)"
    )


# --- words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", ["0", "-5"])
def test_words_jobs_refuse_a_count_below_one(capsys: pytest.CaptureFixture[str], count: str) -> None:
    """``words similar dog -n -5`` printed nearly the whole vocabulary; ``-n 0`` printed nothing."""
    for job in (["similar", "dog"], ["analogy", "man", "king", "woman"]):
        said = _refused_by_the_parser(capsys, "words", *job, "-n", count)
        assert "argument -n/--limit: must be 1 or more" in said


def test_words_honours_a_model_given_before_the_job(
    capsys: pytest.CaptureFixture[str], trained_tiny: Path, tmp_path: Path
) -> None:
    """``words --model /nonexistent similar dog`` silently used the shipped model. (A folder that is
    not there is now refused by the parser: a folder that holds no bundle shows it is honoured.)"""
    code, out, err = run(capsys, "words", "--model", str(tmp_path), "similar", "dog")
    assert code == FAILED and not out
    assert one_clean_line(err) == (
        f"photoscope: {tmp_path} is not a model bundle (needs bundle.json and model.safetensors)"
    )
    code, out, _ = run(capsys, "words", "--model", str(trained_tiny), "similar", "red", "-n", "3")
    shapes = {"red", "green", "blue", "yellow", "circle", "square", "triangle", "a", "on", "white"}
    assert code == 0 and len(out.splitlines()) == 3
    assert {line.split()[1] for line in out.splitlines()} <= shapes | {"background", "black", "star"}


def test_words_jobs_accept_debug_after_the_job(
    capsys: pytest.CaptureFixture[str], trained_tiny: Path, tmp_path: Path
) -> None:
    """``words similar dog --debug`` was "unrecognized arguments: --debug", though other commands
    take it after their name."""
    code, out, _ = run(capsys, "words", "similar", "red", "-n", "2", "--debug", "--model", str(trained_tiny))
    assert code == 0 and len(out.splitlines()) == 2
    code, _, err = run(
        capsys, "words", "analogy", "red", "circle", "blue", "--model", str(tmp_path), "--debug"
    )
    assert code == FAILED and "Traceback" in err


@pytest.mark.parametrize("given", [["man", "woman"], ["man"], ["man", "woman", "boy", "girl"]])
def test_an_analogy_without_three_words_says_what_it_takes(
    capsys: pytest.CaptureFixture[str], given: list[str]
) -> None:
    """The fresh-seat audit of stop 53: `words analogy man woman` said "the following arguments are
    required: c", naming an argument no user knows of."""
    code, out, err = run(capsys, "words", "analogy", *given)
    line = one_clean_line(err)
    assert code == 2 and out == ""
    assert line.startswith("photoscope words analogy: give three words (A is to B as C is to ?)"), line
    assert "photoscope words analogy man woman boy" in line and "required: c" not in line


@pytest.mark.parametrize("given", [["--words", "3"], ["--highlight", "dog"], ["--words", "3", "--highlight"]])
def test_map_photos_refuses_the_word_maps_options(
    capsys: pytest.CaptureFixture[str], given: list[str], no_drawing: None
) -> None:
    """The fresh-seat audit of stop 56: `map photos --words 3 --highlight dog zzzq` drew the same map
    as without them and exited 0, saying nothing."""
    code, out, err = run(capsys, "map", "photos", "--out", "m.png", *given)
    line = one_clean_line(err)
    assert code == USAGE and out == ""
    assert line.startswith("photoscope map photos: --words and --highlight are for `photoscope map words`"), (
        line
    )


def test_words_similar_given_two_words_asks_for_one(capsys: pytest.CaptureFixture[str]) -> None:
    """The fresh-seat audit of stop 56: `words similar "black dog"` said the model does not know
    "the word 'black dog'", though it knows both."""
    said = _refused_by_the_parser(capsys, "words", "similar", "black dog")
    assert "give one word, not 'black dog'" in said and "does not know" not in said, said


def test_caption_refuses_a_beam_or_length_too_large_to_decode(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI audit of stop 57: `caption --max-len 20000` and `--beam 99999999999` ended in exit 70
    and the allocator's "tried to allocate 25602560064 bytes"; `--beam 100000` held 7.8 GB for
    minutes. Each is refused as it is parsed; the largest allowed is taken."""
    for option, value, limit in (
        ("--max-len", "20000", "at most 60"),
        ("--beam", "99999999999", "at most 32"),
    ):
        said = _refused_by_the_parser(capsys, "caption", "a.jpg", option, value)
        assert f"argument {option}" in said and limit in said, said
    args = build_parser().parse_args(["caption", "a.jpg", "--max-len", "60", "--beam", "32"])
    assert (args.max_len, args.beam) == (60, 32)


def test_caption_refuses_a_length_penalty_too_large_to_compute_and_decodes_the_largest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The CLI audit of stop 58: `caption --length-penalty 400` (or 200 with `--max-len 60`) ended
    in exit 70, "unexpected error (OverflowError: (34, 'Numerical result out of range'))"."""
    from photos import write_photo

    for value in ("400", "1e308", "10.5"):
        said = _refused_by_the_parser(capsys, "caption", "a.jpg", "--length-penalty", value)
        assert "argument --length-penalty" in said and "at most 10" in said, said
    photo = write_photo(tmp_path / "a.jpg")
    model = ("--model", str(tiny_model_dir))
    for extra in (["--max-len", "60"], ["--greedy"]):
        code, out, err = run(capsys, "caption", str(photo), "--length-penalty", "10", *extra, *model)
        assert code == 0 and str(photo) in out and not err, err


def test_search_refuses_a_query_too_long_to_be_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI audit of stop 57: a pasted 4.7 KB query took 17 s and 0.56 GB, a 38 KB one 41 s and
    2.5 GB. A description is refused past 500 characters as it is parsed, as a term, and by the API."""
    from photoscope.api import QueryTerm

    long = "a dog on the beach " * 30
    for argv in (
        ["search", long],
        ["search", "a dog", "--add", long],
        ["similar", "a.jpg", "--subtract", long],
    ):
        said = _refused_by_the_parser(capsys, *argv)
        assert "at most 500 characters" in said, said
    assert build_parser().parse_args(["search", long[:500]]).text == long[:500]
    with pytest.raises(ValueError, match="at most 500 characters"):
        QueryTerm(text=long)


def test_map_photos_of_a_library_with_no_photo_says_so_as_every_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path
) -> None:
    """The CLI audit of stop 57: the line had no "photoscope:" before it, as no other error line."""
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.add_folder(tmp_path)
    code, out, err = run(
        capsys,
        "map",
        "photos",
        "--out",
        str(tmp_path / "m.png"),
        "--db",
        str(db),
        "--model",
        str(tiny_model_dir),
    )
    assert code == FAILED and not out
    assert (
        one_clean_line(err) == "photoscope: the library has no indexed photos yet (photoscope index FOLDER)"
    )


def test_an_analogy_names_every_word_the_model_does_not_know(
    capsys: pytest.CaptureFixture[str], trained_tiny: Path
) -> None:
    """Audit 74, repro_4: `words analogy man xyzzy qqqq` named only 'xyzzy'; 'qqqq' came out on the
    next run. Every unknown word is named, in one line, as `map words --highlight` names each."""
    code, out, err = run(capsys, "words", "analogy", "red", "xyzzy", "qqqq", "--model", str(trained_tiny))
    line = one_clean_line(err)
    assert code == FAILED and out == ""
    assert line.startswith("photoscope: Photoscope does not know the words 'xyzzy'"), line
    assert "'qqqq'" in line and "'red'" not in line, line


def test_map_names_a_file_whose_name_is_not_utf8_as_the_other_commands_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, trained_tiny: Path
) -> None:
    """Audit 89's notes: `map --out` of a name that is not UTF-8 said "wrote …/m\\ufffd.png"; the
    other commands say "m\\xe9.png"."""
    import os

    out = tmp_path / os.fsdecode(b"m\xe9.png")
    common = ("--out", str(out), "--size", "400x300", "--model", str(trained_tiny))
    code, stdout, _ = run(capsys, "map", "words", *common)
    assert code == 0 and out.is_file()
    assert stdout.startswith(f"wrote {tmp_path}/m\\xe9.png "), stdout
