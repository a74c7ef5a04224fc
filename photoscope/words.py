"""The network's words: similar words and analogies from the decoder's learned embeddings.

Only words seen often enough in training take part: a rare word's embedding has had too few
updates to mean much, and would crowd the neighbour lists with noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from photoscope.network import CaptionNetwork
from photoscope.vocab import SPECIALS, Vocabulary

MIN_COUNT = 20


class UnknownWordError(KeyError):
    def __init__(self, word: str, suggestions: list[str]) -> None:
        super().__init__(word)
        self.word = word
        self.suggestions = suggestions

    def __str__(self) -> str:
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"the model does not know the word '{self.word}' well enough{hint}"


@dataclass(frozen=True)
class WordScore:
    word: str
    score: float


class WordSpace:
    def __init__(self, net: CaptionNetwork, vocab: Vocabulary, min_count: int = MIN_COUNT) -> None:
        keep = [
            i
            for i, (w, c) in enumerate(zip(vocab.words, vocab.counts, strict=True))
            if c >= min_count and w not in SPECIALS
        ]
        self.words = [vocab.words[i] for i in keep]
        self._row = {w: r for r, w in enumerate(self.words)}
        self.vectors = F.normalize(net.embed.weight.detach()[keep], dim=1)

    def __contains__(self, word: object) -> bool:
        return word in self._row

    def vector(self, word: str) -> torch.Tensor:
        word = word.lower().strip()
        if word not in self._row:
            import difflib

            raise UnknownWordError(word, difflib.get_close_matches(word, self.words, n=3, cutoff=0.7))
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
