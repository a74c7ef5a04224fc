"""The network's text side without PyTorch: a query's words, and the text encoder run in NumPy.

The text encoder (its embeddings, a bidirectional GRU, mean pooling, a linear projection) is a small
part of the bundle: ``safetensors.numpy`` reads its weights in milliseconds, and its forward pass over
a query of a few words costs well under a millisecond in NumPy. So the app can answer a description
with the encoder's latent (the first guess that the shipped search then refines by inversion) while
PyTorch, which takes seconds to import, is still loading. ``TextModel`` is that door; the words of a
query (``query_words``) are read the same way by it and by ``PhotoscopeModel``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors import SafetensorError, safe_open

from photoscope.config import default_model_dir
from photoscope.network.bundle import (
    WEIGHTS_FILE,
    BundleError,
    bundle_version,
    read_meta,
    read_vocabulary,
)
from photoscope.network.concepts import Concepts, load_concepts, scenes_of, stand_in, stand_in_words
from photoscope.network.lexicon import Speller
from photoscope.network.naming import RISKY_WORDS, risky_groups, taken_away_kin
from photoscope.network.presence import load_presence
from photoscope.network.vocab import (
    FUNCTION_WORDS,
    LETTERS,
    SPECIALS,
    Vocabulary,
    stray_letters,
    tokenize,
    typed_names,
    typed_words,
    unreadable,
)
from photoscope.network.word_probes import WordProbes, probes_for

Array = npt.NDArray[np.float32]
# The text encoder's weights in the bundle (``CaptionNetwork``: text_embed, text_rnn, text_out).
TEXT_WEIGHTS = (
    "text_embed.weight",
    "text_rnn.weight_ih_l0",
    "text_rnn.weight_hh_l0",
    "text_rnn.bias_ih_l0",
    "text_rnn.bias_hh_l0",
    "text_rnn.weight_ih_l0_reverse",
    "text_rnn.weight_hh_l0_reverse",
    "text_rnn.bias_ih_l0_reverse",
    "text_rnn.bias_hh_l0_reverse",
    "text_out.weight",
    "text_out.bias",
)


@dataclass(frozen=True)
class QueryWords:
    """What the network knows of a search query's content words."""

    concepts: list[tuple[str, tuple[int, ...]]]  # concept words or phrases and the classes they cover
    decoder_words: list[str]  # content words the caption decoder knows
    unknown: list[str]  # content words neither the decoder nor the concepts know
    content: list[str]  # every word but the function words
    # Words neither knows that are searched by a stand-in concept ("cathedral" by "church"); their
    # classes are in ``concepts`` too.
    stand_ins: list[tuple[str, str]] = field(default_factory=list)
    # Unknown words typed as names ("Taj Mahal": ``vocab.typed_names``): offered no spelling.
    names: frozenset[str] = frozenset()
    # The typed word each word read from one with digits came from ("d0g" of "d", "g": ``vocab.typed_words``),
    # and each concept phrase read from one with an apostrophe ("carpenter's plane" of "carpenter s plane").
    typed: Mapping[str, str] = field(default_factory=dict)


def speller(vocab: Vocabulary, concepts: Concepts) -> Speller:
    """Suggestions among the words a search knows: the decoder's (most used first), then the
    concepts' one-word ones ("penguin"), then those searched by a stand-in ("giraffe")."""
    own = [w for w in vocab.words if w not in SPECIALS and w not in LETTERS]  # a letter helps nobody
    return Speller(dict.fromkeys([*own, *concepts.single_words, *stand_in_words()]), alike_among=len(own))


