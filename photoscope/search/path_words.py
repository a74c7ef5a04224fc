"""Words in folder and file names: "Paris 2019", "wedding", "IMG_2041" describe photos too.

The library's full-text index (``search``, FTS5 with the unicode61 tokeniser) holds each photo's
path as tokens; a query word that is one of the tokens of a photo's path *below its watched folder*
(the folder's own path, "/home/ann/Pictures", says nothing of one photo) names that photo. Among
the ``PROMOTE_WITHIN`` best photos by the network, those a *name* names go first (most query words
first, then by the network's score: a name is a word the network saw under ``NAME_BELOW`` times,
"paris", "wedding", "2019", not "red" or "dog", which it judges by looking), and so do photos named
by every word of the query wherever the network ranks them ("Wedding Anna", "wedding": the folder
the user names); other named photos gain ``PATH_BONUS`` times their share of the query's words.
Words the network does not know that name paths ("paris") are left out of the text it reads; a
query of such names and numbers alone ("paris 2019") lists the photos they name and no others.
Function words never count; a word names its regular plural and singular too ("bird" the folder
"Birds", ``name_forms``).
In a combined query the added texts' words lift as one query's, and the photos a taken-away
text's words name are left out.

Chosen on a test library of the 1,000 Flickr8k val photos filed at random in 8 folders named by
words, 120 queries "A F" (a caption word and a folder word; ``benchmarks/combined_queries.py
--path-words``), precision@10 of photos in F that have A / that have A:
no lift 5.6 / 38.8; bonus 0.3: 10.5 / 37.8; bonus 1: 17.3 / 33.5; bonus 2: 23.4 / 27.8; named
first among the best 20: 10.7 / 37.5, 50: 18.7 / 33.2, 100: 24.3 / 25.2, 200: 24.4 / 24.4.
Among the best 100 puts the folder's photos of that content first (96 % of the photos with A in
the top 10 are the folder's, from 14 % without the lift); the price is that the folder's other
photos come next, before the same content elsewhere. Measured again with today's network
(2026-12-02, the same command): no lift 5.6 / 52.5; bonus 0.3: 11.9 / 51.9; named first among the
best 20: 12.8 / 51.7, 50: 26.0 / 47.7, 100: 35.9 / 37.8, 200: 36.4 / 36.4 (the rule for a name with
every query word changes none of these: 100 gave 35.9 / 37.8 before it too).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from photoscope.library.name_words import camel_words
from photoscope.wordlists import FUNCTION_WORDS, NUMBERS, fold
from photoscope.wordlists import number_forms as name_forms  # a name's forms: "Birds" for "a bird"

if TYPE_CHECKING:
    from photoscope.library.db import Library
    from photoscope.network import QueryWords
    from photoscope.search.results import Hit, SearchResult, UnknownWord

PATH_BONUS = 0.3
PROMOTE_WITHIN = 100  # named photos among this many best go first (0: the bonus alone) ...
# ... when a name is what names them: a query word the network saw under this many times in training
# (as ``text_model.PHRASE_WORD_MIN_COUNT``): a place, a person, an event, a number ("paris", "anna",
# "wedding" 42 times, "2019"). A word it saw more (red 2,352, dog 7,185, horse 209) it judges by
# looking: a file named red_panda.jpg gains the bonus for "a red car", not the first place.
NAME_BELOW = 100
# Words of a query that name no folder or file: the query's function words and numbers (as the
# network reads them), and the words every photo's name has (cameras' prefixes, file types).
FILE_NAME_WORDS = frozenset(
    "photo photos picture pictures image images img jpg jpeg png heic tif tiff webp dsc dscn pxl".split()  # noqa: SIM905
)
PATH_STOP_WORDS = FUNCTION_WORDS | NUMBERS | FILE_NAME_WORDS
EXTENSION_WORDS = frozenset("jpg jpeg png heic tif tiff webp".split())  # noqa: SIM905  # every file has one


def tokens(text: str) -> list[str]:
    """Word tokens as the unicode61 tokeniser splits them: letters and digits; ``_``, ``-``, ``.``
    and ``/`` separate."""
    return re.findall(r"[^\W_]+", fold(text))  # folded as the index's tokeniser (remove_diacritics 2)


def name_tokens(text: str) -> list[str]:
    """``tokens``, and the words of camelCase ones too ("eiffelTower": "eiffeltower", "eiffel",
    "tower"; "iPhone" stays "iphone" as well)."""
    return list(dict.fromkeys([*tokens(text), *tokens(camel_words(text))]))


def query_words(text: str) -> list[str]:
    """The query's words that may name a folder or a file (function words left out)."""
    return list(dict.fromkeys(w for w in tokens(text) if w not in PATH_STOP_WORDS))


