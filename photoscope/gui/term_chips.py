"""The search bar's chips: extra terms of a combined query, each a text or a photo, added (+) or
taken away (-), with a weight.

Typed words become a chip with the + and - buttons beside the text box (Ctrl+Enter and
Ctrl+Shift+Enter); a photo dropped or pasted onto the search bar while there is a query becomes a
photo chip (Alt while dropping: taken away). Every chip is reachable with Tab, and its weight box
after it: Space (or + and -) on the chip flips its sign, Delete removes it, Left and Right go to the
chips beside it, Escape back to the text box. The chips wrap onto more lines as they fill the row. A
weight box that refuses what is typed (over its maximum) says so after the chips.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QImageReader, QKeyEvent, QKeySequence, QPalette, QPixmap
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QToolButton,
    QWidget,
)

from photoscope.api import MAX_WEIGHT
from photoscope.gui.colours import readable_on
from photoscope.gui.photo_text import shown_name
from photoscope.gui.wording import weight_refused
from photoscope.wording import safe_text

if TYPE_CHECKING:
    from photoscope.api import QueryTerm

ChipPhoto = str | QImage  # a file path, or pasted image data
THUMB = 28
NAME_WIDTH = 320  # a chip's words longer than this are cut with "…" (its tooltip says them all)
PLUS, MINUS = "+", "\N{MINUS SIGN}"
_STYLE = """
TermChip { border: 1px solid palette(mid); border-radius: 6px; }
TermChip[negative="true"] { border: 1px solid TAKEN_AWAY; }
TermChip:focus { border: 2px solid palette(highlight); }
TermChip QToolButton {
    background: transparent; border: 1px solid transparent; border-radius: 3px; padding: 1px 4px;
}
TermChip QToolButton:hover { border-color: palette(mid); }
"""  # the keyboard's chip shows (Tab reaches each chip: the GUI walk of stop 42 saw no sign of it);
# its buttons are flat, a frame under the mouse: a taken-away chip's sign, a checked toggle, was drawn
# pressed, and its minus sign read as stuck (audit 97)
TAKEN_AWAY_RED = QColor("#c0392b")  # a taken-away chip's border, made readable on the window's colour


def chip_style(window: QColor) -> str:
    """The chips' style sheet on a window of colour ``window``: the taken-away red lightened on a
    dark theme, where it had 2.6:1 contrast (audit 82's notes; ``colours.readable_on``)."""
    return _STYLE.replace("TAKEN_AWAY", readable_on(TAKEN_AWAY_RED, window).name())


class TermChip(QFrame):
    """One term: its sign (a toggle), a thumbnail for a photo, its words or name, weight, remove."""

    changed = Signal()
    removed = Signal(object)  # this chip
    step = Signal(object, int)  # this chip, -1 or 1: Left or Right
    leave = Signal()  # Escape: back to the words
    refused = Signal(object)  # this chip: its weight box refused a keystroke (a weight over its maximum)

    def __init__(
        self, text: str | None, photo: ChipPhoto | None, negative: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.text, self.photo = text, photo
        self._restyle()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The sign and remove buttons are the mouse's: the chip's own Space and Delete do what they
        # do, and Tab reached each chip's four parts (the #17 audit of stop 44).
        self.sign = QToolButton()
        self.sign.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sign.setCheckable(True)
        self.sign.setAutoRaise(True)
        self.sign.setChecked(negative)
        self.sign.toggled.connect(self._sign_toggled)
        self.thumb = QLabel()
        self.thumb.setFixedSize(THUMB, THUMB)
        self.thumb.setVisible(photo is not None)
        if isinstance(photo, QImage):
            self.set_thumbnail(QPixmap.fromImage(photo))
        elif isinstance(photo, str):
            reader = QImageReader(photo)
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid():  # JPEGs decode straight at the small size: cheap on the GUI thread
                reader.setScaledSize(size.scaled(2 * THUMB, 2 * THUMB, Qt.AspectRatioMode.KeepAspectRatio))
            self.set_thumbnail(QPixmap.fromImage(reader.read()))
        self.name = QLabel()
        self.name.setText(
            self.name.fontMetrics().elidedText(self.describe(), Qt.TextElideMode.ElideRight, NAME_WIDTH)
        )
        self.name.setObjectName("name")
        # Up to the API's limit, as ``--weight`` on the command line (it stopped at 5: a query the
        # command line could make, the window could not).
        self.weight = QDoubleSpinBox(
            minimum=0.0, maximum=MAX_WEIGHT, singleStep=0.25, value=1.0, suffix="\N{MULTIPLICATION SIGN}"
        )
        self.weight.setToolTip(f"Weight of this term, from 0 to {MAX_WEIGHT:g} (1: as much as the query)")
        self.weight.installEventFilter(WindowHome(self.weight))
        self.weight.valueChanged.connect(lambda _: self._changed())
        # Qt drops the keystroke that would take it over its maximum without a word (250 stayed 25x).
        self.weight.lineEdit().inputRejected.connect(lambda: self.refused.emit(self))
        self.remove_button = QToolButton(autoRaise=True)
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.remove_button.setText("\N{MULTIPLICATION X}")
        self.remove_button.setToolTip("Remove this term (Delete)")
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 1, 2, 1)
        layout.setSpacing(2)
        for widget in (self.sign, self.thumb, self.name, self.weight, self.remove_button):
            layout.addWidget(widget)
        self._sign_toggled(negative)

    def _restyle(self) -> None:
        """The style sheet for the window colour the chip is drawn on (``chip_style``)."""
        style = chip_style(self.palette().color(QPalette.ColorRole.Window))
        if style != self.styleSheet():  # setting it again would change the palette again
            self.setStyleSheet(style)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a theme turned dark or light while running
            # after the change is done: a style sheet set within it was painted with the old rules
            QTimer.singleShot(0, self._restyle)

    @property
    def negative(self) -> bool:
        return self.sign.isChecked()

    def describe(self) -> str:
        """The term as the chip names it: its words, or its photo's file name, with control and
        bidi characters escaped (a right-to-left override read the rest backwards: audit 73)."""
        if self.text is not None:
            return f"“{safe_text(self.text)}”"
        return shown_name(self.photo) if isinstance(self.photo, str) else "pasted image"

    def set_thumbnail(self, pixmap: QPixmap) -> None:
        self.thumb.setPixmap(
            pixmap.scaled(
                THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )

    def _sign_toggled(self, negative: bool) -> None:
        self.sign.setText(MINUS if negative else PLUS)
        self.sign.setToolTip("Taken away: click to add it" if negative else "Added: click to take it away")
        self.setProperty("negative", negative)
        self.style().unpolish(self)
        self.style().polish(self)
        # The words' strike-through in their own font: a style rule on the label through the chip's
        # property was not applied again when the chip was (the chip said the opposite sign).
        font = self.name.font()
        font.setStrikeOut(negative)
        self.name.setFont(font)
        self._changed()

    def _changed(self) -> None:
        verb = "without" if self.negative else "with"
        self.setAccessibleName(f"{verb} {self.describe()}, weight {self.weight.value():g}")
        flip = "add it" if self.negative else "take it away"
        self.setToolTip(f"{self.accessibleName()}\nSpace: {flip}; Delete: remove it")
        # its buttons' signs say nothing to a screen reader's user: they say what they do to this term
        term = self.describe()
        self.sign.setAccessibleName(f"{'Add' if self.negative else 'Take away'} {term}")
        self.weight.setAccessibleName(f"Weight of {term}")
        self.remove_button.setAccessibleName(f"Remove {term}")
        self.changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.removed.emit(self)
        elif event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.step.emit(self, -1 if event.key() == Qt.Key.Key_Left else 1)
        elif event.key() == Qt.Key.Key_Escape:
            self.leave.emit()
        elif event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Minus, Qt.Key.Key_Plus):
            self.sign.setChecked(
                event.key() == Qt.Key.Key_Minus or (event.key() == Qt.Key.Key_Space and not self.negative)
            )
        else:
            super().keyPressEvent(event)

    def term(self) -> QueryTerm:
        from photoscope.api import QueryTerm  # loaded by the time there is a query

        photo: Any = self.photo
        if isinstance(photo, QImage):
            from photoscope.gui.thumbnail_loader import qimage_to_pil

            photo = qimage_to_pil(photo)
        return QueryTerm(text=self.text, photo=photo, weight=self.weight.value(), negative=self.negative)


class FlowLayout(QLayout):
    """Widgets in a row that wraps onto more lines where the next one would not fit: the layout is
    as narrow as its widest widget, and as tall as the lines its width needs."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items line by line in ``rect`` (or only measure); returns the height used."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:  # full: the next line
                x, y, line = area.x(), y + line + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self.spacing()
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class TermBar(QWidget):
    """The chips, in the order they were added; hidden while there are none."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips: list[TermChip] = []
        self.focus_after: QWidget | None = None  # what has the focus when the last chip goes
        self.tab_after: QWidget | None = None  # the control Tab leaves for the first chip
        self.row = FlowLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel()  # after the chips: the weights a box takes, when it refused one
        self.note.hide()
        self.row.addWidget(self.note)
        self._refused: tuple[TermChip, float] | None = None  # the chip the note is about, its weight kept
        self.changed.connect(self._forget_refused)
        self.hide()

    def add(
        self, text: str | None = None, photo: ChipPhoto | None = None, negative: bool = False
    ) -> TermChip:
        chip = TermChip(text, photo, negative)
        chip.changed.connect(self.changed)
        chip.removed.connect(self.remove)
        chip.step.connect(self._step)
        chip.leave.connect(self._leave)
        chip.refused.connect(self._say_refused)
        self.row.addWidget(chip)
        note = self.row.takeAt(self.row.indexOf(self.note))
        if note is not None:
            self.row.addItem(note)  # the note stays after the chips
        self._tab_to(chip)
        self.chips.append(chip)
        self.show()
        self.changed.emit()
        return chip

    def _tab_to(self, chip: TermChip) -> None:
        """Tab reaches a new chip's parts after the chips before it, where it is on the screen (a
        widget made later comes last in Qt's order: after the filters and the grid)."""
        previous = self.chips[-1].weight if self.chips else self.tab_after
        if previous is None:
            return
        for part in (chip, chip.weight):
            QWidget.setTabOrder(previous, part)
            previous = part

    def _say_refused(self, chip: TermChip) -> None:
        """Not the status bar: the answer to the weight kept clears it (the query runs as it changes)."""
        self._refused = (chip, chip.weight.value())
        self.note.setText(weight_refused(chip.weight.maximum(), chip.weight.value()))
        self.note.show()

    def _forget_refused(self) -> None:
        """The note goes once its chip's weight is another, or the chip is gone (not as Enter says
        the weight kept again: the box emits it anew)."""
        if self._refused is not None:
            chip, kept = self._refused
            if chip not in self.chips or chip.weight.value() != kept:
                self._refused = None
                self.note.hide()

    def _step(self, chip: TermChip, by: int) -> None:
        """Left or Right on a chip: the chip beside it (at the ends, it stays)."""
        at = self.chips.index(chip) + by
        if 0 <= at < len(self.chips):
            self.chips[at].setFocus()

    def _leave(self) -> None:
        if self.focus_after is not None:
            self.focus_after.setFocus()

    def remove(self, chip: TermChip) -> None:
        """Take a chip away; if it had the focus, the chip beside it gets it (else ``focus_after``)."""
        if chip in self.chips:
            at, focused = self.chips.index(chip), chip.hasFocus()
            self.chips.remove(chip)
            self.row.removeWidget(chip)
            chip.deleteLater()
            self.setVisible(bool(self.chips))
            if focused:
                beside = self.chips[min(at, len(self.chips) - 1)] if self.chips else self.focus_after
                if beside is not None:
                    beside.setFocus()
            self.changed.emit()

    def clear(self) -> None:
        had = bool(self.chips)
        for chip in self.chips:
            self.row.removeWidget(chip)
            chip.deleteLater()
        self.chips = []
        self.hide()
        if had:
            self.changed.emit()

    def terms(self) -> list[QueryTerm]:
        return [chip.term() for chip in self.chips]


def leaves_home_to_window(event: QEvent) -> bool:
    """Whether ``event`` asks a text field to take Ctrl+Home, the window's "All photos", as its own
    Home; ignored then, the window's shortcut has it (a field's Home key still moves its cursor)."""
    if event.type() != QEvent.Type.ShortcutOverride:
        return False
    assert isinstance(event, QKeyEvent)
    if not event.matches(QKeySequence.StandardKey.MoveToStartOfDocument):
        return False
    event.ignore()
    return True


class WindowHome(QObject):
    """On a chip's weight box: Ctrl+Home is the window's (the GUI walk of stop 47: it did nothing there)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return leaves_home_to_window(event)


class TermKeys(QObject):
    """On the text box: Ctrl+Enter makes the typed words a chip, Ctrl+Shift+Enter a taken-away one."""

    def __init__(self, parent: QObject, add: Any) -> None:
        super().__init__(parent)
        self.add = add  # add(negative: bool) -> None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.type() == QEvent.Type.KeyPress:
                    self.add(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                event.accept()  # the key is the box's, not a window shortcut's
                return True
        return False
