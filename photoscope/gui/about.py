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
                f"<tr><td>{html.escape(metric_name(k))}</td><td align='right'>{metric_value(k, v)}</td></tr>"
                for k, v in sorted(info.metrics.items(), key=lambda kv: _ORDER.get(kv[0], len(_ORDER)))
            )
            parts.append(
                "<p><b>How the network alone, as trained, did on photos it never saw</b> (Flickr8k"
                " validation). The app's search adds the ImageNet concepts and the word detectors to"
                " it, and finds more: <code>photoscope evaluate retrieval</code> measures that.</p>"
                f"<table cellspacing='6'>{rows}</table>"
            )
    elif error:
        parts.append(f"<p>The model could not be loaded: {html.escape(error)}</p>")
    return "".join(parts)


METRIC_NAMES = {
    "bleu1": "Captions: BLEU-1 (word overlap with people's captions, 0 to 1)",
    "bleu2": "Captions: BLEU-2",
    "bleu3": "Captions: BLEU-3",
    "bleu4": "Captions: BLEU-4",
    "cider": "Captions: CIDEr (agreement with people's captions)",
    "r1": "Search: the right photo first",
    "r5": "Search: the right photo in the top 5",
    "r10": "Search: the right photo in the top 10",
    "median_rank": "Search: median place of the right photo",
}
_ORDER = {
    key: i
    for i, key in enumerate(("r1", "r5", "r10", "median_rank", "bleu1", "bleu2", "bleu3", "bleu4", "cider"))
}


def metric_name(key: str) -> str:
    return METRIC_NAMES.get(key, key.replace("_", " ").capitalize())


def metric_value(key: str, value: object) -> str:
    """Recalls as percentages (they are stored as such), ranks as whole places, scores to 3 places."""
    if not isinstance(value, int | float):
        return html.escape(str(value))
    if key.startswith("r") and key[1:].isdigit():
        return f"{value:.1f} %"
    if key == "median_rank":
        return f"{value:.0f}"
    return f"{value:.3f}"


def show_about(parent: QWidget, info: ModelInfo | None, error: str = "") -> None:
    QMessageBox.about(parent, "About Photoscope", about_html(info, error))
