"""What the window shows when no query is asked: one decision, without Qt, from what it knows of
the library (the main window only shows the page it names); and, for a query, the library's reason
that comes before the query's."""

from __future__ import annotations

from enum import Enum, auto
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photoscope.api import EmptyAnswer, WhyNothing


class IdlePage(Enum):
    LIBRARY = auto()  # the timeline of the library's photos
    FILTERED_EMPTY = auto()  # the library view narrowed by the filters to no photo
    ADDING = auto()  # a first folder being added
    EMPTY_LIBRARY = auto()  # watched folders, no photo in them (yet, or at all)
    WELCOME = auto()  # no folder: how to add one


def idle_page(photos: int, narrowed_read: bool, adding: bool, has_folders: bool) -> IdlePage:
    """The page for a window with no query: its ``photos`` (listed in the timeline), whether the
    timeline read whole is one the filters narrowed (``narrowed_read``), whether a folder is being
    added, and whether any folder is watched."""
    if photos:
        return IdlePage.LIBRARY
    if narrowed_read:
        return IdlePage.FILTERED_EMPTY
    if adding:
        return IdlePage.ADDING
    return IdlePage.EMPTY_LIBRARY if has_folders else IdlePage.WELCOME


def answer_reason(answer: EmptyAnswer) -> WhyNothing:
    """Why a query found nothing, as the window says it (``api.why_nothing``): with no folder watched,
    the missing folder, even where the query's own reason comes first for the command line (a weight
    of 0, terms that cancel out), for that reason's page, the welcome page, holds the Add folder
    button that is the way on (the fresh-seat audit)."""
    from dataclasses import replace

    from photoscope.api import WhyNothing, why_nothing  # loaded by now: the answer came through it

    library = why_nothing(replace(answer, weightless=False, cancelled=False))
    return library if library is WhyNothing.NO_FOLDERS else why_nothing(answer)
