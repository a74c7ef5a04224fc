"""One result up close: a large preview, what the index knows about it, and what to do with it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from photoscope.gui import desktop
from photoscope.gui.results_model import ResultsModel
from photoscope.gui.tasks import TaskRunner
from photoscope.gui.thumbnail_loader import decode_photo

if TYPE_CHECKING:
    from photoscope.api import Match

PREVIEW_SIDE = 1280


def format_taken(taken_at: str | None) -> str:
    if not taken_at:
        return "unknown"
    try:
        return datetime.fromisoformat(taken_at).strftime("%-d %B %Y, %H:%M")
    except ValueError:
        return taken_at


def format_tags(tags: list[tuple[str, float]]) -> str:
    return ", ".join(f"{label} ({score:.0%})" for label, score in tags) or "none"


class _Preview(QLabel):
    """Shows a pixmap scaled to fit, rescaled as the dialog is resized."""

    def __init__(self) -> None:
        super().__init__(alignment=Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(QSize(320, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._source = QPixmap()

    def set_source(self, pixmap: QPixmap) -> None:
        self._source = pixmap
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._source.isNull():
            self.setPixmap(QPixmap())
            return
        self.setPixmap(
            self._source.scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )


class DetailView(QDialog):
    """Left/Right step through the results; Escape closes."""

    find_similar = Signal(int)  # photo id
    status_message = Signal(str)

    def __init__(self, model: ResultsModel, io: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.io = model, io
        self.row = -1
        self.setWindowTitle("Photo")
        self.preview = _Preview()
        self.fields = {
            name: QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
            for name in ("caption", "tags", "taken", "camera", "size", "path")
        }
        self.buttons = self._make_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(self._make_form())
        layout.addWidget(self.buttons)
        self.resize(900, 760)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Arrow keys reach here when the focused button does not use them (it never does, alone).
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: +1}.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
        else:
            self.show_row(self.row + step)

    def _make_form(self) -> QFormLayout:
        form = QFormLayout()
        labels = {
            "caption": "Caption",
            "tags": "Looks like",
            "taken": "Taken",
            "camera": "Camera",
            "size": "Size",
            "path": "File",
        }
        for name, label in labels.items():
            form.addRow(label, self.fields[name])
        return form

    def _make_buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox()
        self.similar_button = QPushButton("Find similar")
        self.open_button = QPushButton("Open")
        self.folder_button = QPushButton("Show in folder")
        self.copy_button = QPushButton("Copy path")
        for button in (self.similar_button, self.open_button, self.folder_button, self.copy_button):
            box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        self.similar_button.clicked.connect(self._find_similar)
        self.open_button.clicked.connect(lambda: self._report(desktop.open_file(self.path()), "open"))
        self.folder_button.clicked.connect(lambda: self._report(desktop.show_in_folder(self.path()), "show"))
        self.copy_button.clicked.connect(self._copy_path)
        return box

    # which photo

    def show_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        self.row = row
        m = self.match()
        self._fill(m)
        self.preview.set_source(self.model.loader.pixmap(m.photo.path, m.photo.mtime) or QPixmap())
        path = m.photo.path
        self.io.submit(
            lambda: decode_photo(path, PREVIEW_SIDE), self._preview_loaded, lambda _: None, key="preview"
        )
        self.show()
        self.raise_()

    def _fill(self, m: Match) -> None:
        p = m.photo
        self.setWindowTitle(f"{Path(p.path).name} — {self.row + 1} of {self.model.rowCount()}")
        self.fields["caption"].setText(p.caption or "not captioned yet")
        self.fields["tags"].setText(format_tags(p.tags))
        self.fields["taken"].setText(format_taken(p.taken_at))
        self.fields["camera"].setText(p.camera or "unknown")
        size = f"{p.width} \N{MULTIPLICATION SIGN} {p.height} pixels, " if p.width and p.height else ""
        self.fields["size"].setText(f"{size}{p.size / 1e6:.1f} MB")
        self.fields["path"].setText(p.path)

    def _preview_loaded(self, image: QImage) -> None:
        self.preview.set_source(QPixmap.fromImage(image))

    def match(self) -> Match:
        return self.model.match(self.row)

    def path(self) -> str:
        return self.match().photo.path

    def next(self) -> None:
        self.show_row(self.row + 1)

    def previous(self) -> None:
        self.show_row(self.row - 1)

    # actions

    def _find_similar(self) -> None:
        self.find_similar.emit(self.match().photo.id)

    def _copy_path(self) -> None:
        desktop.copy_path(self.path())
        self.status_message.emit(f"Copied {self.path()}")

    def _report(self, ok: bool, what: str) -> None:
        if not ok:
            self.status_message.emit(f"Could not {what} {self.path()}: no application handles it")
