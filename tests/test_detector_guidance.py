"""The word detectors guide the caption beam (issue #21): a content word the detectors do not see
in the photo is held back, a word they see and the sentence's grammar are left alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from photoscope.network.caption_check import CaptionRule
from photoscope.network.model import DecodeOptions, PhotoscopeModel
from photoscope.network.word_probes import load_word_probes

UNRULED = DecodeOptions(rule=CaptionRule(enabled=False))


@pytest.fixture(scope="module")
def model(shipped_model_dir: Path) -> PhotoscopeModel:
    return PhotoscopeModel(shipped_model_dir)


def _feature_along(word: str, sign: float) -> torch.Tensor:
    """A unit 1280-d feature on (``sign`` 1) or against (-1) the detector of ``word``."""
    probes = load_word_probes()
    row = torch.from_numpy(probes.weight[probes.index[word]].copy())
    return (sign * row / row.norm()).unsqueeze(0)


def _bias(
    model: PhotoscopeModel, feature: torch.Tensor, word: str, options: DecodeOptions = UNRULED
) -> float:
    guidance = model.detector_guidance(feature, options)
    assert guidance is not None
    return float(guidance[0, model.bundle.vocab.index(word)])


def test_a_word_the_detectors_do_not_see_is_held_back_by_log_floor_over_p(model: PhotoscopeModel) -> None:
    no_dog = _feature_along("dog", -1.0)
    p = float(torch.sigmoid(model.word_log_odds(["dog"], no_dog))[0, 0])
    assert p < 0.01
    expected = UNRULED.guidance * (np.log(p) - np.log(UNRULED.guidance_floor))
    assert _bias(model, no_dog, "dog") == pytest.approx(expected, rel=1e-4)
    assert _bias(model, no_dog, "dogs") == pytest.approx(expected, rel=1e-4)  # the plural's detector
    # Seen words and the grammar go free.
    dog = _feature_along("dog", 1.0)
    assert float(torch.sigmoid(model.word_log_odds(["dog"], dog))[0, 0]) > UNRULED.guidance_floor
    assert _bias(model, dog, "dog") == 0.0
    for word in ("a", "the", "is", "in"):
        assert _bias(model, no_dog, word) == 0.0
    # A weight twice as large holds back twice as much; 0 turns the guidance off.
    assert _bias(model, no_dog, "dog", replace(UNRULED, guidance=1.6)) == pytest.approx(
        2 * expected, rel=1e-4
    )
    assert model.detector_guidance(no_dog, replace(UNRULED, guidance=0.0)) is None


def test_the_guided_caption_drops_the_word_its_detector_does_not_see(model: PhotoscopeModel) -> None:
    """The same latent, a dog's: with a feature the dog detector sees, the caption has its dog;
    with one it does not, the beam writes another sentence."""
    dog = _feature_along("dog", 1.0)
    with torch.inference_mode():
        latent = model.bundle.network.latent(dog * 40)
    unguided = replace(UNRULED, guidance=0.0)
    plain = model.describe_vectors(dog, latent, unguided)[0].text
    assert "dog" in plain.split()
    assert model.describe_vectors(dog, latent, UNRULED)[0].text.split().count("dog") >= 1
    guided = model.describe_vectors(_feature_along("dog", -1.0), latent, UNRULED)[0].text
    assert "dog" not in guided.split() and "dogs" not in guided.split()


def test_a_model_trained_on_other_captions_has_no_detectors(trained_tiny: Path) -> None:
    """The detectors learned Flickr8k's words: a model trained on drawn shapes, whose "red" and
    "circle" mean other things, is neither guided by them nor searched with them (guided, its
    captions of its own shapes fell from BLEU-4 0.3+ to 0.03)."""
    tiny = PhotoscopeModel(trained_tiny)
    assert not tiny.bundle.training_data.startswith("flickr8k")
    assert tiny.detector_word("red") is None and tiny.detector_word("dog") is None
    assert tiny.detector_guidance(_feature_along("dog", -1.0), UNRULED) is None


def test_the_detectors_serve_the_models_trained_on_their_dataset() -> None:
    from photoscope.network.word_probes import dataset_name

    assert load_word_probes().dataset == "flickr8k"
    assert dataset_name("flickr8k (7091 photos)") == "flickr8k" == dataset_name("Flickr8k")
    assert dataset_name("shapes (48 photos)") == "shapes"
