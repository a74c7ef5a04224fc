"""Work started once a widget has painted what it now shows (a first answer, the timeline).

Any Python a background thread runs competes for the GIL with the GUI thread's own calls into Python
(each tile the grid paints, each slot), and on two busy CPUs for the CPUs too; while PyTorch's
libraries load, a thread the grid starts for its thumbnails also waits for the dynamic loader's lock.
So the heavy loading at launch starts after the grid's paint, not beside it.

Qt paints on a timer after a change (about a frame later), so the event loop falls idle before
the paint: the paint event itself is what to wait for.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# A visible widget paints within a frame or two. One in a minimised or hidden window paints nothing,
# and then nothing competes with the work either: it starts after this long.
LONGEST_WAIT_MS = 250


class AfterPaint(QObject):
    """Calls ``callback`` once, when ``widget`` has handled its next paint event (asked for here), or
    after ``longest_ms`` should none come. Dropped with the widget (a closed window starts nothing)."""

    def __init__(
        self, widget: QWidget, callback: Callable[[], None], longest_ms: int = LONGEST_WAIT_MS
    ) -> None:
        super().__init__(widget)
        self.widget = widget
        self.callback: Callable[[], None] | None = callback
        self.timer = QTimer(self, singleShot=True, interval=longest_ms)
        self.timer.timeout.connect(self._fire)
        self.timer.start()
        widget.installEventFilter(self)
        widget.update()  # a paint is due either way (usually one is pending already: nothing more)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.callback is not None:
            self.timer.stop()
            QTimer.singleShot(0, self, self._fire)  # after this paint, and the repaint it is part of
        return False

    def _fire(self) -> None:
        callback, self.callback = self.callback, None
        if callback is None:
            return
        self.timer.stop()
        self.widget.removeEventFilter(self)
        self.deleteLater()
        callback()


def after_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Run ``callback`` on the GUI thread once ``widget`` has painted (see ``AfterPaint``)."""
    AfterPaint(widget, callback)
