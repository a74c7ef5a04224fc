"""Running core-API calls off the GUI thread, with their results delivered back on it.

Every call into ``Photoscope`` may touch SQLite or PyTorch, so none runs on the GUI thread: a
``TaskRunner`` queues it on its own ``QThreadPool`` and calls ``on_done``/``on_error`` on the GUI
thread through a queued signal. Tasks that share a ``key`` obsolete each other: submitting a new one
bumps the key's generation, so an older task still queued is skipped and one already running has
its result dropped (a stale search never overwrites a newer one).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")
DoneCallback = Callable[[Any], None]  # as stored: ``submit`` ties each one to its task's result type
ErrorCallback = Callable[[BaseException], None]


class Obsolete(Exception):
    """A task was overtaken by a newer one with the same key before it started."""


@dataclass
class _Pending:
    on_done: DoneCallback | None
    on_error: ErrorCallback | None
    key: str | None
    generation: int


class _Runnable(QRunnable):
    def __init__(
        self,
        task_id: int,
        fn: Callable[[], Any],
        is_current: Callable[[], bool],
        report: Callable[[int, object, object], None],
    ) -> None:
        super().__init__()
        self.task_id, self.fn, self.is_current, self.report = task_id, fn, is_current, report

    def run(self) -> None:
        if not self.is_current():
            self.report(self.task_id, None, Obsolete())
            return
        try:
            result = self.fn()
        except BaseException as error:  # delivered to the GUI thread, which decides what to show
            self.report(self.task_id, None, error)
        else:
            self.report(self.task_id, result, None)


class TaskRunner(QObject):
    """A thread pool for blocking calls; ``threads=1`` keeps API calls in submission order."""

    failed = Signal(str)  # a task without on_error failed; the message is for the status bar
    error_seen = Signal(object)  # any task failed (its on_error is called too): a damaged library
    busy_changed = Signal(str, bool)  # key, whether a task with that key is queued or running
    _finished = Signal(int, object, object)  # emitted from pool threads: task id, result, error

    def __init__(self, threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._tasks: dict[int, _Pending] = {}
        self._generations: dict[str, int] = {}
        self._next_id = 0
        self._closed = threading.Event()
        # The signal belongs to this GUI-thread object, so emitting it from a pool thread queues the slot.
        self._finished.connect(self._deliver)

    def submit(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
        key: str | None = None,
    ) -> int:
        """Run ``fn()`` in the pool; returns a task id. A ``key`` makes older tasks with it obsolete."""
        return self.submit_stoppable(lambda _: fn(), on_done, on_error, key)

    def submit_stoppable(
        self,
        fn: Callable[[Callable[[], bool]], T],
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorCallback | None = None,
        key: str | None = None,
    ) -> int:
        """``submit`` for a long task that can stop half way: ``fn`` is given a check that says
        whether its result is still wanted (False once a newer task with its key is submitted, or
        the runner shuts down), and what it returns or raises then is dropped."""
        if self._closed.is_set():
            return -1
        self._next_id += 1
        generation = 0
        if key is not None:
            generation = self._generations.get(key, 0) + 1
            self._generations[key] = generation
        self._tasks[self._next_id] = _Pending(on_done, on_error, key, generation)
        if key is not None and self._count(key) == 1:
            self.busy_changed.emit(key, True)
        wanted = self._current_check(key, generation)
        self.pool.start(_Runnable(self._next_id, lambda: fn(wanted), wanted, self._finished.emit))
        return self._next_id

    def obsolete(self, key: str) -> None:
        """Drop the result of whatever task with ``key`` is queued or running."""
        self._generations[key] = self._generations.get(key, 0) + 1

    def is_busy(self, key: str) -> bool:
        return self._count(key) > 0

    def _count(self, key: str) -> int:
        return sum(1 for t in self._tasks.values() if t.key == key)

    def _current_check(self, key: str | None, generation: int) -> Callable[[], bool]:
        if key is None:
            return lambda: not self._closed.is_set()
        # Read from pool threads: a dict lookup is atomic under the GIL, and a stale read only costs
        # running one obsolete task whose result is then dropped on delivery anyway.
        return lambda: not self._closed.is_set() and self._generations.get(key) == generation

    @Slot(int, object, object)
    def _deliver(self, task_id: int, result: object, error: object) -> None:
        pending = self._tasks.pop(task_id, None)
        if pending is None:
            return
        if pending.key is not None and not self._count(pending.key):
            self.busy_changed.emit(pending.key, False)
        current = pending.key is None or self._generations.get(pending.key) == pending.generation
        if self._closed.is_set() or not current or isinstance(error, Obsolete):
            return
        if isinstance(error, BaseException):
            self._fail(pending, error)
        elif pending.on_done is not None:
            pending.on_done(result)

    def _fail(self, pending: _Pending, error: BaseException) -> None:
        """The task's own answer to its failure first, then ``error_seen``'s listeners (a repair
        offered: its page must come after the failure's, not be replaced by it)."""
        if pending.on_error is not None:
            pending.on_error(error)
        else:
            log.error("background task failed", exc_info=error)
            self.failed.emit(str(error) or type(error).__name__)
        self.error_seen.emit(error)

    def close(self) -> None:
        """Drop queued tasks, and tell running ones they are no longer wanted (``submit_stoppable``);
        nothing is delivered after this."""
        self._closed.set()
        self.pool.clear()

    def shutdown(self, wait_ms: int = 30_000) -> bool:
        """``close``, and wait for the running tasks."""
        self.close()
        return bool(self.pool.waitForDone(wait_ms))


class Relay(QObject):
    """Carries a callback from a worker thread (the indexer's progress) to the GUI thread."""

    fired = Signal(object)

    def __call__(self, value: object) -> None:
        self.fired.emit(value)