def network_text(text: str, unknown: set[str], named: set[str]) -> str:
    """The query as the network should read it: without the words it does not know that name
    folders or files ("paris" in "a dog in paris"), which it would read as an unknown word."""
    drop = {w for w in named if w in {t for u in unknown for t in tokens(u)}}
    kept = [part for part in text.split() if not (set(tokens(part)) and set(tokens(part)) <= drop)]
    return " ".join(kept)


def count_like(word: str) -> bool:
    """Whether a query word is a number of one or two digits: a count ("2 dogs"), which names a
    folder or file that is the number ("Day 2", "2.jpg"), not every name with it written on
    ("scissors2.jpg" went first for "2 dogs", "windmill5.jpg" for "a cat 5": audit 74, repro_2).
    A longer one is a year or a photo's number ("2019", "2041" of IMG2041.JPG)."""
    return word.isdigit() and len(word) <= 2


class PathMatches(NamedTuple):
    shares: dict[int, float]  # photo id -> share of the query's words its path below its watched folder has
    named: set[str]  # the query words some path has
    by_names: frozenset[int]  # the photos a name among them names (``NAME_BELOW``): those may go first
    lacks: dict[int, tuple[str, ...]]  # photo id -> the query's words its path does not have


class Reader(Protocol):
    """What ``name_rule`` reads of the network (``TextModel`` or ``PhotoscopeModel``)."""

    def word_count(self, word: str) -> int: ...
    def query_words(self, text: str) -> QueryWords: ...


def name_rule(model: Reader) -> Callable[[str], bool]:
    """Whether a query word is a name (``NAME_BELOW``): one the network saw under ``NAME_BELOW``
    times in training and that no concept of the head is ("paris", "wedding", "2019"; not "cat",
    which Flickr8k's captions say 42 times but the head knows: "a dog and a cat" put cat.jpg first,
    its only likely match, the fresh-seat audit of stop 51)."""

    def is_name(word: str) -> bool:
        if written_with_digits(word):  # "hammer4": the network would read "hammer" (audit 74, repro_3)
            return True
        return model.word_count(word) < NAME_BELOW and not model.query_words(word).concepts

    return is_name


def written_with_digits(word: str) -> bool:
    """Whether a word has letters and digits written together ("hammer4", "img2041", "r2d2"): a name,
    which the network reads as its letters alone."""
    return any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def judged_rule(model: Reader) -> Callable[[str], bool]:
    """Whether the network judges a query word by looking: a word its decoder saw ``NAME_BELOW``
    times or more, or a concept of the head, not a word it only guesses at by a stand-in ("giraffe":
    hoofed animal) and not one it does not know ("eiffel")."""

    is_name = name_rule(model)

    def judged(word: str) -> bool:  # a name is not judged (an unknown word is one), nor a stand-in's
        return not is_name(word) and not model.query_words(word).stand_ins

    return judged


def path_matches(
    library: Library,
    text: str,
    roots: Iterable[str],
    is_name: Callable[[str], bool] | None = None,
    judged: Callable[[str], bool] | None = None,
) -> PathMatches:
    """The photos the query's words name by their paths below their watched folders, and which of
    those words are names (``is_name``, ``name_rule``; None: every word). The photos that may go
    first (``PathMatches.by_names``) are those a name names, and those named by every word of a
    query the network cannot judge wholly by looking (``judged``, ``judged_rule``; None: any query):
    a teacup saved as "dog bowl.jpg" went first for "a dog" (the fresh-seat audit of stop 52),
    giraffe.jpg still does for "a giraffe"."""
    words = query_words(text)
    roots = sorted(roots, key=len, reverse=True)
    found: dict[int, set[str]] = {}
    for word in words:
        for form in name_forms(word):
            for photo_id, path in library.paths_with_word(form):
                root = next((r for r in roots if path.startswith(r.rstrip(os.sep) + os.sep)), "")
                below = path[len(root) :]
                if form in (tokens(below) if count_like(form) else name_tokens(below)):
                    found.setdefault(photo_id, set()).add(word)
    named = {w for hit in found.values() for w in hit}
    # A word the network cannot judge by looking, or sees in no photo (``judged``), is a name too:
    # "a giraffe standing" put giraffe.jpg 51st where "a giraffe" put it first (audit 78).
    names = {w for w in named if is_name is None or is_name(w) or (judged is not None and not judged(w))}
    some_unjudged = judged is None or not all(judged(w) for w in words)
    every = {pid for pid, hit in found.items() if some_unjudged and len(hit) == len(words)}
    by_names = frozenset(pid for pid, hit in found.items() if hit & names or pid in every)
    shares = {pid: len(hit) / len(words) for pid, hit in found.items()}
    lacks = {pid: tuple(w for w in words if w not in hit) for pid, hit in found.items()}
    return PathMatches(shares, named, by_names, lacks)


