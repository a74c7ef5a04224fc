from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from photoscope.library.photos import load_photo
from photoscope.network.encoder import FEATURE_DIM, ImageEncoder, imagenet_classes, top_classes
from photoscope.network.preprocess import INPUT_SIZE, preprocess


@pytest.fixture(scope="module")
def encoder() -> ImageEncoder:
    return ImageEncoder()


def test_real_imagenet_weights_recognise_espresso(encoder: ImageEncoder) -> None:
    out = encoder.encode_images([Image.fromarray(data.coffee())])
    best_class, probability = top_classes(out.logits, k=1)[0][0]
    assert best_class in {"espresso", "cup", "coffee mug"}
    assert probability > 0.5


def test_outputs_features_and_class_scores_per_photo(encoder: ImageEncoder) -> None:
    photos = [
        Image.fromarray(data.astronaut()),
        Image.fromarray(data.chelsea()),
        Image.fromarray(data.coffee()),
    ]
    out = encoder.encode_images(photos)
    assert out.features.shape == (3, FEATURE_DIM)
    assert out.logits.shape == (3, len(imagenet_classes())) == (3, 1000)
    assert "cat" in top_classes(out.logits[1:2], k=3)[0][0][0].lower()


def test_batching_does_not_change_results(encoder: ImageEncoder) -> None:
    photos = [Image.fromarray(data.chelsea()), Image.fromarray(data.coffee())] * 3
    together = encoder.encode_images(photos).features
    alone = torch.cat([encoder.encode_images([p]).features for p in photos])
    assert torch.allclose(together, alone, atol=1e-4)


def test_preprocessing_resizes_whole_photo_to_unit_range() -> None:
    wide = Image.new("RGB", (640, 120), (255, 0, 0))
    wide.paste((0, 0, 255), (600, 0, 640, 120))  # a blue strip at the far right edge survives
    batch = preprocess([wide])
    assert batch.shape == (1, 3, INPUT_SIZE, INPUT_SIZE)
    assert batch.min() >= -1.0 and batch.max() <= 1.0
    assert batch[0, 0, 100, 5] == pytest.approx(1.0) and batch[0, 2, 100, -1] == pytest.approx(1.0)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".tiff"])
