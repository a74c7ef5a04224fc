"""Mark-and-sweep scanning: bring the index in step with what is on disk.

A scan walks the watched folders (or just the paths a watcher saw change), compares every file's stat
with the stored rows in bulk (one query per target, no per-file SQL, no hashing of unchanged files) and
records in one transaction what it found:

- new files become pending photos;
- files whose size or mtime changed become pending again (their old caption stays until re-indexed);
- a file that vanished while a new one with the same partial hash appeared is a move: the row keeps its
  id, caption and vectors, only its path changes, and nothing is re-encoded;
- files that are gone leave the index.

A folder whose root is missing (an unplugged drive) is marked offline and left alone, photos included;
the first scan after it returns brings it current. A directory that cannot be read is never taken as
empty, so a permission problem does not drop photos either.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from photoscope.library import thumbnails
from photoscope.library.db import Folder, Library, Move, NewFile, StoredFile
from photoscope.library.fs import (
    FileStat,
    has_hidden_part,
    is_under,
    normalize_path,
    partial_hash,
    stat_photo,
    walk_photos,
)

log = logging.getLogger(__name__)

RemovedListener = Callable[[list[int]], None]


@dataclass
class ScanReport:
    added: list[int] = field(default_factory=list)
    changed: int = 0
    moved: int = 0
    removed: list[int] = field(default_factory=list)
    unchanged: int = 0
    offline: list[str] = field(default_factory=list)  # folders found missing by this scan
    back_online: list[str] = field(default_factory=list)
    unreadable_dirs: list[str] = field(default_factory=list)

    @property
    def queued(self) -> int:
        """Photos this scan gave the worker to do."""
        return len(self.added) + self.changed

    @property
    def anything(self) -> bool:
        return bool(self.queued or self.moved or self.removed or self.offline or self.back_online)

    def summary(self) -> str:
        parts = [f"{len(self.added)} new", f"{self.changed} changed", f"{self.moved} moved"]
        parts += [f"{len(self.removed)} removed", f"{self.unchanged} unchanged"]
        return ", ".join(parts)


@dataclass
class _Sweep:
    """What one scan saw on disk and what the index holds for the same places."""

    seen: dict[str, tuple[FileStat, int]] = field(default_factory=dict)  # path -> (stat, folder id)
    stored: dict[str, StoredFile] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


class Scanner:
    """Scans watched folders into ``library``. Thumbnails of moved photos follow them (the small PNG is
    re-filed under the new name; the photo is not decoded) and those of deleted photos are removed."""

    def __init__(
        self,
        library: Library,
        on_removed: RemovedListener | None = None,
        thumbnail_root: Path | None = None,
    ) -> None:
        self.library = library
        self.on_removed = on_removed
        self.thumbnail_root = thumbnail_root

    def check_folders(self, report: ScanReport | None = None) -> list[Folder]:
        """Mark folders whose root vanished offline and returned ones online; returns the online folders."""
        report = report if report is not None else ScanReport()
        online = []
        for folder in self.library.folders():
            present = root_present(folder)
            if present != folder.online:
                self.library.set_folder_online(folder.id, present)
                (report.back_online if present else report.offline).append(folder.path)
                log.info("folder %s is %s", folder.path, "back" if present else "offline")
            if present:
                online.append(folder)
        return online

    def scan(self, targets: Iterable[str | Path] | None = None) -> ScanReport:
        """Scan whole watched folders (``targets=None``) or only some files and directories in them.

        Folders that came back online are scanned whole whatever ``targets`` says.
        """
        report = ScanReport()
        online = self.check_folders(report)
        if targets is None:
            chosen = [(f.path, f) for f in online]
        else:
            chosen = self._resolve(targets, online)
            chosen += [(f.path, f) for f in online if f.path in report.back_online]
        chosen = _outermost(chosen)
        sweep = _Sweep()
        for target, folder in chosen:
            self._collect(sweep, target, folder)
        self._drop_vanished_roots(sweep, {f.id: f for _, f in chosen}, report)
        self._apply(sweep, report)
        for target, folder in chosen:
            if target == folder.path and folder.path not in report.offline:
                self.library.mark_scanned(folder.id)
        return report

    @staticmethod
    def _resolve(targets: Iterable[str | Path], online: list[Folder]) -> list[tuple[str, Folder]]:
        chosen = []
        for target in map(normalize_path, targets):
            owner = next((f for f in online if is_under(target, f.path)), None)
            if owner is not None and not has_hidden_part(target, owner.path):
                chosen.append((target, owner))
        return chosen

    def _collect(self, sweep: _Sweep, target: str, folder: Folder) -> None:
        if os.path.isdir(target):
            for stat in walk_photos(target, on_error=lambda e: sweep.unreadable.append(str(e.filename))):
                sweep.seen[stat.path] = (stat, folder.id)
        else:  # a file, or something that is gone: a deleted file or a whole deleted directory
            found = stat_photo(target)
            if found is not None:
                sweep.seen[found.path] = (found, folder.id)
            sweep.stored.update(self.library.files_at([target]))
        sweep.stored.update(self.library.files_under(target))

    def _drop_vanished_roots(self, sweep: _Sweep, folders: dict[int, Folder], report: ScanReport) -> None:
        """A drive unplugged during the walk looks like mass deletion: check the roots again after it."""
        for folder in folders.values():
            if root_present(folder):
                continue
            self.library.set_folder_online(folder.id, False)
            report.offline.append(folder.path)
            sweep.seen = {p: s for p, s in sweep.seen.items() if s[1] != folder.id}
            sweep.stored = {p: s for p, s in sweep.stored.items() if not is_under(p, folder.path)}

    def _apply(self, sweep: _Sweep, report: ScanReport) -> None:
        report.unreadable_dirs = sweep.unreadable
        new: list[NewFile] = []
        changed: list[NewFile] = []
        for path, (stat, folder_id) in sweep.seen.items():
            old = sweep.stored.get(path)
            if old is None:
                new.append(NewFile(folder_id, path, stat.size, stat.mtime, _hash(stat)))
            elif old.size != stat.size or old.mtime != stat.mtime:
                changed.append(NewFile(folder_id, path, stat.size, stat.mtime, _hash(stat)))
            else:
                report.unchanged += 1
        gone = [
            s
            for p, s in sweep.stored.items()
            if p not in sweep.seen and not any(is_under(p, d) for d in sweep.unreadable)
        ]
        gone += self._vanished_elsewhere(new, gone, sweep.seen)
        moves, new, gone = _match_moves(new, gone)
        report.changed, report.moved = len(changed), len(moves)
        report.removed = [s.id for s in gone]
        report.added = self.library.apply_scan(
            new=new, changed=changed, moves=[m for m, _ in moves], removed=report.removed
        )
        self._tidy_thumbnails(moves, gone)
        if report.removed and self.on_removed is not None:
            self.on_removed(report.removed)

    def _vanished_elsewhere(
        self, new: list[NewFile], gone: list[StoredFile], seen: Container[str]
    ) -> list[StoredFile]:
        """Rows outside this scan's targets that a new file may have moved from: same partial hash,
        gone from disk though their folder is there. (A watcher may report a move's two ends in two
        batches; matching only within one scan would index the photo anew and drop the old row.)"""
        hashes = [n.hash for n in new if n.hash is not None]
        if not hashes:
            return []
        known = {s.id for s in gone}
        return [
            s
            for s in self.library.files_with_hashes(hashes)
            if s.id not in known
            and s.path not in seen
            and os.path.isdir(os.path.dirname(s.path))
            and not os.path.exists(s.path)
        ]

    def _tidy_thumbnails(self, moves: list[tuple[Move, str]], gone: list[StoredFile]) -> None:
        for move, old_path in moves:
            thumbnails.move_thumbnail(old_path, move.path, self.thumbnail_root)
        for stored in gone:
            thumbnails.remove_thumbnail(stored.path, self.thumbnail_root)


def root_present(folder: Folder) -> bool:
    """Whether a watched folder is there. An empty root that used to hold photos counts as missing: it
    is most likely the bare mount point of an unmounted drive, and forgetting a whole library by
    mistake is the worse error (a folder the user really emptied just keeps its entries, offline)."""
    try:
        return os.path.isdir(folder.path) and (folder.photos == 0 or bool(os.listdir(folder.path)))
    except OSError:
        return False


def _hash(stat: FileStat) -> str | None:
    try:
        return partial_hash(stat.path, stat.size)
    except OSError:  # unreadable: the worker will record why; it just can't be recognised after a move
        return None


def _match_moves(
    new: list[NewFile], gone: list[StoredFile]
) -> tuple[list[tuple[Move, str]], list[NewFile], list[StoredFile]]:
    """Pair new files with vanished rows of the same partial hash: those are moves (with their old
    path), not new photos."""
    by_hash: dict[str, list[StoredFile]] = {}
    for stored in gone:
        if stored.hash is not None:
            by_hash.setdefault(stored.hash, []).append(stored)
    moves, fresh = [], []
    for n in new:
        candidates = by_hash.get(n.hash) if n.hash is not None else None
        if candidates:
            old = candidates.pop()
            moves.append((Move(old.id, n.folder_id, n.path, n.size, n.mtime), old.path))
        else:
            fresh.append(n)
    moved_ids = {m.id for m, _ in moves}
    return moves, fresh, [s for s in gone if s.id not in moved_ids]


def _outermost(chosen: list[tuple[str, Folder]]) -> list[tuple[str, Folder]]:
    """Drop targets inside other targets, so nothing is walked twice."""
    result: list[tuple[str, Folder]] = []
    for target, folder in sorted(set(chosen), key=lambda c: (len(c[0]), c[0])):
        if not any(is_under(target, kept) for kept, _ in result):
            result.append((target, folder))
    return result
