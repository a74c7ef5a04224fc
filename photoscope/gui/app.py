"""Starting the desktop app."""

from __future__ import annotations

import argparse
import sys

from photoscope import __version__


def run_app(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from photoscope.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Photoscope")
    app.setOrganizationName("Photoscope")
    app.setApplicationVersion(__version__)
    window = MainWindow()
    window.show()
    return int(app.exec())
