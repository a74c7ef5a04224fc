"""The library database: schema and migrations, folders, batched writes, reads for search and status."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from photoscope.api import PhotoCounts
from photoscope.library import connection as dbmod  # the file's opening migrates it
from photoscope.library.db import Library
from photoscope.library.errors import LibraryError
from photoscope.library.records import FailedPhoto, IndexedPhoto, Move, NewFile


def _indexed(photo_id: int, caption: str, size: int = 10, mtime: float = 1.5, **extra: Any) -> IndexedPhoto:
    rng = np.random.default_rng(photo_id)
    fields: dict[str, object] = {
        "id": photo_id,
        "size": size,
        "mtime": mtime,
        "width": 640,
        "height": 480,
        "taken_at": None,
        "camera": None,
        "caption": caption,
        "caption_score": -0.5,
        "tags": [("seashore", 0.6), ("sandbar", 0.3)],
        "latent": rng.standard_normal(8).astype(np.float32),
        "feature": rng.standard_normal(1280).astype(np.float16),
        "model_version": "tiny@abc",
    }
    fields.update(extra)
    return IndexedPhoto(**fields)  # type: ignore[arg-type]


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "deep" / "er" / "library.db") as lib:
        yield lib


def _add(library: Library, root: Path, names: list[str]) -> list[int]:
    """Photos in a new folder, written as any schema version since the first takes them (the tests
    of older versions' libraries use it before their upgrade)."""
    found = library.db.execute("SELECT id FROM folders WHERE path = ?", (str(root),)).fetchone()
    if found is None:
        sql = "INSERT INTO folders (path, added_at) VALUES (?, '2024-01-01')"
        found = (library.db.execute(sql, (str(root),)).lastrowid,)
    folder_id = int(found[0])
    columns = {str(r[1]) for r in library.db.execute("PRAGMA table_info(photos)")}
    if "ctime" in columns:  # today's schema: as the scanner writes them
        return library.add_photos([NewFile(folder_id, str(root / n), 10, 1.5, f"h-{n}") for n in names])
    sql = "INSERT INTO photos (folder_id, path, size, mtime, hash) VALUES (?, ?, 10, 1.5, ?)"
    return [int(library.db.execute(sql, (folder_id, str(root / n), f"h-{n}")).lastrowid) for n in names]


def test_new_library_is_created_migrated_and_in_wal_mode(library: Library, tmp_path: Path) -> None:
    assert library.path.is_file()
    assert library.schema_version == len(dbmod.MIGRATIONS)
    assert library.db.journal_mode == "wal"
    assert {"folders", "photos", "captions", "tags", "vectors", "features", "search"} <= set(
        library.db.table_names()
    )
    assert library.integrity_check() == "ok"


def test_migrations_run_step_by_step_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Library(tmp_path / "l.db").close()
    calls: list[int] = []

    def v2(db: sqlite3.Connection) -> None:
        calls.append(1)
        db.execute("ALTER TABLE photos ADD COLUMN rating INTEGER")

    monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, v2])
    latest = len(dbmod.MIGRATIONS)
    with Library(tmp_path / "l.db") as lib:
        assert lib.schema_version == latest
        assert "rating" in lib.db["photos"].columns_dict
    with Library(tmp_path / "l.db") as lib:
        assert lib.schema_version == latest
    assert calls == [1]


