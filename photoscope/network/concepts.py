"""The English words that name the encoder's 1000 ImageNet classes, and the words above them.

Reads ``resources/concepts.json``, built at development time by ``tools/build_concepts.py`` from
ImageNet's WordNet ids and WordNet 3.0. A *concept word* is a noun lemma of a class synset
("espresso", "bald eagle", "laptop") or of one of its hypernyms ("eagle", "bird", "fruit", "dog");
it covers every class below it, but for those a reader would not take it for ("kite" is the toy,
not the hawk ImageNet's "kite" is).

Other nouns ("cathedral", "giraffe", "scissors") name no class and none above one; each may have a
*stand-in* in ``resources/related-words.json``: its nearest WordNet ancestor that covers a few
classes ("church", "edge tool"), named in everyday words where WordNet's are a zoologist's
("hoofed animal" for its "ruminant": ``tools/build_concepts.py``). Search uses a stand-in only for
a word that neither the decoder nor the concepts know, and says so. That file is read the first
time one is needed.

WordNet says what a class *is*; the head also knows what a class *looks like*: ``NearClasses``
(``resources/near-classes.json``, built by ``tools/build_near_classes.py`` from the head's weights)
holds the classes it finds alike, so that a concept word reaches photos the head calls by a near
class ("duck" the ducks it takes for geese). Plain Python, JSON and NumPy: nothing here imports
torch.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from photoscope import config
from photoscope.network.vocab import tokenize

CLASS_NAMES_RESOURCE = "imagenet-classes.txt"
RESOURCE_NAME = "concepts.json"
RELATED_RESOURCE_NAME = "related-words.json"
NEAR_RESOURCE_NAME = "near-classes.json"


@functools.cache
def imagenet_classes() -> tuple[str, ...]:
    """The 1000 ImageNet class names in the classifier's order, as the stored "Looks like" tags name
    the classes (torchvision's list, shipped as a text file so the app needs no torchvision, whose
    wheels link CUDA libraries)."""
    names = config.read_resource(CLASS_NAMES_RESOURCE).splitlines()
    if len(names) != 1000:
        raise config.ResourceMissing(f"resources/{CLASS_NAMES_RESOURCE} is damaged: reinstall Photoscope")
    return tuple(names)


@functools.cache
def class_index() -> dict[str, int]:
    """ImageNet class name -> its index in the classifier's order."""
    return {name: i for i, name in enumerate(imagenet_classes())}


SCENE_WORDS = ("geological formation", "structure")  # a landscape, or a building (``scene_share``)


def scene_share(concepts: Concepts, tags: Sequence[tuple[str, float]]) -> float:
    """The head's probability that a photo shows a landscape or a building, from its stored top
    classes ("Looks like" tags: ImageNet names and probabilities), as search can read it with no
    head to run: the caption rule's reading of the person probe there (``presence.SCENE_SHARE``)."""
    scenes = _scene_classes(concepts)
    index = class_index()
    return sum(p for name, p in tags if index.get(name) in scenes)


def scenes_of(concepts: Concepts, tags: Sequence[Sequence[tuple[str, float]]]) -> npt.NDArray[np.bool_]:
    """Per photo (its stored top classes), whether the head sees a landscape or a building."""
    from photoscope.network.presence import SCENE_SHARE

    return np.array([scene_share(concepts, t) >= SCENE_SHARE for t in tags], bool)


@functools.cache
def _scene_classes(concepts: Concepts) -> frozenset[int]:
    return frozenset(c for word in SCENE_WORDS for c in concepts.classes_for(word))


@dataclass(frozen=True)
class StandIn:
    """The concept a word that names no class is searched by: "church" for "cathedral"."""

    name: str
    classes: tuple[int, ...]


def _normal(word: str) -> str:
    return " ".join(word.replace("_", " ").lower().split())


@dataclass(frozen=True, eq=False)
class Concepts:
    """The classes' readable names, their hypernyms, and the word -> classes index."""

    names: tuple[str, ...]
    """Readable English name of each class, in class order ("Egyptian cat", "espresso")."""
    wnids: tuple[str, ...]
    lemmas: tuple[tuple[str, ...], ...]
    _ancestors: tuple[tuple[int, ...], ...]
    _synset_lemmas: tuple[tuple[str, ...], ...]
    _words: dict[str, tuple[int, ...]]
    _own: frozenset[str]
    # The classes whose name was chosen by hand ("washing machine", "kite bird"): shown as it is,
    # not exchanged for a lemma that names the kind (``naming.Namer``).
    chosen: frozenset[int] = frozenset()
    # A word as a query's tokens read it -> as written, where they differ ("carpenter s plane").
    _written: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.names)

    def classes_for(self, word: str) -> tuple[int, ...]:
        """Every class ``word`` names or covers, ascending; empty when it is not a concept word."""
        return self._words.get(_normal(word), ())

    @property
    def single_words(self) -> tuple[str, ...]:
        """Every one-word concept word ("penguin", "fruit"), for spelling suggestions."""
        return tuple(w for w in self._words if " " not in w)

    def is_concept(self, word: str) -> bool:
        return _normal(word) in self._words

    def written(self, word: str) -> str:
        """A concept word as written where a query's tokens split it ("carpenter's plane" for
        "carpenter s plane"), else as it is."""
        return self._written.get(_normal(word), word)

    def is_class_lemma(self, word: str) -> bool:
        """True when ``word`` (or the singular it is a plural of) is a lemma of a class itself."""
        return _normal(word) in self._own

    def hypernyms(self, class_index: int) -> list[str]:
        """The first lemma of every ancestor synset, nearest first, up to "entity"."""
        return [self._synset_lemmas[up][0] for up in self._ancestors[class_index]]

    def covering_words(self, class_index: int) -> list[str]:
        """Words a caption may use for the class, most specific first, each a concept word.

        The class's own lemmas come first, then its ancestors' lemmas, nearest first; e.g. for
        "bald eagle": ["bald eagle", "american eagle", ..., "eagle", "bird of prey", "raptor", ...,
        "bird", ..., "animal", ...]. Singular lemmas only (no plurals).
        """
        out: list[str] = []
        groups = [self.lemmas[class_index]]
        groups += [self._synset_lemmas[up] for up in self._ancestors[class_index]]
        for group in groups:
            for lemma in group:
                word = _normal(lemma)
                if word not in out and class_index in self._words.get(word, ()):
                    out.append(word)
        return out


