"""The main window: a search bar above a grid of results."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLineEdit, QListView, QMainWindow, QVBoxLayout, QWidget


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Photoscope")
        self.search_bar = QLineEdit(placeholderText="Describe a photo, or drop one here…")
        self.search_bar.setClearButtonEnabled(True)
        self.results = QListView()
        self.results.setViewMode(QListView.ViewMode.IconMode)
        self.results.setResizeMode(QListView.ResizeMode.Adjust)
        self.results.setUniformItemSizes(True)
        self.results.setIconSize(QSize(192, 192))
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.results)
        self.setCentralWidget(central)
        self.resize(1100, 760)