def test_version_1_vectors_move_to_their_own_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:1])
        with Library(tmp_path / "l.db") as old:  # rows as version 1 wrote them (its own columns)
            folder = str(tmp_path / "p")
            old.db.execute("INSERT INTO folders (path, added_at) VALUES (?, '2024-01-01')", (folder,))
            photo_id = old.db.execute(
                "INSERT INTO photos (folder_id, path, size, mtime, hash) VALUES (1, ?, 10, 1.5, 'h')",
                (str(tmp_path / "p" / "a.jpg"),),
            ).lastrowid
            latent, feature = np.arange(4, dtype=np.float32), np.arange(6, dtype=np.float16)
            old.db.execute(
                "INSERT INTO vectors VALUES (?, ?, ?)", (photo_id, latent.tobytes(), feature.tobytes())
            )
    with Library(tmp_path / "l.db") as lib:
        assert lib.schema_version == len(dbmod.MIGRATIONS)
        assert "feature" not in lib.db["vectors"].columns_dict
        ids, latents = lib.load_vectors("latent")
        feature_ids, features = lib.load_vectors("feature")
        assert ids.tolist() == feature_ids.tolist() == [photo_id]
        assert latents[0].tolist() == latent.tolist() and features[0].tolist() == feature.tolist()
        assert lib.integrity_check() == "ok"


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Library(tmp_path / "l.db").close()
    conn = sqlite3.connect(tmp_path / "l.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(LibraryError, match="newer Photoscope"):
        Library(tmp_path / "l.db")


def test_folders_add_list_nest_and_remove(library: Library, tmp_path: Path) -> None:
    pictures = tmp_path / "Pictures"
    trips = library.add_folder(pictures / "trips")
    assert library.add_folder(pictures / "trips" / ".." / "trips").id == trips.id  # one spelling per folder
    (photo_id,) = _add(library, pictures / "trips", ["a.jpg"])
    with pytest.raises(LibraryError, match="already watched"):
        library.add_folder(pictures / "trips" / "2019")
    parent = library.add_folder(pictures)  # absorbs the child folder; its photo keeps its id
    assert [f.path for f in library.folders()] == [str(pictures)]
    assert library.photos_by_ids([photo_id])[0].folder_id == parent.id
    library.set_folder_online(parent.id, False)
    assert not library.folders()[0].online
    assert library.remove_folder(pictures) == [photo_id]
    assert library.folders() == [] and library.counts().pending == 0


def test_remove_folder_takes_captions_vectors_and_search_rows_along(library: Library, tmp_path: Path) -> None:
    ids = _add(library, tmp_path / "p", ["beach.jpg", "dog.jpg"])
    library.write_results([_indexed(ids[0], "a sunny beach"), _indexed(ids[1], "a dog")])
    library.remove_folder(tmp_path / "p")
    for table in ("photos", "captions", "tags", "vectors", "search"):
        assert library.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_write_results_stores_a_batch_and_reads_it_back(library: Library, tmp_path: Path) -> None:
    ids = _add(library, tmp_path / "p", ["beach.jpg", "broken.jpg", "dog.jpg"])
    batch: list[IndexedPhoto | FailedPhoto] = [
        _indexed(ids[0], "a sunny beach", taken_at="2021-07-04T12:30:00", camera="Canon EOS R5"),
        FailedPhoto(ids[1], 10, 1.5, "truncated or corrupt image"),
        _indexed(ids[2], "a dog runs on the grass"),
    ]
    assert library.write_results(batch) == [ids[0], ids[2]]
    records = library.photos_by_ids([ids[2], ids[0], 999, ids[1]])
    assert [r.id for r in records] == [ids[2], ids[0], ids[1]]
    dog, beach, broken = records
    assert (beach.caption, beach.taken_at, beach.camera, beach.status) == (
        "a sunny beach",
        "2021-07-04T12:30:00",
        "Canon EOS R5",
        "indexed",
    )
    assert beach.tags == [("seashore", 0.6), ("sandbar", 0.3)]
    assert (broken.status, broken.error, broken.caption) == ("error", "truncated or corrupt image", None)
    assert library.counts() == PhotoCounts(indexed=2, pending=0, error=1)
    assert library.errors() == [(str(tmp_path / "p" / "broken.jpg"), "truncated or corrupt image")]
    assert library.model_versions() == {"tiny@abc": 2}
    library.write_results([FailedPhoto(ids[0], 10, 1.5, "truncated")])  # the audit of stop 39:
    assert library.model_versions(described_only=True) == {"tiny@abc": 1}  # "(105 photos)", 104 indexed
    assert dog.width == 640


def test_load_vectors_returns_compact_matrices_by_id(library: Library, tmp_path: Path) -> None:
    ids = _add(library, tmp_path / "p", [f"{i}.jpg" for i in range(5)])
    results = [_indexed(i, f"photo {i}") for i in ids]
    library.write_results(results)
    got_ids, latents = library.load_vectors("latent")
    assert got_ids.dtype == np.int64 and latents.dtype == np.float32 and latents.shape == (5, 8)
    assert got_ids.tolist() == ids
    np.testing.assert_array_equal(latents[2], results[2].latent)
    sub_ids, features = library.load_vectors("feature", ids=[ids[3], ids[1]])
    assert sub_ids.tolist() == [ids[1], ids[3]]
    assert features.shape == (2, 1280) and features.dtype == np.float16  # as stored: half the memory
    np.testing.assert_array_equal(features[0], results[1].feature)  # type: ignore[union-attr]
    assert library.load_vectors("latent", model_version="other")[1].shape[0] == 0


def test_a_failing_batch_writes_nothing(library: Library, tmp_path: Path) -> None:
    ids = _add(library, tmp_path / "p", ["a.jpg", "b.jpg"])
    bad = _indexed(ids[1], "b", latent=np.array(["not a number"]))
    with pytest.raises(ValueError):
        library.write_results([_indexed(ids[0], "a"), bad])
    assert library.counts().indexed == 0
    assert library.load_vectors("latent")[0].size == 0


def test_results_for_a_photo_that_changed_meanwhile_are_not_written(library: Library, tmp_path: Path) -> None:
    (photo_id,) = _add(library, tmp_path / "p", ["a.jpg"])
    library.apply_scan(changed=[NewFile(1, str(tmp_path / "p" / "a.jpg"), 20, 2.5, "h2")])
    assert library.write_results([_indexed(photo_id, "old version", size=10, mtime=1.5)]) == []
    assert library.photos_by_ids([photo_id])[0].status == "pending"
    assert library.pending(0)[0].size == 20


def test_moves_keep_the_row_and_update_search(library: Library, tmp_path: Path) -> None:
    (photo_id,) = _add(library, tmp_path / "p", ["IMG_0001.jpg"])
    library.write_results([_indexed(photo_id, "a red kite")])
    folder_id = library.folders()[0].id
    library.move_photos([Move(photo_id, folder_id, str(tmp_path / "p" / "Holiday" / "kite.jpg"), 10, 1.5)])
    record = library.photos_by_ids([photo_id])[0]
    assert record.path.endswith("Holiday/kite.jpg") and record.caption == "a red kite"
    assert [i for i, _ in library.text_search("holiday")] == [photo_id]
    assert library.text_search("IMG_0001") == []


def test_text_search_ranks_captions_tags_and_paths(library: Library, tmp_path: Path) -> None:
    ids = _add(library, tmp_path / "p", ["one.jpg", "two.jpg", "beach house.jpg", "four.jpg"])
    library.write_results(
        [
            _indexed(ids[0], "a dog runs on the beach"),
            _indexed(ids[1], "a cat sleeps", tags=[("tabby", 0.9)]),
            _indexed(ids[2], "a house", tags=[("boathouse", 0.5)]),
            _indexed(ids[3], "two dogs play in the snow", tags=[("eskimo dog", 0.7)]),
        ]
    )
    assert {i for i, _ in library.text_search("beach")} == {ids[0], ids[2]}
    assert library.text_search("beach")[0][0] == ids[0]  # the caption weighs more than the path
    assert [i for i, _ in library.text_search("tabby")] == [ids[1]]
    assert [i for i, _ in library.text_search("dog snow")] == [ids[3]]
    assert {i for i, _ in library.text_search("dog")} == {ids[0], ids[3]}  # last word is a prefix: dogs
    assert library.text_search('"; DROP TABLE photos; --') == []
    assert library.text_search("   ") == []
    scores = [s for _, s in library.text_search("a")]
    assert scores == sorted(scores, reverse=True)


def test_photo_ids_filter_by_folder_and_date(library: Library, tmp_path: Path) -> None:
    ids = _add(library, tmp_path / "p", ["2019/a.jpg", "2019/b.jpg", "2021/c.jpg", "d.jpg"])
    library.write_results(
        [
            _indexed(ids[0], "a", taken_at="2019-05-01T10:00:00"),
            _indexed(ids[1], "b", taken_at="2019-12-31T23:59:00"),
            _indexed(ids[2], "c", taken_at="2021-01-01T00:00:00"),
            _indexed(ids[3], "d"),
        ]
    )
    assert library.photo_ids() == ids
    assert library.photo_ids(folder=tmp_path / "p" / "2019") == ids[:2]
    assert library.photo_ids(folder=library.folders()[0].id) == ids
    assert library.photo_ids(taken_from=date(2019, 6, 1), taken_to=date(2019, 12, 31)) == [ids[1]]
    assert library.photo_ids(taken_from="2020-01-01") == [ids[2]]
    # no date taken: placed by the file's date, as the timeline files it (mtime 1.5: 1 January 1970)
    assert library.photo_ids(taken_to=date(1970, 1, 2)) == [ids[3]]
    assert library.photo_ids(taken_from=date(2021, 1, 1), taken_to=date.max) == [ids[2]]


def test_requeue_other_versions(library: Library, tmp_path: Path) -> None:
    ids = _add(library, tmp_path / "p", ["a.jpg", "b.jpg"])
    library.write_results([_indexed(i, "x") for i in ids])
    assert library.requeue_other_versions("tiny@abc") == 0
    assert library.requeue_other_versions("new@def") == 2
    assert library.pending_count() == 2
    assert library.load_vectors("latent")[0].tolist() == ids  # still searchable until re-indexed


def test_camel_case_names_are_found_by_each_of_their_words(library: Library, tmp_path: Path) -> None:
    """Stop 38's Left: "tower" did not find explore_eiffelTower.jpg (FTS5 reads "eiffeltower" as one
    word); the index holds a camelCase name's words apart, through moves and folder renames too."""
    ids = _add(library, tmp_path / "p", ["explore_eiffelTower.jpg", "SummerHoliday/a.jpg", "tower.jpg"])
    library.write_results([_indexed(i, "a photo") for i in ids])
    assert sorted(p for _, p in library.paths_with_word("tower")) == [
        str(tmp_path / "p" / "explore_eiffelTower.jpg"),
        str(tmp_path / "p" / "tower.jpg"),
    ]
    assert [i for i, _ in library.paths_with_word("holiday")] == [ids[1]]
    assert [i for i, _ in library.text_search("eiffel")] == [ids[0]]
    folder_id = library.folders()[0].id
    library.move_photos([Move(ids[1], folder_id, str(tmp_path / "p" / "WinterBreak" / "a.jpg"), 10, 1.5)])
    assert library.paths_with_word("holiday") == []
    assert [i for i, _ in library.paths_with_word("break")] == [ids[1]]
    library.relocate_folder(folder_id, tmp_path / "OldTrips")
    assert {i for i, _ in library.paths_with_word("trips")} == set(ids)
    assert [i for i, _ in library.paths_with_word("winter")] == [ids[1]]
    assert library.integrity_check() == "ok"


def test_version_8_search_rows_gain_their_camel_case_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:8])
        with Library(tmp_path / "l.db") as old:  # the search index as version 8 wrote it
            (photo_id,) = _add(old, tmp_path / "p", ["explore_eiffelTower.jpg"])
            old.db.execute("INSERT INTO captions VALUES (?, 'a tall tower', -0.5)", (photo_id,))
            old.db.execute("INSERT INTO tags VALUES (?, 'seashore', 0.6)", (photo_id,))
            # no row in the full-text index (a damaged one): the migration builds it again from the
            # captions and tags, never reading the old one (the review of stop 39)
    with Library(tmp_path / "l.db") as lib:
        assert lib.schema_version == len(dbmod.MIGRATIONS)
        assert [i for i, _ in lib.paths_with_word("eiffel")] == [photo_id]
        assert [i for i, _ in lib.text_search("tall tower")] == [photo_id]  # the caption came along
        assert [i for i, _ in lib.text_search("seashore")] == [photo_id]  # and the tags
        assert lib.integrity_check() == "ok"


