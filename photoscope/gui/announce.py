"""Saying a line to assistive technology without moving the focus: a search's answer goes to the
status bar and the page while the focus stays in the search box, where a screen reader heard
nothing of it (audit 82, repro_4)."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say ``text``, politely (after what it is saying), from ``widget``: Qt
    6.8's announcement event; before it (the package allows 6.6), ``widget``'s accessible name
    becomes ``text``, which a reader follows where ``widget`` is a status line."""
    if not text:
        return
    event_type = getattr(QtGui, "QAccessibleAnnouncementEvent", None)
    if event_type is None:
        widget.setAccessibleName(text)  # sends NameChanged
        return
    event = event_type(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
