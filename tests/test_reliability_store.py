"""Issue #15, what is left behind and what is shared: no abort on a full cache (8), no temp files after
kills (8), one encode per photo with two indexers (11), a memory budget for decoding (12), a private
database (13), damage found by status and repaired by doctor, with a rolling backup (16)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from photos import CountingModel, write_library, write_photo
from PIL import Image

from photoscope.cli import main
from photoscope.library.backup import backup_path, read_backup
from photoscope.library.db import Library
from photoscope.library.exclusions import ExclusionRule
from photoscope.library.indexer import IndexOptions, IndexWorker
from photoscope.library.photos import MemoryBudget, load_photo
from photoscope.library.scanner import Scanner
from photoscope.library.thumbnails import remove_stale_temporaries
from photoscope.network import DESCRIPTION_VERSION
from photoscope.network.model import PhotoscopeModel

TESTS = Path(__file__).resolve().parent


# --- 8. a full cache disk, temporary files of killed runs ---------------------------------------

SAVE_ON_A_FULL_DISK = """
import sys, torch
from pathlib import Path
from photoscope.network.encoder import _save_quietly
frozen = torch.jit.script(torch.nn.Linear(512, 512))
_save_quietly(frozen, Path(sys.argv[1]) / "encoder.pt")
print("survived")
"""


def test_8_saving_the_frozen_encoder_to_a_full_disk_does_not_abort(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "cache"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        done = subprocess.run(
            [sys.executable, "-c", SAVE_ON_A_FULL_DISK, str(disk)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        left = os.listdir(disk)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])  # 134 was SIGABRT
    assert "survived" in done.stdout and left == []  # no partial .tmp left behind


def test_8_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    import torch

    from photoscope.network.encoder import _save_quietly

    cache = tmp_path / "encoder"
    cache.mkdir()
    dead = cache / ".encoder.pt.999999999.tmp"  # no such process
    dead.write_bytes(b"partial")
    _save_quietly(torch.jit.script(torch.nn.Linear(2, 2)), cache / "encoder.pt")
    assert sorted(os.listdir(cache)) == ["encoder.pt"]


def test_8_stale_temporary_thumbnails_are_removed(
    library: Library, tiny_model: PhotoscopeModel, tmp_path: Path
) -> None:
    large = tmp_path / "thumbs" / "large"
    large.mkdir(parents=True)
    old, fresh = large / ".photoscope-killed.png", large / ".photoscope-writing-now.png"
    old.touch()
    fresh.touch()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    write_library(tmp_path / "P", 2)
    library.add_folder(tmp_path / "P")
    Scanner(library).scan()
    IndexWorker(library, tiny_model, IndexOptions(thumbnail_root=tmp_path / "thumbs")).run()
    assert not old.exists() and fresh.exists()  # another process may be writing the fresh one
    assert remove_stale_temporaries(tmp_path / "thumbs", older_than_s=0) == 1


# --- 11. two indexers on one library encode each photo once ----------------------------------


def test_11_two_workers_on_one_library_encode_each_photo_once(
    tmp_path: Path, tiny_model: PhotoscopeModel
) -> None:
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 24)
    with Library(db) as library:
        library.add_folder(tmp_path / "P")
        Scanner(library).scan()
    counters = [CountingModel(tiny_model), CountingModel(tiny_model)]
    waited: list[int] = []

    def index(i: int) -> None:
        with Library(db) as library:  # as two processes would: each its own connection and lock file
            worker = IndexWorker(
                library,
                counters[i],
                IndexOptions(thumbnails=False, batch_size=4),
                on_wait=lambda: waited.append(i),
            )
            worker.run()

    threads = [threading.Thread(target=index, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sum(c.embedded for c in counters) == 24
    assert waited  # one of them waited for the other
    with Library(db) as library:
        assert library.counts().indexed == 24


# --- 12. decoding under a memory budget ------------------------------------------------------


def test_12_photos_over_the_budget_decode_one_at_a_time() -> None:
    budget = MemoryBudget(100)
    inside, most = [0], [0]
    lock = threading.Lock()

    def decode(cost: int) -> None:
        with budget.reserve(cost):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=decode, args=(80,)) for _ in range(4)]
    threads += [threading.Thread(target=decode, args=(500,))]  # bigger than the budget: alone
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and budget.peak <= 500 and budget.used == 0


def test_12_a_large_png_is_reduced_as_soon_as_it_is_decoded(tmp_path: Path) -> None:
    Image.new("RGB", (3000, 2000), (10, 200, 30)).save(tmp_path / "big.png")
    budget = MemoryBudget(1 << 30)
    image = load_photo(tmp_path / "big.png", min_side=256, budget=budget)
    assert image.mode == "RGB" and 256 <= min(image.size) < 512
    assert budget.peak >= 3000 * 2000 * 4  # it reserved what the full decode takes


# --- 13. a private database ------------------------------------------------------------------


def test_13_a_new_library_and_its_backup_are_private(tmp_path: Path) -> None:
    db = tmp_path / "data" / "photoscope" / "library.db"
    with Library(db) as library:
        write_library(tmp_path / "P", 1)
        library.add_folder(tmp_path / "P")
    assert oct(db.stat().st_mode & 0o777) == oct(0o600)
    assert oct(db.parent.stat().st_mode & 0o777) == oct(0o700)
    assert oct(backup_path(db).stat().st_mode & 0o777) == oct(0o600)


# --- 16. damage is found by status and index, repaired by doctor; the backup ------------------


def _damage_pages(db: Path, table: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with open(db, "r+b") as f:  # the table's root page and every page after it that is not the last
        for page in range(root, min(root + 4, pages)):
            f.seek((page - 1) * page_size)
            f.write(b"\x5a" * page_size)


def _index(
    capsys: pytest.CaptureFixture[str], db: Path, model_dir: Path, *paths: Path
) -> tuple[int, str, str]:
    code = main(["index", *map(str, paths), "--db", str(db), "--model", str(model_dir), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def test_16_damaged_vector_pages_are_found_and_repaired(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 30, size=(160, 120))
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    with Library(db) as library:
        captions = dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall())
        rules = dict(library.db.execute("SELECT id, description_version FROM photos").fetchall())
    _damage_pages(db, "vectors")

    code = main(["status", "--db", str(db)])
    out, _ = capsys.readouterr()
    assert code == 4 and "DAMAGED" in out and out.count("doctor --repair") == 1, out  # the audit: twice
    code, _, err = _index(capsys, db, tiny_model_dir)
    assert code == 4 and "doctor --repair" in err
    code = main(["doctor", "--db", str(db), "--model", str(tiny_model_dir)])
    out, _ = capsys.readouterr()
    assert code == 4 and "problem: SQLite finds the file damaged" in out

    code = main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)])
    out, _ = capsys.readouterr()
    assert code == 0 and "moved the damaged file aside" in out
    # the library and model repaired, named (the CLI audit of stop 55: the default library was indexed)
    index = f"photoscope index --db {db} --model {tiny_model_dir}"
    assert out.rstrip().splitlines()[-1].startswith(f"repaired; run `{index}` to index the "), out
    assert list(tmp_path.glob("library.db.damaged-*"))  # kept, never deleted
    with Library(db) as library:
        assert [f.path for f in library.folders()] == [str(tmp_path / "P")]
        assert library.integrity_check() == "ok"
        kept = dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall())
        assert kept == captions  # every caption kept
        # The CLI walk of stop 42: and which rule wrote it (else "52 photos wait for captions by the
        # new caption rule", and they were written again, after a repair that kept them).
        assert dict(library.db.execute("SELECT id, description_version FROM photos").fetchall()) == rules
        assert library.counts().pending > 0  # the photos whose vectors were lost
    code, out, _ = _index(capsys, db, tiny_model_dir)
    assert code == 0 and "30 indexed, 0 pending, 0 errors" in out
    assert main(["doctor", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    assert "all good" in capsys.readouterr()[0]


def test_16_a_photo_whose_feature_was_lost_is_encoded_again_not_kept_as_indexed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The fresh-seat audit of stop 54: a repair of damaged feature pages kept the photos whose
    latent survived as indexed; search reads both vectors, so they were never found again, never
    encoded again, and `doctor` said "all good"."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 30, size=(160, 120))
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    _damage_pages(db, "features")
    doctor = ["doctor", "--db", str(db), "--model", str(tiny_model_dir)]
    assert main([*doctor, "--repair"]) == 0
    capsys.readouterr()
    with Library(db) as library:
        lost = library.db.execute(
            "SELECT count(*) FROM photos WHERE status = 'indexed'"
            " AND id NOT IN (SELECT photo_id FROM features)"
        ).fetchone()[0]
        pending = library.counts().pending
    assert lost == 0 and pending > 0
    code, out, _ = _index(capsys, db, tiny_model_dir)
    assert code == 0 and "30 indexed, 0 pending, 0 errors" in out
    with Library(db) as library:  # a library repaired before: one indexed photo without its feature
        library.db.execute("DELETE FROM features WHERE photo_id = (SELECT min(photo_id) FROM features)")
    assert main(doctor) == 4
    assert "problem: 0 photos have damaged vectors and 1 indexed photos have none" in capsys.readouterr()[0]
    assert main([*doctor, "--repair"]) == 0 and "1 photos will be re-encoded" in capsys.readouterr()[0]
    code, out, _ = _index(capsys, db, tiny_model_dir)
    assert code == 0 and "30 indexed, 0 pending, 0 errors" in out
    assert main(doctor) == 0 and "all good" in capsys.readouterr()[0]


def test_16_a_repair_stopped_halfway_leaves_the_damaged_library_in_place(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tiny_model_dir: Path,
    fast_models: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fresh-seat audit of stop 54: `doctor --repair` killed while it read the damaged file left
    an empty library at its path (or none); `doctor` called it "all good", and the next runs wrote
    the empty library's backup over both that held the photos. A repair builds the new library
    beside the old one and puts it in place only when it is whole."""
    from photoscope.library import doctor

    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 12, size=(160, 120))
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    with Library(db) as library:
        captions = dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall())
    _damage_pages(db, "vectors")
    damaged = db.read_bytes()
    restore = doctor._restore

    def killed(*args, **kwargs):  # type: ignore[no-untyped-def]
        restore(*args, **kwargs)  # halfway through writing the new library
        raise KeyboardInterrupt

    monkeypatch.setattr(doctor, "_restore", killed)
    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 130  # Ctrl-C
    capsys.readouterr()
    assert db.read_bytes() == damaged  # the damaged library, still at its path, as it was
    assert main(["status", "--db", str(db)]) == 4 and "DAMAGED" in capsys.readouterr()[0]
    monkeypatch.setattr(doctor, "_restore", restore)
    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    capsys.readouterr()
    with Library(db) as library:
        assert dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall()) == captions
    assert not [p.name for p in tmp_path.iterdir() if "rebuild" in p.name]  # nothing left beside it


