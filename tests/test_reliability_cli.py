"""Issue #15, one error path: no hang, no traceback; one line naming the file and what to do, with an
exit status of its kind (``photoscope --help`` lists them); bad arguments rejected by the parser.
Also item 17: ``index --watch`` follows the folders from before its first indexing."""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cli_support import EXIT, one_clean_line, run
from mounts import remount_read_only, small_tmpfs
from photos import damage_page, deny_listing, write_bomb_png, write_library, write_photo

from photoscope.cli import build_parser, main
from photoscope.commands import index as index_command
from photoscope.commands import search as search_command
from photoscope.library import connection as db_module
from photoscope.library import errors as library_errors
from photoscope.library.db import Library
from photoscope.library.errors import LibraryBusy, LibraryDamaged, LibraryUnwritable, translate_sqlite_error
from photoscope.library.fs import NotAFile
from photoscope.library.photos import PhotoTooLarge, load_photo
from photoscope.network.model import PhotoscopeModel

# --- exit statuses, --debug --------------------------------------------------------------------


def test_exit_statuses_are_documented_in_help() -> None:
    epilog = build_parser().epilog or ""
    for code in ("0", "1", "2", "3", "4", "5", "6", "70", "130"):
        assert any(line.strip().startswith(code + " ") for line in epilog.splitlines()), code


def test_debug_shows_the_traceback_and_only_then(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    damaged = tmp_path / "library.db"
    damaged.write_bytes(bytes(range(256)) * 20)  # binary, no known format: a damaged library
    code, _, err = run(capsys, "status", "--db", str(damaged))
    assert code == EXIT["damaged"] and "doctor --repair" in one_clean_line(err)
    code, _, err = run(capsys, "--debug", "status", "--db", str(damaged))
    assert code == EXIT["damaged"] and "Traceback" in err
    code, _, err = run(capsys, "status", "--debug", "--db", str(damaged))  # after the command too
    assert code == EXIT["damaged"] and "Traceback" in err


# --- 6, 7: a FIFO named like a photo, a decompression bomb -------------------------------------


def test_6_caption_on_a_fifo_does_not_hang(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "x.jpg"
    os.mkfifo(fifo)
    result: list[BaseException] = []

    def read() -> None:
        try:
            load_photo(fifo)
        except BaseException as error:
            result.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "load_photo blocked on a FIFO"
    assert isinstance(result[0], NotAFile)
    code, out, err = run(capsys, "caption", str(fifo))
    assert code == EXIT["failed"] and not out
    assert "not a regular file" in one_clean_line(err) and str(fifo) in err


def test_7_a_decompression_bomb_is_refused_in_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bomb = write_bomb_png(tmp_path / "bomb.png", side=60_000)  # 3.6 GP: PIL's own bomb error zone
    with pytest.raises(PhotoTooLarge):
        load_photo(bomb)
    code, _, err = run(capsys, "caption", str(bomb))
    assert code == EXIT["failed"] and "image too large" in one_clean_line(err)


# --- 9: locked, damaged, newer, read-only, full, bad --db, bad arguments ------------------------


def test_9_a_library_locked_too_long_is_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_models: None
) -> None:
    db = tmp_path / "library.db"
    Library(db).close()
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        write_library(tmp_path / "P", 1)
        code, _, err = run(capsys, "index", str(tmp_path / "P"), "--db", str(db), "--quiet")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == EXIT["busy"]
    assert "in use by another program" in one_clean_line(err) and str(db) in err


def test_9_doctor_on_a_library_another_program_writes_says_so_not_damaged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh-seat audit of stop 59: `doctor` on a library another program held the write lock
    of said "the text search index is damaged (database is locked)", exit 4, and sent the user to
    --repair (FTS5's check is a write)."""
    db = tmp_path / "library.db"
    Library(db).close()
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, out, err = run(capsys, "doctor", "--db", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == EXIT["busy"], (out, err)
    assert "in use by another program" in one_clean_line(err) and "damaged" not in out + err


@pytest.mark.parametrize("own", ["data", "cache", "thumbnails"])
def test_photoscope_s_own_folders_are_not_taken_as_photo_folders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, own: str
) -> None:
    """The reliability audit of stop 60 (repro_6): `photoscope index ~/.local/share/photoscope` watched
    the library's own folder ("0 photos, last scan never"), and `photoscope index ~` was then refused
    because that folder was "hidden inside" the home folder, with advice to index every hidden folder."""
    from photoscope import config
    from photoscope.library.thumbnails import cache_root

    folder = {"data": config.data_dir(), "cache": config.cache_dir(), "thumbnails": cache_root()}[own]
    (folder / "inside").mkdir(parents=True, exist_ok=True)
    db = tmp_path / "library.db"
    for path in (folder, folder / "inside"):
        code, out, err = run(capsys, "index", str(path), "--db", str(db))
        assert code == EXIT["usage"], (out, err)
        line = one_clean_line(err)
        assert str(path) in line and "Photoscope's own" in line and "choose the folder" in line, line
    assert run(capsys, "folders", "list", "--db", str(db))[1].count("online") == 0


@pytest.mark.parametrize("system", ["/", "/proc", "/sys/kernel", "/dev"])
def test_the_whole_system_is_no_photo_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, system: str
) -> None:
    """Audit 74: `photoscope index /` was taken without a question and scanned /proc, /sys and every
    user's files (37,000 files in two minutes, "could not read /proc/1/cwd"). The root and the
    system's own file systems (proc, sysfs, devtmpfs) are refused, as Photoscope's own folders are."""
    db = tmp_path / "library.db"
    code, out, err = run(capsys, "index", system, "--db", str(db))
    assert code == EXIT["usage"], (out, err)
    line = one_clean_line(err)
    assert system in line and "not a photo folder" in line and "choose the folder" in line, line
    assert run(capsys, "folders", "list", "--db", str(db))[1].count("online") == 0


def test_9_doctor_does_not_repair_a_library_another_photoscope_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fast_models: None
) -> None:
    """The fresh-seat audit of stop 59: `doctor --repair` moved the library aside under a running
    `index --watch`, which went on writing (and answering searches from) the file moved aside:
    photos added after the repair never reached the library."""
    from photoscope.library.indexer import _IndexingLock

    db = tmp_path / "library.db"
    Library(db).close()
    with _IndexingLock(db) as lock:
        assert lock.acquire()
        code, out, err = run(capsys, "doctor", "--repair", "--db", str(db))
    assert code == EXIT["busy"] and "repaired" not in out
    assert "another Photoscope" in one_clean_line(err) and "close it" in err
    assert run(capsys, "doctor", "--repair", "--db", str(db))[0] == 0  # once it is closed


