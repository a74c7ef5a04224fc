"""The main window's central area: the pages (a message, the welcome offer, the results grid, the
timeline) and the bar under the results that offers the weaker matches. Widgets only: they show what
they are given and say what the user asked for by their signals."""

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
        )
        layout.addWidget(title)
        pictures = pictures_folder()
        self.pictures_button = QPushButton(f"Index my Pictures folder ({pictures})")
        self.pictures_button.setVisible(bool(pictures) and Path(pictures).is_dir())
        self.pictures_button.clicked.connect(lambda: self.add_folder.emit(pictures))
        self.add_folder_button = QPushButton("Add folder…")
        self.add_folder_button.clicked.connect(self.choose_folder)
        for button in (self.pictures_button, self.add_folder_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


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

    def __init__(self, welcome: QWidget, view: ResultsView, browse: ResultsView) -> None:
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
