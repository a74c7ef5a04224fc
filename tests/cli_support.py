"""What the command-line tests share: running ``photoscope`` in-process and checking that an error
is said in one clean line."""

from __future__ import annotations

import pytest

from photoscope.cli import main

EXIT = {
    "failed": 1,
    "usage": 2,
    "busy": 3,
    "damaged": 4,
    "unwritable": 5,
    "broken_install": 6,
    "kept_copy": 7,
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``photoscope ARGV…``: (exit status, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_clean_line(err: str) -> str:
    """The one line an error is said in (no traceback, nothing else on stderr)."""
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line]
    assert len(lines) == 1, err
    return lines[0]
