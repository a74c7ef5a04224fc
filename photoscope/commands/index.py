"""``photoscope index``, ``photoscope folders`` and ``photoscope status``: the library from the shell."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photoscope.commands.common import (
    EXIT_DAMAGED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_UNWRITABLE,
    EXIT_USAGE,
    NAME_TOO_LONG,
    add_db_option,
    add_model_option,
    confirmed,
    damaged_line,
    intermix,
    log_in_one_line,
    name_too_long,
    positive_int,
    reads_library,
    user_path,
)
from photoscope.commands.exclude import hidden_line, print_rules, run_hidden, run_rule
from photoscope.wording import (
    FULL_DISK_LIBRARY,
    READ_ONLY_LIBRARY,
    kept_aside,
    kept_note,
    plural,
    refused_way_out,
    safe_stored,
    safe_text,
    unreadable_aside,
)

if TYPE_CHECKING:
    from photoscope.api import Folder, PhotoCounts, Photoscope, ScanReport


def _open(args: argparse.Namespace) -> Photoscope:
    """The app with its library opened now, so a damaged, locked or newer library is said before any
    work (the error goes up to ``cli.main``, which says it in one line)."""
    from photoscope.api import Photoscope

    app = Photoscope(args.db, getattr(args, "model", None))
    try:
        return app.open()
    except BaseException:
        app.close()
        raise


def _print_scan_problems(report: ScanReport) -> None:
    """What the scan could not look at (kept as it was) or cannot index: never silent; and the
    watched folders it found moved into others; the exclusion rules that followed what they name."""
    for old, place in ((safe_text(o), safe_text(p)) for o, p in report.rules_followed):
        print(f"left out still: {old} is {place} now, and its exclusion rule follows it")
    for old, place in ((safe_text(o), safe_text(p)) for o, p in report.arrived):
        print(
            f"the photos of the watched folder {old} are in {place} now: they keep their index entries;"
            f" {old} stays watched (photoscope folders remove {old}, if you want it no more)"
        )
    for folder, kept in ((safe_text(f), k) for f, k in report.replaced):
        were = "was" if kept == 1 else "were"
        print(
            f"another folder is at {folder} now than the one {plural(kept, 'photo')} {were} indexed from"
            " (moved or renamed?): they are kept until you add its new place (photoscope folders add"
            f" NEW-PLACE), or remove {folder} and add it again to let them go"
        )
    for folder, mount in ((safe_text(f), safe_text(m)) for f, m in report.other_drive):
        print(
            f"another drive is mounted at {mount} than the one {folder}'s photos were indexed from:"
            f" they are kept, offline, until it is back (photoscope folders remove {folder}, then add it"
            " again, to index this drive in their place)"
        )
    for path in report.unfollowed_ignore_files:
        folder = safe_text(os.path.dirname(path))
        print(
            f"not followed: {safe_text(path)}: it would leave out a watched folder"
            f" (photoscope folders remove {folder} to leave its photos out)"
        )
    for path, note in report.unreadable.items():
        print(f"could not read ({note}): {safe_text(path)}")
    for path, why in report.skipped:
        print(f"not indexed: {safe_stored(path)}: {why}")
    for path in report.absent_mounts:
        print(
            f"drive not mounted (its photos stay in the index; plug it in to update them): {safe_text(path)}"
        )
    for path in report.away_links:
        print(f"link leads to nothing now (its photos stay in the index): {safe_text(path)}")


def _check_dirs(paths: list[Path]) -> list[str]:
    """Messages for paths that cannot be watched; empty when all are folders."""
    problems = []
    for path in paths:
        if name_too_long(path):  # before exists(), which raises for it: exit 1, not a wrong path's 2
            problems.append(f"{path}: {NAME_TOO_LONG}")
        elif not path.exists():
            problems.append(f"{path}: no such folder")
        elif not path.is_dir():
            problems.append(f"{path}: not a folder (give the folder that holds your photos)")
    return problems


def _add_folders(app: Photoscope, paths: list[Path]) -> list[str] | None:
    """The watched folders (or parts of one) ``paths`` are, added where new; None, said, when one
    cannot be watched."""
    from photoscope.api import FolderPartOfWatched, LibraryError

    added = []
    for path in paths:
        try:
            folder = app.add_folder(path)
            if folder.moved_from is not None:
                print(_added_line(folder))
            added.append(folder.path)
        except FolderPartOfWatched as part:  # indexed as its part: scanned as asked (audit 96: exit 2)
            print(
                safe_text(f"{part.folder} is watched already as part of {part.watched}: indexing that part")
            )
            added.append(part.folder)
        except LibraryError as error:
            if type(error) is not LibraryError:
                raise  # locked, read-only, damaged: said by cli.main with its own exit status
            print(f"photoscope: {error}", file=sys.stderr)
            return None
    return added


def _added_line(folder: Folder, db: Path | None = None) -> str:
    """What adding ``folder`` did, and what indexes it: the app running on library ``db`` (it
    watches its library's folders) or `photoscope index` (the fresh-seat audit of stop 49: it was
    said with the window indexing the folder already)."""
    taken_in = "".join(f"; {child}, watched until now, is part of it" for child in folder.absorbed)
    if folder.moved_from is None:
        from photoscope.commands.remote import app_running

        indexed = "the running app indexes it" if app_running(db) else "run `photoscope index` to index it"
        return f"watching {folder.path}{taken_in}; {indexed}"
    kept = (
        "photo keeps its index entry"
        if folder.photos == 1
        else f"{plural(folder.photos, 'photo')} keep their index entries"
    )
    return f"watching {folder.path}: the folder {folder.moved_from} moved here, and its {kept}{taken_in}"


def index(args: argparse.Namespace) -> int:
    with _terminate_as_interrupt():  # a `kill` during the first run, or the watch, stops as Ctrl-C does
        try:
            return _index(args)
        except KeyboardInterrupt as stopped:  # before the indexing, which says what is left itself
            print(_interrupted_before_line(args.paths), file=sys.stderr)
            return _stopped_status(stopped)


def _stopped_status(stopped: KeyboardInterrupt) -> int:
    """The exit status of a run stopped by Ctrl-C, or by a kill (``Terminated``)."""
    return EXIT_TERMINATED if isinstance(stopped, Terminated) else EXIT_INTERRUPTED


def _interrupted_before_line(paths: list[Path]) -> str:
    """What an `index` stopped before it indexed says: the command that goes on (audit 96: "interrupted"
    alone, 0.3 s in, the folder given not watched and nothing said of it)."""
    again = " ".join(["photoscope index", *(shlex.quote(safe_text(str(p))) for p in paths)])
    return f"interrupted before indexing began: run `{again}` again (nothing is lost)"


def _index(args: argparse.Namespace) -> int:
    log_in_one_line()
    problems = _check_dirs(args.paths)
    if problems:
        print("\n".join(f"photoscope: {p}" for p in problems), file=sys.stderr)
        return EXIT_USAGE

    with _open(args) as app:
        if app.library_read_only:
            why = (
                f"the disk holding {app.library_path} is full: free some space, then try again"
                if app.library_disk_full
                else f"{app.library_path} is read-only: {READ_ONLY_LIBRARY} (fix the permissions, or"
                " choose another --db)"
            )
            print(f"photoscope: {why}", file=sys.stderr)
            return EXIT_UNWRITABLE
        version = app.model_version()  # reads the bundle now: a missing model is said before any work
        folders = _add_folders(app, args.paths)
        if folders is None:
            return EXIT_USAGE
        adopted = app.adopt_vectors()
        if adopted:
            # "another": going back to a model is no earlier one (audit 76, repro_3)
            print(f"kept the vectors of {adopted} photos another model on the same encoder indexed")
        if args.watch:  # watch from before the scan: what is copied in during the first indexing counts
            app.watch(_print_changes)
        report = app.scan(folders or None)
        print(f"scanned: {report.summary()}")
        _print_offline(report)
        _print_scan_problems(report)
        try:
            code = _run_worker(app, args)
            return _after_indexing(app, args, code, report, (folders, adopted, version))
        except KeyboardInterrupt as stopped:  # Ctrl-C or a kill from the indexing on: what is done is kept
            print(_interrupted_line(app.pending_count()), file=sys.stderr)
            return _stopped_status(stopped)


def _after_indexing(
    app: Photoscope, args: argparse.Namespace, code: int, report: ScanReport, run: tuple[list[str], int, str]
) -> int:
    """The rest of an `index` once the first indexing ran (``run``: the folders scanned, the vectors
    adopted, the model's version): a second scan where folders went away, old captions written
    again, the watch (it says its own stop), the counts and the library's check."""
    folders, adopted, version = run
    again = app.scan_if_folders_went_away(folders or None)
    if again is not None:
        print(f"folders went away while indexing; scanned again: {again.summary()}")
        _print_offline(again)
    if not code and (report.unreadable or report.skipped):
        code = EXIT_FAILED  # "some file could not be processed" (the CLI audit: it exited 0)
    _rewrite_old_captions(app, args, adopted)
    if args.watch:  # a watch stopped by Ctrl-C is done: its runs print their errors as they go
        code = _watch(app, args)
    print(f"model {version}; {_counts_line(app.photo_counts())}")
    _print_waiting_offline(app)
    damage = app.damage_found(thorough=True)
    if damage:
        print(f"photoscope: {damaged_line(app.library_path, damage[0])}", file=sys.stderr)
        return EXIT_DAMAGED
    return code


def _interrupted_line(pending: int) -> str:
    """What an `index` stopped while indexing says (the fresh-seat audit of stop 53: "interrupted"
    alone, 22 photos left waiting unsaid): how many wait, and that running it again goes on."""
    if not pending:
        return "interrupted (every photo is indexed)"
    are = "is" if pending == 1 else "are"
    return (
        f"interrupted: {plural(pending, 'photo')} {are} still to index; run `photoscope index` again"
        " to go on (what is indexed is kept)"
    )


def _run_worker(app: Photoscope, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from photoscope.api import IndexOptions, IndexProgress

    if not app.indexing_waits():  # the network is not loaded for nothing (2 s of PyTorch's import)
        app.back_up()  # as a run ends: the scan's moves and removals in the rolling backup
        print("indexed 0 photos, 0 could not be read")
        return 0

    total = app.pending_count()
    bar = tqdm(total=total, unit="photo", disable=args.quiet or None, dynamic_ncols=True)

    def show(p: IndexProgress) -> None:
        bar.total = p.total
        bar.update(p.done - bar.n)
        bar.set_postfix(errors=p.errors, refresh=False)

    def waiting() -> None:
        bar.write("another Photoscope is indexing this library: waiting for it to finish (Ctrl-C stops)")

    worker = app.indexer(show, IndexOptions(batch_size=args.batch_size), on_wait=waiting)
    started = datetime.now(UTC)
    try:
        result = worker.run()
    finally:
        bar.close()
    print(f"indexed {plural(result.indexed, 'photo')}, {result.errors} could not be read", end="")
    if result.errors:
        _print_failed_now(app, started, result.errors)
    else:
        print()
    return EXIT_FAILED if result.errors else 0


# A run's failures named where they happened (audit 84's note: only `status` named them), up to this many.
FAILED_NAMED = 10


def _print_failed_now(app: Photoscope, started: datetime, count: int) -> None:
    """The photos this run could not read, each with why and what to do, as `status` lists them."""
    print(":")
    for path, reason in app.errors(FAILED_NAMED, since=started):
        print(f"  {safe_text(path)}: {reason}")
    if count > FAILED_NAMED:
        print(f"  ... and {count - FAILED_NAMED} more (`photoscope status --all` lists them)")


def _rewrite_old_captions(app: Photoscope, args: argparse.Namespace, adopted: int = 0) -> None:
    """Captions an older caption rule wrote (an upgrade), all written again from the stored vectors:
    the decoder runs again, no photo is decoded (about 11 s per 1,000 photos on 2 cores). The app
    does it in its idle moments; a command-line user asked for an up-to-date library now. Ctrl-C
    stops between batches; the rest wait for the next run."""
    from tqdm import tqdm

    total = app.captions_to_rewrite()
    if not total:
        return
    with tqdm(total=total, unit="photo", desc="re-captioning", disable=args.quiet or None) as bar:
        done = app.rewrite_captions(on_batch=bar.update)
    # why: another model's captions (``adopted``: their vectors kept), else an older rule's; it said
    # "the caption rule changed" after --model switched models (audit 76, repro_3)
    why = "their captions were written by another model" if adopted else "the caption rule changed"
    print(f"re-captioned {done} photos from their stored vectors ({why})")


def _print_changes(report: ScanReport) -> None:
    print(f"changes: {report.summary()}", flush=True)
    for path in report.offline:
        print(f"offline: {safe_text(path)}", flush=True)
    for path in report.back_online:
        print(f"back online: {safe_text(path)}", flush=True)
    _print_scan_problems(report)


def _watch(app: Photoscope, args: argparse.Namespace) -> int:
    from photoscope.api import IndexOptions, IndexProgress

    def done(p: IndexProgress) -> None:
        if p.done == p.total:
            print(f"indexed {plural(p.indexed, 'photo')}, {plural(p.errors, 'error')}", flush=True)

    print("watching for changes; press Ctrl-C to stop", flush=True)
    # The scan above was the catch-up, and the folders have been watched since before it.
    app.start_background(
        done, _print_changes, catch_up=False, options=IndexOptions(batch_size=args.batch_size)
    )
    if app.serve():  # `photoscope search` asks this process instead of loading the model itself
        print("answering searches on this library", flush=True)
    try:
        _wait_for_interrupt()
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        app.stop_background()
    return 0


def _wait_for_interrupt() -> None:
    threading.Event().wait()  # until Ctrl-C raises KeyboardInterrupt in this (the main) thread


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is; its exit status is 143 (128 + its number), as the window's and
    as a shell reports a killed process (the reliability audit of stop 60: it was Ctrl-C's 130)."""


EXIT_TERMINATED = 128 + signal.SIGTERM


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a plain `kill`, a service manager) stops `index` as Ctrl-C does: a watch ends its
    batch and closes its search socket, a first run says "interrupted". It ended the process at once
    (exit 143, a watch's socket left behind), the review found also during a watch's first run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signal: int, _frame: object) -> None:
        raise Terminated

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def folders(args: argparse.Namespace) -> int:
    from photoscope.api import FolderPartOfWatched, LibraryError, folder_path

    log_in_one_line()  # a backup that cannot be written is one "photoscope: …" line (it had no prefix)
    with _open(args) as app:
        if args.action == "list":
            if args.path is not None or args.pattern is not None:  # else ignored, as if understood
                print("photoscope: folders list takes no PATH or --pattern", file=sys.stderr)
                return EXIT_USAGE
            for f in app.folders():
                state = "online" if f.online else "no permission" if f.refused else "offline"
                photos = plural(f.readable, "photo") + unreadable_aside(f.unreadable) + kept_aside(f.away)
                # a newline or a tab in a folder's name split the row (the CLI audit of stop 57)
                print(f"{safe_text(f.path)}\t{state}\t{photos}\tlast scan {f.last_scan_at or 'never'}")
                print_rules(app, f.path)
            print(hidden_line(app.indexes_hidden()))
            return 0
        if args.action in ("exclude", "include"):
            return run_rule(app, args)
        if args.action == "hidden":
            return run_hidden(app, args)
        if args.path is None:
            print(f"photoscope: folders {args.action} needs a PATH", file=sys.stderr)
            return EXIT_USAGE
        try:
            if args.action == "add":
                problems = _check_dirs([args.path])
                if problems:
                    print(f"photoscope: {problems[0]}", file=sys.stderr)
                    return EXIT_USAGE
                folder = app.add_folder(args.path)
                added = (
                    f"{folder.path} is watched already" if folder.already else _added_line(folder, args.db)
                )
                print(safe_text(added))
            else:
                if not _sure_to_remove(app, args):
                    return EXIT_USAGE
                removed = app.remove_folder(args.path)
                stopped = (
                    f"stopped watching {folder_path(args.path)}; {plural(removed, 'photo')} left the index"
                )
                print(safe_text(stopped))
        except LibraryError as error:
            if type(error) not in (LibraryError, FolderPartOfWatched):
                raise  # locked, read-only, damaged: said by cli.main with its own exit status
            print(f"photoscope: {error}", file=sys.stderr)
            # remove: a folder that is not watched; add: one inside a watched one, or one that would
            # take a hidden watched folder out of the index: a path that cannot be taken, as `index PATH`
            return EXIT_USAGE
    return 0


def _print_waiting_offline(app: Photoscope) -> None:
    """The photos that wait to be indexed in folders that are offline: nothing indexes them until
    they are back (audit 98, repro_3: `index` indexed none again and again without saying why)."""
    for folder in app.folders():
        if not folder.online and folder.pending:
            them = plural(folder.pending, "photo")
            print(f"{them} wait for their folder to come back: {safe_text(folder.path)} is offline")


def _kept_offline(folder: Folder) -> str:
    """What an offline folder's photos are: searchable, or waiting for it to be back to be indexed
    (audit 98, repro_3: a library rebuilt from its backup while its drive was unplugged said
    "still searchable" of photos with no vectors)."""
    waiting = folder.pending
    if not waiting:
        return "photos kept, still searchable"
    if waiting >= folder.readable:
        return "photos kept, to be indexed when it is back"
    return f"photos kept, {folder.readable - waiting:,} searchable, {waiting:,} to be indexed when it is back"


def _sure_to_remove(app: Photoscope, args: argparse.Namespace) -> bool:
    """Whether a watched folder may go, its photos with it (their captions and vectors: indexed
    again if it is added back), as the window's Remove asks (the fresh-seat audit of stop 52: no
    question was asked). A folder with no photo goes without one."""
    held = app.photos_in_folder(args.path)
    said = f"removing {args.path} takes its {plural(held, 'photo')} out of the index, with their captions"
    return not held or confirmed(said, "remove it", args.yes, "the folder is still watched")


def status(args: argparse.Namespace) -> int:
    with _open(args) as app:
        print(f"library: {app.library_path}")
        if app.library_read_only:  # the full disk said as such, as `index` says it (audit 89's notes)
            print(f"read-only: {FULL_DISK_LIBRARY if app.library_disk_full else READ_ONLY_LIBRARY}")
        # First, so the damage is said whichever of the queries below it would break. A cheap check of
        # every table's first pages, not SQLite's quick_check: that reads the whole file (seconds at
        # 100,000 photos); the thorough check is `photoscope doctor`'s.
        damage = app.damage_found()
        if damage:
            print(f"DAMAGED: {damage[0]}: run `photoscope doctor --repair` (it keeps a copy of the file)")
            return EXIT_DAMAGED
        counts = app.photo_counts()
        print(f"photos: {counts.total} ({_counts_line(counts)})")
        _print_folders(app)
        _print_models(app)
        _print_failures(app, counts, args.all)
    return 0


def _print_offline(report: ScanReport) -> None:
    """The folders the scan found away; one there that refuses this user is said among the folders
    it could not read (the CLI audit of stop 55: it was both)."""
    followed = {folder for folder, _ in report.arrived}  # said next, with where its photos are
    for path in report.offline:
        if path in followed:
            print(f"offline: {safe_text(path)}")
        elif path not in report.unreadable:
            print(f"offline (its photos stay in the index): {safe_text(path)}")


# What to do about an offline folder (the README's "A watched folder moved or renamed as a whole").
OFFLINE_HINT = (
    "moved or renamed? add its new place (photoscope folders add NEW-PLACE): its photos follow,"
    " nothing is indexed again; unplugged? plug it in"
)


def nothing_kept_hint(folder: str) -> str:
    """What to do about an offline folder the index keeps no photo of."""
    return (
        f"nothing of it is kept: photoscope folders remove {safe_text(folder)} if you want it no more;"
        " unplugged? plug it in"
    )


def _print_folders(app: Photoscope) -> None:
    """The watched folders, each with its photos, and whether it is offline; then how many exclusion
    rules leave photos out of them (only ignore files were said: the fresh-seat audit)."""
    all_folders = app.folders()
    print(f"folders: {len(all_folders)}")
    for f in all_folders:
        unreadable = f", {f.unreadable:,} could not be read" if f.unreadable else ""
        away = "NO PERMISSION to read it" if f.refused else "OFFLINE"
        # no "add its new place" for one that keeps nothing: `folders add` refuses it there
        empty = f.away_keeping_nothing
        kept = "none of its photos in the index" if empty else _kept_offline(f)
        note = "" if f.online else f", {away}: {kept}"
        note += f", {kept_note(f.away)}" if f.away else ""
        print(f"  {safe_text(f.path)} ({plural(f.readable, 'photo')}{unreadable}{note})")
        if f.refused:
            print(f"    {safe_text(refused_way_out(f.path, f.refused_at))}")
        elif empty:
            print(f"    {nothing_kept_hint(f.path)}")
        elif not f.online:
            print(f"    {OFFLINE_HINT}")
    rules = len(app.exclusion_rules())  # as `folders list` lists them: a pattern once per folder
    if rules:
        print(f"exclusion rules: {rules:,} (`photoscope folders list` lists them)")


def _print_models(app: Photoscope) -> None:
    """The model versions that described the photos, and the captions a new caption rule awaits."""
    versions = app.model_versions()
    print("model: " + (", ".join(f"{v} ({plural(n, 'photo')})" for v, n in versions.items()) or "none yet"))
    waiting = app.captions_to_rewrite(any_model=True)
    if waiting:
        print(
            f"captions: {waiting} photos wait for captions by the new caption rule"
            " (`photoscope index` writes them now, the app when it is idle)"
        )


def _print_failures(app: Photoscope, counts: PhotoCounts, everything: bool) -> None:
    """The photos that could not be indexed, the folders an ignore file leaves out, and what could
    not be looked at: 20 of each kind unless ``everything``."""
    errors = app.errors(None if everything else 20)
    if errors:
        print(f"could not index {plural(counts.error, 'photo')}:")
        for path, reason in errors:
            print(f"  {safe_text(path)}: {reason}")
        if counts.error > len(errors):
            print(f"  ... and {counts.error - len(errors)} more (--all lists them)")
    # Folders an ignore file leaves out are the user's choice, not a failure (the review of stop 44).
    ignored = app.left_out_by_ignore_files()
    if ignored:
        print(f"left out by an ignore file: {plural(len(ignored), 'folder')} (`photoscope folders list`)")
    problems = app.scan_problems(ignored=False)
    if problems:
        print(f"could not look at or index ({len(problems):,}):")
        for path, reason in problems if everything else problems[:20]:
            print(f"  {safe_stored(path)}: {reason}")
        if len(problems) > 20 and not everything:
            print(f"  ... and {len(problems) - 20} more (--all lists them)")


def _counts_line(counts: PhotoCounts) -> str:
    return f"{counts.indexed} indexed, {counts.pending} pending, {plural(counts.error, 'error')}"


def register(sub: Any) -> None:
    p = sub.add_parser("index", help="watch folders and index their photos")
    p.add_argument(
        "paths", nargs="*", type=user_path, metavar="PATH", help="folders to add (default: rescan all)"
    )
    p.add_argument("--watch", action="store_true", help="keep watching for changes until Ctrl-C")
    p.add_argument(
        "--batch-size", type=positive_int, default=16, help="photos per model batch and transaction"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_db_option(p)
    add_model_option(p)
    p.set_defaults(handler=index, reads_library=lambda a: not a.paths)  # a rescan of all: of what?

    f = sub.add_parser(
        "folders",
        help="list, add or remove watched folders; exclude or include their subfolders and files;"
        " index hidden folders or not",
        description="folders list: the watched folders and their exclusions. folders add|remove PATH:"
        " watch a folder, or stop watching it (its photos leave the index; a folder moved or renamed"
        " is followed when added at its new place). folders exclude|include PATH: leave a subfolder"
        " or one photo (its path, exactly) out of the index, or take it back; with --pattern GLOB,"
        " the files matching it in any case (in the folder PATH, or in every watched folder)."
        " folders hidden on|off: index hidden folders and files (names starting with '.') below"
        " the watched folders, or leave them out (the default); a watched folder that is itself"
        " hidden is always indexed. Without on or off it says which.",
    )
    intermix(f)  # `folders exclude --pattern '*.png' ~/Pictures`, as the README writes it
    f.add_argument(
        "action",
        choices=("list", "add", "remove", "exclude", "include", "hidden"),
        metavar="{list,add,remove,exclude,include,hidden}",
        help="what to do (list: the watched folders and their rules)",
    )
    f.add_argument(
        "path", nargs="?", type=user_path, metavar="PATH", help="the folder; for hidden: on or off"
    )
    f.add_argument(
        "--pattern",
        metavar="GLOB",
        help="exclude/include files matching a glob: '*.png' by name, 'Screenshots/*' by path in the folder",
    )
    f.add_argument(
        "--yes",
        action="store_true",
        help="remove a folder, or exclude half or more of its photos, without asking",
    )
    f.add_argument(
        "--forget",
        action="store_true",
        help="exclude: keep nothing of the photos taken out (a private folder); without it their captions"
        " and vectors stay in the library for a month, so that they come back without being indexed again",
    )
    add_db_option(f)
    f.set_defaults(handler=folders, reads_library=lambda a: a.action != "add")

    s = sub.add_parser("status", help="what the library holds: counts, errors, offline folders, model")
    s.add_argument("--all", action="store_true", help="list every error, not just the first 20")
    add_db_option(s)
    s.set_defaults(handler=status, reads_library=reads_library)
