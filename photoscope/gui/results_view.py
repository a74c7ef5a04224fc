"""The results grid: a QListView in icon mode with tiles painted from the model's thumbnails."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QContextMenuEvent,
    QCursor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from photoscope.gui.results_model import (
    COPY_ROLE,
    FAILED_ROLE,
    HEADER_ROLE,
    STRENGTH_ROLE,
    PhotoGridModel,
    Tile,
)

DEFAULT_TILE = 160
MIN_TILE, MAX_TILE = 96, 256
_PADDING = 6  # between a thumbnail and its tile's edge, where the selection shows
_FOCUS_WIDTH = 2.0  # the keyboard's tile's ring (``_paint_focus``), in the padding
_BAR_ROOM = 10  # the strength bar's strip at a result tile's foot (``_paint_strength``), kept off the photo


def header_lines(text: str) -> str:
    """A header tile's text as it breaks: after its label ("Group 1:" above "4 copies of one photo":
    "Group" above "1: 4 copies…" read as a stray number, the fresh-seat audit of stop 52), else
    after its first word ("December" above "2026")."""
    label, colon, rest = text.partition(": ")
    return f"{label}:\n{rest}" if colon else text.replace(" ", "\n", 1)


_HEADER_FLAGS = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
_HEADER_SCALE, _HEADER_LEAST = 1.15, 0.8  # a header's text to the tiles' font: as drawn, at the least


def _fits(font: QFont, room: QSize, lines: str) -> bool:
    """Whether ``lines`` drawn in ``font`` (wrapped at spaces) fit ``room``: a word wider than it
    is not broken, it runs past the sides."""
    needed = QFontMetrics(font).boundingRect(QRect(QPoint(0, 0), room), int(_HEADER_FLAGS), lines)
    return needed.width() <= room.width() and needed.height() <= room.height()


class TileDelegate(QStyledItemDelegate):
    """Paints a thumbnail scaled into a square tile, or a placeholder while it loads.

    Colours come from the palette only, so the grid follows the system's light or dark theme.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = DEFAULT_TILE
        self._placeholders: dict[tuple[int, int, float, int, bool], QPixmap] = {}
        self._header_fits: dict[tuple[str, int, int, str], tuple[QFont, str]] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self.tile + 2 * _PADDING, self.tile + 2 * _PADDING)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        model = index.model()
        if isinstance(model, PhotoGridModel):
            tile = model.tile(index.row())  # one call into Python, not one per role
        else:
            pixmap = index.data(Qt.ItemDataRole.DecorationRole)
            tile = Tile(
                index.data(HEADER_ROLE),
                pixmap if isinstance(pixmap, QPixmap) else None,
                bool(index.data(FAILED_ROLE)),
                index.data(STRENGTH_ROLE),
                bool(index.data(COPY_ROLE)),
            )
        self._paint_tile(painter, option, tile)

    def _paint_tile(self, painter: QPainter, option: QStyleOptionViewItem, tile: Tile) -> None:
        widget = option.widget
        rect: QRect = option.rect.adjusted(_PADDING, _PADDING, -_PADDING, -_PADDING)
        if tile.header is not None:
            self._paint_header(painter, rect, option.palette, str(tile.header))
            return
        style = widget.style() if widget is not None else QApplication.style()
        # The item panel alone: the selection and hover background in the style's own colours.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        if tile.pixmap is not None and not tile.pixmap.isNull():
            # a tall photo stops above the strength bar's strip instead of running under the bar
            bar_room = _BAR_ROOM if isinstance(tile.strength, float) else 0
            self._paint_pixmap(painter, rect.adjusted(0, 0, 0, -bar_room), tile.pixmap)
        else:
            painter.drawPixmap(rect.topLeft(), self._placeholder(painter, rect, option.palette, tile.failed))
        if isinstance(tile.strength, float):
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            self._paint_strength(painter, rect, option.palette, tile.strength, selected)
        if tile.copy:
            self._paint_badge(painter, rect, option.palette, "copy")
        if tile.missing:  # the tooltip and the spoken name say why (``results_model.NOT_THERE``)
            self._paint_badge(painter, rect, option.palette, "missing", left=True)
        if option.state & QStyle.StateFlag.State_HasFocus:  # the view has the focus, and this is current
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            self._paint_focus(painter, option.rect, option.palette, selected)

    def _placeholder(self, painter: QPainter, rect: QRect, palette: QPalette, failed: bool) -> QPixmap:
        """The empty tile, drawn once per size and palette (its rounded corners and text are most of
        a tile's painting while scrolling past photos not loaded yet)."""
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        key = (rect.width(), rect.height(), ratio, palette.cacheKey(), failed)
        pixmap = self._placeholders.get(key)
        if pixmap is None:
            if len(self._placeholders) > 16:  # sizes and palettes come and go: keep the latest few
                self._placeholders.clear()
            pixmap = QPixmap(QSize(round(rect.width() * ratio), round(rect.height() * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            inner = QPainter(pixmap)
            inner.setFont(painter.font())
            self._paint_placeholder(inner, QRect(0, 0, rect.width(), rect.height()), palette, failed)
            inner.end()
            self._placeholders[key] = pixmap
        return pixmap

    def _paint_header(self, painter: QPainter, rect: QRect, palette: QPalette, text: str) -> None:
        """A group's header (a month, a folder) as a label tile before its photos."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Window))
        painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 8, 8)
        room = rect.adjusted(10, 8, -10, -8)  # a word fitted to the width stays off the box's sides
        font, lines = self._fitted_header(painter.font(), room.size(), text)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.drawText(room, int(_HEADER_FLAGS), lines)
        painter.restore()

    def _fitted_header(self, font: QFont, room: QSize, text: str) -> tuple[QFont, str]:
        """A header's font and lines, fitted to ``room``: bold and larger than the tiles' text,
        smaller as far as ``_HEADER_LEAST`` where a word would not fit, and past that each word too
        wide cut with "…". Drawn as they came, with large text "December" ran past both sides of
        its tile, read ")ecembe" (audit 82, repro_6). Worked out once per text, size and font."""
        key = (text, room.width(), room.height(), font.key())
        fitted = self._header_fits.get(key)
        if fitted is not None:
            return fitted
        if len(self._header_fits) > 256:  # tile sizes and fonts come and go
            self._header_fits.clear()
        header = QFont(font)
        header.setBold(True)
        lines, base = header_lines(text), font.pointSizeF()
        if base <= 0:  # a font sized in pixels: as it is, in bold
            fitted = (header, lines)
        else:
            size, least = base * _HEADER_SCALE, base * _HEADER_LEAST
            header.setPointSizeF(size)
            while size > least and not _fits(header, room, lines):
                size = max(least, size * 0.9)
                header.setPointSizeF(size)
            if not _fits(header, room, lines):
                metrics = QFontMetrics(header)
                words = (line.split(" ") for line in lines.split("\n"))
                cut = (
                    " ".join(metrics.elidedText(w, Qt.TextElideMode.ElideRight, room.width()) for w in line)
                    for line in words
                )
                lines = "\n".join(cut)
            fitted = (header, lines)
        self._header_fits[key] = fitted
        return fitted

    @staticmethod
    def _paint_strength(
        painter: QPainter, rect: QRect, palette: QPalette, strength: float, selected: bool = False
    ) -> None:
        """How strongly the photo matches: a thin bar along the tile's foot, filled in the selection's
        text colour on a selected tile (in the selection's own colour, it vanished into it)."""
        bar = QRect(rect.left() + 6, rect.bottom() - 6, rect.width() - 12, 4)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Mid))
        painter.drawRect(bar)
        fill = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        painter.setBrush(palette.color(fill))
        painter.drawRect(QRect(bar.left(), bar.top(), round(bar.width() * max(0.0, min(1.0, strength))), 4))
        painter.restore()

    @staticmethod
    def _paint_focus(painter: QPainter, rect: QRect, palette: QPalette, selected: bool) -> None:
        """The keyboard's tile (what Enter opens, Ctrl+Space selects): a ring in the padding round
        the photo, in the selection's colour, or its text's on a selected tile, where the selection's
        would vanish. Only the selection was drawn: Ctrl+arrows moved an unseen place (audit 82,
        repro_5)."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        painter.setPen(QPen(palette.color(role), _FOCUS_WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = _PADDING // 2
        painter.drawRoundedRect(QRectF(rect).adjusted(inset, inset, -inset, -inset), 4, 4)
        painter.restore()

    @staticmethod
    def _paint_badge(
        painter: QPainter, rect: QRect, palette: QPalette, text: str, left: bool = False
    ) -> None:
        """A word in a rounded box at the tile's top right corner (``left``: top left), in the
        palette's selection colours."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        box = QRect(0, 0, metrics.horizontalAdvance(text) + 12, metrics.height() + 4)
        if left:
            box.moveTopLeft(rect.topLeft() + QPoint(4, 4))
        else:
            box.moveTopRight(rect.topRight() + QPoint(-4, 4))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()

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


# The keys that move the keyboard's place up the grid (``ResultsView.moveCursor``).
_BACKWARD = frozenset(
    [
        QAbstractItemView.CursorAction.MoveUp,
        QAbstractItemView.CursorAction.MoveLeft,
        QAbstractItemView.CursorAction.MovePrevious,
        QAbstractItemView.CursorAction.MovePageUp,
        QAbstractItemView.CursorAction.MoveEnd,
    ]
)


_POINTER_CLEAR = 24  # how far the keyboard's tooltip keeps from the mouse pointer (``tip_place``)


def tip_place(tile: QRect, tip: QSize, pointer: QPoint, screen: QRect) -> QRect:
    """Where the keyboard's tile's tooltip of size ``tip`` goes (all global): above the ``tile``,
    over the row before it (read already, in the grid's order), else below it; at its left edge,
    else its right; on the ``screen``, never within ``_POINTER_CLEAR`` pixels of the mouse
    ``pointer``. Under the pointer, Qt hid it at once (audit 83, repro_1); under the tile's
    bottom-left corner, it covered two or three tiles of the row the keys go on to (audit 83's
    notes). With no such place (a tooltip as
    wide as the screen), at the screen's edge farther from the pointer."""
    lefts = (tile.left(), tile.right() + 1 - tip.width())
    for top in (tile.top() - tip.height(), tile.bottom() + 1):
        for left in lefts:
            place = QRect(QPoint(_within(left, screen.left(), screen.right() + 1 - tip.width()), top), tip)
            near = place.adjusted(-_POINTER_CLEAR, -_POINTER_CLEAR, _POINTER_CLEAR, _POINTER_CLEAR)
            if screen.contains(place) and not near.contains(pointer):
                return place
    top = screen.bottom() + 1 - tip.height() if pointer.y() < screen.center().y() else screen.top()
    return QRect(QPoint(_within(tile.left(), screen.left(), screen.right() + 1 - tip.width()), top), tip)


def _within(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def tooltip_size(text: str) -> QSize:
    """The size Qt's tooltip takes for ``text``: a label set up as its own (its font, margin and
    indent; word-wrapped for rich text), to place it before it shows."""
    probe = QLabel()
    probe.setFont(QToolTip.font())
    frame = probe.style().pixelMetric(QStyle.PixelMetric.PM_ToolTipLabelFrameWidth, None, probe)
    probe.setMargin(1 + frame)
    probe.setIndent(1)
    probe.setWordWrap(QtGui.Qt.mightBeRichText(text))
    probe.setText(text)
    return probe.sizeHint() + QSize(1, 0)  # Qt's tooltip adds a pixel's width


def _tooltip_label() -> QWidget | None:
    """The tooltip on show (Qt's own label, by the name Qt gives it)."""
    shown = (w for w in QApplication.topLevelWidgets() if w.objectName() == "qtooltip_label")
    return next((w for w in shown if w.isVisible()), None)


class ResultsView(QListView):
    """Icon-mode grid: arrow keys move, Enter or a double-click opens, drags carry file URLs."""

    open_requested = Signal(QModelIndex)
    menu_requested = Signal(QPoint)  # a context menu at this global position, for the selected tiles

    tiles_on_screen = Signal(int)  # how many tiles the grid can show at once, on every change
    escape_pressed = Signal()  # Esc in the grid: the window leaves what it lists that no query holds

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
        # Always there: the viewport's width, and so the columns, stay put as results come and go.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        # Static movement turns dragging off; turn it back on, outward only (drops go to the window).
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.doubleClicked.connect(self.open_requested)
        # The keyboard's tile shows its tooltip (``_show_current_tip``): due once a key moved it,
        # shown when the key is let go; the text of the one shown, to refresh it in its place;
        # where Qt puts a tooltip from the point it is given (``_show_tip``).
        self._tip_due = False
        self._keyboard_tip: str | None = None
        self._tip_offset = QPoint(2, 16)
        self.set_tile_size(DEFAULT_TILE)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if isinstance(model, PhotoGridModel):
            model.records_loaded.connect(self._refresh_tooltip)
            model.records_loaded.connect(self._rename_current)

    def _rename_current(self) -> None:
        """A screen reader that asked for the focused timeline tile before its record was read was
        given its file's name: it is told the tile's name is its caption now."""
        current = self.currentIndex()
        if current.isValid() and self.hasFocus() and QAccessible.isActive():
            event = QAccessibleEvent(self, QAccessible.Event.NameChanged)
            event.setChild(current.row())
            QAccessible.updateAccessibility(event)

    def _refresh_tooltip(self) -> None:
        """A timeline tile's tooltip asks for its page of records and says the file name meanwhile:
        once they are in, the tooltip still up says the caption. (No ``viewportEvent`` override:
        every paint would then wait for the GIL, which the thumbnail threads hold.)"""
        model = self.model()
        if not isinstance(model, PhotoGridModel):
            return
        asked = model.last_tooltip
        if asked is None or not QToolTip.isVisible() or QToolTip.text() != asked[1]:
            return  # no tooltip, or another one (the tile's is gone)
        index = model.index(model.row_of(asked[0]))
        text = index.data(Qt.ItemDataRole.ToolTipRole)
        if text and text != asked[1]:
            if self._keyboard_tip == asked[1]:  # the keyboard's tile's tooltip stays beside its tile
                self._show_tip(index, text)
            else:
                QToolTip.showText(QCursor.pos(), text, self.viewport(), self.visualRect(index))
                self._keyboard_tip = None

    def _show_current_tip(self) -> None:
        """The keyboard's tile's tooltip (its caption, strength, copy), beside the tile: the mouse's
        hover alone showed it, so a keyboard user saw a tile's caption only in the photo view
        (audit 82, repro_1)."""
        index = self.currentIndex()
        text = index.data(Qt.ItemDataRole.ToolTipRole) if index.isValid() else None
        if text:
            self._show_tip(index, text)

    def _show_tip(self, index: QModelIndex, text: str) -> None:
        """Show ``text`` as ``index``'s tooltip where ``tip_place`` puts it, clear of the mouse
        pointer: a tooltip that opened under the idle pointer was hidden at once, the grid having
        "left" for it (audit 83, repro_1). Qt puts a tooltip below and right of the point it is
        given, by an amount that depends on the platform's pointer size: the tooltip is moved to
        its place once shown, and that amount kept for the next."""
        rect = self.visualRect(index)
        tile = QRect(self.viewport().mapToGlobal(rect.topLeft()), rect.size())
        screen = self.screen().availableGeometry()
        place = tip_place(tile, tooltip_size(text), QCursor.pos(), screen)
        QToolTip.showText(place.topLeft() - self._tip_offset, text, self.viewport(), rect)
        self._keyboard_tip = text
        label = _tooltip_label()
        if label is not None:
            self._tip_offset += label.pos() - place.topLeft()
            exact = tip_place(tile, label.frameGeometry().size(), QCursor.pos(), screen).topLeft()
            if label.pos() != exact:
                label.move(exact)

    def set_tile_size(self, size: int) -> None:
        size = max(MIN_TILE, min(MAX_TILE, size))
        self.delegate.tile = size
        self.setIconSize(QSize(size, size))
        self._fit_columns()
        self.verticalScrollBar().setSingleStep(max(8, size // 4))

    def tile_size(self) -> int:
        return self.delegate.tile

    def _fit_columns(self) -> None:
        """Spread the columns over the whole width: cells as wide as the width allows for the number
        of tiles that fit, so no strip is left empty at the right edge."""
        cell = self.delegate.tile + 2 * _PADDING
        width = max(1, self.viewport().width() - 1)
        columns = max(1, width // cell)
        grid = QSize(max(cell, width // columns), cell)
        if grid != self.gridSize():
            self.setGridSize(grid)
        rows = self.viewport().height() // cell + 2  # a part row above and below
        self.tiles_on_screen.emit(columns * rows)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """The photo Enter opens is drawn as selected when the keyboard brings the focus to the
        grid (a new answer starts with none selected, the first one current); a click selects what
        it clicks, nothing more (a first Ctrl+click selected the first photo too)."""
        super().focusInEvent(event)
        current = self.currentIndex()
        by_mouse = event.reason() == Qt.FocusReason.MouseFocusReason
        if current.isValid() and not by_mouse and not self.selectionModel().hasSelection():
            self.selectionModel().select(current, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Where a key moves the keyboard's place: a photo, never a month's or a group's header (Home
        made "December 2026" the current tile, and Enter opened nothing: the GUI audit of stop 58).
        From a header it goes on the way the key went, else back the other way."""
        index = super().moveCursor(action, modifiers)
        backward = action in _BACKWARD
        return self._photo_from(index, backward) if index.isValid() else index

    def _photo_from(self, index: QModelIndex, backward: bool) -> QModelIndex:
        model, row = self.model(), index.row()
        ahead = range(row, -1, -1) if backward else range(row, model.rowCount())
        behind = range(row, model.rowCount()) if backward else range(row, -1, -1)
        for r in (*ahead, *behind):
            if model.flags(model.index(r, 0)) & Qt.ItemFlag.ItemIsSelectable:
                return model.index(r, 0)
        return index

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
        before = self.currentIndex()
        super().keyPressEvent(event)
        self._tip_due = self.currentIndex() != before or (self._tip_due and event.isAutoRepeat())

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        """The tile a key moved to shows its tooltip once the key is let go: a tooltip hides at
        any key's press and release, and a held arrow would flash one per tile."""
        super().keyReleaseEvent(event)
        if self._tip_due and not event.isAutoRepeat():
            self._tip_due = False
            self._show_current_tip()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if index.isValid() and index.flags() & Qt.ItemFlag.ItemIsSelectable:
            if not self.selectionModel().isSelected(index):
                self.setCurrentIndex(index)  # a right-click on an unselected tile acts on that one
            self.menu_requested.emit(event.globalPos())
