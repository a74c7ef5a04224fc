"""Mark-and-sweep scanning: bring the index in step with what is on disk.

A scan walks the watched folders (or just the paths a watcher saw change), compares every file's stat
with the stored rows in bulk (one query per target, no per-file SQL, no hashing of unchanged files) and
records in one transaction what it found:

- new files become pending photos;
- files whose size or mtime changed become pending again (their old caption stays until re-indexed);
- a file that vanished while a new one with the same partial hash (and, above the hash's two chunks,
  the same file time) appeared is a move: the row keeps its id, caption and vectors, only its path
  changes, and nothing is re-encoded;
- files that are gone leave the index, and so do those an exclusion rule or the hidden-folders setting
  leaves out (``library.exclusions``; hidden folders are not walked while the setting is off); a
  photo renamed to a name the index cannot hold (not UTF-8) is not gone: its entry waits for a name.

A folder whose root is missing (an unplugged drive) is marked offline and left alone, photos included;
the first scan after it returns brings it current. So is a root, or a directory inside a folder, that
was a mount point at an earlier scan and is not one now: an unplugged drive leaves its (empty, or
hidden-file-holding) mount point behind, which must not read as "every photo deleted". So is a folder
whose drive was mounted above it and is gone (its path may be made again on the disk below), and an
album linked in from elsewhere whose link now leads to nothing or to an empty directory. A folder
whose root is another directory than at the last scan, holding few of its photos (the folder renamed
away and one made again at its place), keeps the photos not there as moved away
(``Scanner._note_root``); found in another watched folder's scan, renamed there, they follow it
(``Scanner._kept_arrived``). A directory or file that cannot be looked at is never taken as empty or
gone either, so a permission problem does not drop photos; it is reported
(``ScanReport.unreadable``) and recorded (``Library.problems``) with the names that cannot be
indexed (``ScanReport.skipped``).
"""

from __future__ import annotations

import bisect
import errno
import logging
import os
from collections.abc import Callable, Container, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from photoscope.library import relocation, thumbnails
from photoscope.library.db import Library
from photoscope.library.exclusions import (
    Stash,
    exclude,
    follow_moved_targets,
    hidden_below,
    ignored_because,
    indexes_hidden,
    left_out_by_rules,
    unfollowed_ignore_files,
)
from photoscope.library.fs import (
    HASH_CHUNK,
    UNSTORABLE,
    UNSTORABLE_FOLDER,
    FileStat,
    NotAFile,
    directory_identity,
    display_path,
    drive_identity,
    drive_of,
    has_size,
    hash_tells_edits,
    is_photo_name,
    is_under,
    mount_points,
    mounts_under,
    normalize_path,
    nothing_at,
    partial_hash,
    refusing_folder,
    same_drive,
    stat_photo,
    storable,
    unmounted,
    walk_photos,
)
from photoscope.library.records import Folder, Move, NewFile, StoredFile, StoredStat
from photoscope.wording import plural

log = logging.getLogger(__name__)

RemovedListener = Callable[[list[int]], None]
AWAY = "the link leads to nothing now (a drive unplugged, a folder renamed?): its photos are kept"
DRIVE_NOT_MOUNTED = (
    "the drive mounted here is gone (unplugged?): its photos are kept; plug it in to update them"
)
REFUSED = "permission denied: its photos are kept as they were; give the permission back to update them"


def other_drive(mount: str) -> str:
    """Why a folder is offline while another drive than its own is mounted at ``mount``."""
    return (
        f"another drive is mounted at {display_path(mount)} than the one its photos were indexed from:"
        " they are kept until that drive is back (to index this one in their place, remove the folder"
        " from the library and add it again)"
    )


MOVED_AWAY = "another folder is here now than the one "  # how ``moved_away`` begins, whatever the count


def moved_away(count: int) -> str:
    """Why photos of a folder are kept while another directory than theirs is at its place."""
    were = "was" if count == 1 else "were"
    return (
        f"{MOVED_AWAY}{plural(count, 'photo')} {were} indexed from (moved or"
        " renamed?): they are kept; add its new place to the library and they follow it (remove this"
        " folder and add it again to let them go)"
    )


@dataclass
class ScanReport:
    added: list[int] = field(default_factory=list)
    changed: int = 0
    moved: int = 0
    removed: list[int] = field(default_factory=list)
    unchanged: int = 0
    offline: list[str] = field(default_factory=list)  # folders found missing by this scan
    back_online: list[str] = field(default_factory=list)
    # folders and files looked at and not seen, in the order met, each with what the index keeps of
    # it ("the photo is kept as it was"), else why it could not be read (a link to itself, a folder
    # never indexed: nothing kept to say)
    unreadable: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (display path, why) never indexed
    absent_mounts: list[str] = field(default_factory=list)  # unplugged drives inside watched folders
    away_links: list[str] = field(default_factory=list)  # links to nothing now, whose photos were kept
    # linked-in directories the scan followed: (the link's path, its real path), for a watcher
    linked: list[tuple[str, str]] = field(default_factory=list)
    restored: int = 0  # new or changed photos a stash wrote back as indexed (nothing to encode again)
    left_out: list[str] = field(default_factory=list)  # photos the scan saw that the rules leave out
    # Of the photos exclusion rules dropped before the scan left out, those the library's other rules
    # or ignore files still leave out (``Indexing.include``, from ``left_out``), and of those, the
    # ones an ignore file leaves out and no rule
    still_left_out: int = 0
    still_left_out_by_ignore_files: int = 0
    retried: int = 0  # photos that could not be read for now, pending again (a whole folder scanned)
    arrived: list[tuple[str, str]] = field(default_factory=list)  # (offline folder, where its photos are)
    # (folder, mount point): offline, as another drive than its own is mounted there
    other_drive: list[tuple[str, str]] = field(default_factory=list)
    # (folder, photos kept): another directory is at the folder's place than its photos' (``moved_away``)
    replaced: list[tuple[str, int]] = field(default_factory=list)
    # ignore files at the top of the watched folders scanned whole, which leave nothing out
    # (``exclusions.unfollowed_ignore_files``)
    unfollowed_ignore_files: list[str] = field(default_factory=list)
    # (what a folder or photo rule named, where it is now): rules that followed what they name
    # (``exclusions.follow_moved_targets``), said by `index` and refreshing the library dialog
    rules_followed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def queued(self) -> int:
        """Photos this scan gave the worker to do."""
        return len(self.added) + self.changed + self.retried

    @property
    def anything(self) -> bool:
        return bool(self.queued or self.moved or self.removed or self.offline or self.back_online)

    def summary(self) -> str:
        # a photo written back from the stash is a new one, or one renamed over another (audit 98,
        # repro_6: "0 new (1 of them back as they were…)", where it was the changed one)
        new_back = min(self.restored, len(self.added))
        parts = [
            f"{len(self.added)} new{_back(new_back)}",
            f"{self.changed} changed{_back(self.restored - new_back)}",
            f"{self.moved} moved",
        ]
        parts += [f"{len(self.removed)} removed", f"{self.unchanged} unchanged"]
        if self.retried:
            parts.append(f"{self.retried} that could not be read tried again")
        return ", ".join(parts)


