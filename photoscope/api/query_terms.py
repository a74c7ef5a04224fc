"""How a combined query's terms read before the network sees them: what an added text says to
leave out becomes a term of its own ("a dog without a ball" is "a dog" - "ball"), and a text added
and taken away cancels out ("a cat" - "a cat" asks for nothing)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace

from photoscope.api.types import QueryTerm, Repeat
from photoscope.library.fs import normalize_path, partial_hash
from photoscope.search.negation import split_negations
from photoscope.wordlists import FUNCTION_WORDS


def negations_apart(terms: Sequence[QueryTerm]) -> tuple[list[QueryTerm], tuple[str, ...]]:
    """The terms with what each added text says to leave out ("a dog without a ball") taken away as
    terms of their own ("a dog" - "ball"), and the phrases so taken away. What is left of a text
    that says nothing ("photos without people") goes: the photos least like what is left out."""
    out: list[QueryTerm] = []
    taken: list[str] = []
    for term in terms:
        negated = split_negations(term.text) if term.text is not None and not term.negative else None
        if negated is None or not negated.taken_away:
            out.append(term if negated is None else replace(term, text=negated.wanted))  # "photos of": gone
            continue
        if negated.wants_something:
            out.append(replace(term, text=negated.wanted))
        out += [QueryTerm(text=p, weight=term.weight, negative=True) for p in negated.taken_away]
        taken += negated.taken_away
    return out, tuple(dict.fromkeys(taken))


PathOf = Callable[[int], str | None]  # a library photo's file, by its id (None: not in the index)


def cancel_out(
    terms: Sequence[QueryTerm], path_of: PathOf | None = None
) -> tuple[list[QueryTerm], tuple[str, ...]]:
    """The terms without the added ones that a taken-away term says again (a text's same words, but
    for function words; the same photo, or a copy of its bytes) at no less weight than they add
    together, nor those taken-away terms; and the added terms so cancelled, once each, as the notes
    name them (a photo by its file name). "a cat" - "a cat" listed black dogs at full strength, "9
    likely matches": what the network's two readings of one text do not share (the GUI walk of stop
    43); a photo taken from itself listed its likeness (the CLI audit of stop 47), and from its copy
    too (audit 73). ``path_of``: where a library photo given by its id is."""
    taken: dict[Hashable, float] = {}
    added: dict[Hashable, float] = {}
    said_of = {id(t): _said(t, path_of) for t in terms}
    for t in terms:
        said = said_of[id(t)]
        if said is None:
            continue
        if t.negative:
            taken[said] = max(taken.get(said, 0.0), t.weight)
        else:
            added[said] = added.get(said, 0.0) + t.weight
    gone = {said for said, weight in added.items() if 0 < weight <= taken.get(said, 0.0)}
    kept = [t for t in terms if said_of[id(t)] not in gone]
    cancelled = [_name(t) for t in terms if not t.negative and said_of[id(t)] in gone]
    return kept, tuple(dict.fromkeys(cancelled))


# A term weighing under this share of the heaviest counts for nothing, as at weight 0: at 0.0000001
# beside 1, "snow" sent "a dog" through the combined ranker and its other bars, and the order and
# the likely matches changed (audit 100, repro_1). Weights count only against each other.
NEXT_TO_NOTHING = 0.01


def next_to_nothing(terms: Sequence[QueryTerm]) -> list[QueryTerm]:
    """The terms that weigh more than 0 but under ``NEXT_TO_NOTHING`` of the heaviest."""
    heaviest = max((t.weight for t in terms), default=0.0)
    return [t for t in terms if 0 < t.weight < NEXT_TO_NOTHING * heaviest]


def without_next_to_nothing(terms: Sequence[QueryTerm]) -> list[QueryTerm]:
    """The terms, those of ``next_to_nothing`` at weight 0 (they count for nothing)."""
    light = {id(t) for t in next_to_nothing(terms)}
    return [replace(t, weight=0.0) if id(t) in light else t for t in terms]


def repeats(terms: Sequence[QueryTerm], path_of: PathOf | None = None) -> tuple[Repeat, ...]:
    """The terms given more than once with one sign (the same words but for function words, the same
    photo or its copy), named as the notes name them, in the order first given."""
    given: dict[tuple[Hashable, bool], list[QueryTerm]] = {}
    for t in terms:
        said = _said(t, path_of)
        if said is not None and t.weight > 0:
            given.setdefault((said, t.negative), []).append(t)
    return tuple(
        Repeat(_name(same[0]), same[0].text is not None, len(same), sum(t.weight for t in same))
        for same in given.values()
        if len(same) > 1
    )


def one_term(terms: Sequence[QueryTerm], path_of: PathOf | None = None) -> bool:
    """Whether the terms are one added term, given once or more (the same words but for function
    words, the same photo or its copy)."""
    if not terms or any(t.negative for t in terms):
        return False
    said = {_said(t, path_of) for t in terms}
    return len(terms) == 1 or (len(said) == 1 and None not in said)


def cancelled_text(wanted: str, taken_away: Sequence[str]) -> tuple[str, ...]:
    """``cancel_out`` of a description's wanted text and what it says to leave out ("a cat without a
    cat"): the quick answers read it so too, and do not list what the network's answer will not."""
    terms = [QueryTerm(text=wanted), *(QueryTerm(text=p, negative=True) for p in taken_away)]
    return cancel_out(terms)[1]


def _said(term: QueryTerm, path_of: PathOf | None = None) -> Hashable | None:
    """What a term asks for, as two terms that ask the same compare: a text's words but for
    function words ("the beach" says "beach"), a photo's bytes (its size and partial hash: a copy
    elsewhere is the same photo), or where they cannot be read its library id or path (one
    spelling); None for a text of function words alone or pasted pixels, which nothing else says."""
    from photoscope.search.path_words import tokens  # NumPy's: not for the commands that need none

    if term.text is not None:
        words = frozenset(w for w in tokens(term.text) if w not in FUNCTION_WORDS)
        return words or None
    if isinstance(term.photo, int):
        path = path_of(term.photo) if path_of is not None else None
        return (_bytes_of(path) if path is not None else None) or ("photo", term.photo)
    if isinstance(term.photo, str | os.PathLike):
        return _bytes_of(term.photo) or ("file", normalize_path(term.photo))
    return None


def _bytes_of(path: str | os.PathLike[str]) -> tuple[str, int, str] | None:
    """A photo file's size and partial hash, None when it cannot be read. A query's photo is
    compared three times a search (``cancel_out``, ``repeats``, ``one_term``) and again at every
    keystroke: its bytes are read once while its size and time stay."""
    try:
        st = os.stat(path)
        return ("bytes", st.st_size, _hash_of(os.fspath(path), st.st_size, st.st_mtime_ns))
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=256)
def _hash_of(path: str, size: int, mtime_ns: int) -> str:
    """``fs.partial_hash`` of the file as it is at ``size`` and ``mtime_ns`` (the cache's key)."""
    return partial_hash(path, size)


def same_photo(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one photo file, however spelled ("~/a.jpg", "/home/me/./a.jpg"): the
    one spelling the index and ``cancel_out`` compare."""
    return normalize_path(a) == normalize_path(b)


def _name(term: QueryTerm) -> str:
    """A cancelled term as the notes name it: its text, or its photo's file name."""
    if term.text is not None:
        return term.text
    if isinstance(term.photo, str | os.PathLike):
        return os.path.basename(os.fspath(term.photo))
    return f"photo {term.photo}"
