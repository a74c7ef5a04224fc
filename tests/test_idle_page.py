"""The page a window with no query shows (``gui.idle_page``: decided without Qt)."""

from __future__ import annotations

from photoscope.gui.idle_page import IdlePage, idle_page


def test_photos_first_then_the_filters_then_the_folders() -> None:
    assert idle_page(5, narrowed_read=True, adding=True, has_folders=True) is IdlePage.LIBRARY
    assert idle_page(0, narrowed_read=True, adding=True, has_folders=True) is IdlePage.FILTERED_EMPTY
    assert idle_page(0, narrowed_read=False, adding=True, has_folders=False) is IdlePage.ADDING
    assert idle_page(0, narrowed_read=False, adding=False, has_folders=True) is IdlePage.EMPTY_LIBRARY
    assert idle_page(0, narrowed_read=False, adding=False, has_folders=False) is IdlePage.WELCOME


def test_without_folders_the_missing_folder_is_the_reason_whatever_the_query_asked() -> None:
    """The fresh-seat audit: a query in a library of no folder must land on the welcome page (its
    Add folder button), even one whose every term weighs 0 or cancels out; with folders, or with
    photos counted before the folders are read, the query's own reason stands."""
    from photoscope.api import EmptyAnswer, PhotoCounts, WhyNothing
    from photoscope.gui.idle_page import answer_reason

    for asked in ({"weightless": True}, {"cancelled": True}, {}):
        assert answer_reason(EmptyAnswer(None, has_folders=False, **asked)) is WhyNothing.NO_FOLDERS
    assert answer_reason(EmptyAnswer(None, weightless=True)) is WhyNothing.WEIGHTLESS
    counted = PhotoCounts(indexed=3)
    assert answer_reason(EmptyAnswer(counted, has_folders=False, weightless=True)) is WhyNothing.WEIGHTLESS