@dataclass
class _Sweep:
    """What one scan saw on disk and what the index holds for the same places."""

    seen: dict[str, FileStat] = field(default_factory=dict)
    stored: dict[str, StoredStat] = field(default_factory=dict)  # equal to ``seen``'s where unchanged
    targets: list[tuple[str, int]] = field(default_factory=list)  # (path walked, its folder's id)
    unreadable: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # unreadable path -> why
    skipped: list[tuple[str, str]] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)  # mount points whose drive is gone: keep what is below
    away: set[str] = field(default_factory=set)  # links to nothing, linked albums left empty: the same
    unstorable: list[str] = field(default_factory=list)  # photos whose names SQLite cannot hold
    unstorable_folders: list[str] = field(default_factory=list)  # folders so named: their photos too
    points: set[str] | None = None  # the system's mount points now (None: it cannot say)
    hidden: bool = False  # walk hidden folders and files too (the library's setting)
    own: list[str] = field(default_factory=list)  # never walked: thumbnails (``Scanner._own_folders``)
    roots: list[str] = field(default_factory=list)  # every watched folder: links into one are not followed
    folders: list[Folder] = field(default_factory=list)  # every watched folder, with its id
    moved_away: set[str] = field(default_factory=set)  # photos kept as moved away: never gone
    ruled_out: set[str] = field(default_factory=set)  # stored photos the exclusion rules leave out
    followed: list[Folder] = field(
        default_factory=list
    )  # folders whose kept photos followed (``_kept_arrived``)
    linked: list[tuple[str, str]] = field(default_factory=list)  # linked-in directories walked

    def skip(self, path: str, why: str) -> None:
        self.skipped.append((display_path(path), why))
        if why == UNSTORABLE:
            self.unstorable.append(path)
        elif why == UNSTORABLE_FOLDER:  # a folder renamed so: its photos are there, not gone
            self.unstorable_folders.append(path)

    def forget_unstorable(self, paths: set[str]) -> None:
        """Names the index cannot hold that the exclusion rules leave out: no one asked for them, so
        they are not reported (the CLI audit of stop 55: "rename the file" in an excluded folder)."""
        shown = {display_path(p) for p in paths}
        self.skipped = [s for s in self.skipped if s[0] not in shown]
        self.unstorable = [p for p in self.unstorable if p not in paths]
        self.unstorable_folders = [p for p in self.unstorable_folders if p not in paths]

    def away_keeping_photos(self) -> list[str]:
        """The links to nothing that kept photos (a link that never led to any is no news)."""
        return [link for link in sorted(self.away) if any(is_under(path, link) for path in self.stored)]

    def failed(self, error: OSError) -> None:
        path = str(error.filename)
        self.unreadable.append(path)
        self.reasons[path] = _why_unreadable(error)

    def note_unreadable(self, report: ScanReport) -> None:
        """Each path that could not be read, in ``reasons`` (for ``status``) and the report's notes:
        why, and what the index keeps of it, if anything (stop 57's Left list: a link to itself,
        never indexed, was said to keep "its photos")."""
        ordered = sorted(self.stored) if self.unreadable else []  # once: a folder's photos by prefix
        for path in list(self.unreadable):
            why = self.reasons.get(path, "cannot be read")
            kept = _kept(path, self.stored, ordered)
            if kept is None and why == LINK_LOOP and not is_photo_name(os.path.basename(path), True):
                # a leftover link `self.txt -> self.txt` made every index fail (the reliability
                # audit of stop 60): no photo's name, none below it: nothing to say
                self.unreadable.remove(path)
                del self.reasons[path]
                continue
            self.reasons[path] = f"cannot be read: {why}" + (f"; {kept}" if kept else "")
            report.unreadable[path] = kept or why


LINK_LOOP = "a link that leads back to itself"


def _back(restored: int) -> str:
    """What a count of the scan's says of the photos among it a stash wrote back (``summary``)."""
    if not restored:
        return ""
    were = "it was" if restored == 1 else "they were"
    return f" ({restored} of them back as {were}: not encoded again)"


def _why_unreadable(error: OSError) -> str:
    if error.errno == errno.ELOOP:  # "too many levels of symbolic links"
        return LINK_LOOP
    return str(error.strerror or error)


KEPT_PHOTO = "the photo is kept as it was"
KEPT_PHOTOS = "its photos are kept as they were"


def _kept(path: str, stored: Container[str], ordered: Sequence[str]) -> str | None:
    """What the index keeps of a path that cannot be read: its photo's entry, or the entries of the
    photos below it (``ordered``: the stored paths, sorted); None when it holds none."""
    if path in stored:
        return KEPT_PHOTO
    below = path.rstrip(os.sep) + os.sep
    at = bisect.bisect_left(ordered, below)
    if at < len(ordered) and ordered[at].startswith(below):
        return KEPT_PHOTOS
    return None