def test_version_15_search_rows_gain_the_words_of_numbered_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh-seat audit of stop 59: "solar" found neither solar6.jpg nor solar7.jpg. The names'
    words of a library written before are read again from the paths, its rows otherwise kept."""
    from photoscope.library import name_words

    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:15])
        patch.setattr(name_words, "_cut_between", lambda a, b: a.islower() and b.isupper())  # before
        with Library(tmp_path / "l.db") as old:
            ids = _add(old, tmp_path / "p", ["solar6.jpg", "eiffelTower.jpg", "beach.jpg"])
            for photo_id, name in zip(ids, ["solar6.jpg", "eiffelTower.jpg", "beach.jpg"], strict=True):
                old.db.execute("INSERT INTO captions VALUES (?, 'a tall tower', -0.5)", (photo_id,))
                old.db.execute(  # as the indexer writes it (``index_rows``)
                    "INSERT INTO search (rowid, path, caption, tags, names)"
                    " VALUES (?, ?, 'a tall tower', '', camel_words(?))",
                    (photo_id, str(tmp_path / "p" / name), str(tmp_path / "p" / name)),
                )
            assert old.paths_with_word("solar") == [] and len(old.paths_with_word("eiffel")) == 1
    with Library(tmp_path / "l.db") as lib:
        assert lib.schema_version == len(dbmod.MIGRATIONS)
        assert [i for i, _ in lib.paths_with_word("solar")] == [ids[0]]
        assert [i for i, _ in lib.paths_with_word("eiffel")] == [ids[1]]
        assert sorted(i for i, _ in lib.text_search("tall tower")) == sorted(ids)  # captions kept
        assert lib.integrity_check() == "ok"


def test_a_backup_on_a_full_disk_is_said_in_words(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The audit of stop 39: "cannot write the backup of …: [Errno 28] No space left on device"."""
    import errno as errno_module

    from photoscope.library import backup

    def full(*_: object) -> None:
        raise OSError(errno_module.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "write_backup", full)
    _add(library, tmp_path / "p", ["a.jpg"])
    assert library.backup(max_age_s=0) is False
    assert "the disk is full (the library itself is kept as it was)" in caplog.text
    assert "Errno" not in caplog.text


