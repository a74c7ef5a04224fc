"""The presence probes: whether a photo shows a person, a dog or a ball (the words the decoder
invents), from small linear probes on the encoder's 1280-d feature trained on Flickr8k's captions
(``resources/presence.json``, built by ``tools/build_presence.py``), and how familiar a photo is
to those probes (``Familiarity``: near Flickr8k's train photos, where they were learned).

Plain NumPy: ``caption_check`` weighs them with the head's probabilities.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

from photoscope import config

PRESENCE_RESOURCE = "presence.json"
# The probes learned on Flickr8k, where every building has tourists and every animal is a dog: on a
# photo less familiar than ``FAMILIAR`` they count only where they are ``UNFAMILIAR_SUPPORT`` sure,
# and a group is shown from ``SHOWN`` (the caption rule's values, ``caption_check.CaptionRule``,
# which gives the measurements they were chosen by).
FAMILIAR = 0.4
UNFAMILIAR_SUPPORT = 0.96
SHOWN = 0.5
# ... and on a photo the head sees as a landscape or a building (its geological formations and
# structures at ``SCENE_SHARE`` or more) a person is shown only from ``SCENE_PEOPLE``: Flickr8k's
# mountains and monuments always have a hiker or a tourist (``CaptionRule.scene_people``).
SCENE_PEOPLE = 0.95
SCENE_SHARE = 0.7


@dataclass(frozen=True)
class Familiarity:
    """How close a photo lies to Flickr8k's train photos, whose captions taught the decoder and the
    probes: the mean cosine of its centred feature to the ``top`` nearest of k-means centroids of
    theirs (``tools/build_presence.py``). A cat on a sofa or a bare monument scores low; a person
    in a park high."""

    centre: npt.NDArray[np.float32]  # 1280: the train features' mean
    centroids: npt.NDArray[np.float32]  # K x 1280, unit length
    top: int

    def of(self, features: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
        """N familiarities (cosines, about -1..1) for N x 1280 features."""
        centred = np.asarray(features, dtype=np.float32).reshape(-1, len(self.centre)) - self.centre
        unit = centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)
        near = np.sort(unit @ self.centroids.T, axis=1)[:, -self.top :]
        return np.asarray(near.mean(axis=1), dtype=np.float32)

    def to_json(self) -> dict[str, object]:
        return {
            "top": self.top,
            "centre": pack_halves(self.centre),
            "centroids": pack_halves(self.centroids),
            "shape": list(self.centroids.shape),
        }

    @staticmethod
    def from_json(data: dict[str, object]) -> Familiarity:
        shape = tuple(int(n) for n in cast(list[int], data["shape"]))
        return Familiarity(
            unpack_halves(str(data["centre"]), (shape[1],)),
            unpack_halves(str(data["centroids"]), shape),
            int(cast(int, data["top"])),
        )


def pack_halves(array: npt.NDArray[np.floating]) -> str:
    """float16, base64: 256 centroids take 0.9 MB of JSON instead of 3 MB of decimals."""
    return base64.b64encode(np.asarray(array, dtype="<f2").tobytes()).decode("ascii")


def unpack_halves(text: str, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32).reshape(shape)


@dataclass(frozen=True)
class Presence:
    """Linear probes on the 1280-d encoder feature: p(group in photo) = sigmoid(feature . w + b)."""

    groups: tuple[str, ...]
    weight: npt.NDArray[np.float32]  # G x 1280
    bias: npt.NDArray[np.float32]  # G
    info: dict[str, object]
    familiar: Familiarity

    def probs(self, features: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
        """N x G probabilities for N x 1280 features."""
        z = (
            np.asarray(features, dtype=np.float32).reshape(-1, self.weight.shape[1]) @ self.weight.T
            + self.bias
        )
        out: npt.NDArray[np.float32] = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
        return out

    def supported(
        self,
        features: npt.NDArray[np.floating],
        familiar: npt.NDArray[np.bool_],
        unfamiliar_support: float = UNFAMILIAR_SUPPORT,
    ) -> npt.NDArray[np.float32]:
        """N x G: ``probs`` where the photo is ``familiar`` or the probe is ``unfamiliar_support``
        sure, else 0."""
        probs = self.probs(features)
        trusted = familiar.reshape(-1, 1) | (probs >= unfamiliar_support)
        return np.where(trusted, probs, np.float32(0.0)).astype(np.float32)

    def shows_people(
        self, features: npt.NDArray[np.floating], scenes: npt.NDArray[np.bool_] | None = None
    ) -> npt.NDArray[np.bool_]:
        """N: whether each photo (N x 1280 encoder features, as the encoder gave them) shows people
        as the caption rule reads the person probe: what a caption may say of it, and what search
        lets the word detectors see ("a girl" called a dam and a hammer likely matches in a library
        without people: the detectors, learned where people are everywhere, see them anywhere).
        ``scenes``: per photo, whether the head sees a landscape or a building (``SCENE_SHARE``), where
        the probe must be ``SCENE_PEOPLE`` sure ("a man standing on a mountain" called an empty
        Machu Picchu likely, audit 77)."""
        known = self.familiar.of(features) >= FAMILIAR
        person = self.supported(features, known)[:, self.groups.index("person")]
        shown = person >= SHOWN
        if scenes is not None:
            shown &= ~np.asarray(scenes, bool) | (person >= SCENE_PEOPLE)
        return np.asarray(shown)

    def to_json(self) -> str:
        return json.dumps(
            {
                "groups": list(self.groups),
                "weight": [[round(float(x), 6) for x in row] for row in self.weight],
                "bias": [round(float(x), 6) for x in self.bias],
                "familiar": self.familiar.to_json(),
                "info": self.info,
            }
        )


@functools.lru_cache(maxsize=4)
def load_presence(path: Path | str | None = None) -> Presence:
    data = config.resource_json(PRESENCE_RESOURCE, path)
    return Presence(
        groups=tuple(str(g) for g in data["groups"]),
        weight=np.asarray(data["weight"], dtype=np.float32),
        bias=np.asarray(data["bias"], dtype=np.float32),
        info=dict(data.get("info", {})),
        familiar=Familiarity.from_json(data["familiar"]),
    )