def test_exif_orientation_is_applied(tmp_path, suffix: str) -> None:
    """A landscape image stored with "rotate 90" orientation comes out portrait, once: Pillow turns
    a TIFF upright itself as it loads it, and it came out landscape again (audit 84, repro_1)."""
    image = Image.fromarray(np.zeros((100, 300, 3), dtype=np.uint8))
    image.paste((255, 0, 0), (0, 0, 30, 100))  # red at the stored image's left: the top once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / f"rotated{suffix}"
    image.save(path, exif=exif)
    upright = load_photo(path, min_side=16)
    width, height = upright.size  # draft mode, or reduce(), decodes it smaller
    assert abs(height - 3 * width) <= 3 and width >= 16, upright.size
    top, bottom = np.asarray(upright)[: height // 10], np.asarray(upright)[-height // 10 :]
    assert top[..., 0].mean() > 200 and bottom[..., 0].mean() < 50  # turned clockwise: its left on top


def test_a_transparent_photo_is_seen_on_white_not_by_what_its_transparency_hides(tmp_path) -> None:
    """Audit 84 (repro_2): the alpha was dropped, so a black logo on a transparent background (whose
    hidden pixels are black) was solid black, and a half-transparent photo showed what it hid."""
    logo = np.zeros((100, 100, 4), dtype=np.uint8)  # black everywhere, transparent but for a square
    logo[30:70, 30:70, 3] = 255
    path = tmp_path / "logo.png"
    Image.fromarray(logo, "RGBA").save(path)
    pixels = np.asarray(load_photo(path, min_side=16), dtype=np.int16)  # reduced to 17 x 17
    middle = pixels.shape[0] // 2
    assert pixels.shape[2] == 3
    assert pixels[1, 1].min() > 245 and pixels[middle, middle].max() < 10  # white around the square
    faded = np.zeros((100, 100, 4), dtype=np.uint8)
    faded[..., 0], faded[..., 3] = 255, 128  # red at half opacity: pink on white
    Image.fromarray(faded, "RGBA").save(path)
    pink = np.asarray(load_photo(path, min_side=16), dtype=np.int16)[middle, middle]
    assert pink[0] > 245 and 120 < pink[1] < 135 and 120 < pink[2] < 135, pink


def test_the_frozen_graph_is_cached_and_matches_eager_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    from photoscope.config import cache_dir
    from photoscope.network import encoder as encoder_module

    photo = preprocess([Image.fromarray(data.chelsea())])
    first = ImageEncoder()
    frozen_out = first.predict(photo).features
    assert isinstance(first._net, torch.jit.ScriptModule)  # frozen, not the eager fallback
    (cached,) = (cache_dir() / "encoder").glob("*.pt")

    def no_tracing(*_: object) -> None:
        raise AssertionError("traced again although a frozen graph was cached")

    freeze = encoder_module._freeze
    monkeypatch.setattr(encoder_module, "_freeze", no_tracing)
    second = ImageEncoder()
    assert torch.allclose(second.predict(photo).features, frozen_out)
    eager = ImageEncoder(optimize=False).predict(photo).features
    assert torch.allclose(eager, frozen_out, atol=1e-3)  # freezing folds batch norms: rounding only
    monkeypatch.setattr(
        encoder_module, "_freeze", freeze
    )  # not undo(): that would unset the private XDG dirs
    cached.write_bytes(b"damaged")
    third = ImageEncoder()
    assert torch.allclose(third.predict(photo).features, frozen_out)  # traced again, cache replaced
    assert cached.stat().st_size > 1_000_000


@pytest.mark.parametrize("suffix", [".png", ".tiff"])
def test_a_16_bit_greyscale_photo_is_read_as_its_greys(tmp_path, suffix: str) -> None:
    """The audit of stop 39: 16-bit greyscale PNG and TIFF (scanners write them) came out plain
    white (their 0-65535 values clipped at 255), captioned "a photo" and matched to white images."""
    ramp = np.tile(np.linspace(0, 65535, 200).astype(np.uint16), (100, 1))  # black to white
    path = tmp_path / f"grey16{suffix}"
    Image.fromarray(ramp).save(path)
    eight = tmp_path / "grey8.png"
    Image.fromarray((ramp // 257).astype(np.uint8)).save(eight)
    pixels = np.asarray(load_photo(path, min_side=16), dtype=np.int16)
    assert pixels.shape[2] == 3 and pixels[:, 0].mean() < 10 and pixels[:, -1].mean() > 245
    assert np.abs(pixels - np.asarray(load_photo(eight, min_side=16), dtype=np.int16)).max() <= 1
    # scaled by the file's depth, not by its brightest pixel (the review: a dark one came out bright)
    dark = tmp_path / f"dark16{suffix}"
    Image.fromarray((ramp // 257).astype(np.uint16)).save(dark)  # 16 bits holding 0-255: near black
    assert np.asarray(load_photo(dark, min_side=16)).max() <= 1


def test_a_float_greyscale_photo_of_0_to_1_is_read_as_its_greys(tmp_path) -> None:
    path = tmp_path / "grey.tiff"
    Image.fromarray(np.full((50, 50), 0.5, np.float32)).save(path)  # "F" mode, half grey
    assert np.asarray(load_photo(path, min_side=16)).mean() == pytest.approx(128, abs=1)


@pytest.mark.parametrize(
    ("suffix", "mode"), [(".gif", "P"), (".png", "P"), (".png", "P, transparent"), (".png", "1")]
)
def test_a_large_palette_or_black_and_white_photo_is_read_in_its_colours(
    tmp_path, suffix: str, mode: str
) -> None:
    """The fresh-seat audit of stop 53: any GIF, palette PNG or black-and-white PNG over about 450
    pixels was refused as "truncated or corrupt" (PIL's reduce() has no palette or 1-bit mode), so
    it never entered the index; and a palette's indices must not be averaged as if they were greys."""
    left, right = ((0, 0, 0), (255, 255, 255)) if mode == "1" else ((200, 30, 30), (30, 30, 200))
    picture = Image.new("RGB", (1200, 600), left)
    picture.paste(right, (600, 0, 1200, 600))
    path = tmp_path / f"two colours{suffix}"
    if mode == "1":
        picture.convert("1").save(path)
    else:
        extra = {"transparency": 3} if mode == "P, transparent" else {}
        picture.quantize(4).save(path, **extra)
    with Image.open(path) as saved:
        assert saved.mode == mode[0]
    pixels = np.asarray(load_photo(path, min_side=224), dtype=np.int16)
    assert pixels.shape[2] == 3 and min(pixels.shape[:2]) >= 224
    assert np.abs(pixels[:, :50].mean((0, 1)) - left).max() < 8
    assert np.abs(pixels[:, -50:].mean((0, 1)) - right).max() < 8
