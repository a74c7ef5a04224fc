"""An upgrade to a model on the same encoder adopts the stored vectors (issue #21): every photo's
latent comes from its stored feature, no photo is decoded, search finds them at once and the
captions are written again from the vectors. A model on another encoder encodes them again."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import torch
from PIL import Image

from photoscope.api import Photoscope
from photoscope.network.bundle import load_bundle, save_bundle
from photoscope.network.model import PhotoscopeModel


@pytest.fixture(scope="module")
def retrained(trained_tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trained tiny bundle with another projection: a new model version on the same encoder."""
    bundle = load_bundle(trained_tiny)
    with torch.no_grad():
        for weight in bundle.network.project.parameters():
            weight.mul_(-1.5)
    return save_bundle(bundle, tmp_path_factory.mktemp("retrained"))


@pytest.fixture
def library(shapes_library_db: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the indexed shapes library (database and photos) this test may change."""
    db, photos = shapes_library_db
    shutil.copytree(photos, tmp_path / "Photos")
    shutil.copy(db, tmp_path / "library.db")
    with sqlite3.connect(tmp_path / "library.db") as conn:  # the paths, to the copy
        for table in ("photos", "folders"):
            conn.execute(
                f"UPDATE {table} SET path = replace(path, ?, ?)", (str(photos), str(tmp_path / "Photos"))
            )
    conn.close()
    return tmp_path / "library.db", tmp_path / "Photos"


def _forget_encoders(db: Path) -> None:
    """The library as one from before models recorded their encoder: it is measured instead."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM settings WHERE key LIKE 'encoder of %'")
    conn.close()


class NoDecoding(PhotoscopeModel):
    """The retrained model, counting the photos it encodes."""

    encoded = 0

    def features_of(self, photos: Sequence[Image.Image]) -> npt.NDArray[np.float32]:
        NoDecoding.encoded += len(photos)
        return super().features_of(photos)


class OtherEncoder(PhotoscopeModel):
    """The retrained model, as if on another encoder: another spec, and features unlike the stored."""

    @property
    def encoder_key(self) -> str:
        return super().encoder_key.replace("efficientnet-lite0", "efficientnet-lite2")

    def features_of(self, photos: Sequence[Image.Image]) -> npt.NDArray[np.float32]:
        return np.flip(super().features_of(photos), axis=1).copy()


@pytest.fixture(params=[True, False], ids=["recorded", "measured"])
def recorded(request: pytest.FixtureRequest, library: tuple[Path, Path]) -> bool:
    """Whether the library knows the older model's encoder (else it is measured, as in a library
    indexed before models recorded theirs)."""
    if not request.param:
        _forget_encoders(library[0])
    return bool(request.param)


def test_a_model_on_the_same_encoder_adopts_the_stored_vectors_without_decoding_a_photo(
    library: tuple[Path, Path], trained_tiny: Path, retrained: Path, recorded: bool
) -> None:
    db, _ = library
    older, newer = PhotoscopeModel(trained_tiny).version, NoDecoding(retrained)
    assert newer.version != older
    with Photoscope(db, model=newer) as app:
        count = app.library.model_versions()[older]
        NoDecoding.encoded = 0
        assert app.adopt_vectors() == count
        # the recorded encoder says it is the same; else a sample of three shows it, no more
        assert NoDecoding.encoded == (0 if recorded else 3)
        assert app.library.model_versions() == {newer.version: count}
        assert app.photos_to_reencode() == 0 and app.library.pending_count() == 0
        ids, features = app.library.load_vectors("feature")
        _, latents = app.library.load_vectors("latent")
        np.testing.assert_allclose(latents, newer.latents_of(features.astype(np.float32)), atol=1e-5)
        # the adopted latent is the one encoding the photo again would give
        path = app.library.photos_by_ids([int(ids[0])])[0].path
        encoded = newer.embed([Image.open(path).convert("RGB").resize((224, 224))])[0].latent.numpy()
        assert (
            float(np.dot(encoded, latents[0]) / np.linalg.norm(encoded) / np.linalg.norm(latents[0])) > 0.99
        )
        # searchable at once; the captions are the older model's until written from the vectors
        assert app.search_text("a red circle", 5).matches
        stale = app.library.stale_descriptions(newer.description_version, newer.version, limit=1000)
        assert len(stale) == count
        assert app.rewrite_captions() == count
        assert not app.library.stale_descriptions(newer.description_version, newer.version)