def test_a_repair_asked_through_the_api_is_refused_while_another_photoscope_holds_the_library(
    tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Stop 59's Left list: only the command line asked whether another Photoscope held the library;
    the window's File > Check and repair moved the file aside under a running `index --watch` or
    another window. The API refuses the repair itself, for every door, and leaves the file as it is."""
    from photoscope.api import LibraryHeldElsewhere, Photoscope
    from photoscope.library.indexer import _IndexingLock

    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3, size=(160, 120))
    with Photoscope(db, model_dir=tiny_model_dir) as app:
        app.add_folder(tmp_path / "P")
    damage_page(db, "captions")
    damaged = db.read_bytes()
    with _IndexingLock(db) as lock:  # `photoscope index --watch` elsewhere
        assert lock.acquire()
        with pytest.raises(LibraryHeldElsewhere) as refused, Photoscope(db, model_dir=tiny_model_dir) as app:
            app.doctor(repair=True)
    assert str(db) in str(refused.value) and "close it" in str(refused.value)
    other = Photoscope(db, model_dir=tiny_model_dir)  # another window: it answers on the library's socket
    assert other.serve()
    try:
        with pytest.raises(LibraryHeldElsewhere), Photoscope(db, model_dir=tiny_model_dir) as app:
            app.doctor(repair=True)
    finally:
        other.close()
    assert db.read_bytes() == damaged and not [p for p in tmp_path.iterdir() if "damaged" in p.name]
    with Photoscope(db, model_dir=tiny_model_dir) as app:  # once both are closed, it repairs
        assert app.doctor(repair=True).ok
    assert [p for p in tmp_path.iterdir() if p.name.startswith("library.db.damaged")]


def test_a_background_error_of_the_library_is_said_in_its_words_alone() -> None:
    """The fresh-seat audit of stop 59: "photoscope: watcher step failed (LibraryDamaged: … run
    `photoscope doctor --repair` …)": a class name in a sentence for the user. A bug keeps its type."""
    import logging

    from photoscope.commands.common import one_line_formatter
    from photoscope.library.errors import LibraryDamaged

    def line(error: BaseException) -> str:
        record = logging.LogRecord(
            "w", logging.ERROR, "", 0, "watcher step failed", (), (type(error), error, None)
        )
        return one_line_formatter().format(record)

    said = line(LibraryDamaged("/x/library.db is damaged"))
    assert (
        said.startswith("photoscope: watcher step failed: /x/library.db is damaged") and "Library" not in said
    )
    assert "(KeyError: 'k'; --debug shows where)" in line(KeyError("k"))


def test_a_line_that_names_the_app_already_is_not_named_twice() -> None:
    """The review of stop 62: the upgrade's line names the app itself (commands without the one-line
    handler print the bare message), and the window's stderr said "photoscope: photoscope: upgraded"."""
    import logging

    from photoscope.commands.common import one_line_formatter

    record = logging.LogRecord("c", logging.WARNING, "", 0, "photoscope: %s", ("upgraded x",), None)
    assert one_line_formatter().format(record) == "photoscope: upgraded x"


def test_9_a_newer_schema_is_said_by_search_and_status(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    db = tmp_path / "library.db"
    Library(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    for argv in (["status"], ["search", "a dog", "--model", str(tiny_model_dir)]):
        code, _, err = run(capsys, *argv, "--db", str(db))
        assert code == EXIT["damaged"] and "newer Photoscope" in one_clean_line(err)


def test_9_doctor_on_a_newer_library_says_to_update_not_to_repair(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path
) -> None:
    """The audit of stop 39: doctor said "update Photoscope" and "run doctor --repair", which then
    did nothing and said both again."""
    db = tmp_path / "library.db"
    Library(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    for repair in ([], ["--repair"]):
        code, out, err = run(capsys, "doctor", *repair, "--db", str(db), "--model", str(tiny_model_dir))
        assert code == EXIT["damaged"] and "newer Photoscope" in out
        assert "--repair" not in out + err


def test_names_with_control_characters_print_on_one_line_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The fresh-seat audit of stop 59: `index`, `status` and `folders exclude` printed names as they
    are: "bad\\nname.jpg" split over two lines, "clear\\x1b[2J.jpg" cleared the terminal (`search`
    and `folders list` escaped them)."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 1)
    (tmp_path / "P" / "bad\nname.jpg").write_bytes(b"not a photo")
    (tmp_path / "P" / "clear\x1b[2J.jpg").write_bytes(b"not a photo")
    (tmp_path / "P" / "trip\x1b[2J").mkdir()
    (tmp_path / "P" / "trip\x1b[2J" / os.fsdecode(b"a\xff.jpg")).write_bytes(b"not a photo")
    (tmp_path / "P" / "two\nlines").mkdir()
    said = ""
    for argv in (
        ["index", str(tmp_path / "P"), "--model", str(tiny_model_dir)],
        ["status"],
        ["folders", "exclude", str(tmp_path / "P" / "two\nlines"), "--yes"],
    ):
        _, out, err = run(capsys, *argv, "--db", str(db))
        said += out + err
    assert "\x1b" not in said and "\\x1b[2J.jpg" in said and "a\\xff.jpg" in said
    assert not [line for line in said.splitlines() if line.startswith(("name.jpg", "lines"))], said


def test_9_damaged_pages_are_said_by_status_and_search(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3)
    code, _, _ = run(
        capsys, "index", str(tmp_path / "P"), "--db", str(db), "--model", str(tiny_model_dir), "--quiet"
    )
    assert code == 0
    damage_page(db, "photos")
    for argv in (["status"], ["search", "a dog", "--model", str(tiny_model_dir)]):
        code, out, err = run(capsys, *argv, "--db", str(db))
        assert code == EXIT["damaged"], (argv, out, err)
        assert "Traceback" not in err and "doctor --repair" in err + out


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("database is locked", LibraryBusy),
        ("attempt to write a readonly database", LibraryUnwritable),
        ("database or disk is full", LibraryUnwritable),
        ("unable to open database file", LibraryUnwritable),
        ("database disk image is malformed", LibraryDamaged),
        ("file is not a database", LibraryDamaged),
    ],
)
def test_9_unit_every_sqlite_failure_has_a_kind(message: str, kind: type, tmp_path: Path) -> None:
    translated = translate_sqlite_error(sqlite3.OperationalError(message), tmp_path / "library.db")
    assert type(translated) is kind and str(tmp_path / "library.db") in str(translated)


def test_9_a_full_disk_reading_as_an_io_error_is_said_to_be_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_errors, "disk_full", lambda path, margin=0: True)
    translated = translate_sqlite_error(sqlite3.OperationalError("disk I/O error"), tmp_path / "l.db")
    assert isinstance(translated, LibraryUnwritable) and "full" in str(translated)


def test_a_file_size_limit_reading_as_an_io_error_is_said(tmp_path: Path) -> None:
    """The CLI audit of stop 47: under `ulimit -f 300` index said "cannot read or write lib.db
    (disk I/O error): check the disk" of a sound disk (SQLite's write got EFBIG)."""
    import resource

    db = tmp_path / "l.db"
    db.write_bytes(b"\0" * 300 * 1024)  # grown to the limit
    io_error = sqlite3.OperationalError("disk I/O error")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300 * 1024, hard))
    try:
        translated = translate_sqlite_error(io_error, db)
        db.write_bytes(b"")  # far below it (the review of stop 47: any limit was blamed)
        far = str(translate_sqlite_error(io_error, db))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    said = str(translated)
    assert isinstance(translated, LibraryUnwritable) and "file-size limit" in said and "307,200 bytes" in said
    plain = str(translate_sqlite_error(io_error, db))
    assert "file-size" not in plain and "check the disk" in plain
    assert "file-size" not in far and "check the disk" in far


