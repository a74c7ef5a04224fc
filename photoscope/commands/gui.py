"""``photoscope gui`` (and plain ``photoscope``): the desktop app."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from photoscope.commands.common import add_db_option, add_model_option, log_in_one_line, user_path


def register(sub: Any) -> None:
    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("--folder", type=user_path, help="watch and index this folder too")
    add_db_option(gui)
    add_model_option(gui)
    gui.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from photoscope.gui.platform_check import EXIT_MISSING, check

    problem = check()  # before Qt is imported: a missing system library would abort it unexplained
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_MISSING
    from photoscope.gui.app import run_app

    log_in_one_line()  # a worker's failure reaches a terminal that started the app as one line
    return run_app(args)
