"""The About dialog: the app's version and the model it searches with, with its validation metrics."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from photoscope import __version__

if TYPE_CHECKING:
    from photoscope.api import ModelInfo


def about_html(info: ModelInfo | None, error: str = "") -> str:
    parts = [
        f"<h2>Photoscope {__version__}</h2>",
        "<p>Search your own photo library by what is in the photos — offline, with no cloud.</p>",
    ]
    if info is not None:
        parts.append(f"<p><b>Model:</b> {html.escape(info.name)} ({html.escape(info.version)})")
        if info.training_data:
            parts.append(f"<br><b>Trained on:</b> {html.escape(info.training_data)}")
        parts.append("</p>")
        if info.metrics:
            rows = "".join(
                f"<tr><td>{html.escape(str(k))}</td><td align='right'>{_number(v)}</td></tr>"
                for k, v in sorted(info.metrics.items())
            )
            parts.append(f"<p><b>Validation metrics</b></p><table cellspacing='6'>{rows}</table>")
    elif error:
        parts.append(f"<p>The model could not be loaded: {html.escape(error)}</p>")
    return "".join(parts)


def _number(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else html.escape(str(value))


def show_about(parent: QWidget, info: ModelInfo | None, error: str = "") -> None:
    QMessageBox.about(parent, "About Photoscope", about_html(info, error))
