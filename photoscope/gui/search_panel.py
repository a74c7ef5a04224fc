"""The search bar: text box, photo button, the query-photo chip, filters and the message line."""

from __future__ import annotations

import html
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage, QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photoscope.api import PASTED, describe_query
from photoscope.gui.desktop import photo_from_mime
from photoscope.gui.term_chips import FlowLayout, TermBar, TermKeys, leaves_home_to_window
from photoscope.gui.wording import (
    NO_PHOTO_PASTED,
    cannot_search_by,
    correctable,
    corrected,
    corrections,
    no_photo_at,
    results_message,
)
from photoscope.wording import safe_text

if TYPE_CHECKING:
    from photoscope.api import Filters, Results
    from photoscope.gui.query_state import LeftQuery

FOLDER_FILTER_CHARACTERS = 24  # the folder filter's width, in characters
FOLDER_LIST_MAX_WIDTH = 640  # its list widens to its longest name, up to this many pixels
FOLDER_DEPTH_ROLE = Qt.ItemDataRole.UserRole + 1  # a folder choice's depth below its watched folder

DEBOUNCE_MS = 400
PLACEHOLDER = "Describe a photo (“a dog running on the grass”), or drop one here…"
PLACEHOLDER_BESIDE_PHOTO = (
    "Add words (“at night”)…"  # they join the photo; beside its chip there is room for little
)
CHIP_SIZE = 40

PhotoQuery = str | QImage  # a file path, or pasted image data


def tool_button(text: str, tip: str, name: str = "") -> QToolButton:
    """A small button; ``name`` is what a screen reader says for it where its text ("+") says too
    little."""
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    if name:
        button.setAccessibleName(name)
    return button


class QueryChip(QFrame):
    """The query photo: a small thumbnail, its name and a button to clear it."""

    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.thumb = QLabel()
        self.thumb.setFixedSize(CHIP_SIZE, CHIP_SIZE)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label = QLabel()
        self.clear_button = tool_button("\N{MULTIPLICATION X}", "Clear the query photo")
        self.clear_button.setAutoRaise(True)
        self.clear_button.clicked.connect(self.cleared)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 2, 2)
        for widget in (self.thumb, self.label, self.clear_button):
            layout.addWidget(widget)
        self.hide()

    def show_query(self, name: str) -> None:
        shown = safe_text(name)  # control and bidi characters escaped, as every name the window shows
        self.label.setText(f"Photos like <b>{html.escape(shown)}</b>")  # a name, never markup
        # Its "✕" was read "multiplication x" while a term chip's says "Remove “dog”" (audit 82,
        # repro_7): the name says what it clears.
        self.clear_button.setAccessibleName(f"Clear the query photo {shown}")
        self.thumb.clear()
        self.show()

    def set_thumbnail(self, pixmap: QPixmap) -> None:
        self.thumb.setPixmap(
            pixmap.scaled(
                CHIP_SIZE,
                CHIP_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )


class _PastePhotoFilter(QObject):
    """Ctrl+V in the text box searches by the clipboard's photo when it holds one, else pastes text;
    Escape empties it (a query of words alone is left, for Back), and in an empty box leaves the
    rest of the query; Ctrl+Home is the window's."""

    def __init__(self, panel: SearchPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Paste) and self.panel.clipboard_photo() is not None:
                if event.type() == QEvent.Type.KeyPress:
                    self.panel.paste_photo()
                event.accept()
                return True
            if event.key() == Qt.Key.Key_Escape:
                if event.type() == QEvent.Type.KeyPress:
                    self.panel.escape()
                event.accept()
                return True
        return leaves_home_to_window(event)


class _DateFilter(QWidget):
    """An optional date: a check box that enables a calendar date field."""

    changed = Signal()

    def __init__(self, label: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.check.setAccessibleName(name)  # "to" alone says nothing to a screen reader's user
        self.edit = QDateEdit()
        self.edit.setAccessibleName(f"{name}: date")
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setDate(QDate.currentDate())
        self.chosen = False  # the user set the date: the library's span no longer moves it
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(self.changed)
        self.edit.dateChanged.connect(self._date_changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)

    def _date_changed(self) -> None:
        self.chosen = True
        if self.check.isChecked():
            self.changed.emit()

    def start_at(self, value: date) -> None:
        """The date it shows until the user chooses one (the library's first or last day)."""
        if not self.chosen and not self.check.isChecked():
            self.edit.blockSignals(True)
            self.edit.setDate(QDate(value.year, value.month, value.day))
            self.edit.blockSignals(False)

    def value(self) -> date | None:
        if not self.check.isChecked():
            return None
        d = self.edit.date()
        return date(d.year(), d.month(), d.day())

    def set_value(self, value: date | None) -> None:
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))
            self.chosen = True
        self.check.setChecked(value is not None)


