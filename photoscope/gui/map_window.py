"""The maps window: the library's photos and the network's words as t-SNE maps.

Layouts and their thumbnails are computed by the core API on the task pool; the window stays
responsive and says what it is doing (and when a large library was sampled).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from photoscope.gui.map_view import TILE, MapPhoto, PhotoMapView, WordMapView
from photoscope.gui.tasks import TaskRunner
from photoscope.gui.thumbnail_loader import load_thumbnail
from photoscope.gui.wording import EMPTY_MAP, MAP_PHOTO_GONE, frames_note, not_one_word

if TYPE_CHECKING:
    from photoscope.api import Layout, MapProgress, Photoscope


def photo_map_items(app: Photoscope, progress: MapProgress) -> tuple[Layout, list[MapPhoto]]:
    """Runs on the task pool: the layout and a small image for each photo on it."""
    layout = app.photo_map(progress)
    records = {p.id: p for p in app.photos_by_ids([int(k) for k in layout.keys])}
    items = []
    for key, (x, y) in zip(layout.keys, layout.xy.tolist(), strict=True):
        record = records.get(int(key))
        if record is None:
            continue
        image: QImage | None = load_thumbnail(record.path, record.mtime)
        if image is not None and not image.isNull():
            image = image.scaled(
                TILE, TILE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        items.append(MapPhoto(record.id, x, y, record.caption or "", image))
    return layout, items


class MapWindow(QDialog):
    photo_activated = Signal(int)
    _layout_progress = Signal(str, float)  # emitted on the task thread while the layout is computed

    def __init__(self, app: Photoscope, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Photoscope — maps")
        self.resize(1000, 760)
        self.app, self.tasks = app, tasks
        self.photos = PhotoMapView()
        self.photos.setAccessibleName("Photo map")
        self.photos.photo_activated.connect(self.photo_activated)
        self.photos.filled.connect(self._photos_drawn)
        self.photos.current_changed.connect(self._say_current)
        self.words = WordMapView()
        self.words.setAccessibleName("Word map")
        self.words.word_chosen.connect(self._choose_word)
        self.words.current_changed.connect(self._say_current_word)
        self.status = QLabel()  # the photo map's line
        self.frames_note = QLabel()  # what the frames on the photo map are (the search's photos)
        self.word_status = QLabel()  # the word map's own
        self.busy = QProgressBar()
        self.busy.hide()
        self._layout_progress.connect(self._show_progress)
        self.word_box = QLineEdit(placeholderText="Find a word…")
        self.word_box.setAccessibleName("Find a word on the map")
        self.word_box.returnPressed.connect(self.find_word)
        # The box keeps room for a word, and the answer wraps in the room left: a long answer shrank
        # the box to 25 px and ran into the map's own line (the GUI walk of stop 42).
        self.word_box.setMinimumWidth(self.word_box.fontMetrics().averageCharWidth() * 24)
        self.word_note = QLabel(wordWrap=True)
        self.word_note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.tabs = tabs = QTabWidget()
        tabs.setAccessibleName("Maps")
        photos = self._with_bar(self.photos, self.status, self._refresh_button(), above=self.frames_note)
        tabs.addTab(photos, "Photos")
        tabs.addTab(
            self._with_bar(self.words, self.word_box, self.word_note, above=self.word_status), "Words"
        )
        tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        status = QHBoxLayout()
        status.addStretch(1)
        status.addWidget(self.busy)
        layout.addLayout(status)
        self._pending_highlight: list[int] = []

    def _refresh_button(self) -> QPushButton:
        button = QPushButton("Recompute")
        button.setAutoDefault(False)  # Enter in the maps is theirs: it never recomputes a layout
        button.clicked.connect(self.load)
        return button

    @staticmethod
    def _with_bar(view: QWidget, *controls: QWidget, above: QWidget | None = None) -> QWidget:
        """``view`` below a row of ``controls`` (and ``above`` them, a line of its own)."""
        page = QWidget()
        column = QVBoxLayout(page)
        if above is not None:
            column.addWidget(above)
        row = QHBoxLayout()
        for control in controls:
            row.addWidget(control)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(view, 1)
        return page

    def load(self) -> None:
        """Compute both maps in the background (a cached photo layout comes back at once)."""
        self.status.setText("Laying out the library's photos…")
        self.word_status.setText("Laying out the words…")
        self.busy.setRange(0, 0)  # indeterminate until the layout says how far it is
        self.busy.show()
        progress = self._layout_progress.emit
        self.tasks.submit(
            lambda: photo_map_items(self.app, progress), self._photos_ready, self._failed, key="photo-map"
        )
        self.tasks.submit(self.app.word_map, self._words_ready, self._failed, key="word-map")

    def _show_progress(self, message: str, done: float) -> None:
        self.busy.setRange(0, 100)
        self.busy.setValue(round(100 * done))
        self.status.setText(f"{message[:1].upper()}{message[1:]}…")

    def _photos_ready(self, result: tuple[Layout, list[MapPhoto]]) -> None:
        layout, items = result
        self.busy.hide()
        if not items:
            self.status.setText(EMPTY_MAP)
            return
        note = f" — a sample of {len(items):,} of {layout.total:,} photos" if layout.sampled else ""
        self.status.setText(
            f"{len(items):,} photos{note}. Scroll or + - to zoom, drag to pan; click a photo, or"
            " step with the arrows and press Enter, to open it."
        )
        self.photos.show_photos(items)  # the frames asked for meanwhile follow once all are on it

    def _photos_drawn(self) -> None:
        """Frame the results asked for meanwhile; the map has the keys (they went to the tabs)."""
        self.highlight(self._pending_highlight)
        if self.tabs.currentIndex() == 0:
            self.photos.setFocus()

    def _say_current(self, caption: str) -> None:
        self.status.setText(f"{caption or 'not captioned yet'} — Enter opens it, Esc closes the maps.")

    def take_keys(self) -> None:
        """The keys back to the map shown (after the photo view opened from it closes)."""
        self.activateWindow()
        shown = self.photos if self.tabs.currentIndex() == 0 else self.words
        shown.setFocus(Qt.FocusReason.OtherFocusReason)

    def say_gone(self) -> None:
        """A photo on the map the library no longer holds (its folder removed, or deleted since the
        map was drawn)."""
        self.status.setText(MAP_PHOTO_GONE)

    def _tab_shown(self, index: int) -> None:
        """The words' tab gives its keys to its field first (Tab then reaches the map)."""
        if index == 1:
            self.word_box.setFocus()

    def _say_current_word(self, word: str) -> None:
        self.word_status.setText(f"“{word}” — Enter shows its nearest words; the arrows go on.")

    def _choose_word(self, word: str) -> None:
        self.word_box.setText(word)
        self.find_word()

    def _words_ready(self, layout: Layout) -> None:
        words = [str(k) for k in layout.keys]
        self.words.show_words(words, layout.xy.tolist())
        self.word_status.setText(
            f"The network's {len(words):,} most frequent words. Zoom in to see them all; click"
            " a word, or step with the arrows and press Enter, for its nearest words."
        )

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.status.setText(f"The map could not be made: {error}")

    def highlight(self, photo_ids: Sequence[int]) -> None:
        """Frame the current search results on the photo map (once it is drawn)."""
        self._pending_highlight = list(photo_ids)
        if not self.photos.loading:
            self.photos.highlight(self._pending_highlight)
        self.frames_note.setText(frames_note(len(self._pending_highlight)))

    def find_word(self) -> None:
        from photoscope.api import UnknownWordError

        word = self.word_box.text().strip().lower()
        asked = not_one_word(word, "find it on the map")  # it said "does not know the word ''"
        if asked is not None:
            self.word_note.setText(asked)
            return
        try:
            neighbours = [w.word for w in self.app.similar_words(word, 8)]
        except UnknownWordError as error:
            self.word_note.setText(str(error))
            return
        shown = self.words.focus(word, neighbours)
        self.word_note.setText(
            f"nearest: {', '.join(neighbours)}" + ("" if shown else " (not among the mapped words)")
        )
