"""The command line: ``photoscope`` opens the app; subcommands do the same jobs headless.

Each module in ``photoscope.commands`` registers its own subcommands; they import heavy
dependencies (PyTorch, Qt) only when run, so ``--help`` and ``--version`` stay instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from photoscope import __version__

Handler = Callable[[argparse.Namespace], int]

# Modules under photoscope.commands, each with ``register(subparsers)``; order is --help's order.
COMMAND_MODULES = ("gui", "index", "search", "caption", "words", "map", "train", "finetune", "evaluate")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photoscope",
        description="Search your photo library offline: captions, search by description or by example.",
    )
    parser.add_argument("--version", action="version", version=f"photoscope {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"photoscope.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"photoscope.commands.{name}":
                raise
            continue  # a command still being built
        module.register(sub)
    gui = importlib.import_module("photoscope.commands.gui")
    parser.set_defaults(handler=gui.run, folder=None, model=None, db=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