def test_16_an_empty_library_never_rotates_away_the_last_backup_that_holds_photos(tmp_path: Path) -> None:
    """The same audit: an empty library's backups, written twice, had replaced both generations
    that held its 716 photos."""
    import gzip
    import json

    from photoscope.api import Photoscope
    from photoscope.library.backup import backup_photo_count

    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3)
    with Photoscope(db) as app:
        app.add_folder(tmp_path / "P")
        app.scanner().scan()
        app.library.backup(max_age_s=0)
    assert backup_photo_count(db) == 3
    empty = tmp_path / "empty.db"
    Library(empty).close()  # an empty library in its place, backed up twice
    os.replace(empty, db)
    for _ in range(2):
        with Library(db) as library:
            assert library.backup(max_age_s=0, min_age_s=0)
    assert backup_photo_count(db) == 0  # the newest says what the library holds
    newest = read_backup(db)  # generation 0 first
    assert newest is not None and newest["photo_count"] == 0
    with gzip.open(backup_path(db, 1), "rb") as f:
        assert json.loads(f.read())["photo_count"] == 3  # the photos' backup is kept


def test_doctor_finds_and_repairs_a_vectors_file_written_over(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The CLI audit of stop 47: 4 KiB of bad bytes among the vectors file's features made every
    search find nothing, and `doctor` said "all good" and `--repair` left the file as it was."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 12, size=(160, 120))
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    assert main(["search", "a red circle", "--db", str(db), "--model", str(tiny_model_dir)]) in (0, 1)
    capsys.readouterr()
    vectors = db.with_name("library.db.vectors")
    assert vectors.stat().st_size > 8 * 4096  # the search wrote it
    with vectors.open("r+b") as f:
        f.seek(7 * 4096)  # among the features, past the header and the latents
        f.write(b"\xff" * 4096)
    doctor = ["doctor", "--db", str(db), "--model", str(tiny_model_dir)]
    assert main(doctor) == 4
    out = capsys.readouterr()[0]
    assert f"problem: the search's vectors file {vectors} is damaged (its features)" in out, out
    unlink = Path.unlink

    def refused(self: Path, missing_ok: bool = False) -> None:  # a folder this user may not write
        if self == vectors:
            raise PermissionError(13, "Permission denied", str(self))
        unlink(self, missing_ok)

    with pytest.MonkeyPatch.context() as patch:  # the review of stop 47: a traceback, not a line
        patch.setattr(Path, "unlink", refused)
        assert main([*doctor, "--repair"]) == 4
    assert f"problem: could not remove {vectors} (Permission denied)" in capsys.readouterr()[0]
    assert main([*doctor, "--repair"]) == 0
    assert "repaired: removed the damaged library.db.vectors" in capsys.readouterr()[0]
    assert main(doctor) == 0 and "all good" in capsys.readouterr()[0]


def test_16_a_destroyed_database_keeps_its_folders_ids_and_captions_from_the_backup(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 5)
    write_library(tmp_path / "Q", 3, start=10)
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P", tmp_path / "Q")[0] == 0
    rule = ExclusionRule(str(tmp_path / "P"), "pattern", "*.png")  # the review of stop 39: a repair
    with Library(db) as library:  # lost the exclusion rules, and the next scan indexed those photos
        library.set_exclusion_rule(rule, True)
        library.backup(max_age_s=0)
        before = dict(library.db.execute("SELECT id, path FROM photos").fetchall())
        captions = dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall())
    backup = read_backup(db)
    assert backup is not None and len(backup["folders"]) == 2 and len(backup["photos"]) == 8
    db.write_bytes(os.urandom(8192))  # destroyed
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    capsys.readouterr()
    with Library(db) as library:
        assert sorted(f.path for f in library.folders()) == [str(tmp_path / "P"), str(tmp_path / "Q")]
        assert dict(library.db.execute("SELECT id, path FROM photos").fetchall()) == before
        assert dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall()) == captions
        assert library.exclusion_rules() == [rule]
    code, out, _ = _index(capsys, db, tiny_model_dir)
    assert code == 0 and "8 indexed, 0 pending, 0 errors" in out
    with Library(db) as library:  # same ids: nothing was dropped and added anew
        assert dict(library.db.execute("SELECT id, path FROM photos").fetchall()) == before


