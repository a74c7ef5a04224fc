"""What can be done with the selected tiles: the grid's context menu and the window's Photo menu.

One set of ``QAction``s (with their shortcuts) acts on whichever grid is showing: open, open with,
show in folder, copy (the files), copy path, find similar, move to the trash (after asking). What
leaves the process goes through ``desktop``; the index is told of trashed photos through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, QProcess, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from photoscope.gui import desktop
from photoscope.gui.preferences import Preferences
from photoscope.gui.results_model import PhotoGridModel
from photoscope.gui.results_view import ResultsView
from photoscope.gui.tasks import TaskRunner
from photoscope.gui.wording import not_done_message, plural, trash_question

# The Photo menu's keys, the grids' and the photo view's alike.
OPEN_KEY, SHOW_IN_FOLDER_KEY, COPY_PATH_KEY, FIND_SIMILAR_KEY = (
    "Ctrl+Return",
    "Ctrl+Shift+R",
    "Ctrl+Shift+C",
    "Ctrl+Shift+F",
)


def selected_rows(view: ResultsView) -> list[int]:
    """The selected photo rows in grid order (the current tile when nothing is selected)."""
    model = view.model()
    assert isinstance(model, PhotoGridModel)
    rows = sorted({i.row() for i in view.selectionModel().selectedIndexes()})
    if not rows and view.currentIndex().isValid():
        rows = [view.currentIndex().row()]
    return [r for r in rows if model.photo_at(r) >= 0]


class TileActions(QObject):
    open_requested = Signal(int)  # a row of the current grid
    find_similar = Signal(int, str)  # photo id, path
    trash_requested = Signal(list)  # photo ids, their files already in the trash
    status_message = Signal(str)

    def __init__(
        self,
        view: Callable[[], ResultsView],
        preferences: Preferences,
        io: TaskRunner,
        parent: QWidget,
        unchangeable: Callable[[], str | None] = lambda: None,
    ) -> None:
        """``unchangeable``: why the library cannot change now (read-only), else None."""
        super().__init__(parent)
        self.view, self.preferences, self.io, self.parent_widget = view, preferences, io, parent
        self.unchangeable = unchangeable
        self.open = self._action("&Open", self._open, OPEN_KEY)
        self.open_with = self._action("Open &with…", self._open_with)
        self.show_folder = self._action("Show in &folder", self._show_in_folder, SHOW_IN_FOLDER_KEY)
        self.copy = self._action("&Copy", self._copy, QKeySequence.StandardKey.Copy)
        self.copy_path = self._action("Copy &path", self._copy_path, COPY_PATH_KEY)
        self.similar = self._action("Find &similar", self._find_similar, FIND_SIMILAR_KEY)
        self.trash = self._action("Move to &trash…", self._trash, QKeySequence.StandardKey.Delete)
        self.all = [self.open, self.open_with, self.show_folder, self.copy, self.copy_path, self.similar]

    def _action(self, text: str, slot: Callable[[], None], shortcut: object = None) -> QAction:
        action = QAction(text, self.parent_widget)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))  # type: ignore[call-overload]
            # Only while a grid (``attach``) or a menu showing the action has the focus: Delete in the
            # search box or on a query chip edits the query, it must never trash the selected photo.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _=False: slot())
        return action

    def attach(self, grid: QWidget) -> None:
        """Make the actions' keys work while ``grid`` has the focus."""
        grid.addActions([*self.all, self.trash])

    def fill(self, menu: QMenu) -> None:
        for action in self.all:
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.trash)

    def popup(self, where: QPoint) -> QMenu:
        menu = QMenu(self.parent_widget)
        self.fill(menu)
        menu.popup(where)
        return menu

    # the selection

    def rows(self) -> list[int]:
        return selected_rows(self.view())

    def grid(self) -> PhotoGridModel:
        model = self.view().model()
        assert isinstance(model, PhotoGridModel)
        return model

    def paths(self) -> list[str]:
        grid = self.grid()
        return [grid.path_of(grid.photo_at(r)) for r in self.rows()]

    # the actions

    def _open(self) -> None:
        rows = self.rows()
        if rows:
            self.open_requested.emit(rows[0])

    def _open_with(self) -> None:
        paths = self.paths()
        if not paths:
            return
        program = self.preferences.open_with
        program, _ = QFileDialog.getOpenFileName(
            self.parent_widget, "Open with which program?", program or "/usr/bin"
        )
        if program:
            self.preferences.open_with = program
            if not QProcess.startDetached(program, paths):
                self.status_message.emit(f"Could not start {program}")

    def _show_in_folder(self) -> None:
        for path in self.paths()[:1]:
            if not desktop.show_in_folder(path):
                self.status_message.emit(not_done_message("show", path, "file manager"))

    def _copy(self) -> None:
        """The files (a file manager pastes them), with their paths as text."""
        paths = self.paths()
        if paths:
            mime = self.grid().mimeData([self.grid().index(r) for r in self.rows()])
            QGuiApplication.clipboard().setMimeData(mime)
            self.status_message.emit(f"Copied {plural(len(paths), 'photo')}")

    def _copy_path(self) -> None:
        paths = self.paths()
        if len(paths) == 1:
            desktop.copy_path(paths[0])
        elif paths:
            QGuiApplication.clipboard().setText("\n".join(paths))
        if paths:
            self.status_message.emit(
                f"Copied {paths[0]}" if len(paths) == 1 else f"Copied {len(paths)} paths"
            )

    def _find_similar(self) -> None:
        rows = self.rows()
        if rows:
            grid = self.grid()
            photo = grid.photo_at(rows[0])
            self.find_similar.emit(grid.id_of(photo), grid.path_of(photo))

    def _trash(self) -> None:
        grid = self.grid()
        photos = [grid.photo_at(r) for r in self.rows()]
        found = [(grid.id_of(p), grid.path_of(p)) for p in photos]
        if found:
            self.trash_after_asking(found, grid.whole_copy_groups(set(photos)), self.parent_widget)

    def trash_after_asking(
        self, found: list[tuple[int, str]], whole_copy_groups: int, asking: QWidget | None
    ) -> None:
        """Move these (photo id, path) to the trash once the user says yes, in a question over
        ``asking`` (the window, or the photo view whose Del asked); ``whole_copy_groups``: the groups
        of copies they take whole."""
        refused = self.unchangeable()
        if refused is not None:  # the file would go, its entry stay: refused before anything moves
            self.status_message.emit(refused)
            return
        what = Path(found[0][1]).name if len(found) == 1 else f"these {len(found):,} photos"
        answer = QMessageBox.question(
            asking,
            "Move to trash",
            trash_question(what, len(found), whole_copy_groups),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.status_message.emit(f"Moving {plural(len(found), 'photo')} to the trash…")
        # Off the window's thread: a drive that answers slowly (a network share) froze the window
        # for as long as the whole selection took.
        self.io.submit(lambda: _move_to_trash(found), self._trashed)

    def _trashed(self, done: tuple[list[int], list[str]]) -> None:
        moved, failed = done
        if moved:
            self.trash_requested.emit(moved)
        if failed:
            self.status_message.emit(f"Could not move {failed[0]} to the trash")
        else:
            self.status_message.emit(f"Moved {plural(len(moved), 'photo')} to the trash")


def _move_to_trash(found: list[tuple[int, str]]) -> tuple[list[int], list[str]]:
    """Move each (photo id, path) to the desktop's trash: the ids moved, the paths that were not."""
    moved: list[int] = []
    failed: list[str] = []
    for photo_id, path in found:
        if desktop.move_to_trash(path):
            moved.append(photo_id)
        else:
            failed.append(path)
    return moved, failed
