"""The audit of stop 48 on the live library: a name that is not UTF-8 in a watcher's batch, a failing
watcher step, a watched folder replaced at its path, and watchdog's warning on the user's stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from photos import Reports, write_library, write_photo
from test_watcher import _wait  # the same poll

from photoscope.library import fs
from photoscope.library.db import Library
from photoscope.library.scanner import Scanner, ScanReport
from photoscope.library.watcher import FolderWatcher

TIMEOUT = 20.0
DEBOUNCE = 0.5  # generous: a stall on a busy machine must not split one burst of events in two


def _ids(library: Library) -> dict[str, int]:
    return dict(library.db.execute("SELECT path, id FROM photos").fetchall())


def _bad(directory: Path, name: bytes) -> str:
    """A path under ``directory`` whose last name is these bytes (not UTF-8), as watchdog gives it."""
    return os.fsdecode(os.fsencode(directory) + b"/" + name)


@pytest.fixture
def pictures(tmp_path: Path, library: Library) -> Path:
    root = tmp_path / "Pictures"
    write_library(root / "old", 2)
    write_library(root / "trip", 2, start=20)
    library.add_folder(root)
    Scanner(library).scan()
    return root


@pytest.fixture
def watched(library: Library, pictures: Path) -> Iterator[Reports]:
    reports = Reports(TIMEOUT)
    watcher = FolderWatcher(
        library, Scanner(library), debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports
    )
    watcher.start(catch_up=False)
    yield reports
    watcher.stop()


# --- 1. a name that is not UTF-8 in a batch of changed paths ----------------------------------------


def test_a_batch_holding_a_name_not_utf8_records_it_and_applies_the_rest(
    library: Library, pictures: Path
) -> None:
    """The audit: the watcher's scan of a batch holding b'caf\\xe9.jpg' failed whole
    (UnicodeEncodeError from SQLite): the 4 new photos and the rename of the same second were lost."""
    before = _ids(library)
    new = [pictures / "old" / f"new_{i}.jpg" for i in range(3)]
    for i, path in enumerate(new):
        write_photo(path, seed=40 + i)
    bad = _bad(pictures / "old", b"caf\xe9.jpg")
    shutil.copy(pictures / "old" / "new_0.jpg", bad)
    os.rename(pictures / "old" / "photo_0000.jpg", pictures / "old" / "renamed.jpg")
    targets = [
        *map(str, new),
        bad,
        str(pictures / "old" / "photo_0000.jpg"),
        str(pictures / "old" / "renamed.jpg"),
    ]
    report = Scanner(library).scan(targets)
    assert (len(report.added), report.moved, report.removed) == (3, 1, [])
    assert (
        _ids(library)[str(pictures / "old" / "renamed.jpg")]
        == before[str(pictures / "old" / "photo_0000.jpg")]
    )
    assert library.problems() == [(fs.display_path(bad), fs.UNSTORABLE)]  # as the one-shot scan records it
    os.remove(bad)
    Scanner(library).scan([bad])
    assert library.problems() == []  # the name gone: the problem too


def test_a_folder_renamed_not_utf8_in_a_batch_keeps_its_photos_and_applies_the_rest(
    library: Library, pictures: Path
) -> None:
    """A folder renamed to a name that is not UTF-8, with a photo renamed alongside: watchdog names the
    folder's old and new paths and each file below the new one; the other rename was lost."""
    before = _ids(library)
    bad = _bad(pictures, b"\xc9t\xe9")
    os.rename(pictures / "trip", bad)
    os.rename(pictures / "old" / "photo_0001.jpg", pictures / "old" / "renamed.jpg")
    below = [os.path.join(bad, name) for name in os.listdir(bad)]
    targets = [str(pictures / "trip"), bad, *below]
    targets += [str(pictures / "old" / "photo_0001.jpg"), str(pictures / "old" / "renamed.jpg")]
    report = Scanner(library).scan(targets)
    assert (report.moved, report.removed) == (1, [])
    assert set(_ids(library).values()) == set(before.values())  # the folder's photos keep their entries
    assert library.problems() == [(fs.display_path(bad), fs.UNSTORABLE_FOLDER)]


def test_the_watcher_applies_a_batch_holding_a_name_not_utf8(
    watched: Reports, library: Library, pictures: Path
) -> None:
    """The audit's own steps, through the running watcher's file events."""
    before = _ids(library)
    for i in range(4):
        write_photo(pictures / "old" / f"new_{i}.jpg", seed=40 + i)
    bad = _bad(pictures / "old", b"caf\xe9.jpg")
    write_photo(Path(bad), seed=50)
    os.rename(pictures / "old" / "photo_0000.jpg", pictures / "old" / "renamed.jpg")
    renamed = before.pop(str(pictures / "old" / "photo_0000.jpg"))
    wanted = {*before, str(pictures / "old" / "renamed.jpg")}
    wanted |= {str(pictures / "old" / f"new_{i}.jpg") for i in range(4)}
    assert _wait(lambda: set(_ids(library)) == wanted), _ids(library)
    assert _ids(library)[str(pictures / "old" / "renamed.jpg")] == renamed  # a move, not a new photo
    # said once the batch holding it is applied (the others may come in an earlier one: CI at b61e74d)
    assert _wait(lambda: (fs.display_path(bad), fs.UNSTORABLE) in library.problems()), library.problems()


