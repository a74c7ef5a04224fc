"""The network's words: similar words and analogies from the decoder's learned embeddings.

Only words seen often enough in training take part: a rare word's embedding has had too few
updates to mean much, and would crowd the neighbour lists with noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from photoscope.network import PhotoscopeModel
from photoscope.search.ranking import UnknownWord


class UnknownWordError(KeyError):
    """A word the words tools cannot use (search reports the same ``UnknownWord`` without raising)."""

    def __init__(self, unknown: UnknownWord) -> None:
        super().__init__(unknown.word)
        self.word = unknown.word
        self.suggestions = unknown.suggestions

    def __str__(self) -> str:
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"the model does not know the word '{self.word}' well enough{hint}"


@dataclass(frozen=True)
class WordScore:
    word: str
    score: float


class WordSpace:
    def __init__(self, model: PhotoscopeModel, min_count: int | None = None) -> None:
        embeddings = model.word_embeddings() if min_count is None else model.word_embeddings(min_count)
        self.model = model
        self.words = embeddings.words
        self._row = {w: r for r, w in enumerate(self.words)}
        self.vectors = F.normalize(embeddings.vectors, dim=1)

    def __contains__(self, word: object) -> bool:
        return word in self._row

    def vector(self, word: str) -> torch.Tensor:
        word = word.lower().strip()
        if word not in self._row:
            raise UnknownWordError(UnknownWord(word, self.model.suggest(word, among=self.words)))
        return self.vectors[self._row[word]]

    def nearest(self, query: torch.Tensor, k: int, exclude: set[str]) -> list[WordScore]:
        scores = self.vectors @ F.normalize(query, dim=0)
        order = scores.argsort(descending=True)
        result = []
        for i in order.tolist():
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
