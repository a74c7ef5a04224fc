"""The decoder's word embeddings read straight from the bundle's files, without PyTorch.

``photoscope words`` needs only the vocabulary (``bundle.json``) and one weight matrix
(``out.weight`` in ``model.safetensors``), which ``safetensors.numpy`` reads in milliseconds;
importing PyTorch and building the network would cost seconds and hundreds of MB.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors import safe_open

from photoscope.config import default_model_dir
from photoscope.network.vocab import SPECIALS

SUGGESTION_CUTOFF = 0.75  # difflib similarity above which a known word is offered for a misspelt one
WORD_MIN_COUNT = 20  # training count below which a word's embedding has had too few updates to mean much
# The decoder's output word vectors (each scores the next word by a dot product with the decoder's
# state), not its input embeddings, which the GRU reads through a nonlinearity: on the shipped model
# 3CosAdd analogies hold for plural nouns 84 of 132 times against 0, "-ing" forms 86 of 90 against 3,
# man/woman pairs 17 of 30 against 2, and "dog"'s neighbours are "dogs, puppy" rather than "coats,
# railing" (runs/exp/word_analogies.py; tests/test_word_space.py).
EMBEDDING = "out.weight"


def suggest_words(word: str, known: Sequence[str]) -> tuple[str, ...]:
    """Known words spelled like ``word`` (the one suggestion rule of search and the words tools)."""
    return tuple(difflib.get_close_matches(word, known, n=3, cutoff=SUGGESTION_CUTOFF))


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