class Scanner:
    """Scans watched folders into ``library``. Thumbnails of moved photos follow them (the small PNG is
    re-filed under the new name; the photo is not decoded) and those of deleted photos are removed."""

    def __init__(
        self,
        library: Library,
        on_removed: RemovedListener | None = None,
        thumbnail_root: Path | None = None,
        stash: Stash | None = None,
    ) -> None:
        self.library = library
        self.on_removed = on_removed
        self.thumbnail_root = thumbnail_root
        self.stash = stash  # keeps what exclusion rules take out, so it comes back without encoding

    def check_folders(self, report: ScanReport | None = None, points: set[str] | None = None) -> list[Folder]:
        """Mark folders whose root vanished offline and returned ones online; returns the online folders."""
        report = report if report is not None else ScanReport()
        points = mount_points() if points is None else points
        drives = _Drives()
        online = []
        for folder in self.library.folders():
            present, other = self.presence(folder, points, drives)
            if other is not None:
                report.other_drive.append((folder.path, other))
            refused = not present and refuses_reading(folder.path)  # there, but not ours to read
            if refused:
                report.unreadable[folder.path] = KEPT_PHOTOS if folder.photos else "Permission denied"
            if present != folder.online:
                self.library.set_folder_online(folder.id, present)
                (report.back_online if present else report.offline).append(folder.path)
                log.info("folder %s is %s", folder.path, "back" if present else "offline")
                if not present:  # recorded as it goes, for `status` and the window's "Which?"
                    self._record_why_offline(folder, refused, other)
            if present:
                online.append(folder)
                self._note_drive(folder, points, drives)
                self._note_root(folder, report)
        return online

    def _note_root(self, folder: Folder, report: ScanReport) -> None:
        """Note which directory an online folder's root is. Another one than at the last scan, holding
        few of the folder's photos, was made at the place of the folder moved or renamed as a whole
        (``~/Pictures`` renamed ``~/Photos``, and a screenshot tool made ``~/Pictures`` again): read
        as every photo deleted, they left the index, and adding the new place indexed them again
        under new ids. The photos not there are kept as moved away until the folder's new place is
        added (they follow it: ``relocation.moved_away_here``) or the folder is removed; the new
        directory's photos are indexed as any. Holding most of them, it is the folder restored at
        its place (a backup): the missing ones are gone, as in any scan."""
        now = directory_identity(folder.path)
        if now is None or now == folder.root_id:  # None: the file system's numbers tell nothing
            return
        if folder.root_id is not None and not self._mostly_in_place(folder):
            kept = self._keep_moved_away(folder)
            if kept:
                log.info("%s is another directory now: %d photos kept as moved away", folder.path, kept)
                report.replaced.append((folder.path, kept))
        self.library.set_folder_root(folder.id, now)

    def _mostly_in_place(self, folder: Folder) -> bool:
        """Whether most of a sample of the folder's photos are at their places with their sizes (a
        restore may not keep the files' times)."""
        sample = self.library.sample_files(folder.id)
        found = sum(has_size(stored.path, stored.size) for stored in sample)
        return 2 * found > len(sample)

    def _keep_moved_away(self, folder: Folder) -> int:
        """Keep the folder's photos that are not at their places as moved away; how many."""
        away = self.library.moved_away_paths()
        missing = [
            i for i, path in self.library.photo_paths(folder.id) if path not in away and nothing_at(path)
        ]
        self.library.mark_moved_away(missing)
        return len(missing)

    def presence(self, folder: Folder, points: set[str] | None, drives: _Drives) -> tuple[bool, str | None]:
        """Whether a watched folder is there now, and its own: its root holds something, was no
        mount point that is gone, and no other drive is mounted where its drive was (the mount
        point where another is, else None). Nothing is written: the listing of the folders asks
        too (audit 79 of stop 62: it said "online" where a scan said offline)."""
        other: str | None = None
        present = (
            root_present(folder)
            and not self._unmounted_root(folder, points)
            and not self._drive_unplugged(folder, points)
            and (other := self._another_drive(folder, points, drives)) is None
        )
        return present, other

    def folders_now(self) -> list[Folder]:
        """The watched folders, each online if a scan would find it there now (``presence``), and an
        offline one whether it is there but refuses this user; nothing is written."""
        points, drives = mount_points(), _Drives()
        out = []
        for folder in self.library.folders():
            if self.presence(folder, points, drives)[0]:
                out.append(replace(folder, online=True))
            else:
                refused = refuses_reading(folder.path)
                blocked = refusing_folder(folder.path) if refused else None
                out.append(replace(folder, online=False, refused=refused, refused_at=blocked))
        return out

    def _drive_unplugged(self, folder: Folder, points: set[str] | None) -> bool:
        """Whether the drive mounted above the folder at an earlier scan is gone: its mount point is
        no longer one and none of the folder's photos is there (if they are, the drive's files are on
        the disk below now, as when a partition is merged into the system's)."""
        if folder.drive is None or points is None or folder.drive in points:
            return False
        return not any(os.path.exists(path) for path in self.library.some_paths(folder.id))

    def _another_drive(self, folder: Folder, points: set[str] | None, drives: _Drives) -> str | None:
        """The mount point where another drive than the one the folder's photos were indexed from is
        mounted now (two cards of one camera, two sticks named "NO NAME"): its photos are not those.
        The folder stays offline, its photos kept, until its own drive is back. None: no other."""
        if folder.drive is None or folder.drive_id is None or points is None or folder.drive not in points:
            return None
        now = drives.identity(folder.drive)
        if now is None or same_drive(folder.drive_id, now) or self._files_still_there(folder):
            return None
        return folder.drive

    def _record_why_offline(self, folder: Folder, refused: bool, other: str | None) -> None:
        """Why a folder went offline, when it is more than a drive unplugged (``other``: another drive
        is mounted there): recorded until a scan of it (once it is back) replaces its problems."""
        why = other_drive(other) if other is not None else REFUSED if refused else None
        if why is not None:
            self.library.replace_problems([folder.path], [(display_path(folder.path), why)])

    def _files_still_there(self, folder: Folder) -> bool:
        """Whether most of a sample of the folder's photos are where they were, at the size and time
        they had: the same drive whose identity changed (a bind mount's source renamed, a volume
        moved, a root subvolume rolled back; the review of stop 41), not another one. Two cards of
        one camera share names (IMG_0001.JPG), not sizes and times."""
        sample = self.library.sample_files(folder.id)
        if not sample:
            return False
        found = 0
        for stored in sample:
            try:
                st = os.stat(stored.path)
            except OSError:
                continue
            found += st.st_size == stored.size and st.st_mtime == stored.mtime
        return 2 * found > len(sample)

    def _note_drive(self, folder: Folder, points: set[str] | None, drives: _Drives) -> None:
        """Record the mount point holding an online folder (the deepest one above or at its root),
        and which drive is mounted there."""
        if points is None:
            return
        drive = drive_of(folder.path, points)
        if drive is None:
            return
        identity = drives.identity(drive)
        if drive != folder.drive or (identity is not None and identity != folder.drive_id):
            self.library.set_folder_drive(folder.id, drive, identity)

    def _unmounted_root(self, folder: Folder, points: set[str] | None) -> bool:
        """Whether the folder's root was a mount point at an earlier scan and is not one now."""
        if folder.path not in self.library.mounts(folder.id):
            return False
        return folder.path not in mounts_under(folder.path, points)

    def scan(self, targets: Iterable[str | Path] | None = None) -> ScanReport:
        """Scan whole watched folders (``targets=None``) or only some files and directories in them.

        Folders that came back online are scanned whole whatever ``targets`` says.
        """
        with self.library.scan_lock:  # scans in one process one at a time (the watcher's and a command's)
            return self._scan(targets)

    def scan_after(self, change: Callable[[], Iterable[str | Path] | None]) -> ScanReport:
        """Make ``change`` (a rule or setting; it returns the paths it affects, None for every folder,
        nothing when it changed nothing) and scan them, no other scan in between: a watcher's scan
        would apply the change first, and this report would say it took nothing out."""
        with self.library.scan_lock:
            targets = change()
            if targets is not None:
                targets = list(targets)
                if not targets:
                    return ScanReport()
            return self._scan(targets)

    def _scan(self, targets: Iterable[str | Path] | None) -> ScanReport:
        report = ScanReport()
        points = mount_points()
        online = self.check_folders(report, points)
        hidden = indexes_hidden(self.library)
        own = self._own_folders()
        if targets is None:
            chosen = [(f.path, f) for f in online]
        else:
            chosen = self._resolve(targets, online, hidden, own)
            chosen += [(f.path, f) for f in online if f.path in report.back_online]
            chosen += self._linking_into([f.path for t, f in chosen if t == f.path], online)
        chosen = _outermost(chosen)
        folders = self.library.folders()
        sweep = _Sweep(points=points, hidden=hidden, roots=[f.path for f in folders], folders=folders)
        sweep.own = own
        for folder in {f.id: f for _, f in chosen}.values():
            current = mounts_under(folder.path, points)
            absent = self.library.mounts(folder.id) - current
            sweep.absent |= absent
            report.absent_mounts += sorted(absent)
            if current | absent != self.library.mounts(folder.id):
                self.library.set_mounts(folder.id, current | absent)
        for target, folder in chosen:
            sweep.targets.append((target, folder.id))
            self._collect(sweep, target, folder)
        self._drop_vanished_roots(sweep, {f.id: f for _, f in chosen}, report)
        # what the rules leave out is as if not on disk
        report.rules_followed = follow_moved_targets(self.library, sweep.seen, sweep.stored)
        ignore_files, left_out, sweep.ruled_out = exclude(self.library, sweep.seen, sweep.stored)
        report.left_out = [s.path for s in left_out]
        sweep.forget_unstorable(
            left_out_by_rules(self.library, [*sweep.unstorable, *sweep.unstorable_folders])
        )
        sweep.note_unreadable(report)
        self._apply(sweep, report)
        self._forget_kept_notes(sweep.followed)
        if self.stash is not None:
            restored = self.stash.restore(self.library)
            report.restored = len(restored)
            self._thumbnails_back(restored)
        self.library.replace_problems(
            [display_path(t) for t, _ in chosen],
            [(display_path(p), sweep.reasons.get(p, "cannot be read")) for p in sweep.unreadable]
            + self._still_moved_away([*(f for t, f in chosen if t == f.path), *sweep.followed])
            + [(display_path(p), AWAY) for p in report.away_links]
            + [(display_path(p), DRIVE_NOT_MOUNTED) for p in report.absent_mounts]
            + [(display_path(os.path.dirname(f)), ignored_because(os.path.basename(f))) for f in ignore_files]
            + sweep.skipped,
        )
        whole = [f.id for t, f in chosen if t == f.path and f.path not in report.offline]
        report.unfollowed_ignore_files = unfollowed_ignore_files(
            t for t, f in chosen if t == f.path and f.path not in report.offline
        )
        for folder_id in whole:
            self.library.mark_scanned(folder_id)
        # what a watcher saw change (a chmod, say); a name SQLite cannot hold has no row to try again
        parts = [t for t, f in chosen if t != f.path and storable(t)]
        # could not be read for now: perhaps readable now
        report.retried = self.library.try_errors_again(whole) + self.library.try_errors_again_at(parts)
        if report.replaced:  # said only where photos are still kept: followed in this scan, they are not
            still = {f.path: f.away for f in self.library.folders()}
            report.replaced = [(path, still[path]) for path, _ in report.replaced if still.get(path)]
        return report

    def _still_moved_away(self, scanned: list[Folder]) -> list[tuple[str, str]]:
        """Why photos are kept, for each of these whole folders still holding photos kept as moved
        away (its scan forgets what was said about it)."""
        ids = {f.id for f in scanned}
        return [
            (display_path(f.path), moved_away(f.away))
            for f in self.library.folders()
            if f.id in ids and f.away
        ]

    def _forget_kept_notes(self, followed: list[Folder]) -> None:
        """Forget why these folders' photos were kept as moved away (some followed their directory
        into another folder; what is still kept is said again): a watcher's scan of that folder
        alone does not scan theirs, and `status` said photos were kept that were not. (Said at an
        earlier scan, perhaps of another count: the photos put back at their place since.)"""
        for folder in followed:
            self.library.forget_problem(display_path(folder.path), MOVED_AWAY)

    def _linking_into(self, roots: list[str], online: list[Folder]) -> list[tuple[str, Folder]]:
        """The other watched folders that hold photos through a link into one of these whole folders
        (an album linked into ~/Pictures, then added as a folder of its own): scanned with them, so
        those photos move to their real paths with their ids (a move pairs in one scan). Scanned
        alone, the new folder's photos were encoded again, and the next scan dropped the old rows.
        One ``realpath`` a directory of photos, only when a whole folder is scanned (added, or back)."""
        if not roots:
            return []
        found = []
        for folder in online:
            if folder.path in roots:
                continue
            for directory in self.library.photo_directories(folder.id):
                real = os.path.realpath(directory)
                if real != directory and any(is_under(real, root) for root in roots):
                    found.append((folder.path, folder))
                    break
        return found

    def _own_folders(self) -> list[str]:
        """``own_folders``: never walked. With hidden folders on, a watched home folder indexed the
        thumbnails indexing wrote, without end (the CLI audit of stop 57)."""
        return [path for path, _ in own_folders(self.thumbnail_root)]

    @staticmethod
    def _resolve(
        targets: Iterable[str | Path], online: list[Folder], hidden: bool, own: Iterable[str] = ()
    ) -> list[tuple[str, Folder]]:
        """The targets inside online folders; not those in hidden folders unless ``hidden`` (a full
        scan of the folder takes out what is stored there when the setting goes off), nor those in
        Photoscope's ``own`` folders (``_own_folders``)."""
        chosen = []
        for target in map(normalize_path, targets):
            if any(is_under(target, place) for place in own):
                continue
            owner = next((f for f in online if is_under(target, f.path)), None)
            if owner is not None and (hidden or not hidden_below(target, owner.path)):
                real = os.path.realpath(target)
                # a link to a place in the folder: walked under the real path (fs); not one to nothing
                if real != target and is_under(real, owner.path) and os.path.exists(real):
                    target = real
                chosen.append((target, owner))
        return chosen

    def _collect(self, sweep: _Sweep, target: str, folder: Folder) -> None:
        absent = [m for m in sweep.absent if is_under(target, m)]
        if absent:  # inside an unplugged drive: nothing to look at, nothing to drop
            return
        if not storable(target):  # a watcher's event on such a name: no row there to compare with
            _skip_unstorable(sweep, target, folder.path)
            return
        directory = os.path.isdir(target)
        if directory:
            walk = walk_photos(
                target,
                on_error=sweep.failed,
                home=folder.path,
                on_skipped=sweep.skip,
                hidden=sweep.hidden,
                on_away=sweep.away.add,
                watched=sweep.roots,
                elders=[f.path for f in sweep.folders if f.id < folder.id],
                never=sweep.own,
                on_linked=lambda link, real: sweep.linked.append((link, real)),
            )
            sweep.seen.update((stat.path, stat) for stat in walk)
        elif os.path.islink(target) and not os.path.exists(target):  # a link to nothing: not gone
            sweep.away.add(target)  # (its entry kept, unless a rule now leaves it out)
        else:  # a file, or something that is gone: a deleted file or a whole deleted directory
            try:
                found = stat_photo(target, sweep.hidden)
            except OSError as error:  # cannot look: not the same as gone
                if error.filename is None:
                    error.filename = target
                sweep.failed(error)
                found = None
            if found is not None:
                sweep.seen[found.path] = found
        # a photo's path: its own row, to compare (or to keep); a folder's too, where a photo was
        # (its name taken by a folder holding it: the reliability audit of stop 60)
        stored = self.library.files_at([target]).items()
        sweep.stored.update((p, (p, f.size, f.mtime, f.ctime)) for p, f in stored)
        sweep.stored.update(self.library.stats_under(target))

    def _drop_vanished_roots(self, sweep: _Sweep, folders: dict[int, Folder], report: ScanReport) -> None:
        """A drive unplugged during the walk looks like mass deletion: check the roots again after it."""
        for folder in folders.values():
            if root_present(folder):
                continue
            self.library.set_folder_online(folder.id, False)
            report.offline.append(folder.path)
            sweep.seen = {p: s for p, s in sweep.seen.items() if not is_under(p, folder.path)}
            sweep.stored = {p: s for p, s in sweep.stored.items() if not is_under(p, folder.path)}

    def _apply(self, sweep: _Sweep, report: ScanReport) -> None:
        report.skipped = sweep.skipped
        new: list[NewFile] = []
        changed: list[NewFile] = []
        stored = sweep.stored
        touched: list[FileStat] = []
        retimed: list[FileStat] = []
        for path, stat in sweep.seen.items():
            old = stored.get(path)
            if old is None:
                new.append(_new_file(stat, sweep))
            elif old == stat:  # (path, size, mtime, ctime) against the stored four
                report.unchanged += 1
            elif old[1] == stat.size and old[2] != stat.mtime and hash_tells_edits(path):
                retimed.append(stat)  # its time moved, its size did not: touched, or edited in place
            elif old[:3] != stat[:3]:
                changed.append(_new_file(stat, sweep))
            else:  # its size and time as stored, not its change time: its bytes may have changed
                touched.append(stat)
        rewritten, times = self._rewritten(touched, sweep)
        edited, dated = self._edited(retimed, sweep)
        changed += rewritten + edited
        report.unchanged += len(touched) - len(rewritten) + len(retimed) - len(edited)
        self._redate_thumbnails(dated)
        read_again = self._read_otherwise_now(sweep, {c.path for c in changed})
        changed += read_again
        report.unchanged -= len(read_again)
        sweep.moved_away = self._moved_away_but_back(sweep)
        keep = [*sweep.unreadable, *sweep.absent, *sweep.away]
        unseen = [
            p
            for p in stored
            if p not in sweep.seen
            and p not in sweep.moved_away
            # kept while not there (a link to nothing, a drive away) unless a rule now leaves it out
            and (p in sweep.ruled_out or not any(is_under(p, d) for d in keep))
        ]
        report.away_links = sweep.away_keeping_photos()
        report.linked = sweep.linked
        gone, follow_renamed = _not_renamed_unstorably(
            list(self.library.files_at(unseen).values()) if unseen else [], sweep
        )
        follow_renamed = [(m, old) for m, old in follow_renamed if not self.library.files_at([m.path])]
        arrivals, new, report.arrived = self._folders_arrived(new, sweep.points)
        followed, new, sweep.followed = self._kept_arrived(new)
        gone += self._vanished_elsewhere(new, gone, sweep)
        moves, new, gone = _match_moves(new, gone)
        moves += arrivals + followed + follow_renamed
        report.changed, report.moved = len(changed), len(moves)
        report.removed = [s.id for s in gone]
        report.added = self.library.apply_scan(
            new=new,
            changed=changed,
            moves=[m for m, _ in moves],
            removed=report.removed,
            times=times,
            retimed=[(f.mtime, f.ctime, f.path) for f, _ in dated],
            stash=self.stash.keeping(gone) if self.stash is not None and gone else None,
        )
        stashed = self._stashed_with_thumbnails(gone, sweep)
        self._tidy_thumbnails(moves, [f for f in gone if f.path not in stashed])
        if report.removed and self.on_removed is not None:
            self.on_removed(report.removed)

    def _stashed_with_thumbnails(self, gone: Sequence[StoredFile], sweep: _Sweep) -> set[str]:
        """The entries of photos gone from the index are stashed, as a rule's own are (in
        ``apply_scan``): back unchanged, they come back without encoding (audit 80: moved into an
        excluded folder and back under ``index --watch``; audit 86: a folder moved out of the library
        and back, a delete undone from the trash, encoded again). The paths of those stashed whose
        files went (not those a rule took out, whose thumbnails go with them: issue #17), kept with
        their thumbnails: restored without them, they had none (audit 91, repro_2)."""
        if self.stash is None or not gone:
            return set()
        return self.library.stashed_of(gone) - sweep.ruled_out

    def _thumbnails_back(self, restored: Sequence[tuple[int, str, str]]) -> None:
        """Thumbnails for the photos written back from the stash, (id, the path it had, its path now)
        of each: one kept follows a photo back elsewhere; one a rule took away with its photo (issue
        #17) is made again, as the indexer makes it (decoded, not encoded: audit 92, note 2)."""
        now = self.library.files_at([path for _, _, path in restored]) if restored else {}
        for _, was, path in restored:
            if was != path:
                thumbnails.move_thumbnail(was, path, self.thumbnail_root)
            photo = now.get(path)
            if photo is not None and not thumbnails.is_current(path, photo.mtime, self.thumbnail_root):
                thumbnails.make_thumbnail(path, photo.mtime, self.thumbnail_root)

    def _rewritten(
        self, touched: list[FileStat], sweep: _Sweep
    ) -> tuple[list[NewFile], list[tuple[float, str]]]:
        """Of the photos whose size and time are as stored but not their change time, those whose
        bytes changed: their partial hash is not the stored one (`cp -p` of another photo, exiftool
        -P changing the date taken: never read again before, the fresh-seat audit of stop 59; a
        chmod moves the change time alone). And (ctime, path) to note for the others; a photo from
        before change times were kept has its noted without being read."""
        unknown = [s for s in touched if sweep.stored[s.path][3] is None]
        rewritten, same = self._edited([s for s in touched if sweep.stored[s.path][3] is not None], sweep)
        return rewritten, [(s.ctime, s.path) for s in [*unknown, *(stat for stat, _ in same)]]

    def _edited(
        self, files: list[FileStat], sweep: _Sweep
    ) -> tuple[list[NewFile], list[tuple[FileStat, float]]]:
        """Of these files, those whose partial hash is not their row's (to read again), and the
        others with their rows' file time. ``_retimed``'s photos, whose time alone moved (`touch`,
        a backup restored: each was read again, audit 86), and ``_rewritten``'s."""
        stored = self.library.files_at([s.path for s in files]) if files else {}
        edited: list[NewFile] = []
        same: list[tuple[FileStat, float]] = []
        for stat in files:
            file, row = _new_file(stat, sweep), stored.get(stat.path)
            if row is None or file.hash is None or file.hash != row.hash:
                edited.append(file)
            else:
                same.append((stat, row.mtime))
        return edited, same

    def _redate_thumbnails(self, dated: list[tuple[FileStat, float]]) -> None:
        """A photo whose time alone moved keeps its thumbnail, dated as the file now is (the spec's
        Thumb::MTime: else the grid and other viewers would decode it again)."""
        for stat, was in dated:
            thumbnails.copy_thumbnail(stat.path, was, stat.path, stat.mtime, self.thumbnail_root)

    def _read_otherwise_now(self, sweep: _Sweep, changing: set[str]) -> list[NewFile]:
        """Of the photos an upgrade to schema 19 left to be looked at once, those seen here and read
        otherwise by this build than by the one that indexed them (transparency, a TIFF's
        orientation: audit 84): read again, though their files did not change."""
        if not self.library.has_read_again_checks():
            return []
        under = [walked for walked, _ in sweep.targets]
        checks = [path for path in self.library.read_again_checks(under) if path in sweep.seen]
        if not checks:
            return []
        from photoscope.library import photos  # PIL: `status` and `folders list` scan without it

        due = [sweep.seen[path] for path in checks if path not in changing]
        again = [_new_file(stat, sweep) for stat in due if photos.read_otherwise_before_v19(stat.path)]
        self.library.read_again_checked(checks)
        return again

    def _moved_away_but_back(self, sweep: _Sweep) -> set[str]:
        """The photos kept as moved away, but for those whose file is at their place again (put
        back): those are scanned as any other from now on."""
        away = self.library.moved_away_paths()
        back = [path for path in sweep.seen if path in away]
        if back:
            self.library.back_in_place(back)
        return away.difference(back)

    def _folders_arrived(
        self, new: list[NewFile], points: set[str] | None
    ) -> tuple[list[tuple[Move, str]], list[NewFile], list[tuple[str, str]]]:
        """Offline folders moved into this scan's folders as a whole (``relocation.arrived_in``): the
        rows of their photos follow them as moves (with their old paths); a file that is not the
        row's photo (another size or partial hash) stays new. Returns the moves, the files still
        new, and (old folder, new place) for each."""
        arrivals = relocation.arrived_in(self.library, new, points) if new else []
        moves, new = _moves_into(
            new, [(f.path, place, self.library.folder_files(f.id)) for f, place in arrivals]
        )
        return moves, new, [(f.path, place) for f, place in arrivals]

    def _kept_arrived(self, new: list[NewFile]) -> tuple[list[tuple[Move, str]], list[NewFile], list[Folder]]:
        """Photos kept as moved away (``_note_root``) among the new files, their folder's directory
        renamed into this scan's folders (``relocation.kept_arrived_in``): their rows follow them as
        moves, kept no more (``IndexRows._move``). Those not there stay kept: their files may be
        anywhere. Returns the moves, the files still new, and the folders they were kept for."""
        arrivals = relocation.kept_arrived_in(self.library, new) if new else []
        for folder, place, _ in arrivals:
            log.info("photos kept as moved away from %s are in %s: they follow", folder.path, place)
        moves, new = _moves_into(new, [(f.path, place, kept) for f, place, kept in arrivals])
        return moves, new, [f for f, _, _ in arrivals]

    def _vanished_elsewhere(
        self, new: list[NewFile], gone: list[StoredFile], sweep: _Sweep
    ) -> list[StoredFile]:
        """Rows outside this scan's targets that a new file may have moved from: same partial hash,
        gone from disk though their folder is there. (A watcher may report a move's two ends in two
        batches; matching only within one scan would index the photo anew and drop the old row.)

        Never rows of an offline folder or of an unplugged drive inside one: their empty mount point
        is there, but their photos are not gone, and a copy of them is a new photo, not a move."""
        hashes = [n.hash for n in new if n.hash is not None]
        if not hashes:
            return []
        known = {s.id for s in gone}
        away = [f.path for f in self.library.folders() if not f.online]
        known_mounts = self.library.mounts()
        away += unmounted(known_mounts, sweep.points)
        away += [*sweep.unreadable, *sweep.away]
        looked_in: dict[str, bool] = {}  # each folder listed once, however many of its files went

        def looked(folder: str) -> bool:
            if folder not in looked_in:
                looked_in[folder] = can_look_in(folder, known_mounts)
            return looked_in[folder]

        return [
            s
            for s in self.library.files_with_hashes(hashes)
            if s.id not in known
            and s.path not in sweep.seen
            and s.path not in sweep.moved_away  # a copy of a photo kept as moved away is new
            and not any(is_under(s.path, a) for a in away)
            and looked(os.path.dirname(s.path))
            and nothing_at(s.path)
        ]

    def _tidy_thumbnails(self, moves: list[tuple[Move, str]], gone: list[StoredFile]) -> None:
        for move, old_path in moves:
            thumbnails.move_thumbnail(old_path, move.path, self.thumbnail_root)
        for stored in gone:
            thumbnails.remove_thumbnail(stored.path, self.thumbnail_root)