def vouched_by_names(
    named: Sequence[int],
    lacks: Mapping[int, Sequence[str]],
    judged: Callable[[str], bool],
    through: Callable[[str, list[int]], int | None],
    alike: AbstractSet[int] | None = None,
) -> int:
    """How many of the photos the names put first (``named``, as listed) are likely matches, from
    the first: a name vouches for the query's words it has; those it ``lacks`` must each be a word
    the network judges by looking (``judged``, ``judged_rule``) and be seen in the photo (``through``
    of them over it: ``SearchEngine.likely_through``'s 1), and the photo must look like the query's
    photos (``alike``; None: the query has none). "a cat in paris" called Notre-Dame likely, "eiffel
    tower" the Leaning Tower of Pisa, a dog + "paris" 8 photos with no dog (the audit of stop 59)."""
    for at, photo_id in enumerate(named):
        missing = list(lacks.get(photo_id, ()))
        if alike is not None and photo_id not in alike:
            return at
        if missing and not (all(map(judged, missing)) and (through(" ".join(missing), [photo_id]) or 0) >= 1):
            return at
    return len(named)


def lift_named(
    scores: np.ndarray | None,
    ids: np.ndarray,
    matches: dict[int, float],
    bonus: float | None = None,
    within: int | None = None,
    promotable: AbstractSet[int] | None = None,
) -> tuple[npt.NDArray[np.float32], frozenset[int]]:
    """Scores (one per store row, rows named by ``ids``) with the names' lift, and the photo ids it
    put first: photos among the ``within`` best whose names have query words, and photos whose names
    have every query word (of those, only the ``promotable``: ``PathMatches.by_names``; None: all),
    go first (most words first, then by score; -inf, a photo the network leaves out, last among
    them); every other named photo gains ``bonus`` times its share of the words (one the network
    leaves out, -inf, comes after every photo it ranks). Without scores (no word the network knows)
    the names alone rank (every named photo is first); where the scores are all -inf (the network
    leaves every photo out: a word no photo shows) only the named photos are listed. In NumPy: the
    app's first answers lift names before PyTorch is loaded."""
    bonus = PATH_BONUS if bonus is None else bonus
    within = PROMOTE_WITHIN if within is None else within
    out = np.zeros(len(ids), np.float32) if scores is None else np.array(scores, np.float32).reshape(-1)
    picked = np.nonzero(np.isin(ids, np.fromiter(matches, dtype=np.int64, count=len(matches))))[0]
    shares = np.array([matches[int(i)] for i in ids[picked]], np.float32)
    if scores is not None and not np.isfinite(out).any():
        # "espresso" + "dog" with no espresso anywhere: the photos named dog, not every other photo
        # at 0.000 after them (the fresh-seat audit of stop 50)
        out[picked] = bonus * shares
        return out, frozenset(int(i) for i in ids[picked])
    if scores is None:
        out[picked] += bonus * shares
        return out, frozenset(int(i) for i in ids[picked])
    # a named photo the network leaves out (-inf: a concept-only word the head does not see in it)
    # is listed after every photo it ranks ("tower" left out eiffelTower.jpg: the audit of stop 59)
    finite = out[np.isfinite(out)]
    base = np.where(np.isfinite(out[picked]), out[picked], finite.min() - 1.0)
    lifted = base + bonus * shares
    among = np.zeros(len(picked), bool)
    if within > 0 and len(out):
        count = min(within, len(out))
        best = np.argpartition(-out, count - 1)[:count]
        # among the network's best: not a photo it leaves out, which filled "the best 100" of a small
        # library at random (the audit of stop 59's changes); a name with every word: wherever
        ranked = np.isin(picked, best) & np.isfinite(out[picked])
        among = ranked | (shares >= 1.0)
        if promotable is not None:
            by_name = np.isin(ids[picked], np.fromiter(promotable, dtype=np.int64, count=len(promotable)))
            # ... and a photo its name puts first that the network leaves out: its word is one the
            # network does not judge, or sees in no photo, so the name is the better evidence ("a
            # giraffe" + "at night": the giraffe term's head leaves giraffe.jpg out; audit 80)
            among = (among | ~np.isfinite(out[picked])) & by_name
        span = float(out.max() - finite.min()) + 2.0
        lifted[among] = base[among] + span * (1 + shares[among])
    out[picked] = lifted
    return out, frozenset(int(i) for i in ids[picked[among]])


