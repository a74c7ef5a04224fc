"""How far down its answer a short query's likely matches reach (the fresh-seat audit of stop 50:
"a cat" among four cats called a giraffe, an owl and a baseball likely, the score curve's knee
taken with no cliff in the scores): through the last listed photo that shows the query's words to
their judges, the head for the words it judges, the word detectors for the decoder's words."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from photoscope.network.model import PhotoscopeModel
from photoscope.search.results import CLEARLY, likely_count, likely_through


@pytest.fixture(scope="module")
def model(shipped_model_dir: Path) -> PhotoscopeModel:
    return PhotoscopeModel(shipped_model_dir)


def _through(model: PhotoscopeModel, text: str, heads: list[float], detectors: list[float]) -> int | None:
    """The rule over listed photos the head gives ``heads`` and every detector ``detectors``."""

    def seen(words: Sequence[str]) -> list[list[float]]:
        return [[p] * len(words) for p in detectors]

    def shown(classes: Sequence[int]) -> list[float]:
        return heads

    query = model.query_words(text)
    return likely_through(query, model.word_count, 100, model.detector_sight, seen, shown)


def test_an_animal_s_likely_matches_end_with_the_last_photo_the_head_sees_it_in(
    model: PhotoscopeModel,
) -> None:
    heads = [0.9, 0.5, 0.0, CLEARLY, 0.1, 0.0, 0.0]
    sure = [1.0] * len(heads)  # the detectors see a cat everywhere: Flickr8k's animals were dogs
    assert _through(model, "a cat", heads, sure) == 4
    assert _through(model, "a cat", [0.0] * 7, sure) == 0  # none vouched for


def test_a_word_the_decoder_reads_ends_with_the_last_photo_its_detector_sees_it_in(
    model: PhotoscopeModel,
) -> None:
    bar = model.detector_sight("snow")
    assert bar is not None and model.query_words("snow").concepts == []
    detectors = [0.99, bar, bar / 2, 0.0, bar / 3]
    assert _through(model, "snow", [0.0] * 5, detectors) == 2
    # two words: a photo shows the query when it shows both
    assert _through(model, "snow dog", [0.9, 0.9, 0.0, 0.9, 0.9], detectors) == 2


def test_a_long_description_and_unjudged_words_are_left_to_the_curve(model: PhotoscopeModel) -> None:
    assert _through(model, "a black dog runs through the snow", [0.0, 0.9], [0.0, 0.99]) is None  # long
    assert model.detector_sight("qwxz") is None
    assert _through(model, "qwxz", [0.9], [0.9]) == 0  # no judge: no photo vouched for


def test_with_no_photo_vouched_for_only_the_photos_named_are_likely() -> None:
    assert likely_count(12, 0, 4) == 4 and likely_count(3, 0, 4) == 3  # never more than the curve's
    assert likely_count(12, 5, 4) == 9  # the named first, then the rest through the fourth
    assert likely_count(12, 5, 0) == 5  # "wedding" over a folder named so: those alone
    assert likely_count(12, 0, 0) == 12  # nothing named: the curve alone
    assert likely_count(12, 0, None) == 12  # a long description: the curve alone
    assert likely_count(12, 0, 1, copies=3) == 3  # copies are always likely
