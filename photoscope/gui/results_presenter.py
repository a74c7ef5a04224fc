"""What the results grid shows for an answer: the matches, the label under them, why nothing was
found, the copies of a "Find copies", a failed search.

A new query's results start at the best match with nothing selected. A refresh while indexing
(``quiet``) keeps what the user selected and how far they scrolled. The network's answer replacing a
first one (``refining``) keeps the photo the user selected, where it is now, if it is still among
the results, and the photo view open on it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QObject, Signal
from PySide6.QtWidgets import QStatusBar

from photoscope.gui.announce import announce
from photoscope.gui.detail_view import DetailView
from photoscope.gui.elided_label import ElidedLabel
from photoscope.gui.pages import MoreBar, Pages
from photoscope.gui.results_model import ResultsModel
from photoscope.gui.results_view import ResultsView
from photoscope.gui.wording import (
    REFINING,
    SEARCH_NEEDS_PHOTOS,
    answer_said,
    nothing_found,
    plural,
    results_count,
    results_count_tip,
    search_failed_page,
)

if TYPE_CHECKING:
    from photoscope.api import Copies, Results, WhyNothing


class ResultsPresenter(QObject):
    """Puts answers into the results grid (``results`` shown by ``view`` on ``pages``); ``label`` says
    what the grid holds, ``say`` shows a line above the grid, ``why_empty`` tells why nothing was
    found."""

    shown = Signal(int)  # number of results now in the grid

    def __init__(
        self,
        results: ResultsModel,
        view: ResultsView,
        pages: Pages,
        detail: DetailView,
        more_bar: MoreBar,
        label: ElidedLabel,
        status: QStatusBar,
        say: Callable[[Results], None],
        why_empty: Callable[[Results], tuple[WhyNothing, bool]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.results, self.view, self.pages, self.detail = results, view, pages, detail
        self.more_bar, self.label, self.status = more_bar, label, status
        self.say, self.why_empty = say, why_empty
        # The answer that found nothing and the message that says why, while that message shows.
        self._empty: tuple[Results, str] | None = None
        self._copies: Copies | None = None  # the library's copies, as last listed
        # The user pressed "Show more" on the answer on show (or Back returned to one so opened): a
        # refresh or the network's answer replacing it keeps its weaker matches open. Not "nothing
        # hidden", which a first answer of a few likely captions is too (the review of stop 48).
        self._more_opened = False
        # The photo the keyboard goes on to once the answer on show is read again after a Delete
        # (``forget``): the one after the photos trashed.
        self._going_on: int | None = None
        self._announced = ""  # what a screen reader was last told of an answer (``_announce``)
        self._said_none = False  # and that it found nothing (``show``)

    def show(
        self,
        results: Results,
        described: str,
        seconds: float,
        quiet: bool = False,
        refining: bool = False,
        landing: int | None = None,
        more: bool = False,
        first: bool = False,
    ) -> None:
        """The answer to the query ``described``, found in ``seconds`` (module docstring), on the
        photo ``landing`` when it is among them (Back returns to the photo it left), unless it
        ``refining`` a first answer: then on the photo the user is on; with ``more``, its weaker
        matches shown too (Back returns to what was shown). ``first``: the text encoder's first
        answer, which the network's ranking will replace; the label and the screen reader say so."""
        kept = self.selected_id() if refining else landing
        if not quiet and kept is None:
            self.detail.hide()
        # a refresh of an answer with nothing hidden: what it adds is shown too, as before
        showing_all = quiet and self.results.hidden() == 0 and self.results.rowCount() > 0
        self._more_opened = more or ((quiet or refining) and self._more_opened)
        selected = self.view.currentIndex().row() if quiet else -1
        held = self.selected_id() if quiet else None  # kept selected where it moves, the scroll kept
        scrolled = self.view.verticalScrollBar().value() if quiet else 0
        # Read before the reset clears it: a refresh selects nothing the user had not (the photo the
        # keyboard is on is no choice; selecting it stopped every later refresh while indexing).
        chosen = not quiet or self.view.selectionModel().hasSelection()
        going_on, self._going_on = self._going_on, None
        if quiet and going_on is not None:  # read again after a Delete: on from the photo after
            held, chosen = going_on, True
        # None likely: all are shown, with no strength that claims a match; nothing waits behind "more".
        shown = None if results.none_likely else results.relevant
        self.results.set_matches(results.matches, shown, guesses=results.guesses)
        if self._more_opened or showing_all:  # after the likely ones' header, as "Show more" shows them
            self.results.show_more()
        if kept is not None:
            selected, scrolled = self._row_kept(kept, results)
            chosen = True
        elif held is not None:
            selected = self._row_now(held, results, selected)
        self.say(results)
        self.status.clearMessage()
        if results.matches:
            self._show_matches(selected, scrolled, chosen)
            refines = f" · {REFINING}" if first else ""
            self.label.setText(f"{results_count(results)} for {described} ({seconds:.2f} s){refines}")
            self.label.setToolTip(f"{self.label.text()}\n{results_count_tip(results)}")  # and its words
        else:
            self.label.setText(f"No photos for {described}")
        empty = self._explain_empty(None if results.matches else results)
        # A refresh while indexing is not the user's to hear, but for the first photos it finds for
        # an answer that was said to have found none yet ("Photos show up here as they are
        # indexed"): they came unsaid, and a screen reader's user kept "nothing found" (audit 83,
        # repro_2). Once: the refreshes that follow are not said.
        if not quiet or (self._said_none and results.matches):
            self._announce(answer_said(results, described, empty, first), again=not refining)
            self._said_none = not results.matches
        self.update_more_bar()
        self.shown.emit(len(results.matches))

    def _announce(self, text: str, again: bool = True) -> None:
        """Tell a screen reader ``text``, the focus staying in the search box; not ``again`` when
        it was told just that (the network's answer replacing a first one of the same count)."""
        if again or text != self._announced:
            announce(self.label, text)
        self._announced = text
        self._said_none = False  # said of an answer with photos, or of no answer (``show``)

    def explain_empty_again(self) -> None:
        """Say again why the answer on show found nothing, with what the window knows now (photos
        waiting to be indexed may have been counted since it came)."""
        if self._empty is None:
            return
        results, said = self._empty
        if self.pages.says() == said:
            self._explain_empty(results)

    def _explain_empty(self, results: Results | None) -> tuple[str, str] | None:
        """Say why ``results`` found nothing (None: they found photos), and return it (a title
        and a text). With no folder, on the welcome page: its Add folder button is the way on (a
        message page left a first user who typed before adding a folder without it: the fresh-seat
        audit)."""
        from photoscope.api import WhyNothing  # loaded by now: the answer came through it

        self._empty = None
        if results is None:
            return None
        why, waiting = self.why_empty(results)
        said = (SEARCH_NEEDS_PHOTOS, "") if why is WhyNothing.NO_FOLDERS else nothing_found(why, waiting)
        if why is WhyNothing.NO_FOLDERS:
            self.pages.show_welcome(SEARCH_NEEDS_PHOTOS)
        else:
            self.pages.show_message(*said)
        self._empty = (results, self.pages.says())
        return said

    def _row_kept(self, kept: int, results: Results) -> tuple[int, int]:
        """Where the photo the user selected is in the new results: (its row, -1: scroll to it), or
        (-1, 0) with the photo view closed when it is no longer among them."""
        photo = self._photo_now(kept, results)
        if photo < 0:
            self.detail.hide()
            return -1, 0
        return self.results.row_of(photo), -1

    def _row_now(self, photo_id: int, results: Results, row: int) -> int:
        """The row of the photo ``photo_id`` in the new results, else ``row``, where the selection
        was (the photo moved, or was deleted)."""
        photo = self._photo_now(photo_id, results)
        return self.results.row_of(photo) if photo >= 0 else row

    def _photo_now(self, photo_id: int, results: Results) -> int:
        """Where the photo ``photo_id`` is in the new results (its photo index; among the weaker
        matches, they are shown), -1: not among them. Not its row: the weaker matches' header is one."""
        photo = self.results.photo_of_id(photo_id)
        if photo < 0 and photo_id in {m.photo.id for m in results.matches}:
            self.results.show_more()  # it is among the weaker matches now
            photo = self.results.photo_of_id(photo_id)
        return photo

    def _show_matches(self, selected: int, scrolled: int, chosen: bool = True) -> None:
        """The grid on show at ``selected`` (-1: none, at the top), scrolled to ``scrolled`` (-1: to
        the selected photo, which the photo view follows); ``chosen``: that photo is selected, else
        only the keyboard's place."""
        self.pages.setCurrentWidget(self.view)
        if not self.detail.isVisible():
            self.detail.set_model(self.results)
        if selected < 0:
            self.view.clearSelection()
            first = self.results.row_of(0) if self.results.photo_count() else 0  # not a copies' header
            self.view.selectionModel().setCurrentIndex(
                self.results.index(first), QItemSelectionModel.SelectionFlag.NoUpdate
            )
            self.view.scrollToTop()
            return
        index = self.results.index(min(selected, self.results.rowCount() - 1))
        if chosen:
            self.view.setCurrentIndex(index)
        else:
            self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        if scrolled >= 0:
            self.view.verticalScrollBar().setValue(scrolled)
            return
        self.view.scrollTo(self.view.currentIndex())
        row = self.view.currentIndex().row()
        on_it = self.detail.grid() is self.results and self.detail.row == row  # followed it (reset)
        if self.detail.isVisible() and not on_it:  # else the same photo would be decoded again
            self.detail.show_row(row)

    def forget(self, ids: Sequence[int]) -> None:
        """Photos moved to the trash: the answer on show is read again once the index follows, and
        the keyboard goes on from the photo after them, selected (``photo_staying``), as a file
        manager does; it stayed on the trashed photo's row (audit 81)."""
        gone = {int(i) for i in ids}
        photo = self.results.photo_at(self.view.currentIndex().row())
        if photo < 0 or self.results.id_of(photo) not in gone:
            return  # the keyboard is on a photo that stays: it stays there
        staying = self.results.photo_staying(photo, gone)
        self._going_on = self.results.id_of(staying) if staying >= 0 else None

    def selected_id(self) -> int | None:
        """The photo the user selected in the results (None: nothing selected)."""
        if not self.view.selectionModel().hasSelection():
            return None
        row = self.view.currentIndex().row()
        match = self.results.match_of(self.results.photo_at(row)) if row >= 0 else None
        return match.photo.id if match is not None else None

    def shows_more(self) -> bool:
        """The user opened the weaker matches of the answer on show ("Show more")."""
        return self._more_opened and self.results.rowCount() > 0 and not self.results.copies_listed

    def update_more_bar(self) -> None:
        self.more_bar.show_hidden(self.results.hidden(), self.pages.currentWidget() is self.view)

    def show_more(self) -> None:
        """The weaker matches too, after the likely ones."""
        if self.results.hidden():
            self._more_opened = True
            self.results.show_more()
            self.update_more_bar()
            self.shown.emit(self.results.rowCount())

    def clear(self) -> None:
        self.status.clearMessage()  # "Searching for …" of the query just cleared
        self.results.set_matches([])
        self._empty = None  # its reason is no longer the grid's to give
        self._going_on = None

    def show_failure(self, error: BaseException) -> None:
        self.clear()
        self.label.setText("")  # not the last answer's "3 likely matches for …" over no photos
        self.more_bar.hide()
        title, text = search_failed_page(error)
        self.pages.show_message(title, html.escape(text))
        self._announce(f"{title}: {text}")
        self.shown.emit(0)

    def copies_listed(self) -> Copies | None:
        """The library's copies on show (None: the grid shows something else)."""
        return self._copies if self.results.copies_listed else None

    def show_copies(self, copies: Copies) -> None:
        """Every group of near-duplicate photos, one header per group."""
        self._copies = copies
        self._empty = None
        matches = copies.matches
        self.status.clearMessage()
        again = self.results.copies_listed  # listed again (one trashed): the same place
        scrolled = self.view.verticalScrollBar().value() if again else 0
        going_on, self._going_on = self._going_on, None
        held = going_on if going_on is not None else self.selected_id() if again else None
        self.results.set_matches(matches, groups=[(g.label, g.start) for g in copies.groups], copies=True)
        self.more_bar.hide()
        if matches:
            self.pages.setCurrentWidget(self.view)
            self.detail.set_model(self.results)
            groups, photos = plural(len(copies.groups), "group"), plural(len(matches), "photo")
            self.label.setText(f"{groups} of copies ({photos})")
            self._announce(f"{groups} of copies ({photos}).", again=not again)
            self.view.verticalScrollBar().setValue(scrolled)
            photo = self.results.photo_of_id(held) if held is not None else -1
            if photo >= 0:  # the photo after the ones trashed (``forget``), or the one selected
                self.view.setCurrentIndex(self.results.index(self.results.row_of(photo)))
        else:
            self.label.setText("No copies")
            said = ("No copies found", "No two photos in the library are copies of each other.")
            self.pages.show_message(*said)
            self._announce(f"{said[0]}. {said[1]}", again=not again)
        self.shown.emit(len(matches))
