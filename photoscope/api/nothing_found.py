"""Why a search found no photo: one decision for the window and the command line, each saying it in
its own words (``gui.wording.nothing_found``, ``commands.search``). Decided apart, the window said
"Try describing it in other words" for a library whose photos all failed to index, or whose
folders hold no photo yet, where the command line named the reason."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, auto

from photoscope.library.records import Folder, PhotoCounts


class WhyNothing(Enum):
    """The likeliest reason a query found no photo."""

    CANCELLED = auto()  # every added text is taken away too ("a cat" - "a cat"): nothing to search
    WEIGHTLESS = auto()  # every term of the query weighs 0: nothing to search
    NO_WORDS = auto()  # the query's words say nothing a photo shows ("two", "a"): nothing to search by
    UNKNOWN_WORDS = auto()  # no photo asked, and the answer names words the network does not know
    NO_FOLDERS = auto()  # no folder is watched
    NO_PHOTOS = auto()  # the watched folders hold no photo
    OTHER_MODEL = auto()  # every indexed photo was described by another model (searched by it only)
    WAITING = auto()  # no photo is searchable yet: they wait to be indexed
    WAITING_OFFLINE = auto()  # no photo is searchable: they wait for their offline folder to be back
    NONE_INDEXED = auto()  # none of the library's photos could be read or indexed
    NAMED_AWAY = auto()  # a taken-away term's word names the photos' folders or files: left out
    FILTERED = auto()  # a folder or a date range narrowed the search
    UNSEEN = auto()  # the query's words are concepts alone, and the network sees none clearly
    NUMBERS = auto()  # the query is numbers alone ("2019"), looked for in names, and no name holds them
    NO_MATCH = auto()  # the photos were searched, and none matched


@dataclass(frozen=True)
class EmptyAnswer:
    """What a front end knows when a query found no photo."""

    counts: PhotoCounts | None  # the library's photos by state (None: not counted yet)
    has_folders: bool = True
    filtered: bool = False
    # No photo asked, and the answer names words the network does not know: with the library able to
    # answer, no filter and no concept unseen, nothing else of the query was known (a known word
    # lists photos).
    unknown_words: bool = False
    unsure: tuple[str, ...] = ()  # ``Results.unsure``: concept words no photo clearly shows
    other_model: int = 0  # indexed photos another model described (known where the model is loaded)
    indexing: bool = False  # the indexer is at work: more photos may become searchable
    cancelled: bool = False  # ``Results.nothing_left``: every added term is taken away too
    left_out_by_name: bool = False  # ``Results.left_out_by_name``: photos a taken-away name left out
    weightless: bool = False  # every term weighs 0 (the window's chips; the command line refuses it)
    numbers_only: bool = False  # the query's words are numbers alone (``wordlists.numbers_only``)
    says_nothing: bool = False  # the query's words say nothing a photo shows (``wordlists.says_nothing``)
    # ``Results.waiting``: the answer's own count of photos waiting to be indexed. ``counts`` may be
    # older (the window's, read a moment before a scan counted them: audit 83).
    waiting: int = 0
    # Of the photos waiting to be indexed, those in folders that are offline: nothing indexes them
    # until their folder is back (audit 98, repro_3: "run `photoscope index`", which did nothing).
    waiting_offline: int = 0


def waiting_offline(folders: Iterable[Folder]) -> int:
    """``EmptyAnswer.waiting_offline`` of the watched ``folders``: the photos waiting to be indexed
    in those that are offline (the window's list, or the library's)."""
    return sum(f.pending for f in folders if not f.online)


def asks_nothing(text: str, other_terms: bool) -> bool:
    """``EmptyAnswer.says_nothing`` of a query of ``text`` alone (no photo, no other term): words
    that say nothing a photo shows ("two", "a photo"), which the command line refuses before it
    searches; the window said "Try describing it in other words" (the fresh-seat audit of stop 52)."""
    from photoscope.wordlists import says_nothing

    # no word at all ("🐶", "!!!"): the window said "Try describing it in other words" (audit 85)
    return not other_terms and (says_nothing(text) or not re.search(r"\w", text))


def asks_numbers_alone(text: str, other_terms: bool) -> bool:
    """``EmptyAnswer.numbers_only`` of a query of ``text`` (and, with ``other_terms``, photos or
    more terms, which a number alone does not describe): the window's and the command line's."""
    from photoscope.wordlists import numbers_only

    return not other_terms and numbers_only(text)


def why_nothing(answer: EmptyAnswer) -> WhyNothing:
    """The likeliest reason first: a query that asks nothing, then the library, then the filters and
    the query's words. Photos still waiting while others were searched are not the reason (their
    count is a note of its own: ``still_waiting``)."""
    counts = answer.counts
    if answer.weightless:
        return WhyNothing.WEIGHTLESS
    if answer.cancelled:
        return WhyNothing.CANCELLED
    if answer.says_nothing:
        return WhyNothing.NO_WORDS
    if not answer.has_folders and (counts is None or not counts.total):
        return WhyNothing.NO_FOLDERS  # known before the photos are counted (a window's first start)
    if counts is None:  # what the library holds is not known yet: only what the query asked
        return _searched(answer)
    if not counts.total:
        if answer.indexing or answer.waiting:
            return WhyNothing.WAITING  # a folder's scan has yet to count its photos, or just did
        return WhyNothing.NO_PHOTOS
    if counts.indexed <= answer.other_model:  # no photo this model can search
        if answer.other_model:
            return WhyNothing.OTHER_MODEL
        if counts.pending and answer.waiting_offline >= counts.pending:
            return WhyNothing.WAITING_OFFLINE
        return WhyNothing.WAITING if counts.pending or answer.indexing else WhyNothing.NONE_INDEXED
    searched = _searched(answer)
    if searched is WhyNothing.NO_MATCH and answer.other_model:
        return WhyNothing.OTHER_MODEL  # some were searched, and none matched: the others were not (stop 46)
    return searched


def _searched(answer: EmptyAnswer) -> WhyNothing:
    """Why photos that were searched did not match: the filters, else the words the network does not
    know, or the concepts it sees in no photo (first, what the names taken away left out: they
    emptied the folder asked, not the folder)."""
    if answer.left_out_by_name:
        return WhyNothing.NAMED_AWAY
    if answer.filtered:
        return WhyNothing.FILTERED
    if answer.unsure:  # some word was known, and searched
        return WhyNothing.UNSEEN
    if answer.numbers_only:  # the network sees no number: only the names were searched
        return WhyNothing.NUMBERS
    return WhyNothing.UNKNOWN_WORDS if answer.unknown_words else WhyNothing.NO_MATCH


def still_waiting(answer: EmptyAnswer) -> int:
    """Photos not searched because they wait to be indexed, when others were searched (0 when the
    reason is that none is searchable: ``WhyNothing.WAITING`` says it)."""
    counts = answer.counts
    return counts.pending if counts is not None and counts.indexed > answer.other_model else 0