def test_9_a_full_disk_is_said_real_tmpfs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    write_library(tmp_path / "P", 40, size=(320, 240))
    # room for a new library (schema v13: its creation outgrew 400k of tmpfs; v20: 480k), little more
    with small_tmpfs(tmp_path / "disk", "512k") as disk:
        db = disk / "library.db"
        Library(db).close()
        try:  # the disk fills up
            with open(disk / "filler", "wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass
        code, _, err = run(
            capsys, "index", str(tmp_path / "P"), "--db", str(db), "--model", str(tiny_model_dir), "--quiet"
        )
    assert code == EXIT["unwritable"], err
    assert "Traceback" not in err and "full" in err


def test_9_a_new_library_on_a_disk_too_full_for_it_is_said_to_be_full_real_tmpfs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Audit: a library created on a nearly full disk was called damaged (SQLite: "database disk image
    is malformed", with no room for its log) and `doctor --repair` advised, which moves it aside."""
    with small_tmpfs(tmp_path / "disk", "200k") as disk:
        code, _, err = run(capsys, "folders", "add", str(tmp_path), "--db", str(disk / "library.db"))
    line = one_clean_line(err)
    assert code == EXIT["unwritable"] and "full" in line and "repair" not in line


def test_9_a_library_whose_creation_filled_the_disk_is_not_left_half_made_real_tmpfs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The fresh-seat audit of stop 52: on a 400k disk a new library's creation ran out of room as
    its log was folded in (a close says nothing of that), and the half-written file was put in
    place: "disk is full", then, with room made, "damaged (database disk image is malformed)" for
    every command. A creation that fails leaves no library, or a whole one."""
    with small_tmpfs(tmp_path / "disk", "400k") as disk:
        db = str(disk / "library.db")
        code, _, err = run(capsys, "folders", "add", str(tmp_path), "--db", db)
        assert code in (0, EXIT["unwritable"]) and "Traceback" not in err
        if subprocess.run(["mount", "-o", "remount,size=20m", str(disk)], capture_output=True).returncode:
            pytest.skip("cannot grow the tmpfs here")
        code, out, err = run(capsys, "folders", "add", str(tmp_path), "--db", db)
        assert code == 0 and "damaged" not in err, err
        code, out, err = run(capsys, "status", "--db", db)
    assert code == 0 and "damaged" not in out + err, out + err


def test_9_a_search_on_a_full_disk_answers_from_memory_real_tmpfs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Audit: after an index that filled the disk, `search` died of SIGBUS (exit 135, no word said):
    the vectors' file was made sparse and written through a memory map, and a page the full disk
    could not back killed the process. It must be said as a full disk, or answered from memory."""
    write_library(tmp_path / "P", 40, size=(320, 240))
    with small_tmpfs(tmp_path / "disk", "600k") as disk:  # room for a new library (480k), a little more
        db = disk / "library.db"
        run(capsys, "index", str(tmp_path / "P"), "--db", str(db), "--model", str(tiny_model_dir), "--quiet")
        with suppress(OSError), open(disk / "filler", "wb") as filler:  # whatever room is left: gone
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
        search = ["search", "a dog", "--db", str(db), "--model", str(tiny_model_dir)]
        done = subprocess.run(
            [sys.executable, "-m", "photoscope", *search],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        leftovers = [p.name for p in disk.iterdir() if ".tmp-" in p.name]
    assert done.returncode in (0, 1, EXIT["unwritable"]), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and not leftovers


def test_9_a_library_on_a_full_disk_is_still_read_real_tmpfs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The fresh-seat audit of stop 59: with the library's disk full, `status`, `search` and
    `folders list` all said "the disk … is full", exit 5: opening the library in WAL mode makes its
    shared-memory file. It is read as a library on a read-only disk is. Audit 89's notes: `status`
    then said "read-only: … need write access to its folder and file and free space on its disk", and
    `doctor` that the text index "was not checked: the library is read-only", true but not what is
    wrong, where `index` says the disk is full."""
    write_library(tmp_path / "P", 6, size=(160, 120))
    with small_tmpfs(tmp_path / "disk", "600k") as disk:
        db = disk / "library.db"
        code, _, err = run(
            capsys, "index", str(tmp_path / "P"), "--db", str(db), "--model", str(tiny_model_dir), "--quiet"
        )
        assert code == 0, err
        with suppress(OSError), open(disk / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        status = run(capsys, "status", "--db", str(db))
        listed = run(capsys, "folders", "list", "--db", str(db))
        checked = run(capsys, "doctor", "--db", str(db), "--model", str(tiny_model_dir))  # its check writes
    assert status[0] == 0 and "photos: 6 (6 indexed" in status[1], status
    said = [line for line in status[1].splitlines() if line.startswith("read-only")]
    assert said == [
        "read-only: the disk holding it is full: free space on it, and indexing and changes can go on"
    ]
    assert listed[0] == 0 and str(tmp_path / "P") in listed[1], listed
    assert "note: the text search index was not checked: the disk holding it is full" in checked[1], checked


@pytest.mark.parametrize(
    "change",
    [
        ["folders", "exclude", "{P}/photo_0001.jpg"],
        ["folders", "include", "--pattern", "*.png"],
        ["folders", "add", "{Q}"],
        ["folders", "remove", "{P}", "--yes"],
        ["folders", "hidden", "on"],
        ["doctor", "--repair"],
    ],
)
def test_9_a_change_to_a_library_on_a_full_disk_says_the_disk_is_full_real_tmpfs(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
    change: list[str],
) -> None:
    """Audit 89, repro_4: on a full disk `folders exclude`, `add` and `hidden on` said the library "is
    read-only (the file, its folder or the disk): fix the permissions", where `index` said the disk
    is full: the library is opened read-only then, and its write was refused as a read-only one's."""
    write_library(tmp_path / "P", 3, size=(160, 120))
    (tmp_path / "Q").mkdir()
    with small_tmpfs(tmp_path / "disk", "600k") as disk:
        db = disk / "library.db"
        code, _, err = run(
            capsys, "index", str(tmp_path / "P"), "--db", str(db), "--model", str(tiny_model_dir), "--quiet"
        )
        assert code == 0, err
        if change[0] == "folders" and change[1] == "include":  # a rule to take back
            assert run(capsys, "folders", "exclude", "--pattern", "*.png", "--db", str(db))[0] == 0
        with suppress(OSError), open(disk / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        argv = [a.format(P=tmp_path / "P", Q=tmp_path / "Q") for a in change]
        code, _, err = run(capsys, *argv, "--db", str(db))
    line = one_clean_line(err)
    assert code == EXIT["unwritable"], line
    assert f"the disk holding {db} is full: free some space" in line and "permissions" not in line, line


def test_9_a_full_disk_mounted_read_only_is_said_read_only_real_tmpfs(tmp_path: Path) -> None:
    """Audit 89, repro_4's fix: a refused write is the full disk's only where nothing else refuses
    it; on a full disk mounted read-only, freeing space would not help: it is said read-only."""
    with small_tmpfs(tmp_path / "disk", "600k") as disk:
        db = disk / "library.db"
        Library(db).close()
        with suppress(OSError), open(disk / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        refused = sqlite3.OperationalError("attempt to write a readonly database")
        full = str(translate_sqlite_error(refused, db))
        remount_read_only(disk)
        read_only = str(translate_sqlite_error(refused, db))
    assert "is full: free some space" in full, full
    assert "is read-only" in read_only and "free some space" not in read_only, read_only


def test_9_a_read_only_library_is_said_real_mount(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    write_library(tmp_path / "P", 2)
    with small_tmpfs(tmp_path / "disk", "4m") as disk:
        Library(disk / "library.db").close()
        remount_read_only(disk)
        code, _, err = run(
            capsys, "index", str(tmp_path / "P"), "--db", str(disk / "library.db"),
            "--model", str(tiny_model_dir), "--quiet",
        )  # fmt: skip
        assert code == EXIT["unwritable"], err
        assert "Traceback" not in err and "read-only" in err
        # Audit: doctor called the healthy read-only library damaged and advised --repair. The
        # audit of stop 45: it then refused to check it at all; it checks what reads allow.
        code, out, err = run(capsys, "doctor", "--db", str(disk / "library.db"))
        assert code == 0 and "note: the text search index was not checked: the library is read-only" in out
        assert "all good" in out and not err, (out, err)
        code, _, err = run(capsys, "doctor", "--repair", "--db", str(disk / "library.db"))
    assert code == EXIT["unwritable"] and "read-only" in one_clean_line(err) and "repair" not in err


def test_9_a_library_on_a_read_only_disk_is_searched_real_mount(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The CLI audit of stop 41: a library on a backup drive or a share mounted read-only could not be
    searched ("… is read-only: fix the permissions", exit 5): SQLite could not make the log's
    shared-memory file beside it. It is searched as it is; indexing it says why it cannot."""
    write_library(tmp_path / "P", 3)
    with small_tmpfs(tmp_path / "disk", "8m") as disk:
        db = str(disk / "library.db")
        model = ["--model", str(tiny_model_dir)]
        code, _, err = run(capsys, "index", str(tmp_path / "P"), "--db", db, *model, "--quiet")
        assert code == 0, err
        remount_read_only(disk)
        code, out, err = run(capsys, "search", "a dog", "--db", db, *model, "--paths-only")
        assert code == 0, err
        found = sorted(Path(line).name for line in out.splitlines())
        assert found == ["photo_0000.jpg", "photo_0001.jpg", "photo_0002.jpg"]
        code, out, err = run(capsys, "status", "--db", db)
        assert code == 0 and "photos: 3 (3 indexed" in out and "read-only: its photos are searched" in out
        code, _, err = run(capsys, "index", "--db", db, *model, "--quiet")
    assert code == EXIT["unwritable"] and "indexing and changes need write access" in one_clean_line(err)


def test_9_db_below_a_file_is_said(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    db = str(tmp_path / "a-file" / "library.db")
    # The audit of stop 39: "cannot create the library …: File exists (…/a-file)" (exit 5) did not
    # say what was wrong: the path is, as the parser says, for writing and reading commands alike.
    for argv in (["folders", "add", str(tmp_path)], ["status"]):
        with pytest.raises(SystemExit) as stop:
            main([*argv, "--db", db])
        assert stop.value.code == EXIT["usage"]
        assert f"{tmp_path / 'a-file'} is a file, not a folder" in capsys.readouterr().err


def test_9_the_copy_an_upgrade_kept_is_refused_with_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Audit 78 (minor 7): `status --db …/library.db.schema-7`, the copy an upgrade kept for an
    older Photoscope, upgraded that copy too (keeping library.db.schema-7.schema-7)."""
    from test_db import _kept_copy

    kept = _kept_copy(tmp_path)
    before = kept.read_bytes()
    for argv in (["status"], ["search", "a dog"], ["index"], ["doctor"], ["doctor", "--repair"]):
        code, out, err = run(capsys, *argv, "--db", str(kept))
        assert code == EXIT["kept_copy"], (argv, code, out, err)
        assert out in ("", f"library: {kept}\n")  # doctor names the library it checks first
        said = one_clean_line(err)
        assert said.startswith(f"photoscope: {kept} is the copy of the library an upgrade kept"), said
        assert "open it with that Photoscope, or copy it to another name" in said, said
    assert kept.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "schema-7" in p.name) == ["library.db.schema-7"]


def test_9_a_library_that_cannot_be_made_says_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Audit 79 of stop 62 (minor): `index --db /proc/x.db FOLDER` said "cannot create the library
    /proc/x.db: No such file or directory", and not what to do about it."""
    code, _, err = run(capsys, "folders", "add", str(tmp_path), "--db", "/proc/photoscope-x.db")
    assert code == EXIT["unwritable"], err
    assert "cannot create the library /proc/photoscope-x.db" in one_clean_line(err)
    assert "choose another --db" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "x", "--from", "2020-13-45"],
        ["search", "x", "--to", "next week"],
        ["search", "x", "-n", "-5"],
        ["search", "x", "-n", "0"],
        ["similar", "x.jpg", "--limit", "many"],
        ["index", "--batch-size", "0"],
        ["caption", "x.jpg", "--beam", "0"],
        ["search", "--s", "3", "dog"],  # ambiguous (--subtract, --subtract-photo): the review of stop 48
        ["search", "a cat", "--bogus"],  # the fresh-seat audit of stop 49: `photoscope --help` named
        ["status", "--bogus"],
    ],
)
def test_9_bad_arguments_are_rejected_by_the_parser(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == EXIT["usage"]
    _, err = capsys.readouterr()
    # one line, that says where to look (the honest-results walk of stop 48: 6 lines of usage first)
    assert "usage:" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"photoscope {argv[0]}" in err and "--help` lists what it takes" in err


def test_9_named_days_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["search", "x", "--to", "yesterday", "--from", "2020-02-29"])
    assert args.taken_to < args.taken_to.today() and args.taken_from.isoformat() == "2020-02-29"


# --- 10: two processes creating one library; an empty file is not a library -------------------


def _open_library(path: str) -> str:
    try:
        with Library(path) as library:
            return str(library.schema_version)
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def test_10_processes_creating_one_library_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(6):
        path = str(tmp_path / f"library-{round_}.db")
        with context.Pool(4) as pool:
            results = pool.map(_open_library, [path] * 8)
        assert set(results) == {str(len(db_module.MIGRATIONS))}, results
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".library-{round_}")) == []


def test_10_an_empty_file_is_not_turned_into_a_library(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "photo.jpg"
    empty.touch()
    for command in (["status"], ["doctor", "--repair"]):  # another program's, as a photo is: exit 2
        code, _, err = run(capsys, *command, "--db", str(empty))
        assert code == EXIT["usage"] and "empty file" in one_clean_line(err)
    assert empty.stat().st_size == 0 and [p.name for p in tmp_path.iterdir()] == ["photo.jpg"]


def _another_programs_database(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT, photos INTEGER)")
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")  # a name Photoscope uses too
    conn.execute("INSERT INTO customers VALUES ('Ada', 3)")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("command", [["status"], ["doctor"], ["doctor", "--repair"], ["folders", "list"]])
def test_10_another_programs_database_is_left_as_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    """Audit: `status --db` on another program's SQLite file added Photoscope's tables to it, switched
    it to WAL and called it an empty library; `doctor --repair` would have moved it aside."""
    other = tmp_path / "shop.sqlite"
    before = _another_programs_database(other)
    code, _, err = run(capsys, *command, "--db", str(other))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and "not a Photoscope library" in line and str(other) in line
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.sqlite"]


@pytest.mark.parametrize("command", [["status"], ["doctor", "--repair"], ["search", "a dog"]])
@pytest.mark.parametrize("kind", ["photo", "text"])
def test_10_a_photo_or_a_text_given_as_the_library_is_left_as_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str], kind: str
) -> None:
    """Audit: `search --db victim.jpg` (a typo) called the photo a damaged library, and `doctor
    --repair` then moved the photo aside and wrote a new library under its name."""
    other = write_photo(tmp_path / "victim.jpg") if kind == "photo" else tmp_path / "notes.txt"
    if kind == "text":
        other.write_text("shopping: milk, eggs\n")
    before = other.read_bytes()
    code, _, err = run(capsys, *command, "--db", str(other))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and "not a Photoscope library" in line and str(other) in line
    assert ("a JPEG image" if kind == "photo" else "a text file") in line
    assert other.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [other.name]


