"""Word detectors: per caption word, the probability that a photo's captions would use it.

Latent arithmetic says "with a hat" or "without water" only weakly (issue #17): the sum of two
latents is a photo that is neither. A direct detector per word says it outright: one logistic probe
per content word of Flickr8k's captions on the photo's 1280-d encoder feature, the feature the
library stores, trained on Flickr8k train (``tools/build_word_probes.py``, ``resources/word-probes.json``).
Combined queries add log p(word | photo) for an added word and take log(1 - p) away for a
taken-away one (``photoscope.search.combine``).

The probes take the feature's direction only: the store keeps unit-length features, so they were
trained on unit-length features and every feature is normalised before it is scored.

Also the word rule they share with the combined-query benchmark: which caption words a photo *has*
(lowercase content words, plurals folded), so the probes learn the words the benchmark asks for.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from photoscope import config
from photoscope.network.bundle import DEFAULT_ENCODER, EncoderSpec
from photoscope.network.presence import pack_halves, unpack_halves

if TYPE_CHECKING:  # PyTorch is imported where a tensor is made: the quick first answer reads the
    import torch  # probes in NumPy (``sight_log_odds``) before the network is loaded

WORD_PROBES_RESOURCE = "word-probes.json"
WORD_SIGHT_RESOURCE = "word-sight.json"
WORD_PHRASES_RESOURCE = "word-phrases.json"
_BLOCK = 8192

# Words a caption uses for its grammar, not its content: never a photo's word.
CAPTION_FUNCTION_WORDS = frozenset(
    "a an the in on at of to and or is are be his her its their there this that with while "  # noqa: SIM905
    "from for by into onto as up down out over under near next it he she they them one some "
    "other another something each has have very".split()
)
DETERMINERS = frozenset(
    {"a", "an", "the", "two", "three", "four", "several", "some", "many", "his", "her", "their"}
)


def _tokens(caption: str) -> list[str]:
    return re.findall(r"[a-z]+", caption.lower())


def _folded(captions: Sequence[Sequence[str]], known: set[str]) -> list[list[list[tuple[str, str]]]]:
    """Each caption's tokens, each with its fold: plurals folded to the singular where the captions
    use it and ``known`` has it ("dogs" -> "dog"), not onto a typo ("grass": "gras" is not known)."""
    tokens = [[_tokens(c) for c in caps] for caps in captions]
    vocab = {w for caps in tokens for c in caps for w in c}

    def fold(w: str) -> str:
        return w[:-1] if w.endswith("s") and len(w) > 3 and w[:-1] in vocab and w[:-1] in known else w

    return [[[(w, fold(w)) for w in c] for c in caps] for caps in tokens]


def _content(folded: list[list[list[tuple[str, str]]]], content_share: float) -> set[str]:
    after: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for caps in folded:
        for c in caps:
            for (prev, _), (_, w) in zip([(".", "."), *c], c, strict=False):
                total[w] += 1
                after[w] += prev in DETERMINERS
    return {w for w, n in total.items() if after[w] >= content_share * n}


def content_words(
    captions: Sequence[Sequence[str]], known: set[str], content_share: float = 0.25
) -> set[str]:
    """The words of ``known`` that follow a determiner or a number at least ``content_share`` of
    the time in the captions ("a dog", "two people", "a black dog"; not "running", "across", nor
    "shirt", which an adjective usually precedes), plurals folded as ``caption_words`` folds them."""
    return _content(_folded(captions, known), content_share) & known - CAPTION_FUNCTION_WORDS


def caption_words(
    captions: Sequence[Sequence[str]], known: set[str], content_share: float = 0.25
) -> tuple[list[set[str]], list[set[str]]]:
    """Per photo (its captions): the words any caption has, and those three or more captions have.

    Words are lowercase ``[a-z]+`` tokens, plurals folded to the singular where the captions use
    it and ``known`` has it ("dogs" -> "dog"), kept if in ``known`` and content words
    (``content_words``, with ``content_share``). The benchmark queries those; the detectors take
    every word (``content_share=0``), since the rule drops nouns an adjective usually precedes ("a
    red shirt": "shirt", "hat")."""
    folded = _folded(captions, known)
    content = _content(folded, content_share)
    has, about = [], []
    for caps in folded:
        per_caption = [
            {w for raw, w in c if raw not in CAPTION_FUNCTION_WORDS and w in known and w in content}
            for c in caps
        ]
        count = Counter(w for c in per_caption for w in c)
        has.append(set(count))
        about.append({w for w, n in count.items() if n >= 3})
    return has, about


@dataclass(frozen=True)
class WordProbes:
    """p(word in the photo's captions) = sigmoid(unit feature . w + b), one row per word."""

    words: tuple[str, ...]
    weight: npt.NDArray[np.float32]  # W x 1280
    bias: npt.NDArray[np.float32]  # W
    info: dict[str, object]
    # W: the share of the training photos whose captions use each word ("dog" 0.37, "frisbee"
    # 0.03): how much a word says about a photo (``rarity``). None in a resource without it.
    share: npt.NDArray[np.float32] | None = None
    # The content words of the train captions (``content_words``: "dog", "beach", "black"; not
    # "running", "shirt"): what a photo term stands for. None in a resource without it: every word.
    content: frozenset[str] | None = None

    @property
    def dataset(self) -> str:
        """The dataset whose captions the detectors learned ("flickr8k")."""
        return str(self.info.get("dataset", ""))

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def word_of(self, word: str) -> str | None:
        """The probe word a query word stands for ("dogs" -> "dog"), or None when none has a probe."""
        word = word.lower()
        if word in self.index:
            return word
        if word.endswith("s") and word[:-1] in self.index:
            return word[:-1]
        return None

    def logits(
        self, words: Sequence[str], features: torch.Tensor, basis: npt.NDArray[np.float32] | None = None
    ) -> torch.Tensor:
        """N x K log-odds of the probe words ``words`` for N x 1280 features (any scale, any float
        dtype, as the store keeps them: unit float16 rows). With ``basis`` (1280 x D orthonormal
        columns), the features are N x D projections on it, renormalised (a large library's store):
        the probes are projected the same way, which keeps what the features keep."""
        rows = [self.index[w] for w in words]
        weight = self.weight[rows] if basis is None else self.weight[rows] @ basis
        return _unit_logits(features, weight, self.bias[rows])

    def sight(self, word: str) -> float | None:
        """The probability ``word``'s detector gives all but a tenth of the training photos that
        show it (``load_word_sight``); None without a detector, or for a word too few photos showed."""
        own = self.word_of(word)
        return None if own is None else load_word_sight(self.dataset).get(own)

    def sight_log_odds(
        self,
        words: Sequence[str],
        features: npt.NDArray[np.floating],
        basis: npt.NDArray[np.float32] | None = None,
    ) -> npt.NDArray[np.float32]:
        """``logits`` in NumPy, for a few rows (the photos an answer lists): N x K log-odds of the
        probe words ``words`` for N x 1280 features, or N x D ones projected on ``basis``."""
        rows = [self.index[w] for w in words]
        weight = self.weight[rows] if basis is None else self.weight[rows] @ basis
        matrix = np.asarray(features, np.float32).reshape(-1, weight.shape[1])
        norms = np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        out: npt.NDArray[np.float32] = ((matrix @ weight.T) / norms + self.bias[rows]).astype(np.float32)
        return out

    def rarity(self, words: Sequence[str]) -> torch.Tensor:
        """K: -log of the share of training photos that have each of the probe words ``words``
        (1 for each without a recorded share): a rare word's detector says more."""
        import torch

        if self.share is None:
            return torch.ones(len(words))
        return -torch.from_numpy(self.share[[self.index[w] for w in words]]).log()

    def all_logits(self, feature: torch.Tensor) -> torch.Tensor:
        """Every word's log-odds for one photo's 1280-d feature, in ``words``' order (the weights
        as they are: picking all 788 rows would copy 4 MB a call)."""
        return _unit_logits(feature.reshape(1, -1), self.weight, self.bias)[0]

    def likeliest(
        self, feature: torch.Tensor, count: int, leave_out: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        """The ``count`` content words most likely in one photo's captions (1280-d feature), with
        their probabilities, best first, without those in ``leave_out``."""
        import torch

        p = torch.sigmoid(self.all_logits(feature))
        p[[self.index[w] for w in leave_out if w in self.index]] = 0.0
        if self.content is not None:
            p[self._not_content] = 0.0
        best = p.topk(min(count, len(p)))
        return [
            (self.words[i], float(v))
            for v, i in zip(best.values, best.indices.tolist(), strict=True)
            if v > 0
        ]

    @functools.cached_property
    def _not_content(self) -> torch.Tensor:
        import torch

        return torch.tensor([w not in (self.content or ()) for w in self.words])

    def to_json(self) -> str:
        return json.dumps(
            {
                "words": list(self.words),
                "weight": pack_halves(self.weight),
                "bias": [round(float(x), 5) for x in self.bias],
                **({} if self.share is None else {"share": [round(float(x), 5) for x in self.share]}),
                **({} if self.content is None else {"content": sorted(self.content)}),
                "shape": list(self.weight.shape),
                "info": self.info,
            }
        )


def probes_for(encoder: EncoderSpec, training_data: str) -> WordProbes | None:
    """The word detectors of a bundle: they read the default encoder's features and say which words
    of their dataset's captions a photo's captions would use; a bundle on another encoder, or one
    trained on other captions (whose words mean other things: "red" of a drawn shape), has none."""
    if encoder != DEFAULT_ENCODER:
        return None
    probes = load_word_probes()
    return probes if dataset_name(training_data) == probes.dataset else None


def dataset_name(training_data: str) -> str:
    """The dataset of a bundle's ``training_data`` ("flickr8k (7091 photos)": "flickr8k")."""
    return training_data.split(" (")[0].strip().lower()


def _unit_logits(
    features: torch.Tensor, weight: npt.NDArray[np.float32], bias: npt.NDArray[np.float32]
) -> torch.Tensor:
    """N x K: ``weight`` (K x D) on each of the N x D ``features`` scaled to unit length, plus ``bias``."""
    import torch

    probes = torch.from_numpy(weight)
    matrix = features.reshape(-1, probes.shape[1])
    out = torch.empty(len(matrix), len(probes))
    # A block at a time in float32: the probe of each unit row, without a float32 copy of
    # 100,000 stored rows (half a gigabyte) and without float16's rounding in the sums.
    for lo in range(0, len(matrix), _BLOCK):
        block = matrix[lo : lo + _BLOCK].float()
        # Dividing the K dot products, not the 1280 values, by the norm: half the time.
        out[lo : lo + _BLOCK] = (block @ probes.T) / block.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return out + torch.from_numpy(bias)


@functools.lru_cache(maxsize=4)
def load_word_sight(dataset: str, path: Path | str | None = None) -> Mapping[str, float]:
    """Per content word, the probability its detector gives all but a tenth of the training photos
    that show it (``tools/build_word_sight.py``); {} for detectors of another dataset's captions."""
    data = config.resource_json(WORD_SIGHT_RESOURCE, path)
    if data.get("dataset") != dataset:
        return {}
    return MappingProxyType({str(w): float(v) for w, v in data["sight"].items()})  # shared: read-only


@functools.lru_cache(maxsize=2)
def load_word_phrases(dataset: str, path: Path | str | None = None) -> Mapping[str, str]:
    """The detector words their dataset's captions use almost only as a phrase's first word, with
    the phrase ("german": "german shepherd"; ``tools/build_word_phrases.py``); {} for another's."""
    data = config.resource_json(WORD_PHRASES_RESOURCE, path)
    if data.get("dataset") != dataset:
        return {}
    return MappingProxyType({str(w): str(v) for w, v in data["phrases"].items()})


@functools.lru_cache(maxsize=4)
def load_word_probes(path: Path | str | None = None) -> WordProbes:
    data = config.resource_json(WORD_PROBES_RESOURCE, path)
    shape = tuple(int(n) for n in cast(list[int], data["shape"]))
    return WordProbes(
        words=tuple(str(w) for w in data["words"]),
        weight=unpack_halves(str(data["weight"]), shape),
        bias=np.asarray(data["bias"], dtype=np.float32),
        info=dict(data.get("info", {})),
        share=np.asarray(data["share"], dtype=np.float32) if "share" in data else None,
        content=frozenset(str(w) for w in data["content"]) if "content" in data else None,
    )
