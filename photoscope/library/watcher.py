"""Keeping the index current while the app runs: filesystem events in, coalesced scans out.

watchdog reports every write; an editor saving one photo five times, or a copy of a thousand files,
is a storm of events. The watcher only remembers *which paths* are dirty and, once they have been quiet
for ``debounce_s`` (or dirty for ``max_delay_s`` at most, so a long copy still shows progress), runs one
targeted mark-and-sweep scan over them. Moves need no special case: the scan sees the old path gone and
the new one appear with the same partial hash, and keeps the photo's entry.

Hidden folders and files (``.git``, ``.cache``) are followed too, but scanned only while the
library's setting indexes them (``library.exclusions``).

A periodic check of the folder roots catches drives being unplugged and plugged back in (an event on a
vanished mount is not reliable), and a watched folder replaced by another directory at its path (a
backup restored); a catch-up scan at start finds what changed while the app was closed. A scan that
fails keeps its paths to be tried again at a later root check.

No Qt here: ``on_queued`` is called from the watcher's thread with each scan's report, and the GUI can
turn it into a signal (the CLI just wakes the worker).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from photoscope.library.db import Library
from photoscope.library.exclusions import IGNORE_FILES, hidden_below, indexes_hidden
from photoscope.library.fs import drive_identity, is_photo_name, is_under, mount_points, mounts_under
from photoscope.library.scanner import Scanner, ScanReport
from photoscope.threads import lower_priority

log = logging.getLogger(__name__)

QueuedListener = Callable[[ScanReport], None]
# watchdog warns, many lines of its internal reprs, when a subfolder moved out of a watched folder
# comes back under another name (inotify hands out the watch descriptor it had; watchdog takes the
# new callback in place of the old, which is what we want). It is no news for the user, whose stderr
# it reached (the audit of stop 48): only that warning of that module is hidden.
warnings.filterwarnings(
    "ignore",
    message=r"Callback with id .* already exists for watch",
    category=RuntimeWarning,
    module=r"watchdog\.observers\.inotify",
)
RETRY_MAX_S = 300.0  # the longest wait before a batch whose scan failed is tried again
# Events that change nothing on disk (watchdog reports opens and reads on Linux).
_IGNORED_EVENTS = {"opened", "closed_no_write"}


class _Handler(FileSystemEventHandler):
    def __init__(self, note: Callable[[str], None]) -> None:
        self.note = note

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _IGNORED_EVENTS:
            return
        # A directory's "modified" is just a child changing, which has its own event; scanning the
        # whole directory for it would turn one saved photo into a full-folder rescan.
        if event.is_directory and event.event_type == "modified":
            return
        paths = [event.src_path] + ([event.dest_path] if event.event_type == "moved" else [])
        for raw in paths:
            path = os.fsdecode(raw)
            name = os.path.basename(path)
            if name in IGNORE_FILES:  # a folder's ignore file came or went: rescan the folder
                self.note(os.path.dirname(path))
            elif event.is_directory or is_photo_name(name, hidden=True):
                self.note(path)  # hidden ones too: whether they count is the setting's, at the flush


class FolderWatcher:
    """Watches every online folder of ``library`` and scans what changes; ``start()``/``stop()``."""

    def __init__(
        self,
        library: Library,
        scanner: Scanner,
        *,
        debounce_s: float = 1.0,
        max_delay_s: float = 10.0,
        root_check_s: float = 5.0,
        on_queued: QueuedListener | None = None,
        on_waiting: Callable[[], None] | None = None,
    ) -> None:
        self.library, self.scanner = library, scanner
        self.debounce_s, self.max_delay_s, self.root_check_s = debounce_s, max_delay_s, root_check_s
        self.on_queued = on_queued
        self.on_waiting = on_waiting  # other photos wait to be indexed than at the last root check
        self._waiting = 0
        self._lock = threading.Lock()
        self._dirty: dict[str, float] = {}  # path -> time of its last event
        self._first_dirty = 0.0
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._observer: Observer | None = None  # type: ignore[valid-type]
        self._watches: dict[str, ObservedWatch] = {}
        self._watched_dirs: dict[str, os.stat_result] = {}  # the directory each watch was made on
        # changed paths whose scan failed, tried again at a root check once due (waits double)
        self._retry: set[str] = set()
        self._retry_due = 0.0
        self._retry_wait = 0.0
        self._known_folders: set[str] = set()  # the library's folders at the last sync, online or not
        self._thread: threading.Thread | None = None
        self._sync_request = threading.Event()
        # Starting and stopping, one at a time: a stop (the window closing, a test) while another
        # thread started the watcher joined a thread not yet started ("cannot join thread before it
        # is started", seen once in CI).
        self._life = threading.Lock()
        self._roots_request = threading.Event()  # check the roots now, not at the next due time
        # the mount points inside the online folders at the last check, with the drive each held
        self._mounts: dict[str, str | None] = {}
        # albums linked in from outside the watched folders, each watched where it really is: the
        # link's path -> (its real path, the watch). The folders' own watches do not follow links
        # (audit 98, repro_7: a photo added to a linked album waited for a whole scan).
        self._links: dict[str, tuple[str, ObservedWatch]] = {}
        self._links_lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, catch_up: bool = True) -> None:
        """Begin watching; with ``catch_up``, first scan everything for changes made while closed."""
        with self._life:  # a stop from another thread waits for the start to end (CI met one between)
            if self.running:
                return
            self._stopping.clear()
            self._observer = Observer()
            self._observer.start()
            self._sync_watches()
            self._mounts = self._mounts_inside()  # (the catch-up scan sees what is there now)
            self._thread = threading.Thread(
                target=self._loop, args=(catch_up,), name="photoscope-watcher", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._life:
            self._stopping.set()  # after a start that was under way: it clears this
            self._wakeup.set()
            if self._thread is not None:
                self._thread.join(timeout)
                self._thread = None
            if self._observer is not None:
                self._observer.stop()
                self._observer.join(timeout)
                self._observer = None
            self._watches.clear()
            self._watched_dirs.clear()
            with self._links_lock:
                self._links.clear()

    def refresh(self) -> None:
        """Call after adding or removing folders: watches are re-synced and new folders scanned."""
        self._sync_request.set()
        self._wakeup.set()

    def check_roots(self) -> None:
        """Look at the watched folders' roots now (the indexer found a photo's folder away: a drive
        unplugged in the middle of a run), as the periodic check does."""
        self._roots_request.set()
        self._wakeup.set()

    def notify(self, path: str) -> None:
        """Mark a path dirty as if an event had come for it (the event handler's entry point)."""
        now = time.monotonic()
        with self._lock:
            if not self._dirty:
                self._first_dirty = now
            self._dirty[path] = now
        self._wakeup.set()

    # the watcher thread

    def _loop(self, catch_up: bool) -> None:
        lower_priority()  # scans of big folders give way to the GUI and to searches
        if catch_up:
            self._safely(self._catch_up)
        next_root_check = time.monotonic() + self.root_check_s
        while not self._stopping.is_set():
            self._wakeup.wait(self._timeout(next_root_check))
            self._wakeup.clear()
            if self._stopping.is_set():
                break
            if self._sync_request.is_set():
                self._sync_request.clear()
                self._safely(self._sync_watches)
                self._safely(lambda: self._scan_batch([f.path for f in self.library.folders()]))
            self._safely(self._flush_if_quiet)
            if self._roots_request.is_set() or time.monotonic() >= next_root_check:
                self._roots_request.clear()
                self._check_roots()
                next_root_check = time.monotonic() + self.root_check_s

    def _catch_up(self) -> None:
        try:
            report = self.scanner.scan()
        except Exception:
            self._sync_request.set()  # every folder scanned again at the next wake (retried from then on)
            raise  # logged by ``_safely``
        self._report(report)

    def _check_roots(self) -> None:
        self._safely(self._follow_other_processes)
        self._safely(self._follow_links)
        self._safely(self._follow_mounts)
        self._safely(self._follow_replaced_roots)
        # Targets [] scans nothing but the folders that came back (whole); it also notices roots gone.
        self._safely(lambda: self._scan_batch([], always=True))
        # Each path whose scan failed on its own: one that fails every time holds back no other
        # (the review of stop 48: one set, retried as one batch, failed whole for one path).
        for path in self._due_retries():
            self._safely(functools.partial(self._scan_batch, [path], retried=True))

    def _timeout(self, next_root_check: float) -> float:
        now = time.monotonic()
        deadline = next_root_check
        with self._lock:
            if self._dirty:
                deadline = min(deadline, max(self._dirty.values()) + self.debounce_s)
                deadline = min(deadline, self._first_dirty + self.max_delay_s)
        return max(0.0, deadline - now)

    def _flush_if_quiet(self) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._dirty:
                return
            quiet = now - max(self._dirty.values()) >= self.debounce_s
            if not quiet and now - self._first_dirty < self.max_delay_s:
                return
            targets, self._dirty = list(self._dirty), {}
        self._scan_batch(targets)

    def _scan_batch(self, targets: list[str], always: bool = False, retried: bool = False) -> None:
        """Scan these changed paths (the wanted ones; with ``always``, even none: the roots are
        checked). If that fails, they are kept to be tried again, not dropped: the audit of stop 48
        saw a whole batch of changes lost until a restart. ``retried``: a path kept so, whose scan
        working again is what resets the wait."""
        try:
            wanted = self._wanted(targets)
            report = self.scanner.scan(wanted) if wanted or always else None
        except Exception:
            self._keep_for_retry(targets)
            raise  # logged by ``_safely``
        if retried:
            self._retry_wait = 0.0  # it works again: the next failure is tried again soon
        if report is not None:
            self._report(report)

    def watch_links(self, linked: list[tuple[str, str]]) -> None:
        """Watch the albums a scan followed through links, where they really are; their events are
        said under the link's path, the one the library holds their photos at. From the watcher's
        thread, or from `index --watch`'s own first scan: one at a time."""
        with self._links_lock:
            self._watch_links(linked)

    def _watch_links(self, linked: list[tuple[str, str]]) -> None:
        if self._observer is None:
            return
        for link, real in linked:
            if link in self._links and self._links[link][0] == real:
                continue
            self._unwatch_link(link)
            if any(real == r for r, _ in self._links.values()):  # two links to one album: the first's
                continue
            handler = _Handler(functools.partial(self._note_linked, link, real))
            try:
                self._links[link] = (real, self._observer.schedule(handler, real, recursive=True))
            except OSError as error:
                log.warning("cannot watch %s (linked in at %s): %s", real, link, error)

    def _note_linked(self, link: str, real: str, path: str) -> None:
        self.notify(link + path[len(real) :] if is_under(path, real) else link)

    def _unwatch_link(self, link: str) -> None:
        known = self._links.pop(link, None)
        if known is not None and self._observer is not None:
            with contextlib.suppress(Exception):  # already gone with its folder
                self._observer.unschedule(known[1])

    def _follow_links(self) -> None:
        """Stop watching a linked album whose link now leads elsewhere, or nowhere, or left the
        watched folders; its link's place is scanned (what it held there is gone, or away)."""
        if not self._links:  # (no read of the folders every few seconds for nothing)
            return
        online = [f.path for f in self.library.folders() if f.online]
        with self._links_lock:
            for link, (real, _) in list(self._links.items()):
                if (
                    os.path.realpath(link) != real
                    or not os.path.isdir(real)
                    or not any(is_under(link, root) for root in online)
                ):
                    self._unwatch_link(link)
                    self.notify(link)

    def _keep_for_retry(self, targets: list[str]) -> None:
        """Try these again at a root check once due; each failure in a row doubles the wait, so a
        scan that fails every time (a database on a full disk) does not run, and log, every second."""
        if not targets:
            return
        self._retry.update(targets)
        self._retry_wait = min(RETRY_MAX_S, max(self.root_check_s, 2 * self._retry_wait))
        self._retry_due = time.monotonic() + self._retry_wait

    def _due_retries(self) -> list[str]:
        if not self._retry or time.monotonic() < self._retry_due:
            return []
        targets, self._retry = sorted(self._retry), set()
        return targets

    def _wanted(self, targets: list[str]) -> list[str]:
        """The dirty paths worth a scan: not those in hidden folders (or hidden files) while the
        library leaves them out, so a busy ``.cache`` or ``.git`` costs no scans. The setting is read
        here, at each flush, so a change made by another process counts at once."""
        if indexes_hidden(self.library):
            return targets
        roots = [f.path for f in self.library.folders()]
        wanted = []
        for target in targets:
            root = max((r for r in roots if is_under(target, r)), key=len, default=None)
            if root is None or not hidden_below(target, root):
                wanted.append(target)
        return wanted

    def _report(self, report: ScanReport) -> None:
        self.watch_links(report.linked)
        if report.offline or report.back_online:
            self._sync_watches()
        if report.anything and self.on_queued is not None:
            self.on_queued(report)

    def _safely(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:  # the watcher must outlive a bad scan (a locked database, a vanished path...)
            log.exception("watcher step failed")

    def _follow_other_processes(self) -> None:
        """Folders another process added or removed (`photoscope folders add` while this runs): no
        ``refresh()`` comes from there, so the folder list is compared at each root check. Photos it
        queued (`folders include`, `folders hidden on`: no file changed) are told ``on_waiting``."""
        self._tell_waiting()
        paths = {f.path for f in self.library.folders()}
        if paths == self._known_folders:
            return
        added = sorted(paths - self._known_folders)
        self._sync_watches()
        if added:
            self._scan_batch(added)

    def _follow_mounts(self) -> None:
        """Drives mounted, unmounted or swapped inside a watched folder since the last check: their
        folder's watch is made again (the old one watched what was there before: the directory
        underneath the mount, or the drive gone) and the mount points scanned. During `index
        --watch` a drive's photos were seen only after a restart (the audit of stop 45), and a
        photo saved in the bare folder after an unmount, or on another card mounted at the same
        place, never (the review of stop 45)."""
        mounted, before = self._mounts_inside(), self._mounts
        changed = sorted(p for p in mounted.keys() ^ before.keys()) + sorted(
            p for p in mounted.keys() & before.keys() if mounted[p] != before[p]
        )
        self._mounts = mounted
        if not changed:
            return
        for root in [r for r in list(self._watches) if any(is_under(m, r) for m in changed)]:
            self._unwatch(root)
        self._sync_watches()
        # A drive there now is scanned; one gone too: nothing is dropped inside it, and the scan
        # records why its photos are kept as they were (the live audit of stop 48: `status` said
        # nothing while the app ran, where a one-shot `index` says the drive is gone).
        self._scan_batch(changed)

    def _follow_replaced_roots(self) -> None:
        """Watched folders whose directory is another one now, at the same path (moved away and a
        copy put in its place: a backup restored, a sync tool's rename-into-place). The watch
        followed the old directory: photos added to or deleted from the new one were not seen until
        a restart (the audit of stop 48). They are watched anew and scanned whole (the scan tells a
        folder restored at its place from another made there after it was renamed away:
        ``Scanner.check_folders``)."""
        replaced = [p for p, was in self._watched_dirs.items() if _replaced(p, was)]
        if not replaced:
            return
        for path in replaced:
            self._unwatch(path)
        self._sync_watches()
        self._scan_batch(replaced)

    def _mounts_inside(self) -> dict[str, str | None]:
        """The mount points below the online folders (not at their roots: those are the root
        checks'), with the drive each holds (``fs.drive_identity``: another card at the same place
        is another)."""
        points = mount_points()
        online = [f.path for f in self.library.folders() if f.online]
        inside = {m for root in online for m in mounts_under(root, points) if m != root}
        return {m: drive_identity(m) for m in sorted(inside)}

    def _unwatch(self, path: str) -> None:
        watch = self._watches.pop(path)
        self._watched_dirs.pop(path, None)
        if self._observer is not None:
            with contextlib.suppress(Exception):  # already gone with its folder
                self._observer.unschedule(watch)

    def _tell_waiting(self) -> None:
        if self.on_waiting is None:
            return
        waiting, before = self.library.pending_count(), self._waiting
        self._waiting = waiting
        if waiting and waiting != before:  # not only "more": the worker may have done some meanwhile
            self.on_waiting()

    def _sync_watches(self) -> None:
        """Watch exactly the online folders (a watch on a vanished root is dead; renew it on return)."""
        if self._observer is None:
            return
        folders = self.library.folders()
        self._known_folders = {f.path for f in folders}
        online = {f.path for f in folders if f.online}
        for path in list(self._watches):
            if path not in online or not os.path.isdir(path):
                self._unwatch(path)
        for path in online - set(self._watches):
            try:
                # looked at first: a directory swapped in meanwhile reads as replaced at the next check
                directory = os.stat(path)
                self._watches[path] = self._observer.schedule(_Handler(self.notify), path, recursive=True)
                self._watched_dirs[path] = directory
            except FileNotFoundError:  # gone since the last scan: the next root check says it offline
                log.info("%s is not there now: watched once it is back", path)
            except OSError as error:
                log.warning("cannot watch %s: %s", path, error)


def _replaced(path: str, was: os.stat_result) -> bool:
    """Whether the directory at ``path`` is another than ``was`` (one gone or unreadable is the
    root checks' to tell: offline)."""
    try:
        now = os.stat(path)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) != (was.st_dev, was.st_ino)
