"""The status-bar widget for background indexing: done/total, rate, time left, pause/resume."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from photoscope.gui.wording import MODEL_NOT_LOADED, OFFLINE_WAY_OUT, READ_ONLY_NOTE, plural, sentence
from photoscope.wording import refused_way_out

if TYPE_CHECKING:
    from collections.abc import Sequence

    from photoscope.api import IndexProgress as Progress
    from photoscope.api import PhotoCounts


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def describe_progress(p: Progress) -> str:
    text = f"Indexing {p.done:,} / {p.total:,}"
    if p.rate > 0:
        text += f" · {p.rate:.1f} photos/s"
    if p.eta_s is not None and p.done < p.total:
        text += f" · about {duration(p.eta_s)} left"
    if p.errors:
        text += f" · {p.errors:,} unreadable"
    return text


def describe_counts(counts: PhotoCounts, problems: int = 0) -> str:
    """The library's photos by state, and what the scans could not look at (``problems``)."""
    indexed, pending, errors = counts.indexed, counts.pending, counts.error
    text = f"{indexed:,} photos indexed"
    if pending:
        text += f" · {pending:,} waiting"
    if errors:
        text += f" · {errors:,} could not be read"
    if problems:
        text += f" · {problems:,} {'folder or file' if problems == 1 else 'folders or files'} skipped"
    return text


class IndexStatus(QWidget):
    pause_toggled = Signal(bool)  # True: pause
    changed = Signal()  # new progress or counts: whether photos wait to be indexed may have changed
    problems_requested = Signal()  # "Which?": list the photos that could not be read

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Opening the library…")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.pause_button = QToolButton()
        self.pause_button.setText("Pause")
        self.pause_button.setToolTip("Pause indexing")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._toggled)
        self.pause_button.hide()
        self.problems_button = QToolButton()
        self.problems_button.setText("Which?")
        self.problems_button.setToolTip(
            "List the photos that could not be read, and the folders and files not looked at, and why"
        )
        self.problems_button.clicked.connect(self.problems_requested)
        self.problems_button.hide()
        self.last: Progress | None = None
        self.counts: PhotoCounts | None = None  # the library's photos by state, at the last count
        self.problems = 0  # what the scans could not look at (a folder without permission), then
        self._resting: str | None = None  # the text shown, when it stays (not progress, not "Adding …")
        self.offline: list[str] = []  # watched folders that are away (an unplugged drive)
        # watched folders there that this user may not read now, each with the folder keeping it out
        self.refused: list[tuple[str, str | None]] = []
        self.read_only = False  # the library cannot be written: searched as it is, never indexed
        self.model_failed = False  # the network could not be loaded: nothing is indexed
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.problems_button)
        layout.addWidget(self.bar)
        layout.addWidget(self.pause_button)
        layout.addStretch(1)  # "Which?" beside the count it is about, not at the far end

    def show_progress(self, progress: Progress) -> None:
        self.last = progress
        running = progress.done < progress.total
        self.bar.setVisible(running)
        self.pause_button.setVisible(running or self.pause_button.isChecked())
        self.bar.setRange(0, max(1, progress.total))
        self.bar.setValue(progress.done)
        self.problems_button.setVisible(progress.errors > 0 or self.problems > 0)
        if running:
            paused = " (paused)" if self.pause_button.isChecked() else ""
            self.show_text(describe_progress(progress) + paused)
        else:
            self._rest(f"Indexed {progress.done:,} photos" + self._errors(progress))
        self.changed.emit()

    @staticmethod
    def _errors(p: Progress) -> str:
        return f" · {p.errors:,} could not be read" if p.errors else ""

    def show_counts(self, counts: PhotoCounts, problems: int = 0) -> None:
        """The library's photos by state, and how many folders and files the scans could not look at
        (the walk of stop 43: a folder without permission was said by `status` only)."""
        self.counts, self.problems = counts, problems
        if self.last is None or self.last.done >= self.last.total:
            self._rest(describe_counts(counts, problems))
            self.problems_button.setVisible(counts.error > 0 or problems > 0)
        self.changed.emit()

    @property
    def indexing(self) -> bool:
        """Whether the indexer is at work: its last progress is not done."""
        return self.last is not None and self.last.done < self.last.total

    def show_offline(self, folders: list[str], refused: Sequence[tuple[str, str | None]] = ()) -> None:
        """Say which watched folders are away, and which are there but refuse this user (``refused``):
        their photos stay searchable, their files unreachable."""
        self.offline, self.refused = folders, list(refused)
        self._explain()

    def show_model_failed(self) -> None:
        """Say that the network could not be loaded: nothing is indexed (the page says why)."""
        self.model_failed = True
        self._explain()

    def show_read_only(self) -> None:
        """Say that the library's folder or disk cannot be written: nothing will be indexed."""
        self.read_only = True
        self._explain()

    def _explain(self) -> None:
        """The tooltip that says why (offline folders, a read-only library), and the text again."""
        away = [f"Offline (photos kept): {f}" for f in self.offline]
        lines = [*away, OFFLINE_WAY_OUT] if away else []
        for folder, blocked in self.refused:
            way_out = sentence(refused_way_out(folder, blocked))
            lines.append(f"No permission to read it (photos kept): {folder}. {way_out}")
        if self.read_only:
            lines.append(READ_ONLY_NOTE)
        self.label.setToolTip("\n".join(lines))
        if self._resting is not None:
            self._rest(self._resting)

    def _rest(self, text: str) -> None:
        """A text that stays (the counts, "Indexed N photos"), with the offline folders after it."""
        self._resting = text
        self.label.setText(text + self._away())

    def _away(self) -> str:
        n, refused = len(self.offline), len(self.refused)
        away = f" · {plural(n, 'folder')} offline (photos kept)" if n else ""
        if refused:
            away += f" · {plural(refused, 'folder')} without permission to read it (photos kept)"
        away += " · read-only library: searching only" if self.read_only else ""
        return away + (f" · {MODEL_NOT_LOADED}" if self.model_failed else "")

    def show_text(self, text: str) -> None:
        self._resting = None
        self.label.setText(text)

    def _toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setToolTip("Resume indexing" if paused else "Pause indexing")
        self.pause_toggled.emit(paused)
        if self.last is not None:
            self.show_progress(self.last)
