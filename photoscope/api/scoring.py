"""How many of a query's best matches are likely relevant, and how strongly each one matches; and
how every search lists them: the pool it reads, the first ones it lists, with the counts that
describe them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import TYPE_CHECKING

from photoscope.search.results import CURVE, LOOKS_ALIKE

if TYPE_CHECKING:
    from photoscope.api.types import Filters, Match, Results
    from photoscope.search.results import Hit, SearchResult

KNEE_SPAN = CURVE  # the knee is sought among this many best scores (a filtered search keeps as many)
# Which matches are likely, and how strongly each matches, is read from this many best scores however
# many are listed: read from the rows asked for, `search -n 5` called 2 photos likely and -n 60 18.
POOL = KNEE_SPAN
MIN_BLOCK = 8  # a block of best scores above a cliff is searched on its own from this size


def relevance(scores: Sequence[float], copies: int = 0) -> tuple[int, list[float]]:
    """How many of these best-first scores are likely relevant, and each one's strength in 0..1.

    A rule on the score curve, not a calibrated threshold. Among the best ``KNEE_SPAN`` scores (or,
    when the best stand as a block above a cliff, as text search lifts its re-ranked best 50 above
    the rest, among that block) relevant are those in the upper half between the typical score (the
    median) and the best, and at least those before the knee of the curve (the point furthest below
    the chord from the best to the last, Kneedle), but none at or below the strength's floor (so at
    most about half the pool when no cliff stands out); at least one, and at least the ``copies``.
    Strength is the score's place between the median of the best ``POOL`` scores given (below 8, a
    step under the last) and the best: 1 for the best, 0 at or below the median; rank-based within one
    query, so text and photo queries read alike.
    """
    import numpy as np  # here, not at the top: the api package loads without NumPy (`status` skips it)

    s = np.asarray(scores, dtype=np.float64)
    if len(s) == 0:
        return 0, []
    pool = s[:POOL]  # the curve read, whatever is listed beyond it
    n = len(pool)
    # A short list (a concept query lists only the photos that may show it) has no typical score:
    # its floor is one step below its last, at the list's mean spacing, so its last photo is no
    # "0 % match" (two hammers read 100 % and 0 %).
    last = float(pool[-1])
    floor = float(np.median(pool)) if n >= 8 else last - (float(pool[0]) - last) / max(1, n - 1)
    span = float(s[0]) - floor
    strength = [float(v) for v in (np.clip((s - floor) / span, 0.0, 1.0) if span > 1e-9 else np.ones(len(s)))]
    top = pool  # the knee is sought in the pool (``POOL`` is ``KNEE_SPAN``)
    if len(top) > 2:
        cliff = int(np.argmax(top[:-1] - top[1:])) + 1  # the end of the block above the largest drop
        if MIN_BLOCK <= cliff < len(top):
            top = top[:cliff]
    if len(top) < 3:
        return max(len(top), copies), strength
    if top[0] - top[-1] <= 1e-9:
        return max(1, copies), strength
    x = np.arange(len(top)) / (len(top) - 1)
    y = (top - top[-1]) / (top[0] - top[-1])
    knee = int(np.argmax((1.0 - x) - y))  # furthest below the chord
    upper = int(np.sum(top >= (top[0] + float(np.median(top))) / 2))
    # A likely match matches at all: above the floor. A few photos far below the rest (a combined
    # query's taken-away word sinks them) put the knee at them, and 183 of 210 photos read as
    # likely, 83 of them "0 % match" (the GUI walk of stop 43).
    above_floor = int(np.sum(pool > floor)) if span > 1e-9 else n
    return max(1, copies, min(max(knee, upper), above_floor)), strength


def looking_alike(scores: Sequence[float], copies: int = 0, bar: float = LOOKS_ALIKE) -> int:
    """How many of these best-first feature cosines to an example photo are of photos that look like
    it (``bar``: ``LOOKS_ALIKE``, a threshold calibrated on Flickr8k; unlike ``relevance``, not read
    from the curve, which always has a top), and at least the ``copies``: the most likely matches a
    search by example has."""
    alike = next((at for at, s in enumerate(scores) if s < bar), len(scores))
    return max(alike, copies)


def pool(limit: int) -> int:
    """How many matches a search reads: ``limit``, and at least ``POOL``, so which are likely
    and how strongly each matches do not change with how many are listed (``cut``)."""
    return max(limit, POOL)


def cut(results: Results, limit: int, filters: Filters | None) -> Results:
    """The first ``limit`` of a search's ``pool`` of matches, with the counts that describe them."""
    if len(results.matches) <= limit:
        return results
    matches = results.matches[:limit]
    return replace(
        results,
        matches=matches,
        relevant=min(results.relevant, limit),
        undated=undated_count(matches, filters),
        by_name=min(results.by_name, limit),
    )


