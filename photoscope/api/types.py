"""The value types the GUI and the CLI get from the API and give it: queries, filters, results, the
browsing timeline, the model's description. Plain data: no PyTorch, no Qt."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, get_args

from photoscope.library.records import PhotoRecord
from photoscope.limits import MAX_WEIGHT as MAX_WEIGHT  # re-exported: the API says them
from photoscope.limits import query_too_long as query_too_long

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from photoscope.search.ranking import UnknownWord


@dataclass(frozen=True)
class Filters:
    folder: str | Path | int | None = None
    taken_from: date | str | None = None
    taken_to: date | str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.folder, self.taken_from, self.taken_to))

    @property
    def dated(self) -> bool:
        """A date range narrows it (photos without a date taken are placed by their file's time)."""
        return self.taken_from is not None or self.taken_to is not None

    @property
    def days(self) -> tuple[date | None, date | None]:
        """The date bounds as the whole days they name ("2019-06-01T10:00" is 1 June 2019)."""
        return _day(self.taken_from), _day(self.taken_to)


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Match:
    """One search result, ready to show: the photo, its score and why it matched."""

    photo: PhotoRecord
    score: float
    near_duplicate: bool = False
    strength: float = 1.0  # how strongly it matches, 0..1, comparable between text and photo queries
    # The id of a photo listed above that this one is a copy of (a backup's, an export's: the same
    # features), None when it is listed first or is a copy of the query photo (``near_duplicate``).
    copy_of: int | None = None

    @classmethod
    def browsed(cls, photo: PhotoRecord) -> Match:
        """A photo shown without a query (the timeline, a photo opened by its path)."""
        return cls(photo, 1.0)


@dataclass(frozen=True)
class Results:
    matches: list[Match]
    unknown_words: list[UnknownWord]
    relevant: int = 0  # the first ``relevant`` matches are likely relevant (see ``relevance``)
    undated: int = 0  # with a date filter: matches placed by their file's time (no date taken)
    # A combined query's photo terms of weight above 0, in the order given: the words each was
    # searched as, what the network sees in it ("dog", "grass"; ``search.combine``), empty for one
    # that counted by its likeness alone. Shown, so that "this photo" says what it meant.
    photo_words: tuple[tuple[str, ...], ...] = ()
    # Words of a description only the concepts know ("a banana") that no listed photo clearly shows:
    # the matches are the network's closest guesses (``SearchEngine.unclear_concepts``).
    unsure: tuple[str, ...] = ()
    # A search by example photo (Find similar) where no photo of the library looks like it (none
    # reaches ``search.results.LOOKS_ALIKE``): none is likely, the matches are its closest guesses.
    no_look_alike: bool = False
    # Of a combined query's photo terms (as ``photo_words`` counts them), which no photo of the
    # library looks like: the ones ``no_look_alike`` means, named where it is said.
    photo_unlike: tuple[bool, ...] = ()
    # The library photos a combined query searched by: never listed, and said so (the fresh-seat
    # audit of stop 56: the cup given beside "a cup" vanished from the answer, unsaid).
    searched_by: tuple[str, ...] = ()
    # How many of the matches, from the first, are listed by their folder or file names (a name in
    # the query: "paris" for "Paris 2019"), whatever the network sees in them.
    by_name: int = 0
    # What a description said to leave out ("a dog without a ball": "ball"), searched as taken away
    # (``search.negation``). Shown, so that the reading is not a surprise.
    taken_away: tuple[str, ...] = ()
    # Added texts that a taken-away one says again ("a cat" - "a cat"): the two cancel out, and are
    # not searched. Shown: a query of nothing else finds nothing, and says why.
    cancelled: tuple[str, ...] = ()
    nothing_left: bool = False  # every added term cancelled out: nothing was searched
    # Terms given more than once ("cat.jpg" + "cat.jpg"): each counts as often as it is given, and
    # that is said (the CLI audit of stop 56: doubled, unsaid).
    repeated: tuple[Repeat, ...] = ()
    # Photos left out because their folder or file name says what a taken-away term says ("- snow"
    # leaves out "winter/snow"): said, since the photos that show it only go down.
    left_out_by_name: int = 0
    # A combined query's terms given at weight 0, as the status bar names them (“at night”,
    # cat.jpg): they count for nothing, and that is said (audit 80: the command line said it, the
    # window's notes did not). Set by ``Query.run``: the command line names its own terms.
    weightless: tuple[str, ...] = ()
    # Terms that weigh next to nothing beside the others (``query_terms.next_to_nothing``): they count
    # for nothing too, said so. Set by ``Query.run``, as ``weightless``.
    next_to_nothing: tuple[str, ...] = ()
    # Photos not searched because they wait to be indexed, counted once the answer was found (audit
    # 81: the window said "cannot clearly see “dog” in any photo" while the dog's photo waited). Set
    # by ``Query`` and by a running app's answer to the command line, which counts its own else.
    waiting: int = 0

    @property
    def none_likely(self) -> bool:
        """Photos listed, none of them a likely match (a filter that leaves none of the library's
        likely matches): they are the closest within it, shown all, none claiming a match."""
        return bool(self.matches) and not self.relevant

    @property
    def guesses(self) -> bool:
        """The matches are guesses: none likely, a concept no photo clearly shows (``unsure``), or
        no photo that looks like the one searched by (``no_look_alike``)."""
        return bool(self.unsure) or self.no_look_alike or self.none_likely


@dataclass(frozen=True)
class MonthGroup:
    """One header of a grid: a month (or a folder, a letter, a group of copies) and where its photos are."""

    label: str
    start: int  # index of its first photo in ``Timeline.ids``
    count: int


@dataclass(frozen=True)
class Timeline:
    """Every photo of the library in browsing order, cheap to hold at 100,000 photos: ids, paths and
    times as arrays; the full records are fetched a page at a time (``photos_by_ids``)."""

    ids: np.ndarray  # int64
    paths: list[str]
    mtimes: list[float]
    groups: list[MonthGroup]
    sort: Sort
    undated: int  # photos without a date taken, placed by their file's time
    filters: Filters | None = None  # what it was narrowed to (None: the whole library)
    # The first and last day of its photos (taken, else the file's time), for a whole read (not a
    # first screen's); None when it holds none.
    span: tuple[date, date] | None = None

    def without(self, ids: set[int]) -> Timeline:
        """This timeline without the photos ``ids``, its groups shrunk (empty ones dropped)."""
        import numpy as np

        keep = ~np.isin(self.ids, np.asarray(sorted(ids), dtype=np.int64))
        before = np.concatenate([[0], np.cumsum(keep)])  # kept photos before each index
        groups = [
            replace(g, start=int(before[g.start]), count=int(before[g.start + g.count] - before[g.start]))
            for g in self.groups
        ]
        kept = keep.tolist()
        return replace(
            self,
            ids=self.ids[keep],
            paths=[p for p, k in zip(self.paths, kept, strict=True) if k],
            mtimes=[m for m, k in zip(self.mtimes, kept, strict=True) if k],
            groups=[g for g in groups if g.count],
        )


@dataclass(frozen=True)
class Copies:
    """The library's groups of near-duplicate photos, ready to show: every group's photos one group
    after another, and a header a group ("Group 1: 3 copies of one photo", where its photos start)."""

    matches: list[Match]
    groups: list[MonthGroup]


def copies_label(number: int, photos: int) -> str:
    """A group of copies' header: "Group 2: 3 copies of one photo" ("Copies 2: 3 photos" read as two
    copies: the fresh-seat audit of stop 49)."""
    return f"Group {number}: {photos} copies of one photo"


Sort = Literal["newest", "oldest", "name", "folder"]  # the library view's orders
Grouping = Literal["month", "folder", "none"]  # its headers: a month's, a folder's, none
SORTS: tuple[Sort, ...] = get_args(Sort)
GROUPINGS: tuple[Grouping, ...] = get_args(Grouping)


class Repeat(NamedTuple):
    """A term of a combined query given ``times`` times (same sign): its text, or its photo's name."""

    name: str
    text: bool
    times: int
    weight: float = 0.0  # its copies' weights added up (0: not known, an older app's answer)


@dataclass(frozen=True)
class QueryTerm:
    """One term of a combined query (``Photoscope.search_terms``): a text, or a photo (a file, an
    image, or a library photo's id), with a weight, added or (``negative``) taken away."""

    text: str | None = None
    photo: str | Path | Image.Image | int | None = None
    weight: float = 1.0
    negative: bool = False

    def __post_init__(self) -> None:
        if (self.text is None) == (self.photo is None):
            raise ValueError("a query term is either a text or a photo")
        too_long = query_too_long(self.text) if self.text is not None else None
        if too_long is not None:
            raise ValueError(f"a query is {too_long}")
        if not self.weight >= 0:  # nan too
            raise ValueError("a query term's weight is 0 or more (mark it negative to take it away)")
        if not self.weight <= MAX_WEIGHT:
            raise ValueError(f"a query term's weight is at most {MAX_WEIGHT:g}, not {self.weight:g}")


@dataclass(frozen=True)
class ModelInfo:
    """The model a library is searched with, as the About box and ``status`` show it."""

    name: str
    version: str
    training_data: str
    metrics: dict[str, float]


@dataclass(frozen=True)
class CaptionedPhoto:
    caption: str
    score: float  # length-normalised log-probability (higher is better, <= 0)
    concepts: tuple[tuple[str, float], ...] = ()  # what the encoder's ImageNet head sees, in words
