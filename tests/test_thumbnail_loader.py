"""The thumbnail loader keeps the search chip's thumbnail when a new result set drops the grid's.

A dropped photo's chip asked for its thumbnail, then the query's results replaced the grid, and
``forget_pending`` dropped every queued load: on a loaded machine the chip's had not started yet,
and the chip stayed without its thumbnail (``test_gui_search``'s dropped-photo test timed out
waiting for it, 1 run in 6 beside two busy processes)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from photos import write_photo
from PySide6.QtCore import QCoreApplication

from photoscope.gui import thumbnail_loader
from photoscope.gui.thumbnail_loader import ThumbnailLoader


def test_a_kept_request_outlives_a_new_result_set(qtbot, tmp_path: Path) -> None:
    chip, tile = tmp_path / "chip.jpg", tmp_path / "tile.jpg"
    write_photo(chip, seed=1)
    write_photo(tile, seed=2)
    loader = ThumbnailLoader(threads=1, root=tmp_path / "thumbnails")
    try:
        assert loader.pixmap(str(chip), keep=True) is None  # asked; the loading thread wakes later
        assert loader.pixmap(str(tile)) is None
        loader.forget_pending()  # the results arrive before either load started
        with qtbot.waitSignal(loader.loaded, timeout=10_000) as loaded:
            QCoreApplication.processEvents()
        assert loaded.args == [str(chip)]
        assert loader.pixmap(str(chip)) is not None
        qtbot.wait(200)  # the tile's load was dropped: nothing more comes
        assert str(tile) not in loader._cache
    finally:
        loader.shutdown()


def test_a_kept_request_is_not_pushed_out_by_newer_tiles(qtbot, tmp_path: Path) -> None:
    """Asking for more tiles than ``pending_limit`` drops the oldest tiles' loads, not the chip's."""
    paths = [tmp_path / f"{name}.jpg" for name in ("chip", "a", "b", "c")]
    for seed, path in enumerate(paths):
        write_photo(path, seed=seed)
    loader = ThumbnailLoader(threads=1, pending_limit=2, root=tmp_path / "thumbnails")
    try:
        loader.pixmap(str(paths[0]), keep=True)
        for path in paths[1:]:
            loader.pixmap(str(path))
        loaded: list[str] = []
        loader.loaded.connect(loaded.append)
        qtbot.waitUntil(lambda: str(paths[0]) in loaded, timeout=10_000)
        qtbot.wait(300)
        assert str(paths[1]) not in loaded  # the oldest tile was dropped
    finally:
        loader.shutdown()


def _loaded_all(qtbot, loader: ThumbnailLoader, paths: list[Path]) -> list[str]:  # type: ignore[no-untyped-def]
    loaded: list[str] = []
    loader.loaded.connect(loaded.append)
    for path in paths:
        loader.pixmap(str(path))
    qtbot.waitUntil(lambda: len(loaded) == len(paths), timeout=20_000)
    return loaded


def _held(loader: ThumbnailLoader) -> int:
    return sum(p.width() * p.height() * p.depth() // 8 for p in loader._cache.values())


def test_the_cache_is_held_to_its_bytes_whatever_the_photos_count(qtbot, tmp_path: Path) -> None:
    """The speed audit of stop 46: the cache was held to 1,500 thumbnails whatever their size, and
    a library scrolled through once held 240 MB of them (up to 295 MB of camera photos)."""
    paths = [tmp_path / f"p{i}.jpg" for i in range(6)]
    for seed, path in enumerate(paths):
        write_photo(path, seed=seed, size=(400, 300))  # 256 x 192 thumbnails
    loader = ThumbnailLoader(threads=1, capacity_bytes=3 * 256 * 256 * 4, root=tmp_path / "thumbnails")
    try:
        loaded = _loaded_all(qtbot, loader, paths)
        assert 0 < len(loader._cache) < len(paths) and _held(loader) <= 3 * 256 * 256 * 4
        assert loader.pixmap(loaded[-1]) is not None  # the newest stay
    finally:
        loader.shutdown()


def test_a_screen_of_tiles_stays_even_over_the_bytes_however_its_tiles_load(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen of small tiles can show more than the bytes hold: the views say how many tiles they
    show, and twice that many stay, else each paint would load its own tiles again and again. Tiles
    that load one at a time (each repainted alone) stay too (the review of stop 46: kept for 2 s
    after they loaded, the first of a slow screen went while still on it)."""
    paths = [tmp_path / f"p{i}.jpg" for i in range(6)]
    for seed, path in enumerate(paths):
        write_photo(path, seed=seed, size=(400, 300))
    real, loads = thumbnail_loader.load_thumbnail, []

    def slow(path, mtime, root=None):  # type: ignore[no-untyped-def]
        time.sleep(0.3)  # photos decoded, no cached thumbnail: a batch a tile
        loads.append(path)
        return real(path, mtime, root)

    monkeypatch.setattr(thumbnail_loader, "load_thumbnail", slow)
    loader = ThumbnailLoader(threads=1, capacity_bytes=256 * 256 * 4, root=tmp_path / "thumbnails")
    loader.keep_on_screen("grid", 3)
    try:
        _loaded_all(qtbot, loader, paths)
        for path in paths:  # the next paint of the same screen
            loader.pixmap(str(path))
        qtbot.wait(500)
        assert len(loader._cache) == len(paths) and len(loads) == len(paths)
    finally:
        loader.shutdown()


