"""The library's folders, exclusion rules and indexing: what is watched, what is left out, keeping the
index current in the background, and what it holds (counts, errors, an integrity check)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.api.core import Core
from photoscope.library import thumbnails
from photoscope.library.db import Library
from photoscope.library.doctor import DoctorReport, examine
from photoscope.library.errors import LibraryError, LibraryHeldElsewhere
from photoscope.library.exclusions import (
    ExclusionRule,
    Rules,
    Stash,
    files_named_by,
    hidden_below,
    ignore_file_said,
    photo_rule_before,
    refuse_unclosed_bracket,
    rule_for,
)
from photoscope.library.exclusions import indexes_hidden as _indexes_hidden
from photoscope.library.exclusions import set_indexes_hidden as _set_indexes_hidden
from photoscope.library.fs import (
    UNSTORABLE_FOLDER,
    display_path,
    file_system_type,
    folder_path,
    is_photo_name,
    is_under,
    mount_points,
    normalize_path,
    storable,
    unmounted,
)
from photoscope.library.records import Folder, PhotoCounts
from photoscope.library.relocation import moved_away_here, moved_here
from photoscope.library.scanner import REFUSED, Scanner, ScanReport, root_present

if TYPE_CHECKING:  # the indexer (NumPy, PIL) is imported when one is made: not by `status`
    from photoscope.library.indexer import IndexOptions, IndexWorker, ProgressListener
    from photoscope.library.indexer import Progress as IndexProgress
    from photoscope.library.watcher import FolderWatcher
    from photoscope.network import ModelIdentity


# Photos re-captioned per step when the worker is idle (``rewrite_captions``), on one of the network's
# threads: the worker stops (the app closes) within one small step, and the other core stays free.
IDLE_BATCH = 32


def pattern_problem(pattern: str) -> str | None:
    """Why a new exclusion pattern is refused (an unclosed '['), in words, or None: asked before the
    rule is made, so the window can ask for it again as typed (audit 97)."""
    try:
        refuse_unclosed_bracket(pattern)
    except ValueError as refused:
        return str(refused)
    return None


class Indexing(Core):
    # the library: folders, scanning and indexing

    def folders(self) -> list[Folder]:
        """The watched folders, each online if it is there now (its root, as a scan reads it: not an
        unplugged drive's empty mount point, nor the disk below one: audit 79), not as the last scan
        found it: gone since, it was "online"; back since, "offline: plug it in" (audit 74, repro_11).
        An offline one says whether it is there but refuses this user."""
        return Scanner(self.library).folders_now()

    def offline_folders(self) -> list[str]:
        """The folders offline now, whose photos the index keeps: the watched folders so found at
        their last scan or not there (a drive unplugged since), and the drives once mounted inside
        them that are not mounted now (a card unplugged: the fresh-seat audit of stop 54 found its
        photos "[not found]" in search)."""
        watched = [f.path for f in self.library.folders() if not f.online or not os.path.isdir(f.path)]
        return watched + unmounted(self.library.mounts(), mount_points())

    def add_folder(self, path: str | Path) -> Folder:
        """Watch a folder; a running background indexer picks it up at once. A watched folder moved
        there as a whole keeps its photos' entries (the answer's ``moved_from`` says). A folder holding a
        watched folder that is hidden below it (``~/Pictures/.private``) is refused while hidden
        folders are left out: it would absorb that folder, whose photos would leave the index. A path
        that is not a folder is refused (a typo would be watched as an offline folder)."""
        if not os.path.isdir(path):
            what = "a file, not a folder" if os.path.exists(path) else "no such folder"
            raise LibraryError(f"{path}: {what}: choose the folder that holds your photos")
        key = folder_path(path)
        if not storable(key):  # before a moved folder is looked for here: its photos' paths are written
            raise LibraryError(f"{display_path(key)}: {UNSTORABLE_FOLDER}")
        _refuse_own_folder(key)
        _refuse_the_system(key)
        folders = self.library.folders()
        _refuse_a_second_path(self.library, key, folders)
        hidden = [
            f.path for f in folders if f.path != key and is_under(f.path, key) and hidden_below(f.path, key)
        ]
        if hidden and not self.indexes_hidden():
            raise LibraryError(
                f"{key} holds the watched folder {hidden[0]}, which is hidden inside it: its photos"
                " would leave the index. Turn on hidden folders first (photoscope folders hidden on)"
            )
        folder = self._follow_moved_folder(key, folders) or self.library.add_folder(path)
        if self._watcher is not None:
            self._watcher.refresh()
        return folder

    def _follow_moved_folder(self, key: str, folders: list[Folder]) -> Folder | None:
        """The offline folder whose photos are at ``key`` now, or the folder whose photos kept as
        moved away are (another directory was made at its place), moved there with their index
        entries and thumbnails (``library.relocation``; ``moved_from`` names its old path), or None."""
        known = [f for f in folders if f.photos or f.root_id is not None]  # photos, or a directory, to follow
        if not any(f.away or not (f.online and root_present(f)) for f in known):
            return None  # none offline, gone or replaced: no scan to wait for (the window's one task thread)
        with self.library.scan_lock:  # no scan in between: it would see the old folder's photos gone
            self.scanner().check_folders()  # a folder renamed since the last scan: offline, or replaced
            moved, follow = moved_here(self.library, key), self.library.relocate_folder
            if moved is None:
                moved, follow = moved_away_here(self.library, key), self.library.follow_moved_away
            if moved is None:
                return None
            old_paths = dict(self.library.photo_paths(moved.id))
            folder = follow(moved.id, key)
            renamed = [
                (old_paths[i], path) for i, path in self.library.photo_paths(folder.id) if i in old_paths
            ]
        for old, new in renamed:
            thumbnails.move_thumbnail(old, new)
        return replace(folder, moved_from=moved.path)

    def photos_in_folder(self, path: str | Path) -> int:
        """How many photos the watched folder ``path`` holds in the index (0 when it is not watched)."""
        folder = self.library.folder(path)
        return 0 if folder is None else folder.photos

    def remove_folder(self, path: str | Path) -> int:
        """Stop watching a folder; its photos leave the index. Returns how many left."""
        removed = self.library.remove_folder(path)
        self.photos_removed(removed)
        if self._watcher is not None:
            self._watcher.refresh()
        return len(removed)

    def scanner(self) -> Scanner:
        return Scanner(self.library, on_removed=self.photos_removed, stash=self._exclusion_stash)

    def scan(self, paths: Sequence[str | Path] | None = None) -> ScanReport:
        """Look at the watched folders (or these paths in them) for photos that came, changed, moved
        or went: what changed waits to be indexed, what went leaves the index and the vectors."""
        report = self.scanner().scan(paths)
        if self._watcher is not None:  # `index --watch` scans before its watcher's first scan
            self._watcher.watch_links(report.linked)
        return report

    # exclusions: subfolders, glob patterns and ignore files the index leaves out (library.exclusions)

    @cached_property
    def _exclusion_stash(self) -> Stash:
        """What left the index, kept in the library (so it comes back without being encoded again,
        into this process or another: a `folders exclude` from a terminal, undone while `index
        --watch` runs)."""
        return Stash(self._stashed_version, self.photos_added)

    def _stashed_version(self) -> str | None:
        """The model whose entries a stash keeps: this process's model if loaded, else the one most
        photos are indexed by (no PyTorch for it). A one-off command keeps them too: the photos it
        takes out may come back in another process (audit 92: it kept none, and the running `index
        --watch` encoded them again)."""
        if self.model_ready:
            return self.model.version
        versions = self.library.model_versions()
        return max(versions, key=versions.__getitem__) if versions else None

    def exclusion_rules(self, folder: str | None = None) -> list[ExclusionRule]:
        """The exclusion rules, of every watched folder or of ``folder`` (as ``Folder.path`` says it)."""
        rules = self.library.exclusion_rules()
        return rules if folder is None else [r for r in rules if r.folder == folder]

    def exclude(
        self,
        path: str | Path | None = None,
        pattern: str | None = None,
        folder: str | Path | None = None,
        *,
        forget: bool = False,
    ) -> ScanReport:
        """Leave out a subfolder ``path``, or files matching a glob ``pattern`` in the watched
        ``folder`` (all of them when None); their photos leave the index now, their entries kept in
        the library's stash for a month (back unchanged, they are not encoded again), or not at all
        with ``forget`` (a private folder: audit 93). Raises ``ValueError``."""
        rules = self._new_rules(path, pattern, folder)
        report = self._apply_rules(rules, True)
        if forget:
            self._forget(rules)
        return report

    def library_copies(self) -> list[Path]:
        """The copies of the library kept beside it: the one an upgrade keeps (``….schema-N``), those
        a repair moved aside (``….damaged-…``). They hold what the library held then: forgotten
        photos too, which only deleting them erases (audit 95, repro_5)."""
        from photoscope.library.doctor import library_copies

        return library_copies(self._db_path)

    def forget_excluded(
        self, path: str | Path | None = None, pattern: str | None = None, folder: str | Path | None = None
    ) -> int:
        """Keep nothing of the photos an exclusion rule the library has leaves out, as ``exclude``
        with ``forget`` does: a rule added without it could not be told so later (audit 94, defect
        2: "already excluded"), and kept their captions and vectors a month. Returns the stashed
        entries forgotten. Raises ``ValueError`` as ``include``, or when there is no such rule."""
        meant = self._rules(path, pattern, folder)
        present = self.library.exclusion_rules()
        held = [
            r for r in [*meant, *(photo_rule_before(r) for r in meant if r.kind == "photo")] if r in present
        ]
        if not held:
            raise ValueError(f"no such exclusion rule: {meant[0].describe()} is not excluded")
        return self._forget(held)

    def forget_rule(self, rule: ExclusionRule) -> int:
        """``forget_excluded`` for one of ``exclusion_rules`` (the library dialog's Forget). Raises
        ``ValueError`` for a rule no longer there, as ``drop_rule``."""
        if rule not in self.library.exclusion_rules():
            raise ValueError(f"{rule.describe()} is no exclusion rule now: look at the rules again")
        return self._forget([rule])

    def _forget(self, rules: Sequence[ExclusionRule]) -> int:
        """Keep nothing of the photos ``rules`` leave out: their entries in the stash, their rows in
        the backups, the vectors' file (it keeps a removed photo's vectors until enough has changed
        to write it again). Returns the stash entries dropped. Only these rules' photos: a scan's
        left-out photos are every rule's, and "--forget --pattern '*.png'" matching nothing wiped
        another rule's entries (audit 95, repro_1). An entry kept under the name its folder had
        before the rule followed it (a library whose stash did not move with its rules then: audit
        96, repro_2) is told by the files the rule names now, by name, size and time."""
        roots = [f.path for f in self.library.folders()]
        matcher = Rules(rules, roots, hidden=True, follow_ignore_files=False)
        stash, there = self.library.stash_files(), files_named_by(rules)
        named = set(matcher.excluded([path for path, *_ in stash]))
        gone = [
            (path, digest, size, mtime)
            for path, digest, size, mtime in stash
            if path in named or (os.path.basename(path), size, mtime) in there
        ]
        # a backup written before the rule followed its folder holds them under the old name
        identities = {(digest, size, mtime, os.path.basename(path)) for path, digest, size, mtime in gone}
        forgotten = self.library.forget_stashed([path for path, *_ in gone])
        self.library.forget_in_backups(matcher.excluded, identities)
        self._drop_vectors_file()
        return forgotten

    def _drop_vectors_file(self) -> None:
        """Delete the vectors' mapped file: the next search writes it again from the library, without
        the photos forgotten (a process that has it mapped keeps its copy, and writes the next one
        from it, the forgotten photos taken out: ``MappedStore.catch_up``)."""
        from photoscope.search.stored import sidecar_path

        with contextlib.suppress(OSError):  # not there; or a read-only folder, where it was never written
            sidecar_path(self._db_path).unlink(missing_ok=True)

    def exclusion_takes(
        self, path: str | Path | None = None, pattern: str | None = None, folder: str | Path | None = None
    ) -> tuple[int, int]:
        """What ``exclude`` with these arguments would take out of the index: (its photos, the photos
        of the watched folders it applies to). Raises ``ValueError`` as ``exclude``."""
        rules = self._new_rules(path, pattern, folder)
        folders = self.library.folders()  # paths only: no root listed
        ruled = {r.folder for r in rules}
        paths = [p for f in folders if f.path in ruled for _, p in self.library.photo_paths(f.id)]
        return len(Rules(rules, [f.path for f in folders], hidden=True).excluded(paths)), len(paths)

    def include(
        self, path: str | Path | None = None, pattern: str | None = None, folder: str | Path | None = None
    ) -> ScanReport:
        """Drop an exclusion rule; its photos come back (those taken out in the last month, unchanged,
        without being encoded again; the others pending)."""
        rules = self._rules(path, pattern, folder)
        return self._drop_rules([*rules, *(photo_rule_before(r) for r in rules if r.kind == "photo")])

    def drop_rule(self, rule: ExclusionRule) -> ScanReport:
        """Drop one of ``exclusion_rules``: its photos come back, as ``include`` brings them. Raises
        ``ValueError`` for a rule no longer there (it followed its folder since it was listed: the
        library dialog's Remove had done nothing, in silence)."""
        if rule not in self.library.exclusion_rules():
            raise ValueError(
                f"{rule.describe()} is no exclusion rule now (it may have followed its folder or photo"
                " where it was moved): look at the rules again"
            )
        return self._drop_rules([rule])

    def _drop_rules(self, rules: Sequence[ExclusionRule]) -> ScanReport:
        """Drop the rules, and count in the report what the other rules or ignore files still leave
        out of their photos (``folders include`` of a Screenshots folder said "no photo came back",
        naming nothing, while "*.png" kept its photos out: the fresh-seat audit of stop 51). Their
        photos are those the dropped rules alone match: an ignore file's folder elsewhere is none
        of theirs (audit 80: "3 more are still left out by another rule", with no other rule)."""
        report = self._apply_rules(rules, False)  # the scan of what they covered: what stays out
        roots = [f.path for f in self.library.folders()]
        theirs = Rules(rules, roots, hidden=True, follow_ignore_files=False).excluded(report.left_out)
        by_rules = Rules(
            self.library.exclusion_rules(), roots, _indexes_hidden(self.library), follow_ignore_files=False
        )
        report.still_left_out = len(theirs)
        report.still_left_out_by_ignore_files = len(theirs) - len(by_rules.excluded(theirs))
        return report

    def left_out_by_ignore_files(self, folder: str | None = None) -> list[tuple[str, str]]:
        """The folders below the watched ``folder`` (any, when None) an ignore file leaves out, as
        the last scans found them: (folder, the file's name)."""
        said = ((path, ignore_file_said(reason)) for path, reason in self.library.problems())
        return [(path, name) for path, name in said if name and (folder is None or is_under(path, folder))]

    def left_out_because(self, path: str | Path) -> str | None:
        """Why the photos of the folder ``path`` are left out of the index, whatever the reason
        (a rule, an ignore file, hidden); None when they are not."""
        return Rules.load(self.library).left_out_because(normalize_path(path))

    def is_excluded(
        self,
        path: str | Path | None = None,
        pattern: str | None = None,
        folder: str | Path | None = None,
        everywhere: bool = False,
    ) -> bool:
        """Whether the library has the rule ``include`` with these arguments would drop (in some
        watched folder; with ``everywhere``, in every one a pattern without a folder names: then
        ``exclude`` has nothing to add). Raises ``ValueError`` as ``include``."""
        present = self.library.exclusion_rules()
        there = [
            rule in present or (rule.kind == "photo" and photo_rule_before(rule) in present)
            for rule in self._rules(path, pattern, folder)
        ]
        return all(there) if everywhere else any(there)

    def _rules(
        self, path: str | Path | None, pattern: str | None, folder: str | Path | None
    ) -> list[ExclusionRule]:
        """The rules a user means (``library.exclusions.rule_for``). Raises ``ValueError``."""
        roots = [f.path for f in self.library.folders()]
        where = None if folder is None else str(folder)
        named = None if path is None else self.library.spelled_as_watched(path)  # through a link too
        meant = rule_for(roots, named, pattern, where, self.holds_photo_at)
        if pattern is None:
            return meant
        # Patterns match in any case, so "screenshots/*" is the rule "Screenshots/*" as the library
        # holds it (the fresh-seat audit of stop 54: `include` of it said "no such exclusion rule",
        # `exclude` added it again).
        held = {
            (r.folder, r.pattern.lower()): r for r in self.library.exclusion_rules() if r.kind == "pattern"
        }
        return [held.get((r.folder, r.pattern.lower()), r) for r in meant]

    def holds_photo_at(self, path: str | Path) -> bool:
        """Whether the library holds a photo at ``path`` (indexed or not, its file there or not)."""
        return bool(self.library.files_at([normalize_path(path)]))

    def _new_rules(
        self, path: str | Path | None, pattern: str | None, folder: str | Path | None
    ) -> list[ExclusionRule]:
        """The rules ``exclude`` would add: ``_rules``, refusing a glob whose ``[`` never closes
        (refused here, not by ``rule_for``: ``include`` must still drop such a rule a library holds)."""
        if pattern is not None:
            refuse_unclosed_bracket(pattern)
        rules = self._rules(path, pattern, folder)
        if path is not None and rules[0].kind == "folder" and not os.path.lexists(path):
            _refuse_a_photo_not_there(normalize_path(path))
        return rules

    def _apply_rules(self, rules: Sequence[ExclusionRule], present: bool) -> ScanReport:
        """Set (``present``) or drop the rules, and scan what they change, no other scan between."""

        changed: list[ExclusionRule] = []

        def change() -> list[str]:
            changed.extend(r for r in rules if self.library.set_exclusion_rule(r, present))
            return sorted(
                {str(Path(r.folder) / r.pattern) if r.kind != "pattern" else r.folder for r in changed}
            )

        try:
            report = self.scanner().scan_after(change)
        except BaseException:
            # the rules go back as they were when their scan fails (a full disk): set and not
            # followed, "already excluded" refused the `--forget` asked again, and the next scan
            # took the photos out as a plain rule would (audit 95, repro_2)
            with contextlib.suppress(Exception):
                for rule in changed:
                    self.library.set_exclusion_rule(rule, not present)
            raise
        if report.queued and self._worker is not None:
            self._worker.wake()
        return report

    def indexes_hidden(self) -> bool:
        """Whether hidden folders and files below the watched folders are indexed (default no)."""
        return _indexes_hidden(self.library)

    def left_out_as_hidden(self, path: str | Path) -> bool:
        """Whether ``path`` is hidden below its watched folder (``exclusions.hidden_below``) while
        hidden folders are left out: what an include of it cannot bring back (audit 100's notes)."""
        if self.indexes_hidden():
            return False
        full = os.path.abspath(path)  # as typed: "P/.secret" from the folder above
        root = next((f.path for f in self.library.folders() if is_under(full, f.path)), None)
        return root is not None and hidden_below(full, root)

    def set_indexes_hidden(self, on: bool) -> ScanReport:
        """Index hidden folders and files below the watched folders (names starting with "."), or
        leave them out again: every folder is scanned now, so their photos come back (those taken
        out in the last month without being encoded again) or leave the index. A watched folder that is
        itself hidden is indexed either way."""
        report = self.scanner().scan_after(lambda: None if _set_indexes_hidden(self.library, on) else [])
        if report.queued and self._worker is not None:
            self._worker.wake()
        return report

    # indexing in the background

    def indexer(
        self,
        on_progress: ProgressListener | None = None,
        options: IndexOptions | None = None,
        on_wait: Callable[[], None] | None = None,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> IndexWorker:
        """An indexing worker whose results flow into this API's vectors as they are written (the
        photos an older model on the same encoder indexed adopted first: ``adopt_vectors``)."""
        from photoscope.library.indexer import IndexWorker

        model = self.model  # built first: adopting records its encoder for upgrades to come
        self.adopt_vectors()

        def progressed(progress: IndexProgress) -> None:
            if on_progress is not None:
                on_progress(progress)
            if progress.done >= progress.total:  # idle: keep the mapped vectors current
                self.refresh_vectors()

        def idle() -> None:
            # Captions an older caption rule wrote, from the stored vectors: on the worker's thread,
            # so it ends when the worker is stopped or paused (closing the app), or has work again.
            def stop() -> bool:
                return worker.stopping or worker.paused or worker.has_work

            self.rewrite_captions(IDLE_BATCH, stop=stop, threads=1)

        worker = IndexWorker(
            self.library,
            model,
            options,
            on_progress=progressed,
            on_added=self.photos_added,
            on_wait=on_wait,
            on_failed=on_failed,
            on_idle=idle,
            on_folders_away=self._check_roots,
        )
        return worker

    def _check_roots(self) -> None:
        """The indexer found a photo's folder away: the watcher looks at the roots now (offline is
        then said, and the folder's watch dropped), if the folders are followed; else the run's end
        scans them (``scan_if_folders_went_away``)."""
        self._folders_went_away = True
        if self._watcher is not None:
            self._watcher.check_roots()

    def scan_if_folders_went_away(self, paths: Sequence[str | Path] | None = None) -> ScanReport | None:
        """After an indexing run that found photos' folders away (a subfolder moved out, a drive
        unplugged), the scan that sees it: photos gone from a folder that is there leave the index,
        an unplugged drive's folder is offline (its photos kept); None when none went away. A
        one-off `index` watches nothing: its photos stayed "waiting to be indexed" (the fresh-seat
        audit of stop 52)."""
        if not self._folders_went_away:
            return None
        self._folders_went_away = False
        return self.scan(paths)

    def adopt_vectors(self) -> int:
        """After an upgrade to a model on the same encoder, the photos older versions indexed become
        this model's from their stored features (``library.upgrade``: no photo decoded; their
        captions are written again when the indexer is idle), and search finds them at once.
        Returns how many photos were adopted: once a session (``indexer`` asks too, and the CLI
        first, to say how many)."""
        from photoscope.library.upgrade import adopt_vectors

        version = self.model_version()
        if self._adopted_for == version:
            return 0
        if not self.model_ready and not self.library.indexed_by_other_versions(version):
            return 0  # nothing to adopt, and no network to record its encoder (the indexer's will)
        self._adopted_for = version
        adopted = adopt_vectors(self.library, self.model)
        self.photos_added(adopted)
        return len(adopted)

    def photos_to_reencode(self) -> int:
        """How many photos another model described (after an upgrade that changed the model): this one
        describes them again, encoder included, and until it has, search leaves them out."""
        return self.library.indexed_by_other_versions(self.model_version())  # no network loaded for it

    def reencode_photos(self) -> int:
        """Queue the photos another model described for this one, and wake the background worker;
        returns how many were queued."""
        queued = self.library.requeue_other_versions(self.model.version)
        if queued and self._worker is not None:
            self._worker.wake()
        return queued

    def captions_to_rewrite(self, any_model: bool = False) -> int:
        """How many indexed photos have a caption an older caption rule wrote (``rewrite_captions``),
        among this model's photos, or ``any_model``'s (``status``: no model loaded to say it)."""
        from photoscope.network import DESCRIPTION_VERSION

        if any_model:
            return self.library.stale_description_count(DESCRIPTION_VERSION)
        version = (
            getattr(self.model, "description_version", None) if self.model_ready else DESCRIPTION_VERSION
        )
        if version is None:  # a stand-in model (tests) writes no caption rule's version
            return 0
        return self.library.stale_description_count(version, self.model_version())

    def indexing_elsewhere(self) -> bool:
        """Whether another process (a `photoscope index`, a window) is indexing this library now
        (asked without opening the library: `doctor` asks before a repair)."""
        from photoscope.library.indexer import indexing_now

        return indexing_now(self.library_path)

    def held_elsewhere(self) -> bool:
        """Whether another Photoscope has this library open: it indexes it now, or answers searches
        on its socket (a window, ``photoscope index --watch``; this app's own answering is not)."""
        from photoscope.api.service import answered_elsewhere

        return self.indexing_elsewhere() or (self._service is None and answered_elsewhere(self.library_path))

    def indexing_waits(self) -> bool:
        """Whether an indexing run has anything to do: photos pending, or photos another model
        version indexed (adopted, or described again). Asked without loading the network."""
        version = self.model_version()
        # Indexed photos only: a photo that could not be read keeps the version of its last try.
        return self.library.pending_count() > 0 or self.library.indexed_by_other_versions(version) > 0

    def rewrite_captions(
        self,
        batch: int = 256,
        limit: int | None = None,
        stop: Callable[[], bool] | None = None,
        threads: int | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Re-caption indexed photos whose caption an older caption rule wrote (a library indexed
        before the encoder head's concepts, say) from their stored vectors: the decoder runs again,
        the encoder does not. Stops early when photos are waiting to be indexed or ``stop()`` says so
        before a batch (the next idle moment goes on); ``threads`` limits the network's threads;
        ``on_batch`` hears how many each batch rewrote. Returns how many photos got a new caption."""
        from photoscope.search.stored import read_vectors

        model = self.model
        version = getattr(model, "description_version", None)
        if version is None or not hasattr(model, "describe_vectors"):  # a stand-in model (tests)
            return 0
        done, after = 0, 0
        while limit is None or done < limit:
            if stop is not None and stop():
                break
            ids = self.library.stale_descriptions(version, model.version, batch, after)
            if not ids or (done and self.library.pending_count()):
                break
            after = ids[-1]
            found_ids, latents, features, _ = read_vectors(self.library, model.version, ids)
            lost = sorted(set(ids) - set(found_ids))
            if lost:  # a vector gone (a repair by an older version kept them so): encoded again
                self.library.requeue(lost)
            if not found_ids:
                continue
            with model.threads(threads) if threads else contextlib.nullcontext():
                described = model.describe_vectors(features, latents)
            rows = [(i, d.text, d.score) for i, d in zip(found_ids, described, strict=True)]
            self.library.write_descriptions(rows, version)
            done += len(rows)
            if on_batch is not None:
                on_batch(len(rows))
        return done

    def start_background(
        self,
        on_progress: ProgressListener | None = None,
        on_changes: Callable[[ScanReport], None] | None = None,
        watch: bool = True,
        catch_up: bool = True,
        upgrade: bool = True,
        options: IndexOptions | None = None,
        on_failed: Callable[[Exception], None] | None = None,
    ) -> IndexWorker | None:
        """Keep the index current in the background: index what is pending and, with ``watch``,
        follow the folders (``catch_up`` first scans for changes made while the app was closed).
        Without ``upgrade``, photos another model described wait for ``reencode_photos``. None for a
        read-only library: it is searched as it is (``library_read_only``)."""
        if self.library_read_only:
            return None
        if self._worker is None:
            from photoscope.library.indexer import IndexOptions

            options = replace(options or IndexOptions(), redo_other_models=upgrade)
            worker = self._worker = self.indexer(on_progress, options, on_failed=on_failed)
            worker.start()
            if self._watcher is None:  # else already following the folders (``watch``)
                self._on_changes = on_changes
                self._watcher = self._new_watcher()
                if watch:
                    self._watcher.start(catch_up=catch_up)
        return self._worker

    def watch(self, on_changes: Callable[[ScanReport], None] | None = None) -> None:
        """Follow the folders from now on (no catch-up scan): changes are scanned as they happen and
        the background worker, once started, is woken for them. ``index --watch`` starts this before
        its first scan, so photos copied in during a long first indexing are not missed."""
        if self._watcher is None:
            self._on_changes = on_changes
            self._watcher = self._new_watcher()
            self._watcher.start(catch_up=False)

    def _new_watcher(self) -> FolderWatcher:
        """The folders' watcher: what it scans goes to ``_changed``; a change of how many photos
        wait (a rule removed) wakes the worker."""
        from photoscope.library.watcher import FolderWatcher  # watchdog: only for watching (not `status`)

        return FolderWatcher(
            self.library, self.scanner(), on_queued=self._changed, on_waiting=self._wake_worker
        )

    def _wake_worker(self) -> None:
        if self._worker is not None:
            self._worker.wake()

    def _changed(self, report: ScanReport) -> None:
        if self._on_changes is not None:
            self._on_changes(report)
        self._wake_worker()

    def stop_background(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    # what the index holds

    def photo_counts(self) -> PhotoCounts:
        """Photos by state: indexed, pending, error."""
        return self.library.counts()

    def model_versions(self) -> dict[str, int]:
        """Photos by the model version that described them (pending ones waiting for another model
        too; not those that could not be read, which ``photo_counts`` counts as errors)."""
        return self.library.model_versions(described_only=True)

    def pending_count(self) -> int:
        return self.library.pending_count()

    def errors(self, limit: int | None = None, since: datetime | None = None) -> list[tuple[str, str]]:
        """(path, reason) of the photos that could not be indexed (``since``: tried then or later)."""
        return self.library.errors(limit, since)

    def scan_problems(self, limit: int | None = None, ignored: bool = True) -> list[tuple[str, str]]:
        """(path, reason) of what the scans could not look at (kept as it was) or cannot index (a file
        name that is not UTF-8): with ``errors`` it accounts for every file that is not indexed.
        Without ``ignored``, not the folders an ignore file leaves out (the user's choice)."""
        if ignored:
            return self.library.problems(limit)
        return [p for p in self.library.problems() if ignore_file_said(p[1]) is None][:limit]

    def scan_problem_count(self) -> int:
        """How many ``scan_problems`` there are (the window's status bar counts them), but the
        watched folders that refuse this user: its status line says them as such (``Folder.refused``;
        the GUI audit of stop 56: "1 folder or file skipped · 1 folder without permission")."""
        return self.library.problem_count(but=REFUSED)

    def damage_found(self, thorough: bool = False) -> list[str]:
        """[] when the library's file is sound, else what SQLite found wrong. Cheap by default: the
        first pages of every table and index (the same milliseconds at a million photos); with
        ``thorough``, SQLite's quick check, which reads the whole file (seconds at 100,000 photos).
        ``doctor`` checks everything and repairs."""
        return self.library.quick_check() if thorough else self.library.root_check()

    def back_up(self) -> None:
        """Write the rolling backup of the small tables (folders, photos, captions) now."""
        self.library.backup()

    def doctor(self, repair: bool = False, how_to_repair: str | None = None) -> DoctorReport:
        """Check the library's integrity (SQLite, text index, vectors against photos, thumbnails, model
        version, backup); with ``repair``, rebuild what can be rebuilt (``library.doctor``). What is
        open is closed first and reopened on next use: a repair may move a damaged file aside.

        A repair is refused (``LibraryHeldElsewhere``, saying ``how_to_repair`` again) while another
        Photoscope has the library open: it would go on writing the file moved aside."""
        self.stop_background()  # this app's own indexing, which is not another's
        if repair and self.held_elsewhere():
            raise LibraryHeldElsewhere(self.library_path, *([how_to_repair] if how_to_repair else []))
        if "library" in self.__dict__:
            self.library.close()
            del self.__dict__["library"]
        with self._store_lock:
            self._store = None
        identity = self.model_identity()
        if identity is None:
            return examine(self._db_path, repair)
        report = examine(
            self._db_path,
            repair,
            model_version=identity.version,
            latent_dim=identity.latent_dim,
            feature_dim=identity.feature_dim,
        )
        from photoscope.search.stored import sidecar_path

        _check_vectors_file(sidecar_path(self._db_path), report, repair, identity)
        return report


# The file systems the kernel makes up: their "files" are the system's state, no one's photos.
SYSTEM_FILE_SYSTEMS = frozenset(
    {
        *("proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "debugfs"),
        *("tracefs", "configfs", "pstore", "bpf", "mqueue", "hugetlbfs", "fusectl", "binfmt_misc"),
        "efivarfs",
    }
)


def _refuse_the_system(key: str) -> None:
    """The root of the system, and its own file systems (/proc, /sys, /dev), are no photo folders:
    `photoscope index /` was taken without a question and read /proc, /sys and every user's files
    (audit 74)."""
    if key == os.path.abspath(os.sep) or file_system_type(key) in SYSTEM_FILE_SYSTEMS:
        raise LibraryError(
            f"{display_path(key)} is the system's, not a photo folder:"
            " choose the folder that holds your photos"
        )


def _refuse_own_folder(key: str) -> None:
    """A folder Photoscope fills itself (``scanner.own_folders``: its data, its cache, the thumbnail
    cache) is no photo folder: watched, it held no photo, and a home folder holding it was then
    refused as holding a hidden watched folder (the reliability audit of stop 60)."""
    from photoscope.library.scanner import own_folders

    for path, what in own_folders():
        if is_under(key, folder_path(path)) or is_under(key, path):
            where = what if key in (path, folder_path(path)) else f"inside {what} ({display_path(path)})"
            raise LibraryError(
                f"{display_path(key)} is {where}, not a photo folder:"
                " choose the folder that holds your photos"
            )


def _check_vectors_file(path: Path, report: DoctorReport, repair: bool, identity: ModelIdentity) -> None:
    """The search's vectors file (``search.stored``), whole: written over by a bad sector or a
    stray write, every search had found nothing and doctor said "all good" (the CLI audit of stop
    47). It holds nothing the library does not: a repair removes it, and the next search writes it
    again. (A missing or another model's file is written again anyway: nothing to say.)"""
    from photoscope.search.stored import map_sidecar, written_over

    if path.is_dir() and not path.is_symlink():  # not ours to remove: what is in it is someone's
        report.vectors_blocked = path  # "all good" hid it (audit 98's notes): each search was slower
        return
    side = map_sidecar(path, identity.version, identity.latent_dim)
    damage = None if side is None else written_over(side, whole=True)
    del side  # its mapping, before the file goes
    if damage is None:
        return
    report.problems.append(
        f"the search's vectors file {path} is damaged (its {damage}): it holds nothing the library does"
        " not, and is written again from it"
    )
    if not repair:
        return
    try:
        path.unlink(missing_ok=True)
    except OSError as error:  # a folder this user cannot write: the library itself is read-only too
        report.problems.append(f"could not remove {path} ({error.strerror}): delete it, then search again")
        report.fixed = False
        return
    report.repaired.append(f"removed the damaged {path.name}: the next search writes it again")


def _refuse_a_second_path(library: Library, key: str, folders: list[Folder]) -> None:
    """A folder watched already under another path that realpath cannot see through (a bind mount):
    the same directory (device and inode) as a watched folder, or as a folder of its photos, whose
    photos would be indexed twice (and the later scans would fight over their entries)."""
    same = _identity(key)
    if same is None:
        return
    for folder in folders:
        if folder.path == key:
            continue
        for directory in (folder.path, *_photo_folders_of(library, folder)):
            if directory != key and _identity(directory) == same:  # itself: inside, said as such
                where = "" if directory == folder.path else f", part of the watched folder {folder.path}"
                raise LibraryError(f"{key} is the same folder as {directory} (a bind mount?){where}")


def _photo_folders_of(library: Library, folder: Folder) -> set[str]:
    """The directories between a watched folder and its photos (the folder itself left out)."""
    found: set[str] = set()
    for directory in library.photo_directories(folder.id):
        while directory != folder.path and is_under(directory, folder.path) and directory not in found:
            found.add(directory)
            directory = os.path.dirname(directory)
    return found


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:  # an offline folder: nothing to compare
        return None
    return (st.st_dev, st.st_ino) if st.st_ino else None  # 0: a share that numbers no directory


def _refuse_a_photo_not_there(path: str) -> None:
    """A path to come is a folder's (its photos are left out when it appears), unless it is named
    as a photo: then it names one that is not there, and a folder rule of that name would match
    nothing ("Photo_0.JPG" for photo_0.jpg: the fresh-seat audit of stop 52). Raises ``ValueError``
    with the photo named so but for case, if there is one."""
    name = os.path.basename(path)
    if not is_photo_name(name, hidden=True):
        return
    folder = os.path.dirname(path)
    with contextlib.suppress(OSError):
        alike = next((n for n in sorted(os.listdir(folder)) if n.lower() == name.lower()), None)
        if alike is not None:
            raise ValueError(
                f"no such photo: {path} (a photo is named exactly, case too): {os.path.join(folder, alike)}?"
            )
    raise ValueError(f"no such photo: {path} (a photo is named exactly, case too)")
