"""What the window's query is beside the search bar's text and chips, and which answer the grid shows.

Plain Python (no Qt): ``SearchFlow`` keeps it and the window paints what it says. "Find similar"
makes a library photo the query and remembers the query it replaced (words, photo, chips), for
Back; each query run gets a number, so that an older query's answer arriving late is not shown; a
refresh (photos came, moved or left) runs the query asked again under a new number; the grid may show
a first answer (the text encoder's, or the caption index's while the network loads) that the
network's ranking replaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photoscope.api import Copies

COPIES = "the copies"  # what Back returns to after the library's copies were left (``back_text``)


@dataclass(frozen=True)
class LeftQuery:
    """A query the user left for all photos (Escape in an empty box, Ctrl+Home), for Back: the typed
    words, the photo and the chips (each its words or photo, sign and weight), and how it reads."""

    text: str
    photo: object  # a file's path or a pasted image (None: none)
    chips: tuple[tuple[str | None, object, bool, float], ...]
    described: str


class QueryState:
    def __init__(self) -> None:
        self.similar: tuple[int, str] | None = None  # (photo id, path) while "Find similar" is the query
        self.left: LeftQuery | None = None  # the query left for all photos, which Back returns to
        # The library's copies left for all photos (Esc, Ctrl+Home), which Back lists again.
        self.left_copies: Copies | None = None
        self._back: LeftQuery | None = None  # the query that "Find similar" replaced
        self._left_from: int | None = None  # the photo of its results "Find similar" started from
        self._landing: int | None = None  # the photo the next query's results show, after Back
        self._more_left = False  # the query Find similar replaced showed its weaker matches too
        self._more = False  # the next query's results show their weaker matches, after Back
        self._number = 0  # the latest query run's
        self._asked = 0  # the number of the query last asked (a refresh runs it again: a newer number)
        self._on_show: int | None = None  # the query asked whose answer the grid shows (None: none)
        self._early: tuple[int, bool] | None = None  # the grid's first answer: (query number, quick?)

    # "Find similar" and Back

    def find_similar(
        self, photo_id: int, path: str, replaced: LeftQuery | None, more_shown: bool = False
    ) -> None:
        """The photo becomes the query; the query it replaces (words, photo, chips, and whether its
        weaker matches were shown: ``more_shown``) is kept for Back, unless that was a Find similar
        too (Back returns past it, to the query before)."""
        if self.similar is None and replaced is not None:
            self._back, self._left_from, self._more_left = replaced, photo_id, more_shown
        self.similar = (photo_id, path)

    def photo_changed(self, path: object) -> None:
        """Another photo in the bar than the similar one: that one is no longer the query."""
        if self.similar is not None and path != self.similar[1]:
            self.similar = None

    def can_go_back(self) -> bool:
        return bool(self._back)

    def back_query(self) -> LeftQuery | None:
        """The query "Find similar" replaced, if any (kept for Back)."""
        return self._back

    def back_text(self) -> str | None:
        """What Back returns to, as the menu says it: the text query (or the query left for all
        photos); None: Back has nothing to undo."""
        if self._back is not None:
            return self._back.described
        if self.similar is not None:
            return None  # Back leaves the Find similar for all photos
        if self.left is not None:
            return self.left.described
        return COPIES if self.left_copies is not None else None

    def go_back(self) -> LeftQuery | None:
        """Leave "Find similar": the query to return to (None: none, back to the timeline)."""
        back, self._back, self.similar = self._back, None, None
        self._landing = self._left_from if back else None
        self._more = bool(back) and self._more_left
        return back

    def landing(self) -> int | None:
        """The photo the query now run should show selected: after Back, the one "Find similar"
        started from, as a browser's Back returns to the place left. Kept until an answer shows
        (``landed``): a refresh that replaces the query before it answers lands there too."""
        return self._landing

    def more_wanted(self) -> bool:
        """Whether the query now run shows its weaker matches at once: after Back, to a query whose
        "Show more" the user had pressed (the GUI walk of stop 47: Back collapsed them). Kept until
        an answer shows, as ``landing`` (the review of stop 48: a refresh replaced Back's query)."""
        return self._more

    def landed(self) -> None:
        """An answer is shown: it had what Back asked of it."""
        self._landing, self._more = None, False

    def forget(self) -> None:
        """A new query, or none: nothing to go back to, nor to land on."""
        self.similar = self._back = self.left = self.left_copies = None
        self.landed()

    # the answers on show

    def start(self, refresh: bool = False) -> int:
        """A query runs: its number; answers to earlier ones no longer show. A ``refresh`` runs the
        query asked again (``refreshes_answer_on_show``)."""
        self._number += 1
        if not refresh:
            self._asked = self._number
        return self._number

    def refreshes_answer_on_show(self) -> bool:
        """Whether a refresh run now replaces an answer to the same query, keeping what the user did
        with it (the selection, the scroll, "Show more"). Not while a newer query's answer is awaited:
        the grid still shows an earlier query's, whose weaker matches a refresh then kept opened in
        the new query's grid (a photo found gone as a query typed after Back ran: stop 49)."""
        return self._on_show == self._asked

    def is_latest(self, number: int) -> bool:
        return number == self._number

    def first_answer_shown(self, number: int, quick: bool) -> None:
        self._early = (number, quick)
        self._shown(number)

    def answered(self, number: int) -> bool:
        """The network's answer to query ``number`` is shown: whether it replaces that query's first
        answer (then the user's selection is kept)."""
        refining = self._early is not None and self._early[0] == number
        self._early = None
        self._shown(number)
        return refining

    def _shown(self, number: int) -> None:
        """Query ``number``'s answer is on show: the answer to the query asked, if it is the latest
        (an older one's is dropped before it shows; checked all the same)."""
        if self.is_latest(number):
            self._on_show = self._asked

    def cleared(self) -> None:
        """No answer on show (no query, or the search failed)."""
        self._early = None
        self._on_show = None

    @property
    def first_answer(self) -> str | None:
        """What the grid shows while the network's ranking is awaited to replace it: the text
        encoder's first answer ("quick"), the caption index's ("captions"), or None."""
        if self._early is None:
            return None
        return "quick" if self._early[1] else "captions"
