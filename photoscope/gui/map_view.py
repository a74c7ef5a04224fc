"""Maps of the library and the vocabulary: zoomable, pannable canvases (QGraphicsView).

Layouts come from the core API (``Photoscope.photo_map`` / ``word_map``), computed off the GUI
thread with the thumbnails they show; this module only draws them and reports clicks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from photoscope.gui.colours import readable_on

SCENE_SIZE = 4000.0  # layouts are in [0, 1]^2; the word map's size on the canvas at zoom 1
TILE = 56
MIN_TILE_ON_SCREEN = 40  # the photo map opens zoomed in at least this far: photos, not specks
ITEMS_PER_TICK = 400  # photos added to the scene per event-loop turn, so the GUI never stalls


def photo_extent(count: int) -> float:
    """The photo map's size on the canvas: it grows with the square root of the photo count, so a
    small library is not a few specks on a vast canvas and a big one is not a heap."""
    return max(TILE * 6.0, TILE * 1.6 * math.sqrt(max(1, count)))


ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


def nearest_in_direction(
    points: Sequence[tuple[float, float]], current: int, direction: tuple[int, int]
) -> int | None:
    """The point an arrow key steps to from ``current``: the nearest within 45 degrees of
    ``direction``, straight ahead preferred (a step sideways counts twice); None at the edge."""
    cx, cy = points[current]
    dx, dy = direction
    best, best_cost = None, math.inf
    for i, (x, y) in enumerate(points):
        along = (x - cx) * dx + (y - cy) * dy
        across = abs((x - cx) * dy - (y - cy) * dx)
        if i != current and along > 0 and across <= along and along + 2 * across < best_cost:
            best, best_cost = i, along + 2 * across
    return best


@dataclass(frozen=True)
class MapPhoto:
    """One photo as the map shows it; the image is made off the GUI thread."""

    photo_id: int
    x: float
    y: float
    caption: str
    image: QImage | None


class ZoomableView(QGraphicsView):
    """Wheel zooms around the cursor, dragging pans; + and - zoom around the middle, 0 fits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))  # parented, so Python's GC cannot delete it under Qt
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform | QPainter.RenderHint.Antialiasing)

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.zoom(factor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        factor = {Qt.Key.Key_Plus: 1.25, Qt.Key.Key_Equal: 1.25, Qt.Key.Key_Minus: 0.8}.get(
            Qt.Key(event.key())
        )
        direction = ARROWS.get(Qt.Key(event.key()))
        if direction is not None and self.step_candidates()[0]:
            self._step(direction)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activate_current()  # none current yet: Enter is the map's still, not the dialog's button
        elif factor is not None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.zoom(factor)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        elif event.key() == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    # The arrow keys step between what a map shows (its photos, its words); Enter activates the
    # current one. A map gives what can be stepped to, the current one, and what making one current
    # and activating it do.

    def step_candidates(self) -> tuple[list[Any], list[tuple[float, float]]]:
        """The things the arrows step between now, and their scene positions (none: no step)."""
        return [], []

    def current_key(self) -> Any:
        """The thing the keys are on (None: none yet)."""
        return None

    def make_current(self, key: Any) -> None:
        """Frame ``key`` as the one the keys are on."""

    def activate_current(self) -> None:
        """Enter on the current thing (none: nothing happens)."""

    def _step(self, direction: tuple[int, int]) -> None:
        """To the next thing that way (``nearest_in_direction``); the first arrow picks the one
        nearest the view's middle."""
        keys, points = self.step_candidates()
        current = self.current_key()
        if current is not None:
            chosen = nearest_in_direction(points, keys.index(current), direction)
        else:
            middle = self.mapToScene(self.viewport().rect().center())
            chosen = min(range(len(points)), key=lambda i: math.dist(points[i], (middle.x(), middle.y())))
        if chosen is not None:
            self.make_current(keys[chosen])

    def zoom(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        if 0.02 <= scale <= 8:
            self.scale(factor, factor)
            self.zoomed()

    def fit(self) -> None:
        self.fitInView(self.scene().itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomed()

    def zoomed(self) -> None:
        """Called after every zoom (subclasses re-arrange what depends on the scale)."""


class PhotoMapView(ZoomableView):
    """The library's photos; the arrow keys step from photo to photo, Enter opens the one framed."""

    photo_activated = Signal(int)  # a photo was clicked, or Enter pressed on it
    current_changed = Signal(str)  # the arrows framed another photo: its caption
    filled = Signal()  # every photo is on the map: frames asked for meanwhile can be drawn

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: dict[int, QGraphicsPixmapItem | QGraphicsRectItem] = {}
        self.extent = SCENE_SIZE
        self._marks: list[QGraphicsRectItem] = []
        self._current: int | None = None  # the photo the keys are on
        self.current_mark: QGraphicsRectItem | None = None
        self._queue: list[MapPhoto] = []
        self._feeder = QTimer(self, interval=0)
        self._feeder.timeout.connect(self._add_some)

    def show_photos(self, photos: Sequence[MapPhoto]) -> None:
        """Replace the map; items are added a few hundred per event-loop turn."""
        self.scene().clear()
        self._items.clear()
        self._marks.clear()
        self._current, self.current_mark = None, None
        self._queue = list(photos)
        self.extent = photo_extent(len(photos))
        self.setSceneRect(QRectF(-TILE, -TILE, self.extent + 2 * TILE, self.extent + 2 * TILE))
        self._feeder.start()

    @property
    def loading(self) -> bool:
        return bool(self._queue)

    def photo_ids(self) -> list[int]:
        return list(self._items)

    def _add_some(self) -> None:
        batch, self._queue = self._queue[:ITEMS_PER_TICK], self._queue[ITEMS_PER_TICK:]
        for photo in batch:
            self._items[photo.photo_id] = self._item(photo)
        if not self._queue:
            self._feeder.stop()
            self.fit()
            shown = TILE * self.transform().m11()
            if shown < MIN_TILE_ON_SCREEN:  # a big library: start closer, on its middle
                self.zoom(MIN_TILE_ON_SCREEN / shown)
                self.centerOn(self.extent / 2, self.extent / 2)
            self.filled.emit()

    def tile_on_screen(self) -> float:
        """How many pixels a photo's tile spans at the current zoom."""
        return TILE * self.transform().m11()

    def _item(self, photo: MapPhoto) -> QGraphicsPixmapItem | QGraphicsRectItem:
        item: QGraphicsPixmapItem | QGraphicsRectItem
        if photo.image is not None and not photo.image.isNull():
            pixmap = QPixmap.fromImage(photo.image).scaled(
                TILE, TILE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            item = QGraphicsPixmapItem(pixmap)
            item.setOffset(-pixmap.width() / 2, -pixmap.height() / 2)
        else:
            item = QGraphicsRectItem(-TILE / 4, -TILE / 4, TILE / 2, TILE / 2)
            item.setBrush(QBrush(self.palette().mid().color()))
        item.setPos(QPointF(photo.x * self.extent, photo.y * self.extent))
        item.setToolTip(photo.caption)
        item.setData(0, photo.photo_id)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.scene().addItem(item)
        return item

    def highlight(self, photo_ids: Sequence[int]) -> int:
        """Frame these photos (the current search results); returns how many are on the map."""
        for mark in self._marks:
            self.scene().removeItem(mark)
        self._marks.clear()
        pen = QPen(self.palette().highlight().color(), 6)
        for pid in photo_ids:
            item = self._items.get(pid)
            if item is None:
                continue
            mark = self.scene().addRect(item.sceneBoundingRect().adjusted(-4, -4, 4, 4), pen)
            mark.setZValue(1)
            self._marks.append(mark)
        self._show_marks()
        return len(self._marks)

    def _show_marks(self) -> None:
        """Scroll the framed photos into view as far as they fit, the first (the best match) whole:
        "Framed: the 10 photos of the search" had them cut off at the view's edge, or off it (the
        fresh-seat audit of stop 52)."""
        if not self._marks:
            return
        together = self._marks[0].sceneBoundingRect()
        for mark in self._marks[1:]:
            together = together.united(mark.sceneBoundingRect())
        self.ensureVisible(together, TILE // 4, TILE // 4)
        self.ensureVisible(self._marks[0].sceneBoundingRect(), TILE // 4, TILE // 4)

    def current_photo(self) -> int | None:
        return self._current

    def photo_position(self, photo_id: int) -> QPointF:
        return self._items[photo_id].pos()

    def step_candidates(self) -> tuple[list[Any], list[tuple[float, float]]]:
        if self.loading:
            return [], []
        ids = list(self._items)
        return ids, [(p.x(), p.y()) for p in (self._items[i].pos() for i in ids)]

    def current_key(self) -> Any:
        return self._current

    def activate_current(self) -> None:
        if self._current is not None:
            self.photo_activated.emit(self._current)

    def make_current(self, photo_id: int) -> None:
        self._current = photo_id
        item = self._items[photo_id]
        self.current_changed.emit(item.toolTip())
        if self.current_mark is None:
            self.current_mark = self.scene().addRect(QRectF(), QPen(self.palette().text().color(), 3))
            self.current_mark.setZValue(2)
        self.current_mark.setRect(item.sceneBoundingRect().adjusted(-3, -3, 3, 3))
        self.ensureVisible(item, TILE, TILE)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._activate(self.itemAt(event.position().toPoint()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        start = getattr(self, "_press", None)
        if start is not None and (event.position() - start).manhattanLength() < 4:
            self._activate(self.itemAt(event.position().toPoint()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def _activate(self, item: QGraphicsItem | None) -> None:
        if item is not None and item.data(0) is not None:
            self.photo_activated.emit(int(item.data(0)))


class WordMapView(ZoomableView):
    """Words at their places; labels keep their size on screen, and where they would overlap the
    more frequent word shows (zooming in makes room for the others). The arrow keys step from
    word to word among those shown (the current one underlined); Enter or a click chooses one."""

    word_chosen = Signal(str)  # a word was clicked, or Enter pressed on it
    current_changed = Signal(str)  # the arrows went to another word

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: dict[str, QGraphicsSimpleTextItem] = {}  # most frequent first
        self._pinned: set[str] = set()  # the found word and its neighbours always show
        self._current: str | None = None  # the word the keys are on

    def show_words(self, words: Sequence[str], xy: Sequence[tuple[float, float]]) -> None:
        self.scene().clear()
        self._labels.clear()
        self._pinned.clear()
        self._current = None
        for word, (x, y) in zip(words, xy, strict=True):
            label = self.scene().addSimpleText(word)
            label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            label.setPos(QPointF(x * SCENE_SIZE / 2, y * SCENE_SIZE / 2))
            label.setData(0, word)
            self._labels[word] = label
        self.fit()

    def current_word(self) -> str | None:
        return self._current

    def step_candidates(self) -> tuple[list[Any], list[tuple[float, float]]]:
        """The words shown (and the current one, hidden by a zoom since: the step starts from it)."""
        shown = self.visible_words()
        if self._current is not None and self._current not in shown:
            shown.append(self._current)
        return shown, [(p.x(), p.y()) for p in (self._labels[w].pos() for w in shown)]

    def current_key(self) -> Any:
        return self._current

    def activate_current(self) -> None:
        if self._current is not None:
            self.word_chosen.emit(self._current)

    def make_current(self, word: str) -> None:
        if self._current is not None:
            self._mark(self._current, False)
        self._current = word
        self._mark(word, True)
        self.ensureVisible(self.screen_scene_rect(word), TILE, TILE)
        self.current_changed.emit(word)

    def _mark(self, word: str, marked: bool) -> None:
        label = self._labels[word]
        font = label.font()
        font.setUnderline(marked)
        font.setBold(marked)
        label.setFont(font)

    def screen_scene_rect(self, word: str) -> QRectF:
        """A label's place in the scene's coordinates (its size is the same on screen at any zoom)."""
        return self.mapToScene(self.screen_rect(word).toRect()).boundingRect()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        start = getattr(self, "_press", None)
        if start is None or (event.position() - start).manhattanLength() >= 4:
            return  # a drag pans the map
        item = self.itemAt(event.position().toPoint())
        if item is not None and item.data(0) in self._labels:
            self.make_current(str(item.data(0)))
            self.word_chosen.emit(str(item.data(0)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.zoomed()

    def zoomed(self) -> None:
        """Hide the labels that would overlap a more frequent (or a pinned) one at this zoom."""
        taken: list[QRectF] = []
        order = [w for w in self._labels if w in self._pinned] + [
            w for w in self._labels if w not in self._pinned
        ]
        for word in order:
            rect = self.screen_rect(word)
            free = word in self._pinned or not any(rect.intersects(r) for r in taken)
            self._labels[word].setVisible(free)
            if free:
                taken.append(rect)

    def screen_rect(self, word: str) -> QRectF:
        """Where a label is drawn, in the view's pixels."""
        label = self._labels[word]
        top_left = QPointF(self.mapFromScene(label.pos()))
        size = label.boundingRect().size() * label.scale()
        return QRectF(top_left, size).adjusted(-2, -1, 2, 1)

    def visible_words(self) -> list[str]:
        return [w for w, label in self._labels.items() if label.isVisible()]

    def words(self) -> list[str]:
        return list(self._labels)

    def focus(self, word: str, neighbours: Sequence[str]) -> bool:
        """Centre on ``word`` and colour it and its nearest neighbours; False if it is not on the map."""
        normal, ground = self.palette().text().color(), self.palette().base().color()
        # on a dark theme's base the accent, and the darker one of the neighbours (2.6:1, audit 82's
        # notes), are lightened until a reader sees them (``colours.readable_on``)
        accent = readable_on(self.palette().highlight().color(), ground)
        near = readable_on(QColor(self.palette().highlight().color()).darker(130), ground)
        for label in self._labels.values():
            label.setBrush(QBrush(normal))
            label.setScale(1.0)
        target = self._labels.get(word)
        if target is None:
            return False
        self._pinned = {w for w in (word, *neighbours) if w in self._labels}
        for other in (word, *neighbours):
            if other in self._labels:
                self._labels[other].setBrush(QBrush(accent if other == word else near))
                self._labels[other].setScale(1.6 if other == word else 1.2)
        self.centerOn(target)
        self.zoomed()
        return True

    def label(self, word: str) -> QGraphicsSimpleTextItem | None:
        return self._labels.get(word)
