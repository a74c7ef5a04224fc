from __future__ import annotations

from PySide6.QtGui import QColor

from photoscope.gui.colours import contrast_ratio, readable_on


def test_contrast_ratio_is_wcag_s() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == 21.0
    assert abs(contrast_ratio(QColor("#c0392b"), QColor("#2b2b2b")) - 2.6) < 0.1  # audit 82's figure
    assert contrast_ratio(QColor("#777777"), QColor("#777777")) == 1.0


def test_a_colour_is_made_readable_on_its_background_keeping_its_hue() -> None:
    red = QColor("#c0392b")
    on_dark = readable_on(red, QColor("#2b2b2b"))
    assert contrast_ratio(on_dark, QColor("#2b2b2b")) >= 3.0 and abs(on_dark.hslHue() - red.hslHue()) <= 2
    assert readable_on(red, QColor("white")) == red  # 5.4:1 already
    on_grey = readable_on(QColor("#8a8a8a"), QColor("#9a9a9a"))
    assert contrast_ratio(on_grey, QColor("#9a9a9a")) >= 3.0
