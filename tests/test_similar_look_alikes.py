"""Find similar says when no photo looks like the one asked about (the honest-results rule): a photo
of a cat in a library of coloured shapes listed its closest shapes as "likely matches", since the
likely ones were read from the score curve's knee and a curve always has a top. A listed photo is a
likely match only when it looks like the query photo (``search.results.LOOKS_ALIKE``); copies of it
always are."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from cli_support import run
from PIL import Image
from skimage import data
from synthetic import shape_photo

from photoscope.api import IndexOptions, Photoscope
from photoscope.network import torch_threads
from photoscope.search.results import LOOKS_ALIKE
from photoscope.wording import NO_LOOK_ALIKE_NOTE

CLOSEST_LOOKS = "Photoscope sees no photo that clearly looks like this one: these are its closest guesses"


def _cat() -> Image.Image:
    return Image.fromarray(data.chelsea()).convert("RGB")


@pytest.fixture(scope="module")
def cat_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real photo of a cat, outside every library."""
    path = tmp_path_factory.mktemp("query") / "cat.png"
    _cat().save(path)
    return path


@pytest.fixture(scope="module")
def cat_library(trained_tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of a few shapes and the cat's mirror image (a copy: feature cosine 0.98 to it), and
    one of a crop of it (the same cat framed closer, 0.86: a look-alike, not a copy), indexed for
    real: the database."""
    root = tmp_path_factory.mktemp("cats")
    photos = root / "Photos"
    (photos / "Shapes").mkdir(parents=True)
    (photos / "Cats").mkdir()
    for colour in ("red", "blue"):
        for shape in ("circle", "square"):
            shape_photo(colour, shape, seed=3).save(photos / "Shapes" / f"{colour} {shape}.jpg")
    cat = _cat()
    w, h = cat.size
    cat.crop((int(w * 0.2), int(h * 0.1), int(w * 0.8), int(h * 0.9))).save(photos / "Cats" / "cat crop.jpg")
    mirrored = cat.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    mirrored.save(photos / "Shapes" / "cat mirrored.jpg", quality=90)
    db = root / "library.db"
    with torch_threads(1), Photoscope(db, trained_tiny) as app:
        app.add_folder(photos)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
    return db


def _names(results) -> list[str]:
    return [Path(m.photo.path).name for m in results.matches]


def test_a_photo_nothing_looks_like_has_no_likely_match(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, cat_file: Path
) -> None:
    """A cat among 24 coloured shapes: the shapes are listed, as the closest guesses, none likely."""
    with torch_threads(1), Photoscope(shapes_library_db[0], trained_tiny) as app:
        unlike = app.search_photo(cat_file, 10)
        assert len(unlike.matches) == 10 and all(m.score < LOOKS_ALIKE for m in unlike.matches)
        assert unlike.relevant == 0
        assert unlike.no_look_alike and unlike.guesses
        # a shape of the library has look-alikes there: its likely matches stay
        shape = app.similar_to(unlike.matches[0].photo.id, 10)
        assert shape.relevant > 0 and not shape.no_look_alike and not shape.guesses
        assert all(m.score >= LOOKS_ALIKE for m in shape.matches[: shape.relevant])


def test_a_look_alike_stays_likely_and_copies_always_do(
    cat_library: Path, trained_tiny: Path, cat_file: Path
) -> None:
    with torch_threads(1), Photoscope(cat_library, trained_tiny) as app:
        found = app.search_photo(cat_file, 6)
        assert _names(found)[:2] == ["cat mirrored.jpg", "cat crop.jpg"]
        assert [m.near_duplicate for m in found.matches[:2]] == [True, False]
        assert found.relevant == 2 and not found.no_look_alike and not found.guesses
        # from the crop (a library photo): the mirrored cat looks like it; the shapes do not
        crop = next(m.photo.id for m in found.matches if m.photo.path.endswith("cat crop.jpg"))
        alike = app.similar_to(crop, 6)
        assert _names(alike)[0] == "cat mirrored.jpg" and alike.relevant == 1 and not alike.no_look_alike
        # a copy stays likely with nothing else like the photo beside it (its folder: shapes)
        mirrored = next(m.photo.id for m in found.matches if m.near_duplicate)
        copy = app.search_photo(cat_file, 6, _folder_of(app, mirrored))
        assert _names(copy)[0] == "cat mirrored.jpg" and len(copy.matches) == 5
        assert copy.relevant == 1 and not copy.no_look_alike and not copy.guesses


def _folder_of(app: Photoscope, photo_id: int):
    """A filter that keeps one photo's folder."""
    from photoscope.api import Filters

    (record,) = app.library.photos_by_ids([photo_id])
    return Filters(folder=str(Path(record.path).parent))


def test_similar_on_the_command_line_says_they_are_the_closest_looks(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, cat_file: Path, capsys
) -> None:
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    code, out, err = run(capsys, "similar", str(cat_file), "-n", "5", "--json", *common)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 5 and not any(r["likely"] for r in rows)
    assert f"note: {CLOSEST_LOOKS}" in err.splitlines()
    assert "likely match" not in err  # not "none of these is a likely match … within the filter"
    code, out, err = run(capsys, "similar", str(cat_file), "-n", "5", *common)
    assert code == 0 and len(out.splitlines()) == 5 and f"note: {CLOSEST_LOOKS}" in err.splitlines()


def test_similar_on_the_command_line_keeps_a_look_alike_likely(
    cat_library: Path, trained_tiny: Path, cat_file: Path, capsys
) -> None:
    common = ("--db", str(cat_library), "--model", str(trained_tiny))
    code, out, err = run(capsys, "similar", str(cat_file), "--json", *common)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["likely"] for r in rows] == [True, True, False, False, False, False]
    assert rows[0]["near_duplicate"] and not rows[1]["near_duplicate"]
    assert "clearly looks like" not in err
    assert "note: the first 2 are likely matches; the rest are weaker" in err


