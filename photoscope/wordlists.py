"""Words: those that say nothing a photo shows, alone (a query's function words and its numbers),
and how words are folded to be compared. Plain Python in a leaf module: the network reads the
words, and the command line checks a query with them before it asks the running app (without
NumPy, PyTorch or the API: a quick search's startup). What the app says in sentences is
``photoscope.wording``'s."""

from __future__ import annotations

import re
import unicodedata

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
        # whose photo it is, not what it shows ("a picture of my cat": "my" is no unknown word);
        # not "us", a folder's name as often ("US 2019")
        "my",
        "mine",
        "our",
        "your",
        "i",
        "me",
        "we",
        "you",
    ]
)

# Numbers carry nothing to rank by on their own ("two" would rank every photo).
NUMBERS = frozenset({"one", "two", "three"})
# Words every photo answers to: alone ("photo", "a picture", "something") they would rank the
# library in an arbitrary order; beside others ("a picture of a dog") they are kept.
ANY_PHOTO_WORDS = frozenset(
    "photo photos picture pictures image images pic pics snapshot snapshots thing things".split()  # noqa: SIM905
) | {"something", "stuff"}

# A query opened by what it is a photo of ("photos of dogs", "a picture of a dog", "images showing
# castles"): the opening frames the words after it. Read as words, "photos" beside "dogs" was a
# thing for the photos to show, and no photo shows "photos" (audit 85: every likely match lost).
_FRAMING = re.compile(
    r"^\s*(?:(?:a|an|the|some|my|our)\s+)?(?:photo|picture|image|pic|snapshot|shot)s?\s+(?:of|showing)\s+(?=\S)",
    re.IGNORECASE,
)


def without_framing(text: str) -> str:
    """``text`` without an opening that says it asks for photos ("photos of dogs": "dogs"); as it
    is otherwise ("a picture on a wall", "people taking pictures of a dog")."""
    return _FRAMING.sub("", text, count=1)


# Words that only link or negate others: alone ("no", "not the", "but") they name nothing, and
# listed palaces and coral reefs as "5 likely matches" (the audit of stop 45). Not function words
# for the network, which reads "no shirt" as Flickr8k says it.
LINKING_WORDS = frozenset(
    "no not nor neither none nothing without but yes if so than then also too just only any all".split()  # noqa: SIM905
)


_SAY_NOTHING = FUNCTION_WORDS | NUMBERS | ANY_PHOTO_WORDS | LINKING_WORDS


def says_nothing(text: str) -> bool:
    """Whether a query's words, all of them, say nothing a photo could show: function words,
    numbers and words any photo answers to ("a", "the", "two", "a photo"). Such a query would rank
    every photo; it finds none."""
    words = re.findall(r"[\w']+", text.lower())
    return bool(words) and carry_nothing(words)


def numbers_only(text: str) -> bool:
    """Whether a query is numbers in digits alone ("2019", "4711"): what the network cannot see, and
    the photos' file and folder names may hold."""
    words = re.findall(r"[\w']+", text)
    return bool(words) and all(w.isdigit() for w in words)


def year_of(text: str) -> int | None:
    """The year a query of one number names (1826, the oldest photo, to 2999), else None."""
    words = re.findall(r"[\w']+", text)
    if len(words) == 1 and words[0].isdigit() and len(words[0]) == 4 and 1826 <= int(words[0]) <= 2999:
        return int(words[0])
    return None


def carry_nothing(words: list[str]) -> bool:
    return all(w in _SAY_NOTHING for w in words)


def fold(text: str) -> str:
    """Lower case with accents folded ("Café" is "cafe", "Straße" "strasse"), as the network reads."""
    text = text.casefold()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# Words a phrase cannot end on ("playing with", "in the", "a"): articles, prepositions, conjunctions,
# auxiliaries and possessives. Not "it", "up", "out" or "off", which end one ("a dog jumping up").
DANGLING_WORDS = FUNCTION_WORDS - {"it", "up", "down", "out", "off", "mine", "i", "me", "we", "you"}


def caption_within(caption: str, limit: int) -> str:
    """``caption`` in at most ``limit`` words, ended where a phrase may end: its longest such start
    ("a dog in the grass" in 4 words is "a dog"), else its first word that is not dangling ("dog"
    in 1), else "" (it has none: "a"). `caption --max-len` wrote more words than asked (the caption
    rule names the photo after decoding) or stopped on "playing with" (audit 74, repro_9)."""
    words = caption.split()
    kept = words[:limit]
    while kept and kept[-1].lower() in DANGLING_WORDS:
        kept.pop()
    if kept:
        return " ".join(kept)
    content = [word for word in words if word.lower() not in DANGLING_WORDS]
    return content[0] if content else ""


_SIBILANT = ("s", "x", "z", "ch", "sh")  # their plurals add "es": "boxes", "beaches", "buses"


def number_forms(word: str) -> tuple[str, ...]:
    """The word, and its forms in the other number: folders are named "Birds", queries say "a
    bird" (and back); a query's "dandelions" is the decoder's "dandelion". English's regular
    plurals only; a word that ends in "s" but is no plural ("paris", "glass", "bus") keeps its own.
    A form that is no word ("hors" of "horses") finds nothing where the forms are looked up."""
    if len(word) < 3 or not word.isalpha():
        return (word,)
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    elif word.endswith("es") and word[:-2].endswith(_SIBILANT):
        forms += [word[:-1], word[:-2]]  # "horses" or "boxes"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.append(word[:-1])
    if len(forms) == 1:  # a singular: its plurals
        forms.append(word + "es" if word.endswith(_SIBILANT) else word + "s")
        if word.endswith("y") and word[-2] not in "aeiou":
            forms.append(word[:-1] + "ies")
    return tuple(forms)
