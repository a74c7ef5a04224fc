"""Opening the library off the GUI thread, and the way out when it cannot be opened.

Building the API opens the database (and the first window must not wait for that), so it runs on a
``TaskRunner``. When it fails and a repair is at hand (``photoscope doctor --repair``), the user is
asked (``ask_repair``: the window's question); the repair's report is announced, then opening is
tried again, with no second repair offered when the first could not put the library in order. The
window subscribes to the signals: what to show, and the API once it is open.

Damage can also show later, in a table the window reads once open (a search reads the photos'
tags): ``offer_repair`` asks then too, and on yes the window lets its API go (``let_go``) before
the repair runs and the library is opened again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from photoscope.gui.tasks import TaskRunner
from photoscope.gui.wording import DAMAGED_WHILE_OPEN

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
        self, runner: TaskRunner, ask_repair: Callable[..., bool], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.runner, self.ask_repair = runner, ask_repair
        self._factory: Factory | None = None  # how the library was last opened, and repaired
        self._repair: Repair | None = None
        self._repairing = False  # asked, or repairing: the failures that follow are the same damage
        self._declined = False  # the user said Close: not asked again until they ask something anew

    def open(
        self, factory: Factory, add_folder: str | Path | None = None, repair: Repair | None = None
    ) -> None:
        """Build the API (``factory``) off the GUI thread; ``repair`` is offered if that fails."""
        self._factory, self._repair = factory, repair
        self.state.emit("Opening the library…")
        self.runner.submit(
            factory,
            lambda api: self._opened(api, add_folder),
            lambda error: self._failed(error, factory, add_folder, repair),
        )

    def _opened(self, api: Photoscope, add_folder: str | Path | None) -> None:
        self._repairing = False
        self.opened.emit(api, add_folder)

    def offer_repair(self, error: BaseException, let_go: Callable[[], None]) -> None:
        """A task on the open library failed: if the library is damaged, ask to repair it; on yes,
        ``let_go`` (the window stops using its API; closing it is queued on the runner), then the
        repair, then opening again."""
        if self._repairing or self._declined or self._repair is None or not _repair_helps(error):
            return
        self._repairing = True  # failures delivered while the question is up are the same damage
        what = getattr(error, "what", str(error))  # without the command line's advice: the button does it
        agreed = self.ask_repair(what, DAMAGED_WHILE_OPEN)
        # On Close, the other tasks failing on the same damage now are not asked about (two
        # questions for one search: the timeline's and the search's); the user's next query is.
        self._repairing, self._declined = False, not agreed
        if agreed:
            self.repair_now(let_go)

    def ask_again(self) -> None:
        """The user asked something anew (a query): a damage it meets is asked about again."""
        self._declined = False

    def repair_now(self, let_go: Callable[[], None]) -> None:
        """The user asked for it (File > Check and repair): ``let_go``, repair, open again."""
        factory, repair = self._factory, self._repair
        if self._repairing or factory is None or repair is None:
            return
        self._repairing = True
        let_go()
        self._repair_then_open(factory, repair)

    def _repair_then_open(
        self, factory: Factory, repair: Repair, add_folder: str | Path | None = None
    ) -> None:
        """The repair on the runner, its report announced, then opening again (with no second repair
        offered when the first could not put the library in order)."""
        self.state.emit("Checking and repairing the library…")

        def repaired(report: DoctorReport) -> None:
            self.repaired.emit(report)
            self.open(factory, add_folder, repair if report.ok else None)

        def refused_or_failed(error: BaseException) -> None:
            self._repair_failed(error)
            if _held_elsewhere(error):  # nothing was touched: the library opens again as it was
                self.open(factory, add_folder, repair)

        self.runner.submit(repair, repaired, refused_or_failed)

    def _failed(
        self, error: BaseException, factory: Factory, add_folder: str | Path | None, repair: Repair | None
    ) -> None:
        self.state.emit("The library could not be opened")
        self.unavailable.emit(str(error))  # the page says it, whatever the user answers next
        if not _repair_helps(error):
            self.cannot_open.emit(str(error))
            return
        if repair is not None and self.ask_repair(str(error)):
            self._repair_then_open(factory, repair, add_folder)

    def _repair_failed(self, error: BaseException) -> None:
        self._repairing = False
        self.state.emit("The library could not be repaired")
        self.repair_failed.emit(str(error))


def _repair_helps(error: BaseException) -> bool:
    """Only a damaged file: repair moves it aside and rebuilds, which is no help for a busy, read-only
    or newer library, and would move another program's database out of its way."""
    from photoscope.api import LibraryDamaged  # loaded by now: opening the library imported it

    return isinstance(error, LibraryDamaged)


def _held_elsewhere(error: BaseException) -> bool:
    """The repair was refused: another Photoscope has the library open (``LibraryHeldElsewhere``)."""
    from photoscope.api import LibraryHeldElsewhere

    return isinstance(error, LibraryHeldElsewhere)
