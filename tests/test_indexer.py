"""Scanning and indexing: new, changed, moved and deleted photos, bad input, offline folders, and a run
killed mid-way (a real subprocess) that resumes without losses or duplicates."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from photos import (
    CountingModel,
    write_bomb_png,
    write_garbage,
    write_library,
    write_photo,
    write_text,
    write_truncated,
    write_zero_byte,
)
from PIL import Image

from photoscope.api import PhotoCounts
from photoscope.library import indexer
from photoscope.library.db import Library
from photoscope.library.indexer import IndexOptions, IndexWorker, Progress, default_threads
from photoscope.library.scanner import Scanner
from photoscope.library.thumbnails import thumbnail_path
from photoscope.network import PhotoDescription
from photoscope.network.model import PhotoscopeModel
from photoscope.threads import BACKGROUND_NICENESS, thread_priority

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def counting(tiny_model: PhotoscopeModel) -> CountingModel:
    return CountingModel(tiny_model)


@pytest.fixture
def pictures(tmp_path: Path, library: Library) -> Path:
    root = tmp_path / "Pictures"
    root.mkdir()
    library.add_folder(root)
    return root


def _worker(
    library: Library,
    model: object,
    tmp_path: Path,
    *,
    on_added: Any = None,
    on_progress: Any = None,
    **options: Any,
) -> IndexWorker:
    """A worker with small batches, its thumbnails under ``tmp_path``; ``options``: ``IndexOptions``'."""
    chosen = IndexOptions(thumbnail_root=tmp_path / "thumbs", batch_size=4, **options)
    return IndexWorker(library, model, chosen, on_added=on_added, on_progress=on_progress)  # type: ignore[arg-type]


def _scan_and_index(library: Library, model: object, tmp_path: Path) -> None:
    """What the app does with a folder's news: a whole scan, then an indexing run."""
    Scanner(library).scan()
    _worker(library, model, tmp_path).run()


def _by_path(library: Library) -> dict[str, int]:
    return {r[1]: r[0] for r in library.db.execute("SELECT id, path FROM photos").fetchall()}


