"""How a combined query's terms read before the network sees them: what an added text says to
leave out becomes a term of its own ("a dog without a ball" is "a dog" - "ball"), and a text added
and taken away cancels out ("a cat" - "a cat" asks for nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from photoscope.api.types import QueryTerm
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
            out.append(term)
            continue
        if negated.wants_something:
            out.append(replace(term, text=negated.wanted))
        out += [QueryTerm(text=p, weight=term.weight, negative=True) for p in negated.taken_away]
        taken += negated.taken_away
    return out, tuple(dict.fromkeys(taken))


def cancel_out(terms: Sequence[QueryTerm]) -> tuple[list[QueryTerm], tuple[str, ...]]:
    """The terms without the added texts that a taken-away text says again (the same words, but for
    function words) at no less weight than they add together, nor those taken-away texts; and the
    added texts so cancelled, once each. "a cat" - "a cat" listed black dogs at full strength, "9
    likely matches": what the network's two readings of one text do not share (the GUI walk of
    stop 43)."""
    taken: dict[frozenset[str], float] = {}
    added: dict[frozenset[str], float] = {}
    for t in terms:
        words = _said(t)
        if t.text is None or not words:
            continue
        if t.negative:
            taken[words] = max(taken.get(words, 0.0), t.weight)
        else:
            added[words] = added.get(words, 0.0) + t.weight
    gone = {words for words, weight in added.items() if 0 < weight <= taken.get(words, 0.0)}
    kept = [t for t in terms if t.text is None or _said(t) not in gone]
    cancelled = [t.text for t in terms if t.text is not None and not t.negative and _said(t) in gone]
    return kept, tuple(dict.fromkeys(cancelled))


def cancelled_text(wanted: str, taken_away: Sequence[str]) -> tuple[str, ...]:
    """``cancel_out`` of a description's wanted text and what it says to leave out ("a cat without a
    cat"): the quick answers read it so too, and do not list what the network's answer will not."""
    terms = [QueryTerm(text=wanted), *(QueryTerm(text=p, negative=True) for p in taken_away)]
    return cancel_out(terms)[1]


def _said(term: QueryTerm) -> frozenset[str]:
    """A text term's words but for function words ("the beach" says "beach")."""
    from photoscope.search.path_words import tokens  # NumPy's: not for the commands that need none

    return frozenset(w for w in tokens(term.text or "") if w not in FUNCTION_WORDS)
