"""Words: those that say nothing a photo shows, alone (a query's function words and its numbers),
and counts in words ("1 photo", "2 photos"). Plain Python in a leaf module: the network reads the
words, and the command line checks a query with them before it asks the running app (without
NumPy, PyTorch or the API: a quick search's startup); the window and the command line count alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Words a query uses to join its content words; never "unknown", never concepts.
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "by",
        "for",
        "from",
        "into",
        "onto",
        "over",
        "under",
        "near",
        "its",
        "it",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "some",
        "very",
        "while",
        "as",
        "up",
        "down",
        "out",
        "off",
    ]
)

# Numbers carry nothing to rank by on their own ("two" would rank every photo).
NUMBERS = frozenset({"one", "two", "three"})


def says_nothing(text: str) -> bool:
    """Whether a query's words, all of them, say nothing a photo could show: function words and
    numbers ("a", "the", "two"). Such a query would rank every photo; it finds none."""
    words = re.findall(r"[\w']+", text.lower())
    return bool(words) and carry_nothing(words)


def carry_nothing(words: list[str]) -> bool:
    return all(w in FUNCTION_WORDS or w in NUMBERS for w in words)


def plural(count: int, word: str, words: str | None = None) -> str:
    """ "1 photo", "1,204 photos"; ``words`` for a plural that is not ``word`` + "s"."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def by_name_note(count: int) -> str:
    """That the first ``count`` photos are listed by their folder or file names ("" for none)."""
    if count <= 0:
        return ""
    if count == 1:
        return "the first is listed by its folder or file name"
    return f"the first {count} are listed by their folder or file names"


def undated_note(count: int) -> str:
    """That ``count`` photos, with a date filter, are placed by their files' dates ("" for none)."""
    if count <= 0:
        return ""
    if count == 1:
        return "1 photo with no date taken is placed by the file's date"
    return f"{count:,} photos with no date taken are placed by the file's date"


def fold(text: str) -> str:
    """Lower case with accents folded ("Café" is "cafe", "Straße" "strasse"), as the network reads."""
    text = text.casefold()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def unseen_note(words: Iterable[str], open_quote: str = "'", close_quote: str = "'") -> str:
    """That the network sees none of these concept words clearly in any photo."""
    quoted = " or ".join(f"{open_quote}{w}{close_quote}" for w in words)
    return f"Photoscope cannot clearly see {quoted} in any photo"
