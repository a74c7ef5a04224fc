"""Commands that need no network start light: neither PyTorch nor Qt is imported (issue #18), and
those that only read the library (``status``, ``folders``), ``--help`` and ``--version`` not NumPy or
PIL either.

Each command runs in a fresh interpreter, as from the shell, and reports which heavy packages
ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "PySide6", "shiboken6", "torchvision")
# Nor do the commands that only read the library load what only indexing, watching or tools need.
LIBRARY_EXTRAS = ("sqlite_utils", "watchdog")
# Nor NumPy and PIL (0.1-0.2 s of a 0.3 s `status`): the api and library packages import them in the
# functions that use them, so one imported at the top of any module `status` loads fails this test.
ARRAYS_AND_IMAGES = ("numpy", "PIL")

_PROBE = """
import json, sys
from photoscope.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as done:
    code = done.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
print("\\n" + json.dumps({"code": code, "heavy": heavy}))
"""


def _run(args: list[str], home: Path) -> dict[str, object]:
    env = dict(os.environ)
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
        env[name] = str(home / name.lower())
    probe = f"HEAVY = {HEAVY + LIBRARY_EXTRAS + ARRAYS_AND_IMAGES!r}\n{_PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.stdout.strip(), done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stdout"] = done.stdout
    return result


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["status"],
        ["folders", "list"],
        ["words", "--help"],
        ["search", "--help"],
    ],
)
def test_commands_without_the_network_import_neither_pytorch_nor_qt(args: list[str], tmp_path: Path) -> None:
    """Nor NumPy nor PIL: ``status`` and ``folders`` run on a library with indexed photos and vectors."""
    db: list[str] = []
    if args[0] in ("status", "folders"):
        _small_library(tmp_path / "lib.db", tmp_path)
        db = ["--db", str(tmp_path / "lib.db")]
    result = _run([*args, *db], tmp_path)
    assert result["code"] in (0, None)
    assert result["heavy"] == []
    if args[0] == "status":
        assert "photos: 3 (3 indexed, 0 pending, 0 errors)" in str(result["stdout"])


def test_a_caption_of_no_such_file_is_refused_before_the_network_loads(tmp_path: Path) -> None:
    """The honest-results walk of stop 48: `caption /tmp/nonexistent.jpg` took 3 s to say "no such
    file" (PyTorch and the network first), where `similar` says it at once."""
    missing = str(tmp_path / "nonexistent.jpg")  # twice: the review of stop 48 (it loaded PyTorch)
    result = _run(["caption", missing, str(tmp_path), missing], tmp_path)
    assert result["code"] == 2
    assert "torch" not in result["heavy"]


def test_words_reads_the_embeddings_without_pytorch(shipped_model_dir: Path, tmp_path: Path) -> None:
    result = _run(["words", "similar", "dog", "-n", "3"], tmp_path)
    assert result["code"] == 0
    assert set(result["heavy"]) <= set(ARRAYS_AND_IMAGES)  # its word vectors are NumPy's
    lines = [line for line in str(result["stdout"]).splitlines() if line.strip()]
    assert len(lines) == 4  # three words, then the probe's line


def test_words_answer_as_the_loaded_model_does(tiny_model_dir: Path) -> None:
    """The NumPy word space over the bundle's files ranks as the one built from the loaded network."""
    from photoscope.network import PhotoscopeModel, load_lexicon
    from photoscope.search.words import WordSpace

    model = PhotoscopeModel(tiny_model_dir)
    from_files = WordSpace(load_lexicon(tiny_model_dir, min_count=1))
    from_model = WordSpace(model, min_count=1)
    assert from_files.words == from_model.words
    for word in ("dog", "square"):
        a, b = from_files.similar(word, 5), from_model.similar(word, 5)
        assert [s.word for s in a] == [s.word for s in b]
        assert [round(s.score, 5) for s in a] == [round(s.score, 5) for s in b]
    # the words tools suggest among their own words (the concepts' are not theirs to use)
    assert from_files.source.suggest("dgo", among=from_files.words) == from_model.source.suggest(
        "dgo", among=from_model.words
    )


def test_captions_answer_before_the_network_is_loaded(tmp_path: Path) -> None:
    """A query typed while PyTorch loads is answered from the caption index (the GUI shows these
    first, then the model's ranking): no network is built for it."""
    from photos import indexed_row

    from photoscope.api import Filters, Photoscope
    from photoscope.library.db import NewFile

    db = tmp_path / "library.db"
    with Photoscope(db) as app:
        folder = app.library.add_folder(str(tmp_path))
        new = [NewFile(folder.id, f"{tmp_path}/{i}.jpg", 10 + i, 1.0 + i, f"{i:032x}") for i in range(3)]
        ids = app.library.add_photos(new)
        captions = ["a dog runs on the beach", "a cat sleeps", "two dogs play on the beach"]
        app.library.write_results(
            [indexed_row(ids[i], captions[i], size=10 + i, mtime=1.0 + i) for i in range(3)]
        )
        found = app.search_captions("beach", 10)
        assert sorted(m.photo.id for m in found.matches) == [ids[0], ids[2]]
        assert found.matches[0].strength == 1.0 and not app.model_ready
        assert app.search_captions("beach", 10, Filters(folder=str(tmp_path / "elsewhere"))).matches == []


