"""The timeline's first screen read on its own at launch (``Photoscope.timeline(limit=)``), and the
library backup written in pieces (no single 0.3 s ``json.dumps`` holding the GIL at 100,000 photos)."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest

from photoscope.api import Photoscope
from photoscope.api.browsing import _groups, sorted_in_pieces
from photoscope.library.backup import _json_chunks
from photoscope.library.db import Library, NewFile
from photoscope.library.records import BrowseRow


def _library(tmp_path: Path, files: list[tuple[str, int, float, str]]) -> Path:
    """A library watching ``tmp_path/Pictures`` with these files (path below it, size, mtime,
    partial hash) as its photos, none indexed; its database's path."""
    db, pictures = tmp_path / "library.db", tmp_path / "Pictures"
    with Library(db) as library:
        folder = library.add_folder(str(pictures))
        library.add_photos([NewFile(folder.id, str(pictures / p), size, t, h) for p, size, t, h in files])
    return db


@pytest.mark.parametrize("sort", ["newest", "oldest", "name", "folder"])
def test_the_first_screen_is_the_whole_timeline_s_first_photos(tmp_path: Path, sort: str) -> None:
    # months apart, and several photos at the same time: ties are broken by path
    files = [
        (f"{i % 3}/IMG_{i:03d}.jpg", 1000 + i, 1.6e9 + (i % 7) * 40 * 86400, f"{i:032x}") for i in range(60)
    ]
    with Photoscope(_library(tmp_path, files)) as api:
        full = api.timeline(sort)
        head = api.timeline(sort, limit=25)
    assert full.paths == _expected_order(tmp_path / "library.db", sort)
    assert head.paths == full.paths[:25]
    assert head.ids.tolist() == full.ids[:25].tolist()
    assert head.mtimes == full.mtimes[:25]
    assert [(g.label, g.start) for g in head.groups] == [
        (g.label, g.start) for g in full.groups if g.start < 25
    ]
    assert sum(g.count for g in head.groups) == 25


def test_folder_headers_cover_each_folder_s_run_of_photos(tmp_path: Path) -> None:
    files = [
        (f"{sub}/IMG_{i}.jpg", 1000, 1.6e9 + i, f"{sub}{i:031x}")
        for sub, count in (("a", 3), ("b", 1), ("c", 2))
        for i in range(count)
    ]
    with Photoscope(_library(tmp_path, files)) as api:
        by_folder = api.timeline("folder", "folder")
        flat = api.timeline("folder", "none")
    assert [(Path(g.label).name, g.start, g.count) for g in by_folder.groups] == [
        ("a", 0, 3),
        ("b", 3, 1),
        ("c", 4, 2),
    ]
    assert flat.groups == [] and flat.paths == by_folder.paths


@pytest.mark.parametrize("sort", ["newest", "oldest", "name"])
def test_grouped_by_folder_each_folder_has_one_header_named_below_its_watched_folder(
    tmp_path: Path, sort: str
) -> None:
    """Audit: grouped by folder and sorted newest first, a folder's header came twice (its photos'
    dates interleave with another folder's), each header the whole absolute path."""
    subs = ("Trips/Paris 2019", "Trips/Rome", "")
    files = [
        (f"{sub}/IMG_{i}.jpg".lstrip("/"), 1000, 1.6e9 + 10 * i + k, f"{k}{i:031x}")
        for k, sub in enumerate(subs)
        for i in range(3)
    ]
    db = _library(tmp_path, files)
    with Photoscope(db) as api:
        timeline = api.timeline(sort, "folder")
        head = api.timeline(sort, "folder", limit=4)
    labels = [g.label for g in timeline.groups]
    assert sorted(labels) == ["Pictures", "Pictures/Trips/Paris 2019", "Pictures/Trips/Rome"]
    assert [g.count for g in timeline.groups] == [3, 3, 3]
    for g in timeline.groups:  # each folder's photos together, in the chosen order within it
        paths = timeline.paths[g.start : g.start + g.count]
        assert len({os.path.dirname(p) for p in paths}) == 1
    assert head.paths == timeline.paths[:4]


