"""The watched folders as the window knows them: adding one (chosen, dropped on the welcome page or
given with ``--folder``), the list behind the offline note and the search bar's folder filter, and
the filter's subfolders, read once the window is idle."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from photoscope.gui.library_dialog import choose_folder
from photoscope.gui.pages import pictures_folder
from photoscope.gui.preferences import Preferences

if TYPE_CHECKING:
    from photoscope.api import Folder, Photoscope
    from photoscope.gui.index_status import IndexStatus
    from photoscope.gui.search_panel import SearchPanel
    from photoscope.gui.tasks import TaskRunner


class FolderKeeper(QObject):
    changed = Signal(list)  # the folders, read again
    added = Signal(object)  # a Folder the user just added
    add_failed = Signal()

    def __init__(
        self,
        window: QWidget,
        api: Callable[[], Photoscope | None],
        runners: tuple[TaskRunner, TaskRunner],  # the API's, in order; the pages' (reads at idle)
        preferences: Preferences,
        index_status: IndexStatus,
        search: SearchPanel,
        status_bar: QStatusBar,
        network_in: Callable[[], bool],
    ) -> None:
        super().__init__(window)
        self._window, self.api, (self.runner, self.pages_runner) = window, api, runners
        self.preferences, self.index_status, self.search = preferences, index_status, search
        self.status_bar = status_bar
        self.network_in = network_in
        self.folders: list[Folder] = []
        self.adding = False  # --folder given: no welcome page while it is added
        self._choices_waiting = False  # the folder filter's subfolders, read once the network is in

    def last_folder(self) -> str:
        """Where the file choosers open: the folder added last, else the Pictures folder (a folder
        gone since, a drive unplugged, is passed over: the chooser opened on its name)."""
        places = (self.preferences.last_folder, pictures_folder())
        return next((str(p) for p in places if p and os.path.isdir(p)), str(Path.home()))

    def choose_and_add(self, over: QWidget | None = None) -> None:
        """Ask for a folder and add it; the chooser is ``over``'s (the library dialog's: the keys
        come back to it once it closes, audit 97), else the window's."""
        path = choose_folder(over or self._window, self.last_folder())
        if path:
            self.add(path)

    def add(self, path: str | Path) -> None:
        api = self.api()
        if api is None:
            return
        self.preferences.last_folder = str(path)
        self.index_status.show_text(f"Adding {path}…")
        self.runner.submit(lambda: api.add_folder(path), self._added, self._failed)

    def _added(self, folder: Folder) -> None:
        self.adding = False
        if all(f.path != folder.path for f in self.folders):  # watched now: the list read next says so
            self.folders = [*self.folders, folder]  # (no welcome page meanwhile, as with none watched)
        self.refresh()
        if folder.already:
            self.add_failed.emit()  # the counts in place of "Adding …"
            self.status_bar.showMessage(f"{folder.path} is already watched", 8000)
            return
        self.added.emit(folder)

    def _failed(self, error: BaseException) -> None:
        self.adding = False
        self.add_failed.emit()  # the counts in place of "Adding …"
        QMessageBox.warning(self._window, "Add folder", f"This folder cannot be added:\n\n{error}")

    def refresh(self) -> None:
        api = self.api()
        if api is not None:
            self.runner.submit(api.folders, self.set_folders, key="folders")

    def set_folders(self, folders: list[Folder]) -> None:
        self.folders = folders
        away = [f.path for f in folders if f.away_keeping_photos]
        self.index_status.show_offline(away, [(f.path, f.refused_at) for f in folders if f.refused])
        roots = [(f.path, 0, f.readable) for f in folders]  # as the library dialog counts them
        if self.search.folder_choices()[: len(roots)] != [r[0] for r in roots]:
            self.search.set_folders(roots)  # at once; the subfolders follow
        self._choices_waiting = True
        if self.network_in():
            self.read_choices()  # else once the network is in (the window's ``_network_loaded``)
        self.changed.emit(folders)

    def read_choices(self) -> None:
        """The filter lists the subfolders too. Reading them goes over every photo's path (0.6 s at
        100,000 photos, twice that beside PyTorch's import; its 100,000 rows cost garbage collections
        that stall the window): at launch once the network is in and the grids have not been scrolled
        for a moment, on the timeline's runner. On the API's runner it held up loading the network (so
        every search) behind it; beside the import it slowed a first answer threefold."""
        api = self.api()
        if api is None or not self._choices_waiting:
            return
        self._choices_waiting = False

        def failed(error: BaseException) -> None:
            self.status_bar.showMessage(f"The library's folders could not be listed: {error}", 8000)

        self.pages_runner.submit(api.folder_choices, self.search.set_folders, failed)
