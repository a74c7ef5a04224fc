"""``photoscope folders exclude|include``: what the index leaves out of the watched folders.

photoscope folders exclude ~/Pictures/Screenshots      # a subfolder
photoscope folders exclude --pattern '*.png'           # a glob, in every watched folder
photoscope folders exclude --pattern '*/tmp/*' ~/Pictures   # a glob, in one watched folder
photoscope folders include ~/Pictures/Screenshots      # drop a rule: its photos come back
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from photoscope.api import Photoscope

EXIT_USAGE = 2


def run_rule(app: Photoscope, args: argparse.Namespace) -> int:
    """Add (``exclude``) or drop (``include``) a rule, then say what left or came back."""
    if args.path is None and args.pattern is None:
        print(f"photoscope: folders {args.action} needs a subfolder PATH or --pattern GLOB", file=sys.stderr)
        return EXIT_USAGE
    path, folder = (None, args.path) if args.pattern is not None else (args.path, None)
    change = app.exclude if args.action == "exclude" else app.include
    try:
        report = change(path, args.pattern, folder)
    except ValueError as error:
        print(f"photoscope: {error}", file=sys.stderr)
        return EXIT_USAGE
    what = args.pattern if args.pattern is not None else str(args.path)
    if args.action == "exclude":
        print(f"excluded {what}; {len(report.removed)} photos left the index")
    else:
        print(f"included {what} again; {len(report.added)} photos back in the index")
    return 0


def print_rules(app: Photoscope, folder: str) -> None:
    """The rules of one watched folder, indented under it (``folders list``)."""
    for rule in app.exclusion_rules():
        if rule.folder == folder:
            print(f"  excluded: {rule.describe()}")
