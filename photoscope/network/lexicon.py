"""The decoder's word embeddings read straight from the bundle's files, without PyTorch.

``photoscope words`` needs only the vocabulary (``bundle.json``) and one weight matrix
(``out.weight`` in ``model.safetensors``), which ``safetensors.numpy`` reads in milliseconds;
importing PyTorch and building the network would cost seconds and hundreds of MB.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors import safe_open

from photoscope.config import default_model_dir
from photoscope.network.vocab import SPECIALS

ENGLISH_WORDS_RESOURCE = "english-words.txt.gz"  # WordNet's one-word words (tools/build_english_words.py)
# WordNet's "morphy" endings of plurals (and of verbs' third person), as its lemmas are found from
# inflected forms: "oaks" is "oak" + "s". Not "-ing" or "-ed": "runing" would be "run" + "ing", a
# misspelling of "running" taken for a word (and WordNet lists most "-ing" words as lemmas anyway).
_ENDINGS = (
    ("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"),
    ("ies", "y"), ("es", ""),
)  # fmt: skip
MIN_STEM = 3  # "dgs" is no "dg" (decigram, left out) + "s"
# A real word the model does not know is still offered a word one slip away among this many of the
# most used ("tress": "trees", "beachs": "beach"), as a typo of a common word more likely than not.
FREQUENT_SLIPS = 1000
SUGGESTION_CUTOFF = 0.75  # difflib similarity above which a known word is offered for a misspelt one
WORD_MIN_COUNT = 20  # training count below which a word's embedding has had too few updates to mean much
# The decoder's output word vectors (each scores the next word by a dot product with the decoder's
# state), not its input embeddings, which the GRU reads through a nonlinearity: on the shipped model
# 3CosAdd analogies hold for plural nouns 84 of 132 times against 0, "-ing" forms 86 of 90 against 3,
# man/woman pairs 17 of 30 against 2, and "dog"'s neighbours are "dogs, puppy" rather than "coats,
# railing" (runs/exp/word_analogies.py; tests/test_word_space.py).
EMBEDDING = "out.weight"


def suggest_words(word: str, known: Sequence[str], limit: int = 3) -> tuple[str, ...]:
    """Known words spelled like ``word`` (the one suggestion rule of search and the words tools):
    ``Speller``'s, over a short list (a tool's own words)."""
    return Speller(known).suggest(word, limit)


class Speller:
    """Spelling suggestions over a long list (the decoder's words, then the concepts' and the
    stand-ins': 24,000) in a few milliseconds, a keystroke's budget: one slip away (a slip keeps the
    first letter or the last, and the length within one), then difflib's alike words of about the
    same length among the first ``alike_among`` (the decoder's 2,600: over all 24,000 difflib took
    20-30 ms a word)."""

    def __init__(self, known: Iterable[str], alike_among: int | None = None) -> None:
        self.known = tuple(known)
        self.alike_among = len(self.known) if alike_among is None else alike_among
        self._ends: dict[tuple[int, str], list[int]] = {}  # (length, first or last letter) -> words
        self._lengths: dict[int, list[int]] = {}
        for at, word in enumerate(self.known):
            self._lengths.setdefault(len(word), []).append(at)
            for key in {(len(word), "^" + word[:1]), (len(word), word[-1:] + "$")}:
                self._ends.setdefault(key, []).append(at)

    def suggest(self, word: str, limit: int = 3) -> tuple[str, ...]:
        candidates = self._slip_candidates(word)
        if is_english_word(word):  # not a misspelling: "oak" is not "oar" or "yak", unless of a common word
            frequent = (self.known[at] for at in candidates if at < FREQUENT_SLIPS)
            return tuple(w for w in frequent if _one_slip(word, w))[:limit]
        slips = [self.known[at] for at in candidates if _one_slip(word, self.known[at])]
        # Words within a quarter of its length: difflib's 0.75 reaches a little further ("skatebord"
        # to "skateboarders"), rarely the word meant.
        spread = max(2, len(word) // 4)
        lengths = range(len(word) - spread, len(word) + spread + 1)
        pool = sorted(at for n in lengths for at in self._lengths.get(n, ()) if at < self.alike_among)
        alike = difflib.get_close_matches(
            word, [self.known[at] for at in pool], n=limit, cutoff=SUGGESTION_CUTOFF
        )
        return tuple(dict.fromkeys([*slips, *alike]))[:limit]

    def _slip_candidates(self, word: str) -> list[int]:
        if len(word) < 3:  # one slip from "ab" is half the dictionary
            return []
        keys = [
            (n, end) for n in range(len(word) - 1, len(word) + 2) for end in ("^" + word[0], word[-1] + "$")
        ]
        return sorted({at for key in keys for at in self._ends.get(key, ())})


@functools.cache
def _english_words() -> frozenset[str]:
    import gzip

    from photoscope.config import ResourceMissing, resources_dir

    where = resources_dir() / ENGLISH_WORDS_RESOURCE
    try:
        return frozenset(gzip.decompress(where.read_bytes()).decode("ascii").split())
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise ResourceMissing(
            f"{where}, a file Photoscope ships with, is missing or damaged: reinstall it"
        ) from error


def is_english_word(word: str) -> bool:
    """Whether ``word`` is an English word WordNet knows (or a place it names, "paris"), or one of its
    inflections ("oaks")."""
    words = _english_words()
    if word in words:
        return True
    return any(
        word.endswith(end)
        and len(word) - len(end) >= MIN_STEM
        and word[: len(word) - len(end)] + base in words
        for end, base in _ENDINGS
    )


def _one_slip(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one letter wrong, missing or extra, or two swapped ("dgo",
    and "bycicle" for "bicycle": the y and the i change places)."""
    if typed == word or abs(len(typed) - len(word)) > 1:
        return False
    if len(typed) == len(word):
        wrong = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
        if len(wrong) == 1:
            return True
        if len(wrong) != 2:
            return False
        i, j = wrong
        return typed[i] == word[j] and typed[j] == word[i]
    short, long = (typed, word) if len(typed) < len(word) else (word, typed)
    i = next((n for n, (a, b) in enumerate(zip(short, long, strict=False)) if a != b), len(short))
    return short[i:] == long[i + 1 :]


@dataclass(frozen=True)
class Lexicon:
    words: list[str]  # frequent words, most frequent first
    vectors: npt.NDArray[np.float32]  # len(words) x D: the decoder's output word vectors
    known: tuple[str, ...]  # every word of the vocabulary (no specials), for suggestions

    def suggest(self, word: str, among: Sequence[str] | None = None) -> tuple[str, ...]:
        return suggest_words(word, self.known if among is None else among)


def load_lexicon(model_dir: str | Path | None = None, min_count: int = WORD_MIN_COUNT) -> Lexicon:
    """The embeddings of the words seen at least ``min_count`` times in training, from the bundle
    folder (the shipped one by default)."""
    folder = Path(model_dir or default_model_dir())
    meta_path, weights = folder / "bundle.json", folder / "model.safetensors"  # bundle.py's layout
    if not meta_path.is_file() or not weights.is_file():
        raise FileNotFoundError(f"{folder} is not a model bundle (needs bundle.json and model.safetensors)")
    vocabulary = json.loads(meta_path.read_text())["vocabulary"]
    words, counts = vocabulary["words"], vocabulary["counts"]
    keep = [
        i for i, (w, c) in enumerate(zip(words, counts, strict=True)) if c >= min_count and w not in SPECIALS
    ]
    with safe_open(str(weights), framework="numpy") as tensors:
        table = np.asarray(tensors.get_tensor(EMBEDDING), dtype=np.float32)
    return Lexicon([words[i] for i in keep], table[keep], tuple(w for w in words if w not in SPECIALS))