class SearchPanel(QWidget):
    """Says what to search for; the main window runs the searches."""

    text_query = Signal(str)  # "" when the text was cleared
    photo_query = Signal(object)  # a PhotoQuery
    photo_cleared = Signal()
    filters_changed = Signal()
    leave_query = Signal()  # Escape in an empty box: the whole query goes (chips, photo), the library shows
    choose_photo = Signal()
    terms_changed = Signal()  # the chips (extra terms of a combined query) changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.query_photo: PhotoQuery | None = None
        self._quiet = False  # the box is emptied by the panel itself: no text query (``_clear_text_quietly``)
        self._build_search_row()
        self._build_filter_row()
        self.message = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.message.linkActivated.connect(self._correct)
        self._corrections: list[tuple[str, str]] = []
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # As tall as its tallest control (the query chip) from the start, so showing the chip moves
        # nothing under the pointer.
        self.search_bar = QWidget()
        self.search_bar.setLayout(self.search_row)
        self.search_row.setContentsMargins(0, 0, 0, 0)
        chip_height = max(w.sizeHint().height() for w in (self.chip, self.edit, self.photo_button))
        self.search_bar.setFixedHeight(chip_height)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.terms_bar)
        layout.addLayout(self.filter_row)
        layout.addWidget(self.message)

    def _build_search_row(self) -> None:
        self.edit = QLineEdit(placeholderText=PLACEHOLDER)
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName("Search: describe a photo")
        self.edit.installEventFilter(_PastePhotoFilter(self))
        self.debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.debounce.timeout.connect(lambda: self.submit_text(typing=True))
        self.edit.textEdited.connect(lambda _: self.debounce.start())
        self.edit.returnPressed.connect(self.submit_text)
        self.edit.textChanged.connect(self._text_changed)
        self.photo_button = tool_button("Photo…", "Find photos like a photo file (or drop or paste one)")
        self.photo_button.clicked.connect(self.choose_photo)
        self.chip = QueryChip()
        self.chip.cleared.connect(self.clear_photo)
        # Chips: the typed words become an added or taken-away term of a combined query.
        self.terms_bar = TermBar()
        self.terms_bar.focus_after = self.edit
        self.terms_bar.tab_after = self.photo_button  # the last of the search row
        self.terms_bar.changed.connect(self.terms_changed)
        self.edit.installEventFilter(TermKeys(self, self.add_text_term))
        self.add_button = tool_button(
            "+", "Keep the typed words as a part of the search, and type more (Ctrl+Enter)", "Add as a term"
        )
        self.add_button.clicked.connect(lambda: self.add_text_term(False))
        self.subtract_button = tool_button(
            "\N{MINUS SIGN}", "Leave out photos of the typed words (Ctrl+Shift+Enter)", "Take away as a term"
        )
        self.subtract_button.clicked.connect(lambda: self.add_text_term(True))
        self._sync_term_buttons()
        self.search_row = QHBoxLayout()
        self.search_row.addWidget(self.edit, 1)
        self.search_row.addWidget(self.add_button)
        self.search_row.addWidget(self.subtract_button)
        self.search_row.addWidget(self.chip)
        self.search_row.addWidget(self.photo_button)

    def _build_filter_row(self) -> None:
        self.folder_combo = QComboBox()
        # A width of its own, room for "    Paris 2019  (20)" ("    Paris" showed once), not its
        # longest name's: the date filters beside it moved whenever the subfolders were read. The
        # list shows long names whole (``set_folders``).
        self.folder_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.folder_combo.setMinimumContentsLength(FOLDER_FILTER_CHARACTERS)
        self.folder_combo.setToolTip("Only photos in this folder")
        self.folder_combo.setAccessibleName("Folder")
        self.folder_combo.addItem("All folders", None)
        self.folder_combo.currentIndexChanged.connect(lambda _: self.filters_changed.emit())
        self.date_from = _DateFilter("Taken from", "Taken from")
        self.date_to = _DateFilter("to", "Taken to")
        for end in (self.date_from, self.date_to):
            end.check.toggled.connect(self._keep_dates_in_order)
            end.edit.dateChanged.connect(self._keep_dates_in_order)
        self.date_from.changed.connect(self.filters_changed)
        self.date_to.changed.connect(self.filters_changed)
        # A row that wraps where the window is too narrow for it: with large text it held the window
        # wider than the screen (1,114 pixels at 18 pt, 1,459 with the Words panel: audit 82, repro_3).
        self.filter_row = FlowLayout(spacing=6)
        for widget in (self.folder_combo, self.date_from, self.date_to):
            self.filter_row.addWidget(widget)

    # queries

    def text(self) -> str:
        return self.edit.text().strip()

    def submit_text(self, typing: bool = False) -> None:
        """Run the typed text now (Enter, or the pause after ``typing``)."""
        self.debounce.stop()
        if not self.text() and self.query_photo is not None:
            return  # an empty box under a photo query is not a query
        if self._too_long() or self._text_names_a_file(typing) or (typing and self._says_nothing_yet()):
            return
        if self.query_photo is not None:  # "this photo, but at night": the words join the photo
            self.terms_changed.emit()
            return
        self.text_query.emit(self.text())

    def _too_long(self) -> bool:
        """A text past a description's length is kept in the box, not searched, and the note says
        why: cut at 500 characters mid-word, a query was searched for its fragment ("The model does
        not know “ve”": the GUI audit of stop 58; a pasted page took the network 17 s before)."""
        from photoscope.api import query_too_long  # loaded by the time a query is read

        why = query_too_long(self.text())
        if why is not None:
            self.show_message(f"A search is {why}: shorten it.")
        return why is not None

    def _says_nothing_yet(self) -> bool:
        """Whether the text typed so far holds only words that say nothing a photo shows ("two ",
        "a "): the pause after them waits for the next word (it flashed "No photos found" on the way
        to "two dogs": the fresh-seat audit of stop 52)."""
        from photoscope.api import says_nothing  # loaded by the time a query is read

        return says_nothing(self.text())

    def _text_names_a_file(self, typing: bool) -> bool:
        """A photo's path or file URL, typed or pasted as text, searches by that photo on Enter (its
        words, "tmp", "home", said nothing of it; typing, it may not be whole yet, and the disk is
        not looked at on the window's thread for every pause). A path to no photo is said."""
        from photoscope.api import is_photo_file, typed_path  # loaded by the time a query is read

        path = typed_path(self.text())
        if path is None:
            return False
        if typing:  # the pause after typing: looked at once Enter says the path is whole
            return True
        if is_photo_file(path):
            if self.can_search_by(str(path)):  # else the path stays, to be corrected
                self._clear_text_quietly()
                self._use_photo(str(path))
        else:
            self.show_message(self._no_photo_at(path))
        return True

    def _no_photo_at(self, path: Path) -> str:
        """What a typed path that is no photo is: a folder (listed in the folder filter, inside a
        watched folder, or one Photoscope does not watch), a file that is no photo (a pipe too), or
        nothing (the audit of stop 60's changes: a pipe was "check the path", a folder not watched
        was to be chosen in a filter that lists only the watched ones)."""
        from photoscope.api import is_under  # loaded by the time a query is read

        if not path.is_dir():
            return no_photo_at(str(path), other_file=os.path.lexists(path) and os.path.exists(path))
        listed = [str(self.folder_combo.itemData(i)) for i in range(1, self.folder_combo.count())]
        roots = [p for i, p in enumerate(listed, 1) if self.folder_combo.itemData(i, FOLDER_DEPTH_ROLE) == 0]
        where = str(path.resolve())
        if where in listed:
            return no_photo_at(str(path), folder=True)
        return no_photo_at(str(path), folder=True, watched=any(is_under(where, r) for r in roots))

    def _text_changed(self, text: str) -> None:
        self._sync_term_buttons()
        if text or self._quiet:
            return
        self.debounce.stop()
        if self.query_photo is None:
            self.text_query.emit("")
        else:  # the words beside the photo went: the photo's own search
            self.terms_changed.emit()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)
        self.submit_text()

    def set_photo(self, photo: PhotoQuery) -> None:
        """Search by this photo: shows the chip and clears the text (one that cannot be read is
        said, and left out: ``can_search_by``)."""
        if not self.can_search_by(photo):
            return
        self.query_photo = photo
        self.debounce.stop()
        self._clear_text_quietly()  # clearing the text must not start a text query
        self.chip.show_query(_named(photo))
        self.edit.setPlaceholderText(PLACEHOLDER_BESIDE_PHOTO)
        if isinstance(photo, QImage):
            self.chip.set_thumbnail(QPixmap.fromImage(photo))
        self.photo_query.emit(photo)

    def set_aside(self) -> None:
        """Empty the query without searching: the grid shows something else now (the library's
        copies), which the old query must not seem to have asked for, nor its note say anything of
        (“The model does not know “xyzzy”” stayed above the copies: the GUI audit of stop 58)."""
        self.debounce.stop()
        self.show_message("")
        self._clear_text_quietly()
        self.terms_bar.blockSignals(True)
        self.terms_bar.clear()
        self.terms_bar.blockSignals(False)
        self._drop_photo_query()

    def clear_photo(self) -> None:
        if self._drop_photo_query():
            self.photo_cleared.emit()

    def _drop_photo_query(self) -> bool:
        had = self.query_photo is not None
        self.query_photo = None
        self.chip.hide()
        self.edit.setPlaceholderText(PLACEHOLDER)
        return had

    def clipboard_photo(self) -> PhotoQuery | None:
        return photo_from_mime(QGuiApplication.clipboard().mimeData(), text=True)

    def paste_photo(self) -> bool:
        """Search by the clipboard's photo (a term of the query there is); say so when it holds none."""
        photo = self.clipboard_photo()
        if photo is None:
            self.show_message(NO_PHOTO_PASTED)
            return False
        if isinstance(photo, str) and not os.path.exists(photo):  # a copied file deleted since
            self.show_message(no_photo_at(photo))  # (it joined the query, and the search failed)
            return False
        self._use_photo(photo)
        return True

    def can_search_by(self, photo: PhotoQuery) -> bool:
        """Whether a photo can join the query; if not, the search bar says why, naming it."""
        from photoscope.api import unreadable_photo  # loaded by the time a photo is given

        if not isinstance(photo, str):  # pasted pixels: read already
            return True
        why = unreadable_photo(photo)
        if why is not None:
            self.show_message(cannot_search_by(os.path.basename(photo), why))
        return why is None

    def _use_photo(self, photo: PhotoQuery) -> None:
        """A photo typed or pasted: the query, or a term of the query there is. One in the query
        already is said (pasted again as a file:// URL, it had made the query "spoons.jpg +
        spoons.jpg": the GUI walk of stop 47)."""
        if not self.can_search_by(photo):
            return
        if self._in_query(photo):
            self.show_message(f"{os.path.basename(str(photo))} is in the query already.")
        elif self.has_query():
            self.add_photo_term(photo)  # joins the query as a term
        else:
            self.set_photo(photo)

    def _in_query(self, photo: PhotoQuery) -> bool:
        given = [self.query_photo, *(c.photo for c in self.terms_bar.chips)]
        return any(_same_file(p, photo) for p in given)

    def left_query(self) -> LeftQuery | None:
        """The query as it stands, to come back to (None: there is none)."""
        from photoscope.api import QueryTerm  # loaded by the time there is a query
        from photoscope.gui.query_state import LeftQuery

        if not self.has_query():
            return None
        chips = tuple((c.text, c.photo, c.negative, c.weight.value()) for c in self.terms_bar.chips)
        terms = ([QueryTerm(text=self.text())] if self.text() else []) + self.terms_bar.terms()
        photo = self.query_photo
        return LeftQuery(
            self.text(), photo, chips, describe_query(_named(photo) if photo is not None else None, terms)
        )

    def restore(self, left: LeftQuery) -> None:
        """Put a query left back: its words, photo and chips (signs, weights), quietly: the caller
        runs it once."""
        self.blockSignals(True)
        self.terms_bar.blockSignals(True)
        try:
            self.terms_bar.clear()
            for text, photo, negative, weight in left.chips:
                self.terms_bar.add(text=text, photo=photo, negative=negative).weight.setValue(weight)  # type: ignore[arg-type]
            if left.photo is not None:
                self.set_photo(left.photo)  # type: ignore[arg-type]
            self.edit.blockSignals(True)
            self.edit.setText(left.text)
            self.edit.blockSignals(False)
            self._sync_term_buttons()
        finally:
            self.terms_bar.blockSignals(False)
            self.blockSignals(False)

    # chips: the extra terms of a combined query (``term_chips``)

    def has_query(self) -> bool:
        return bool(self.text() or self.query_photo is not None or self.terms_bar.chips)

    def escape(self) -> None:
        """Escape in the box: the words typed go (as by the clear button) while chips or a photo
        stay to search by; else the whole query is left, so Back returns to it (a query of words
        alone, emptied, was gone: the GUI audit of stop 54)."""
        if self.edit.text() and (self.query_photo is not None or self.terms_bar.chips):
            self.edit.clear()
        else:
            self.leave_query.emit()  # the chips, the photo, the copies: the library

    def weightless(self) -> bool:
        """Only chips, and each weighs 0: the query asks nothing (the GUI walk of stop 47 was told
        "Try describing it in other words")."""
        chips = self.terms_bar.chips
        alone = not self.text() and self.query_photo is None
        return alone and bool(chips) and all(c.weight.value() <= 0 for c in chips)

    def add_text_term(self, negative: bool) -> None:
        """The typed words become a chip (taken away if ``negative``); the box is free for more."""
        text = self.text()
        if not text or self._too_long():  # a chip is a query's term: a description's length too
            return
        self.debounce.stop()
        self._clear_text_quietly()
        self.terms_bar.add(text=text, negative=negative)

    def _clear_text_quietly(self) -> None:
        """Empty the box without a text query, the term buttons in step. Not by blocking the box's
        signals: its clear button, which follows them, stayed in the empty box doing nothing (the
        GUI audit of stop 58)."""
        self._quiet = True
        try:
            self.edit.clear()
        finally:
            self._quiet = False

    def _sync_term_buttons(self) -> None:
        """+ and - act on the typed words: with none, they are greyed (they did nothing, unsaid)."""
        typed = bool(self.text())
        self.add_button.setEnabled(typed)
        self.subtract_button.setEnabled(typed)

    def add_photo_term(self, photo: PhotoQuery, negative: bool = False) -> None:
        """The photo as a chip; one already a chip only takes the new sign (it was in the query
        twice, once added and once taken away: the #17 audit of stop 44)."""
        if not self.can_search_by(photo):
            return
        if _same_file(self.query_photo, photo):  # dropped again, it was "dog.jpg + dog.jpg" (audit 73)
            self.show_message(f"{os.path.basename(str(photo))} is in the query already.")
            return
        same = [c for c in self.terms_bar.chips if _same_file(c.photo, photo)]
        if same:
            same[0].sign.setChecked(negative)
        else:
            self.terms_bar.add(photo=photo, negative=negative)

    def is_on_bar(self, point: QPoint) -> bool:
        """Whether a point on the screen is on the search bar: its row (text box, buttons, the
        photo's chip) or the chips below it."""
        return any(
            bar.isVisible() and bar.rect().contains(bar.mapFromGlobal(point))
            for bar in (self.search_bar, self.terms_bar)
        )

    # filters and messages

    def set_folders(self, folders: list[tuple[str, int, int]]) -> None:
        """(path, depth below its watched folder, photos) of the watched folders and their subfolders,
        in tree order (subfolders indented); keeps the selection if that folder is still there."""
        current = self.folder_combo.currentData()
        self.folder_combo.blockSignals(True)
        self.folder_combo.clear()
        self.folder_combo.addItem("All folders", None)
        for path, depth, count in folders:
            label = "    " * depth + safe_text(Path(path).name or path) + (f"  ({count:,})" if count else "")
            self.folder_combo.addItem(label, path)
            self.folder_combo.setItemData(self.folder_combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
            self.folder_combo.setItemData(self.folder_combo.count() - 1, depth, FOLDER_DEPTH_ROLE)
        self.folder_combo.setCurrentIndex(max(0, self.folder_combo.findData(current)))
        self.folder_combo.blockSignals(False)
        combo, metrics = self.folder_combo, self.folder_combo.view().fontMetrics()
        widest = max(metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        combo.view().setMinimumWidth(min(widest + 32, FOLDER_LIST_MAX_WIDTH))  # 32: the margins
        if self.folder_combo.currentData() != current:
            self.filters_changed.emit()

    def folder_choices(self) -> list[str]:
        """The watched folders, in the order listed (subfolders left out; by their depth, not their
        indent: a watched " Holiday" starts with a space too)."""
        combo = self.folder_combo
        return [
            str(combo.itemData(i))
            for i in range(1, combo.count())
            if combo.itemData(i, FOLDER_DEPTH_ROLE) == 0
        ]

    def folder(self) -> str | None:
        """The chosen folder (a watched one or any folder below it), None for all."""
        data = self.folder_combo.currentData()
        return str(data) if data is not None else None

    def _keep_dates_in_order(self) -> None:
        """Each end of the date range bounds the other while both are ticked: a "to" typed before
        "from" stops at it, and the calendars offer no day past the other end (the GUI audit of stop
        57: a range set backwards found nothing, unsaid). An unticked end is left where it is: a
        "from" past the library's last day pushed it forward, unseen (the GUI audit of stop 58)."""
        since, until = self.date_from, self.date_to
        both = since.check.isChecked() and until.check.isChecked()
        if both:
            until.edit.setMinimumDate(since.edit.date())
            since.edit.setMaximumDate(until.edit.date())
        else:
            until.edit.clearMinimumDate()
            since.edit.clearMaximumDate()

    def set_date_span(self, span: tuple[date, date] | None) -> None:
        """The library's first and last day: where the date filters start (today's date emptied
        the results the moment "Taken from" was ticked)."""
        if span is not None:
            self.date_from.start_at(span[0])
            self.date_to.start_at(span[1])

    def filters(self) -> Filters:
        """The folder and date range chosen, as the API takes them."""
        from photoscope.api import Filters  # the API is loaded by the time a query is read

        return Filters(self.folder(), self.date_from.value(), self.date_to.value())

    def show_message(self, text: str) -> None:
        """A note under the search bar (plain text)."""
        self._corrections = []
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        # No Tab stop (its text selectable by the mouse): a note with nothing to do took the focus
        # and showed none (the GUI audit of stop 58); one with a link is one (``show_results_note``).
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_results_note(self, results: Results) -> None:
        """The note on an answer (``wording.results_message``), each spelling suggestion a link that
        searches with the word put right, where that word is in the box."""
        found = corrections(results.unknown_words)
        linked = correctable(found, self.edit.text())
        if not linked:
            self.show_message(results_message(results))
            return
        self._corrections = found
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.message.setText(
            results_message(
                results, lambda at, shown: f'<a href="{at}">{shown}</a>' if at in linked else shown
            )
        )
        self.message.show()

    def _correct(self, link: str) -> None:
        """Search again with the typed word put right (a suggestion's link)."""
        text = corrected(self.edit.text(), *self._corrections[int(link)])
        if text is not None:
            self.set_text(text)
        self.edit.setFocus()  # typing goes on in the search box, not into the note the link was in


def _same_file(a: object, b: object) -> bool:
    """Two photos given by path that name one file (``api.same_photo``); pasted pixels name none."""
    from photoscope.api import same_photo  # loaded by the time a photo is given

    return isinstance(a, str) and isinstance(b, str) and same_photo(a, b)


def _named(photo: PhotoQuery) -> str:
    """A photo searched by, as the search bar names it: its file's name, or the pasted image."""
    return Path(photo).name if isinstance(photo, str) else PASTED
