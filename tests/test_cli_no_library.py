"""A command that only reads a library creates none: ``photoscope status --db ~/photo.db`` (a typo for
``photos.db``) made an empty library there, then said "photos: 0", and a search said "no matching
photos", as if the photos were gone. Now each says in one line that no library is there and how to
make one, with exit status 2, and leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from photos import write_photo

from photoscope.cli import main
from photoscope.commands.common import EXIT_USAGE


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["search", "a dog"],
        ["similar", "{photo}"],
        ["folders", "list"],
        ["folders", "remove", "{folder}"],
        ["folders", "exclude", "{folder}/Screenshots"],
        ["folders", "hidden", "on"],
        ["index"],
        ["doctor"],
        ["map", "photos", "--out", "{folder}/map.png"],
    ],
)
def test_a_reading_command_creates_no_library(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "Pictures"
    folder.mkdir()
    photo = folder / "a.jpg"
    write_photo(photo)
    db = tmp_path / "elsewhere" / "photo.db"
    db.parent.mkdir()
    args = [a.format(photo=photo, folder=folder) for a in command]
    assert main([*args, "--db", str(db)]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(db) in err and "photoscope index" in err
    assert not db.exists()
    # in a folder that is not there, that is said: "photoscope index … --db" would be refused too
    assert main([*args, "--db", str(tmp_path / "usb" / "photo.db")]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert f"no such folder {tmp_path / 'usb'}" in err and "photoscope index" not in err, err


def test_commands_that_add_photos_still_create_the_library(tmp_path: Path) -> None:
    folder = tmp_path / "Pictures"
    folder.mkdir()
    db = tmp_path / "new" / "library.db"
    db.parent.mkdir()
    assert main(["folders", "add", str(folder), "--db", str(db)]) == 0
    assert db.exists()
    assert main(["status", "--db", str(db)]) == 0


@pytest.mark.parametrize("command", [["index", "{folder}", "--quiet"], ["folders", "add", "{folder}"]])
def test_a_library_given_in_a_folder_that_is_not_there_is_not_made(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Audit 89 (repro_3): `index ~/Pictures --db /media/usb/photos/library.db` with the drive
    unplugged made /media/usb/photos and a new library there, encoded every photo into it, and
    exited 0; mounted again, the drive hid it. A --db's folder must be there, as `map --out`'s
    must; the default library's folders are made."""
    folder = tmp_path / "Pictures"
    write_photo(folder / "a.jpg")
    db = tmp_path / "usb" / "photos" / "library.db"
    assert main([*(a.format(folder=folder) for a in command), "--db", str(db)]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"no such folder {db.parent}" in err and "create it" in err and "--db" in err, err
    assert not (tmp_path / "usb").exists()


def test_the_api_watches_only_folders_that_are_there(tmp_path: Path) -> None:
    """Audit: the window's Add folder (and `photoscope gui --folder /typo`) watched a folder that
    does not exist, silently, as an offline folder; a file was refused as "already watched as part
    of" its folder. Both are said for what they are, and nothing is watched."""
    from photoscope.api import LibraryError, Photoscope

    (tmp_path / "photo.jpg").write_bytes(b"x")
    with Photoscope(tmp_path / "library.db") as app:
        with pytest.raises(LibraryError, match="no such folder"):
            app.add_folder(tmp_path / "Picturs")
        with pytest.raises(LibraryError, match="a file, not a folder"):
            app.add_folder(tmp_path / "photo.jpg")
        assert app.folders() == []


def test_on_a_first_run_status_says_there_is_no_library_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fresh-seat audit of stop 50: `photoscope status` on a fresh install said "no library at …:
    check the path", a path the user never gave."""
    from photoscope.config import default_db_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert not default_db_path().exists()
    assert main(["status"]) == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err == (
        f"photoscope: no library yet (it will be {default_db_path()}): add a folder of photos to start"
        " one (photoscope index FOLDER)"
    )
