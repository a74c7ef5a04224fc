"""Render the application icon's PNG sizes from resources/icons/photoscope.svg.

QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def render(svg: Path, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return image


def main() -> None:
    _app = QGuiApplication([])
    svg = ICONS / "photoscope.svg"
    for size in SIZES:
        target = ICONS / f"photoscope-{size}.png"
        render(svg, size).save(str(target), "PNG")
        print(f"{target.name}: {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
