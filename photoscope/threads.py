"""Background threads that give way to the foreground.

Indexing and scanning can keep both cores of a laptop busy for hours. Their threads lower their own
scheduling priority so that the GUI thread and a user's search, when they wake, get a core at once
instead of a fair share of it. Linux schedules threads as tasks, so ``setpriority`` on the thread's
native id affects that thread alone; elsewhere this is a no-op (the GIL switch interval, set by the
app, is then what keeps the GUI responsive).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path

BACKGROUND_NICENESS = 10  # CFS weight 110 against the foreground's 1024: about 10 % when both want a core


def lower_priority(niceness: int = BACKGROUND_NICENESS) -> bool:
    """Lower the calling thread's priority by ``niceness`` steps; True if it was lowered."""
    if not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError:  # not permitted (e.g. a sandbox): run at normal priority
        return False
    return True


def thread_priority(tid: int | None = None) -> int:
    """The scheduling niceness of a thread (default: the calling one); Linux only."""
    return os.getpriority(os.PRIO_PROCESS, tid or threading.get_native_id())


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (another user's too): a temporary named by a pid that is
    no one's now was left by a kill."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # there, but another user's
        return True
    return True


def remove_if_orphaned(path: Path, pid: str) -> None:
    """Delete a temporary that names its writer's process id (``pid``, as written in its name) when
    that process is gone: a kill while it was written left it (never this process's own)."""
    if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
        with contextlib.suppress(OSError):
            path.unlink()
