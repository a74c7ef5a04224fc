"""Words in folder and file names lift the photos they name, below the watched folder only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from synthetic import shape_photo

from photoscope.api import Photoscope
from photoscope.search import path_words


def test_tokens_split_as_the_index_does() -> None:
    assert path_words.tokens("Paris 2019/IMG_2041.JPG") == ["paris", "2019", "img", "2041", "jpg"]
    assert path_words.tokens("Café-Crème") == ["cafe", "creme"]
    assert path_words.query_words("a dog in the Garden, IMG 2041") == ["dog", "garden", "2041"]


def test_lift_adds_the_bonus_by_share_of_words() -> None:
    ids = np.array([5, 7, 9])
    lifted = path_words.lift(np.array([0.5, 0.4, 0.1]), ids, {7: 1.0, 9: 0.5}, within=0)
    bonus = path_words.PATH_BONUS
    assert np.allclose(lifted, [0.5, 0.4 + bonus, 0.1 + bonus / 2])
    # Among the best ``within``, named photos go first (more words first); below, the bonus.
    lifted = path_words.lift(
        np.array([0.5, 0.4, 0.3, 0.1]), np.array([5, 7, 8, 9]), {8: 0.5, 7: 1.0, 9: 1.0}, within=3
    )
    assert np.argsort(-lifted, kind="stable").tolist() == [1, 2, 0, 3]
    assert float(lifted[3]) == pytest.approx(0.1 + bonus)
    assert path_words.lift(None, ids, {9: 1.0}).tolist() == pytest.approx([0.0, 0.0, bonus])


@pytest.fixture(scope="module")
def named_library(
    trained_tiny: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Photoscope, Path]]:
    """The same photos in two folders named by words, under a watched folder named by a third."""
    root = tmp_path_factory.mktemp("named") / "holiday"
    for place in ("garden", "kitchen"):
        (root / place).mkdir(parents=True)
        for colour, shape in (("red", "circle"), ("blue", "square")):
            for i in range(3):
                shape_photo(colour, shape, seed=20 + i).save(root / place / f"{colour}_{shape}_{i}.jpg")
    with Photoscope(root.parent / "library.db", trained_tiny) as app:
        app.add_folder(root)
        app.scanner().scan()
        app.indexer(thumbnails=False).run()
        yield app, root


def _folders(app: Photoscope, text: str, n: int) -> list[tuple[str, str]]:
    return [
        (Path(m.photo.path).parent.name, Path(m.photo.path).stem) for m in app.search_text(text, n).matches
    ]


def test_a_folder_word_ranks_that_folders_photos_first(named_library: tuple[Photoscope, Path]) -> None:
    app, _ = named_library
    for place in ("garden", "kitchen"):
        top = _folders(app, f"a red circle {place}", 3)
        assert all(folder == place and stem.startswith("red_circle") for folder, stem in top), top
    # Without the word, both folders' red circles come before the squares.
    plain = _folders(app, "a red circle", 6)
    assert {folder for folder, _ in plain} == {"garden", "kitchen"}
    assert all(stem.startswith("red_circle") for _, stem in plain)


def test_the_watched_folders_own_name_lifts_nothing(named_library: tuple[Photoscope, Path]) -> None:
    app, _ = named_library
    roots = [f.path for f in app.folders()]
    matches, named = path_words.path_matches(app.library, "holiday", roots)
    assert matches == {} and named == set()
    matches, named = path_words.path_matches(app.library, "kitchen red", roots)
    assert named == {"kitchen", "red"} and len(matches) == 9  # the kitchen's 6, the garden's 3 red
    assert sorted(matches.values()).count(1.0) == 3  # red photos in the kitchen have both words


def test_a_name_the_network_does_not_know_finds_the_photos_it_names(
    named_library: tuple[Photoscope, Path],
) -> None:
    app, _ = named_library
    result = app.search_text("kitchen", 20)
    assert len(result.matches) == 6 and all("/kitchen/" in m.photo.path for m in result.matches)
    assert result.unknown_words == []  # a folder's name is not an unknown word
