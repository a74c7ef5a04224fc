"""After an upgrade to a model on the same encoder: the stored vectors adopted, no photo decoded.

A photo's stored 1280-d feature is the encoder's; its latent is the model's projection of it. A new
model version that keeps the encoder (a retrained projection and decoder, a new caption rule) can
therefore compute every latent from the stored features, thousands of photos a second, where
encoding them again decodes every file (about 20 photos a second on two cores). Only the captions
wait: they are written again from the vectors when the indexer is idle (``stale_descriptions``).

Whether an older version shares the encoder is read from the library's settings, where every model
that indexes records its encoder (name, input size, feature size, weights' SHA-256). A version from
before that record is measured instead: a few of its photos are encoded again and their features
compared with the stored ones, and the verdict is recorded, so it is measured once. Photos of a
version that fails, or whose sample files cannot be read (an unplugged drive: measured again next
time), are encoded again as before. The library never imports the network: the model
comes in as a protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from PIL import Image

from photoscope.library.photos import load_photo
from photoscope.library.thumbnails import LARGE_SIZE

if TYPE_CHECKING:
    from photoscope.library.db import Library

log = logging.getLogger(__name__)

SAMPLE = 3  # photos of an older version encoded again to compare its features with
# Cosine above which a stored feature and a new one are the same encoder's: the same encoder and
# decoding give the same feature but for float16's rounding.
SAME_FEATURE = 0.999
ENCODER_SETTING = "encoder of {}"  # the settings key of a model version's encoder
# What is recorded for a version whose features were measured unlike this model's: not its encoder.
OTHER_ENCODER = "another encoder than {}"
BATCH = 1024  # photos adopted a transaction


@runtime_checkable
class AdoptingModel(Protocol):
    """What adopting needs of the network's ``PhotoscopeModel``."""

    @property
    def version(self) -> str: ...

    @property
    def input_size(self) -> int: ...

    @property
    def encoder_key(self) -> str: ...

    def features_of(self, photos: Sequence[Image.Image]) -> npt.NDArray[np.float32]: ...

    def latents_of(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]: ...


def adopt_vectors(library: Library, model: object) -> list[int]:
    """Give ``model`` the photos every other model version on its encoder indexed (their latents
    computed from the stored features); returns the ids of the photos it adopted."""
    if not isinstance(model, AdoptingModel):  # a stand-in model (tests): photos are encoded again
        return []
    library.set_setting(ENCODER_SETTING.format(model.version), model.encoder_key, back_up=False)
    adopted: list[int] = []
    for version in library.model_versions():
        if version != model.version and same_encoder(library, model, version):
            adopted += adopt_version(library, model, version)
    return adopted


def same_encoder(library: Library, model: AdoptingModel, version: str) -> bool:
    """Whether ``version``'s stored features are ``model``'s encoder's: its recorded encoder is, or
    (not recorded) a few of its photos encoded again agree with what is stored."""
    key = ENCODER_SETTING.format(version)
    recorded = library.setting(key)
    if recorded is None:
        agree = _features_agree(library, model, version)
        if agree is None:  # nothing could be read: not known yet
            return False
        recorded = model.encoder_key if agree else OTHER_ENCODER.format(model.encoder_key)
        library.set_setting(key, recorded, back_up=False)
    return recorded == model.encoder_key


def _features_agree(library: Library, model: AdoptingModel, version: str) -> bool | None:
    """Whether a few of ``version``'s photos, decoded as the indexer decodes them and encoded by
    ``model``, have the features stored for them; None when none of them can be read."""
    photos, ids = [], []
    for photo_id, path in library.indexed_by(version, SAMPLE):
        try:
            image = load_photo(path, min_side=LARGE_SIZE)
        except Exception:  # unreadable now (moved, offline): the others decide
            continue
        photos.append(image.resize((model.input_size, model.input_size), Image.Resampling.BILINEAR))
        ids.append(photo_id)
    if not photos:
        return None
    found, stored = library.load_vectors("feature", ids=ids)
    fresh = model.features_of(photos)[[ids.index(int(i)) for i in found]]
    agree = _cosines(np.asarray(stored, np.float32), fresh) >= SAME_FEATURE
    log.info("%s: %d of %d sample features agree with %s's", model.version, agree.sum(), len(agree), version)
    return bool(len(agree)) and bool(agree.all())


def _cosines(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
    out: npt.NDArray[np.float32] = (a * b).sum(1) / norms
    return out


def adopt_version(library: Library, model: AdoptingModel, version: str) -> list[int]:
    """Every photo of ``version`` with a stored feature, a batch a transaction (resumable: a photo
    is adopted or not, and the next start goes on with the rest), once ``same_encoder`` agreed."""
    adopted: list[int] = []
    after = 0
    while batch := library.indexed_by(version, BATCH, after):
        after = batch[-1][0]
        ids, features = library.load_vectors("feature", ids=[i for i, _ in batch])
        latents = model.latents_of(np.asarray(features, np.float32))
        adopted += library.adopt_latents(ids.tolist(), latents, version, model.version)
    log.info("%s adopted %d photos of %s from their stored features", model.version, len(adopted), version)
    return adopted