@pytest.mark.parametrize("command", [["search", "a dog"], ["doctor", "--repair"]])
@pytest.mark.parametrize(
    ("name", "data"),
    [("short.txt", b"hello"), ("hostname", b"vm\n"), ("random.bin", bytes(range(256)) * 16)],
)
def test_10_a_file_of_no_known_kind_that_is_no_sqlite_file_is_left_as_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str], name: str, data: bytes
) -> None:
    """The GUI walk of stop 43: `search --db short.txt` (5 bytes, "hello") called the file a damaged
    library, and `doctor --repair` moved it aside and wrote a library under its name; so did a copy
    of /etc/hostname and random bytes. A file that does not start as SQLite's do, too short to be
    one or not named as databases are, with no library backup beside it, is not a library."""
    other = tmp_path / name
    other.write_bytes(data)
    code, _, err = run(capsys, *command, "--db", str(other))
    line = one_clean_line(err)
    assert code == EXIT["usage"] and "not a Photoscope library" in line and "left as it is" in line, line
    assert other.read_bytes() == data and [p.name for p in tmp_path.iterdir()] == [name]


def test_10_a_library_whose_first_page_was_overwritten_is_still_damaged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    Library(db).close()
    data = bytearray(db.read_bytes())
    data[:100] = bytes(range(7, 107))  # the header gone: not another program's file, a damaged one
    db.write_bytes(bytes(data))
    code, _, err = run(capsys, "status", "--db", str(db))
    assert code == EXIT["damaged"] and "doctor --repair" in one_clean_line(err)


