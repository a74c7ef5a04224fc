"""Opening the library off the GUI thread, and the way out when it cannot be opened.

Building the API opens the database (and the first window must not wait for that), so it runs on a
``TaskRunner``. When it fails and a repair is at hand (``photoscope doctor --repair``), the user is
asked (``ask_repair``: the window's question); the repair's report is announced, then opening is
tried again, with no second repair offered when the first could not put the library in order. The
window subscribes to the signals: what to show, and the API once it is open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from photoscope.gui.tasks import TaskRunner

if TYPE_CHECKING:
    from photoscope.api import DoctorReport, Photoscope

Factory = Callable[[], "Photoscope"]
Repair = Callable[[], "DoctorReport"]


class LibraryOpener(QObject):
    opened = Signal(object, object)  # the Photoscope, and the folder to add to it (or None)
    state = Signal(str)  # what is happening, for the status line
    repaired = Signal(object)  # the repair's DoctorReport, just before opening again
    repair_failed = Signal(str)  # why the repair failed
    cannot_open = Signal(str)  # why, when a repair would not help (another program's file, a read-only disk)
    unavailable = Signal(str)  # why the library could not be opened, for the window's page

    def __init__(
        self, runner: TaskRunner, ask_repair: Callable[[str], bool], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.runner, self.ask_repair = runner, ask_repair

    def open(
        self, factory: Factory, add_folder: str | Path | None = None, repair: Repair | None = None
    ) -> None:
        """Build the API (``factory``) off the GUI thread; ``repair`` is offered if that fails."""
        self.state.emit("Opening the library…")
        self.runner.submit(
            factory,
            lambda api: self.opened.emit(api, add_folder),
            lambda error: self._failed(error, factory, add_folder, repair),
        )

    def _failed(
        self, error: BaseException, factory: Factory, add_folder: str | Path | None, repair: Repair | None
    ) -> None:
        self.state.emit("The library could not be opened")
        self.unavailable.emit(str(error))  # the page says it, whatever the user answers next
        if not _repair_helps(error):
            self.cannot_open.emit(str(error))
            return
        if repair is None or not self.ask_repair(str(error)):
            return
        self.state.emit("Checking and repairing the library…")

        def repaired(report: DoctorReport) -> None:
            self.repaired.emit(report)
            self.open(factory, add_folder, repair if report.ok else None)

        self.runner.submit(repair, repaired, self._repair_failed)

    def _repair_failed(self, error: BaseException) -> None:
        self.state.emit("The library could not be repaired")
        self.repair_failed.emit(str(error))


def _repair_helps(error: BaseException) -> bool:
    """Only a damaged file: repair moves it aside and rebuilds, which is no help for a busy, read-only
    or newer library, and would move another program's database out of its way."""
    from photoscope.api import LibraryDamaged  # loaded by now: opening the library imported it

    return isinstance(error, LibraryDamaged)
