"""Help > Keys (F1): every key the window answers, in one list. The menus' keys are read from the
menu bar itself (they cannot drift from it); the keys no menu shows (the grid's, the photo view's,
the search bar's, the map's) are listed here, beside the code that answers them."""

from __future__ import annotations

import html

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenu, QMenuBar, QTextBrowser, QVBoxLayout, QWidget

# (where, key, what it does): the keys no menu item shows.
OTHER_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Search box", "Down", "into the results"),
    ("Search box", "Ctrl+Enter", "keep the typed words as an added term (a chip)"),
    ("Search box", "Ctrl+Shift+Enter", "keep the typed words as a taken-away term"),
    ("Search box", "Esc", "empty the box; again: leave the whole query (Back, Alt+Left, returns to it)"),
    ("Chip", "Space", "add it or take it away"),
    ("Chip", "Delete", "remove it"),
    ("Chip", "Left / Right", "the chip beside it"),
    ("Chip", "Tab", "its weight, then the next chip"),
    ("Chip", "Esc", "back to the search box"),
    ("Results and library", "Arrows, Page Up/Down, Home, End", "move"),
    ("Results and library", "Enter", "open the photo"),
    ("Copies (File > Find copies)", "Esc", "back to all photos"),
    ("Photo view", "Left, Backspace, Page Up / Right, Space, Page Down", "previous / next photo"),
    ("Photo view", "Home / End", "first / last photo (in a text field too, not its line's start or end)"),
    ("Photo view", "1", "100 %: the photo at its own size"),
    ("Photo view", "Tab", "the buttons and the text fields: caption, looks like, taken, camera, size, file"),
    ("Photo view", "Enter", "press the focused button (the Photo menu's keys press them too)"),
    (
        "Photo view",
        "Ctrl+A, Ctrl+C",
        "in a text field: select all of it and copy it (Shift+arrows select part)",
    ),
    ("Photo view", "Esc", "close"),
    ("Photo map", "Arrows", "from photo to photo"),
    ("Photo map", "Enter", "open the photo framed"),
    ("Word map", "Arrows", "from word to word"),
    ("Word map", "Enter", "the underlined word's nearest words"),
    ("Maps", "+ / - / 0", "zoom in / out / the whole map"),
    ("Words panel", "Esc", "close it: back to the search box"),
)


def menu_keys(bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, key, item) of every menu item with a key, in the menus' order."""
    found: list[tuple[str, str, str]] = []

    def walk(actions: list[QAction], where: str) -> None:
        for action in actions:
            menu = action.menu()
            if isinstance(menu, QMenu):
                walk(menu.actions(), f"{where} > {_plain(action.text())}" if where else _plain(action.text()))
            elif not action.shortcut().isEmpty():
                key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                found.append((where, key, _plain(action.text())))

    walk(bar.actions(), "")
    return found


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class KeysDialog(QDialog):
    def __init__(self, bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keys")
        self.text = QTextBrowser()
        self.text.setAccessibleName("Keys")
        self.bar = bar
        self.rows: list[tuple[str, str, str]] = []  # (where, key, what) as listed
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(620, 640)

    def show_keys(self) -> None:
        rows = self.rows = [*menu_keys(self.bar), *OTHER_KEYS]
        cells = "".join(
            f"<tr><td>{html.escape(where)}</td><td><b>{html.escape(key)}</b></td><td>{html.escape(what)}</td></tr>"
            for where, key, what in rows
        )
        self.text.setHtml(f"<table cellpadding='3'>{cells}</table>")
        self.show()
        self.raise_()
        self.activateWindow()
