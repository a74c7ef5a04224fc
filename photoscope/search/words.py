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
    from collections.abc import Container, Sequence

    from photoscope.network import PhotoscopeModel


class _Words(Protocol):
    @property
    def words(self) -> list[str]: ...
    @property
    def vectors(self) -> npt.NDArray[np.float32]: ...

    def suggest(self, word: str, among: Sequence[str] | None = None) -> tuple[str, ...]: ...


class UnknownWordError(KeyError):
    """A word the words tools cannot use (search reports the same word as an ``UnknownWord``).
    ``others``: further words of the same request it cannot use either, named with it: an analogy
    named only its first, and the next came out on the next run (audit 74, repro_4)."""

    def __init__(
        self,
        word: str,
        suggestions: tuple[str, ...] = (),
        others: tuple[UnknownWordError, ...] = (),
        broader: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(word)
        self.word = word
        self.suggestions = suggestions
        self.others = others
        # A word the image encoder's head knows (``broader_placed``): the broader words the tools
        # place, maybe none; None for a word the model does not know at all.
        self.broader = broader

    def __str__(self) -> str:
        return self.said()

    def said(self, open_quote: str = "'", close_quote: str = "'") -> str:
        """What went wrong, the word quoted as the caller quotes (the window: “ ”)."""
        if self.others:
            every = (self, *self.others)
            named = [error.named(open_quote, close_quote) for error in every]
            listed = f"{', '.join(named[:-1])} and {named[-1]}"
            recognised = [e for e in every if e.broader is not None]
            if not recognised:
                return f"Photoscope does not know the words {listed} well enough"
            seen = " or ".join(f"{open_quote}{e.word}{close_quote}" for e in recognised)
            return (
                f"the model cannot place the words {listed} among its words (it recognises {seen} in"
                " photos, but saw those words too rarely in its training captions)"
            )
        if self.broader is not None:
            return self._recognised(open_quote, close_quote)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"Photoscope does not know the word {open_quote}{self.word}{close_quote} well enough{hint}"

    def _recognised(self, open_quote: str, close_quote: str) -> str:
        """``said`` of a word the image encoder knows but the caption writer saw too rarely to place
        among its words: "does not know 'castle'" was false of a word its captions use (audit 81)."""
        word = f"{open_quote}{self.word}{close_quote}"
        placed = " or ".join(f"{open_quote}{w}{close_quote}" for w in self.broader or ())
        also = f"; a broader word it places: {placed}" if placed else ""
        return (
            f"the model recognises {word} in photos, but saw the word too rarely in its training captions"
            f" to place it among its words{also}"
        )

    def named(self, open_quote: str, close_quote: str) -> str:
        """The word quoted, with its suggestions after it when there are some."""
        hint = f" (did you mean {', '.join(self.suggestions)}?)" if self.suggestions else ""
        return f"{open_quote}{self.word}{close_quote}{hint}"


BROADER_SHOWN = 2  # broader words named for a word the tools cannot place ("castle": structure)


def broader_placed(word: str, placed: Container[str]) -> tuple[str, ...] | None:
    """For a word of the image encoder's head (``network.Concepts``) the words tools cannot place,
    the broader words above it they can, nearest first ("castle": structure; "goose": bird,
    animal), maybe none; None when the head knows no such word either."""
    from photoscope.network import load_concepts

    concepts = load_concepts()
    classes = concepts.classes_for(word)
    if not classes:
        return None
    chain = concepts.covering_words(classes[0])  # its own words, then its ancestors', nearest first
    above = chain[chain.index(word) + 1 :] if word in chain else chain
    return tuple(w for w in above if w in placed and w != word)[:BROADER_SHOWN]


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
        return self.vectors_of(word)[0]

    def vectors_of(self, *words: str) -> list[npt.NDArray[np.float32]]:
        """Each word's vector; raises one ``UnknownWordError`` that names every word not known."""
        cleaned = [word.lower().strip() for word in words]
        unknown = [
            UnknownWordError(
                w, self.source.suggest(w, among=self.words), broader=broader_placed(w, self._row)
            )
            for w in dict.fromkeys(cleaned)  # a word given twice is named once
            if w not in self._row
        ]
        if unknown:
            first = unknown[0]
            raise UnknownWordError(first.word, first.suggestions, tuple(unknown[1:]), first.broader)
        return [self.vectors[self._row[w]] for w in cleaned]

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
        va, vb, vc = self.vectors_of(a, b, c)
        query = vb - va + vc
        return self.nearest(query, k, exclude={a.lower(), b.lower(), c.lower()})
