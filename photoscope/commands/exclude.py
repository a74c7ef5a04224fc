"""``photoscope folders exclude|include``: what the index leaves out of the watched folders.

photoscope folders exclude ~/Pictures/Screenshots      # a subfolder
photoscope folders exclude ~/Pictures/sub/Beach.jpg    # one photo: its path, exactly
photoscope folders exclude --pattern '*.png'           # a glob, in every watched folder
photoscope folders exclude --pattern '*/tmp/*' ~/Pictures   # a glob, in one watched folder
photoscope folders include ~/Pictures/Screenshots      # drop a rule: its photos come back
photoscope folders hidden on                           # index hidden folders and files too
photoscope folders hidden off                          # leave them out again (the default)
photoscope folders hidden                              # say which
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.commands.common import EXIT_FAILED, EXIT_USAGE, confirmed
from photoscope.wording import pattern_names_files, plural, safe_text, still_left_out_note

if TYPE_CHECKING:
    from photoscope.api import Photoscope, ScanReport


# What an exclusion keeps of the photos it takes out (``Indexing.exclude``; audit 93: the question
# said they left "with their captions", which stayed in the library's file).
KEPT = "their captions and vectors kept in the library for a month, to come back without being indexed again"
KEPT_SHORT = "kept a month to come back unindexed; --forget keeps none"


def run_rule(app: Photoscope, args: argparse.Namespace) -> int:
    """Add (``exclude``) or drop (``include``) a rule, then say what left or came back."""
    if args.path is None and args.pattern is None:
        print(f"photoscope: folders {args.action} needs a subfolder PATH or --pattern GLOB", file=sys.stderr)
        return EXIT_USAGE
    if args.forget and args.action != "exclude":
        print("photoscope: --forget is for folders exclude: what it takes out is kept then", file=sys.stderr)
        return EXIT_USAGE
    path, folder = (None, args.path) if args.pattern is not None else (args.path, None)
    what = safe_text(args.pattern if args.pattern is not None else str(args.path))
    try:
        if args.action == "include" and not app.is_excluded(path, args.pattern, folder):
            # Nothing to drop: "included … again" said a rule that never was had been dropped. The
            # argument names no rule: a wrong argument (2), as `folders remove` of a folder not watched.
            other = app.left_out_because(path) if path is not None else None  # an ignore file, hidden
            said = other or (
                f"no such exclusion rule: {what} is not excluded (`photoscope folders list` shows the rules)"
            )
            print(f"photoscope: {said}", file=sys.stderr)
            return EXIT_USAGE
        if args.action == "exclude" and app.is_excluded(path, args.pattern, folder, everywhere=True):
            if args.forget:
                return _forget_later(app, path, args.pattern, folder, what)
            print(
                f"photoscope: {what} is already excluded (`photoscope folders list` shows the rules)",
                file=sys.stderr,
            )
            return EXIT_FAILED  # nothing to act on: the rule is there (a well formed command)
        # A path not there names a folder to come, unless the library holds a photo there (its
        # drive unplugged): that photo leaves (the review of stop 44).
        later = path is not None and not path.exists() and not app.holds_photo_at(path)
        if args.action == "exclude" and not _sure(app.exclusion_takes(path, args.pattern, folder), args):
            return EXIT_USAGE
        if args.action == "exclude":
            report = app.exclude(path, args.pattern, folder, forget=args.forget)
        else:
            report = app.include(path, args.pattern, folder)
    except ValueError as error:
        print(f"photoscope: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "exclude":
        note = " (no such folder yet: its photos are left out when it appears)" if later else ""
        why = "" if report.removed or args.pattern is None else f": {pattern_names_files(what)}"
        kept = "" if args.forget or not report.removed else f" ({KEPT_SHORT})"
        print(f"excluded {what}{note}; {plural(len(report.removed), 'photo')} left the index{kept}{why}")
        if args.forget:
            _name_copies(app)
    else:
        why = _still_out(report) or _hidden_out(app, path, report)
        print(f"included {what} again; {came_back(report)}{why}")
    return 0


def _forget_later(
    app: Photoscope, path: Path | None, pattern: str | None, folder: Path | None, what: str
) -> int:
    """``exclude --forget`` of a rule already there: keep nothing of its photos now (the exclusion
    said "--forget keeps none", then refused it as "already excluded": audit 94, defect 2)."""
    forgotten = app.forget_excluded(path, pattern, folder)
    print(
        f"{what} was already excluded; forgot the captions and vectors kept of"
        f" {plural(forgotten, 'photo')} it leaves out: nothing of them is kept"
    )
    _name_copies(app)
    return 0


def _name_copies(app: Photoscope) -> None:
    """After a forget: the library's copies beside it, which still hold what it held then."""
    copies = app.library_copies()
    if copies:
        listed = ", ".join(safe_text(str(c)) for c in copies)
        print(f"note: older copies of the library still hold them; delete these to erase them too: {listed}")


