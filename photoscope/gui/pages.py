"""The main window's central area: the pages (a message, the welcome offer, the results grid, the
timeline), the bar under the results that offers the weaker matches, and the bar above them that
offers an upgrade's re-description. Widgets only: they show what they are given and say what the
user asked for by their signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from photoscope.gui.results_view import ResultsView
from photoscope.gui.wording import plural


def pictures_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)


class WelcomePage(QWidget):
    """The offer an empty library opens with: index the Pictures folder, or choose a folder."""

    add_folder = Signal(str)  # the Pictures folder
    choose_folder = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel(
            "<h1>Welcome to Photoscope</h1><p>Photoscope finds your photos by what is in them, "
            "offline. Which folder holds your photos?</p>",
            alignment=Qt.AlignmentFlag.AlignCenter,
            # wrapped: in one line, at 18 pt, it held the window 1,078 pixels wide even behind the
            # library's grid, the pages' stack being as wide as its widest (audit 82, repro_3)
            wordWrap=True,
        )
        layout.addWidget(title)
        # A query typed before any folder was added: searching needs photos (the fresh-seat audit: a
        # message page in its place said so with no button to add them).
        self.note = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.note.hide()
        layout.addWidget(self.note)
        self.library_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.library_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.library_label)
        pictures = pictures_folder()
        self.pictures_button = QPushButton(f"Index my Pictures folder ({pictures})")
        self.pictures_button.setVisible(bool(pictures) and Path(pictures).is_dir())
        self.pictures_button.clicked.connect(lambda: self.add_folder.emit(pictures))
        self.add_folder_button = QPushButton("Add folder…")
        self.add_folder_button.clicked.connect(self.choose_folder)
        for button in (self.pictures_button, self.add_folder_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def show_note(self, text: str) -> None:
        """``text`` over the buttons ("": none, the page as it opens)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def show_library(self, path: Path) -> None:
        """Where the library is kept (its captions and search index; the photos stay where they are)."""
        self.library_label.setText(
            f"Your library (captions and search index) is kept in {path}.\n"
            "Your photos stay where they are: Photoscope never moves or changes them."
        )


class UpgradeBar(QWidget):
    """Above the results after an upgrade that changed the network: how many photos it must describe
    again, now or later (``chosen``: True for now). Later leaves them out of search until then."""

    chosen = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(wordWrap=True)
        self.now_button = QPushButton("Describe them &now")
        self.later_button = QPushButton("&Later")
        self.later_button.setToolTip("Ask again the next time Photoscope starts")
        self.now_button.clicked.connect(lambda: self._choose(True))
        self.later_button.clicked.connect(lambda: self._choose(False))
        row.addWidget(self.label, 1)
        row.addWidget(self.now_button)
        row.addWidget(self.later_button)
        self.hide()

    def offer(self, count: int) -> None:
        self.label.setText(
            f"Photoscope's network has changed: {plural(count, 'photo')} must be described again "
            "(in the background; the app stays usable). Until then, search leaves them out."
        )
        self.show()

    def _choose(self, now: bool) -> None:
        self.hide()
        self.chosen.emit(now)


class MoreBar(QWidget):
    """Under the results: how many weaker matches are not shown, and a button to show them."""

    more_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.button = QPushButton("Show more")
        self.button.setToolTip("Show the weaker matches too (Ctrl+Shift+M)")
        self.button.clicked.connect(self.more_requested)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.hide()

    def show_hidden(self, hidden: int, on_results: bool) -> None:
        """``hidden`` weaker matches are not shown; the bar shows only over the results page."""
        self.setVisible(bool(hidden) and on_results)
        self.label.setText(f"{plural(hidden, 'weaker match', 'weaker matches')} not shown")
        self.button.setText(f"Show {hidden:,} more")


class Pages(QStackedWidget):
    """The central area: a message (opening, no results, hints), the welcome offer, the results grid,
    or the timeline (the library browsed without a query)."""

    def __init__(self, welcome: WelcomePage, view: ResultsView, browse: ResultsView) -> None:
        super().__init__()
        self.welcome, self.view, self.browse = welcome, view, browse
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setMargin(40)
        for page in (self.message, welcome, view, browse):  # a message first: "Opening…", not "Welcome"
            self.addWidget(page)

    def show_message(self, title: str, detail: str = "") -> None:
        self.message.setText(f"<h2>{title}</h2><p>{detail}</p>")
        self.setCurrentWidget(self.message)

    def show_welcome(self, note: str = "") -> None:
        """The welcome offer, with ``note`` over its buttons (a query's: searching needs photos)."""
        self.welcome.show_note(note)
        self.setCurrentWidget(self.welcome)

    def says(self) -> str:
        """What the page on show says: the message, the welcome page's note ("" for the grids)."""
        page = self.currentWidget()
        if page is self.message:
            return self.message.text()
        return self.welcome.note.text() if page is self.welcome else ""