def can_look_in(folder: str, mounts: Iterable[str] = ()) -> bool:
    """Whether ``folder`` is there to look in for a stored file, to tell it gone: it can be listed
    (its files cannot be looked at otherwise: "no file" is not known), and it is not empty where a
    link or one of the library's ``mounts`` leads to it (most likely an unplugged drive's bare mount
    point, as ``root_present`` reads a watched folder). A copy made from a photo there was taken for
    its move, and the original's entry became the copy's (the audit of stop 45). An empty folder
    otherwise is one whose last photo moved (the review of stop 45: it was indexed anew)."""
    try:
        names = os.listdir(folder)
    except OSError:  # no folder there, or one that cannot be read
        return False
    reached = os.path.realpath(folder) != folder or any(is_under(folder, m) for m in mounts)
    return not reached or _holds_something(folder, names)


def root_present(folder: Folder) -> bool:
    """Whether a watched folder is there. An empty root that used to hold photos counts as missing: it
    is most likely the bare mount point of an unmounted drive, and forgetting a whole library by
    mistake is the worse error. Hidden entries do not count: a mount point often holds a ``.keep``
    or ``.Trash`` of its own. But the very directory the photos were in, emptied, is there
    (``_emptied_in_place``)."""
    try:
        if not os.path.isdir(folder.path):
            return False
        names = os.listdir(folder.path)
        return folder.photos == 0 or _holds_something(folder.path, names) or _emptied_in_place(folder)
    except OSError:
        return False