def _still_out(report: ScanReport) -> str:
    """What another rule still leaves out of the photos the dropped rule did."""
    said = still_left_out_note(
        report.still_left_out, bool(report.added), report.still_left_out_by_ignore_files
    )
    if not said:
        return ""
    return f"{';' if report.added else ':'} {said} (`photoscope folders list` shows the rules)"


def _hidden_out(app: Photoscope, path: Path | None, report: ScanReport) -> str:
    """Why none of an included folder's photos came back when it is hidden and hidden folders are
    left out: "no photo came back" was true, and said nothing of why (audit 100's notes)."""
    if report.added or path is None or not app.left_out_as_hidden(path):
        return ""
    return ": it is hidden, and hidden folders are left out (`photoscope folders hidden on` indexes them)"


def _sure(takes: tuple[int, int], args: argparse.Namespace) -> bool:
    """Whether a rule may take its photos out: asked, as the window asks, when it takes half or
    more of its folders' (their captions and vectors go: ``folders exclude --pattern '*'`` took
    every photo's at once, with no question: the CLI audit of stop 47). Without a terminal to
    ask on, ``--yes`` says it."""
    from photoscope.api import wide_exclusion

    taken, of = takes
    if not wide_exclusion(taken, of):
        return True
    share = f"all {of:,}" if taken == of else f"{taken:,} of the {of:,}"
    kept = "nothing of them kept" if args.forget else KEPT
    said = f"this rule takes {share} photos of its folder out of the index ({kept})"
    return confirmed(said, "exclude them", args.yes, "nothing excluded")


def came_back(report: ScanReport, how: str = "back") -> str:
    """What a rule dropped (or hidden folders turned on) brought back: photos written back from the
    library's stash, and those that wait to be indexed (taken out over a month ago, changed since,
    or never indexed: ``exclusions.Stash``).
    ``how``: "found" where the photos may never have been in the index (hidden ones, the CLI audit:
    "2 photos back" for photos indexed never)."""
    if not report.added:
        return f"no photo {'came back' if how == 'back' else 'found'}"
    waiting = len(report.added) - report.restored
    if not waiting:
        return f"{plural(len(report.added), 'photo')} back in the index"
    it, wait = ("it", "it waits") if waiting == 1 else ("them", "they wait")
    if waiting < len(report.added):  # the others were written back indexed (audit 100's notes)
        wait = f"{waiting:,} of them {'waits' if waiting == 1 else 'wait'}"
    return (
        f"{plural(len(report.added), 'photo')} {how}: {wait} to be indexed"
        f" (`photoscope index` indexes {it} now, a running app or `index --watch` as soon as it sees {it})"
    )


def run_hidden(app: Photoscope, args: argparse.Namespace) -> int:
    """``folders hidden [on|off]``: set whether hidden folders and files are indexed, or say it."""
    value = None if args.path is None else str(args.path).lower()
    if value is None:
        print(hidden_line(app.indexes_hidden()))
        return 0
    if value not in ("on", "off"):
        print(f"photoscope: folders hidden takes on or off, not {args.path}", file=sys.stderr)
        return EXIT_USAGE
    on = value == "on"
    report = app.set_indexes_hidden(on)
    if on:
        print(f"hidden folders and files are indexed; {came_back(report, 'found')}")
    else:
        print(f"hidden folders and files are left out; {plural(len(report.removed), 'photo')} left the index")
    return 0


def hidden_line(on: bool) -> str:
    if on:
        return "hidden folders and files: indexed (`photoscope folders hidden off` leaves them out)"
    return "hidden folders and files: left out (`photoscope folders hidden on` indexes them)"


def print_rules(app: Photoscope, folder: str) -> None:
    """The rules of one watched folder, indented under it (``folders list``)."""
    for rule in app.exclusion_rules(folder):
        print(f"  excluded: {safe_text(rule.describe())}")
    for ignored, name in app.left_out_by_ignore_files(folder):
        print(f"  left out by its {name} file: {safe_text(ignored)}")