def test_16_a_damaged_text_index_is_rebuilt(
    library: Library, tiny_model: PhotoscopeModel, tmp_path: Path
) -> None:
    from photoscope.library.doctor import examine

    write_library(tmp_path / "P", 4)
    write_photo(tmp_path / "P" / "dog.jpg", seed=5)
    write_photo(tmp_path / "P" / "summerHoliday.jpg", seed=6)
    library.add_folder(tmp_path / "P")
    Scanner(library).scan()
    IndexWorker(library, tiny_model, IndexOptions(thumbnails=False)).run()
    library.db.execute("DELETE FROM search WHERE rowid IN (SELECT rowid FROM search LIMIT 2)")
    path = library.path
    report = examine(path)
    assert not report.ok and any("text search index" in p for p in report.problems)
    report = examine(path, repair=True)
    assert report.ok and any("rebuilt the text search index" in r for r in report.repaired)
    assert examine(path).problems == []
    assert library.text_search("dog")
    assert [Path(p).name for _, p in library.paths_with_word("holiday")] == ["summerHoliday.jpg"]


@pytest.mark.parametrize("damage", ["segments gone", "segment garbled"])
def test_16_a_text_index_damaged_inside_its_segments_is_rebuilt(
    library: Library, tiny_model: PhotoscopeModel, tmp_path: Path, damage: str
) -> None:
    """The fresh-seat audit of stop 59: with FTS5's own segments damaged (a torn write; SQLite's
    b-trees sound), `doctor --repair` said it rebuilt the index, which stayed damaged (or failed
    itself, "run `photoscope doctor --repair`"): its DELETE read the broken segments."""
    from photoscope.library.doctor import examine

    write_library(tmp_path / "P", 6)
    library.add_folder(tmp_path / "P")
    Scanner(library).scan()
    IndexWorker(library, tiny_model, IndexOptions(thumbnails=False)).run()
    if damage == "segments gone":
        library.db.execute("DELETE FROM search_data WHERE id > 10")
    else:
        library.db.execute("UPDATE search_data SET block = zeroblob(length(block)) WHERE id > 10")
    path = library.path
    assert not examine(path).ok
    report = examine(path, repair=True)
    assert report.ok and any("rebuilt the text search index" in r for r in report.repaired)
    assert examine(path).problems == []
    with Library(path) as reopened:
        assert reopened.db.execute("SELECT count(*) FROM search").fetchone()[0] == 6
        caption = reopened.db.execute("SELECT text FROM captions LIMIT 1").fetchone()[0]
        assert reopened.text_search(caption.split()[-1])  # searched again by its words