def test_the_window_counts_and_says_the_closest_looks() -> None:
    """The window's label and note read the API's answer (no rule of their own)."""
    from types import SimpleNamespace

    from photoscope.api import Results
    from photoscope.gui.wording import results_count, results_message

    listed = [SimpleNamespace(near_duplicate=False) for _ in range(4)]
    unlike = Results(listed, [], relevant=0, no_look_alike=True)  # type: ignore[arg-type]
    assert NO_LOOK_ALIKE_NOTE == CLOSEST_LOOKS
    assert results_count(unlike) == "4 closest guesses"
    assert results_message(unlike) == f"{CLOSEST_LOOKS}."


def test_the_rule_counts_the_photos_that_look_alike_and_always_the_copies() -> None:
    from photoscope.api.scoring import looking_alike

    assert looking_alike([0.9, 0.7, LOOKS_ALIKE, LOOKS_ALIKE - 0.01, 0.3]) == 3
    assert looking_alike([0.3, 0.2]) == 0 and looking_alike([]) == 0
    assert looking_alike([0.99, 0.98, 0.5], copies=2, bar=1.0) == 2  # copies whatever the bar


def test_words_added_to_a_photo_nothing_looks_like_leave_no_likely_match(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, cat_file: Path
) -> None:
    """The fresh-seat audit of stop 50: `similar dog.jpg` said no photo looks like it, and `similar
    dog.jpg --add "at night"` said "all 5 are likely matches" (pyramids, swans): a combined query has
    no more likely matches than its photo has alone. The photo twice was "all likely" too."""
    from photoscope.api import QueryTerm

    with torch_threads(1), Photoscope(shapes_library_db[0], trained_tiny) as app:
        photo = QueryTerm(photo=str(cat_file))
        for terms in ([photo, QueryTerm(text="a white background")], [photo, photo]):
            found = app.search_terms(terms, 10)
            assert found.matches and found.relevant == 0, terms
            assert found.no_look_alike and found.guesses, terms
        # a library photo that has look-alikes keeps its likely matches beside words that have some
        # alone ("a white background" has none alone here, nor beside a photo: the audit of stop 58)
        shape = app.search_terms([QueryTerm(text="a red square")], 10).matches[0].photo.id
        kept = app.search_terms([QueryTerm(photo=shape), QueryTerm(text="red")], 10)
        assert kept.relevant > 0 and not kept.no_look_alike


def test_a_combined_query_names_the_photo_nothing_looks_like(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, cat_file: Path, capsys
) -> None:
    """The fresh-seat audit of stop 56: "a dog" + cat.jpg + kitten.jpg said "sees no photo that
    clearly looks like this one", naming none of the query's photos."""
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    shape = photos / "red circle 0.jpg"
    argv = (
        "search",
        "a white background",
        "--add-photo",
        str(shape),
        "--add-photo",
        str(cat_file),
        "-n",
        "5",
    )
    code, _, err = run(capsys, *argv, *common)
    # audit 80: "besides copies" was said where the library holds no copy of the photo
    unlike = f"note: Photoscope sees no photo that clearly looks like {cat_file}: these are its closest"
    assert code == 0 and f"{unlike} guesses" in err.splitlines(), err
    assert CLOSEST_LOOKS not in err


