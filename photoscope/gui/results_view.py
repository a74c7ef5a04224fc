"""The results grid: a QListView in icon mode with tiles painted from the model's thumbnails."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from photoscope.gui.results_model import FAILED_ROLE

DEFAULT_TILE = 160
MIN_TILE, MAX_TILE = 96, 256
_PADDING = 6  # between a thumbnail and its tile's edge, where the selection shows


class TileDelegate(QStyledItemDelegate):
    """Paints a thumbnail scaled into a square tile, or a placeholder while it loads.

    Colours come from the palette only, so the grid follows the system's light or dark theme.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = DEFAULT_TILE

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self.tile + 2 * _PADDING, self.tile + 2 * _PADDING)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The item panel alone: the selection and hover background in the style's own colours.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        rect: QRect = option.rect.adjusted(_PADDING, _PADDING, -_PADDING, -_PADDING)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            self._paint_pixmap(painter, rect, pixmap)
        else:
            self._paint_placeholder(painter, rect, option.palette, bool(index.data(FAILED_ROLE)))

    @staticmethod
    def _paint_pixmap(painter: QPainter, rect: QRect, pixmap: QPixmap) -> None:
        size = pixmap.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(rect.center())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(target, pixmap)
        painter.restore()

    @staticmethod
    def _paint_placeholder(painter: QPainter, rect: QRect, palette: QPalette, failed: bool) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(rect.adjusted(4, 4, -4, -4), 6, 6)
        if failed:  # say why the tile stays empty instead of looking forever loading
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "cannot\nread photo")
        painter.restore()


class ResultsView(QListView):
    """Icon-mode grid: arrow keys move, Enter or a double-click opens, drags carry file URLs."""

    open_requested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delegate = TileDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)  # results are ranked, not arranged by hand
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)  # 100,000 rows lay out without a freeze
        self.setBatchSize(2000)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Static movement turns dragging off; turn it back on, outward only (drops go to the window).
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.doubleClicked.connect(self.open_requested)
        self.set_tile_size(DEFAULT_TILE)

    def set_tile_size(self, size: int) -> None:
        size = max(MIN_TILE, min(MAX_TILE, size))
        self.delegate.tile = size
        self.setIconSize(QSize(size, size))
        self.setGridSize(QSize(size + 2 * _PADDING, size + 2 * _PADDING))
        self.verticalScrollBar().setSingleStep(max(8, size // 4))

    def tile_size(self) -> int:
        return self.delegate.tile

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)