def _as_read(words: Iterable[str]) -> dict[str, str]:
    """Each word that a query's tokens read otherwise, as they read it -> as written: a query's
    "carpenter's plane" is the words "carpenter s plane" (``vocab.tokenize`` splits at the
    apostrophe), "jack-o'-lantern" "jack o lantern". The shown name "carpenter's plane" found its
    class only by "plane", and "jack-o'-lantern" was "jack", the jackfruit (audit 78)."""
    read = {word: " ".join(tokenize(word)) for word in words}
    return {tokens: word for word, tokens in read.items() if tokens != word and tokens not in read}


def _parse(text: str) -> Concepts:
    data = json.loads(text)
    classes = data["classes"]
    words = {str(word): tuple(int(i) for i in indices) for word, indices in data["words"].items()}
    written = _as_read(words)
    own = frozenset(str(word) for word in data["own"])
    return Concepts(
        names=tuple(str(entry[1]) for entry in classes),
        wnids=tuple(str(entry[0]) for entry in classes),
        lemmas=tuple(tuple(str(lemma) for lemma in entry[2]) for entry in classes),
        _ancestors=tuple(tuple(int(up) for up in entry[3]) for entry in classes),
        _synset_lemmas=tuple(tuple(str(lemma) for lemma in entry[1]) for entry in data["synsets"]),
        _words=words | {read: words[word] for read, word in written.items()},
        _own=own | {read for read, word in written.items() if word in own},
        chosen=frozenset(int(i) for i in data.get("chosen", ())),
        _written=written,
    )


def stand_in(word: str, path: Path | str | None = None) -> StandIn | None:
    """The stand-in concept of a word that is not a concept word (None when WordNet gives none)."""
    found = _related(str(path) if path is not None else None)
    return found.get(_normal(word))


def stand_in_words() -> tuple[str, ...]:
    """Every one-word word searched by a stand-in concept ("giraffe"), for spelling suggestions."""
    return tuple(w for w in _related(None) if " " not in w)


@functools.lru_cache(maxsize=2)
def _related(path: str | None) -> dict[str, StandIn]:
    data = config.resource_json(RELATED_RESOURCE_NAME, path)
    stand_ins = [StandIn(str(name), tuple(int(i) for i in classes)) for name, classes in data["stand_ins"]]
    return {str(word): stand_ins[int(at)] for word, at in data["words"].items()}


@functools.lru_cache(maxsize=4)
def load_concepts(path: Path | str | None = None) -> Concepts:
    """Load (once) the concept resource; default ``resources/concepts.json`` of the package."""
    return _parse(config.read_resource(RESOURCE_NAME, path))


@dataclass(frozen=True, eq=False)
class NearClasses:
    """How alike the head finds each pair of classes: the cosine of their classifier rows, kept
    from ``threshold`` up (0 below it)."""

    cosines: npt.NDArray[np.float32]  # 1000 x 1000, 0 on the diagonal and below the threshold
    threshold: float
    encoder: str  # the image encoder whose head they were measured on ("efficientnet-lite0")

    def cover(self, classes: Sequence[int], near_weight: float) -> npt.NDArray[np.float32]:
        """How much a photo of each class (1001 entries: the last, an empty slot's, is 0) counts
        for a concept covering ``classes``: 1 for those; for another class, ``near_weight`` times
        how far its cosine to the nearest of them lies above the threshold, on a scale to 1."""
        out = np.zeros(len(self.cosines) + 1, dtype=np.float32)
        chosen = np.asarray(list(classes), dtype=np.intp)
        if near_weight and len(chosen):
            nearest = self.cosines[chosen].max(axis=0)
            out[:-1] = near_weight * np.clip((nearest - self.threshold) / (1 - self.threshold), 0.0, None)
        out[chosen] = 1.0
        return out


@functools.lru_cache(maxsize=2)
def load_near_classes(path: Path | str | None = None) -> NearClasses:
    """Load (once) ``resources/near-classes.json``."""
    data = config.resource_json(NEAR_RESOURCE_NAME, path)
    near = data["near"]
    cosines = np.zeros((len(near), len(near)), dtype=np.float32)
    for i, pairs in enumerate(near):
        for j, cosine in pairs:
            cosines[i, int(j)] = float(cosine)
    return NearClasses(cosines, float(data["threshold"]), str(data["encoder"]))
