"""The command line: ``photoscope`` opens the app; subcommands do the same jobs headless.

Each module in ``photoscope.commands`` registers its own subcommands; they import heavy
dependencies (PyTorch, Qt) only when run, so ``--help`` and ``--version`` stay instant.

Errors reach the user one way: a command lets what it cannot handle through, and ``main`` prints one
line naming the file and what to do, with an exit status of its kind (``commands.common.explain``);
the traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from photoscope import __version__
from photoscope.commands.common import (
    DEBUG_HELP,
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_PIPE_CLOSED,
    EXIT_USAGE,
    add_debug_option,
    explain,
    missing_library,
)

Handler = Callable[[argparse.Namespace], int]

# Modules under photoscope.commands, each with ``register(subparsers)``; order is --help's order.
COMMAND_MODULES = (
    "gui",
    "index",
    "search",
    "caption",
    "words",
    "map",
    "doctor",
    "train",
    "finetune",
    "evaluate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photoscope",
        description="Search your photo library offline: captions, search by description or by example.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"photoscope {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"photoscope.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"photoscope.commands.{name}":
                raise
            continue  # a command still being built
        module.register(sub)
    for command in sub.choices.values():  # --debug also after the command's name
        add_debug_option(command)
    gui = importlib.import_module("photoscope.commands.gui")
    parser.set_defaults(handler=gui.run, folder=None, model=None, db=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    debug = bool(getattr(args, "debug", False))
    if debug:
        import logging  # here: a search through the running app starts in ~0.1 s, and this is 8 ms of it

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        missing = missing_library(args)
        if missing is not None:
            print(f"photoscope: {missing}", file=sys.stderr)
            return EXIT_USAGE
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader has what it wanted: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return EXIT_PIPE_CLOSED
    except SystemExit:
        raise
    except Exception as error:
        if debug:
            import traceback

            traceback.print_exc()
        code, message = explain(error, getattr(args, "db", None))
        print(f"photoscope: {message}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