def test_the_quick_answer_imports_neither_pytorch_nor_qt(
    trained_tiny: Path, shapes_library_db: tuple[Path, Path], tmp_path: Path
) -> None:
    """A description's first answer while the app loads the network (``search_text_quick``: the text
    encoder in NumPy over the vectors' mapped file) runs without PyTorch (issue #18)."""
    import shutil

    from photoscope.api import Photoscope

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with Photoscope(db, trained_tiny) as app:
        assert len(app.store)  # the first load of the vectors writes their mapped file
    probe = (
        "import json, sys\n"
        "from photoscope.api import Photoscope\n"
        f"app = Photoscope({str(db)!r}, {str(trained_tiny)!r}).open()\n"
        "found = app.search_text_quick('a red circle', 5)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'PySide6', 'torchvision'})\n"
        "print(json.dumps({'heavy': heavy, 'found': [m.photo.path for m in found.matches]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert len(result["found"]) == 5 and "red circle" in Path(result["found"][0]).name


def _small_library(db: Path, folder: Path) -> None:
    from photos import indexed_row

    from photoscope.library.db import Library, NewFile

    with Library(db) as library:
        added = library.add_folder(str(folder))
        ids = library.add_photos(
            [NewFile(added.id, f"{folder}/{i}.jpg", 10, 1.0, f"{i:032x}") for i in range(3)]
        )
        library.write_results([indexed_row(i) for i in ids])


def test_status_reads_a_few_pages_not_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's quick_check reads every page (seconds at 100,000 photos): ``status`` leaves it to
    ``photoscope doctor`` and checks only that every table's and index's first pages read."""
    from photoscope.cli import main
    from photoscope.library.db import Library

    db = tmp_path / "library.db"
    _small_library(db, tmp_path)

    def whole_file(self: Library) -> list[str]:
        raise AssertionError("status ran the whole-file check")

    monkeypatch.setattr(Library, "quick_check", whole_file)
    assert main(["status", "--db", str(db)]) == 0
    assert "photos: 3 (3 indexed, 0 pending, 0 errors)" in capsys.readouterr().out


@pytest.mark.parametrize("tree", ["captions", "features", "search_data", "tags_photo"])
def test_status_says_a_damaged_table_it_does_not_read(
    tree: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad sector over the first page of a table (or index) that status's own counts never touch is
    still said: exit status 4, one line naming ``doctor --repair``, no traceback."""
    import sqlite3

    from photoscope.cli import main

    db = tmp_path / "library.db"
    _small_library(db, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (tree,)).fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)
    code = main(["status", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 4, (out, err)
    assert "Traceback" not in err and "doctor --repair" in out + err


@pytest.mark.parametrize(("given", "expected"), [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_openmp_threads_sleep_when_waiting_unless_told_otherwise(given: str | None, expected: str) -> None:
    """Spinning OpenMP threads made a text query 10x slower, and the encoder 5x, when another
    program (or the app's indexer) held a core; the package sets the wait policy before PyTorch loads."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if given is not None:
        env["OMP_WAIT_POLICY"] = given
    probe = "import os, sys, photoscope; print(os.environ['OMP_WAIT_POLICY'], 'torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == [expected, "False"]


def test_doctor_checks_the_model_s_vectors_without_importing_pytorch(tmp_path: Path) -> None:
    # The speed audit: `doctor` imported PyTorch (2 of its 2.4 s) to read the model's version and
    # vector size, which the bundle's own file says.
    _small_library(tmp_path / "lib.db", tmp_path)
    result = _run(["doctor", "--db", str(tmp_path / "lib.db")], tmp_path)
    assert "torch" not in result["heavy"]  # type: ignore[operator]
    # The checks that need the model's version still ran: the made-up vectors are another model's.
    assert "3 photos were indexed by another model version" in str(result["stdout"])


def test_the_photo_map_is_drawn_without_importing_pytorch(tmp_path: Path) -> None:
    # The speed audit: `map photos` imported PyTorch (2 s) only to ask the model's version.
    _small_library(tmp_path / "lib.db", tmp_path)
    result = _run(
        ["map", "photos", "--db", str(tmp_path / "lib.db"), "--out", str(tmp_path / "m.png")], tmp_path
    )
    assert "torch" not in result["heavy"]  # type: ignore[operator]


def test_index_with_nothing_to_do_does_not_load_the_network(tmp_path: Path) -> None:
    # The speed audit: `index` on an up-to-date library took 2.2-3 s, 2 of them PyTorch's import.
    folder = tmp_path / "Photos"
    folder.mkdir()
    db = tmp_path / "lib.db"
    from photoscope.library.db import Library

    with Library(db) as library:
        library.add_folder(str(folder))
    result = _run(["index", "--db", str(db)], tmp_path)
    assert result["code"] == 0 and "torch" not in result["heavy"]  # type: ignore[operator]
    assert "indexed 0 photos, 0 could not be read" in str(result["stdout"])
    assert "model photoscope-caption@" in str(result["stdout"])
    # A photo that could not be read keeps the version of its last try: nothing to adopt or redo
    # (the review of stop 38: one such photo loaded the network at every run).
    from photoscope.library.db import NewFile

    with Library(db) as library:
        (pid,) = library.add_photos([NewFile(library.folders()[0].id, str(folder / "x.jpg"), 10, 1.0, "h")])
        library.db.execute("UPDATE photos SET status = 'error', model_version = 'old@1' WHERE id = ?", (pid,))
        library.db.commit()
    (folder / "x.jpg").write_bytes(b"not photo!")  # as stored: 10 bytes, time 1.0
    os.utime(folder / "x.jpg", (1.0, 1.0))
    result = _run(["index", "--db", str(db)], tmp_path)
    assert "torch" not in result["heavy"], result["stdout"]  # type: ignore[operator]
