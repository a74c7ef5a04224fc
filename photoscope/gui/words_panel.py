"""A dock for the network's words: neighbours of a word, and analogies (a is to b as c is to ?)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoscope.gui.tasks import TaskRunner
from photoscope.gui.wording import not_one_word, one_word_at_a_time

if TYPE_CHECKING:
    from photoscope.api import Photoscope, WordScore

SIMILAR_K, ANALOGY_K = 12, 6


class WordsPanel(QDockWidget):
    """Double-clicking a word searches the library for it."""

    word_chosen = Signal(str)
    left = Signal()  # Esc closed the panel: the keyboard goes back to the search box

    def __init__(
        self, api: Callable[[], Photoscope | None], runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("Words", parent)
        self.setObjectName("words-panel")  # QMainWindow.saveState needs a name
        self.api, self.runner = api, runner
        # Opened by the user (View > Words), the word field takes the keys: the next word typed
        # searched the photos. Not when the window opens with it shown: the search box has them.
        self.toggleViewAction().triggered.connect(self._opened)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._similar_box())
        layout.addWidget(self._analogy_box())
        self.message = QLabel(wordWrap=True)
        layout.addWidget(self.message)
        self.results = QListWidget()
        self.results.setAccessibleName("Words found")
        self.results.itemActivated.connect(  # a double-click, or Enter on the word
            lambda item: self.word_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        layout.addWidget(self.results, 1)
        self.setWidget(body)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc closes the panel, as it closes the photo view, the library and the maps (the GUI audit
        of stop 58: it did nothing, and only Ctrl+F got the keyboard out); View > Words opens it."""
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            self.left.emit()
            return
        super().keyPressEvent(event)

    def _similar_box(self) -> QGroupBox:
        box = QGroupBox("Similar words")
        self.word_edit = QLineEdit(placeholderText="a word, e.g. dog")
        self.word_edit.setAccessibleName("Similar words: a word")
        # wide enough for its placeholder and a long word: in an 800 x 600 window it was 49 px, "a wo…"
        # (audit 75, repro_3)
        metrics = self.word_edit.fontMetrics()
        self.word_edit.setMinimumWidth(metrics.horizontalAdvance(self.word_edit.placeholderText()) + 16)
        self.word_edit.returnPressed.connect(self.find_similar)
        button = QPushButton("Find")
        button.clicked.connect(self.find_similar)
        row = QHBoxLayout(box)
        row.addWidget(self.word_edit, 1)
        row.addWidget(button)
        return box

    def _analogy_box(self) -> QGroupBox:
        box = QGroupBox("Analogy")
        self.a_edit = QLineEdit(placeholderText="man")
        self.b_edit = QLineEdit(placeholderText="woman")
        self.c_edit = QLineEdit(placeholderText="boy")
        button = QPushButton("Solve")
        button.clicked.connect(self.solve_analogy)
        form = QFormLayout(box)
        form.addRow("", QLabel("a is to b as c is to …"))
        form.addRow("a", self.a_edit)
        form.addRow("b", self.b_edit)
        form.addRow("c", self.c_edit)
        for edit, which in zip((self.a_edit, self.b_edit, self.c_edit), "abc", strict=True):
            # a screen reader says the form's labels, "a", "b", "c": not what they are for
            edit.setAccessibleName(f"Analogy: word {which}")
            edit.returnPressed.connect(self.solve_analogy)
        form.addRow("", button)
        return box

    def find_similar(self) -> None:
        word, api = self.word_edit.text().strip(), self.api()
        asked = not_one_word(word, "find the words the network uses like it")
        if asked is not None:
            self._ask(asked, self.word_edit)
        elif api is None:
            self.message.setText("The library is still opening: try again in a moment.")
        else:
            self._run(lambda: api.similar_words(word, SIMILAR_K), f"Words like “{word}”:")

    def solve_analogy(self) -> None:
        edits = (self.a_edit, self.b_edit, self.c_edit)
        a, b, c = (e.text().strip() for e in edits)
        api = self.api()
        empty = [name for name, e in zip("abc", edits, strict=True) if not e.text().strip()]
        several = [e for e in edits if len(e.text().split()) > 1]
        if empty:
            names = " and ".join(", ".join(empty).rsplit(", ", 1))
            first = edits["abc".index(empty[0])]
            self._ask(f"Fill in {names}: “a is to b as c is to …” needs all three words.", first)
        elif several:
            self._ask(one_word_at_a_time(several[0].text().strip()), several[0])
        elif api is None:
            self.message.setText("The library is still opening: try again in a moment.")
        else:
            self._run(lambda: api.analogy(a, b, c, ANALOGY_K), f"{a} is to {b} as {c} is to:")

    def _ask(self, text: str, edit: QLineEdit) -> None:
        self.results.clear()
        self.message.setText(text)
        edit.setFocus()

    def _run(self, fn: Callable[[], list[WordScore]], title: str) -> None:
        self.message.setText("Thinking…")
        self.runner.submit(fn, lambda words: self._show(title, words), self._failed, key="words")

    def _show(self, title: str, words: list[WordScore]) -> None:
        self.message.setText(title)
        self.results.clear()
        for w in words:
            item = QListWidgetItem(f"{w.word}  ({w.score:.2f})")
            item.setData(Qt.ItemDataRole.UserRole, w.word)
            item.setToolTip(f"Double-click, or press Enter, to search for “{w.word}”")
            self.results.addItem(item)

    def _opened(self, shown: bool) -> None:
        if shown:
            self.word_edit.setFocus()

    def _failed(self, error: BaseException) -> None:
        from photoscope.api import UnknownWordError

        # UnknownWordError's text says which word and suggests close ones.
        self.results.clear()
        said = error.said("“", "”") if isinstance(error, UnknownWordError) else str(error)
        text = said or type(error).__name__
        text = text[:1].upper() + text[1:]
        self.message.setText(text if text.endswith((".", "?", "!")) else text + ".")
