"""A one-line label for the status bar that ends in "…" where its text does not fit, instead of
pushing its neighbours (the tile-size slider) to a stub; the whole text is its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

MIN_WIDTH = 160  # what it keeps in a narrow window: "12 likely matches for …"


class ElidedLabel(QLabel):
    def __init__(self, parent: QWidget | None = None, lead: bool = False) -> None:
        """``lead``: a blank of one "m" before the text, so that it never runs into the text of the
        widget before it (the status bar's indexing count: "135 photos indexed 1 likely match for …",
        at 18 pt, audits 82 and 83)."""
        super().__init__(parent)
        self.full_text = ""
        self.lead = lead
        self._set_lead()

    def _set_lead(self) -> None:
        self.setContentsMargins(self.fontMetrics().horizontalAdvance("m") if self.lead else 0, 0, 0, 0)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the blank is the font's "m"
            self._set_lead()
            self.updateGeometry()
            self._elide()

    def setText(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self.updateGeometry()
        self._elide()

    def text(self) -> str:
        """The whole text, as set (``shown_text`` is what fits)."""
        return self.full_text

    def shown_text(self) -> str:
        return super().text()

    def clear(self) -> None:
        self.setText("")

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.full_text) + 4 + margins.left() + margins.right()
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(MIN_WIDTH, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self.full_text, Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )
        super().setText(shown)
