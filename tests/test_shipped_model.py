"""The shipped bundle on real photos that scikit-image ships (skipped if the bundle is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image
from skimage import data

from photoscope.cli import main
from photoscope.network.model import PhotoscopeModel

PEOPLE = {"man", "woman", "person", "boy", "girl", "lady", "people", "men", "women"}
# scikit-image sample -> words a sensible caption of it uses (the model only knows Flickr8k's words)
EXPECTED = {
    "astronaut": PEOPLE,
    "camera": PEOPLE,
    "chelsea": {"dog", "cat", "animal", "puppy", "kitten"},
}


@pytest.fixture(scope="module")
def shipped(shipped_model_dir: Path) -> PhotoscopeModel:
    return PhotoscopeModel(shipped_model_dir)


def _photo(name: str) -> Image.Image:
    return Image.fromarray(getattr(data, name)()).convert("RGB")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_captions_real_photos_with_sensible_words(shipped: PhotoscopeModel, name: str) -> None:
    latent = shipped.embed([_photo(name)])[0].latent
    caption = shipped.caption(latent.unsqueeze(0))[0]
    assert set(caption.text.split()) & EXPECTED[name], caption.text


def test_bundle_carries_its_validation_metrics(shipped: PhotoscopeModel) -> None:
    metrics = shipped.bundle.metrics
    # Val figures of the captions as the app writes them (`photoscope evaluate captions`), and of the
    # text encoder alone at training: the caption issue's targets, and a floor for search.
    assert metrics["bleu4"] >= 0.20 and metrics["cider"] >= 0.50 and metrics["r10"] > 50
    assert "flickr8k" in shipped.bundle.training_data


def test_caption_command_prints_one_line_per_photo(tmp_path: Path, capsys) -> None:
    good = tmp_path / "astronaut ✓.png"
    _photo("astronaut").save(good)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a photo")
    assert main(["caption", str(good), str(broken), "--scores"]) == 1  # one photo failed
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(str(good))
    assert float(lines[0].split("\t")[2]) <= 0
    assert (
        "broken.jpg: not an image, or an image format Photoscope cannot read" in err
    )  # one line, no traceback


def test_mirror_averaging_changes_only_the_latent(shipped: PhotoscopeModel) -> None:
    photo = _photo("astronaut")
    plain, mirrored = shipped.embed([photo])[0], shipped.embed([photo], mirror=True)[0]
    assert torch.allclose(plain.feature, mirrored.feature, atol=1e-4)
    assert not torch.equal(plain.latent, mirrored.latent)
