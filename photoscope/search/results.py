"""What a search answers: the photos found, with the words of the query the network does not know."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photoscope.network import QueryWords


@dataclass(frozen=True)
class Hit:
    photo_id: int
    score: float  # cosine similarity, or a fused score for text search


@dataclass(frozen=True)
class UnknownWord:
    word: str
    suggestions: tuple[str, ...]  # known words spelled alike
    # The concept the word was searched by instead ("church" for "cathedral"; see
    # ``network.concepts``), empty when it was not searched at all.
    searched_as: str = ""


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    unknown_words: list[UnknownWord] = field(default_factory=list)
    near_duplicates: frozenset[int] = frozenset()  # photo ids that are copies of the query photo
    named: frozenset[int] = frozenset()  # photo ids the names' lift put first (``path_words.lift_named``)


def unknown_words(query: QueryWords, suggest: Callable[[str], tuple[str, ...]]) -> list[UnknownWord]:
    """The query's content words that neither the decoder nor the concepts know, with the stand-in
    concept of those searched by one first, and known words spelled alike for the others."""
    stand_ins = [UnknownWord(word, (), searched_as=name) for word, name in query.stand_ins]
    return stand_ins + [UnknownWord(w, suggest(w)) for w in query.unknown]