def _emptied_in_place(folder: Folder) -> bool:
    """Whether an empty root is the folder's own directory, emptied by the user (its photos moved
    into another watched folder, or deleted), not a bare mount point: its number is the one the last
    scan recorded, on a file system whose numbers say which directory it is, and it was no mount
    point itself then (the drive recorded as holding it is mounted above it). An unplugged drive's
    mount point is another directory than the drive's root it stood for. Audit 98 (repro_2): Inbox,
    emptied into Pictures, was "OFFLINE … plug it in" and each of its photos listed twice."""
    if folder.root_id is None or folder.drive is None or folder.drive == folder.path:
        return False
    return directory_identity(folder.path) == folder.root_id


def _holds_something(folder: str, names: list[str]) -> bool:
    """Whether a folder's entries are more than a bare mount point's: one not hidden, or hidden
    photos (``.backup``). One rule for a watched root and for a folder a link or mount leads to
    (stop 57's Left list: the two read them apart)."""
    return _holds_visible(names) or _holds_hidden_photos(folder, names)


def _holds_visible(names: Iterable[str]) -> bool:
    """Whether a folder's entries hold one not hidden: a mount point often holds a ``.keep`` or a
    ``.Trash`` of its own, and with nothing else it is most likely an unplugged drive's."""
    return any(not name.startswith(".") for name in names)


