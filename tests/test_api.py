"""The core API end to end: filters, and the in-memory vectors following the index's changes."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from synthetic import shape_photo

from photoscope.api import Filters, IndexOptions, Photoscope, QueryTerm
from photoscope.network import torch_threads

EXIF_IFD, DATE_TAKEN = 0x8769, 36867


def _save(image: Image.Image, path: Path, taken: str) -> None:
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[DATE_TAKEN] = taken
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, exif=exif.tobytes())


@pytest.fixture
def app(trained_tiny: Path, tmp_path: Path):
    root = tmp_path / "Pictures"
    for i in range(3):
        _save(
            shape_photo("red", "circle", seed=i), root / "2020" / f"red {i}.jpg", f"2020:06:0{i + 1} 10:00:00"
        )
        _save(
            shape_photo("blue", "square", seed=i),
            root / "2023" / f"blue {i}.jpg",
            f"2023:01:0{i + 1} 10:00:00",
        )
    with torch_threads(1), Photoscope(tmp_path / "library.db", trained_tiny) as app:
        app.add_folder(root)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
        yield app


def _names(results) -> list[str]:
    return [Path(m.photo.path).name for m in results.matches]


def test_filters_by_folder_and_date_taken(app: Photoscope) -> None:
    root = Path(app.folders()[0].path)
    everywhere = _names(app.search_text("a red circle", 6))
    assert len(everywhere) == 6 and everywhere[0].startswith("red")
    only_2023 = app.search_text("a red circle", 6, Filters(folder=root / "2023"))
    assert sorted(_names(only_2023)) == ["blue 0.jpg", "blue 1.jpg", "blue 2.jpg"]
    june = Filters(taken_from=date(2020, 6, 2), taken_to=date(2020, 6, 3))
    assert sorted(_names(app.search_text("a blue square", 6, june))) == ["red 1.jpg", "red 2.jpg"]
    assert _names(app.similar_to(only_2023.matches[0].photo.id, 6, Filters(folder=root / "2020")))[
        0
    ].startswith("red")


def test_vectors_follow_added_moved_and_deleted_photos(app: Photoscope) -> None:
    root = Path(app.folders()[0].path)
    assert len(app.store) == 6  # loaded from the database
    _save(shape_photo("green", "square", seed=5), root / "new" / "green.jpg", "2024:01:01 10:00:00")
    app.scanner().scan()
    app.indexer(options=IndexOptions(thumbnails=False)).run()
    assert len(app.store) == 7  # the indexer's listener added it without a reload
    assert _names(app.search_text("a green square", 1)) == ["green.jpg"]

    (root / "new" / "green.jpg").rename(root / "2023" / "renamed.jpg")
    app.scanner().scan()
    assert len(app.store) == 7
    assert _names(app.search_text("a green square", 1)) == ["renamed.jpg"]

    (root / "2023" / "renamed.jpg").unlink()
    (root / "2020" / "red 0.jpg").unlink()
    app.scanner().scan()
    assert len(app.store) == 5
    assert "renamed.jpg" not in _names(app.search_text("a green square", 5))


def test_search_by_a_photo_outside_the_library_leaves_nothing_out(app: Photoscope, tmp_path: Path) -> None:
    query = tmp_path / "query.png"
    shape_photo("blue", "square", seed=42).save(query)
    assert all(name.startswith("blue") for name in _names(app.search_photo(query, 3)))
    inside = Path(app.folders()[0].path) / "2023" / "blue 0.jpg"
    assert "blue 0.jpg" not in _names(app.search_photo(inside, 5))  # the photo itself is left out


def test_photos_another_process_indexed_are_found_by_a_running_app(
    app: Photoscope, trained_tiny: Path, tmp_path: Path
) -> None:
    """Audit: while `index --watch` (or the window) ran, photos a `photoscope index` in another
    process added were never found by it: its vectors were loaded once, and only its own indexer's
    changes reached them. `photoscope search` asks the running app first, and said "no matching
    photos"."""
    assert len(app.search_text("a green triangle", 50).matches) == 6  # the vectors are loaded now
    elsewhere = tmp_path / "Elsewhere"
    for i in range(2):
        _save(shape_photo("green", "triangle", seed=i), elsewhere / f"green {i}.jpg", "2024:01:01 10:00:00")
    with torch_threads(1), Photoscope(app.library_path, trained_tiny) as other:  # another process
        other.add_folder(elsewhere)
        other.scanner().scan()
        other.indexer(options=IndexOptions(thumbnails=False)).run()
    found = {Path(m.photo.path).name for m in app.search_text("a green triangle", 50).matches}
    assert {"green 0.jpg", "green 1.jpg"} <= found and len(found) == 8


