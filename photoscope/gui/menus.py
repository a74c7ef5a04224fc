"""The main window's menu bar: every menu action, its shortcut and the window method it calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from photoscope.api import Grouping, Sort
from photoscope.gui.wording import REPAIR_ACTION, back_action_text

if TYPE_CHECKING:
    from photoscope.gui.main_window import MainWindow

Choice = TypeVar("Choice", bound=str)

SORT_NAMES: dict[Sort, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "name": "Name",
    "folder": "Folder",
}
SORTED_AS: dict[Sort, str] = {
    "newest": "newest first",
    "oldest": "oldest first",
    "name": "by name",
    "folder": "by folder",
}
GROUP_NAMES: dict[Grouping, str] = {"month": "Month", "folder": "Folder", "none": "No groups"}


def build_menus(window: MainWindow) -> None:
    def add_action(menu: Any, text: str, slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        return window_action(window, menu, text, slot, shortcut)

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    add_action(file_menu, "Search by &photo…", window.choose_photo, QKeySequence.StandardKey.Open)
    add_action(file_menu, "Search by pasted p&hoto", window.search.paste_photo, "Ctrl+Shift+V")
    file_menu.addSeparator()
    # Beside Ctrl+O (a photo to search by): the welcome page's button is 7 Tabs away (the fresh-seat audit).
    add_action(file_menu, "&Add folder…", window.folder_keeper.choose_and_add, "Ctrl+Shift+O")
    add_action(file_menu, "&Library…", window.show_library, "Ctrl+L")
    add_action(file_menu, "Find &copies in the library", window.find_copies, "Ctrl+Shift+D")
    add_action(file_menu, REPAIR_ACTION, window.check_and_repair)
    file_menu.addSeparator()
    add_action(file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    photo_menu = bar.addMenu("&Photo")
    window.actions_.fill(photo_menu)
    view_menu = bar.addMenu("&View")
    add_action(view_menu, "&Find", window.focus_search, QKeySequence.StandardKey.Find)
    window.back_action = add_action(view_menu, back_action_text(None), window.go_back, "Alt+Left")
    view_menu.aboutToShow.connect(window.update_back_action)
    add_action(view_menu, "All &photos (timeline)", window.browse_all, "Ctrl+Home")
    add_action(view_menu, "Show &more matches", window.show_more, "Ctrl+Shift+M")
    sort, grouping = window.browse_options()
    _choice_menu(window, view_menu.addMenu("&Sort by"), SORT_NAMES, sort, window.timeline_reader.sort_by)
    _choice_menu(
        window, view_menu.addMenu("&Group by"), GROUP_NAMES, grouping, window.timeline_reader.group_by
    )
    view_menu.addSeparator()
    words = window.words.toggleViewAction()  # a key, as the maps have (the walk of stop 43)
    words.setText("&Words")
    words.setShortcut(QKeySequence("Ctrl+Shift+W"))
    view_menu.addAction(words)
    add_action(view_menu, "&Maps…", window.show_maps, "Ctrl+M")
    add_action(view_menu, "&Larger tiles", lambda: window.step_tiles(+32), QKeySequence.StandardKey.ZoomIn)
    add_action(view_menu, "&Smaller tiles", lambda: window.step_tiles(-32), QKeySequence.StandardKey.ZoomOut)
    help_menu = bar.addMenu("&Help")
    add_action(help_menu, "&Keys", window.show_keys, QKeySequence.StandardKey.HelpContents)
    add_action(help_menu, "&About Photoscope", window.show_about)


def window_action(
    window: MainWindow, menu: Any, text: str, slot: Callable[[], Any], shortcut: Any = None
) -> QAction:
    """An action of the window, in ``menu``, calling ``slot``."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _=False: slot())
    menu.addAction(action)
    return action


def _choice_menu(
    window: MainWindow, menu: Any, names: dict[Choice, str], current: Choice, choose: Callable[[Choice], None]
) -> None:
    """Radio actions for a browsing option (``names``: each value's text), ``current`` checked."""
    group = QActionGroup(window)
    for value, text in names.items():
        action = QAction(text, window, checkable=True)
        action.setChecked(value == current)
        action.triggered.connect(lambda _=False, v=value: choose(v))
        group.addAction(action)
        menu.addAction(action)