def test_a_removed_photos_id_is_never_given_to_another(library: Library, tmp_path: Path) -> None:
    # The map's layouts, a running window's results and scripts reading `search --json` name
    # photos by id: a new photo taking a removed one's id would be drawn and listed as it.
    first, last = _add(library, tmp_path / "p", ["a.jpg", "b.jpg"])
    library.delete_photos([last])
    (new,) = library.add_photos(
        [NewFile(library.folders()[0].id, str(tmp_path / "p" / "c.jpg"), 10, 1.5, "c")]
    )
    assert new > last
    library.remove_folder(tmp_path / "p")  # a whole folder's photos, through the foreign keys
    (again,) = _add(library, tmp_path / "q", ["d.jpg"])
    assert again > new > first


def test_version_9_ids_removed_before_the_upgrade_stay_retired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:9])
        with Library(tmp_path / "l.db") as old:
            ids = _add(old, tmp_path / "p", ["a.jpg", "b.jpg"])
            old.write_results([_indexed(ids[1], "a dog")])
            old.delete_photos([ids[1]])  # its vectors' deletion is in the vector log
    with Library(tmp_path / "l.db") as lib:
        (new,) = lib.add_photos([NewFile(lib.folders()[0].id, str(tmp_path / "p" / "c.jpg"), 10, 1.5, "c")])
        assert new > ids[1]


