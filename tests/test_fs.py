"""Walking folders, the partial hash and the freedesktop thumbnails."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import quote

from photos import photo_image, write_photo
from PIL import Image

from photoscope.library.fs import HASH_CHUNK, PHOTO_EXTENSIONS, is_photo_name, partial_hash, walk_photos
from photoscope.library.thumbnails import is_current, thumbnail_path, write_thumbnail


def _names(root: Path) -> set[str]:
    return {os.path.relpath(s.path, root) for s in walk_photos(str(root))}


def test_walk_finds_every_photo_format_and_skips_the_rest(tmp_path: Path) -> None:
    photos = {"a.jpg", "b.JPEG", "c.png", "d.webp", "e.tif", "f.tiff", "g.bmp", "h.gif", "i.heic", "j.HEIF"}
    for name in photos:
        (tmp_path / name).write_bytes(b"x")
    for name in ("notes.txt", "movie.mp4", "raw.cr2", "noext"):
        (tmp_path / name).write_bytes(b"x")
    assert _names(tmp_path) == photos


def test_walk_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    write_photo(tmp_path / "visible" / "a.jpg")
    write_photo(tmp_path / ".thumbnails" / "b.jpg")
    write_photo(tmp_path / "visible" / ".c.jpg")
    assert _names(tmp_path) == {"visible/a.jpg"}
    assert not is_photo_name(".hidden.jpg")


def test_walk_survives_symlink_loops_and_visits_linked_albums_once(tmp_path: Path) -> None:
    album = tmp_path / "album"
    write_photo(album / "a.jpg")
    os.symlink(tmp_path, album / "loop")  # points back up the tree
    os.symlink(album, tmp_path / "album-link")  # the same album twice
    os.symlink(tmp_path / "missing", tmp_path / "broken.jpg")
    found = _names(tmp_path)
    assert len(found) == 1
    assert found <= {"album/a.jpg", "album-link/a.jpg"}


def test_walk_handles_any_unicode_name(tmp_path: Path) -> None:
    names = {"été à Noël.jpg", "東京タワー.png", "😀 smile.webp", "Ωmega\u0301.jpg"}
    for i, name in enumerate(sorted(names)):
        write_photo(tmp_path / "Фото" / name, seed=i)
    assert _names(tmp_path) == {f"Фото/{n}" for n in names}


def test_walk_reports_an_unreadable_folder_and_carries_on(tmp_path: Path) -> None:
    write_photo(tmp_path / "a.jpg")
    errors: list[OSError] = []
    assert [s.path for s in walk_photos(str(tmp_path / "gone"), on_error=errors.append)] == []
    assert len(errors) == 1 and errors[0].filename == str(tmp_path / "gone")


def test_partial_hash_follows_content_not_name(tmp_path: Path) -> None:
    data = os.urandom(3 * HASH_CHUNK)
    (tmp_path / "a.jpg").write_bytes(data)
    (tmp_path / "b.jpg").write_bytes(data)
    (tmp_path / "c.jpg").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # last byte differs
    (tmp_path / "small.jpg").write_bytes(b"tiny")
    hashes = {n: partial_hash(str(tmp_path / n)) for n in ("a.jpg", "b.jpg", "c.jpg", "small.jpg")}
    assert hashes["a.jpg"] == hashes["b.jpg"]
    assert hashes["a.jpg"] != hashes["c.jpg"]
    assert len(set(hashes.values())) == 3


def test_thumbnail_follows_the_freedesktop_spec(tmp_path: Path) -> None:
    photo = tmp_path / "Фото" / "été 1.jpg"
    write_photo(photo, size=(640, 480))
    uri = "file://" + quote(str(photo))
    target = write_thumbnail(photo_image(0, (640, 480)), photo, mtime=1234567890.7, root=tmp_path / "cache")
    assert target == tmp_path / "cache" / "large" / (hashlib.md5(uri.encode()).hexdigest() + ".png")
    assert target == thumbnail_path(photo, tmp_path / "cache")
    with Image.open(target) as thumb:
        assert thumb.size == (256, 192)
        assert thumb.info["Thumb::URI"] == uri
        assert thumb.info["Thumb::MTime"] == "1234567890"
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
    assert os.listdir(target.parent) == [target.name]  # no temporary file left behind
    assert is_current(photo, 1234567890.7, tmp_path / "cache")
    assert not is_current(photo, 1234567999.0, tmp_path / "cache")


def test_photo_names_follow_splitext_rule_for_extensions() -> None:
    # is_photo_name finds the extension by hand (a scan asks it of every file); it must agree with
    # os.path.splitext, leading dots included.
    names = ["a.jpg", "A.JPG", ".jpg", "..jpg", "a.b.jpeg", "a.", "noext", "x.png", "a.jpg.txt", "IMG.HeIc"]
    names += ["...a.png", ".a.b.webp", "a..jpg", "é.tif", "photo.jpg ", "photo .jpg"]
    for name in names:
        expected = os.path.splitext(name)[1].lower() in PHOTO_EXTENSIONS and not name.startswith("._")
        assert is_photo_name(name, hidden=True) == expected, name


def test_the_walk_takes_exactly_the_files_its_rule_names(tmp_path: Path) -> None:
    # The walk has a short road for plain photo names (a re-scan walks a million of them) and
    # ``is_photo_name`` for the rest: both must give the rule's answer for every kind of entry.
    names = ["a.jpg", "A.JPG", ".jpg", "..jpg", "._a.jpg", ".a.jpg", "a..jpg", "a.b.jpeg", "a.", "noext"]
    names += ["x.txt", "a.jpg.txt", "é.tif", "photo .png", "IMG.HeIc"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    write_photo(tmp_path / "album.jpg" / "inside.jpg")  # a directory named like a photo
    os.mkfifo(tmp_path / "pipe.jpg")  # not a regular file
    os.symlink(tmp_path / "missing", tmp_path / "broken.png")
    os.symlink(tmp_path / "a.jpg", tmp_path / "link.jpg")  # a link to a photo is one
    for hidden in (False, True):
        expected = {n for n in [*names, "link.jpg"] if is_photo_name(n, hidden)} | {"album.jpg/inside.jpg"}
        found = {os.path.relpath(s.path, tmp_path) for s in walk_photos(str(tmp_path), hidden=hidden)}
        assert found == expected, hidden


def test_a_listed_photo_s_file_state_says_what_is_at_its_path(tmp_path: Path) -> None:
    """One check for `search`'s marks and the window's missing results (``api.file_state``)."""
    from photoscope.api import CANNOT_BE_READ, LINK_NOWHERE, NOT_AT_ITS_PATH, NOT_FOUND, file_state

    there = tmp_path / "there.jpg"
    there.write_bytes(b"x")
    album = tmp_path / "Album"  # a folder linked in from a drive not plugged in now
    album.symlink_to(tmp_path / "Drive" / "Album")
    dead = tmp_path / "dead.jpg"
    dead.symlink_to(tmp_path / "nowhere.jpg")
    assert file_state(str(there)) is None
    assert file_state(str(tmp_path / "gone.jpg")) == NOT_FOUND
    assert file_state(str(dead)) == LINK_NOWHERE
    assert file_state(str(album / "beach.jpg")) == LINK_NOWHERE
    assert {NOT_FOUND, LINK_NOWHERE} == NOT_AT_ITS_PATH
    if os.geteuid() != 0:  # root reads every file
        locked = tmp_path / "Locked"
        locked.mkdir()
        (locked / "a.jpg").write_bytes(b"x")
        locked.chmod(0)
        try:
            assert file_state(str(locked / "a.jpg")) == CANNOT_BE_READ
        finally:
            locked.chmod(0o755)


def test_the_folder_that_keeps_this_user_out_is_named(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Audit 98 (repro_4): with the permission taken from the folder above a watched one, `status`
    said `chmod u+rx …/Parent/Pics`, which failed: the folder to give it back to is Parent."""
    from photoscope.library import fs
    from photoscope.wording import refused_way_out

    pics = tmp_path / "Parent" / "Pics"
    pics.mkdir(parents=True)
    locked = {str(tmp_path / "Parent")}
    real = os.access
    monkeypatch.setattr(fs.os, "access", lambda p, mode: str(p) not in locked and real(p, mode))
    assert fs.refusing_folder(str(pics)) == str(tmp_path / "Parent")
    said = refused_way_out(str(pics), fs.refusing_folder(str(pics)))
    assert f"chmod u+rx {tmp_path / 'Parent'})" in said and "a folder above it" in said, said
    locked = {str(pics)}  # the watched folder's own permission
    assert fs.refusing_folder(str(pics)) == str(pics)
    assert f"chmod u+rx {pics})" in refused_way_out(str(pics), str(pics))
