"""Tokenizer and vocabulary shared by the caption decoder and the text encoder."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from photoscope.wordlists import FUNCTION_WORDS as FUNCTION_WORDS  # its home: a leaf the CLI reads
from photoscope.wordlists import fold, number_forms

PAD, START, END, UNK = "<pad>", "<start>", "<end>", "<unk>"
SPECIALS = (PAD, START, END, UNK)
_WORD = re.compile(r"[a-z]+")
_LETTERS = re.compile(r"[^\W\d_]+")  # a word in any script


# Letters the decoder knows as pieces of words in its training captions ("a man 's hat", "a t shirt",
# "rock n roll"). Typed alone in a query, such a letter is a typo or a word typed halfway ("dog n"):
# searched as a word, it listed arbitrary photos and took the likely matches away (audit 85).
LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz") - FUNCTION_WORDS  # "a", "i": function words
_TYPED = re.compile(r"['\u2019]?[^\W_]+(?:['\u2019\-][^\W_]+)*")  # as typed: "man's", "t-shirt", "man 's"


def stray_letters(text: str) -> frozenset[str]:
    """The letters ``text`` has as words of their own ("dog n": n), not as pieces of others ("a
    man's hat", "a t-shirt": none); a letter typed both ways is not stray."""
    alone: set[str] = set()
    attached: set[str] = set()
    for typed in _TYPED.findall(fold(text).lower()):
        pieces = tokenize(typed)
        piece_of_another = len(pieces) > 1 or typed[0] in "'\u2019"  # Flickr8k's "man 's"
        (attached if piece_of_another else alone).update(p for p in pieces if p in LETTERS)
    return frozenset(alone - attached)


def tokenize(text: str) -> list[str]:
    """Lower-case alphabetic words; digits and punctuation are dropped (as in the training data),
    accents folded ("café" is "cafe", "Straße" "strasse"). A word with a letter outside a-z even
    so ("猫", "кошка", "Ærø") is none: not its a-z parts ("Ærø" was read as "r"; ``unreadable``)."""
    return [w for w in _LETTERS.findall(fold(text)) if _WORD.fullmatch(w)]


def typed_words(text: str) -> dict[str, str]:
    """The words ``tokenize`` reads from a typed word with digits in it, each with that typed word
    ("d0g": "d" and "g", both "d0g"): what a note of unknown words names, for nobody typed "d" and
    "g" (audit 74, repro_3)."""
    out: dict[str, str] = {}
    for typed in re.findall(r"[^\W_]+", fold(text)):
        if any(c.isdigit() for c in typed):
            out.update(dict.fromkeys(tokenize(typed), typed))
    return out


def typed_names(text: str) -> frozenset[str]:
    """The words of ``text`` typed as names, as ``tokenize`` reads them: a capital then small letters
    ("Taj Mahal", "a dog at Taj"), not a sentence's capital on the first word alone ("Dgo on the
    grass") nor capitals throughout ("a DGO"). A name the model does not know is no slip of a word
    it knows: "the Taj Mahal" was offered "tan" (the honest-results walk of stop 48)."""
    typed = _LETTERS.findall(text)

    def capitalised(at: int) -> bool:
        return at < len(typed) and typed[at][:1].isupper() and not typed[at].isupper()

    named = [w for at, w in enumerate(typed) if capitalised(at) and (at > 0 or capitalised(1))]
    return frozenset(t for w in named for t in tokenize(w))


def unreadable(text: str) -> list[str]:
    """The words of ``text`` ``tokenize`` cannot read, split and folded as it splits and folds
    them: letters outside a-z even with accents folded ("猫", "кошка"; "m²" is "m" and a digit to
    both). A query says it does not know them (the audit of stop 45: "猫" answered "no matching
    photos", and "猫 dog" searched "dog", without a word)."""
    return [w for w in _LETTERS.findall(fold(text)) if not _WORD.fullmatch(w)]


def phrases(words: Sequence[str], longest: int = 3) -> set[str]:
    """Every run of one to ``longest`` consecutive words, as text ("a red car": a, red, car, a red,
    red car, a red car)."""
    return {" ".join(words[i : i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]  # index -> word; the four specials come first
    counts: tuple[int, ...]  # training-set frequency of each word (0 for specials)
    # The special tokens' ids, looked up once from ``words``.
    pad: int = field(init=False, repr=False, compare=False)
    start: int = field(init=False, repr=False, compare=False)
    end: int = field(init=False, repr=False, compare=False)
    unk: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.words)})
        for name, token in (("pad", PAD), ("start", START), ("end", END), ("unk", UNK)):
            object.__setattr__(self, name, self.index(token))

    @classmethod
    def build(cls, captions: Iterable[str], min_count: int = 5) -> Vocabulary:
        counter = Counter(word for caption in captions for word in tokenize(caption))
        kept = sorted((w for w, c in counter.items() if c >= min_count), key=lambda w: (-counter[w], w))
        return cls(
            words=SPECIALS + tuple(kept), counts=(0,) * len(SPECIALS) + tuple(counter[w] for w in kept)
        )

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index  # type: ignore[attr-defined]

    def index(self, word: str) -> int:
        return int(self._index.get(word, self._index[UNK]))  # type: ignore[attr-defined]

    def encode(self, text: str, add_end: bool = True) -> list[int]:
        ids = [self.index(w) for w in tokenize(text)]
        return [*ids, self.end] if add_end else ids

    def reads(self, word: str) -> str:
        """The word a query's ``word`` is to the decoder: itself, or where it does not know it, the
        same word in the other number if it knows that ("dandelions": dandelion, 9 training captions;
        "tulip": tulips), else itself (unknown). Queries only: training reads captions as written."""
        if word in self:
            return word
        return next((form for form in number_forms(word)[1:] if form in self), word)

    def encode_query(self, text: str, add_end: bool = True) -> list[int]:
        """``encode`` of a query, each word as the decoder ``reads`` it; a letter typed alone is
        unknown (``stray_letters``)."""
        stray = stray_letters(text)
        ids = [self.unk if w in stray else self.index(w) for w in map(self.reads, tokenize(text))]
        return [*ids, self.end] if add_end else ids

    def decode(self, ids: Sequence[int]) -> str:
        words = []
        for i in ids:
            if i == self.end:
                break
            if i not in (self.pad, self.start):
                words.append(self.words[i])
        return " ".join(words)

    def unknown_words(self, text: str) -> list[str]:
        """A query's words the decoder does not know, in either number (``reads``)."""
        stray = stray_letters(text)
        return [w for w in tokenize(text) if w in stray or self.reads(w) not in self]
