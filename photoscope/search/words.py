"""The network's words: similar words and analogies from the decoder's learned embeddings.

Only words seen often enough in training take part: a rare word's embedding has had too few
updates to mean much, and would crowd the neighbour lists with noise.

NumPy only: the embeddings are read from the bundle's files (``photoscope.network.load_lexicon``),
so ``photoscope words`` answers without importing PyTorch or building the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from photoscope.network import Lexicon

if TYPE_CHECKING:
    from collections.abc import Sequence

    from photoscope.network import PhotoscopeModel


class _Words(Protocol):
    @property
    def words(self) -> list[str]: ...
    @property
    def vectors(self) -> npt.NDArray[np.float32]: ...

    def suggest(self, word: str, among: Sequence[str] | None = None) -> tuple[str, ...]: ...


class UnknownWordError(KeyError):
    """A word the words tools cannot use (search reports the same word as an ``UnknownWord``)."""

    def __init__(self, word: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(word)
        self.word = word
        self.suggestions = suggestions

    def __str__(self) -> str:
        return self.said()

    def said(self, open_quote: str = "'", close_quote: str = "'") -> str:
        """What went wrong, the word quoted as the caller quotes (the window: “ ”)."""
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"the model does not know the word {open_quote}{self.word}{close_quote} well enough{hint}"


@dataclass(frozen=True)
class WordScore:
    word: str
    score: float


@dataclass(frozen=True)
class _ModelWords:
    """A loaded model's embeddings (tests and callers that already hold the network)."""

    model: PhotoscopeModel
    words: list[str]
    vectors: npt.NDArray[np.float32]

    def suggest(self, word: str, among: Sequence[str] | None = None) -> tuple[str, ...]:
        return self.model.suggest(word, among)


def _model_words(model: PhotoscopeModel, min_count: int | None) -> _ModelWords:
    found = model.word_embeddings() if min_count is None else model.word_embeddings(min_count)
    return _ModelWords(model, found.words, found.vectors.float().numpy())


class WordSpace:
    def __init__(self, source: PhotoscopeModel | Lexicon, min_count: int | None = None) -> None:
        """``source``: the words' embeddings (``load_lexicon``), or a model to take them from."""
        words: _Words = source if isinstance(source, Lexicon) else _model_words(source, min_count)
        self.source = words
        self.words = list(self.source.words)
        self._row = {w: r for r, w in enumerate(self.words)}
        vectors = np.asarray(self.source.vectors, dtype=np.float32)
        self.vectors: npt.NDArray[np.float32] = vectors / np.maximum(
            np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12
        )

    def __contains__(self, word: object) -> bool:
        return word in self._row

    def vector(self, word: str) -> npt.NDArray[np.float32]:
        word = word.lower().strip()
        if word not in self._row:
            raise UnknownWordError(word, self.source.suggest(word, among=self.words))
        row: npt.NDArray[np.float32] = self.vectors[self._row[word]]
        return row

    def nearest(self, query: npt.NDArray[np.float32], k: int, exclude: set[str]) -> list[WordScore]:
        scores = self.vectors @ (query / max(float(np.linalg.norm(query)), 1e-12))
        result = []
        for i in np.argsort(-scores, kind="stable").tolist():
            if self.words[i] not in exclude:
                result.append(WordScore(self.words[i], float(scores[i])))
            if len(result) == k:
                break
        return result

    def similar(self, word: str, k: int = 10) -> list[WordScore]:
        return self.nearest(self.vector(word), k, exclude={word.lower().strip()})

    def analogy(self, a: str, b: str, c: str, k: int = 5) -> list[WordScore]:
        """a is to b as c is to ?  (3CosAdd: b - a + c, the three inputs excluded)."""
        query = self.vector(b) - self.vector(a) + self.vector(c)
        return self.nearest(query, k, exclude={a.lower(), b.lower(), c.lower()})
