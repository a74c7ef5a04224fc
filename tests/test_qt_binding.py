"""The Qt binding itself: PySide6 6.12.0 dropped a reference to ``None`` on every call of a method
returning void (QPainter.save, setPen, QWidget.update...). On Python 3.11, where ``None`` is not
immortal, the app then crashed ("deallocating None") after some thousands of paints. pyproject
excludes that release; this test fails on any binding that does it again."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: no drift to see")
def test_void_calls_keep_none_alive(qapp: QApplication) -> None:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    widget = QWidget()
    calls = [
        painter.save,
        painter.restore,
        lambda: painter.setPen(Qt.PenStyle.NoPen),
        lambda: painter.setBrush(QColor("red")),
        lambda: painter.drawRect(QRect(0, 0, 8, 8)),
        widget.update,
    ]
    try:
        before = sys.getrefcount(None)
        for _ in range(200):
            for call in calls:
                call()
        drift = sys.getrefcount(None) - before
    finally:
        painter.end()
    assert abs(drift) < 50, f"the Qt binding changed None's reference count by {drift} in 1,200 calls"