@pytest.mark.usefixtures("recorded")  # measured: its features disagree with the stored ones
def test_a_model_on_another_encoder_encodes_the_photos_again(
    library: tuple[Path, Path], trained_tiny: Path, retrained: Path
) -> None:
    db, _ = library
    older = PhotoscopeModel(trained_tiny).version
    with Photoscope(db, model=OtherEncoder(retrained)) as app:
        count = app.library.model_versions()[older]
        assert app.adopt_vectors() == 0
        assert app.library.model_versions() == {older: count} and app.photos_to_reencode() == count


def test_when_the_photos_cannot_be_read_nothing_is_adopted_and_nothing_lost(
    library: tuple[Path, Path], trained_tiny: Path, retrained: Path
) -> None:
    db, photos = library
    _forget_encoders(db)
    photos.rename(photos.with_name("Unplugged"))  # the drive is away: the encoder cannot be measured
    older = PhotoscopeModel(trained_tiny).version
    with Photoscope(db, model=NoDecoding(retrained)) as app:
        count = app.library.model_versions()[older]
        assert app.adopt_vectors() == 0
        assert app.library.model_versions() == {older: count}
        assert len(app.library.load_vectors("latent")[0]) == count


def test_a_photo_indexed_again_meanwhile_keeps_what_it_has(
    library: tuple[Path, Path], trained_tiny: Path
) -> None:
    from photoscope.library.db import Library

    db, _ = library
    older = PhotoscopeModel(trained_tiny).version
    with Library(db) as lib:
        ids = [photo_id for photo_id, _ in lib.indexed_by(older, 2)]
        with sqlite3.connect(db) as conn:  # the second photo: indexed again, by yet another model
            conn.execute("UPDATE photos SET model_version = 'newest' WHERE id = ?", (ids[1],))
        conn.close()
        _, before = lib.load_vectors("latent", ids=ids)
        assert lib.adopt_latents(ids, np.zeros((2, before.shape[1]), np.float32), older, "new") == [ids[0]]
        _, after = lib.load_vectors("latent", ids=ids)
        assert not after[0].any() and np.array_equal(after[1], before[1])
        assert lib.model_versions()["new"] == 1


def test_photoscope_index_says_what_it_kept(
    library: tuple[Path, Path], retrained: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from photoscope.cli import main

    db, _ = library
    assert main(["index", "--db", str(db), "--model", str(retrained), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "kept the vectors of 24 photos another model on the same encoder indexed" in out
    assert "indexed 0 photos" in out  # none encoded again
    # Audit 76 (repro_3): they were re-captioned "(the caption rule changed)": the model did.
    if "re-captioned" in out:
        assert "(the caption rule changed)" not in out and "written by another model" in out


def test_the_doctor_says_how_photos_of_another_version_are_brought_up_to_date(
    library: tuple[Path, Path], retrained: Path
) -> None:
    from photoscope.library.doctor import examine

    report = examine(library[0], model_version=PhotoscopeModel(retrained).version)
    assert any(
        "24 photos were indexed by another model version" in note and "stored vectors" in note
        for note in report.notes
    ), report.notes


def test_a_measured_verdict_is_recorded_so_later_starts_encode_nothing(
    library: tuple[Path, Path], trained_tiny: Path, retrained: Path
) -> None:
    db, _ = library
    _forget_encoders(db)
    older = PhotoscopeModel(trained_tiny).version

    class Counting(OtherEncoder):
        encoded = 0

        def features_of(self, photos: Sequence[Image.Image]) -> npt.NDArray[np.float32]:
            Counting.encoded += len(photos)
            return super().features_of(photos)

    for start in range(2):  # two sessions: "later" leaves the older photos as they are
        with Photoscope(db, model=Counting(retrained)) as app:
            assert app.adopt_vectors() == 0
            assert app.library.model_versions()[older] == 24
        assert Counting.encoded == 3, start  # measured at the first start only