# --- 14: names that would break one-path-a-line output ------------------------------------------


@pytest.mark.usefixtures("files_there")
def test_14_paths_only_escapes_control_and_bidi_characters(capsys: pytest.CaptureFixture[str]) -> None:
    # (the audit of stop 45: a name holding the text "\x09" printed as one holding a tab)
    names = ["/p/two\nlines.jpg", "/p/evil\u202egpj.exe.jpg", "/p/plain.jpg", "/p/back\\slash\x1b.jpg"]
    names += ["/p/tab\\x09.jpg", "/p/a\\b.jpg"]
    results = SimpleNamespace(
        unknown_words=[],
        matches=[
            SimpleNamespace(photo=SimpleNamespace(path=n, caption="c"), score=1.0, near_duplicate=False)
            for n in names
        ],
    )
    args = SimpleNamespace(paths_only=True, null=False, json=False)
    assert search_command._print(results, args) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "/p/two\\x0alines.jpg",
        "/p/evil\\u202egpj.exe.jpg",
        "/p/plain.jpg",
        "/p/back\\\\slash\\x1b.jpg",
        "/p/tab\\\\x09.jpg",  # not "/p/tab\\x09.jpg", a tab's
        "/p/a\\b.jpg",  # a backslash that reads as no escape stays as it is
    ]
    assert "4 paths" in err and "--null" in err
    args = SimpleNamespace(paths_only=False, null=True, json=False)
    search_command._print(results, args)
    out, _ = capsys.readouterr()
    assert out.split("\0")[:-1] == names  # exact, for xargs -0


# --- 17: index --watch sees what is copied in during its first indexing -------------------------


def test_17_watch_follows_changes_made_during_the_first_indexing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
) -> None:
    pictures, db = tmp_path / "P", tmp_path / "library.db"
    write_library(pictures, 3)
    first_run = index_command._run_worker

    def copy_in_while_indexing(app: object, args: object) -> int:
        write_photo(pictures / "copied during indexing.jpg", seed=77)
        time.sleep(2.5)  # the copy lands while the first run is busy (past the watcher's debounce)
        return first_run(app, args)  # type: ignore[arg-type]

    def until_indexed() -> None:
        deadline = time.monotonic() + 30
        with Library(db) as library:
            while library.counts().indexed < 4 and time.monotonic() < deadline:
                time.sleep(0.05)  # poll interval
        raise KeyboardInterrupt

    monkeypatch.setattr(index_command, "_run_worker", copy_in_while_indexing)
    monkeypatch.setattr(index_command, "_wait_for_interrupt", until_indexed)
    code, out, _ = run(
        capsys, "index", str(pictures), "--watch", "--db", str(db), "--model", str(tiny_model_dir)
    )
    assert code == 0
    assert "4 indexed, 0 pending, 0 errors" in out


# --- 5: what cannot be looked at or indexed is shown by index and status ---------------------------


def test_5_index_and_status_show_unreadable_folders_and_unindexable_names(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
) -> None:

    pictures, db = tmp_path / "P", tmp_path / "library.db"
    write_library(pictures / "locked", 2)
    write_photo(pictures / "a.jpg")
    with open(os.fsencode(pictures) + b"/bad\xff.jpg", "wb") as f:
        f.write((pictures / "a.jpg").read_bytes())
    deny_listing(monkeypatch, "locked")
    code, out, _ = run(
        capsys, "index", str(pictures), "--db", str(db), "--model", str(tiny_model_dir), "--quiet"
    )
    assert code == 1  # some file could not be processed (the audit of stop 41: it exited 0)
    # never indexed: nothing kept to speak of, only why
    assert f"could not read (Permission denied): {pictures / 'locked'}" in out
    assert f"not indexed: {pictures}/bad\\xff.jpg: the file name is not valid UTF-8" in out
    code, out, _ = run(capsys, "status", "--db", str(db))
    assert code == 0 and "could not look at or index (2):" in out
    assert f"  {pictures / 'locked'}: cannot be read: Permission denied" in out