# Hidden folders a system or a desktop puts on a drive or a mount point: no sign of the user's photos.
_SYSTEM_HIDDEN = (".Trash", ".Spotlight", ".fseventsd", ".TemporaryItems", ".DocumentRevisions")


def _holds_hidden_photos(folder: str, names: Iterable[str]) -> bool:
    """Whether a folder holds, hidden, a photo or a folder with something in it that is not a
    system's: with hidden folders on, a folder whose photos all lie in ``.backup`` read as an
    unplugged drive's bare mount point, offline at every scan (the CLI audit of stop 57)."""
    for name in names:
        if not name.startswith(".") or name.startswith(_SYSTEM_HIDDEN):
            continue
        path = os.path.join(folder, name)
        if is_photo_name(name, True) and os.path.isfile(path):
            return True
        with suppress(OSError):
            if os.path.isdir(path) and os.listdir(path):
                return True
    return False


class _Drives:
    """Which drive each mount point holds, read once per check of the folders (``fs.drive_identity``
    reads the system's mount list): a folder is checked against its drive and its drive noted."""

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def identity(self, mount_point: str) -> str | None:
        if mount_point not in self._known:
            self._known[mount_point] = drive_identity(mount_point)
        return self._known[mount_point]


def refuses_reading(directory: str) -> bool:
    """Whether a folder is there but may not be read (a permission taken away): offline, and why
    (the CLI audit: such a watched folder read as an unplugged drive)."""
    try:
        os.listdir(directory)
    except PermissionError:
        return True
    except OSError:
        return False
    return False