@pytest.mark.parametrize("group", ["month", "folder", "none"])
def test_an_empty_library_has_an_empty_timeline(tmp_path: Path, group: str) -> None:
    """Audit: a new library's window said "The library could not be listed: zip() argument 2 is
    longer than argument 1" (the headers of no rows)."""
    with Photoscope(tmp_path / "library.db") as api:
        timeline = api.timeline("newest", group)
    assert timeline.paths == [] and timeline.groups == []


@pytest.mark.parametrize("photos", [0, 1, 999, 1000, 2500])
def test_the_backup_written_in_pieces_is_the_same_json(photos: int) -> None:
    data = {
        "format": 1,
        "written_at": 1.7e9,
        "folders": [[1, "/Pictures", 1.7e9, 1, None]],
        "mounts": [],
        "photos": [[i, 1, f"/Pictures/é {i}.jpg", 10, 1.5, "ab", None, None] for i in range(photos)],
    }
    assert b"".join(_json_chunks(data)) == json.dumps(data, separators=(",", ":")).encode("utf-8")


def _expected_order(db: Path, sort: str) -> list[str]:
    """The timeline's order as its documentation states it, computed here in Python."""
    with Library(db) as library:
        stats = library.stats_under("/")
    by_date = {p: (time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(m)), p) for p, _, m, _ in stats.values()}
    keys = {
        "newest": lambda p: by_date[p],
        "oldest": lambda p: by_date[p],
        "name": lambda p: (os.path.basename(p).lower(), p),
        "folder": lambda p: (os.path.dirname(p).lower(), os.path.basename(p).lower()),
    }
    return sorted(by_date, key=keys[sort], reverse=sort == "newest")


@pytest.mark.parametrize("count", [0, 1, 7, 8, 100])
def test_sorting_in_pieces_is_sorting(count: int) -> None:
    rng = random.Random(count)
    rows = [(rng.randrange(20), f"p{rng.randrange(50)}") for _ in range(count)]
    key = lambda r: (r[1], r[0])  # noqa: E731
    assert sorted_in_pieces(rows, key, piece=8) == sorted(rows, key=key)


def test_headers_name_each_run_of_rows_as_labelling_every_row_would() -> None:
    """The headers are made once per run of equal months or folders (not per row, 140 ms at
    100,000): the same as labelling each row and starting a header where the label changes, two
    unreadable months in a row ("Unknown date") one header."""
    keys = ["2024-06-02", "2024-06-01", "2023-01-05", "bad", "worse", "2024-06-03", "2024-06-03"]
    dirs = ["/P/a", "/P/a", "/P/b", "/P", "/P", "/Q/c", "/P/a"]
    rows = [
        BrowseRow(i, f"{d}/{i}.jpg", 1, k, 0.0, 1) for i, (k, d) in enumerate(zip(keys, dirs, strict=True))
    ]
    assert [(g.label, g.start, g.count) for g in _groups(rows, "month")] == [
        ("June 2024", 0, 2),
        ("January 2023", 2, 1),
        ("Unknown date", 3, 2),
        ("June 2024", 5, 2),
    ]
    assert [(g.label, g.start, g.count) for g in _groups(rows, "folder", ["/P"])] == [
        ("P/a", 0, 2),
        ("P/b", 2, 1),
        ("P", 3, 2),
        ("/Q/c", 5, 1),
        ("P/a", 6, 1),
    ]
    assert _groups(rows, "none") == [] and _groups([], "month") == []


@pytest.mark.parametrize("limit", [None, 50])
def test_a_file_time_past_the_year_9999_is_an_unknown_date(tmp_path: Path, limit: int | None) -> None:
    """The review of stop 41: SQLite writes no date for a file time past the year 9999 (tmpfs and
    NTFS keep such times); the timeline by month failed (TypeError), the whole one before too."""
    files = [("IMG_1.jpg", 1000, 1.6e9, "a" * 32), ("IMG_2.jpg", 1000, 1e12, "b" * 32)]
    with Photoscope(_library(tmp_path, files)) as api:
        timeline = api.timeline("newest", "month", limit=limit)
    assert sorted(g.label for g in timeline.groups)[-1] == "Unknown date" and len(timeline.paths) == 2