def test_a_timeline_without_some_photos_shrinks_its_groups_and_drops_empty_ones() -> None:
    import numpy as np

    from photoscope.api import MonthGroup, Timeline

    groups = [MonthGroup("May", 0, 2), MonthGroup("April", 2, 1), MonthGroup("March", 3, 2)]
    ids = np.asarray([10, 11, 12, 13, 14], dtype=np.int64)
    timeline = Timeline(ids, [f"/p/{i}.jpg" for i in ids], [float(i) for i in ids], groups, "newest", 0)
    left = timeline.without({11, 12})
    assert left.ids.tolist() == [10, 13, 14] and left.paths == ["/p/10.jpg", "/p/13.jpg", "/p/14.jpg"]
    assert left.mtimes == [10.0, 13.0, 14.0]
    assert left.groups == [MonthGroup("May", 0, 1), MonthGroup("March", 1, 2)]


def test_which_matches_are_likely_does_not_depend_on_how_many_are_listed(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """The CLI walk of stop 42: `search "a dog" -n 5` called 2 photos likely, -n 20 4 and -n 60 18,
    and one photo's strength went 0.69, 0.90, 0.95: the rule read only the rows asked for."""
    import shutil

    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with torch_threads(1), Photoscope(db, trained_tiny) as app:
        for ask in (
            lambda n: app.search_text("a red circle", n),
            lambda n: app.search_terms(
                [QueryTerm(text="a red circle"), QueryTerm(text="blue", negative=True)], n
            ),
            lambda n: app.similar_to(app.search_text("a red circle", 1).matches[0].photo.id, n),
            lambda n: app.search_captions("circle", n),  # the first answer while the network loads
        ):
            wide = ask(24)
            for n in (2, 5, 12):
                few = ask(n)
                assert [m.photo.id for m in few.matches] == [m.photo.id for m in wide.matches][:n]
                assert few.relevant == min(wide.relevant, n)
                assert [m.strength for m in few.matches] == [m.strength for m in wide.matches][:n]


def test_under_a_filter_likely_matches_are_those_likely_in_the_whole_library(
    app: Photoscope, trained_tiny: Path
) -> None:
    """Stop 42's Left list: which matches are likely was read from what a filter leaves, so a folder
    of blue squares answered "a red circle" with "3 likely matches". The line is now the whole
    library's: a folder without a likely match has none, one with them keeps them."""
    root = Path(app.folders()[0].path)
    blue, red = Filters(folder=root / "2023"), Filters(folder=root / "2020")
    everywhere = app.search_text("a circle", 6)  # (no file name says "circle": no names' lift)
    assert everywhere.by_name == 0 and 0 < everywhere.relevant <= 3
    assert all(m.photo.path.startswith(str(root / "2020")) for m in everywhere.matches[: everywhere.relevant])
    assert app.search_text("a circle", 6, red).relevant == everywhere.relevant
    nowhere = app.search_text("a circle", 6, blue)
    assert len(nowhere.matches) == 3 and nowhere.relevant == 0
    a_blue = nowhere.matches[0].photo.id
    assert app.similar_to(a_blue, 6, red).relevant == 0  # no red circle is like a blue square
    assert app.similar_to(a_blue, 6, blue).relevant > 0
    terms = [QueryTerm(text="circle"), QueryTerm(text="square", negative=True)]
    assert app.search_terms(terms, 6).relevant > 0 and app.search_terms(terms, 6, blue).relevant == 0
    # The first answers, before the network's: the quick one (its file written by the loads above)
    # and the caption index's.
    quick, quick_red = app.search_text_quick("a circle", 6, blue), app.search_text_quick("a circle", 6, red)
    assert quick is not None and quick.matches and quick.relevant == 0
    assert quick_red is not None and quick_red.relevant > 0
    assert app.search_captions("red", 6, red).relevant == app.search_captions("red", 6).relevant > 0


def test_under_a_filter_a_combined_query_s_likely_matches_are_the_library_s(app: Photoscope) -> None:
    """The review of stop 45: under a folder filter a combined query called photos likely that its
    answer for the whole library did not (its bound, the fewest likely matches any added term has
    alone, was read from what the filter leaves, and the library's set was read without it)."""
    root = Path(app.folders()[0].path)
    ids = {m.photo.path: m.photo.id for m in app.search_text("a circle", 6).matches}
    a_blue = next(i for p, i in ids.items() if "blue" in p)
    a_red = next(i for p, i in ids.items() if "red" in p)
    queries = [
        [QueryTerm(photo=a_blue), QueryTerm(text="red", negative=True)],
        [QueryTerm(photo=a_red), QueryTerm(photo=a_blue)],
        [QueryTerm(text="circle"), QueryTerm(photo=a_blue)],
    ]
    for terms in queries:
        whole = app.search_terms(terms, 6)
        likely = [m.photo.id for m in whole.matches[: whole.relevant]]
        for folder in ("2020", "2023"):
            narrowed = app.search_terms(terms, 6, Filters(folder=root / folder))
            inside = [m.photo.id for m in narrowed.matches[: narrowed.relevant]]
            assert inside == [i for i in likely if i in {m.photo.id for m in narrowed.matches}], (
                terms,
                folder,
            )


def test_under_a_filter_the_caption_index_s_likely_matches_leave_out_what_is_taken_away(
    app: Photoscope,
) -> None:
    """The review of stop 45: the caption index's answer under a filter read the whole library's
    likely matches with the photos whose captions say what is taken away still among them ("a
    without red": the red circles made a cliff below the blue squares, 3 likely where the whole
    library's answer has 1)."""
    root = Path(app.folders()[0].path)
    whole = app.search_captions("a without red", 6)
    likely = [m.photo.id for m in whole.matches[: whole.relevant]]
    narrowed = app.search_captions("a without red", 6, Filters(folder=root / "2023"))
    listed = {m.photo.id for m in narrowed.matches}
    assert [m.photo.id for m in narrowed.matches[: narrowed.relevant]] == [i for i in likely if i in listed]


def test_a_photo_s_thumbnail_is_never_its_edited_photo_s_old_look(
    app: Photoscope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``thumbnail`` (what `photoscope map photos` draws) took the cached thumbnail whatever version of
    the photo it was made from: an edited photo was drawn as it looked before (the code audit of
    stop 46). The window's loader checks the thumbnail's Thumb::MTime; so does the API now."""
    import os

    from photoscope.library.thumbnails import write_thumbnail

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    photo = next(m.photo for m in app.search_text("a red circle", 6).matches if "red 0" in m.photo.path)
    write_thumbnail(Image.new("RGB", (64, 64), "red"), photo.path, photo.mtime)
    assert app.thumbnail(photo.id).getpixel((5, 5))[0] > 200  # the cache answers while current

    Image.new("RGB", (64, 64), "blue").save(photo.path)  # the photo edited; not indexed again yet
    os.utime(photo.path, (photo.mtime + 10, photo.mtime + 10))
    app.scanner().scan()
    edited = app.thumbnail(photo.id)
    assert edited is not None and edited.getpixel((5, 5))[2] > 200 and edited.getpixel((5, 5))[0] < 60


def test_finding_copies_compares_without_holding_the_store(app: Photoscope) -> None:
    """The speed audit of stop 46: the whole pass (30 s at 100,000 photos) held the store's lock, so
    every search, the running app's answers to `photoscope search` and the indexer waited for it."""
    free: list[bool] = []

    def keep_going() -> bool:
        took = app._store_lock.acquire(blocking=False)
        if took:
            app._store_lock.release()
        free.append(took)
        return True

    app.copies(keep_going)
    assert free and all(free)


def test_copies_read_again_are_the_groups_left_without_a_new_pass(
    app: Photoscope, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trashing a copy (or the watcher seeing one moved or deleted) listed the copies again with a
    whole new pass (30 s at 100,000 photos: the speed audit of stop 46); photos moved or gone make
    no new copies, so the listed groups are read again instead."""
    from photoscope.search import duplicates

    listed = app.copies()  # the synthetic shapes: copies of each other by their features
    assert listed.groups and listed.groups[0].count > 1
    first = listed.matches[: listed.groups[0].count]
    monkeypatch.setattr(duplicates, "duplicate_groups", lambda *a, **k: pytest.fail("a new pass"))
    app.remove_photos([first[0].photo.id])
    again = app.copies_again(listed)
    ids = [m.photo.id for m in again.matches]
    assert first[0].photo.id not in ids and len(ids) == len(listed.matches) - 1 - (len(first) == 2)
    assert [g.label for g in again.groups] == [
        f"Group {n}: {g.count} copies of one photo" for n, g in enumerate(again.groups, 1)
    ]


def test_a_copy_of_a_photo_listed_above_is_marked_in_a_text_search(
    trained_tiny: Path, tmp_path: Path
) -> None:
    """Stop 52's Left: a text search listed a photo and its byte-identical copy in another folder
    (a phone backup, an export) as two answers, and nothing said they were one photo."""
    import shutil

    root = tmp_path / "Pictures"
    _save(shape_photo("red", "circle", seed=0), root / "phone" / "circle.jpg", "2020:06:01 10:00:00")
    (root / "backup").mkdir()
    shutil.copy(root / "phone" / "circle.jpg", root / "backup" / "circle.jpg")
    _save(shape_photo("blue", "square", seed=1), root / "square.jpg", "2020:06:02 10:00:00")
    with torch_threads(1), Photoscope(tmp_path / "library.db", trained_tiny) as app:
        app.add_folder(root)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
        for found in (
            app.search_text("a red circle", 6),
            app.search_terms([QueryTerm(text="a red circle")], 6),
        ):
            by_path = {Path(m.photo.path).relative_to(root).as_posix(): m for m in found.matches}
            first, second = sorted(
                ("phone/circle.jpg", "backup/circle.jpg"), key=lambda p: found.matches.index(by_path[p])
            )
            assert by_path[first].copy_of is None and by_path[second].copy_of == by_path[first].photo.id
            assert by_path["square.jpg"].copy_of is None


def test_folders_say_whether_each_is_there_now_not_at_the_last_scan(tmp_path: Path) -> None:
    """Audit 74 (repro_11): `folders list` and `status` said a folder gone since the last scan was
    online, and, the next scan having found it gone, called it offline ("plug it in") once it was
    back: the state the last scan stored, where search already looked."""
    from photos import indexed_folder

    db, root = tmp_path / "library.db", tmp_path / "Pictures"
    indexed_folder(root, db)
    away = tmp_path / "away"
    root.rename(away)
    with Photoscope(db) as app:
        assert [f.online for f in app.folders()] == [False]
        app.scan()
        away.rename(root)
        assert [f.online for f in app.folders()] == [True]


def test_the_folder_filter_lists_subfolders_in_tree_order_whatever_their_case(
    trained_tiny: Path, tmp_path: Path
) -> None:
    """Audit 97 (note): the folder filter listed "Paris 2019" before "a very long trip" and "beach":
    capitals first, as the bytes sort. A folder's own subfolders still follow it."""
    root = tmp_path / "Pictures"
    for i, folder in enumerate(["Paris 2019", "Paris 2019/Louvre", "a trip", "beach", "Zoo"]):
        _save(shape_photo("red", "circle", seed=i), root / folder / f"red {i}.jpg", "2020:06:01 10:00:00")
    with Photoscope(tmp_path / "library.db", trained_tiny) as api:
        api.add_folder(root)
        api.scanner().scan()
        listed = [os.path.relpath(d, root) for d, _, _ in api.folder_choices()]
    assert listed == [".", "a trip", "beach", "Paris 2019", "Paris 2019/Louvre", "Zoo"]
