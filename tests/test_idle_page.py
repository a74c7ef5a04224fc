"""The page a window with no query shows (``gui.idle_page``: decided without Qt)."""

from __future__ import annotations

from photoscope.gui.idle_page import IdlePage, idle_page


def test_photos_first_then_the_filters_then_the_folders() -> None:
    assert idle_page(5, narrowed_read=True, adding=True, has_folders=True) is IdlePage.LIBRARY
    assert idle_page(0, narrowed_read=True, adding=True, has_folders=True) is IdlePage.FILTERED_EMPTY
    assert idle_page(0, narrowed_read=False, adding=True, has_folders=False) is IdlePage.ADDING
    assert idle_page(0, narrowed_read=False, adding=False, has_folders=True) is IdlePage.EMPTY_LIBRARY
    assert idle_page(0, narrowed_read=False, adding=False, has_folders=False) is IdlePage.WELCOME
