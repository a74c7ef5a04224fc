"""The ``photoscope`` command's entry point, kept apart from the command line so that Ctrl-C while
Python imports it (the first ~50 ms of every command, before ``cli.main`` can catch anything) ends in
the same one line as later, not a KeyboardInterrupt traceback. It imports nothing of its own."""

import os
import sys

EXIT_INTERRUPTED = 130  # commands.common's, not imported: that import is what Ctrl-C may interrupt


def main() -> int:
    if sys.stderr is None:
        # Closed at start (`2>&-`: a cron line, a launcher), it is None to Python, and print() to a
        # None file writes to stdout: notes went into `--json` and `--paths-only` output (audit 89).
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115  # for the whole run
    try:
        from photoscope.cli import main as run_command_line
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return run_command_line()