def query_words(text: str, vocab: Vocabulary, concepts: Concepts) -> QueryWords:
    """The concept words and phrases of a query (longest first: "bald eagle", "hot dog"), the
    words the decoder knows and those neither knows. Words for people are never concepts (the
    head has no class for a person: "person" would mean a scuba diver). The words of a phrase the
    decoder cannot read ("red panda": ``PHRASE_WORD_MIN_COUNT``) are the concepts' alone. A word the
    decoder knows only in the other number is read in that one ("dandelions": dandelion)."""
    typed_as = tokenize(text)
    words = [vocab.reads(w) for w in typed_as]
    stray = stray_letters(text)  # "dog n": no word to the decoder, whatever its captions held

    def knows(w: str) -> bool:
        return w in vocab and w not in stray

    def unknown_word(w: str) -> bool:
        return w not in FUNCTION_WORDS and not knows(w) and not concepts.is_concept(w)

    found: list[tuple[str, tuple[int, ...]]] = []
    stand_ins: list[tuple[str, str]] = []
    in_concept = [False] * len(words)
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            gram = " ".join(words[i : i + n])
            if i + n > len(words) or words[i] in FUNCTION_WORDS or gram in RISKY_WORDS["person"]:
                continue
            classes = concepts.classes_for(gram)
            if not classes and any(unknown_word(w) for w in words[i : i + n]):
                related = stand_in(gram)  # "cathedral": searched as "church", and said so
                if related is not None:
                    classes = related.classes
                    stand_ins.append((gram, related.name))
            if classes:
                found.append((gram, classes))
                in_concept[i : i + n] = [True] * n
                i += n - 1
                break
        i += 1
    foreign = list(dict.fromkeys(unreadable(text)))  # known to neither: said so
    content = [w for w in words if w not in FUNCTION_WORDS] + foreign
    unread = {w for phrase, _ in found for w in _unreadable_words(phrase, vocab)}
    known = [w for w in content if knows(w) and w not in unread]
    unknown = [
        w
        for w, c in zip(words, in_concept, strict=True)
        if w not in FUNCTION_WORDS and not c and not knows(w)
    ] + foreign
    names = typed_names(text) & set(unknown)
    typed = typed_words(text) | {w: concepts.written(w) for w, _ in found if concepts.written(w) != w}
    typed |= {read: as_typed for read, as_typed in zip(words, typed_as, strict=True) if read != as_typed}
    return QueryWords(found, known, unknown, content, stand_ins, names, typed)


# A word of a concept phrase the decoder saw fewer times than this in training ("panda": never,
# "shepherd": 54 times) leaves the decoder reading the phrase's other words alone: "a red panda"
# would be something red. The same count as ``TextSearchOptions.rare_count``.
PHRASE_WORD_MIN_COUNT = 100


def _unreadable_words(phrase: str, vocab: Vocabulary) -> list[str]:
    """The words of a concept phrase of several words that the decoder cannot read as the phrase
    (one of them rare to it): the concepts read them, the decoder does not. [] for one word."""
    words = phrase.split()
    rare = any(vocab.counts[vocab.index(w)] < PHRASE_WORD_MIN_COUNT for w in words)  # unknown: 0
    return words if len(words) > 1 and rare else []