def alike_only(results: Results, result: SearchResult) -> Results:
    """A search by example photo's answer (``result``, ready to show as ``results``), its likely
    matches only photos that look like the example (``looking_alike``: the curve's knee
    always finds a top, and a cat's closest coloured shapes were "likely matches"), its copies
    always. When no photo of the library looks like it (the best listed, or under a filter the
    library's best, ``library_best``), the matches are its closest guesses (``no_look_alike``);
    when only photos outside a filter do, none listed is likely (``Results.none_likely``)."""
    copies = sum(1 for m in results.matches if m.near_duplicate)
    alike = looking_alike([m.score for m in results.matches], copies)
    best = result.hits if result.library_best is None else result.library_best
    unlike = bool(results.matches) and not copies and looking_alike([h.score for h in best[:1]]) == 0
    return replace(results, relevant=min(results.relevant, alike), no_look_alike=unlike)


def likely_at_most(results: Results, through: int | None, head_alone: bool = False) -> Results:
    """``results`` with its likely matches cut through ``through`` (``SearchEngine.likely_through``),
    as ``results.likely_count`` reads it (``head_alone``: the head's run goes past the curve's knee)."""
    from photoscope.search.results import likely_count

    copies = sum(1 for m in results.matches if m.near_duplicate)
    likely = likely_count(results.relevant, results.by_name, through, copies, head_alone)
    return replace(results, relevant=likely)


def likely_through_names(
    results: Results,
    lacks: Mapping[int, Sequence[str]],
    judged: Callable[[str], bool],
    through: Callable[[str, list[int]], int | None],
    alike: AbstractSet[int] | None = None,
) -> Results:
    """``results`` with its likely matches ending at the first photo put first by its name that
    ``path_words.vouched_by_names`` does not vouch for (``lacks``: ``SearchResult.name_lacks``)."""
    from photoscope.search.path_words import vouched_by_names

    named = [m.photo.id for m in results.matches[: results.by_name]]
    vouched = vouched_by_names(named, lacks, judged, through, alike)
    return results if vouched >= len(named) else replace(results, relevant=min(results.relevant, vouched))


def likely_before_shown(results: Results, shown: AbstractSet[int]) -> Results:
    """The likely matches up to the first that ``shown`` holds (the photos that show what a query
    takes away: ``Combining._likely_before_taken_away``)."""
    likely = results.matches[results.by_name : results.relevant]
    before = next((at for at, m in enumerate(likely) if m.photo.id in shown), len(likely))
    return replace(results, relevant=results.by_name + before)


def undated_count(matches: Sequence[Match], filters: Filters | None) -> int:
    """Under a date filter, how many matches are placed by their file's time (no date taken)."""
    dated = filters is not None and filters.dated
    return sum(1 for m in matches if m.photo.taken_at is None) if dated else 0


def hits_relevance(
    hits: Sequence[Hit],
    copies: int,
    named: frozenset[int],
    at_most: int | None = None,
    likely: AbstractSet[int] | None = None,
) -> tuple[int, list[float]]:
    """``relevance`` of the hits, the photos asked for by name first counting as likely (a names'
    lift puts them far above the rest: the score curve's knee would be taken at them alone), and
    of the rest at most ``at_most`` (but at least one, and the copies). Under a filter, ``likely``:
    the photos likely in the whole library (``likely_ids``); the rest's likely matches are those
    of them (none when the filter leaves none)."""
    first = next((at for at, h in enumerate(hits) if h.photo_id not in named), len(hits))
    rest = hits[first:]
    scores = [h.score for h in rest]
    if first and rest and max(scores) - min(scores) <= 1e-9:  # the network ranked none of the rest
        return first + copies, [1.0] * first + [0.0] * len(rest)
    relevant, strengths = relevance(scores, copies)
    if likely is not None:  # (a best-first prefix of the library's order: so of the filter's)
        relevant = max(copies, next((at for at, h in enumerate(rest) if h.photo_id not in likely), len(rest)))
    if at_most is not None:
        relevant = min(relevant, max(1 if likely is None else 0, copies, at_most))
    return first + relevant, [1.0] * first + strengths


def likely_ids(best: Sequence[Hit], named: frozenset[int], at_most: int | None = None) -> set[int]:
    """The photos likely in the whole library, read from its best photos by the same scores as a
    filtered search's (``SearchResult.library_best``), as an unfiltered search reads them (with
    its bound ``at_most``)."""
    relevant, _ = hits_relevance(best, 0, named, at_most)
    return {h.photo_id for h in best[:relevant]}