def test_version_10_errors_are_tried_again_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:10])
        with Library(tmp_path / "l.db") as old:  # an error as version 10 kept it: of no known kind
            (photo_id,) = _add(old, tmp_path / "p", ["a.jpg"])
            old.db.execute(
                "UPDATE photos SET status = 'error', error = 'permission denied' WHERE id = ?", (photo_id,)
            )
    with Library(tmp_path / "l.db") as lib:
        assert lib.try_errors_again([lib.folders()[0].id]) == 1 and lib.counts().pending == 1
        lib.write_results([FailedPhoto(photo_id, 10, 1.5, "not an image", not_a_photo=True)])
        assert lib.try_errors_again([lib.folders()[0].id]) == 0  # no photo: not again


def test_a_library_this_user_cannot_write_reads_what_its_writer_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review of stop 42: a library this user may not write was always read as immutable, so a
    writer beside it (its owner's app) went unseen, and its rewrites could read as damage. While the
    writer has it open, it is read through the writer's shared memory: its changes are seen."""
    from photoscope.library.errors import LibraryUnwritable

    db = tmp_path / "library.db"
    writer = Library(db)
    writer.add_folder(tmp_path)
    writer.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # its log folded in: empty, as when idle

    def refused(self: Library, path: Path) -> Any:  # as SQLite refuses it without write permission
        raise LibraryUnwritable(f"{path} is read-only")

    monkeypatch.setattr(Library, "_connect", refused)
    monkeypatch.setattr(dbmod, "cannot_write", lambda path: True)
    reader = Library(db)
    assert reader.read_only and [f.path for f in reader.folders()] == [str(tmp_path)]
    (tmp_path / "more").mkdir()
    writer.remove_folder(tmp_path)
    writer.add_folder(tmp_path / "more")
    assert [f.path for f in reader.folders()] == [str(tmp_path / "more")]
    reader.close()
    writer.close()


def test_log_files_a_read_only_session_left_read_only_are_writable_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit of stop 47: `chmod 444 lib.db`, a search (SQLite makes lib.db-shm with the
    library's permissions: 0444), `chmod 600 lib.db`, and every write after said "lib.db is
    read-only", for good, never naming the -shm file. Ours, and the library writable again, they
    take its permissions again. (Root writes a 0444 file: SQLite's refusal is played here.)"""
    import stat

    from photoscope.library.errors import LibraryUnwritable

    db = tmp_path / "library.db"
    Library(db).close()
    db.chmod(0o600)
    shm, wal = Path(f"{db}-shm"), Path(f"{db}-wal")
    for log in (shm, wal):
        log.write_bytes(b"")
        log.chmod(0o444)
    connect = Library._connect

    def as_sqlite(self: Library, path: Path) -> Any:  # a user's SQLite cannot write through those logs
        if any(not log.stat().st_mode & stat.S_IWUSR for log in (shm, wal) if log.exists()):
            raise LibraryUnwritable(f"{path} is read-only")
        return connect(self, path)  # (root's resets their permissions)

    monkeypatch.setattr(Library, "_connect", as_sqlite)
    with Library(db) as library:
        assert not library.read_only
        library.add_folder(tmp_path)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    # A library still read-only leaves its logs as they are (and is opened read-only).
    db.chmod(0o444)
    for log in (shm, wal):
        log.write_bytes(b"")
        log.chmod(0o444)
    monkeypatch.setattr(dbmod, "cannot_write", lambda path: True)
    with Library(db) as library:
        assert library.read_only
    assert all(stat.S_IMODE(log.stat().st_mode) == 0o444 for log in (shm, wal) if log.exists())


def test_version_12_rules_are_kept_and_a_photo_rule_can_be_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema v13: a photo's own rule is a kind of its own; the rules of a v12 file stay as they were."""
    from photoscope.library.exclusions import ExclusionRule

    folder = str(tmp_path / "p")
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:12])
        with Library(tmp_path / "l.db") as old:
            _add(old, Path(folder), [])  # the folder's row as version 12 takes it
            # as version 12 wrote them (today's code writes columns it did not have)
            old.db.execute("INSERT INTO exclusions VALUES (1, 'pattern', 'sub/a[[]1].jpg')")
            old.db.execute("INSERT INTO exclusions VALUES (1, 'folder', 'Work')")
            with pytest.raises(sqlite3.IntegrityError):  # the kind did not exist
                old.db.execute("INSERT INTO exclusions VALUES (1, 'photo', 'x.jpg')")
    with Library(tmp_path / "l.db") as lib:
        assert lib.schema_version == len(dbmod.MIGRATIONS)
        photo = ExclusionRule(folder, "photo", "sub/Beach.jpg")
        assert lib.set_exclusion_rule(photo, True)
        assert sorted(lib.exclusion_rules(), key=lambda r: r.kind) == [
            ExclusionRule(folder, "folder", "Work"),
            ExclusionRule(folder, "pattern", "sub/a[[]1].jpg"),
            photo,
        ]
        assert lib.integrity_check() == "ok"


def test_version_13_folders_learn_their_root_at_the_next_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema v14: which directory each folder's root is, and the photos kept as moved away."""
    from photoscope.library.scanner import Scanner

    root = tmp_path / "p"
    root.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:13])
        with Library(tmp_path / "l.db") as old:
            ids = _add(old, root, ["a.jpg", "b.jpg"])
    with Library(tmp_path / "l.db") as lib:
        assert lib.schema_version == len(dbmod.MIGRATIONS)
        [folder] = lib.folders()
        assert (folder.root_id, folder.away, folder.photos) == (None, 0, 2)  # not known yet
        (root / "x.jpg").write_bytes(b"")  # (the folder holds something: not a drive's bare mount point)
        Scanner(lib).check_folders()
        assert lib.folders()[0].root_id == str(root.stat().st_ino)
        lib.mark_moved_away(ids[:1])
        assert lib.folders()[0].away == 1 and lib.moved_away_paths() == {str(root / "a.jpg")}
        lib.remove_folder(root)  # the marks go with their photos
        assert lib.db.execute("SELECT count(*) FROM moved_away").fetchone()[0] == 0
        assert lib.integrity_check() == "ok"


