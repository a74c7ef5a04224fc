"""The search results as a Qt list model: one row per ``api.Match``, thumbnails from the loader."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Slot,
)

from photoscope.gui.thumbnail_loader import ThumbnailLoader

if TYPE_CHECKING:
    from photoscope.api import Match

MATCH_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's api.Match
PATH_ROLE = Qt.ItemDataRole.UserRole + 2
FAILED_ROLE = Qt.ItemDataRole.UserRole + 3  # True when the photo cannot be decoded

AnyIndex = QModelIndex | QPersistentModelIndex


def tooltip(match: Match) -> str:
    caption = match.photo.caption or "not captioned yet"
    copy = " · a copy of the query photo" if match.near_duplicate else ""
    return f"{caption}\n{Path(match.photo.path).name} · score {match.score:.2f}{copy}"


class ResultsModel(QAbstractListModel):
    def __init__(self, loader: ThumbnailLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self._matches: list[Match] = []
        self._rows: dict[str, int] = {}  # path -> row, to repaint one tile when its thumbnail arrives
        loader.loaded.connect(self._thumbnail_loaded)

    def set_matches(self, matches: Sequence[Match]) -> None:
        self.loader.forget_pending()  # the old rows' queued loads are no longer wanted
        self.beginResetModel()
        self._matches = list(matches)
        self._rows = {m.photo.path: row for row, m in enumerate(self._matches)}
        self.endResetModel()

    def matches(self) -> list[Match]:
        return list(self._matches)

    def match(self, row: int) -> Match:  # type: ignore[override]
        return self._matches[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._matches)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._matches):
            return None
        m = self._matches[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            # Only painted rows ask, so only visible rows are loaded.
            return self.loader.pixmap(m.photo.path, m.photo.mtime)
        if role == Qt.ItemDataRole.DisplayRole:
            return Path(m.photo.path).name  # typing in the grid jumps to a file name
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(m)
        if role == MATCH_ROLE:
            return m
        if role == PATH_ROLE:
            return m.photo.path
        if role == FAILED_ROLE:
            return self.loader.failed(m.photo.path)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    # dragging results out to other apps, as files

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", "text/plain"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        paths = [self._matches[i.row()].photo.path for i in sorted(indexes, key=lambda i: i.row())]
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
        mime.setText("\n".join(paths))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    @Slot(str)
    def _thumbnail_loaded(self, path: str) -> None:
        row = self._rows.get(path)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