def test_memory_let_go_is_handed_back_once_loading_is_quiet(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The speed audit of stop 46: freed thumbnails and decoding buffers stayed in the window's
    memory (glibc keeps them in its arenas): 647 MB after scrolling a library through, 511 MB
    once handed back."""
    released: list[str] = []
    monkeypatch.setattr(
        thumbnail_loader, "release_freed_memory", lambda: released.append(threading.current_thread().name)
    )
    monkeypatch.setattr(thumbnail_loader, "RELEASE_AFTER_MS", 50)
    path = write_photo(tmp_path / "p.jpg")
    loader = ThumbnailLoader(threads=1, root=tmp_path / "thumbnails")
    try:
        _loaded_all(qtbot, loader, [path])
        qtbot.waitUntil(lambda: released == ["photoscope-release"], timeout=5_000)  # off the GUI thread
    finally:
        loader.shutdown()


def _colour(pixmap) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    pixel = pixmap.toImage().pixelColor(pixmap.width() // 2, pixmap.height() // 2)
    return pixel.red(), pixel.green(), pixel.blue()


def test_a_photo_edited_in_place_gets_its_new_thumbnail_not_the_one_held(qtbot, tmp_path: Path) -> None:
    """Audit 86 (repro_1): a photo rotated, or replaced by another under its name, kept its old tile
    in the open window though the index and the thumbnail cache had the new one: the loader held its
    thumbnails by path alone. Asked for a newer version of the file (its time), it loads it again,
    showing the old meanwhile; and a photo that could not be read is tried again once it changes."""
    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.new("RGB", (300, 200), (250, 0, 0)).save(photo)
    loader = ThumbnailLoader(threads=1, root=tmp_path / "thumbnails")
    try:
        first = photo.stat().st_mtime
        assert loader.pixmap(str(photo), first) is None
        qtbot.waitUntil(lambda: loader.pixmap(str(photo), first) is not None, timeout=10_000)
        red = loader.pixmap(str(photo), first)
        assert red is not None and _colour(red)[0] > 200
        Image.new("RGB", (300, 200), (0, 0, 250)).save(photo)  # edited: its time moves on
        os.utime(photo, (first + 5, first + 5))
        assert loader.pixmap(str(photo), first + 5) is red  # the old one meanwhile, not a blank tile
        qtbot.waitUntil(lambda: _colour(loader.pixmap(str(photo), first + 5))[2] > 200, timeout=10_000)
        broken = tmp_path / "broken.jpg"
        broken.write_bytes(b"not yet a photo")
        loader.pixmap(str(broken), 1.0)
        qtbot.waitUntil(lambda: loader.failed(str(broken)), timeout=10_000)
        Image.new("RGB", (300, 200), (0, 250, 0)).save(broken, "JPEG")  # copied again, whole
        assert loader.pixmap(str(broken), 2.0) is None
        qtbot.waitUntil(lambda: loader.pixmap(str(broken), 2.0) is not None, timeout=10_000)
        assert not loader.failed(str(broken))
    finally:
        loader.shutdown()


def test_a_photo_missing_when_read_is_read_again_once_the_library_changed(qtbot, tmp_path: Path) -> None:
    """The grid marks a tile whose file is not at its path (audit 97's notes); the mark goes once the
    file is back and the window asks it to look again (a drive plugged back in)."""
    from photoscope.library.thumbnails import write_thumbnail

    photo = tmp_path / "Drive" / "a.jpg"
    write_photo(photo, seed=1)
    mtime = photo.stat().st_mtime
    from PIL import Image

    with Image.open(photo) as image:
        write_thumbnail(image, photo, mtime, root=tmp_path / "thumbnails")  # as indexing left it
    kept = photo.read_bytes()
    photo.unlink()  # the drive unplugged: its thumbnail still shows
    loader = ThumbnailLoader(threads=1, root=tmp_path / "thumbnails")
    try:
        loader.pixmap(str(photo), mtime)
        qtbot.waitUntil(lambda: loader.pixmap(str(photo), mtime) is not None, timeout=10_000)
        assert loader.missing(str(photo))
        photo.write_bytes(kept)
        os.utime(photo, (mtime, mtime))
        loader.pixmap(str(photo), mtime)
        qtbot.wait(200)
        assert loader.missing(str(photo))  # not looked at again by itself: a stat per paint is not free
        loader.look_again()
        assert loader.pixmap(str(photo), mtime) is not None  # the tile shows meanwhile
        qtbot.waitUntil(lambda: not loader.missing(str(photo)), timeout=10_000)
    finally:
        loader.shutdown()


def test_photos_of_a_folder_that_went_offline_are_looked_at_again(qtbot, tmp_path: Path) -> None:
    """Audit 99 (repro_1): a watched folder went offline while the window was open, and no tile said
    "missing" (a tile is marked as its thumbnail is read, and they had been read while it was there).
    The window asks the loader to look again below the folders that went offline."""
    from PIL import Image

    from photoscope.library.thumbnails import write_thumbnail

    photo = tmp_path / "Drive" / "a.jpg"
    write_photo(photo, seed=1)
    mtime = photo.stat().st_mtime
    with Image.open(photo) as image:
        write_thumbnail(image, photo, mtime, root=tmp_path / "thumbnails")
    loader = ThumbnailLoader(threads=1, root=tmp_path / "thumbnails")
    try:
        loader.pixmap(str(photo), mtime)
        qtbot.waitUntil(lambda: loader.pixmap(str(photo), mtime) is not None, timeout=10_000)
        assert not loader.missing(str(photo))
        (tmp_path / "Drive").rename(tmp_path / "Drive unplugged")
        loader.look_again(offline=[str(tmp_path / "Drive")])
        assert loader.pixmap(str(photo), mtime) is not None  # the tile shows meanwhile
        qtbot.waitUntil(lambda: loader.missing(str(photo)), timeout=10_000)
    finally:
        loader.shutdown()
