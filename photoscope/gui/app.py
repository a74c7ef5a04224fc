"""Starting the desktop app: the QApplication, its style and icon, the window and the library.

The window is shown before PyTorch is even imported: the API is built on a worker thread and
attached when ready, so launching takes Qt's start-up time, not the model's.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from photoscope import __version__
from photoscope.gui.wording import REPAIR_AGAIN, unexpected_error_message

if TYPE_CHECKING:
    from photoscope.api import DoctorReport, Photoscope

ICON_SIZES = (16, 32, 48, 64, 128, 256)
log = logging.getLogger(__name__)


def icon_dir() -> Path | None:
    from photoscope.config import ResourceMissing, resources_dir

    try:
        folder = resources_dir() / "icons"
    except ResourceMissing:  # a broken install still opens its window (without an icon)
        return None
    return folder if folder.is_dir() else None


def app_icon() -> QIcon:
    icon = QIcon()
    folder = icon_dir()
    if folder is not None:
        for size in ICON_SIZES:
            png = folder / f"photoscope-{size}.png"
            if png.is_file():
                icon.addFile(str(png))
    return icon


def create_application(argv: list[str] | None = None) -> QApplication:
    # Qt's raster engine splits a fill over 96 scanlines (a scaled thumbnail, the scroll bar's groove)
    # across its own thread pool and waits for the pieces: on a busy machine each wait is a CPU
    # that is not free, and the GUI thread froze in them (a fifth of its time while scrolling the
    # timeline). One thread drawing a grid of small tiles is fast enough.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("Photoscope")
    app.setOrganizationName("Photoscope")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("photoscope")
    # Fusion draws the same everywhere and takes its colours from the platform palette, so the app
    # follows the system's light or dark scheme without a single hard-coded colour.
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    # Every call from Qt into Python (a slot, a model's data()) must take the GIL. A background thread
    # running Python holds it up to the switch interval (5 ms by default) before handing it over, and
    # painting a grid makes dozens of such calls: a 1 ms interval keeps each wait short.
    sys.setswitchinterval(0.001)
    return app


def open_api(db: Path | None, model: Path | None) -> Photoscope:
    """Runs on a worker thread: the first import of the API pulls in PyTorch.

    A full garbage collection walks every tracked object holding the GIL: during PyTorch's import
    such collections stalled the GUI thread 20-90 ms each, and afterwards one over PyTorch's ~200,000
    objects took ~100 ms in whichever thread allocated (loading vectors, indexing). So collection is
    off while the import creates its long-lived objects, and they are then frozen: later collections
    walk only newer objects. (No collection first: that would be the same stall once more; the little
    garbage alive now stays.)
    """
    gc.disable()
    try:
        from photoscope.api import Photoscope

        api = Photoscope(
            db, model_dir=model
        ).open()  # a damaged library is said now: the window offers repair
        api.serve()  # `photoscope search` asks the running app (photoscope.api.service); closed with the API
        return api
    finally:
        resume_collection()


def resume_collection() -> None:
    """Garbage collection back on after a pause (``open_api``, ``LaunchOrder.attached``),
    what is alive now frozen: later collections walk only newer objects."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def repair_library(db: Path | None, model: Path | None) -> DoctorReport:
    """Runs on a worker thread: ``photoscope doctor --repair`` for the window whose library failed."""
    from photoscope.api import Photoscope

    with Photoscope(db, model_dir=model) as api:
        return api.doctor(repair=True, how_to_repair=REPAIR_AGAIN)


def report_unexpected_errors(window: QWidget) -> None:
    """An error that reaches Qt's event loop unhandled (a bug in a slot) is logged in one line (the
    traceback with ``--debug``) and said in a message over ``window``, once per error, instead of
    a traceback on a terminal nobody watches; the app keeps running, as Qt lets it."""
    shown: set[str] = set()

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.error("unexpected error", exc_info=(kind, error, trace))
        key = f"{kind.__name__}: {error}"
        if key not in shown:
            shown.add(key)
            QMessageBox.warning(window, "Something went wrong", unexpected_error_message(error))

    sys.excepthook = hook


# How often the event loop hands Python a moment to run a signal's handler (Qt's loop runs no Python
# while it waits: Ctrl-C did nothing until the next event).
SIGNAL_CHECK_MS = 250


def close_on_signals(app: QApplication, window: QWidget) -> Callable[[], int | None]:
    """Ctrl-C in the terminal (SIGINT) and SIGTERM close the window as its close button does, and
    quit (the fresh-seat audit of stop 52: Ctrl-C did nothing, SIGTERM killed the app unsaved).
    Returns what says the exit status a signal asks for (128 + its number; None while none came)."""
    received: list[int] = []

    def handler(number: int, _frame: object) -> None:
        received.append(number)
        window.close()
        app.quit()

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, handler)
    waking = QTimer(app)
    waking.timeout.connect(lambda: None)
    waking.start(SIGNAL_CHECK_MS)
    return lambda: 128 + received[0] if received else None


def shown_elsewhere(db: Path | None, folder: str | Path | None) -> bool:
    """Whether a window open on library ``db`` came to the front when asked (``folder``, one to watch,
    added there): a second start opened a second window on the library without a word, two watchers
    and two indexers on it (the GUI audit of stop 60)."""
    from photoscope.config import default_db_path
    from photoscope.service_protocol import show_open_window  # a leaf: the window waits on no API import

    return show_open_window(Path(db or default_db_path()), None if folder is None else Path(folder))


def run_app(args: argparse.Namespace) -> int:
    from photoscope.gui.main_window import MainWindow

    db, model = getattr(args, "db", None), getattr(args, "model", None)
    if shown_elsewhere(db, getattr(args, "folder", None)):
        print("Photoscope is open on this library already: its window is in front now", file=sys.stderr)
        return 0
    app = create_application(sys.argv[:1])
    window = MainWindow(QSettings())
    report_unexpected_errors(window)
    signalled = close_on_signals(app, window)
    window.show()
    window.open_library(
        lambda: open_api(db, model),
        add_folder=getattr(args, "folder", None),
        repair=lambda: repair_library(db, model),
    )
    code = int(app.exec())
    window.shutdown()
    if window.api is not None:
        window.api.close()
    return signalled() or code
