"""The window's remembered choices, typed, in one place: their keys in the settings file, their
defaults, and what a value that does not read as one means (the default: a hand-edited or older
file must never stop the window from opening).

QSettings keeps text in an INI file on Linux (``~/.config/Photoscope/Photoscope.conf``): "grid/tile"
read back as the string "abc" made ``int()`` fail at launch.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QByteArray, QSettings

from photoscope.api import GROUPINGS, SORTS, Grouping, Sort

LAST_FOLDER = "library/last_folder"
OPEN_WITH = "actions/open_with"
BROWSE_SORT = "browse/sort"
BROWSE_GROUP = "browse/group"
TILE = "grid/tile"
GEOMETRY = "window/geometry"
WINDOW_STATE = "window/state"
DEFAULT_SORT: Sort = "newest"  # the library view: newest first,
DEFAULT_GROUPING: Grouping = "month"  # under a header a month


class Preferences:
    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def _text(self, key: str, default: str = "") -> str:
        value = self.settings.value(key, default)
        return value if isinstance(value, str) and value else default

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.settings.value(key)
        return value if isinstance(value, QByteArray) else None

    @property
    def last_folder(self) -> str:
        """The folder added last ("": none yet): where the file choosers open."""
        return self._text(LAST_FOLDER)

    @last_folder.setter
    def last_folder(self, path: str) -> None:
        self.settings.setValue(LAST_FOLDER, path)

    @property
    def open_with(self) -> str:
        """The program "Open with…" used last ("": none yet)."""
        return self._text(OPEN_WITH)

    @open_with.setter
    def open_with(self, program: str) -> None:
        self.settings.setValue(OPEN_WITH, program)

    @property
    def browse_sort(self) -> Sort:
        """The library view's order (one the app does not know, "random" from a hand edit or a newer
        version, made every refresh of the window fail: the code audit of stop 46)."""
        return _one_of(self._text(BROWSE_SORT), SORTS, DEFAULT_SORT)

    @browse_sort.setter
    def browse_sort(self, sort: Sort) -> None:
        self.settings.setValue(BROWSE_SORT, sort)

    @property
    def browse_grouping(self) -> Grouping:
        """The library view's headers (as ``browse_sort``: an unknown value is the default)."""
        return _one_of(self._text(BROWSE_GROUP), GROUPINGS, DEFAULT_GROUPING)

    @browse_grouping.setter
    def browse_grouping(self, grouping: Grouping) -> None:
        self.settings.setValue(BROWSE_GROUP, grouping)

    def tile_size(self, default: int) -> int:
        """The grid's tile size in pixels (``default`` when none is kept, or it is not a number)."""
        try:
            return int(str(self.settings.value(TILE, default)))
        except ValueError:
            return default

    def window(self) -> tuple[QByteArray | None, QByteArray | None]:
        """The window's geometry and its docks' state, as Qt saved them (None: none kept)."""
        return self._bytes(GEOMETRY), self._bytes(WINDOW_STATE)

    def save_window(self, geometry: QByteArray, state: QByteArray, tile: int) -> None:
        self.settings.setValue(GEOMETRY, geometry)
        self.settings.setValue(WINDOW_STATE, state)
        self.settings.setValue(TILE, tile)
        self.settings.sync()


Choice = TypeVar("Choice", bound=str)


def _one_of(value: str, choices: tuple[Choice, ...], default: Choice) -> Choice:
    """``value`` if it is one of ``choices`` (typed as they are), else ``default``."""
    return next((choice for choice in choices if choice == value), default)