def test_a_library_photo_searched_by_beside_words_is_said_to_be_left_out(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, capsys
) -> None:
    """The fresh-seat audit of stop 56: `search "a cup" --add-photo cup.jpg` listed every photo but
    the cup, its best match, and said nothing of it."""
    db, photos = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    shape = photos / "red circle 0.jpg"
    code, out, err = run(
        capsys, "search", "a white background", "--add-photo", str(shape), "-n", "5", *common
    )
    assert code == 0 and shape.name not in out
    said = f"note: {shape} is not listed: it is one of the photos searched by"
    assert said in err.splitlines(), err
    code, out, err = run(capsys, "similar", str(shape), "-n", "5", *common)  # by itself: plain
    assert code == 0 and "searched by" not in err


def test_the_window_names_the_photo_chip_nothing_looks_like_and_the_photos_not_listed() -> None:
    """The fresh-seat audit of stop 56, in the window: the chips' note said "this one" of a query
    with two photos, and nothing of the library photo searched by that the results leave out."""
    from types import SimpleNamespace

    from photoscope.api import Results
    from photoscope.gui.wording import results_message

    unlike = Results(
        [SimpleNamespace(near_duplicate=at == 0) for at in range(4)],  # type: ignore[misc]
        [],
        relevant=0,
        no_look_alike=True,
        photo_unlike=(False, True),
        searched_by=("/p/cup.jpg",),
    )
    said = results_message(unlike)
    assert (
        "Photoscope sees no photo besides copies that clearly looks like the second photo: these are its"
        " closest" in said
    )
    assert "cup.jpg is not listed: it is one of the photos searched by." in said
    # audit 80: copies are said only where some are listed (the first was one)
    uncopied = replace(unlike, matches=[SimpleNamespace(near_duplicate=False) for _ in range(4)])
    assert "no photo that clearly looks like the second photo:" in results_message(uncopied)


def test_a_photo_given_twice_is_named_once_and_said_to_count_twice(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, cat_file: Path, capsys
) -> None:
    """The CLI audit of stop 56: `similar cat.jpg --add-photo cat.jpg` counted the photo twice,
    unsaid, and its note read "no photo that clearly looks like cat.jpg or like cat.jpg"."""
    db, _ = shapes_library_db
    common = ("--db", str(db), "--model", str(trained_tiny))
    code, _, err = run(capsys, "similar", str(cat_file), "--add-photo", str(cat_file), "-n", "5", *common)
    lines = err.splitlines()
    assert code == 0 and f"note: {cat_file.name} is given twice: it counts twice" in lines, err
    # as the photo alone says it (audit 100, repro_3: the same photo twice is the photo alone)
    unlike = "note: Photoscope sees no photo that clearly looks like this one: these are its closest"
    assert f"{unlike} guesses" in lines and "or like" not in err, err
    code, _, err = run(capsys, "search", "a red square", "--add", "the red square", *common)
    assert code == 0 and "note: 'a red square' is given twice: it counts twice" in err.splitlines(), err
    code, _, err = run(capsys, "search", "a red square", "--add", "a white background", *common)
    assert code == 0 and "given twice" not in err
    # audit 100 (repro_2): at another weight, the second copy does not count as much as the first
    code, _, err = run(
        capsys, "search", "a red square", "--add", "the red square", "--weight", "0.5", *common
    )
    said = "note: 'a red square' is given twice: its weights add up to 1.5"
    assert code == 0 and said in err.splitlines() and "counts twice" not in err, err


def test_a_photo_given_twice_gets_the_verdict_of_the_photo_alone(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, cat_file: Path, capsys, monkeypatch
) -> None:
    """Audit 100 (repro_3): `similar X --add-photo X` ranked as `similar X` yet called photos likely
    that `similar X` did not: the combined query's looser bar for an added photo's look-alikes (0.5,
    not 0.626) judged it. The same photo given twice is the photo alone, verdict and all. (Every
    photo looks alike to an added photo here, so the two bars cannot agree by chance.)"""
    from photoscope.search import results

    monkeypatch.setattr(results, "ADDED_PHOTO_LOOKS_ALIKE", -1.0)
    db, _ = shapes_library_db
    common = ("-n", "5", "--json", "--db", str(db), "--model", str(trained_tiny))
    alone = run(capsys, "similar", str(cat_file), *common)[1]
    twice = run(capsys, "similar", str(cat_file), "--add-photo", str(cat_file), *common)[1]
    verdicts = [[json.loads(row)["likely"] for row in out.splitlines()] for out in (alone, twice)]
    assert verdicts[0] and verdicts[1] == verdicts[0], verdicts


def test_the_window_says_a_chip_given_twice_counts_twice() -> None:
    from types import SimpleNamespace

    from photoscope.api import Repeat, Results
    from photoscope.gui.wording import results_message

    twice = Results(
        [SimpleNamespace()], [], relevant=1, repeated=(Repeat("a cat", True, 2), Repeat("cat.jpg", False, 2))
    )  # type: ignore[list-item]
    assert "“a cat” and cat.jpg are each given twice: each counts twice." in results_message(twice)