def test_new_photos_are_indexed_with_metadata_captions_vectors_and_thumbnails(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    exif = {"orientation": 6, "taken": "2021:07:04 12:30:00", "make": "Canon", "model": "EOS R5"}
    write_photo(pictures / "beach.jpg", 1, (120, 80), **exif)  # type: ignore[arg-type]
    write_photo(pictures / "album" / "été.png", 2)
    write_photo(pictures / "album" / "b.webp", 3)
    report = Scanner(library).scan()
    assert (len(report.added), report.changed, report.moved, report.removed) == (3, 0, 0, [])
    assert library.counts().pending == 3
    added: list[int] = []
    progress: list[Progress] = []
    result = _worker(library, counting, tmp_path, on_added=added.extend, on_progress=progress.append).run()
    assert (result.done, result.total, result.indexed, result.errors) == (3, 3, 3, 0)
    assert sorted(added) == sorted(report.added) and counting.embedded == 3
    assert progress[-1].done == 3 and progress[-1].eta_s == 0
    beach = library.photos_by_ids([_by_path(library)[str(pictures / "beach.jpg")]])[0]
    assert (beach.width, beach.height) == (80, 120)  # upright: EXIF orientation 6 is a quarter turn
    assert (beach.taken_at, beach.camera, beach.status) == ("2021-07-04T12:30:00", "Canon EOS R5", "indexed")
    assert beach.caption and len(beach.tags) == 5
    ids, latents = library.load_vectors("latent")
    assert sorted(ids.tolist()) == sorted(report.added) and np.isfinite(latents).all()
    with Image.open(thumbnail_path(pictures / "beach.jpg", tmp_path / "thumbs")) as thumb:
        assert thumb.size == (80, 120)  # made from the same upright decode


def test_rescan_finds_changed_moved_and_deleted_photos(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    write_library(pictures, 5)
    removed: list[int] = []
    scanner = Scanner(library, on_removed=removed.extend, thumbnail_root=tmp_path / "thumbs")
    scanner.scan()
    _worker(library, counting, tmp_path).run()
    before = _by_path(library)
    ids_before, latents_before = library.load_vectors("latent")

    assert Scanner(library).scan().unchanged == 5
    write_photo(pictures / "photo_0000.jpg", seed=100, size=(100, 70))  # edited
    os.rename(pictures / "photo_0001.jpg", pictures / "renamed.jpg")
    (pictures / "2024" / "trip").mkdir(parents=True)
    os.rename(pictures / "photo_0002.jpg", pictures / "2024" / "trip" / "moved.jpg")
    os.remove(pictures / "photo_0003.jpg")
    report = scanner.scan()

    assert (len(report.added), report.changed, report.moved, report.unchanged) == (0, 1, 2, 1)
    assert removed == report.removed == [before[str(pictures / "photo_0003.jpg")]]
    after = _by_path(library)
    assert after[str(pictures / "renamed.jpg")] == before[str(pictures / "photo_0001.jpg")]
    assert after[str(pictures / "2024" / "trip" / "moved.jpg")] == before[str(pictures / "photo_0002.jpg")]
    thumbs = tmp_path / "thumbs"
    assert not thumbnail_path(pictures / "photo_0003.jpg", thumbs).exists()  # deleted with its photo
    assert not thumbnail_path(pictures / "photo_0001.jpg", thumbs).exists()
    with Image.open(thumbnail_path(pictures / "renamed.jpg", thumbs)) as thumb:  # followed its photo
        assert thumb.info["Thumb::URI"] == (pictures / "renamed.jpg").as_uri()
    counting.embedded = 0
    _worker(library, counting, tmp_path).run()
    assert counting.embedded == 1  # only the edited photo; moves are not re-encoded
    ids_after, latents_after = library.load_vectors("latent")
    for moved in ("renamed.jpg", "2024/trip/moved.jpg"):
        photo_id = after[str(pictures / moved)]
        now, then = ids_after.tolist().index(photo_id), ids_before.tolist().index(photo_id)
        np.testing.assert_array_equal(latents_after[now], latents_before[then])
    assert library.counts() == PhotoCounts(indexed=4, pending=0, error=0)


def test_hidden_and_non_photo_files_are_not_indexed(library: Library, pictures: Path) -> None:
    write_photo(pictures / "a.jpg")
    write_photo(pictures / ".trash" / "b.jpg")
    write_photo(pictures / ".c.jpg")
    (pictures / "notes.txt").write_text("hello")
    assert len(Scanner(library).scan().added) == 1


def test_bad_input_is_recorded_with_reasons_and_indexing_carries_on(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_photo(pictures / "good 😀.jpg", 1)
    write_zero_byte(pictures / "empty.jpg")
    write_truncated(pictures / "half.jpg")
    write_garbage(pictures / "garbage.jpg")
    write_text(pictures / "text.png")
    write_bomb_png(pictures / "bomb.png")
    write_photo(pictures / "secret.jpg", 2)
    write_photo(pictures / "Ωmega\u0301 東京.heic".replace(".heic", ".jpg"), 3)
    real_read = indexer.read_metadata

    def no_permission(path: str, max_pixels: int = indexer.DEFAULT_MAX_PIXELS) -> indexer.PhotoMeta:
        if path.endswith("secret.jpg"):  # tests run as root here, so chmod 000 would not stop a read
            raise PermissionError(13, "Permission denied", path)
        return real_read(path, max_pixels)

    monkeypatch.setattr(indexer, "read_metadata", no_permission)
    Scanner(library).scan()
    result = _worker(library, counting, tmp_path).run()
    assert (result.indexed, result.errors) == (2, 6)
    reasons = {Path(p).name: r for p, r in library.errors()}
    assert reasons["empty.jpg"] == "empty file (0 bytes): copy it again from where it came from"
    assert reasons["half.jpg"].startswith("truncated or corrupt image")
    assert reasons["garbage.jpg"].startswith("truncated or corrupt image")
    assert reasons["text.png"] == (
        "not an image, or an image format Photoscope cannot read: open it in an image viewer to see what"
        " it is"
    )
    assert reasons["bomb.png"].startswith("image too large")
    assert reasons["secret.jpg"].startswith("permission denied")
    assert library.counts() == PhotoCounts(indexed=2, pending=0, error=6)


def test_a_photo_overwritten_by_what_is_not_a_photo_is_no_match_but_keeps_its_entry(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit of stop 39: a photo overwritten by a text file was listed under "could not index",
    and still found as a match (its old vectors: `similar` called the text file a copy of the
    photo). A photo that cannot be read for now (permission) keeps its vectors: it may be the same."""
    write_photo(pictures / "meter.jpg", 1)
    write_photo(pictures / "locked.jpg", 2)
    Scanner(library).scan()
    _worker(library, counting, tmp_path).run()
    ids = _by_path(library)
    write_text(pictures / "meter.jpg")  # another size and time: pending again, then not a photo
    write_photo(pictures / "locked.jpg", 3)
    real_read = indexer.read_metadata

    def no_permission(path: str, max_pixels: int = indexer.DEFAULT_MAX_PIXELS) -> indexer.PhotoMeta:
        if path.endswith("locked.jpg"):
            raise PermissionError(13, "Permission denied", path)
        return real_read(path, max_pixels)

    monkeypatch.setattr(indexer, "read_metadata", no_permission)
    Scanner(library).scan()
    assert _worker(library, counting, tmp_path).run().errors == 2
    locked = ids[str(pictures / "locked.jpg")]
    for table in ("vectors", "captions"):  # not the text file's old ones (the review: nor its caption)
        assert {r[0] for r in library.db.execute(f"SELECT photo_id FROM {table}")} == {locked}
    assert {r[0] for r in library.db.execute("SELECT rowid FROM search")} == {locked}
    assert set(_by_path(library)) == {str(pictures / "meter.jpg"), str(pictures / "locked.jpg")}
    assert library.counts().error == 2


@pytest.mark.parametrize(
    ("name", "error", "gone"),
    [
        ("a.jpg", "unidentified", True),  # a JPEG PIL cannot identify is no JPEG
        ("a.heic", "unidentified", False),  # a HEIC it cannot identify may lack only the plugin
        ("a.jp2", "no decoder", False),
        ("a.jpg", "truncated", True),
        ("a.jpg", "permission", False),
    ],
)
def test_what_counts_as_no_photo(name: str, error: str, gone: bool) -> None:
    from PIL import UnidentifiedImageError

    from photoscope.library.photos import is_not_a_photo

    raised = {
        "unidentified": UnidentifiedImageError("cannot identify image file"),
        "no decoder": OSError("decoder jpeg2k not available"),
        "truncated": OSError("image file is truncated (80 bytes not processed)"),
        "permission": PermissionError(13, "Permission denied"),
    }[error]
    assert is_not_a_photo(raised, f"/p/{name}") is gone


def test_a_photo_that_breaks_the_model_fails_alone(
    library: Library, pictures: Path, tiny_model: PhotoscopeModel, tmp_path: Path
) -> None:
    write_library(pictures, 4)

    class Fragile(CountingModel):
        poison: object = None

        def describe(self, photos: Sequence[Image.Image]) -> list[PhotoDescription]:
            if len(photos) > 1 or photos[0].getpixel((0, 0)) == self.poison:
                raise RuntimeError("out of memory")
            return super().describe(photos)

    fragile = Fragile(tiny_model)
    Scanner(library).scan()
    fragile.poison = indexer.decode(library.pending()[2], None, False, 10**9, 224).image.getpixel((0, 0))  # type: ignore[union-attr]
    result = _worker(library, fragile, tmp_path).run()
    assert (result.indexed, result.errors) == (3, 1)
    assert library.errors()[0][1] == "the model failed: out of memory"


def test_a_new_model_version_reindexes_everything(
    library: Library, pictures: Path, tiny_model: PhotoscopeModel, tmp_path: Path
) -> None:
    write_library(pictures, 3)
    Scanner(library).scan()
    _worker(library, CountingModel(tiny_model), tmp_path).run()
    newer = CountingModel(tiny_model, version="tiny@newer")
    _worker(library, newer, tmp_path).run()
    assert newer.embedded == 3 and library.model_versions() == {"tiny@newer": 3}


def test_cancel_pause_and_resume(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    write_library(pictures, 12)
    Scanner(library).scan()
    worker = _worker(library, counting, tmp_path, decode_threads=1)
    worker.on_progress = lambda p: worker.cancel()
    result = worker.run()
    assert result.done == 4 and library.counts().pending == 8  # stopped after the batch in progress

    batches = threading.Semaphore(0)

    def progress(p: Progress) -> None:
        worker.pause()
        batches.release()

    worker.on_progress = progress
    worker.start()
    assert batches.acquire(timeout=30)
    assert worker.paused
    assert not batches.acquire(timeout=0.3)  # paused: no further batch
    assert library.counts().pending == 4
    worker.on_progress = None
    worker.resume()
    assert worker.wait_idle(timeout=30)
    worker.stop(timeout=10)
    assert library.counts() == PhotoCounts(indexed=12, pending=0, error=0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
def test_background_indexing_gives_way_to_the_foreground(
    library: Library,
    pictures: Path,
    tiny_model: PhotoscopeModel,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_library(pictures, 6)
    Scanner(library).scan()
    seen: dict[str, set[int]] = {"decode": set(), "infer": set()}
    real_decode = indexer.decode

    def decode(*args: object) -> object:
        seen["decode"].add(thread_priority())
        return real_decode(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "decode", decode)
    worker = _worker(library, tiny_model, tmp_path, decode_threads=2)
    worker.on_progress = lambda p: seen["infer"].add(thread_priority())
    worker.run()  # in the caller's thread: its priority is left alone
    assert seen == {"decode": {thread_priority()}, "infer": {thread_priority()}}
    seen["decode"].clear()
    seen["infer"].clear()
    library.requeue_other_versions("another model")  # make work for the background run
    worker.start()
    worker.wake()
    assert worker.wait_idle(timeout=60)
    worker.stop(timeout=10)
    lowered = min(19, thread_priority() + BACKGROUND_NICENESS)
    assert seen == {"decode": {lowered}, "infer": {lowered}}
    assert thread_priority() < lowered  # the test's own thread is untouched


def test_inference_takes_a_third_of_the_cores_and_decoding_the_rest() -> None:
    assert default_threads(2) == (1, 2)  # decoding a camera JPEG costs twice the encoder's CPU
    assert default_threads(12) == (4, 8)
    assert default_threads(1) == (1, 2)


def test_the_run_limits_pytorch_threads_in_its_own_thread_only(
    library: Library, pictures: Path, tiny_model: PhotoscopeModel, tmp_path: Path
) -> None:
    write_library(pictures, 4)
    Scanner(library).scan()
    before = torch.get_num_threads()
    inside: set[int] = set()
    worker = _worker(library, tiny_model, tmp_path, torch_threads=1)
    worker.on_progress = lambda p: inside.add(torch.get_num_threads())
    worker.run()
    assert inside == {1}
    assert torch.get_num_threads() == before  # restored for the caller (a CLI search, a benchmark)


def test_offline_folder_keeps_its_photos_and_comes_back(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    write_library(pictures / "sub", 3)
    Scanner(library).scan()
    _worker(library, counting, tmp_path).run()
    ids = sorted(_by_path(library).values())
    write_photo(pictures / "new.jpg", 50)
    Scanner(library).scan()  # queued while online ...

    os.rename(pictures, tmp_path / "unplugged")  # ... and then the drive goes away
    report = Scanner(library).scan()
    assert report.offline == [str(pictures)] and report.removed == []
    assert not library.folders()[0].online
    assert library.pending_count() == 0  # pending photos of an offline folder wait
    assert sorted(library.load_vectors("latent")[0].tolist()) == ids  # still searchable
    assert library.text_search("photo_0001")

    pictures.mkdir()  # an empty mount point is not taken for a folder whose photos were all deleted
    assert Scanner(library).scan().removed == []
    pictures.rmdir()

    os.rename(tmp_path / "unplugged", pictures)
    os.remove(pictures / "sub" / "photo_0000.jpg")  # changed while away
    report = Scanner(library).scan()
    assert report.back_online == [str(pictures)] and len(report.removed) == 1
    assert library.folders()[0].online
    assert _worker(library, counting, tmp_path).run().indexed == 1


def test_an_unreadable_subfolder_is_not_taken_as_deleted(
    library: Library, pictures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_library(pictures / "locked", 2)
    write_photo(pictures / "a.jpg")
    Scanner(library).scan()
    real_scandir = os.scandir

    def deny(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    report = Scanner(library).scan()
    assert report.removed == [] and list(report.unreadable) == [str(pictures / "locked")]


DRIVER = """
import sys, time
import torch
from photos import fast_model
torch.set_num_threads(1)
from photoscope.library.db import Library
from photoscope.library.indexer import IndexOptions, IndexWorker
library = Library(sys.argv[1])
options = IndexOptions(batch_size=4, decode_threads=1, thumbnails=False)
worker = IndexWorker(library, fast_model(sys.argv[2]), options,
                     on_progress=lambda p: time.sleep(0.05))  # slow enough to be killed mid-way
worker.run()
"""


def test_a_killed_run_resumes_without_losses_or_duplicates(
    tmp_path: Path, pictures: Path, library: Library, tiny_model_dir: Path, counting: CountingModel
) -> None:
    total = 48
    write_library(pictures, total, size=(64, 48))
    Scanner(library).scan()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(library.path), str(tiny_model_dir)], env=env)
    probe = sqlite3.connect(library.path, timeout=10)
    try:
        deadline = time.monotonic() + 120
        while (indexed := _count_indexed(probe)) < 8:
            assert proc.poll() is None, "the indexing process ended early"
            assert time.monotonic() < deadline, "no batch committed in time"
            time.sleep(0.01)  # polling interval, not a wait for a result
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        probe.close()
    assert indexed < total

    with Library(library.path) as reopened:
        assert reopened.integrity_check() == "ok"
        committed = reopened.counts().indexed
        assert committed >= indexed and committed % 4 == 0  # whole batches only
        _worker(reopened, counting, tmp_path).run()
        assert counting.embedded == total - committed  # nothing committed was redone
        assert reopened.counts() == PhotoCounts(indexed=total, pending=0, error=0)
        for table in ("photos", "captions", "vectors", "search"):
            assert reopened.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == total, table
        assert reopened.db.execute("SELECT count(DISTINCT path) FROM photos").fetchone()[0] == total
        assert reopened.db.execute("SELECT count(*) FROM tags").fetchone()[0] == 5 * total
        assert reopened.load_vectors("latent")[1].shape[0] == total


def _count_indexed(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM photos WHERE status = 'indexed'").fetchone()[0])


def test_real_encoder_end_to_end(
    library: Library, pictures: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    """One pass through the real EfficientNet (eager mode: no tracing cost) to check shapes and tags."""
    from photoscope.network.encoder import ImageEncoder, imagenet_classes

    write_library(pictures, 2, size=(300, 200))
    shutil.rmtree(tmp_path / "thumbs", ignore_errors=True)
    Scanner(library).scan()
    real = PhotoscopeModel(tiny_model_dir, encoder=ImageEncoder(optimize=False))
    assert _worker(library, real, tmp_path).run().indexed == 2
    _, features = library.load_vectors("feature")
    assert features.shape == (2, 1280)
    record = library.photos_by_ids(library.photo_ids())[0]
    assert record.tags[0][0] in imagenet_classes()


def test_a_copy_of_an_indexed_photo_takes_its_entry_without_being_encoded(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    # A folder copied in from a drive (or an export's duplicates) was decoded and encoded photo by
    # photo again, hours for a large copy, to the same vectors and caption.
    write_photo(pictures / "trip" / "beach.jpg", 1, (120, 80), taken="2021:07:04 12:30:00")
    write_photo(pictures / "trip" / "dog.jpg", 2)
    _scan_and_index(library, counting, tmp_path)
    shutil.copytree(pictures / "trip", pictures / "copy")
    write_photo(pictures / "copy" / "dog.jpg", 3)  # same name, other bytes: not a copy
    Scanner(library).scan()
    added: list[int] = []
    result = _worker(library, counting, tmp_path, on_added=added.extend).run()
    assert counting.embedded == 2 + 1 and (result.done, result.indexed) == (2, 2)
    ids = _by_path(library)
    original, copy = library.photos_by_ids([ids[str(pictures / n / "beach.jpg")] for n in ("trip", "copy")])
    assert sorted(added) == sorted(ids[str(pictures / "copy" / n)] for n in ("beach.jpg", "dog.jpg"))
    assert (copy.status, copy.caption, copy.tags, copy.taken_at) == (
        "indexed",
        original.caption,
        original.tags,
        original.taken_at,
    )
    assert (copy.width, copy.height) == (original.width, original.height)
    versions = "SELECT model_version, description_version FROM photos WHERE id = ?"
    assert (
        library.db.execute(versions, (copy.id,)).fetchone()
        == library.db.execute(versions, (original.id,)).fetchone()
    )
    found, latents = library.load_vectors("latent", ids=[original.id, copy.id])
    assert len(found) == 2 and (latents[0] == latents[1]).all()
    assert [i for i, _ in library.text_search(original.caption or "")].count(copy.id) == 1
    with Image.open(thumbnail_path(pictures / "copy" / "beach.jpg", tmp_path / "thumbs")) as thumb:
        assert thumb.size == (120, 80) and thumb.text["Thumb::URI"].endswith("/copy/beach.jpg")


def test_a_photo_to_be_read_again_takes_no_entry_from_a_copy_still_to_be_read_again(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    """Audit 88 (repro_1): after the upgrade to schema 19, a transparent photo read again in one
    folder took the stale entry of its copy in another folder (not scanned yet, its own reading
    still to be looked at), and kept it for good. A copy still to be looked at is no original."""
    from PIL import Image

    for folder in ("A", "B"):
        (pictures / folder).mkdir(parents=True)
        Image.new("RGBA", (64, 48), (0, 0, 0, 0)).save(pictures / folder / "logo.png")
    _scan_and_index(library, counting, tmp_path)
    library.db.execute("DROP TABLE read_again_checks")  # as schema 18 left it
    library.db.execute("DROP TABLE stash")  # schema 20's
    library.db.execute("PRAGMA user_version = 18")
    path = library.path
    library.close()
    with Library(path) as upgraded:
        assert Scanner(upgraded).scan([pictures / "A"]).changed == 1  # B is not looked at yet
        before = counting.embedded
        _worker(upgraded, counting, tmp_path).run()
        assert counting.embedded == before + 1  # read again, not given B's stale entry


def test_a_copy_of_a_photo_another_model_indexed_is_encoded(
    library: Library, pictures: Path, tiny_model: PhotoscopeModel, tmp_path: Path
) -> None:
    write_photo(pictures / "a.jpg", 1)
    Scanner(library).scan()
    _worker(library, CountingModel(tiny_model, version="older@1"), tmp_path, redo_other_models=False).run()
    shutil.copy(pictures / "a.jpg", pictures / "b.jpg")
    Scanner(library).scan()
    counting = CountingModel(tiny_model)
    _worker(library, counting, tmp_path, redo_other_models=False).run()
    assert counting.embedded == 1  # its vectors do not mix with this model's


def test_a_photo_that_could_not_be_read_for_now_is_tried_again_at_the_next_full_scan(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A photo that could not be read for now (no permission, a drive's error, a decoder this install
    # lacked) stayed an error until its file changed: a chmod or a plugged-in drive never brought it
    # into the index. What was read and is no photo is not tried again.
    write_photo(pictures / "locked.jpg", 1)
    write_text(pictures / "notes.jpg")
    Scanner(library).scan()
    load = indexer.load_photo

    def locked(path: str, **options: object) -> Image.Image:
        if path.endswith("locked.jpg"):
            raise PermissionError(13, "Permission denied", path)
        return load(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "load_photo", locked)
    assert _worker(library, counting, tmp_path).run().errors == 2
    monkeypatch.setattr(indexer, "load_photo", load)  # the permission given back (no file changed)
    Scanner(library).scan([str(pictures / "notes.jpg")])  # a watcher's scan of some paths: not yet
    assert library.counts().error == 2
    report = Scanner(library).scan()  # a whole folder's (the app's start, `photoscope index`)
    assert report.retried == 1 and library.counts() == PhotoCounts(indexed=0, pending=1, error=1)
    result = _worker(library, counting, tmp_path).run()
    assert (result.indexed, result.errors) == (1, 0)
    assert [path for path, _ in library.errors()] == [str(pictures / "notes.jpg")]
    assert Scanner(library).scan().retried == 0  # no photo is no photo next time either


def test_a_photo_that_only_begins_and_ends_like_an_indexed_one_is_encoded(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    """The review of stop 40: two scans of one size with white margins share their size and their
    first and last 64 KiB (the partial hash): the second took the first's caption, vectors and
    thumbnail, never decoded. A copy's bytes are compared whole before it takes an entry."""

    def scan_like(path: Path, seed: int) -> None:
        pixels = np.full((600, 800, 3), 255, np.uint8)  # white margins
        pixels[100:500, 100:700] = np.random.default_rng(seed).integers(0, 255, (400, 600, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(path)

    scan_like(pictures / "scan1.bmp", 1)
    _scan_and_index(library, counting, tmp_path)
    scan_like(pictures / "scan2.bmp", 2)
    _scan_and_index(library, counting, tmp_path)
    assert counting.embedded == 2
    ids = _by_path(library)
    _, latents = library.load_vectors(
        "latent", ids=[ids[str(pictures / n)] for n in ("scan1.bmp", "scan2.bmp")]
    )
    assert not (latents[0] == latents[1]).all()


def test_a_paused_worker_takes_no_copies_until_it_resumes(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    """The review of stop 40: copies were written at the start of a run whatever the pause said."""
    write_photo(pictures / "a.jpg", 1)
    _scan_and_index(library, counting, tmp_path)
    shutil.copy(pictures / "a.jpg", pictures / "b.jpg")
    Scanner(library).scan()
    worker = _worker(library, counting, tmp_path)
    worker.pause()
    run = threading.Thread(target=worker.run)
    run.start()
    time.sleep(0.5)
    assert library.counts().pending == 1
    worker.resume()
    run.join(10)
    assert library.counts() == PhotoCounts(indexed=2, pending=0, error=0) and counting.embedded == 1


def test_a_photo_arriving_as_another_with_its_beginning_and_end_goes_is_no_move(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    """The review of stop 40, for moves: a scan of one size with white margins deleted while another
    arrives (its own file time) shares the partial hash: it was taken for a move, the new photo kept
    the old one's caption and vectors. A move keeps its file's time (mv, a file manager), and files
    small enough for the partial hash to hold whole move whatever their time."""

    def scan_like(path: Path, seed: int, mtime: float) -> None:
        pixels = np.full((600, 800, 3), 255, np.uint8)
        pixels[100:500, 100:700] = np.random.default_rng(seed).integers(0, 255, (400, 600, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(path)
        os.utime(path, (mtime, mtime))

    scan_like(pictures / "scan1.bmp", 1, 1_600_000_000)
    _scan_and_index(library, counting, tmp_path)
    (pictures / "scan1.bmp").unlink()
    scan_like(pictures / "scan2.bmp", 2, 1_700_000_000)
    report = Scanner(library).scan()
    assert (report.moved, len(report.added), len(report.removed)) == (0, 1, 1)
    shutil.move(pictures / "scan2.bmp", pictures / "renamed.bmp")  # a real move keeps its time
    assert Scanner(library).scan().moved == 1


def test_a_photo_that_could_not_be_read_is_tried_again_when_the_watcher_sees_its_file_change(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GUI walk of stop 43: `chmod 644` on a photo that had no read permission left it "could not
    be read" with the app running (the dialog says a file is tried again when it changes); only a
    `touch` brought it back. A chmod is a change to the watcher (its scan of that path): a photo
    that could not be read for now, at or below the paths a scan is given, is tried again."""
    write_photo(pictures / "locked.jpg", 1)
    write_photo(pictures / "Trip" / "locked too.jpg", 2)
    Scanner(library).scan()
    load = indexer.load_photo

    def locked(path: str, **options: object) -> Image.Image:
        if "locked" in path:
            raise PermissionError(13, "Permission denied", path)
        return load(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "load_photo", locked)
    assert _worker(library, counting, tmp_path).run().errors == 2
    monkeypatch.setattr(indexer, "load_photo", load)  # chmod 644: size and time as they were
    assert Scanner(library).scan([str(pictures / "locked.jpg")]).retried == 1
    assert Scanner(library).scan([str(pictures / "Trip")]).retried == 1  # a folder's chmod, within
    assert library.counts() == PhotoCounts(indexed=0, pending=2, error=0)
    assert _worker(library, counting, tmp_path).run().indexed == 2


def test_photos_pending_when_their_drive_goes_away_wait_for_it(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    # The second walk of stop 43: a drive unplugged in the middle of indexing left every photo the
    # run had not reached "could not be read (the file disappeared)", with advice to repair it. Its
    # folder is away, not its photos: they wait, pending, and are indexed once the drive is back.
    write_library(pictures / "sub", 3)
    Scanner(library).scan()  # queued while the drive is there ...
    os.rename(pictures, tmp_path / "unplugged")  # ... and it goes before the worker reads them
    told: list[int] = []
    worker = _worker(library, counting, tmp_path)
    worker.on_folders_away = lambda: told.append(1)  # the app's watcher looks at the roots then
    result = worker.run()
    assert (result.indexed, result.errors, result.total) == (0, 0, 0) and told
    assert library.errors() == [] and library.counts().pending == 3
    # The worker changes no folder's state (the review of stop 44: a drive it marked back online
    # was never scanned again): the scans do, and say it.
    assert library.folders()[0].online
    assert Scanner(library).scan().offline == [str(pictures)]

    os.rename(tmp_path / "unplugged", pictures)
    assert Scanner(library).scan().back_online == [str(pictures)]
    assert _worker(library, counting, tmp_path).run().indexed == 3


def test_a_photo_deleted_before_it_was_read_in_a_folder_still_there_is_said(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    write_library(pictures, 2)
    Scanner(library).scan()
    os.remove(pictures / "photo_0000.jpg")
    result = _worker(library, counting, tmp_path).run()
    assert (result.indexed, result.errors) == (1, 1) and library.folders()[0].online


@pytest.mark.parametrize("damage", [write_truncated, write_zero_byte])
def test_a_photo_cut_short_keeps_its_description(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path, damage: object
) -> None:
    """The CLI audit of stop 55: an indexed photo cut short (a copy or sync that did not finish) or
    emptied left search, its caption and vectors dropped, though its file is there and its photo may
    come back whole. It stays found, under the errors, until its file changes again."""
    write_photo(pictures / "pan.jpg", 1)
    Scanner(library).scan()
    _worker(library, counting, tmp_path).run()
    (photo_id,) = _by_path(library).values()
    (caption,) = (p.caption for p in library.photos_by_ids([photo_id]))
    damage(pictures / "pan.jpg")  # type: ignore[operator]
    Scanner(library).scan()
    assert _worker(library, counting, tmp_path).run().errors == 1
    for table in ("vectors", "features", "captions"):
        assert [r[0] for r in library.db.execute(f"SELECT photo_id FROM {table}")] == [photo_id], table
    assert [r[0] for r in library.db.execute("SELECT rowid FROM search")] == [photo_id]
    (kept,) = library.photos_by_ids([photo_id])
    assert (kept.status, kept.caption) == ("error", caption) and caption


def test_a_photo_kept_under_the_errors_stays_in_the_timeline_a_photo_never_read_does_not(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    """Stop 56's leftover: a photo cut short kept its caption and stayed in search, but the timeline
    (All photos) and the folder filter's counts left it out: found by a query, gone when browsing. A
    photo that could never be read has nothing to show and stays out."""
    write_photo(pictures / "pan.jpg", 1)
    Scanner(library).scan()
    _worker(library, counting, tmp_path).run()
    (kept_id,) = _by_path(library).values()
    write_truncated(pictures / "pan.jpg")
    write_zero_byte(pictures / "never.jpg")
    Scanner(library).scan()
    assert _worker(library, counting, tmp_path).run().errors == 2
    assert [r.id for r in library.browse_rows()] == [kept_id]


def test_a_damaged_library_stops_the_background_worker_in_one_line(
    library: Library, counting: CountingModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The fresh-seat GUI audit of stop 56: indexing that met a damaged library logged two whole
    tracebacks; the library's own errors say what is wrong and what to do, in one line (the window
    offers its repair: ``on_failed``)."""
    import threading

    from photoscope.library.errors import LibraryDamaged

    worker = _worker(library, counting, tmp_path)
    failed = threading.Event()
    worker.on_failed = lambda error: failed.set()

    def damaged() -> None:
        raise LibraryDamaged("library.db is not a Photoscope library, or it is damaged")

    worker.run = damaged  # type: ignore[method-assign]
    worker.start()
    try:
        assert failed.wait(10)
    finally:
        worker.stop()
    (record,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert record.exc_info is None and "is damaged" in record.getMessage()


def test_a_thumbnail_cache_that_cannot_be_written_is_said_once_in_words(
    library: Library,
    pictures: Path,
    counting: CountingModel,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The CLI audit of stop 57: a cache folder that is a file said "[Errno 20] Not a directory:
    '…/thumbnails/large'", once for every photo. The photos are indexed; the cache is said once."""
    import logging

    write_library(pictures, 3)
    Scanner(library).scan()
    (tmp_path / "thumbs").write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        assert _worker(library, counting, tmp_path).run().indexed == 3
    said = [r.getMessage() for r in caplog.records if "thumbnail" in r.getMessage()]
    assert len(said) == 1 and "Errno" not in said[0] and "not a directory" in said[0], said
    assert "indexed without them" in said[0]  # said before a batch is written: no claim it was


def test_thumbnails_do_not_take_the_disk_the_library_needs(
    library: Library,
    pictures: Path,
    counting: CountingModel,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fresh-seat audit of stop 59: on a nearly full disk the thumbnails, written as each photo
    is read, took the last 1.8 of 2 MiB before the first batch was written; no photo was indexed,
    each run again, under "cannot write thumbnails: the photos are indexed". A cache made when
    photos are shown is not written where little space is left."""
    import logging

    from photoscope.library import indexer

    write_library(pictures, 3)
    Scanner(library).scan()
    _free_space(monkeypatch, [indexer.THUMBNAIL_RESERVE - 1])
    with caplog.at_level(logging.WARNING):
        assert _worker(library, counting, tmp_path).run().indexed == 3
    assert not [p for p in (tmp_path / "thumbs").rglob("*.png")]
    said = [r.getMessage() for r in caplog.records if "thumbnail" in r.getMessage()]
    assert len(said) == 1 and "space" in said[0] and "when they are shown" in said[0], said


def test_a_thumbnail_cache_problem_that_came_back_is_said_again(
    library: Library,
    pictures: Path,
    counting: CountingModel,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stop 59's Left list: a cache problem was said once per process, so a window open for days
    that met a nearly full disk, had space freed, and met it again said nothing the second time."""
    import logging

    from photoscope.library import indexer

    free = [indexer.THUMBNAIL_RESERVE - 1]
    _free_space(monkeypatch, free)
    with caplog.at_level(logging.WARNING):
        for at, room in enumerate((indexer.THUMBNAIL_RESERVE - 1, 10 * indexer.THUMBNAIL_RESERVE) * 2):
            free[0] = room
            write_library(pictures, 1, start=10 * at)
            Scanner(library).scan()
            assert _worker(library, counting, tmp_path).run().indexed == 1
    said = [r.getMessage() for r in caplog.records if "little space" in r.getMessage()]
    assert len(said) == 2, said  # the first time, and again once it came back


def _free_space(monkeypatch: pytest.MonkeyPatch, free: list[int]) -> None:
    """The indexer sees ``free[0]`` bytes free on every disk (changed as the test goes)."""
    import shutil

    from photoscope.library import indexer

    real = shutil.disk_usage
    monkeypatch.setattr(indexer.shutil, "disk_usage", lambda p: real(p)._replace(free=free[0]))


def test_photos_waiting_on_an_unplugged_inner_drive_keep_waiting(
    library: Library, pictures: Path, counting: CountingModel, tmp_path: Path
) -> None:
    """The fresh-seat audit of stop 59: photos queued on a drive mounted inside a watched folder,
    the drive unplugged before they were read, became errors ("the file disappeared before it could
    be read"), listed by `status` as photos that could not be indexed; a watched folder that is the
    drive keeps its photos waiting. The empty mount point it left is as away as the drive."""
    write_library(pictures, 1)
    write_library(pictures / "usb", 2)
    Scanner(library).scan()
    library.set_mounts(library.folders()[0].id, {str(pictures / "usb")})  # as the scan records a drive
    for photo in (pictures / "usb").iterdir():  # unplugged: its mount point left empty
        photo.unlink()
    assert _worker(library, counting, tmp_path).run().indexed == 1
    counts = library.counts()
    assert (counts.indexed, counts.pending, counts.error) == (1, 2, 0)