def test_an_unreadable_file_is_said_as_one_file_and_nothing_is_said_kept_that_never_was_indexed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
) -> None:
    """Stop 57's Left list: a link to itself named like a photo was "could not read (its photos are
    kept as they were)": one file, never indexed, so nothing kept. A folder never indexed either."""
    pictures, db = tmp_path / "P", tmp_path / "library.db"
    write_photo(pictures / "a.jpg")
    write_library(pictures / "locked", 1)
    (pictures / "loop.jpg").symlink_to("loop.jpg")
    deny_listing(monkeypatch, "locked")
    common = ("--db", str(db), "--model", str(tiny_model_dir), "--quiet")
    code, out, _ = run(capsys, "index", str(pictures), *common)
    assert code == 1
    assert f"could not read (a link that leads back to itself): {pictures / 'loop.jpg'}" in out, out
    assert f"could not read (Permission denied): {pictures / 'locked'}" in out, out
    assert "kept" not in out, out
    code, out, _ = run(capsys, "status", "--db", str(db))
    assert f"  {pictures / 'loop.jpg'}: cannot be read: a link that leads back to itself\n" in out, out
    # once indexed, a photo that cannot be read now is kept, and said so as one photo
    (pictures / "loop.jpg").unlink()
    write_photo(pictures / "b.jpg", seed=3)
    assert run(capsys, "index", str(pictures), *common)[0] == 1
    (pictures / "b.jpg").unlink()
    (pictures / "b.jpg").symlink_to("b.jpg")
    code, out, _ = run(capsys, "index", *common)
    assert f"could not read (the photo is kept as it was): {pictures / 'b.jpg'}" in out, out


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    # `photoscope … | head -2`: the pipe closes under a long listing; no traceback, no error line.
    # The pipe holds one page, so the listing (about 40 KB) cannot fit in it before the close.
    env = {**os.environ, "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "photoscope", "words", "similar", "dog", "-n", "3000"]
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    with subprocess.Popen(command, stdout=write_end, stderr=subprocess.PIPE, env=env) as child:
        os.close(write_end)
        assert child.stderr is not None
        with os.fdopen(read_end, "rb") as reader:
            first = reader.readline()  # the reader has what it wanted, and closes the pipe
        err = child.stderr.read().decode()
        code = child.wait(timeout=120)
    assert first.strip() and err == "" and code == 141


# --- a broken install: a file Photoscope ships with is missing --------------------------------


def _without_resource(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, missing: str) -> None:
    """Photoscope's resources as an install that lacks ``missing`` has them."""
    from photoscope import config

    shipped = config.resources_dir()
    broken = tmp_path / "resources"
    broken.mkdir()
    for entry in shipped.iterdir():
        if entry.name != missing:
            (broken / entry.name).symlink_to(entry)
    monkeypatch.setattr(config, "resources_dir", lambda: broken)
    _clear_resources()  # each is loaded once per process: read the broken folder


def _clear_resources() -> None:
    from photoscope.network import concepts, presence, word_probes

    for loader in (
        concepts.load_near_classes,
        concepts.load_concepts,
        presence.load_presence,
        word_probes.load_word_probes,
        word_probes.load_word_sight,
    ):
        loader.cache_clear()


@pytest.fixture
def _clear_resource_caches() -> Iterator[None]:
    yield
    _clear_resources()  # the shipped files again


@pytest.mark.usefixtures("_clear_resource_caches")
@pytest.mark.parametrize("missing", ["near-classes.json", "concepts.json"])
def test_a_missing_resource_file_is_said_as_a_broken_install(
    missing: str,
    shapes_library_db: tuple[Path, Path],
    trained_tiny: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Reported (stop 32's note): without ``near-classes.json`` a search said "the query: the file
    disappeared before it could be read", as if a photo had gone. It is the install that lacks a
    file: say which, and to reinstall, with an exit status of its own."""
    _without_resource(monkeypatch, tmp_path, missing)
    db, _ = shapes_library_db
    code, out, err = run(capsys, "search", "a cathedral", "--db", str(db), "--model", str(trained_tiny))
    line = one_clean_line(err)
    assert code == EXIT["broken_install"] and not out
    assert missing in line and "reinstall" in line.lower(), line


@pytest.mark.usefixtures("_clear_resource_caches")
def test_photos_indexed_by_a_broken_install_stay_pending_not_failed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
) -> None:
    """Found with the report above: indexing without ``presence.json`` printed a traceback and
    recorded every photo as one that "could not be indexed" (the model failed), so that they
    stayed out of the index after a reinstall. The install is at fault, not the photos."""
    pictures, db = tmp_path / "P", tmp_path / "library.db"
    write_library(pictures, 3)
    with monkeypatch.context() as broken:
        _without_resource(broken, tmp_path, "presence.json")
        code, _, err = run(capsys, "index", str(pictures), "--db", str(db), "--model", str(tiny_model_dir))
    assert code == EXIT["broken_install"] and "presence.json" in one_clean_line(err), (code, err)
    code, out, _ = run(capsys, "status", "--db", str(db))
    assert "3 pending" in out and "could not index" not in out, out
    code, out, _ = run(capsys, "index", str(pictures), "--db", str(db), "--model", str(tiny_model_dir))
    assert code == 0 and "3 indexed, 0 pending, 0 errors" in out, out


def test_a_batch_that_breaks_the_model_is_said_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
) -> None:
    """Found with the report above: the indexer's "batch failed in the model" went to stderr with
    its traceback (Python prints a logged exception's when no logging is set up), without --debug."""
    describe = PhotoscopeModel.describe

    def fragile(self: PhotoscopeModel, photos: Any, *args: Any, **kwargs: Any) -> Any:
        if len(photos) > 1:
            raise RuntimeError("out of memory")
        return describe(self, photos, *args, **kwargs)

    monkeypatch.setattr(PhotoscopeModel, "describe", fragile)
    monkeypatch.setattr(logging.root, "handlers", [])  # as outside pytest, which catches log records
    pictures, db = tmp_path / "P", tmp_path / "library.db"
    write_library(pictures, 3)
    argv = ("index", str(pictures), "--db", str(db), "--model", str(tiny_model_dir), "--quiet")
    code, out, err = run(capsys, *argv)
    assert code == 0 and "indexed 3 photos, 0 could not be read" in out
    line = one_clean_line(err)
    assert "retrying photo by photo" in line and "out of memory" in line and "--debug" in line


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["folders", "list"], ["status"], ["--version"]])
def test_output_to_a_full_disk_says_it_is_the_output(tmp_path: Path, argv: list[str]) -> None:
    """Audit: `photoscope status > /dev/full` said "the disk is full" as if the library's disk were,
    and `--version` lost its line without a word (exit 0)."""
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.add_folder(tmp_path)
    args = argv if argv[0].startswith("--") else [*argv, "--db", str(db)]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "photoscope", *args], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert one_clean_line(done.stderr) == (
        "photoscope: cannot write the output (standard output): the disk is full: free some space,"
        " or send the output elsewhere"
    )
    assert done.returncode == EXIT["unwritable"]


def test_10_a_library_overwritten_by_a_text_is_damaged_when_its_backup_is_beside_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.add_folder(tmp_path)  # writes the rolling backup beside the library
    db.write_text("a log line that went to the wrong file\n" * 300)
    code, _, err = run(capsys, "status", "--db", str(db))
    assert code == EXIT["damaged"] and "doctor --repair" in one_clean_line(err)


@pytest.mark.parametrize("loss", ["emptied", "deleted"])
def test_10_a_library_emptied_or_deleted_is_rebuilt_from_its_backup_not_started_anew(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None, loss: str
) -> None:
    """The CLI audit of stop 57: a library file emptied (a crash, a sync tool) said "give a new file
    name, or delete the empty file", and `doctor --repair` refused; deleted, the next `index` began a
    new library whose backups replaced the old ones, and an unplugged drive's photos were gone. Its
    backup holds them: the library is said damaged, and the repair rebuilds it from the backup."""
    write_library(tmp_path / "A", 2)
    write_library(tmp_path / "B", 2, start=10)
    db = tmp_path / "library.db"
    common = ("--db", str(db), "--model", str(tiny_model_dir))
    assert run(capsys, "index", str(tmp_path / "A"), str(tmp_path / "B"), "--quiet", *common)[0] == 0
    (tmp_path / "B").rename(tmp_path / "B unplugged")
    run(capsys, "index", "--quiet", *common)
    if loss == "emptied":
        db.write_bytes(b"")
    else:
        db.unlink()
    for command in (["status"], ["index", "--quiet", "--model", str(tiny_model_dir)]):
        code, _, err = run(capsys, *command, "--db", str(db))
        line = one_clean_line(err)
        assert code == EXIT["damaged"] and "its backup holds 4 photos" in line, (command, err)
        assert "doctor --repair" in line
    assert run(capsys, "doctor", "--repair", "--db", str(db))[0] == 0
    code, out, _ = run(capsys, "status", "--db", str(db))
    assert code == 0 and "photos: 4" in out, out


def test_10_a_new_library_where_a_backup_without_photos_lies_is_made_as_before(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.add_folder(tmp_path)  # a backup, no photos
    db.unlink()
    with Library(db) as library:
        assert library.folders() == []


def test_9_a_search_that_finds_the_library_damaged_has_written_nothing_to_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Stop 42 left it: a search on a damaged library rebuilt the vectors' file and then pruned the
    database's change log (a write) before it met the damage and said to repair. A reading command
    writes nothing to a library: a write into a damaged file can spread the damage."""
    db = tmp_path / "library.db"
    index = ["index", str(tmp_path / "P"), "--db", str(db), "--model", str(tiny_model_dir), "--quiet"]
    write_library(tmp_path / "P", 6)
    assert run(capsys, *index)[0] == 0
    write_library(tmp_path / "P" / "more", 2, start=40)  # too few to rewrite the vectors' file:
    assert run(capsys, *index)[0] == 0  # their changes stay in the log
    for copy in tmp_path.glob("library.db.vectors*"):
        copy.unlink()  # lost or stale: the search rebuilds it
    damage_page(db, "folders")
    before = db.read_bytes()
    code, out, err = run(capsys, "search", "a dog", "--db", str(db), "--model", str(tiny_model_dir))
    assert code == EXIT["damaged"] and "doctor --repair" in err, (out, err)
    log = tmp_path / "library.db-wal"
    assert db.read_bytes() == before and (not log.exists() or log.stat().st_size == 0)


def test_an_unreadable_library_is_not_called_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit of stop 45: `chmod 000 library.db` (as a user) was said to be "read-only (the
    file, its folder or the disk)": it cannot even be read."""
    import sqlite3

    from photoscope.library import errors

    db = tmp_path / "library.db"
    Library(db).close()
    real_access = os.access
    monkeypatch.setattr(errors.os, "access", lambda p, mode: False if Path(p) == db else real_access(p, mode))
    said = str(errors.translate_sqlite_error(sqlite3.OperationalError("unable to open database file"), db))
    assert said.startswith(f"{db} cannot be read (no permission)") and "read-only" not in said


def test_a_library_path_that_is_a_dangling_link_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The audit of stop 45: `index --db dangling.db` (a link to a drive not plugged in) said "check
    that its folder exists": the folder is there, the link's target is not."""
    write_library(tmp_path / "P", 1)
    link = tmp_path / "dangling.db"
    link.symlink_to(tmp_path / "drive" / "library.db")
    argv = ["index", str(tmp_path / "P"), "--db", str(link), "--model", str(tiny_model_dir), "--quiet"]
    code, _, err = run(capsys, *argv)
    line = one_clean_line(err)
    assert code == EXIT["unwritable"] and f"is a link to {tmp_path / 'drive' / 'library.db'}" in line, err


def test_a_backup_that_cannot_be_written_is_said_once_and_doctor_does_not_say_all_good(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The audit of stop 45, on a full disk: `folders add` printed the backup's warning twice (and
    without "photoscope:": the command now logs in one line), and `doctor --repair` printed it and
    then "all good", exit 0."""
    import errno as errno_

    from photoscope.library import backup

    def full(*_: object) -> None:
        raise OSError(errno_.ENOSPC, "No space left on device")

    (tmp_path / "P").mkdir()
    db = tmp_path / "library.db"
    assert run(capsys, "folders", "add", str(tmp_path / "P"), "--db", str(db))[0] == 0  # written once
    monkeypatch.setattr(backup, "write_backup", full)
    with Library(db) as library:
        library.add_folder(tmp_path)  # a write: the backup is due at close
        assert not library.backup(max_age_s=0)
    said = [r.getMessage() for r in caplog.records if "cannot write the backup" in r.getMessage()]
    assert len(said) == 1 and said[0].endswith("the disk is full (the library itself is kept as it was)")
    code, out, err = run(capsys, "doctor", "--repair", "--db", str(db))
    assert code == EXIT["unwritable"] and "all good" not in out
    # one pair of parentheses (the fresh-seat audit of stop 54: "(the disk is full (the library …))")
    said = "the library checks out, but its backup cannot be written (the disk is full): free some space"
    assert said in err, err


def test_doctor_does_not_vouch_for_a_backup_it_cannot_read_nor_rotate_it_over_a_good_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CLI audit of stop 58: the newest backup overwritten by text, `doctor` said "backup …: 0
    minutes old", "all good", and left it so. A fresh one is written; the garbage is not rotated
    into the older generation, which still holds the photos."""
    import gzip
    import json

    from photoscope.api import Photoscope
    from photoscope.library.backup import backup_path, backup_photo_count

    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3)
    with Photoscope(db) as app:
        app.add_folder(tmp_path / "P")
        app.scanner().scan()
        for _ in range(2):  # both generations hold the three photos
            assert app.library.backup(max_age_s=0, min_age_s=0)
    backup_path(db).write_bytes(b"garbage\n")
    code, out, _ = run(capsys, "doctor", "--db", str(db))
    assert code == 0 and "could not be read: wrote a fresh backup" in out, out
    assert "minutes old" not in out, out
    assert backup_photo_count(db) == 3
    with gzip.open(backup_path(db, 1), "rb") as f:
        assert json.loads(f.read())["photo_count"] == 3  # not the garbage


def test_doctor_does_not_call_a_backup_without_the_library_s_photos_fresh(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit of stop 47: on a disk that filled while indexing, the backup written when the
    library was made (no photos) stayed, and `doctor` said "backup …: 0 minutes old", "all good",
    with 60 photos in the library. A backup that lacks photos the library has is written again
    by doctor, or said to be unwritable."""
    import errno as errno_

    from photoscope.library import backup
    from photoscope.library.db import NewFile

    (tmp_path / "P").mkdir()
    db = tmp_path / "library.db"
    assert run(capsys, "folders", "add", str(tmp_path / "P"), "--db", str(db))[0] == 0  # a backup, no photos
    written = backup.write_backup

    def full(*_: object) -> None:
        raise OSError(errno_.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "write_backup", full)
    with Library(db) as library:
        folder = library.folders()[0]
        library.add_photos(
            [NewFile(folder.id, f"{tmp_path}/P/p{i}.jpg", 10, 1.0, f"{i:032x}") for i in range(5)]
        )
    assert backup.backup_photo_count(db) == 0
    code, out, err = run(capsys, "doctor", "--db", str(db))
    assert code == EXIT["unwritable"] and "all good" not in out, out
    assert "its backup cannot be written (the disk is full" in err, err
    monkeypatch.setattr(backup, "write_backup", written)
    code, out, _ = run(capsys, "doctor", "--db", str(db))
    assert code == 0 and "wrote a fresh backup" in out and backup.backup_photo_count(db) == 5, out


def test_a_library_file_that_refuses_writes_is_opened_read_only_and_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The fresh-seat audit of stop 52: a `chmod 444` library in a folder that takes writes was
    opened as a writable one (SQLite fell back to reading it without a word): `status` said nothing,
    the window "7 photos indexed" while new photos were never indexed. It is read-only, and said."""
    import shutil

    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root's setpriv to drop the permission override root has")
    db = tmp_path / "library.db"
    assert run(capsys, "folders", "add", str(tmp_path), "--db", str(db))[0] == 0
    db.chmod(0o444)
    without_override = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    done = subprocess.run(
        [*without_override, sys.executable, "-m", "photoscope", "status", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "Operation not permitted" in done.stderr and done.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert "read-only: its photos are searched as they are" in done.stdout, done.stdout


def test_a_watched_folder_whose_permission_is_taken_away_is_not_called_offline(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
) -> None:
    """The CLI audit of stop 55: a watched folder that only lost its read permission was "OFFLINE"
    with "moved or renamed? … unplugged? plug it in" in `status`, `folders list` and `index`, beside
    the "permission denied" line that said what it was."""
    pictures, db = tmp_path / "Locked", tmp_path / "library.db"
    write_library(pictures, 2)
    common = ("--db", str(db), "--model", str(tiny_model_dir))
    assert run(capsys, "index", str(pictures), "--quiet", *common)[0] == 0
    real_listdir = os.listdir

    def deny(path: str) -> list[str]:
        if str(path) == str(pictures):
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", deny)  # as chmod 000 does, for root too
    deny_listing(monkeypatch, "Locked")
    code, out, _ = run(capsys, "index", "--quiet", *common)
    assert code == 1 and "offline" not in out, out
    assert f"could not read (its photos are kept as they were): {pictures}" in out
    code, out, _ = run(capsys, "status", "--db", str(db))
    assert code == 0 and "OFFLINE" not in out and "unplugged" not in out, out
    assert f"  {pictures} (2 photos, NO PERMISSION to read it: photos kept, still searchable)" in out
    way_out = f"give the permission back (chmod u+rx {pictures}): its photos are updated at the next scan"
    assert f"    {way_out}" in out
    code, out, _ = run(capsys, "folders", "list", "--db", str(db))
    assert code == 0 and out.splitlines()[0].split("\t")[:2] == [str(pictures), "no permission"], out


def test_status_counts_one_photo_of_a_model_as_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The CLI audit of stop 55: `status` said "model: … (1 photos)"."""
    write_photo(tmp_path / "P" / "a.jpg")
    db = tmp_path / "library.db"
    assert (
        run(capsys, "index", str(tmp_path / "P"), "--quiet", "--db", str(db), "--model", str(tiny_model_dir))[
            0
        ]
        == 0
    )
    code, out, _ = run(capsys, "status", "--db", str(db))
    (line,) = [line for line in out.splitlines() if line.startswith("model: ")]
    assert code == 0 and line.endswith(" (1 photo)"), line


def test_doctor_s_advice_for_a_backup_it_cannot_write_fits_the_cause(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Audit 98 (repro_5): with a folder standing where the backup goes, `doctor` said "(is a
    directory): free some space", which cannot help. It names what stands in the way."""
    from photoscope.library.backup import backup_path

    (tmp_path / "P").mkdir()
    db = tmp_path / "library.db"
    assert run(capsys, "folders", "add", str(tmp_path / "P"), "--db", str(db))[0] == 0
    place = backup_path(db, 0)
    place.unlink()
    place.mkdir()
    code, out, err = run(capsys, "doctor", "--db", str(db))
    assert code == EXIT["unwritable"] and "all good" not in out
    line = one_clean_line(err)
    assert "free some space" not in line and str(place) in line and "doctor" in line, line


def test_photos_waiting_in_an_offline_folder_are_said_to_wait_for_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Audit 98 (repro_3): the library rebuilt from its backup while its drive was unplugged. Its
    photos wait to be indexed (their vectors were lost), and `status` said "photos kept, still
    searchable"; `search` said "4 photos wait to be indexed: run `photoscope index`", and `index`
    indexed none without saying why. They wait for their folder to come back, and each says so."""
    write_library(tmp_path / "B", 3)
    db = tmp_path / "library.db"
    common = ("--db", str(db), "--model", str(tiny_model_dir))
    assert run(capsys, "index", str(tmp_path / "B"), "--quiet", *common)[0] == 0
    (tmp_path / "B").rename(tmp_path / "B unplugged")
    run(capsys, "index", "--quiet", *common)
    db.unlink()
    assert run(capsys, "doctor", "--repair", "--db", str(db))[0] == 0
    code, out, _ = run(capsys, "status", "--db", str(db))
    assert "still searchable" not in out and "when it is back" in out, out
    code, out, err = run(capsys, "index", "--quiet", *common)
    assert "3 photos wait for their folder to come back" in out + err, out + err
    code, out, err = run(capsys, "search", "a red square", *common)
    line = one_clean_line(err)
    assert code == EXIT["failed"] and "run `photoscope index`" not in line, line
    assert "3 photos wait to be indexed" in line and "folder is offline" in line, line


def test_doctor_says_a_folder_standing_where_the_vectors_file_goes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Audit 98's notes: with a folder at the search's vectors file's place, `doctor` said "all
    good" while every search read the library's vectors anew. It is no damage, and not Photoscope's
    to remove: said in one line with the way out, status 5 (as a backup it cannot write)."""
    from photoscope.search.stored import sidecar_path

    write_library(tmp_path / "P", 2)
    db = tmp_path / "library.db"
    common = ("--db", str(db), "--model", str(tiny_model_dir))
    assert run(capsys, "index", str(tmp_path / "P"), "--quiet", *common)[0] == 0
    place = sidecar_path(db)
    place.unlink(missing_ok=True)
    place.mkdir()
    code, out, err = run(capsys, "doctor", *common)
    assert code == EXIT["unwritable"] and "all good" not in out, out + err
    line = one_clean_line(err)
    assert str(place) in line and "move it away" in line, line
    assert place.is_dir()  # left as it is