def test_16_captions_a_repair_takes_from_the_backup_are_written_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The review of stop 42: a caption the repair took from the backup was marked as written by the
    rule its photo's row names, though a newer caption may have replaced it since the backup: it
    would never be written again. Its rule is unknown, so it is written again."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 30, size=(160, 120))
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    with Library(db) as library:
        library.backup(max_age_s=0)
        assert library.stale_description_count(DESCRIPTION_VERSION) == 0
        library.db.execute("UPDATE captions SET text = 'newer ' || text")  # written again since
        library.db.conn.commit()
    _damage_pages(db, "captions")
    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    capsys.readouterr()
    with Library(db) as library:
        rows = library.db.execute(
            "SELECT c.text, p.description_version FROM photos p JOIN captions c ON c.photo_id = p.id"
        ).fetchall()
    from_backup = [version for text, version in rows if not text.startswith("newer ")]
    assert len(rows) == 30 and from_backup and all(v is None for v in from_backup)  # written again
    assert all(v == DESCRIPTION_VERSION for text, v in rows if text.startswith("newer "))


@pytest.mark.parametrize("table", ["folders", "photos"])
def test_opening_a_library_damaged_inside_its_tables_says_so(tmp_path: Path, table: str) -> None:
    """The window opens the library (``Photoscope.open``) and offers repair when that fails; a file
    damaged inside the tables the window reads first opened, and the window waited at "Opening your
    library…" for ever, the damage said only on stderr (the GUI audit of stop 55, finding 1)."""
    from photoscope.api import LibraryDamaged, Photoscope

    db, photos = tmp_path / "library.db", tmp_path / "P"
    write_library(photos, 3)
    with Library(db) as library:
        library.add_folder(photos)
        Scanner(library).scan()
    _damage_pages(db, table)
    api = Photoscope(db)
    with pytest.raises(LibraryDamaged):
        api.open()
    api.close()


