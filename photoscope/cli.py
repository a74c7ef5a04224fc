"""The command line: ``photoscope`` opens the app; subcommands do the same jobs headless.

Each module in ``photoscope.commands`` registers its own subcommands; they import heavy
dependencies (PyTorch, Qt) only when run, so ``--help`` and ``--version`` stay instant.

Errors reach the user one way: a command lets what it cannot handle through, and ``main`` prints one
line naming the file and what to do, with an exit status of its kind (``commands.common.explain``);
the traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from photoscope import __version__
from photoscope.commands.common import (
    DEBUG_HELP,
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_PIPE_CLOSED,
    EXIT_UNWRITABLE,
    EXIT_USAGE,
    OneLineParser,
    add_debug_option,
    explain,
    missing_library,
    missing_library_folder,
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


def _parsed(parser: OneLineParser, given: list[str]) -> argparse.Namespace:
    """``given`` parsed; words no parser takes are refused by the command's parser, which names its
    own help (the top parser named `photoscope --help` for `search "a cat" --bogus`: the
    fresh-seat audit of stop 49)."""
    args, extra = parser.parse_known_args(given)
    if extra:
        named = next((parser.commands[w] for w in given if w in parser.commands), parser)
        named.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def build_parser() -> OneLineParser:
    parser = OneLineParser(  # its commands' parsers are of its class
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
    parser.commands = dict(sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    output = _Output(_printable(sys.stdout))
    notes = _Unsaid(sys.stderr)
    sys.stdout, sys.stderr = output, notes
    code = EXIT_UNWRITABLE
    try:
        code = _run(argv)
        output.flush()  # here, not at exit, where a failure would be Python's "Exception ignored"
    except KeyboardInterrupt:  # Ctrl-C, whenever: while the commands are read too
        print("interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except (SystemExit, OSError):  # SystemExit: argparse's --help and --version swallow a failed write
        if output.error is None:
            raise
    finally:
        sys.stdout, sys.stderr = output.stream, notes.stream
    if output.error is not None:
        return _said(output.error)
    if notes.error is not None and code == 0:
        return EXIT_UNWRITABLE  # its notes went unsaid: a script sees that something was not written
    return code


def _run(argv: Sequence[str] | None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    option = given[0].split("=", 1)[0] if given else ""
    if option in ("--db", "--model"):  # argparse said "invalid choice: 'lib.db'"
        rest = given[1:] if "=" in given[0] else given[2:]
        command = rest[0] if rest and not rest[0].startswith("-") else "COMMAND"
        print(
            f"photoscope: {option} goes after the command: photoscope {command} {option} …", file=sys.stderr
        )
        return EXIT_USAGE
    args = _parsed(build_parser(), given)
    handler: Handler = args.handler
    debug = bool(getattr(args, "debug", False))
    if debug:
        import logging  # here: a search through the running app starts in ~0.1 s, and this is 8 ms of it

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        # the folder first: "add a folder (photoscope index … --db)" would be refused there (audit 91)
        missing = missing_library_folder(args) or missing_library(args)
        if missing is not None:
            print(f"photoscope: {_escaped(missing)}", file=sys.stderr)
            return EXIT_USAGE
        return handler(args)
    except BrokenPipeError:  # the reader has what it wanted: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return EXIT_PIPE_CLOSED
    except SystemExit:
        raise
    except Exception as error:
        if isinstance(error, OSError) and error is getattr(sys.stdout, "error", None):
            raise  # the output itself: ``main`` says so
        if debug:
            import traceback

            traceback.print_exc()
        code, message = explain(error, getattr(args, "db", None), getattr(args, "model", None))
        print(f"photoscope: {_escaped(message)}", file=sys.stderr)
        return code


def _escaped(message: str) -> str:
    """An error line with a path's bytes that are not UTF-8 shown as "\\xfe", as paths are
    everywhere else (printed, they were lone surrogates: "bad\\udcfedir"; the audit of stop 45)."""
    return message.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _printable(stream: TextIO | None) -> TextIO | None:
    """Standard output that writes what its encoding lacks as "?" ("—" under a Latin-1 or ASCII
    locale failed every result line with an unexpected error, the CLI audit); UTF-8 is untouched.
    The paths themselves are in the file system's encoding, the locale's, so they print exactly."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if stream is not None and encoding != "utf8":
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
    return stream


class _Output:
    """Standard output, remembering the first error writing it (a full disk, an I/O error; closed:
    a launcher that started us without one) so it is said as the output's, not the library's; a
    closed pipe stays ``BrokenPipeError``, said by no one."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.error: OSError | None = None

    def write(self, text: str) -> int:
        if self.stream is None:
            self.error = self.error or OSError(errno.EBADF, "it is closed")
            raise self.error
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as error:
            self.error = self.error or error
            raise

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            self.error = self.error or error
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class _Unsaid:
    """Standard error that cannot be written (``2>/dev/full``, a closed one) is no failure of the
    command's: its notes and errors go unsaid, as there is no one to tell, and the command goes on
    (stop 65's list: the answer was printed, then Python failed to print a traceback, status 1,
    "a photo could not be processed"). The first error is kept: ``main`` exits with the unwritable
    output's status when the command itself succeeded."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.error: OSError | None = None

    def write(self, text: str) -> int:
        try:
            if self.stream is not None and self.error is None:
                self.stream.write(text)
        except OSError as error:
            self._failed(error)
        return len(text)

    def flush(self) -> None:
        try:
            if self.stream is not None and self.error is None:
                self.stream.flush()
        except OSError as error:
            self._failed(error)

    def _failed(self, error: OSError) -> None:
        self.error = error
        with contextlib.suppress(AttributeError, OSError, ValueError):
            if self.stream is not None and self.stream.fileno() == 2:  # nothing buffered fails at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), 2)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _said(error: OSError) -> int:
    """Say that the output could not be written, and why; the exit status of a write that failed."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what is still buffered goes nowhere at exit
    why = "the disk is full: free some space" if error.errno == errno.ENOSPC else error.strerror or str(error)
    print(
        f"photoscope: cannot write the output (standard output): {why}, or send the output elsewhere",
        file=sys.stderr,
    )
    return EXIT_UNWRITABLE


if __name__ == "__main__":
    sys.exit(main())
