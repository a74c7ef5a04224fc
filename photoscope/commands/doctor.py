"""``photoscope doctor [--repair]``: check the library, and repair what can be rebuilt."""

from __future__ import annotations

import argparse
import errno
import sys
from typing import TYPE_CHECKING, Any

from photoscope.commands.common import (
    EXIT_DAMAGED,
    EXIT_UNWRITABLE,
    add_db_option,
    add_model_option,
    index_command,
    log_in_one_line,
    reads_library,
)
from photoscope.wording import plural

if TYPE_CHECKING:
    from photoscope.api import DoctorReport


def doctor(args: argparse.Namespace) -> int:
    from photoscope.api import Photoscope

    log_in_one_line()  # a backup that cannot be written is one "photoscope: …" line
    with Photoscope(args.db, args.model) as app:
        print(f"library: {app.library_path}")
        # Refused while another Photoscope has the library open (``LibraryHeldElsewhere``: exit 3).
        report = app.doctor(repair=args.repair)
        waiting = app.photo_counts().pending if report.ok and report.problems else 0
    for line in report.lines():
        print(line)
    if report.ok and report.backup_unwritten:  # "all good" said the library is safe: it is not backed up
        print(
            "photoscope: the library checks out, but its backup cannot be written"
            f" ({report.backup_unwritten}): {_backup_way_out(report)}, then run `photoscope doctor` again",
            file=sys.stderr,
        )
        return EXIT_UNWRITABLE
    if report.ok and report.vectors_blocked is not None:  # not damage: in the way of the vectors file
        print(
            "photoscope: the library checks out, but a folder stands where the search's vectors file"
            f" goes ({report.vectors_blocked}): move it away (each search reads the library meanwhile,"
            " slower), then run `photoscope doctor` again",
            file=sys.stderr,
        )
        return EXIT_UNWRITABLE
    if report.ok:
        if not report.problems:
            print("all good")
        elif waiting:  # the photos whose vectors were lost, and new ones
            print(f"repaired; run `{index_command(args)}` to index the {plural(waiting, 'photo')} waiting")
        else:
            print("repaired")
        return 0
    if report.repairable:
        print(
            "run `photoscope doctor --repair` to repair it (a damaged library file is moved aside, never"
            " deleted)",
            file=sys.stderr,
        )
    return EXIT_DAMAGED


def register(sub: Any) -> None:
    p = sub.add_parser(
        "doctor",
        help="check the library's integrity; --repair rebuilds what can be rebuilt",
        description="Checks SQLite's integrity, the text search index, the vectors against the photos, "
        "thumbnails and the model version. --repair moves a damaged file aside (never deletes it) and "
        "builds a new library from what can be read and from the rolling backup: the folder list, "
        "photo ids and captions are kept, and photos whose vectors were lost are re-encoded by the next "
        "`photoscope index`.",
    )
    p.add_argument("--repair", action="store_true", help="repair what can be rebuilt")
    add_db_option(p)
    add_model_option(p)
    p.set_defaults(handler=doctor, reads_library=reads_library)


def _backup_way_out(report: DoctorReport) -> str:
    """What lets the backup be written, for the system's reason it was not: space cannot help a
    folder standing at its place (audit 98, repro_5)."""
    place = report.backup_file
    if report.backup_errno in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST):
        return f"move away what stands at {place}"
    if report.backup_errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"let Photoscope write in {place.parent}"
    if report.backup_errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some space"
    return f"make sure {place} can be written"