class TextModel:
    """The bundle's vocabulary and text encoder, read and run without PyTorch.

    ``encode_text`` gives what ``PhotoscopeModel.encode_text`` gives for one text (each text is
    encoded alone, unpadded, as a search query is); ``version`` is the bundle's, so the vectors the
    index stored for it are recognised."""

    def __init__(self, model_dir: str | Path | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        meta, encoder = read_meta(self.model_dir)  # the checksum too: damaged weights are refused
        self.name: str = meta["name"]
        self.bundle_version = bundle_version(meta["weights_sha256"], encoder)
        self.encoder_name = encoder.name  # the image encoder's, as ``PhotoscopeModel.encoder_name``
        self._encoder_spec, self._training_data = encoder, str(meta.get("training_data", ""))
        self.latent_dim = int(meta["network"]["latent_dim"])
        self.vocab = read_vocabulary(meta)
        path = self.model_dir / WEIGHTS_FILE
        try:
            with safe_open(str(path), framework="numpy") as tensors:
                weights = {name: np.asarray(tensors.get_tensor(name), np.float32) for name in TEXT_WEIGHTS}
        except SafetensorError as error:  # a weight missing: not a caption network's bundle
            raise BundleError(f"{path}: {error}") from None
        self._encoder = _TextEncoder(weights)

    @property
    def version(self) -> str:
        """As ``PhotoscopeModel.version``: the vectors the index stores are this model's."""
        return f"{self.name}@{self.bundle_version}"

    def encode_text(self, texts: Sequence[str]) -> Array:
        """The text encoder's latent for each text (Q x latent_dim)."""
        out = np.empty((len(texts), self.latent_dim), np.float32)
        for i, text in enumerate(texts):
            out[i] = self._encoder.encode(self.vocab.encode_query(text, add_end=False))
        return out

    # words, as ``PhotoscopeModel`` reads them

    @property
    def concepts(self) -> Concepts:
        return load_concepts()

    def query_words(self, text: str) -> QueryWords:
        return query_words(text, self.vocab, self.concepts)

    @cached_property
    def _word_counts(self) -> dict[str, int]:
        return dict(zip(self.vocab.words, self.vocab.counts, strict=True))

    def word_count(self, word: str) -> int:
        """How often the decoder saw ``word`` in training (0: not one of its words)."""
        return self._word_counts.get(word, 0)

    @cached_property
    def _speller(self) -> Speller:
        return speller(self.vocab, self.concepts)

    def suggest(self, word: str) -> tuple[str, ...]:
        """Known words spelled like ``word`` (as ``PhotoscopeModel.suggest``)."""
        return self._speller.suggest(word)

    # word detectors, as ``PhotoscopeModel`` reads them (in NumPy, for the few photos an answer lists)

    @cached_property
    def _word_probes(self) -> WordProbes | None:
        return probes_for(self._encoder_spec, self._training_data)

    def detector_sight(self, word: str) -> float | None:
        """As ``PhotoscopeModel.detector_sight``."""
        return None if self._word_probes is None else self._word_probes.sight(word)

    def detector_word(self, word: str) -> str | None:
        """As ``PhotoscopeModel.detector_word``."""
        return None if self._word_probes is None else self._word_probes.word_of(word)

    def taken_away_kin(self, word: str) -> list[str]:
        """As ``PhotoscopeModel.taken_away_kin``."""
        return taken_away_kin(word, self.detector_word)

    def shows_people(
        self, features: npt.NDArray[np.floating], tags: Sequence[Sequence[tuple[str, float]]] | None = None
    ) -> npt.NDArray[np.bool_]:
        """As ``PhotoscopeModel.shows_people``, from the photos' stored ``tags`` (no head here to run:
        None reads no landscape or building)."""
        scenes = None if tags is None else scenes_of(self.concepts, tags)
        return load_presence().shows_people(features, scenes)

    @staticmethod
    def names_people(word: str) -> bool:
        """As ``PhotoscopeModel.names_people``."""
        return "person" in risky_groups([word])

    def word_probabilities(
        self, words: Sequence[str], features: npt.NDArray[np.floating], basis: npt.NDArray[np.float32] | None
    ) -> Array:
        """N x K: the probability that each photo's captions use each detector word, from N x 1280
        features (or N x D on ``basis``), as ``PhotoscopeModel.word_log_odds`` gives its log-odds."""
        if self._word_probes is None:
            raise ValueError("this model's encoder has no word detectors")
        odds = self._word_probes.sight_log_odds(words, features, basis)
        out: Array = (1.0 / (1.0 + np.exp(-odds))).astype(np.float32)
        return out


class _TextEncoder:
    """``CaptionNetwork``'s text -> latent in NumPy: embeddings, a bidirectional GRU (PyTorch's gate
    order r, z, n), the mean of its outputs over the words, the output projection."""

    def __init__(self, weights: Mapping[str, Array]) -> None:
        self.embed = weights["text_embed.weight"]
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        self.directions = [
            tuple(weights[f"text_rnn.{kind}_l0{suffix}"] for kind in kinds) for suffix in ("", "_reverse")
        ]
        self.out_weight, self.out_bias = weights["text_out.weight"], weights["text_out.bias"]

    def encode(self, tokens: Sequence[int]) -> Array:
        hidden = self.directions[0][1].shape[1]
        if not tokens:  # no words at all: the pooled output is zeros (the length counts as 1)
            pooled = np.zeros(2 * hidden, np.float32)
        else:
            x = self.embed[np.asarray(tokens, dtype=np.intp)]
            forward = self._run(x, *self.directions[0])
            backward = self._run(x[::-1], *self.directions[1])[::-1]
            pooled = np.concatenate([forward, backward], axis=1).mean(0)
        latent: Array = (self.out_weight @ pooled + self.out_bias).astype(np.float32)
        return latent

    @staticmethod
    def _run(x: Array, w_ih: Array, w_hh: Array, b_ih: Array, b_hh: Array) -> Array:
        """One direction of a GRU layer over the T x D inputs: T x H outputs."""
        size = w_hh.shape[1]
        inputs = x @ w_ih.T + b_ih  # every step's input side at once: T x 3H
        h = np.zeros(size, np.float32)
        out = np.empty((len(x), size), np.float32)
        for t, gates_x in enumerate(inputs):
            gates_h = w_hh @ h + b_hh
            r = _sigmoid(gates_x[:size] + gates_h[:size])
            z = _sigmoid(gates_x[size : 2 * size] + gates_h[size : 2 * size])
            n = np.tanh(gates_x[2 * size :] + r * gates_h[2 * size :])
            h = (1 - z) * n + z * h
            out[t] = h
        return out


def _sigmoid(x: Array) -> Array:
    result: Array = 0.5 * (np.tanh(0.5 * x) + 1)  # no overflow for large negative x
    return result