@dataclass(frozen=True)
class Searcher:
    """How a text search answers, for ``search_with_names``: the network's, or the quick answer's."""

    plain: Callable[[], SearchResult]  # the search alone, when no name is in the query
    unknown: Callable[[], list[UnknownWord]]  # the query's words neither the decoder nor the concepts know
    scores: Callable[[str], npt.NDArray[np.float32]]  # every stored photo's score for a text
    top_k: Callable[[npt.NDArray[np.float32], int, np.ndarray | None], list[Hit]]  # the best, among allowed
    is_name: Callable[[str], bool]  # a word the network does not judge by looking (``name_rule``)
    judged: Callable[[str], bool] | None = None  # a word it judges by looking (``judged_rule``)
    # ... of those, the words it sees clearly in no photo (``results.seen_nowhere``): a name that
    # has one is no less evidence than a name the network cannot judge
    seen_nowhere: Callable[[], AbstractSet[str]] | None = None


def search_with_names(
    library: Library,
    text: str,
    limit: int,
    allowed: np.ndarray | None,
    ids: np.ndarray,
    searcher: Searcher,
) -> SearchResult:
    """A text search with the photos whose folder or file names have the query's words lifted
    (``lift_named``; ``ids``: the stored photos in the scores' order); words that name paths are
    not reported as unknown."""
    from photoscope.search.results import SearchResult, library_curve

    roots = [f.path for f in library.folders()]
    matches, named, by_names, lacks = path_matches(library, text, roots, searcher.is_name, _judged(searcher))
    if not matches or len(ids) == 0:
        return searcher.plain()
    found = searcher.unknown()
    unknown_words = {w for u in found for w in tokens(u.word)}
    given = None  # no word the network reads: the names alone rank, among the photos they name
    filtered, among = allowed is not None, None
    if _network_reads(set(query_words(text)) - unknown_words):
        given = searcher.scores(network_text(text, unknown_words, named))  # "paris" in "a dog in paris"
    else:
        among = np.fromiter(matches, dtype=np.int64, count=len(matches))
        allowed = among if allowed is None else np.intersect1d(allowed, among)
    lifted, first = lift_named(given, ids, matches, promotable=by_names)
    said = named | file_words_named(library, unknown_words, matches.keys())
    found = [u for u in found if not set(tokens(u.word)) <= said]
    curve = library_curve(searcher.top_k, lifted, filtered, among)
    hits = searcher.top_k(lifted, limit, allowed)
    first_lacks = {pid: lacks[pid] for pid in first}
    return SearchResult(hits, found, named=first, library_best=curve, name_lacks=first_lacks)


def _judged(searcher: Searcher) -> Callable[[str], bool] | None:
    """``judged_where_seen`` of the searcher's rules (``Searcher.judged``, ``Searcher.seen_nowhere``)."""
    judged, seen_nowhere = searcher.judged, searcher.seen_nowhere
    if judged is None or seen_nowhere is None:
        return judged
    return judged_where_seen(judged, seen_nowhere)


def judged_where_seen(
    judged: Callable[[str], bool], seen_nowhere: Callable[[], AbstractSet[str]]
) -> Callable[[str], bool]:
    """Whether the network judges a word by looking (``judged``, ``judged_rule``) and sees it in some
    photo (not in ``seen_nowhere()``, ``results.seen_nowhere``: asked once, and only when a name has
    a query word). Plain and combined queries alike: "a tower" minus "people" put the photos named tower
    10th, where "a tower" put them first (audit 80)."""
    nowhere = functools.cache(seen_nowhere)
    return lambda word: judged(word) and word not in nowhere()


def file_words_named(library: Library, words: Iterable[str], photos: AbstractSet[int]) -> set[str]:
    """Of these words, the camera prefixes and file words ("img", "dsc") that a name of ``photos``
    has ("img" of "IMG_2041.jpg"): the query named a file, not a thing the network should know.
    Path matching leaves them out (they name every photo); a query "dsc red" that no name answers
    still hears that "dsc" is unknown."""
    asked = set(words) & (FILE_NAME_WORDS - EXTENSION_WORDS)  # "jpg" names no file: audit 73
    if not asked or not photos:
        return set()
    names = {t for record in library.photos_by_ids(sorted(photos)) for t in name_tokens(record.path)}
    return asked & names  # the named photos' own names, not every photo "img" names


def _network_reads(words: set[str]) -> bool:
    """Whether the network reads something in these words: digits it drops ("2019"), and a number
    alone ranks nothing (``NUMBERS``)."""
    return any(w not in NUMBERS and any(c.isalpha() for c in w) for w in words)
