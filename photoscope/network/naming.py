"""What the encoder's ImageNet head supports: the word that names a photo, and the caption words it
does not back.

The caption decoder learned its words from Flickr8k, where nearly every photo shows people or dogs:
shown an espresso or an eagle it writes a dog, a man or a ball all the same. The frozen encoder's
ImageNet head knows 1000 classes, and ``concepts.json`` the words above them ("eagle", "bird",
"animal"). This module turns the head's probabilities into

- a *name*: the most specific plain word (a class's own name, or a hypernym the decoder also knows)
  whose classes together have probability >= ``threshold``;
- *support* for the words Flickr8k taught the decoder to invent (people, dogs, balls): each a
  probability that the photo shows one, from the head (dogs, balls) and from small linear probes on
  the encoder's feature trained on Flickr8k's captions (``resources/presence.json``).

Plain NumPy: the model (``model.py``) feeds it the head's probabilities.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from photoscope import config
from photoscope.network.concepts import Concepts

PRESENCE_RESOURCE = "presence.json"

# The objects Flickr8k taught the decoder to put in every photo, and the caption words that name them.
RISKY_WORDS: dict[str, frozenset[str]] = {
    "dog": frozenset(["dog", "dogs", "puppy", "puppies", "pup"]),
    "person": frozenset(
        [
            "man",
            "men",
            "woman",
            "women",
            "boy",
            "boys",
            "girl",
            "girls",
            "person",
            "people",
            "child",
            "children",
            "kid",
            "kids",
            "baby",
            "babies",
            "toddler",
            "toddlers",
            "lady",
            "ladies",
            "guy",
            "guys",
            "teenager",
            "teenagers",
            "teen",
            "teens",
            "adult",
            "adults",
            "player",
            "players",
            "biker",
            "bikers",
            "bicyclist",
            "cyclist",
            "rider",
            "riders",
            "skier",
            "skiers",
            "snowboarder",
            "surfer",
            "surfers",
            "skateboarder",
            "swimmer",
            "swimmers",
            "climber",
            "climbers",
            "hiker",
            "hikers",
            "runner",
            "runners",
            "crowd",
            "couple",
            "family",
            "friends",
            "gentleman",
            "worker",
            "workers",
            "dancer",
            "dancers",
            "performer",
            "musician",
            "musicians",
            "he",
            "she",
            "his",
            "her",
            "they",
            "someone",
            "group",
            "men",
        ]
    ),
    "ball": frozenset(["ball", "balls"]),
}
# Hypernyms the decoder knows but that make poor names for a photo.
_NOT_NAMES = frozenset(
    [
        "covering",
        "wear",
        "wears",
        "clothing",
        "wind",
        "winds",
        "arm",
        "arms",
        "piece",
        "pieces",
        "formation",
        "formations",
        "construction",
        "creature",
        "creatures",
        "structure",
        "structures",
        "device",
        "devices",
        "equipment",
        "game",
        "games",
        "barrier",
        "barriers",
        "instrument",
        "instruments",
        "headdress",
        "dish",
        "matter",
        "object",
        "objects",
        "thing",
        "things",
        "whole",
    ]
)
_VOWEL = re.compile(r"^(?:[aeio]|u(?!ni|se|su|ke|ro)|hour|honest)")


@dataclass(frozen=True)
class Name:
    word: str  # a concept word ("espresso", "bird")
    p: float  # the head's probability summed over the classes it covers


def article(word: str) -> str:
    """``word`` with its indefinite article: "an eagle", "a cup"."""
    return f"{'an' if _VOWEL.match(word) else 'a'} {word}"


class Namer:
    """Names photos from the head's probabilities with the words of ``concepts`` the caption may use."""

    def __init__(self, concepts: Concepts, decoder_words: Iterable[str]) -> None:
        self.concepts = concepts
        known = frozenset(decoder_words) - _NOT_NAMES
        self._candidates: list[list[str]] = []
        for i, name in enumerate(concepts.names):
            own = name.lower()
            words = [own] if concepts.is_concept(own) else []
            words += [w for w in concepts.covering_words(i) if w in known and w not in words]
            self._candidates.append(words)
        self._classes: dict[str, npt.NDArray[np.int64]] = {}

    def classes(self, word: str) -> npt.NDArray[np.int64]:
        found = self._classes.get(word)
        if found is None:
            found = self._classes[word] = np.asarray(self.concepts.classes_for(word), dtype=np.int64)
        return found

    def group_p(self, probs: npt.NDArray[np.floating], word: str) -> float:
        classes = self.classes(word)
        return float(probs[classes].sum()) if len(classes) else 0.0

    def name(self, probs: npt.NDArray[np.floating], threshold: float, top: int = 5) -> Name | None:
        """The most specific candidate word of the ``top`` likeliest classes whose classes have
        probability >= ``threshold`` together (ties: the likelier); None when there is none."""
        best: tuple[int, float, str] | None = None
        for i in np.argsort(-probs)[:top]:
            for word in self._candidates[int(i)]:
                p = self.group_p(probs, word)
                if p >= threshold:
                    key = (len(self.classes(word)), -p, word)
                    if best is None or key < best:
                        best = key
                    break  # the words above it cover more classes
        return None if best is None else Name(best[2], -best[1])

    def words_shown(self, probs: npt.NDArray[np.floating], threshold: float, limit: int = 5) -> list[Name]:
        """What the app shows as a photo's concepts: its name (if any), then its likeliest classes
        in plain words, down to a tenth of the top one's probability."""
        out: list[Name] = []
        named = self.name(probs, threshold)
        if named is not None:
            out.append(named)
        order = np.argsort(-probs)[:limit]
        floor = float(probs[order[0]]) / 10
        for i in order:
            p = float(probs[int(i)])
            word = self.concepts.names[int(i)]
            if p < floor or len(out) >= limit or any(n.word == word.lower() for n in out):
                continue
            out.append(Name(word, p))
        return out


