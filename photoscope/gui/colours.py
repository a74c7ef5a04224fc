"""Colours the window picks itself, kept readable on the palette they are drawn on.

A fixed colour (the taken-away chip's red) or one derived from the palette (the word map's darker
accent) can fall under WCAG 2's 3:1 contrast for a control's outline or a large word on a dark
desktop theme: audit 82 measured 2.6:1 for both on a #2b2b2b window.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

UI_CONTRAST = 3.0  # WCAG 2.1, 1.4.11: a control's outline, and large text (1.4.3)


def relative_luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast_ratio(one: QColor, other: QColor) -> float:
    """WCAG 2's contrast ratio of two colours, 1 (the same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(colour: QColor, background: QColor, least: float = UI_CONTRAST) -> QColor:
    """``colour``, made lighter on a dark ``background`` or darker on a light one, a step at a time,
    until its contrast with it is at least ``least`` (its hue kept: the taken-away red stays red)."""
    shown = QColor(colour)
    lighten = relative_luminance(background) < 0.18  # a dark background: about #777 and darker
    for _ in range(24):
        if contrast_ratio(shown, background) >= least:
            break
        shown = _lighter(shown) if lighten else shown.darker(115)
    return shown


def _lighter(colour: QColor) -> QColor:
    """A step lighter: brighter, then (at full brightness) paler, as HSL lightness rises."""
    hue, saturation = colour.hslHueF(), colour.hslSaturationF()
    return QColor.fromHslF(hue, saturation, min(1.0, colour.lightnessF() + 0.05), colour.alphaF())