def test_a_photo_whose_name_a_folder_took_stops_no_indexing_of_its_copy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """The reliability audit of stop 60 (repro_1, repro_7): a photo moved away and a folder made
    with its name, its copy added elsewhere: every `photoscope index NEW` died "unexpected error
    (NotAFile …)" (exit 70), and under `index --watch` every run failed and new photos stayed
    pending. The copy is compared with a folder, which is no copy: it is indexed as any photo."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 3, size=(160, 120))
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    first = sorted((tmp_path / "P").iterdir())[0]
    (tmp_path / "New").mkdir()
    first.rename(tmp_path / "New" / "copy.jpg")
    first.mkdir()  # a folder takes the photo's name
    for _ in range(2):
        code, out, err = _index(capsys, db, tiny_model_dir, tmp_path / "New")
        assert code == 0 and "unexpected" not in out + err, (out, err)
    with Library(db) as library:
        status = library.db.execute("SELECT status FROM photos WHERE path LIKE '%copy.jpg'").fetchone()
    assert status == ("indexed",)


def test_a_folder_or_a_pipe_is_no_copy_of_anything(tmp_path: Path) -> None:
    from photoscope.library.fs import same_bytes
    from photoscope.library.scanner import _hash_of

    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8" + bytes(range(256)) * 8)
    (tmp_path / "folder.jpg").mkdir()
    os.mkfifo(tmp_path / "pipe.jpg")
    for odd in ("folder.jpg", "pipe.jpg"):
        assert not same_bytes(str(tmp_path / odd), str(photo)) and not same_bytes(
            str(photo), str(tmp_path / odd)
        )
        assert _hash_of(str(tmp_path / odd)) is None


# --- audit 76: backups and repairs ------------------------------------------------------------------


def _as_written_before_the_photo_count(db: Path) -> None:
    """The library's backups as a Photoscope up to 62b877b (2026-12-03) wrote them: the same, with no
    ``photo_count`` in their head."""
    import gzip
    import json

    for generation in (0, 1):
        path = backup_path(db, generation)
        if path.exists():
            with gzip.open(path, "rb") as f:
                data = json.loads(f.read())
            del data["photo_count"]
            with gzip.open(path, "wb") as f:
                f.write(json.dumps(data, separators=(",", ":")).encode("utf-8"))


@pytest.mark.parametrize("loss", ["emptied", "deleted"])
def test_a_library_lost_beside_a_backup_without_a_photo_count_is_rebuilt_from_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None, loss: str
) -> None:
    """Audit 76, repro_1: a backup written before backups counted their photos was taken for none.
    `status` and `doctor --repair` said "no library yet: add a folder" (or "delete the empty file"),
    the window began an empty library over it, and its backups rotated the old one out: folders,
    ids, captions and rules lost."""
    from photoscope.library.errors import LibraryDamaged

    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 4)
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    rule = ExclusionRule(str(tmp_path / "P"), "pattern", "*.png")
    with Library(db) as library:
        library.set_exclusion_rule(rule, True)
        library.backup(max_age_s=0)
        before = dict(library.db.execute("SELECT id, path FROM photos").fetchall())
        captions = dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall())
    _as_written_before_the_photo_count(db)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if loss == "emptied":
        db.write_bytes(b"")
    else:
        db.unlink()

    assert main(["status", "--db", str(db)]) == 4
    err = capsys.readouterr()[1]
    assert f"backup holds {len(before)} photos" in err and "doctor --repair" in err, err
    with pytest.raises(LibraryDamaged):  # how the window opens it: never made anew over its backup
        Library(db)
    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    capsys.readouterr()
    with Library(db) as library:
        assert dict(library.db.execute("SELECT id, path FROM photos").fetchall()) == before
        assert dict(library.db.execute("SELECT photo_id, text FROM captions").fetchall()) == captions
        assert library.exclusion_rules() == [rule]


@pytest.mark.parametrize("taken_by", ["a second name for it", "an earlier repair's file"])
def test_a_repair_keeps_the_damaged_file_under_a_name_no_other_file_has(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None, taken_by: str
) -> None:
    """Audit 76, repro_2: the name kept aside was ``library.db.damaged-<second>``. A repair killed
    after it linked the damaged file there made the next, in the same second, fail with "PosixPath(…)
    and PosixPath(…) are the same file", exit 1; a second repair in one second copied its damaged
    file over the first one's, which is never to be deleted."""
    from photos import damage_page

    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 6)
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    damage_page(db, "folders")
    damaged = db.read_bytes()
    now = time.time()
    taken = [
        db.with_name(f"library.db.damaged-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now + s))}")
        for s in range(5)
    ]
    for name in taken:
        if taken_by == "a second name for it":
            os.link(db, name)  # what a repair killed after keeping it aside leaves
        else:
            name.write_bytes(b"the damaged file an earlier repair kept")
    held = {name: name.read_bytes() for name in taken}

    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    out = capsys.readouterr()[0]
    assert {name: name.read_bytes() for name in taken} == held  # none written over
    kept = [
        p
        for p in tmp_path.glob("library.db.damaged-*")
        if p not in taken and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged and f"aside to {kept[0]} " in out, out
    with Library(db) as library:
        assert library.integrity_check() == "ok" and library.counts().indexed + library.counts().pending == 6


def test_a_repair_of_a_missing_library_says_it_was_missing_and_keeps_no_copy_of_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Audit 76, repro_4: with library.db deleted, `status` said `doctor --repair` "keeps a copy of
    the damaged file", and the repair said it "moved the damaged file aside to
    …library.db.damaged-<time>": there was no file, and none was there after."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 4)
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    assert main(["status", "--db", str(db)]) == 4
    err = capsys.readouterr()[1]
    assert "is missing, but its backup holds 4 photos" in err and "copy" not in err, err
    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    out = capsys.readouterr()[0]
    assert f"repaired: {db} was missing: rebuilt it from its backup: 1 folder, 4 photos" in out, out
    assert "aside" not in out and not list(tmp_path.glob("library.db.damaged-*"))


