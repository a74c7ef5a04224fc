"""The search box's event filter: a photo dropped on it becomes a query (not its path pasted as text),
and the Down key goes from the box straight into the grid on show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent

from photoscope.gui.desktop import photo_from_mime

if TYPE_CHECKING:
    from photoscope.gui.main_window import MainWindow


class PhotoDropFilter(QObject):
    """Lets a photo dropped on the text box reach the window instead of pasting its path as text."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent | QDragMoveEvent) and photo_from_mime(event.mimeData()):
            event.acceptProposedAction()
            return True
        if isinstance(event, QDropEvent) and photo_from_mime(event.mimeData()):
            return self.window.handle_drop(event, on_search_bar=True)
        is_down = isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Down
        grid = self.window.grid()
        if is_down and event.type() == QEvent.Type.KeyPress and grid.model().rowCount():
            grid.setFocus()  # from the search box straight into the results (or the timeline)
            if not grid.currentIndex().isValid():
                grid.setCurrentIndex(grid.model().index(self.window.grid_model().step(-1, 1), 0))
            return True
        return False