# Every step of the schema, from a file of each older version (the code audit of stop 46: seven of
# the twelve steps were never run on a file of their own version). The old file is written with raw
# SQL: the steps up to its version applied to an empty database, and one row put in each table with
# a value in every column, so a step that drops or alters a row, a column's value or a table that
# another version wrote fails here, whatever today's Library does (the review of stop 46 found a
# first version blind to dropped tables and columns, and to every value a row did not need).
ROW_VALUES = {
    "id": 1,
    "folder_id": 1,
    "photo_id": 1,
    "status": "indexed",
    "kind": "folder",
    "key": "a setting",
    "latent": np.ones(4, np.float32).tobytes(),
    "feature": np.ones(8, np.float16).tobytes(),
}
# Columns a step moves to another table: (table, column) -> (table, column) where the value is then.
MOVED = {("vectors", "feature"): ("features", "feature")}


def _row_for(conn: sqlite3.Connection, table: str) -> dict[str, Any]:
    """A row for ``table`` with a value in every column, each column's its own."""
    row: dict[str, Any] = {}
    for n, name, kind, *_ in conn.execute(f"PRAGMA table_info({table})"):
        if name in ROW_VALUES:
            row[name] = ROW_VALUES[name]
        else:
            row[name] = {"INTEGER": 10 + n, "REAL": 1.5 + n}.get(kind, f"/p/{table}-{name}")
    return row


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'search%' AND name != 'vector_log' ORDER BY rowid"
        )
    ]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]