def _new_file(stat: FileStat, sweep: _Sweep) -> NewFile:
    """A file the index does not hold as it is: its row to write, with its partial hash."""
    folder_id = next(f for target, f in sweep.targets if is_under(stat.path, target))
    return NewFile(folder_id, stat.path, stat.size, stat.mtime, _hash(stat), stat.ctime)


def _hash(stat: FileStat) -> str | None:
    return _hash_of(stat.path, stat.size)


def _photos_below(directory: str, hidden: bool) -> list[str]:
    """The photo files anywhere below a folder the walk does not enter (its name is not UTF-8)."""
    found = []
    for folder, subfolders, files in os.walk(directory, onerror=lambda _: None):
        if not hidden:
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        found += [os.path.join(folder, f) for f in files if is_photo_name(f, hidden)]
    return found


def _skip_unstorable(sweep: _Sweep, target: str, root: str) -> None:
    """Report a path whose name SQLite cannot hold (a watcher's event names it; the audit of stop 48:
    the whole batch of changes failed) as the walk would: the outermost folder so named below the
    watched ``root``, or the photo itself. A name gone since is no news."""
    part = _outermost_unstorable(target, root)
    if os.path.isdir(part):
        if part not in sweep.unstorable_folders:  # one line for it, however many events came below
            sweep.skip(part, UNSTORABLE_FOLDER)
    elif part == target and is_photo_name(os.path.basename(target), sweep.hidden) and os.path.isfile(target):
        sweep.skip(target, UNSTORABLE)


