"""A result tile's match-strength bar has its own strip below the photo: a tall photo (a chair, a
windmill) filled the whole tile and the bar was drawn across its foot."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from photoscope.gui.results_model import Tile
from photoscope.gui.results_view import TileDelegate

RED = QColor(255, 0, 0)


class _OneTile(TileDelegate):
    def __init__(self, tile: Tile) -> None:
        super().__init__()
        self._tile = tile

    def paint_tile(self, size: int, selected: bool = False) -> QImage:
        image = QImage(QSize(size, size), QImage.Format.Format_ARGB32)
        image.fill(QColor(255, 255, 255))
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, size, size)
        if selected:
            flags = QStyle.StateFlag
            option.state |= flags.State_Selected | flags.State_Active | flags.State_Enabled  # focused
        painter = QPainter(image)
        self._paint_tile(painter, option, self._tile)
        painter.end()
        return image


def _red_rows(image: QImage) -> list[int]:
    return [
        y for y in range(image.height()) if any(image.pixelColor(x, y) == RED for x in range(image.width()))
    ]


def _photo(width: int, height: int) -> QPixmap:
    pixmap = QPixmap(width, height)
    pixmap.fill(RED)
    return pixmap


def test_a_tall_photo_stops_above_the_strength_bar(qapp) -> None:
    tall = _OneTile(Tile(None, _photo(90, 160), False, 0.5, False)).paint_tile(172)
    red = _red_rows(tall)
    bar_top = 172 - 6 - 6  # the bar's top (TileDelegate._paint_strength) in a tile of padding 6
    assert red and max(red) < bar_top - 1


def test_a_tile_without_a_bar_keeps_the_whole_square(qapp) -> None:
    tall = _OneTile(Tile(None, _photo(90, 160), False, None, False)).paint_tile(172)
    red = _red_rows(tall)
    assert min(red) == 6 and max(red) == 172 - 6 - 1


def test_the_strength_bar_shows_on_a_selected_tile(qapp) -> None:
    """The GUI walk of stop 42: on a selected tile the bar's filled part was the selection's own
    colour, so only its grey rest showed (the strength read as its opposite)."""
    tile = _OneTile(Tile(None, _photo(90, 90), False, 0.5, False))
    for selected in (False, True):
        image = tile.paint_tile(172, selected)
        y = 172 - 6 - 6 + 2  # the bar's middle row
        background, filled = image.pixelColor(3, y), image.pixelColor(6 + 6 + 10, y)
        assert filled != background, (selected, filled.name(), background.name())
