"""The open-world evaluation's figures (training.open_world) on photos made from the head's own
class rows: own-photo ranks, and whether the first answer shows what was asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photoscope.network.concepts import load_concepts
from photoscope.network.encoder import imagenet_head
from photoscope.network.model import PhotoscopeModel
from photoscope.training.open_world import OpenWorldPhoto, evaluate_open_world, sought


@pytest.fixture(scope="module")
def model(shipped_model_dir: Path) -> PhotoscopeModel:
    return PhotoscopeModel(shipped_model_dir)


def _feature(name: str, scale: float) -> np.ndarray:
    """A 1280-d feature the head reads as the class ``name`` (its classifier row, scaled)."""
    weight, _ = imagenet_head()
    row = weight[load_concepts().names.index(name)]
    return (scale * 20 * row / row.norm()).numpy()


def _photo(query: str, *words: str) -> OpenWorldPhoto:
    return OpenWorldPhoto(f"{query}.jpg", query, words, frozenset())


def test_the_phrase_a_query_asks_for_is_its_words_without_the_article() -> None:
    assert sought("a castle") == {"castle", "castles"}
    assert sought("chickens") == {"chickens", "chicken"}
    assert sought("the eiffel tower") == {"eiffel tower", "eiffel towers"}


def test_a_first_answer_that_shows_what_was_asked_counts_though_it_is_another_photo(
    model: PhotoscopeModel,
) -> None:
    # Two castles asked for alike: one query's own photo cannot be first, yet both first answers
    # are castles. A hen of the distractors, surer than the dev set's own, is the first answer to
    # "chickens" and shows chickens by its caption; the espresso is its own first answer.
    photos = [
        _photo("a castle", "castle"),
        _photo("a castle", "castle", "lake"),
        _photo("chickens", "chicken"),
    ]
    photos.append(_photo("an espresso", "espresso", "cup"))
    features = np.stack(
        [_feature("castle", 1.0), _feature("castle", 0.9), _feature("hen", 0.5), _feature("espresso", 1.0)]
    )
    distractors = np.stack([_feature("hen", 1.5), _feature("German shepherd", 1.0)])
    captions = [["A chicken pecks in the mulch .", "A hen outside ."], ["A dog runs ."]]
    metrics, results, _ = evaluate_open_world(
        model, photos, features, distractors, captions=False, distractor_captions=captions
    )
    assert [r.rank == 0 for r in results].count(True) < 4  # a castle and the chicken miss first
    assert results[3].rank == 0 and all(r.first_shows_it for r in results)
    assert metrics["first_shows_it"] == 100.0 and metrics["top1"] < 100.0
    # without the distractors' captions, a distractor shows nothing
    _, blind, _ = evaluate_open_world(model, photos, features, distractors, captions=False)
    assert not blind[2].first_shows_it and blind[0].first_shows_it


def test_a_photo_s_rank_among_others_leaves_out_the_photos_above_it_that_show_what_was_asked(
    model: PhotoscopeModel,
) -> None:
    """The issue's own-photo rank counts six castles above a seventh as six misses; the rank among
    others counts only the photos above it that do not show what was asked (a dog above a castle)."""
    photos = [_photo("a castle", "castle") for _ in range(3)] + [_photo("a dog", "dog")]
    castle_rows = [_feature("castle", scale) for scale in (1.2, 1.1, 0.4)]
    features = np.stack([*castle_rows, _feature("German shepherd", 1.0)])
    metrics, results, _ = evaluate_open_world(model, photos, features, captions=False)
    castles = sorted(results[:3], key=lambda r: r.rank)
    assert [r.rank for r in castles] == [0, 1, 2]
    assert [r.rank_among_others for r in castles] == [0, 0, 0]
    assert metrics["top1_among_others"] == 100.0 and metrics["top1"] == 50.0
    # a photo whose caption does not say castle, as castle-like as the first (ties count against),
    # counts against each of them
    first = next(i for i, r in enumerate(results) if r.rank == 0 and i < 3)
    distractors = features[first : first + 1].copy()
    captions = [["A stone wall ."]]
    _, with_one, _ = evaluate_open_world(
        model, photos, features, distractors, captions=False, distractor_captions=captions
    )
    assert [r.rank_among_others for r in with_one[:3]] == [1, 1, 1]


def test_category_queries_are_the_labels_hypernyms_searched_among_the_photos(model: PhotoscopeModel) -> None:
    """ "a bird" finds the three photos labelled bird (and no other) first: average precision 1;
    "castle" (one class) and "lake" (no concept) are no categories, nor is a word two photos use."""
    photos = [
        _photo("an eagle", "eagle", "bird", "animal"),
        _photo("a goose", "goose", "bird", "animal"),
        _photo("a heron", "heron", "birds"),
        _photo("a castle", "castle", "lake"),
        _photo("a dog", "dog", "animal"),
        _photo("an espresso", "espresso", "cup"),
    ]
    names = ["bald eagle", "goose", "little blue heron", "castle", "German shepherd", "espresso"]
    features = np.stack([_feature(name, 1.0) for name in names])
    metrics, _, categories = evaluate_open_world(model, photos, features, captions=False)
    assert [c.query for c in categories] == ["an animal", "a bird"]
    bird = categories[1]
    assert bird.relevant == 3 and bird.average_precision == 1.0 and bird.precision10 == pytest.approx(0.3)
    assert metrics["categories"] == 2.0
    assert metrics["category_map"] == pytest.approx(100 * (categories[0].average_precision + 1.0) / 2)