def test_doctor_says_sqlite_s_first_findings_and_counts_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit 89's notes: on a damaged library, `doctor` printed SQLite's whole integrity list, about
    100 lines of "Page N is never used", which comes as one row of many lines."""
    from photoscope.library import doctor

    db = tmp_path / "library.db"
    Library(db).close()
    listing = "*** in database main ***\n" + "\n".join(f"Page {n} is never used" for n in range(5, 105))
    monkeypatch.setattr(doctor, "_integrity", lambda library: [listing])
    (problem,) = doctor.examine(db).problems
    assert problem == (
        "SQLite finds the file damaged: Page 5 is never used; Page 6 is never used; Page 7 is never used"
        " (and 97 more)"
    )


def test_a_repair_keeps_the_stash_of_photos_that_left_the_index(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_model_dir: Path, fast_models: None
) -> None:
    """Audit 95 (repro_3): `doctor --repair` wrote back every table it could read but the stash, so
    photos a rule had taken out came back to be encoded again after a repair."""
    db = tmp_path / "library.db"
    write_library(tmp_path / "P", 12, size=(160, 120))
    assert _index(capsys, db, tiny_model_dir, tmp_path / "P")[0] == 0
    assert main(["folders", "exclude", "--pattern", "photo_000*", "--yes", "--db", str(db)]) == 0
    with sqlite3.connect(db) as conn:
        stashed = conn.execute("SELECT count(*) FROM stash").fetchone()[0]
    assert stashed > 0
    _damage_pages(db, "vectors")
    assert main(["doctor", "--repair", "--db", str(db), "--model", str(tiny_model_dir)]) == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM stash").fetchone()[0] == stashed