class _FailsOnce(Scanner):
    """A scanner whose first scan of changed paths fails for a reason nobody foresaw."""

    failed = False

    def scan(self, targets: Iterable[str | Path] | None = None) -> ScanReport:
        targets = None if targets is None else list(targets)
        if targets and not self.failed:
            self.failed = True
            raise RuntimeError("something unforeseen")
        return super().scan(targets)


def test_a_failing_watcher_step_retries_its_batch(library: Library, pictures: Path) -> None:
    """A watcher step that failed had already emptied its list of changed paths: what they changed
    was not seen until a restart. They are tried again."""
    reports = Reports(TIMEOUT)
    scanner = _FailsOnce(library)
    watcher = FolderWatcher(library, scanner, debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports)
    watcher.start(catch_up=False)
    try:
        write_photo(pictures / "old" / "new.jpg", seed=60)
        assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1
        assert scanner.failed
    finally:
        watcher.stop()


class _FailsOn(Scanner):
    """A scanner that always fails on one path, and on any batch that holds it."""

    bad = ""

    def scan(self, targets: Iterable[str | Path] | None = None) -> ScanReport:
        targets = None if targets is None else list(targets)
        if targets and any(str(t).startswith(self.bad) for t in targets):
            raise RuntimeError("something unforeseen")
        return super().scan(targets)


def test_a_path_that_always_fails_holds_back_no_other(library: Library, pictures: Path) -> None:
    """The review of stop 48: the paths of failed batches were retried as one batch, so one that
    always failed took every other down with it, for good."""
    reports = Reports(TIMEOUT)
    scanner = _FailsOn(library)
    scanner.bad = str(pictures / "trip")
    watcher = FolderWatcher(library, scanner, debounce_s=DEBOUNCE, root_check_s=0.2, on_queued=reports)
    watcher.start(catch_up=False)
    try:
        write_photo(pictures / "trip" / "cursed.jpg", seed=61)  # one batch: the bad path and a good one
        write_photo(pictures / "old" / "fine.jpg", seed=62)
        assert len(reports.wait_for(lambda r: bool(r.added)).added) == 1
        known = set(_ids(library))
        assert (
            str(pictures / "old" / "fine.jpg") in known and str(pictures / "trip" / "cursed.jpg") not in known
        )
    finally:
        watcher.stop()


# --- 2. a watched folder replaced by another directory at its path ----------------------------------


def test_a_watched_folder_replaced_at_its_path_is_watched_anew(
    watched: Reports, library: Library, pictures: Path, tmp_path: Path
) -> None:
    """The audit: `mv pics pics.old && cp -a pics.old pics` (a backup restored, a sync tool's
    rename-into-place): the watch followed the old directory, and photos added to or deleted from
    the new one were not seen until a restart."""
    os.rename(pictures, tmp_path / "Pictures.old")
    shutil.copytree(tmp_path / "Pictures.old", pictures)  # copy2: the same times, as `cp -a`
    time.sleep(1.0)  # a few root checks: the photos are the same, nothing to report
    write_photo(pictures / "old" / "added later.jpg", seed=70)
    os.remove(pictures / "trip" / "photo_0020.jpg")
    wanted = set(_ids(library)) - {str(pictures / "trip" / "photo_0020.jpg")}
    wanted.add(str(pictures / "old" / "added later.jpg"))
    assert _wait(lambda: set(_ids(library)) == wanted), _ids(library)


# --- 3. watchdog's warning on the user's stderr -----------------------------------------------------

_MOVE_OUT_AND_BACK = """
    import os, sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from photos import write_library
    from photoscope.library.db import Library
    from photoscope.library.scanner import Scanner
    from photoscope.library.watcher import FolderWatcher

    tmp = Path({tmp!r})
    pictures = tmp / "P"
    write_library(pictures / "a", 1)
    write_library(pictures / "b", 1, start=5)
    with Library(tmp / "library.db") as library:
        library.add_folder(pictures)
        watcher = FolderWatcher(library, Scanner(library), debounce_s=0.2, root_check_s=0.2)
        watcher.start()
        moves = [(pictures / "b", pictures / "b2"), (pictures / "b2", tmp / "out")]
        for old, new in [*moves, (tmp / "out", pictures / "b3")]:  # out of the folder, back renamed
            time.sleep(0.5)
            os.rename(old, new)
        time.sleep(1.0)
        watcher.stop()
"""


def test_a_subfolder_moved_out_and_back_prints_no_library_warning(tmp_path: Path) -> None:
    """The audit: a subfolder moved out of the watched folder and back under another name printed
    watchdog's multi-line RuntimeWarning ("Callback with id ... already exists for watch") on stderr."""
    script = _MOVE_OUT_AND_BACK.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "already exists for watch" not in done.stderr
    assert "Warning" not in done.stderr, done.stderr