@dataclass(frozen=True)
class Presence:
    """Linear probes on the 1280-d encoder feature: p(group in photo) = sigmoid(feature . w + b)."""

    groups: tuple[str, ...]
    weight: npt.NDArray[np.float32]  # G x 1280
    bias: npt.NDArray[np.float32]  # G
    info: dict[str, object]
    class_prior: npt.NDArray[np.float32]  # 1000: the head's mean probability of each class on Flickr8k train

    def foreign(self, probs: npt.NDArray[np.floating], rare: float) -> npt.NDArray[np.float32]:
        """The head's probability (N) on classes that Flickr8k photos rarely show (prior < ``rare``):
        how far a photo is from what the decoder and the probes learned from."""
        return np.asarray(
            (np.asarray(probs).reshape(-1, len(self.class_prior)) * (self.class_prior < rare)).sum(1),
            dtype=np.float32,
        )

    def probs(self, features: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
        """N x G probabilities for N x 1280 features."""
        z = (
            np.asarray(features, dtype=np.float32).reshape(-1, self.weight.shape[1]) @ self.weight.T
            + self.bias
        )
        out: npt.NDArray[np.float32] = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
        return out

    def to_json(self) -> str:
        return json.dumps(
            {
                "groups": list(self.groups),
                "weight": [[round(float(x), 6) for x in row] for row in self.weight],
                "bias": [round(float(x), 6) for x in self.bias],
                "class_prior": [float(f"{x:.3g}") for x in self.class_prior],
                "info": self.info,
            }
        )


@functools.lru_cache(maxsize=4)
def load_presence(path: Path | str | None = None) -> Presence:
    where = Path(path) if path is not None else config.resources_dir() / PRESENCE_RESOURCE
    data = json.loads(where.read_text(encoding="utf-8"))
    return Presence(
        groups=tuple(str(g) for g in data["groups"]),
        weight=np.asarray(data["weight"], dtype=np.float32),
        bias=np.asarray(data["bias"], dtype=np.float32),
        info=dict(data.get("info", {})),
        class_prior=np.asarray(data["class_prior"], dtype=np.float32),
    )


def risky_groups(words: Sequence[str]) -> set[str]:
    """The risky groups a caption's words name."""
    return {group for group, names in RISKY_WORDS.items() if any(w in names for w in words)}


def decoder_words(model_dir: Path | str) -> tuple[str, ...]:
    """The caption decoder's words, read from a bundle's ``bundle.json`` (no PyTorch)."""
    meta = json.loads((Path(model_dir) / "bundle.json").read_text(encoding="utf-8"))
    return tuple(str(w) for w in meta["vocabulary"]["words"])


@functools.lru_cache(maxsize=1)
def _class_index() -> dict[str, int]:
    names = (config.resources_dir() / "imagenet-classes.txt").read_text(encoding="utf-8").splitlines()
    return {name: i for i, name in enumerate(names)}


def concepts_from_tags(
    tags: Sequence[tuple[str, float]], namer: Namer, threshold: float = 0.5
) -> list[tuple[str, float]]:
    """A photo's concepts in plain words from its stored "Looks like" tags (the head's top classes
    by their ImageNet names, with probabilities): what the app shows, without the network."""
    index = _class_index()
    probs = np.zeros(len(index), dtype=np.float32)
    for label, p in tags:
        if label in index:
            probs[index[label]] = p
    if not probs.any():
        return []
    return [(n.word, round(n.p, 4)) for n in namer.words_shown(probs, threshold)]
