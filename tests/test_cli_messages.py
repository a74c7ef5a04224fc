"""The command line says what is true, in one line, with the exit status of its kind: a search that
finds nothing says why when it can know (photos waiting, another model), paths that are folders, links
to nothing or link loops are named so, and photos that could not be indexed make ``index`` exit 1."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import EXIT, one_clean_line, run
from photos import damage_page, write_library, write_photo, write_zero_byte

from photoscope.api import Photoscope
from photoscope.cli import main


def _index(capsys: pytest.CaptureFixture[str], folder: Path, db: Path, model: Path) -> tuple[int, str, str]:
    return run(capsys, "index", str(folder), "--db", str(db), "--model", str(model), "--quiet")


@pytest.fixture
def weird(tmp_path: Path) -> Path:
    """A folder of things a user may give for a photo: a good one, an empty file, a dangling link and a
    link loop."""
    folder = tmp_path / "weird"
    write_photo(folder / "good.jpg", seed=3)
    write_zero_byte(folder / "zero.jpg")
    (folder / "dangling.jpg").symlink_to(folder / "gone.jpg")
    (folder / "loop_a").symlink_to(folder / "loop_b")
    (folder / "loop_b").symlink_to(folder / "loop_a")
    return folder


@pytest.fixture
def indexed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> Path:
    """A library of 3 photos the tiny model indexed: its database."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3)
    code, _, _ = _index(capsys, tmp_path / "P", db, tiny_model_dir)
    assert code == 0
    return db


# --- A: a search that finds nothing says why ----------------------------------------------------