def _old_library(path: Path, version: int) -> dict[str, dict[str, Any]]:
    """A library file of schema ``version``, a row in each table (and the text index); the rows."""
    conn = sqlite3.connect(path)
    for step in dbmod.MIGRATIONS[:version]:
        step(conn)
    rows = {table: _row_for(conn, table) for table in _tables(conn)}
    for table, row in rows.items():
        conn.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )
    search = _columns(conn, "search")
    conn.execute(
        f"INSERT INTO search (rowid, {', '.join(search)}) VALUES (1, {', '.join('?' * len(search))})",
        [f"a {c}" for c in search],
    )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return rows


@pytest.mark.parametrize("version", range(1, len(dbmod.MIGRATIONS)))
def test_each_step_keeps_every_row_an_older_version_wrote(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    before = _old_library(path, version)
    with Library(path) as library:
        assert library.schema_version == len(dbmod.MIGRATIONS)
        assert library.integrity_check() == "ok"
        conn = library.conn
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT count(*) FROM search WHERE rowid = 1").fetchone()[0] == 1  # findable
        for table, row in before.items():
            now = _columns(conn, table)
            assert now, f"{table} is gone"
            for column, value in row.items():
                where = MOVED.get((table, column), (table, column)) if column not in now else (table, column)
                assert where[1] in _columns(conn, where[0]), f"{table}.{column} is gone"
                found = conn.execute(f"SELECT {where[1]} FROM {where[0]} WHERE rowid = 1").fetchone()
                assert found is not None and found[0] == value, (table, column, found, value)


def test_palette_photos_refused_before_version_15_are_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh-seat audit of stop 53: large GIFs and palette PNGs were refused as "truncated or
    corrupt — image has wrong mode" and kept as no photo, never tried again. Such errors an older
    version stored are tried again once; other photos that were no photo stay so."""
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:14])
        with Library(tmp_path / "l.db") as old:
            gif, broken = _add(old, tmp_path / "p", ["a.gif", "b.jpg"])
            old.write_results(
                [
                    FailedPhoto(
                        gif, 10, 1.5, "truncated or corrupt image — image has wrong mode: copy it again", True
                    ),
                    FailedPhoto(broken, 10, 1.5, "not an image", not_a_photo=True),
                ]
            )
            assert old.try_errors_again([old.folders()[0].id]) == 0
    with Library(tmp_path / "l.db") as lib:
        assert lib.try_errors_again([lib.folders()[0].id]) == 1 and lib.counts().pending == 1
        assert lib.try_errors_again([lib.folders()[0].id]) == 0


def test_an_older_library_on_a_full_disk_is_told_the_disk_is_full_real_tmpfs(tmp_path: Path) -> None:
    """Audit 76, repro_5: an older library on a full disk was told "it is read-only: open it once
    where it can be written, or fix the permissions": there were no permissions to fix."""
    from contextlib import suppress

    from mounts import small_tmpfs

    from photoscope.library.errors import LibraryUnwritable

    with small_tmpfs(tmp_path / "disk", "1m") as disk:
        path = disk / "library.db"
        _old_library(path, 7)
        with suppress(OSError), open(disk / "filler", "wb") as filler:  # the disk fills up
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        with pytest.raises(LibraryUnwritable) as refused:
            Library(path)
    said = str(refused.value)
    assert "disk is full" in said and "free space" in said and "permissions" not in said, said


def test_an_older_library_is_upgraded_with_a_word_and_its_older_file_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The fresh-seat audit 76 of stop 61 (#4): a mere `status` upgraded a schema-7 library for good,
    without a word, and no older Photoscope (another machine, a rollback) could open it again."""
    path = tmp_path / "library.db"
    rows = _old_library(path, 7)
    with caplog.at_level("WARNING"), Library(path) as lib:
        assert lib.schema_version == len(dbmod.MIGRATIONS)
        assert lib.upgraded is not None and lib.upgraded.older == 7
        kept = lib.upgraded.kept
    assert kept is not None and kept.parent == tmp_path and kept.name == "library.db.schema-7"
    older = sqlite3.connect(kept)
    assert older.execute("PRAGMA user_version").fetchone()[0] == 7  # the file an older app opens
    assert older.execute("SELECT count(*) FROM photos").fetchone()[0] == 1 and rows["photos"]
    older.close()
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 1 and str(path) in said[0] and "upgraded" in said[0] and str(kept) in said[0], said
    with caplog.at_level("WARNING"), Library(path) as again:  # said once: the next open is quiet
        assert again.upgraded is None
    assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 1


def _kept_copy(tmp_path: Path) -> Path:
    """``library.db.schema-7``: the copy an upgrade keeps of a schema-7 library, for an older app."""
    _old_library(tmp_path / "library.db", 7)
    Library(tmp_path / "library.db").close()  # upgraded, the older file kept beside it
    return tmp_path / "library.db.schema-7"


def test_the_copy_an_upgrade_kept_for_an_older_photoscope_is_refused_left_as_it_is(tmp_path: Path) -> None:
    """Audit 78 (minor 7): `status --db library.db.schema-7` upgraded the kept copy itself (keeping
    library.db.schema-7.schema-7): the one file an older Photoscope could still open was gone."""
    from photoscope.library.errors import LibraryKeptCopy

    kept = _kept_copy(tmp_path)
    before = kept.read_bytes()
    with pytest.raises(LibraryKeptCopy) as refused:
        Library(kept)
    said = str(refused.value)
    assert said.startswith(f"{kept} is the copy of the library an upgrade kept for an older Photoscope"), said
    assert "open it with that Photoscope" in said and "copy it to another name" in said, said
    assert str(tmp_path / "library.db") in said  # this Photoscope's own, beside it
    assert kept.read_bytes() == before  # not even its journal mode written
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("library.db.schema-7")) == [
        "library.db.schema-7"
    ]
    kept.chmod(0o444)  # read-only: the same refusal, not "must be upgraded, but it is read-only"
    with pytest.raises(LibraryKeptCopy):
        Library(kept)


def test_a_library_of_today_s_schema_named_like_a_kept_copy_opens(tmp_path: Path) -> None:
    """The name alone does not refuse: a library of this app's schema so named opens as any does;
    and the kept copy under another name is upgraded, as the refusal says."""
    _kept_copy(tmp_path)
    today = (tmp_path / "library.db").rename(tmp_path / "renamed.schema-3")
    with Library(today) as lib:
        assert lib.schema_version == len(dbmod.MIGRATIONS) and lib.upgraded is None
    copied = (tmp_path / "library.db.schema-7").rename(tmp_path / "mine.db")
    with Library(copied) as lib:
        assert lib.upgraded is not None and lib.upgraded.older == 7


def test_a_new_library_is_no_upgrade(tmp_path: Path) -> None:
    with Library(tmp_path / "library.db") as lib:
        assert lib.upgraded is None
    assert sorted(p.name for p in tmp_path.iterdir() if "schema" in p.name) == []


def test_an_older_library_is_kept_where_the_disk_has_room_for_it_twice_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit 78 of stop 62 (#4): with 2.8 MB free for a 152 KiB library no copy was kept, "too
    little disk space": the check wanted 64 MiB beside twice the library. Twice over it is."""
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    path = tmp_path / "library.db"
    _old_library(path, 7)
    size = path.stat().st_size
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10**9, 0, 2 * size + (1 << 20)))
    with Library(path) as lib:
        assert lib.upgraded is not None and lib.upgraded.kept is not None
    other = tmp_path / "other" / "library.db"
    other.parent.mkdir()
    _old_library(other, 7)
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10**9, 0, 2 * size - 1))
    with Library(other) as lib:
        assert lib.upgraded is not None and lib.upgraded.kept is None  # too little: said, not kept


def test_a_copy_left_half_made_by_a_killed_upgrade_is_removed_by_the_next(tmp_path: Path) -> None:
    """A kill during the older file's copy leaves its hidden temporary (the size of the library)
    beside it; the next upgrade removes those of processes that are gone, not a live one's."""
    import os
    import subprocess

    path = tmp_path / "library.db"
    _old_library(path, 7)
    child = subprocess.Popen(["true"])  # a process that has exited: its pid is no one's now
    child.wait()
    gone = tmp_path / f".library.db.schema-7.{child.pid}.1.new"
    live = tmp_path / f".library.db.schema-7.{os.getpid()}.2.new"
    gone.write_bytes(b"x" * 10)
    live.write_bytes(b"x" * 10)
    with Library(path) as lib:
        assert lib.upgraded is not None and lib.upgraded.kept is not None
    assert not gone.exists() and live.exists()
