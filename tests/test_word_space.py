"""The shipped network's words: similar words and analogies that a person recognises.

``photoscope words similar dog`` answered "coats, railing, pier, sword, tights" and "snow"
"glasses, seashore, downhill": the decoder's input embeddings, which its GRU reads through a
nonlinearity, hold no plain geometry of meaning (3CosAdd analogies on the shipped model: plural
nouns 0 of 132, "-ing" forms 3 of 90, man/woman pairs 2 of 30). The decoder's output word vectors,
which score each next word by a dot product with its state, do (84, 86 and 17 of them;
``runs/exp/word_analogies.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from photoscope.network import load_lexicon
from photoscope.search.words import UnknownWordError, WordSpace


def test_the_network_s_similar_words_mean_alike(shipped_model_dir: Path) -> None:
    space = WordSpace(load_lexicon(shipped_model_dir))
    near = {w: {s.word for s in space.similar(w, 5)} for w in ("dog", "bike", "snow", "red")}
    assert {"dogs", "puppy"} <= near["dog"], near["dog"]
    assert "bicycle" in near["bike"], near["bike"]
    assert "snowy" in near["snow"], near["snow"]
    assert near["red"] & {"pink", "orange", "blue", "green", "purple"}, near["red"]


def test_the_network_s_analogies_hold(shipped_model_dir: Path) -> None:
    space = WordSpace(load_lexicon(shipped_model_dir))
    assert space.analogy("run", "running", "walk", 1)[0].word == "walking"
    assert space.analogy("ride", "riding", "climb", 1)[0].word == "climbing"
    assert space.analogy("dog", "dogs", "boy", 1)[0].word == "boys"
    assert space.analogy("man", "men", "woman", 1)[0].word == "women"
    assert space.analogy("man", "woman", "boy", 1)[0].word == "girl"


def test_a_word_the_image_encoder_knows_is_not_said_unknown_and_gets_a_broader_word(
    shipped_model_dir: Path,
) -> None:
    """Audit 81 (#2): the Words panel and `words similar castle` said "the model does not know the
    word 'castle' well enough" of a word the same model writes in its captions ("a castle by the
    water") and shows in Looks like: the image encoder's classes are not the caption writer's
    frequent words, which alone have a place among its words. It says so, with a broader word it
    places ("structure" for the castle, "animal" for the camel), or none where it has none."""
    space = WordSpace(load_lexicon(shipped_model_dir))
    for word, broader in (("castle", "structure"), ("camel", "animal"), ("goose", "bird")):
        with pytest.raises(UnknownWordError) as caught:
            space.similar(word, 5)
        said = caught.value.said()
        assert "does not know" not in said and f"'{broader}'" in said, said
        assert "recognises" in said, said
    with pytest.raises(UnknownWordError) as caught:
        space.similar("xyzzyq", 5)
    assert "does not know the word 'xyzzyq'" in caught.value.said()