@pytest.mark.parametrize("query", ["a dog", "espresso"])  # "espresso": only the head's concepts read it
def test_a_search_of_photos_still_pending_says_they_wait(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None, query: str
) -> None:
    # With "espresso" it said the head could not see one in any photo (the review of stop 38).
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3)
    with Photoscope(db) as app:  # added and scanned, never indexed
        app.add_folder(tmp_path / "P")
        app.scanner().scan()
    code, out, err = run(capsys, "search", query, "--db", str(db), "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == EXIT["failed"] and not out
    assert "3 photos wait to be indexed" in line and "photoscope index" in line


def test_a_search_of_a_library_partly_indexed_says_what_it_did_not_search(
    capsys: pytest.CaptureFixture[str], indexed: Path, tmp_path: Path, tiny_model_dir: Path
) -> None:
    """The CLI audit: with 8 photos indexed and 48 waiting, "a gorilla" said no photo shows one,
    and said nothing of the 48 (the gorilla's among them); a listing said nothing either."""
    write_library(tmp_path / "P", 2, start=10)  # two more, found by a scan, not indexed
    with Photoscope(indexed) as app:
        app.scanner().scan()
    common = ("--db", str(indexed), "--model", str(tiny_model_dir))
    code, out, err = run(capsys, "search", "a red square", *common)
    assert code == 0 and out and "note: 2 photos not searched yet: waiting to be indexed" in err
    code, out, err = run(capsys, "search", "espresso", *common)
    assert code == EXIT["failed"] and not out
    assert "not searched yet" in err and "photoscope index" in err and "Traceback" not in err
    # audit 81: not "in any photo" while two were not looked at
    assert "cannot clearly see 'espresso' in any photo indexed so far" in err, err


def test_a_search_while_another_process_indexes_says_they_are_being_indexed(
    capsys: pytest.CaptureFixture[str], indexed: Path, tmp_path: Path, tiny_model_dir: Path
) -> None:
    """The CLI audit of stop 58: with `photoscope index` running, `search` said "24 photos not
    searched yet: waiting to be indexed (`photoscope index`)", and with none indexed yet "run
    `photoscope index`": the command already running. Another process holds the indexing lock."""
    from photoscope.library.indexer import _IndexingLock

    write_library(tmp_path / "P", 2, start=10)
    with Photoscope(indexed) as app:
        app.scanner().scan()
    common = ("--db", str(indexed), "--model", str(tiny_model_dir))
    with _IndexingLock(indexed) as lock:
        assert lock.acquire()
        code, out, err = run(capsys, "search", "a red square", *common)
        assert code == 0 and out
        assert "note: 2 photos not searched yet: another Photoscope is indexing them now" in err, err
        code, out, err = run(capsys, "search", "espresso", *common)
        assert code == EXIT["failed"] and "another Photoscope is indexing them now" in err, err
        assert "`photoscope index`" not in err, err
    code, out, err = run(capsys, "search", "a red square", *common)  # the run over, the lock free
    assert "waiting to be indexed (`photoscope index" in err, err


def test_a_search_of_an_empty_library_says_it_is_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    db = tmp_path / "library.db"
    (tmp_path / "P").mkdir()
    assert run(capsys, "folders", "add", str(tmp_path / "P"), "--db", str(db))[0] == 0
    code, out, err = run(capsys, "search", "a dog", "--db", str(db), "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == EXIT["failed"] and not out
    assert "no photo of the watched folders is indexed yet" in line and "photoscope index" in line


def _renamed_model(model: Path, where: Path) -> Path:
    """A copy of the bundle under another name: another model version, as far as the library knows."""
    copy = Path(shutil.copytree(model, where))
    spec = json.loads((copy / "bundle.json").read_text())
    spec["name"] = "another-model"
    (copy / "bundle.json").write_text(json.dumps(spec))
    return copy


@pytest.mark.parametrize(
    ("model", "other_way"),
    [
        ("tiny_model_dir", "search with --model set to the model that indexed them"),
        ("shipped_model_dir", "search without --model"),  # the shipped model indexed them
    ],
)
def test_a_search_with_another_model_says_the_photos_are_the_other_models(
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fast_models: None,
    weird: Path,
    model: str,
    other_way: str,
) -> None:
    indexed_by: Path = request.getfixturevalue(model)
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3)
    assert _index(capsys, tmp_path / "P", db, indexed_by)[0] == 0
    other = _renamed_model(indexed_by, tmp_path / "m6")
    for query in (["search", "a dog"], ["similar", str(weird / "good.jpg")]):
        code, out, err = run(capsys, *query, "--db", str(db), "--model", str(other))
        line = one_clean_line(err)
        assert code == EXIT["failed"] and not out, query
        assert "3 photos were indexed by another model (" in line and other_way in line, line
        assert f"`photoscope index --db {db} --model {other}`" in line, line


# --- B: index exits 1 when photos could not be indexed; damaged EXIF is no raw warning ----------


def test_b_index_exits_1_when_photos_could_not_be_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    write_library(tmp_path / "P", 2)
    write_zero_byte(tmp_path / "P" / "empty.jpg")
    code, out, _ = _index(capsys, tmp_path / "P", tmp_path / "library.db", tiny_model_dir)
    assert code == EXIT["failed"]
    assert f"indexed 2 photos, 1 could not be read:\n  {tmp_path / 'P' / 'empty.jpg'}: empty file" in out


def _corrupt_exif_jpeg(path: Path) -> Path:
    """A good JPEG whose Exif block says it holds more tags than it does."""
    write_photo(path, make="Camera", model="Camera X", taken="2021:07:04 12:30:00")
    data = bytearray(path.read_bytes())
    tiff = data.index(b"Exif\x00\x00") + 6
    order = "little" if data[tiff : tiff + 2] == b"II" else "big"
    first_ifd = tiff + int.from_bytes(data[tiff + 4 : tiff + 8], order)
    data[first_ifd : first_ifd + 2] = (4000).to_bytes(2, order)  # far more entries than there are
    path.write_bytes(bytes(data))
    return path


def test_b_corrupt_exif_reaches_no_terminal_as_a_python_warning(tmp_path: Path) -> None:
    photo = _corrupt_exif_jpeg(tmp_path / "bad-exif.jpg")
    read = (
        "import sys; from photoscope.library.photos import load_photo, read_metadata;"
        "read_metadata(sys.argv[1]); load_photo(sys.argv[1])"
    )
    done = subprocess.run(
        [sys.executable, "-c", read, str(photo)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "warnings.warn" not in done.stderr, done.stderr


# --- C: caption says what a wrong path is -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (".", "a folder, not a photo"),
        ("missing.jpg", "no such file"),
        ("dangling.jpg", "a symbolic link to nothing"),
        ("loop_a", "a symbolic link loop"),
    ],
)
def test_c_caption_of_a_wrong_path_says_what_it_is(
    capsys: pytest.CaptureFixture[str],
    weird: Path,
    tiny_model_dir: Path,
    fast_models: None,
    name: str,
    said: str,
) -> None:
    code, out, err = run(capsys, "caption", str(weird / name), "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and not out
    assert said in line and str(weird / name) in line


def test_c_caption_of_a_truncated_photo_says_it_in_words_and_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    # The CLI audit: "truncated or corrupt image ([Errno None] None: 'trunc.jpg')", Python's own
    # text for an error that has a file name but no errno, and nothing to do.
    whole = write_photo(tmp_path / "whole.jpg", seed=3, size=(300, 200))
    cut = tmp_path / "trunc.jpg"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    code, out, err = run(capsys, "caption", str(cut), "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == 1 and not out
    assert "Errno" not in line and "None" not in line
    # PIL's own words after a dash: they hold brackets of their own (the fresh-seat audit of stop
    # 49: "truncated or corrupt image (image file is truncated (33 bytes not processed)): …")
    assert line.startswith(f"photoscope: {cut}: truncated or corrupt image — image file is truncated")
    assert line.endswith("): copy it again from where it came from")


# --- D, E: the query's photos of similar and --add-photo ---------------------------------------


@pytest.mark.parametrize(
    "query", [["similar", "{w}/loop_a"], ["search", "a dog", "--add-photo", "{w}/loop_a"]]
)
def test_d_a_link_loop_as_the_query_photo_is_a_wrong_path(
    capsys: pytest.CaptureFixture[str], weird: Path, indexed: Path, tiny_model_dir: Path, query: list[str]
) -> None:
    argv = [a.format(w=weird) for a in query]
    code, out, err = run(capsys, *argv, "--db", str(indexed), "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and not out
    assert "a symbolic link loop" in line and str(weird / "loop_a") in line


def test_e_only_the_unreadable_query_photo_is_named(
    capsys: pytest.CaptureFixture[str], weird: Path, indexed: Path, tiny_model_dir: Path
) -> None:
    good, zero = weird / "good.jpg", weird / "zero.jpg"
    code, out, err = run(
        capsys, "similar", str(good), "--subtract-photo", str(zero), "--db", str(indexed),
        "--model", str(tiny_model_dir),
    )  # fmt: skip
    line = one_clean_line(err)
    assert code == EXIT["failed"] and not out
    assert line.startswith(f"photoscope: {zero}: ") and str(good) not in line, line


# --- F: --db that is a folder, or empty ---------------------------------------------------------


def _parser_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The parser's error line for a bad argument (it exits with status 2, after the usage line)."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    err = capsys.readouterr().err
    assert exited.value.code == EXIT["usage"] and "Traceback" not in err
    return err.strip().splitlines()[-1]


def test_f_db_that_is_a_folder_or_empty_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = _parser_error(capsys, "status", "--db", str(tmp_path))
    assert f"argument --db: {tmp_path} is a folder: give a file path inside it" in line
    line = _parser_error(capsys, "folders", "add", str(tmp_path), "--db", "")
    assert "argument --db: needs a file path" in line


# --- G: folders include of a rule that is not there; folders list with an extra word ------------


def test_g_including_what_was_never_excluded_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A rule that is not there is a wrong argument (exit 2), as `folders remove` of a folder not
    watched: it was 1, "could not be processed" (the fresh-seat audit)."""
    db = str(tmp_path / "library.db")
    (tmp_path / "P" / "sub").mkdir(parents=True)
    assert run(capsys, "folders", "add", str(tmp_path / "P"), "--db", db)[0] == 0
    for rule in ([str(tmp_path / "P" / "sub")], ["--pattern", "*.png"]):
        code, out, err = run(capsys, "folders", "include", *rule, "--db", db)
        line = one_clean_line(err)
        assert code == EXIT["usage"] and "again" not in out, rule
        assert "no such exclusion rule" in line, line
    assert run(capsys, "folders", "exclude", "--pattern", "*.png", "--db", db)[0] == 0
    code, out, _ = run(capsys, "folders", "include", "--pattern", "*.png", "--db", db)
    assert code == 0 and "included *.png again" in out


def test_g_folders_list_takes_no_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "library.db")
    assert run(capsys, "folders", "add", str(tmp_path), "--db", db)[0] == 0
    code, out, err = run(capsys, "folders", "list", "extra", "--db", db)
    assert code == EXIT["usage"] and not out and "folders list takes no PATH" in one_clean_line(err)


# --- H: a library damaged deep inside, after indexing --------------------------------------------


def test_h_index_says_damage_found_after_indexing_in_one_clean_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, indexed: Path
) -> None:
    damage_page(indexed, -1)  # one of a vector's overflow pages, deep in the file
    write_photo(tmp_path / "P" / "new.jpg", seed=50)
    code, _, err = _index(capsys, tmp_path / "P", indexed, tiny_model_dir)
    line = one_clean_line(err)
    assert code == EXIT["damaged"], err
    assert line.count("doctor --repair") == 1 and line.count(str(indexed)) == 1, line
    code, out, _ = run(capsys, "status", "--db", str(indexed))
    assert ("DAMAGED" in out) == (code == EXIT["damaged"]), out


@pytest.mark.parametrize("command", ["search", "similar"])
def test_h_a_search_of_a_damaged_library_answers_and_says_it_is_damaged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, indexed: Path, command: str
) -> None:
    """Audit 96's notes: with an index of the photos table damaged, `status` said DAMAGED and a
    search answered as if all were well. It answers (what it read is sound), then says the damage
    in one line with the way out, and exits as damaged."""
    damage_page(indexed, "photos_taken_at")
    asked = "a red square" if command == "search" else str(next((tmp_path / "P").iterdir()))
    code, out, err = run(capsys, command, asked, "--db", str(indexed), "--model", str(tiny_model_dir))
    assert out.strip(), err  # the answer
    damaged = [line for line in err.splitlines() if "damaged" in line]
    assert len(damaged) == 1 and "doctor --repair" in damaged[0] and str(indexed) in damaged[0], err
    assert code == EXIT["damaged"], err
    assert "Traceback" not in err
    code, out, _ = run(capsys, "status", "--db", str(indexed))
    assert code == EXIT["damaged"] and "DAMAGED" in out  # the same check


# --- I: folders remove of a path not watched; a query with no words ------------------------------


def test_i_removing_a_folder_not_watched_is_a_wrong_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "library.db")
    assert run(capsys, "folders", "add", str(tmp_path), "--db", db)[0] == 0
    code, _, err = run(capsys, "folders", "remove", str(tmp_path / "nonexistent"), "--db", db)
    assert code == EXIT["usage"] and "nonexistent" in one_clean_line(err)


@pytest.mark.parametrize("text", ["", "!!!???", "\U0001f436\U0001f308"])
def test_i_a_query_with_no_words_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], indexed: Path, tiny_model_dir: Path, text: str
) -> None:
    code, out, err = run(capsys, "search", text, "--db", str(indexed), "--model", str(tiny_model_dir))
    assert code == EXIT["usage"] and not out and "holds no words" in one_clean_line(err)


@pytest.mark.parametrize(
    "text",
    # "no", "not", "but", "without": the audit of stop 45 (palaces and coral reefs, "5 likely")
    [
        *("a", "the", "two", "a an of", "photo", "a picture", "my photos", "something"),
        *("no", "not", "but", "without", "not the", "no no no"),
    ],
)
def test_i_a_query_of_function_words_alone_says_so(
    capsys: pytest.CaptureFixture[str], indexed: Path, tiny_model_dir: Path, text: str
) -> None:
    """Audit: `search a` said only "no matching photos" (as if photos had been looked at), and
    `search two` listed every photo; "" said the query holds no words. The honest-results walk:
    "photo", "picture", "something" listed the library in an arbitrary order, without a note."""
    code, out, err = run(capsys, "search", text, "--db", str(indexed), "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and not out and "holds no word to search by" in line and text in line


def test_i_a_folder_the_library_has_no_photo_below_is_said_before_the_network_loads(
    capsys: pytest.CaptureFixture[str], indexed: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit: `search --folder /a/typo` loaded the network (seconds) before saying the folder has
    no photos, and its hint named `photoscope folders`, which alone is a usage error."""
    from photoscope.network import model as model_module

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("the network was loaded")

    monkeypatch.setattr(model_module.PhotoscopeModel, "__init__", no_network)
    code, out, err = run(
        capsys, "search", "a dog", "--folder", "/a/typo", "--db", str(indexed), "--model", str(tiny_model_dir)
    )
    line = one_clean_line(err)
    assert code == EXIT["usage"] and not out and "/a/typo" in line and "`photoscope folders list`" in line


@pytest.mark.parametrize(
    "damage", ["not json", "wrong sizes", "no vocabulary", "no network", "a list", "words not a list"]
)
def test_a_damaged_model_bundle_is_said_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, damage: str
) -> None:
    """Audit F12: `caption --model M` with a bundle.json that is not JSON ended in "unexpected error
    (JSONDecodeError …)" naming no file, exit 70; one whose sizes do not fit its weights in a
    five-line PyTorch "size mismatch" message, exit 70."""
    import json
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_model_dir, bundle)
    meta = bundle / "bundle.json"
    data = json.loads(meta.read_text())
    if damage == "not json":
        meta.write_text("{bad json")
    elif damage == "wrong sizes":
        data["network"]["vocab_size"] = 100
    elif damage == "no vocabulary":  # the CLI audit of stop 57: exit 70, "KeyError: 'vocabulary'"
        del data["vocabulary"]
    elif damage == "no network":
        del data["network"]
    elif damage == "a list":
        data = [data]
    else:
        data["vocabulary"]["words"] = 7
    if damage != "not json":
        meta.write_text(json.dumps(data))
    photo = tmp_path / "a.jpg"
    write_photo(photo)
    code, _, err = run(capsys, "caption", str(photo), "--model", str(bundle))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and str(bundle) in line and "damaged" in line, (code, err)  # a --model given


# --- J: the same kind of answer, the same exit status, whichever command gives it ----------------


def test_j_a_model_folder_that_is_not_there_is_a_wrong_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Audit: `--model /tmp/nomodel` exited 1 ("could not be processed"); a wrong path is 2."""
    line = _parser_error(capsys, "caption", str(tmp_path / "a.jpg"), "--model", str(tmp_path / "nomodel"))
    assert "argument --model" in line and "nomodel" in line and "no such folder" in line


def test_j_folders_add_and_index_refuse_a_folder_inside_a_watched_one_alike(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Audit: "already watched as part of …" was exit 1 from `folders add`, 2 from `index PATH`;
    adding the very same folder again said "watching …" as if it were new. Since audit 96 `index`
    of it indexes that part, saying why no folder is added (tests/test_cli_index.py)."""
    db = str(tmp_path / "library.db")
    (tmp_path / "Pictures" / "Trip").mkdir(parents=True)
    assert run(capsys, "folders", "add", str(tmp_path / "Pictures"), "--db", db)[0] == 0
    code, _, err = run(capsys, "folders", "add", str(tmp_path / "Pictures" / "Trip"), "--db", db)
    assert code == EXIT["usage"] and "already watched as part of" in one_clean_line(err)
    code, out, _ = run(capsys, "folders", "add", str(tmp_path / "Pictures"), "--db", db)
    assert code == 0 and out.strip() == f"{tmp_path / 'Pictures'} is watched already"


def test_j_exclude_says_what_it_did(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Audit: excluding twice said "0 photos left the index" (include twice says there is no such
    rule); excluding a subfolder that is not there said nothing of it."""
    db = str(tmp_path / "library.db")
    (tmp_path / "Pictures" / "Screens").mkdir(parents=True)
    assert run(capsys, "folders", "add", str(tmp_path / "Pictures"), "--db", db)[0] == 0
    screens = str(tmp_path / "Pictures" / "Screens")
    assert run(capsys, "folders", "exclude", screens, "--db", db)[0] == 0
    code, _, err = run(capsys, "folders", "exclude", screens, "--db", db)
    assert code == EXIT["failed"] and "is already excluded" in one_clean_line(err)
    code, out, _ = run(capsys, "folders", "exclude", str(tmp_path / "Pictures" / "Later"), "--db", db)
    assert code == 0 and "no such folder yet: its photos are left out when it appears" in out
    # Review: a pattern one folder has already is still added to the others.
    (tmp_path / "Other").mkdir()
    assert run(capsys, "folders", "add", str(tmp_path / "Other"), "--db", db)[0] == 0
    assert (
        run(capsys, "folders", "exclude", "--pattern", "*.png", str(tmp_path / "Other"), "--db", db)[0] == 0
    )
    assert run(capsys, "folders", "exclude", "--pattern", "*.png", "--db", db)[0] == 0
    code, _, err = run(capsys, "folders", "exclude", "--pattern", "*.png", "--db", db)
    assert code == EXIT["failed"] and "already excluded" in one_clean_line(err)


# --- the reliability audit of stop 39: messages ----------------------------------------------------


def test_caption_of_an_empty_file_says_it_is_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """It said "not an image, or an image format Photoscope cannot read"; status said "empty file"."""
    write_zero_byte(tmp_path / "empty.jpg")
    code, _, err = run(capsys, "caption", str(tmp_path / "empty.jpg"))
    assert code == EXIT["failed"] and "empty.jpg: empty file (0 bytes)" in err


def test_a_library_path_that_is_a_device_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`--db /dev/null` said "disk I/O error: check the disk" and left /dev/null-journal behind."""
    for argv in (["status"], ["folders", "add", str(tmp_path)]):
        code, err = _refused(capsys, *argv, "--db", "/dev/null")
        assert code == EXIT["usage"] and "/dev/null is not a regular file" in err


def test_words_wants_a_word(capsys: pytest.CaptureFixture[str]) -> None:
    """`words similar ''` exited 1 with "the model does not know the word ''"."""
    code, err = _refused(capsys, "words", "similar", "")
    assert code == EXIT["usage"] and "give a word" in err


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The exit status and stderr of a command line the parser refuses."""
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    return int(stop.value.code or 0), capsys.readouterr().err


def test_error_lines_escape_what_would_steer_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`caption $'no\\x1b[31m.jpg'` wrote the escape sequence to the terminal (--paths-only escaped it)."""
    code, _, err = run(capsys, "caption", str(tmp_path / "no\x1b[31m.jpg"))
    assert code == EXIT["usage"] and "\x1b" not in err and "no\\x1b[31m.jpg" in err


def test_a_caption_s_line_escapes_what_would_steer_the_terminal_or_split_its_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The audit of stop 39: the caption's own line wrote the path as it was: an escape sequence
    reached the terminal, and a tab in a name made a third column."""
    photo = write_photo(tmp_path / "red\x1b[31m\tcat.jpg", seed=4, size=(120, 90))
    code, out, _ = run(capsys, "caption", str(photo), "--model", str(tiny_model_dir))
    assert code == 0 and "\x1b" not in out
    shown, caption, *seen = out.rstrip("\n").split("\t")
    assert shown.endswith("red\\x1b[31m\\x09cat.jpg") and caption and all(s.startswith("looks") for s in seen)


def test_a_decompression_bomb_is_said_in_the_app_s_words(tmp_path: Path) -> None:
    from PIL import Image

    from photoscope.library.photos import describe_error

    error = Image.DecompressionBombError(
        "Image size (1600000000 pixels) exceeds limit of 178956970 pixels,"
        " could be decompression bomb DOS attack."
    )
    said = describe_error(error)
    assert said.startswith("image too large: 1600 MP is over the 179 MP limit") and "DOS" not in said
    assert said.endswith("make a smaller copy to index it")


def test_an_option_before_the_command_is_said_to_go_after_it(capsys: pytest.CaptureFixture[str]) -> None:
    """`photoscope --db x status` said "invalid choice: 'x'"."""
    code, _, err = run(capsys, "--db", "x.db", "status")
    assert code == EXIT["usage"] and "photoscope status --db …" in one_clean_line(err)
    code, _, err = run(capsys, "--model=m", "caption", "a.jpg")  # the review: it said "status"
    assert code == EXIT["usage"] and "photoscope caption --model …" in one_clean_line(err)


def test_a_closed_standard_output_is_said_in_one_line(
    capsys: pytest.CaptureFixture[str], indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit: `photoscope status >&-` (a launcher or cron job without an output) ended in
    a traceback and exit status 1."""
    monkeypatch.setattr(sys, "stdout", None)
    code = main(["status", "--db", str(indexed)])
    err = capsys.readouterr().err
    assert code == EXIT["unwritable"] and "standard output" in one_clean_line(err) and "closed" in err


def test_results_print_under_a_locale_without_the_dash(
    capsys: pytest.CaptureFixture[str], indexed: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit: under a Latin-1 or ASCII locale every result line failed ("—" cannot be
    encoded): an unexpected error, exit status 70, no results."""
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    code = main(["search", "a red square", "--db", str(indexed), "--model", str(tiny_model_dir), "-n", "2"])
    sys.stdout.flush()
    lines = raw.getvalue().decode("ascii").splitlines()
    assert code == 0 and len(lines) == 2 and all(" ? " in line for line in lines), lines


def test_a_folder_whose_name_is_not_utf8_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], indexed: Path, tmp_path: Path
) -> None:
    """The CLI audit: `folders add`, `index FOLDER` and `search --folder` with a folder named in
    Latin-1 bytes failed with "unexpected error (UnicodeEncodeError ...)", exit status 70."""
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/\xe9t\xe9")
    os.mkdir(bad)
    write_photo(Path(bad) / "goat.jpg")
    for argv in (["folders", "add", bad], ["index", bad], ["search", "a dog", "--folder", bad]):
        code, _, err = run(capsys, *argv, "--db", str(indexed))
        line = one_clean_line(err)
        assert code == EXIT["usage"] and "\\xe9t\\xe9" in line, (argv, err)
    assert "not valid UTF-8" in run(capsys, "folders", "add", bad, "--db", str(indexed))[2]


def test_ctrl_c_while_the_commands_are_read_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit: Ctrl-C in a command's first 50-80 ms (its parser being built) printed a
    KeyboardInterrupt traceback."""
    from photoscope import cli

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    code = main(["status"])
    assert code == 130 and one_clean_line(capsys.readouterr().err) == "interrupted"


def test_doctor_on_a_library_it_cannot_write_says_so_not_damaged(
    capsys: pytest.CaptureFixture[str], indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit: `doctor` on a healthy library in read-only files said the text search index
    was damaged and to repair it (exit status 4): FTS5's integrity check is a write."""
    from photoscope.library import doctor
    from photoscope.library.db import Library

    class ReadOnly(Library):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.conn.execute("PRAGMA query_only = 1")  # writes fail as on read-only files

    monkeypatch.setattr(doctor, "Library", ReadOnly)
    code, out, err = run(capsys, "doctor", "--db", str(indexed))
    # the audit of stop 45: it then refused to check the rest (exit 5); it checks what reads allow
    assert code == 0 and "damaged" not in out + err, out + err
    assert "note: the text search index was not checked: the library is read-only" in out


def test_doctor_finds_no_damage_in_vectors_of_a_model_of_another_size(
    capsys: pytest.CaptureFixture[str], indexed: Path
) -> None:
    """The review of stop 45: `doctor` with the shipped model on a library another model (of
    another latent size) indexed said "3 photos have damaged vectors", and --repair would have
    dropped them. Each model version's latents are checked against their own length."""
    code, out, err = run(capsys, "doctor", "--db", str(indexed))
    assert code == 0 and "damaged" not in out + err and "another model version" in out, out + err


def test_a_subfolder_of_an_indexed_folder_is_said_to_be_part_of_it(
    capsys: pytest.CaptureFixture[str], indexed: Path, tmp_path: Path
) -> None:
    """The CLI audit: adding a subfolder of a watched folder whose photos were indexed said it was
    "the same folder as" itself "(a bind mount?)"."""
    sub = tmp_path / "P" / "sub"
    write_library(sub, 1, start=20)
    assert run(capsys, "index", "--db", str(indexed), "--quiet")[0] == 0
    code, _, err = run(capsys, "folders", "add", str(sub), "--db", str(indexed))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and "already watched as part of" in line and "bind mount" not in line, line


@pytest.mark.parametrize("action", ["include", "exclude"])
def test_a_rule_on_the_watched_folder_itself_is_explained_for_both_actions(
    capsys: pytest.CaptureFixture[str], indexed: Path, tmp_path: Path, action: str
) -> None:
    """The CLI audit: `folders include W` (W watched) advised removing W to leave its photos out."""
    code, _, err = run(capsys, "folders", action, str(tmp_path / "P"), "--db", str(indexed))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and "a rule names a subfolder or a pattern below it" in line, line


def test_index_that_could_not_index_a_name_exits_1(
    capsys: pytest.CaptureFixture[str], indexed: Path, tmp_path: Path
) -> None:
    """The CLI audit: `index` printed "not indexed: … rename the file" and exited 0; the exit
    statuses say 1 when some photo or file could not be processed."""
    bad = os.fsencode(tmp_path / "P") + b"/caf\xe9.jpg"
    write_photo(Path(os.fsdecode(bad)))
    code, out, _ = run(capsys, "index", "--db", str(indexed))
    assert code == EXIT["failed"] and "not indexed:" in out and "not valid UTF-8" in out


def test_a_dataset_that_is_not_one_is_bad_usage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The CLI audit of stop 41: `evaluate --data` on a folder without captions exited 1 (a photo
    could not be processed?), and on a table in Latin-1 with an unexpected error, exit 70."""
    code, _, err = run(capsys, "evaluate", "captions", "--data", str(tmp_path))
    assert code == EXIT["usage"] and one_clean_line(err).endswith("captions.tsv is missing")
    (tmp_path / "captions.tsv").write_bytes("image\tcaption\nx.jpg\tun caf\xe9\n".encode("latin-1"))
    code, _, err = run(capsys, "evaluate", "captions", "--data", str(tmp_path))
    assert code == EXIT["usage"] and "is not UTF-8 text" in one_clean_line(err)
    assert "(line 2)" in err  # where the byte is, not its place in a chunk of the file
    (tmp_path / "captions.tsv").write_text("file\ttext\nx.jpg\ta dog\n", encoding="utf-8")
    code, _, err = run(capsys, "train", "--data", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == EXIT["usage"] and "names no image and caption columns" in one_clean_line(err)
    # The review of stop 42: a line without its tab, and no split files, were unexpected errors (70).
    (tmp_path / "captions.tsv").write_text("image\tcaption\nx.jpg\ta dog\ny.jpg a cat\n", encoding="utf-8")
    code, _, err = run(capsys, "train", "--data", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == EXIT["usage"] and "line 3: an image and its caption" in one_clean_line(err)
    (tmp_path / "captions.tsv").write_text("image\tcaption\nx.jpg\ta dog\n", encoding="utf-8")
    code, _, err = run(capsys, "train", "--data", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == EXIT["usage"] and "needs train.txt and val.txt" in one_clean_line(err)


def test_a_model_that_cannot_be_loaded_is_a_wrong_argument_or_a_broken_install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CLI walk of stop 42: `caption a.jpg --model ./badmodel` (a folder holding only its
    bundle.json) exited 1, "a photo or file could not be processed"; a --model not there exits 2."""
    from photoscope.api import BundleError
    from photoscope.commands.common import explain

    bad = tmp_path / "badmodel"
    bad.mkdir()
    (bad / "bundle.json").write_text("{}", encoding="utf-8")
    write_photo(tmp_path / "a.jpg", seed=1)
    code, _, err = run(capsys, "caption", str(tmp_path / "a.jpg"), "--model", str(bad))
    assert code == EXIT["usage"] and one_clean_line(err).startswith("photoscope: cannot load the model: ")
    # the shipped bundle broken: the install is (reinstall Photoscope)
    assert explain(BundleError("model.safetensors is missing"))[0] == 6


def _console_script_entry() -> tuple[str, str]:
    """The ``photoscope`` console script's module and function, as ``pyproject.toml`` declares them."""
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    module, function = project["scripts"]["photoscope"].split(":")
    return module, function


# Run as pip's console script runs the entry point, with Ctrl-C arriving while photoscope.cli is
# imported: a finder on sys.meta_path sends the signal when that import starts.
_INTERRUPTED_IMPORT = """
import os, signal, sys

class CtrlC:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "photoscope.cli":
            sys.meta_path.remove(CtrlC)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC)
from {module} import {function}
sys.exit({function}())
"""


@pytest.mark.parametrize("how", ["script", "module"])
def test_ctrl_c_while_python_imports_the_command_line_is_one_line(how: str) -> None:
    """Stops 41-42 left it: Ctrl-C while Python imported the command line's modules (the first
    ~50 ms of every command, before ``main`` runs) printed a KeyboardInterrupt traceback."""
    if how == "script":
        module, function = _console_script_entry()
        code = _INTERRUPTED_IMPORT.format(module=module, function=function)
    else:  # python -m photoscope
        code = _INTERRUPTED_IMPORT.format(module="runpy", function="run_module").replace(
            "sys.exit(run_module())", "run_module('photoscope', run_name='__main__')"
        )
    done = subprocess.run([sys.executable, "-c", code, "status"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130 and one_clean_line(done.stderr) == "interrupted", done.stderr


def test_a_folder_whose_name_is_not_utf8_is_refused_beside_an_offline_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The audit of stop 45: with a watched folder offline, `folders add` and `index` of a folder
    named in bytes that are not UTF-8 looked for the offline folder's photos there first, and wrote
    its name: "unexpected error (UnicodeEncodeError ...)", exit 70."""
    from photos import write_library

    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner

    db, away = tmp_path / "library.db", tmp_path / "nu"
    write_library(away, 2)
    with Library(db) as library:
        library.add_folder(away)
        Scanner(library).scan()
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/nu\xfe")
    away.rename(bad)  # the folder renamed to a name that is not UTF-8: offline under its old name
    for argv in (["folders", "add", bad], ["index", bad]):
        code, _, err = run(capsys, *argv, "--db", str(db))
        line = one_clean_line(err)
        assert code == EXIT["usage"] and "not valid UTF-8" in line and "\\xfe" in line, (argv, err)


def test_words_in_a_script_the_network_cannot_read_are_said(
    capsys: pytest.CaptureFixture[str], indexed: Path, tiny_model_dir: Path
) -> None:
    """The audit of stop 45: "猫" answered "no matching photos" with no reason, and "猫 red"
    searched "red" alone without a word: the tokenizer drops letters outside a-z. They are
    unknown words now, said as the others are ("Ærø" was read as "r")."""
    code, out, err = run(capsys, "search", "猫", "--db", str(indexed), "--model", str(tiny_model_dir))
    assert code == 1 and not out and "does not know '猫'" in err, err
    code, out, err = run(capsys, "search", "猫 red", "--db", str(indexed), "--model", str(tiny_model_dir))
    assert code == 0 and out and "does not know '猫'" in err, err


def test_a_year_alone_that_no_name_holds_says_how_to_find_photos_taken_then(
    capsys: pytest.CaptureFixture[str], indexed: Path, tiny_model_dir: Path
) -> None:
    """The honest-results walk of stop 48: `search 2019` said "no matching photos" and nothing else:
    whether numbers or dates are searched at all, the user could not tell."""
    code, out, err = run(capsys, "search", "2019", "--db", str(indexed), "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == 1 and not out
    assert "no file or folder name holds '2019'" in line and "--from 2019-01-01 --to 2019-12-31" in line, line
    code, _, err = run(capsys, "search", "4711", "--db", str(indexed), "--model", str(tiny_model_dir))
    assert "no file or folder name holds '4711'" in one_clean_line(err) and "--from" not in err, err


def test_a_watched_folder_not_scanned_yet_says_to_index_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path
) -> None:
    """The audit of stop 45: after `folders add`, which does not scan, `search` said "add a folder
    with photoscope index FOLDER": one is watched, and `photoscope index` is what it needs."""
    (tmp_path / "P").mkdir()
    write_photo(tmp_path / "P" / "a.jpg")
    db = str(tmp_path / "library.db")
    assert run(capsys, "folders", "add", str(tmp_path / "P"), "--db", db)[0] == 0
    code, _, err = run(capsys, "search", "a red square", "--db", db, "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == 1 and f"run `photoscope index --db {db} --model {tiny_model_dir}`" in line, line
    assert "add a folder" not in line
    # Scanned, and empty: running index again would say the same; another folder is what it needs
    # (the review of stop 45: the hint looped).
    (tmp_path / "P" / "a.jpg").unlink()
    assert run(capsys, "index", "--db", db, "--model", str(tiny_model_dir), "--quiet")[0] == 0
    code, _, err = run(capsys, "search", "a red square", "--db", db, "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == 1 and "the watched folders hold no photos: add a folder that has some" in line, line
    # No folder at all (the last one removed): add one, not "the watched folders hold no photos".
    assert run(capsys, "folders", "remove", str(tmp_path / "P"), "--db", db)[0] == 0
    code, _, err = run(capsys, "search", "a red square", "--db", db, "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == 1 and "the library has no photos yet: add a folder with" in line, line


def test_paths_not_in_utf8_are_shown_escaped_and_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The audit of stop 45: `folders exclude` of a name in bytes that are not UTF-8 printed
    "'utf-8' codec can't encode character '\\udcfe'…", and `folders remove` and `status --db` such
    paths with the raw surrogate ("bad\\udcfedir") where paths elsewhere read "\\xfe"."""
    (tmp_path / "A").mkdir()
    db = str(tmp_path / "library.db")
    assert run(capsys, "folders", "add", str(tmp_path / "A"), "--db", db)[0] == 0
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/A/bad\xfe")
    for argv in (["folders", "exclude", bad], ["folders", "exclude", "--pattern", "bad\udcfe*"]):
        code, _, err = run(capsys, *argv, "--db", db)
        line = one_clean_line(err)
        assert code == EXIT["usage"] and "bad\\xfe" in line and "not valid UTF-8" in line, (argv, err)
    code, _, err = run(capsys, "folders", "remove", bad, "--db", db)
    assert code == EXIT["usage"] and "bad\\xfe is not a watched folder" in one_clean_line(err), err
    code, _, err = run(capsys, "status", "--db", os.fsdecode(os.fsencode(tmp_path) + b"/e\xff.db"))
    assert code == EXIT["usage"] and "e\\xff.db" in one_clean_line(err) and "\udcff" not in err


def test_doctor_checks_each_model_s_features_against_their_own_width(
    capsys: pytest.CaptureFixture[str], indexed: Path
) -> None:
    """The code audit of stop 46: features were checked against 1280 values whatever encoder made
    them, so an encoder of another width (1536: EfficientNet-B3's) would read as damaged everywhere,
    and --repair would have dropped every photo's vectors. One feature cut short is still damage."""
    import sqlite3

    with sqlite3.connect(indexed) as conn:
        conn.execute("UPDATE features SET feature = zeroblob(1536 * 2)")
        assert conn.execute("SELECT count(*) FROM features").fetchone()[0] >= 3
    conn.close()
    code, out, err = run(capsys, "doctor", "--db", str(indexed))
    assert code == 0 and "damaged" not in out + err, out + err
    with sqlite3.connect(indexed) as conn:
        conn.execute(
            "UPDATE features SET feature = zeroblob(100)"
            " WHERE photo_id = (SELECT min(photo_id) FROM features)"
        )
    conn.close()
    code, out, err = run(capsys, "doctor", "--db", str(indexed))
    assert "1 photos have damaged vectors" in out + err, out + err


def test_doctor_finds_vectors_that_are_not_numbers_or_cut_mid_number(
    capsys: pytest.CaptureFixture[str], indexed: Path
) -> None:
    """Each kind of damage, as the rows are now checked a chunk at a time (the speed audit of stop
    46): a latent holding a NaN, a feature cut in the middle of a number, an empty latent."""
    import sqlite3

    import numpy as np

    with sqlite3.connect(indexed) as conn:
        ids = [r[0] for r in conn.execute("SELECT photo_id FROM vectors ORDER BY photo_id")]
        (latent,) = conn.execute("SELECT latent FROM vectors WHERE photo_id = ?", (ids[0],)).fetchone()
        nan = np.frombuffer(latent, np.float32).copy()
        nan[3] = np.nan
        conn.execute("UPDATE vectors SET latent = ? WHERE photo_id = ?", (nan.tobytes(), ids[0]))
        conn.execute("UPDATE features SET feature = substr(feature, 2) WHERE photo_id = ?", (ids[1],))
        conn.execute("UPDATE vectors SET latent = x'' WHERE photo_id = ?", (ids[2],))
    conn.close()
    code, out, err = run(capsys, "doctor", "--db", str(indexed))
    assert code == EXIT["damaged"] and "3 photos have damaged vectors" in out + err, out + err


def test_doctor_holds_this_model_s_features_to_its_encoder_s_width(indexed: Path) -> None:
    """The review of stop 46: with every model version's features held to their most common length,
    two cut features of this model outnumbered its one whole one, which --repair then dropped
    (and the two cut ones were kept, and search failed on them). This model's width is known."""
    import sqlite3

    from photoscope.library.doctor import examine

    with sqlite3.connect(indexed) as conn:
        (version,) = conn.execute("SELECT model_version FROM photos LIMIT 1").fetchone()
        ids = [r[0] for r in conn.execute("SELECT photo_id FROM features ORDER BY photo_id")]
        conn.execute(
            "UPDATE features SET feature = substr(feature, 1, 1000) WHERE photo_id IN (?, ?)", ids[:2]
        )
    conn.close()
    report = examine(indexed, repair=True, model_version=version, feature_dim=1280)
    assert "2 photos have damaged vectors" in report.problems[0], report.problems
    with sqlite3.connect(indexed) as conn:
        kept = conn.execute("SELECT photo_id, length(feature) FROM features").fetchall()
    conn.close()
    assert kept == [(ids[2], 2560)]


# --- the fresh-seat audit: an empty photo path; folders include of no rule ------------------------


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["search", "dog", "--add-photo", ""], "--add-photo"),
        (["search", "dog", "--subtract-photo", ""], "--subtract-photo"),
        (["similar", ""], "photo"),
        (["caption", ""], "PHOTO"),
    ],
)
def test_an_empty_photo_path_names_no_photo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], named: str
) -> None:
    """`search dog --add-photo ""` said `.: a folder, not a photo`: the empty path was read as the
    current folder. It names no photo, as `--add ""` holds no words."""
    db = str(tmp_path / "library.db")
    (tmp_path / "P").mkdir()
    assert run(capsys, "folders", "add", str(tmp_path / "P"), "--db", db)[0] == 0
    with pytest.raises(SystemExit) as exited:
        main([*argv, *(["--db", db] if argv[0] != "caption" else [])])
    line = one_clean_line(capsys.readouterr().err)
    assert exited.value.code == EXIT["usage"]
    assert f'argument {named}: "" names no photo: give a photo\'s path' in line and "folder" not in line


def test_a_weight_with_no_other_term_is_said_to_change_nothing(
    capsys: pytest.CaptureFixture[str], indexed: Path, tiny_model_dir: Path
) -> None:
    """The fresh-seat audit of stop 50: `search beach --weight 1e-300` ranked as weight 1, unsaid (a
    lone query's weight weighs it against nothing)."""
    common = ("--db", str(indexed), "--model", str(tiny_model_dir))
    code, out, err = run(capsys, "search", "a red square", "--weight", "1e-300", *common)
    assert code == 0 and out
    assert "note: --weight changes nothing without --add or --subtract terms to weigh against" in err
    code, _, err = run(capsys, "search", "a red square", "--weight", "2", "--add", "a red circle", *common)
    assert code == 0 and "--weight changes nothing" not in err


@pytest.mark.parametrize("argv", [("search", "-dog"), ("search", "a beach", "--add", "-people")])
def test_a_text_that_begins_with_a_dash_is_told_to_go_after_two_dashes(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    """The CLI audit of stop 55: `search "-dog"` said "the following arguments are required: text",
    which is not what went wrong: argparse read the query as an option."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    err = capsys.readouterr().err
    dashed = next(a for a in argv if a.startswith("-") and a != "--add")
    assert exited.value.code == EXIT["usage"] and err.count("\n") == 1, err
    assert f"'{dashed}' begins with '-', so it was read as an option" in err, err
    # options go before `--` (audit 85's notes: `search -- -cat -n 2` refused -n, unsaid)
    way = (
        "put it after `--`, the options before: photoscope search [OPTIONS] -- '-dog'"
        if len(argv) == 2
        else "join it: --add='-people'"
    )
    assert way in err, err


def test_a_name_that_is_not_utf8_is_shown_as_its_bytes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CLI audit of stop 55: `caption` of a name that is not UTF-8 said "q\\udcffan.jpg", Python's
    stand-in for the byte, where the rest of the app says "q\\xffan.jpg"."""
    import os

    missing = os.fsdecode(os.fsencode(tmp_path) + b"/q\xffan.jpg")
    code, _, err = run(capsys, "caption", missing)
    line = one_clean_line(err)
    assert code == EXIT["usage"] and "udcff" not in line, line
    assert f"{tmp_path}/q\\xffan.jpg: no such file" in line, line


# --- audit 74: the command line as a headless user meets it ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["search", "dog", "--folder", ""], "--folder"),
        (["folders", "exclude", ""], "PATH"),
        (["folders", "add", ""], "PATH"),
        (["index", ""], "PATH"),
        (["search", "dog", "--model", ""], "--model"),
        (["map", "photos", "--out", ""], "--out"),
        (["gui", "--folder", ""], "--folder"),
        (["evaluate", "retrieval", "--data", ""], "--data"),
    ],
)
def test_an_empty_path_is_refused_not_read_as_the_current_folder(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    named: str,
) -> None:
    """Audit 74, repro_6: `Path("")` is `Path(".")`, so an unset shell variable ("$DIR") made
    `folders exclude ""` take the current folder's photos out of the index, `index ""` watch the
    current folder and `search --folder ""` narrow to it, all with exit 0. Refused as `--db ""` is."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main([*argv, *(["--db", str(tmp_path / "library.db")] if argv[0] != "evaluate" else [])])
    line = one_clean_line(capsys.readouterr().err)
    assert exited.value.code == EXIT["usage"], line
    assert f"argument {named}: needs a path, not an empty one" in line, line
    assert not (tmp_path / "library.db").exists()


def test_a_split_the_dataset_lacks_is_said_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Audit 74, repro_7: `evaluate --split nosuch` printed its error on stdout, without the
    "photoscope:" prefix, where a script reads results; every other error goes to stderr."""
    (tmp_path / "captions.tsv").write_text("image\tcaption\nx.jpg\ta dog\n", encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "retrieval", "--data", str(tmp_path), "--split", "nosuch")
    assert code == EXIT["usage"] and out == ""
    assert one_clean_line(err).startswith(f"photoscope: {tmp_path} has no nosuch.txt split"), err


def test_a_query_typed_in_utf8_reads_as_typed_in_a_locale_that_is_not(
    capsys: pytest.CaptureFixture[str], shapes_library_db: tuple[Path, Path], trained_tiny: Path
) -> None:
    """Audit 74, repro_8: under LC_ALL=C without Python's UTF-8 mode, "café" reaches ``sys.argv`` as
    "caf" and two surrogate escapes, and the note named 'caf', a word the user never typed."""
    db, _ = shapes_library_db
    escaped = "a red caf\udcc3\udca9"  # what Python makes of the bytes in the C locale
    _, _, err = run(capsys, "search", escaped, "--db", str(db), "--model", str(trained_tiny))
    assert "'caf'" not in err and "udc" not in err, err
    assert "'cafe'" in err or "'café'" in err, err
    _, _, err = run(capsys, "words", "similar", "caf\udcc3\udca9", "--model", str(trained_tiny))
    assert "the word 'café'" in one_clean_line(err), err


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux's procfs")
def test_a_file_of_size_0_with_content_is_no_empty_file_to_delete(capsys: pytest.CaptureFixture[str]) -> None:
    """Audit 74, repro_12: `--db /proc/self/status` (size 0, as procfs says of every file, but with
    content) was "an empty file", with the advice to delete it."""
    code, out, err = run(capsys, "status", "--db", "/proc/self/status")
    line = one_clean_line(err)
    assert code == EXIT["usage"] and out == ""
    assert line == (
        "photoscope: /proc/self/status is not a Photoscope library (left as it is): give another --db"
    ), line


DANGLING = {"a", "an", "the", "and", "of", "in", "on", "with", "is", "are", "at", "to", "by", "for"}


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("shipped", [True, False])
def test_a_caption_holds_at_most_its_max_len_words_and_ends_a_phrase(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    limit: int,
    shipped: bool,
) -> None:
    """Audit 74, repro_9: `caption --max-len 2` wrote "a dog in the grass" (the caption rule adds
    words after decoding), `--max-len 8` stopped on "playing with" and `--max-len 1` wrote "a"."""
    from synthetic import shape_photo

    model = request.getfixturevalue("shipped_model_dir" if shipped else "trained_tiny")
    photo = tmp_path / "shape.jpg"
    shape_photo("red", "circle", seed=1).save(photo)
    code, out, err = run(capsys, "caption", str(photo), "--max-len", str(limit), "--model", str(model))
    assert code == 0, err
    words = out.split("\t")[1].split()
    assert 1 <= len(words) <= limit and words[-1] not in DANGLING, out


@pytest.mark.parametrize(
    ("caption", "limit", "fitted"),
    [
        ("a dog in the grass", 2, "a dog"),
        ("a german shepherd in the grass", 3, "a german shepherd"),
        ("a german shepherd dog in the grass", 4, "a german shepherd dog"),
        ("a brown and black dog is playing with", 8, "a brown and black dog is playing"),
        ("a dog in the grass", 5, "a dog in the grass"),
        ("a dog", 1, "dog"),
        ("a", 1, ""),
    ],
)
def test_a_caption_is_cut_to_its_longest_finished_phrase(caption: str, limit: int, fitted: str) -> None:
    """Audit 74, repro_9: the words a caption over --max-len keeps end where a phrase ends."""
    from photoscope.wordlists import caption_within

    assert caption_within(caption, limit) == fitted


@pytest.mark.parametrize("closed", ["2>&-", ">&-"])
def test_with_its_error_stream_or_output_closed_a_command_writes_nothing_where_it_should_not(
    tmp_path: Path, closed: str
) -> None:
    """Audit 89 (repro_1): started with stderr closed (`2>&-`, a cron line, a launcher), Python gives
    the command no ``sys.stderr``, and print() sends a line meant for it to stdout: notes went into
    `--paths-only` and `--json` output, and a usage error's line onto stdout. With stdout closed, the
    command must still end with its exit status, not a traceback."""
    import shlex

    command = f"{shlex.quote(sys.executable)} -m photoscope search '' {closed}"
    done = subprocess.run(
        ["sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == EXIT["usage"], (done.returncode, done.stderr)
    assert done.stdout == "" and "Traceback" not in done.stderr, (done.stdout, done.stderr)


# --- audit 89: a name longer than the file system allows is a wrong path --------------------------

TOO_LONG_NAME = "a" * 300  # over the 255 bytes a name may have on Linux's file systems (ENAMETOOLONG)


@pytest.mark.parametrize(
    "query",
    [
        ["caption", "{p}"],
        ["similar", "{p}", "--db", "{db}"],
        ["search", "a dog", "--add-photo", "{p}", "--db", "{db}"],
    ],
)
def test_a_photo_path_with_a_name_too_long_is_a_wrong_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, indexed: Path, tiny_model_dir: Path, query: list[str]
) -> None:
    """Audit 89, repro_2: `caption /tmp/<300 a>/x.jpg` said "truncated or corrupt image … copy it
    again" (exit 1), though no file is damaged: the path is wrong, as a missing file's (exit 2)."""
    photo = tmp_path / TOO_LONG_NAME / "x.jpg"
    argv = [a.format(p=photo, db=indexed) for a in query]
    code, out, err = run(capsys, *argv, "--model", str(tiny_model_dir))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and not out, line
    assert "too long for the file system" in line and "check the path" in line, line
    assert "corrupt" not in line and "copy it again" not in line, line


@pytest.mark.parametrize("command", [["index"], ["folders", "add"]])
def test_a_folder_with_a_name_too_long_is_a_wrong_path_as_a_missing_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    """Audit 89, repro_2: `index` and `folders add` said "File name too long" with exit 1; a folder
    that is not there is a usage error (exit 2), and so is one whose name cannot be."""
    db = str(tmp_path / "library.db")
    code, _, err = run(capsys, *command, str(tmp_path / "nowhere"), "--db", db)
    assert code == EXIT["usage"] and "no such folder" in err, err  # what the too long name is matched to
    code, _, err = run(capsys, *command, str(tmp_path / TOO_LONG_NAME), "--db", db)
    line = one_clean_line(err)
    assert code == EXIT["usage"], line
    assert "too long for the file system" in line and "check the path" in line, line


class _FullDisk(io.StringIO):
    """Standard error on a full disk (``2>/dev/full``): every write fails."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_search_whose_notes_cannot_be_written_answers_and_exits_as_unwritable(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tiny_model_dir: Path,
    indexed: Path,
) -> None:
    """Stop 65's list: `photoscope search … 2>/dev/full` printed its answer and exited 1, "a photo
    could not be processed", from Python's own failure to print a traceback. Nothing can be said
    where standard error goes: the answer is printed, and the status is the unwritable output's."""
    monkeypatch.setattr(sys, "stderr", _FullDisk())
    code = main(["search", "a red square", "--db", str(indexed), "--model", str(tiny_model_dir)])
    out, _ = capsys.readouterr()
    assert out.strip() and code == EXIT["unwritable"]


def test_a_library_whose_path_is_not_utf8_is_searched_and_gets_folders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Audit 98 (repro_1): a library in a folder whose name is not UTF-8 (an old Latin-1 share) was
    indexed, then `search`, `similar` and `folders add` ended in "unexpected error
    (UnicodeEncodeError …)", exit 70: the key of its search socket encoded the path as UTF-8."""
    folder = tmp_path / os.fsdecode(b"lib\xe9")
    folder.mkdir()
    db = str(folder / "library.db")
    photos = write_library(tmp_path / "P", 2)
    common = ("--db", db, "--model", str(tiny_model_dir))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    code, out, err = run(capsys, "search", "a red square", "-n", "1", *common)
    assert code == 0 and out.strip(), err
    code, out, err = run(capsys, "similar", str(photos[0]), "-n", "1", *common)
    assert code == 0 and out.strip(), err
    (tmp_path / "More").mkdir()
    code, _, err = run(capsys, "folders", "add", str(tmp_path / "More"), "--db", db)
    assert code == 0, err
    code, out, err = run(capsys, "map", "photos", "--out", str(tmp_path / "map.png"), *common)
    assert code == 0, err
