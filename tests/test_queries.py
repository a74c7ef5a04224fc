"""``Query``: which search answers the search bar, and how the status bar names it (no Qt, no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from photoscope.api import Filters, PhotoCounts, Query, QueryTerm


class _App:
    """Records which search a query calls, as ``Photoscope`` would answer it."""

    def __init__(self, model_ready: bool = True) -> None:
        self.model_ready = model_ready
        self.calls: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda first, *rest: self.calls.append((name, first))

    def photo_counts(self) -> PhotoCounts:
        return PhotoCounts(indexed=1)  # none waits to be indexed (``Results.waiting``)


def _run(query: Query, app: _App | None = None) -> tuple[str, Any]:
    app = app or _App()
    query.run(app)  # type: ignore[arg-type]
    return app.calls[-1]


def test_the_part_that_answers_and_its_description() -> None:
    words = Query(text="a red car")
    assert _run(words) == ("search_text", "a red car") and words.describe() == "“a red car”"
    photo = Query(photo="/photos/IMG_1.jpg")
    assert _run(photo) == ("search_photo", "/photos/IMG_1.jpg")
    assert photo.describe() == "photos like IMG_1.jpg"
    # Words beside a photo join it ("this photo, but at night"): the #17 audit of stop 44.
    beside = Query(text="at night", photo="/photos/IMG_1.jpg")
    terms = [QueryTerm(photo="/photos/IMG_1.jpg"), QueryTerm(text="at night")]
    assert (
        _run(beside) == ("search_terms", terms) and beside.describe() == "photos like IMG_1.jpg + “at night”"
    )
    similar_beside = Query(text="at night", photo="/photos/IMG_2.jpg", similar=(7, "/photos/IMG_2.jpg"))
    assert _run(similar_beside) == ("search_terms", [QueryTerm(photo=7), QueryTerm(text="at night")])
    assert similar_beside.describe() == "photos like IMG_2.jpg + “at night”"
    pasted = Query(photo=Image.new("RGB", (4, 4)))
    assert pasted.describe() == "photos like the pasted image"
    similar = Query(photo="/photos/IMG_2.jpg", similar=(7, "/photos/IMG_2.jpg"))
    assert _run(similar) == ("similar_to", 7) and similar.describe() == "photos like IMG_2.jpg"
    chips = (QueryTerm(text="people", weight=2, negative=True),)
    combined = Query(text="beach", terms=chips)
    assert _run(combined) == ("search_terms", [QueryTerm(text="beach"), *chips])
    assert combined.describe() == "“beach” \N{MINUS SIGN} 2\N{MULTIPLICATION SIGN} “people”"
    assert Query(similar=(7, "x.jpg"), terms=chips).all_terms()[0] == QueryTerm(photo=7)


def test_empty_and_the_caption_index_first_only_for_words_before_the_network() -> None:
    assert Query(filters=Filters(folder="/photos")).empty and not Query(text="dog").empty
    loading, ready = _App(model_ready=False), _App(model_ready=True)
    assert Query(text="dog").wants_first_answer(loading)  # type: ignore[arg-type]
    assert not Query(text="dog").wants_first_answer(ready)  # type: ignore[arg-type]
    assert not Query(text="dog", photo="x.jpg").wants_first_answer(loading)  # type: ignore[arg-type]
    Query(text="dog", limit=5).run_on_captions(loading)  # type: ignore[arg-type]
    assert loading.calls == [("search_captions", "dog")]


def test_a_typed_or_pasted_path_is_read_as_the_file_it_names(tmp_path, monkeypatch) -> None:
    from photoscope.api import is_photo_file, typed_path

    monkeypatch.setenv("HOME", str(tmp_path))
    photo = tmp_path / "Holiday 2019" / "beach.JPG"
    photo.parent.mkdir()
    photo.write_bytes(b"\xff\xd8\xff")
    assert typed_path(f" '{photo}' ") == photo  # quoted, as a terminal copies it
    assert typed_path(f'"{photo}"') == photo
    assert typed_path("file:///tmp/Holiday%202019/beach.jpg") == Path("/tmp/Holiday 2019/beach.jpg")
    assert typed_path("file://localhost/tmp/a.jpg") == Path("/tmp/a.jpg")
    assert typed_path("~/Holiday 2019/beach.JPG") == photo
    for words in ("a dog on the beach", "photos/beach.jpg", "file://server/share/a.jpg", f"{photo}\n{photo}"):
        assert typed_path(words) is None, words
    assert is_photo_file(photo) and not is_photo_file(tmp_path / "gone.jpg")
    (tmp_path / "notes.txt").write_text("x")
    assert not is_photo_file(tmp_path / "notes.txt")


def test_a_long_description_is_quoted_by_its_start_and_end() -> None:
    """The GUI walk of stop 42: a long query's status line ran out at “a happy little … whi…”, the
    count's time cut off with it."""
    long = "a happy little white dog with a red ball running on the green grass of a park"
    described = Query(text=long).describe()
    assert described == "“a happy little white dog … of a park”" and len(described) < 50
    assert Query(text="a dog on the beach").describe() == "“a dog on the beach”"
    terms = Query(text=long, terms=(QueryTerm(text="people", negative=True),)).describe()
    assert terms.startswith("“a happy little white dog … of a park”") and terms.endswith("“people”")
