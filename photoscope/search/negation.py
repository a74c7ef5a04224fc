"""What a description says to leave out: "a dog without a ball", "a street with no cars", "not a cat".

The network reads a description as what a photo shows, so "a dog without a ball" ranked a dog with
a ball first: "ball" counted for it. Such words are taken out of the description and searched as a
taken-away term (``search.combine``'s subtraction: on Flickr8k val, text - word precision@10 32.1
-> 46.4, ``benchmarks/combined_queries.py``): "a dog" - "ball".

The phrase left out follows "without" or "no" (or "not" before an article, opening the query, or
after "but" or "and": "animals but not birds", a place after those: "a dog but not on grass"), or
a search engine's minus sign opening a word ("a dog -cat": that word alone): one
content word, two when the first is a colour or a size ("no red cars") or the second closes the
query ("without the eiffel tower"; "a man wearing no hat climbs a rock": "hat", not "hat climbs",
as no part of speech is known here). A "with" just
before "no", a "but" or "and" just before "not", goes with it. Plain Python: the quick answer uses
it without PyTorch.

Measured on Flickr8k val (``benchmarks/negation.py``): combined_queries.py's 200 "text - word"
queries typed as "A without N" ("dog without ball"), precision@10 16.8 as typed (the network reads
"ball" as wanted: below A alone, 31.9), 44.5 as read here. The exception is what the decoder learned
after "no" and "without" from its training captions (``LEARNED``): "a man with no shirt" is a
shirtless man to it, and taking "shirt" away pushed such photos down (val's 8 such captions, each
its own photo's query: R@10 lower); those phrases are kept as typed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from photoscope.wordlists import FUNCTION_WORDS, NUMBERS, says_nothing, without_framing

NEGATORS = frozenset({"without", "no"})
ARTICLES = frozenset({"a", "an", "the", "any"})
# Words that follow "no" or "without" (an article between) 5 times or more in Flickr8k's training
# captions: the decoder knows those phrases as what the photo shows (shirt 44, shirts 2, evil 6,
# shoes 5, skiing 5; the next, gear, 2).
LEARNED = frozenset({"shirt", "shirts", "evil", "shoes", "skiing"})
# A word and the negator after it that go together out of what is wanted.
JOINED = frozenset({("with", "no"), ("but", "not"), ("and", "not")})
# Where a joined "not" may say the place left out is: "a dog but not on grass" (grass).
PLACES = frozenset({"on", "in", "at", "near", "by", "under", "inside", "beside", "behind"})
# Words that take the next word with them into the phrase left out.
DESCRIBING = frozenset(
    "red orange yellow green blue purple pink brown black white grey gray dark light"  # noqa: SIM905
    " big small little large tall young old other".split()
)
_NOT_IN_PHRASE = FUNCTION_WORDS | NEGATORS | {"not"}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_MINUS = re.compile(r"(?<!\S)-([^\W_]+(?:'[^\W_]+)?)(?!\S)")  # "-cat", not "well-lit" nor "- cat"


class Negated(NamedTuple):
    """A description split: what to look for, and the phrases to take away (none: as it was)."""

    wanted: str
    taken_away: tuple[str, ...]

    @property
    def wants_something(self) -> bool:
        """Whether what is wanted has a word to search by ("photos without people" has none)."""
        return bool(self.wanted.strip()) and not says_nothing(self.wanted)


def split_negations(text: str) -> Negated:
    """``text`` without the phrases it says to leave out, and those phrases; without an opening
    that frames it as photos too ("photos of dogs without grass": "dogs" - "grass";
    ``wordlists.without_framing``).

    >>> split_negations("a dog without a ball on the grass")
    Negated(wanted='a dog on the grass', taken_away=('ball',))
    >>> split_negations("a beach")
    Negated(wanted='a beach', taken_away=())
    """
    text = without_framing(text)
    minus = [m for m in _MINUS.finditer(text) if _in_phrase(m.group(1).lower())]
    for m in reversed(minus):  # "a dog -cat": the minus sign's word, as typed
        text = text[: m.start()] + text[m.end() :]
    words = _WORD.findall(text)
    lower = [w.lower() for w in words]
    kept: list[str] = []
    taken: list[str] = [m.group(1) for m in minus]
    i = 0
    while i < len(words):
        if not _negates(lower, i):
            kept.append(words[i])
            i += 1
            continue
        joined = bool(kept) and (kept[-1].lower(), lower[i]) in JOINED
        if joined:  # "with no shirt", "but not birds": both go
            kept.pop()
        start = _past_articles(lower, i + 1)
        if joined and lower[i] == "not" and start < len(words) and lower[start] in PLACES:
            start = _past_articles(lower, start + 1)  # "but not on grass": the grass
        end = start + 1 if start < len(words) and _in_phrase(lower[start]) else start
        if _describes_next(lower, end) or _closes_a_name(lower, start, end):
            end += 1
        if end > start:
            taken.append(" ".join(words[start:end]))
        i = end
    if not taken:
        return Negated(text, ())
    return Negated(" ".join(kept), tuple(dict.fromkeys(taken)))


def _describes_next(lower: list[str], end: int) -> bool:
    """Whether the phrase's last word is a colour or a size and a content word follows ("no red cars")."""
    return end < len(lower) and lower[end - 1] in DESCRIBING and _in_phrase(lower[end])


def _closes_a_name(lower: list[str], start: int, end: int) -> bool:
    """Whether the one word after the phrase's one word (``start``..``end``) ends the query and
    goes with it: "without the eiffel tower", "without wild animals" (audit 92: "tower" was read as
    wanted). Not a word in "-ing", which says what the rest does ("with no ball running")."""
    last = end == len(lower) - 1 and end == start + 1
    return last and _in_phrase(lower[end]) and not lower[end].endswith("ing")


def _negates(lower: list[str], i: int) -> bool:
    word = lower[i]
    if word in NEGATORS:
        following = _after_articles(lower, i + 1)
        return _in_phrase(following) and following not in LEARNED
    if word == "not":  # "not a cat", "not cats" opening the query; not "a man not yet finished"
        following = lower[i + 1] if i + 1 < len(lower) else ""
        joined = i > 0 and (lower[i - 1], "not") in JOINED  # "animals but not birds"
        if joined and following in PLACES:  # "a dog but not on grass"
            following = _after_articles(lower, i + 2)
        return following in ARTICLES or ((i == 0 or joined) and _in_phrase(following))
    return False


def _after_articles(lower: list[str], i: int) -> str:
    j = _past_articles(lower, i)
    return lower[j] if j < len(lower) else ""


def _past_articles(lower: list[str], i: int) -> int:
    """The first word from ``i`` on that is not an article or a number ("without 2 balls": balls)."""
    while i < len(lower) and (lower[i] in ARTICLES or _is_number(lower[i])):
        i += 1
    return i


def _is_number(word: str) -> bool:
    return word in NUMBERS or any(c.isdigit() for c in word)


def _in_phrase(word: str) -> bool:
    """Whether ``word`` can be (part of) a phrase left out: a content word."""
    return bool(word) and word not in _NOT_IN_PHRASE and not _is_number(word)