def _outermost_unstorable(target: str, root: str) -> str:
    """The first path from ``root`` down to ``target`` whose name SQLite cannot hold."""
    path = root
    for name in os.path.relpath(target, root).split(os.sep):
        path = os.path.join(path, name)
        if not storable(path):
            return path
    return target


def _not_renamed_unstorably(
    gone: list[StoredFile], sweep: _Sweep
) -> tuple[list[StoredFile], list[tuple[Move, str]]]:
    """The vanished rows, but those of photos renamed to a name the index cannot hold (not UTF-8):
    the same partial hash under such a name. Their file is there: they keep their entries, and
    become a move once the name is fixed (the name is reported with what to do).

    Also the moves of those rows whose photo is in another folder now (a folder on the way renamed,
    "sub" to "sub 2"), with their old path: each follows its photo there under its own name, so the
    name fixed there is the row's again. Left at its old place, a watcher's scan of the new folder
    took the fixed name for a new photo, beside the stale entry (audit 96's notes)."""
    if not (sweep.unstorable or sweep.unstorable_folders) or not gone:
        return gone, []
    below = [p for folder in sweep.unstorable_folders for p in _photos_below(folder, sweep.hidden)]
    renamed: dict[str, str] = {}  # partial hash -> where a file of it is, under such a name
    for path in [*sweep.unstorable, *below]:
        found = _hash_of(path)
        if found is not None:
            renamed.setdefault(found, path)
    follows = []
    for row in gone:
        where = os.path.dirname(renamed[row.hash]) if row.hash in renamed else None
        if where is None or where == os.path.dirname(row.path) or not storable(where):
            continue
        place = os.path.join(where, os.path.basename(row.path))
        folder_id = next((f for target, f in sweep.targets if is_under(place, target)), None)
        if folder_id is not None and place not in sweep.seen and place not in sweep.stored:
            follows.append((Move(row.id, folder_id, place, row.size, row.mtime), row.path))
    return [s for s in gone if s.hash is None or s.hash not in renamed], follows


def own_folders(thumbnail_root: Path | None = None) -> list[tuple[str, str]]:
    """The folders Photoscope and other apps fill with pictures of the photos, each with what it is:
    the thumbnail cache, Photoscope's own cache and data (where the library is). No photo folder."""
    from photoscope import config

    own = (
        (
            thumbnail_root or thumbnails.cache_root(),
            "the desktop's thumbnail cache, which Photoscope's own thumbnails are in",
        ),
        (config.cache_dir(), "Photoscope's own cache"),
        (config.data_dir(), "Photoscope's own data folder, where its library is"),
    )
    return [(normalize_path(path), what) for path, what in own]


def _hash_of(path: str, size: int | None = None) -> str | None:
    try:
        return partial_hash(path, size)
    # unreadable, or no file (a folder or a pipe with a photo's name): the worker will record why;
    # it just can't be recognised after a move
    except (OSError, NotAFile):
        return None


def _match_moves(
    new: list[NewFile], gone: list[StoredFile]
) -> tuple[list[tuple[Move, str]], list[NewFile], list[StoredFile]]:
    """Pair new files with vanished rows of the same partial hash: those are moves (with their old
    path), not new photos. The partial hash holds a file whole only up to two of its chunks; above
    that a move must also keep the file's time, as ``mv`` and file managers do: two scans of one
    size with white margins begin and end alike, and one arriving as the other goes is no move."""
    by_hash: dict[str, list[StoredFile]] = {}
    for stored in gone:
        if stored.hash is not None:
            by_hash.setdefault(stored.hash, []).append(stored)
    moves, fresh = [], []
    for n in new:
        candidates = by_hash.get(n.hash, []) if n.hash is not None else []
        timed = [c for c in candidates if c.mtime == n.mtime]
        whole = n.size <= 2 * HASH_CHUNK  # the hash read every byte
        old = timed[-1] if timed else candidates[-1] if candidates and whole else None
        if old is not None:
            candidates.remove(old)
            moves.append((Move(old.id, n.folder_id, n.path, n.size, n.mtime), old.path))
        else:
            fresh.append(n)
    moved_ids = {m.id for m, _ in moves}
    return moves, fresh, [s for s in gone if s.id not in moved_ids]


def _moves_into(
    new: list[NewFile], arrivals: list[tuple[str, str, list[StoredFile]]]
) -> tuple[list[tuple[Move, str]], list[NewFile]]:
    """For each (old root, new place, rows) of a directory that came in as a whole, the rows that
    follow the new file at the same place below it (with their old path): a file that is not the
    row's photo (another size or partial hash) stays new. Returns the moves and the files still new."""
    if not arrivals:
        return [], new
    by_path = {n.path: n for n in new}
    moves = []
    for old_root, place, rows in arrivals:
        for old in rows:
            file = by_path.get(place + old.path[len(old_root) :])
            if file is not None and old.hash is not None and (file.size, file.hash) == (old.size, old.hash):
                moves.append((Move(old.id, file.folder_id, file.path, file.size, file.mtime), old.path))
                del by_path[file.path]
    return moves, list(by_path.values())


def _outermost(chosen: list[tuple[str, Folder]]) -> list[tuple[str, Folder]]:
    """Drop targets inside other targets, so nothing is walked twice."""
    result: list[tuple[str, Folder]] = []
    for target, folder in sorted(set(chosen), key=lambda c: (len(c[0]), c[0])):
        if not any(is_under(target, kept) for kept, _ in result):
            result.append((target, folder))
    return result
