"""The library: watched folders (online or not, photo counts), adding and removing them, their
exclusions and whether hidden folders are indexed."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photoscope.gui.exclusion_rules import RULE_ROLE, ExclusionButtons
from photoscope.gui.index_status import describe_counts
from photoscope.gui.tasks import TaskRunner
from photoscope.gui.wording import (
    OFFLINE_WAY_OUT,
    READ_ONLY_NOTE,
    RULE_BACK,
    change_note,
    folder_indexing_note,
    folder_offline_note,
    library_error_message,
    remove_folder_question,
    sentence,
)
from photoscope.wording import kept_aside, refused_way_out, safe_text, unreadable_aside

if TYPE_CHECKING:
    from photoscope.api import ExclusionRule, Folder, PhotoCounts, Photoscope

COLUMNS = ("Folder", "Status", "Photos", "Last scanned")


# The dialog's listing, read on the task runner: the folders, the photo counts, the exclusion rules,
# whether hidden folders are indexed, whether the library is read-only, and by watched folder the
# folders an ignore file leaves out ((folder, the file's name)).
Listing = tuple[
    "list[Folder]", "PhotoCounts", "list[ExclusionRule]", bool, bool, dict[str, list[tuple[str, str]]]
]


def read_listing(api: Photoscope) -> Listing:
    folders = api.folders()
    ignored = {f.path: api.left_out_by_ignore_files(f.path) for f in folders}
    rules = api.exclusion_rules()
    return folders, api.photo_counts(), rules, api.indexes_hidden(), api.library_read_only, ignored


def folder_row(folder: Folder) -> list[str]:
    status = "online" if folder.online else "offline (not mounted or missing)"
    status = "no permission to read it" if folder.refused else status
    scanned = (folder.last_scan_at or "not yet").replace("T", " ").split("+")[0]
    photos = f"{folder.readable:,}{unreadable_aside(folder.unreadable)}{kept_aside(folder.away)}"
    return [safe_text(folder.path), status, photos, scanned]


class LibraryDialog(QDialog):
    """Every change goes through the API on the task runner; ``changed`` tells the window."""

    changed = Signal()
    add_requested = Signal()

    def __init__(
        self, api: Callable[[], Photoscope | None], runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.api, self.runner = api, runner
        self._choose: str | None = None  # the folder to choose at the next listing (one just added)
        self._held: dict[str, int] = {}  # each listed folder's photos in the index, for Remove's question
        # The rules listed before one was added: the new one is chosen at the next listing, and
        # given the focus (``choose_new_rule``).
        self._rules_before: set[ExclusionRule] | None = None
        self.setWindowTitle("Library")
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Watched folders and their exclusions")
        self.tree.setRootIsDecorated(True)  # a folder's exclusion rules are its children
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # "offline (not m…"
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # a path too long for its column keeps its end, the part that tells it from its neighbours
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.summary = QLabel()
        self.note = QLabel(wordWrap=True)  # what the last change did to the index
        self._indexing: str | None = None  # a folder just added whose photos the note says are being indexed
        self._noted: str | None = None  # the folder the note speaks of (added): said again if it goes offline
        self.add_button = QPushButton("&Add folder…")
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button.clicked.connect(self._remove_selected)
        # Delete removes the chosen row, as it does in the rest of the window (audit 87: it did nothing)
        delete = QShortcut(
            QKeySequence.StandardKey.Delete, self.tree, context=Qt.ShortcutContext.WidgetShortcut
        )
        delete.activated.connect(self._delete_pressed)
        self.changeable = True  # False for a read-only library: nothing here may change it
        self.exclusions = ExclusionButtons(self)
        self.tree.itemSelectionChanged.connect(self._sync_remove)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        for button in self.exclusions.buttons:
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.exclusions.hidden_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        # Tab in reading order, Close last: the button box made Close first, so Tab went from the
        # hidden-folders box to the rightmost button, then back to Add folder… (audit 82's notes)
        order = [self.tree, self.exclusions.hidden_box, self.add_button, self.remove_button]
        order += [*self.exclusions.buttons, buttons.button(QDialogButtonBox.StandardButton.Close)]
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)
        self.resize(760, 380)

    def _sync_remove(self) -> None:
        """Remove works on the folder or rule chosen (not on a folder an ignore file leaves out)."""
        items = self.tree.selectedItems()
        self.remove_button.setEnabled(self.changeable and bool(items) and self.exclusions.removable(items[0]))

    def refresh(self) -> None:
        api = self.api()
        if api is not None:
            self.runner.submit(lambda: read_listing(api), self._show, key="library-dialog")

    def _show(self, listing: Listing) -> None:
        folders, counts, rules, hidden, read_only, ignored = listing
        self.exclusions.show_hidden(hidden)
        self._show_changeable(not read_only)
        chosen = [item.data(0, Qt.ItemDataRole.UserRole) for item in self.tree.selectedItems()]
        kept = {rule for item in self.tree.selectedItems() if (rule := item.data(0, RULE_ROLE)) is not None}
        if self._choose is not None:
            chosen, self._choose = [self._choose], None
        self.tree.clear()
        self._held = {folder.path: folder.photos for folder in folders}
        for folder in folders:
            item = QTreeWidgetItem(folder_row(folder))
            item.setData(0, Qt.ItemDataRole.UserRole, folder.path)
            item.setToolTip(0, safe_text(folder.path))
            if not folder.online:
                refused = sentence(refused_way_out(folder.path, folder.refused_at))
                way_out = refused if folder.refused else OFFLINE_WAY_OUT
                item.setToolTip(1, way_out)
            self.tree.addTopLevelItem(item)
            self.exclusions.show_rules(
                item, [r for r in rules if r.folder == folder.path], ignored.get(folder.path, [])
            )
            if folder.path in chosen:
                self.tree.setCurrentItem(item)
        first = self.tree.topLevelItem(0)
        if first is not None and not self.tree.selectedItems():  # a folder chosen: its buttons work
            self.tree.setCurrentItem(first)
        before, self._rules_before = self._rules_before, None
        if before is not None:
            self.exclusions.choose(lambda rule: rule not in before)
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        elif kept:  # a rule chosen stays so (else its folder's listing chose the first folder)
            self.exclusions.choose(lambda rule: rule in kept)
        none = "No folders watched yet: add the folders that hold your photos."
        self.summary.setText(describe_counts(counts) if folders else none)
        self._say_if_offline(folders)
        scanned = any(f.path == self._indexing and f.last_scan_at for f in folders)
        if self._indexing is not None and scanned and not counts.pending:
            self.note.setText(folder_indexing_note(self._indexing, done=True))
            self._indexing = None

    def _say_if_offline(self, folders: list[Folder]) -> None:
        """The folder the note is about, gone offline since: said instead of "Watching …: its photos
        are indexed", the note of its adding (the GUI walk of stop 47)."""
        gone = next((f for f in folders if f.path == self._noted and not f.online), None)
        if gone is not None:
            self.note.setText(folder_offline_note(gone.path))
            self._noted = self._indexing = None

    def _show_changeable(self, changeable: bool) -> None:
        """A read-only library's folders and rules are shown, and said to be unchangeable."""
        self.changeable = changeable
        self.add_button.setEnabled(changeable)
        self.exclusions.hidden_box.setEnabled(changeable)
        self._sync_remove()
        self.exclusions.selection_changed()
        if not changeable:
            self.note.setText(READ_ONLY_NOTE)

    def choose_new_rule(self, before: set[ExclusionRule]) -> None:
        """A rule was added to the rules listed ``before``: at the next listing it is chosen and the
        tree has the focus. Reading the tree again took the choice away, which greyed out the
        button that had the focus, so Qt gave it to Close, and the next Space or Enter closed the
        dialog unasked (audit 83's notes)."""
        self._rules_before = before

    def folder_added(self, path: str, note: str) -> None:
        """A folder was added (here or from the File menu): it is the one chosen, and the note
        says what adding it did."""
        self._choose = path
        self._noted = path
        self._indexing = None if note else path
        self.note.setText(note or folder_indexing_note(path, done=False))
        if self.isVisible():
            self.refresh()  # else when it shows

    def _delete_pressed(self) -> None:
        if self.remove_button.isEnabled():  # a read-only library, or no row removable: nothing
            self._remove_selected()

    def _remove_selected(self) -> None:
        items = self.tree.selectedItems()
        api = self.api()
        if not items or api is None or not self.exclusions.removable(items[0]):
            return
        if self.exclusions.include_selected(items[0], api):
            return
        path = str(items[0].data(0, Qt.ItemDataRole.UserRole))
        held = self._held.get(path, 0)
        # Cancel by default (the fresh-seat audit of stop 53: Enter took 277 photos out of the index).
        answer = QMessageBox.question(
            self,
            "Remove folder",
            remove_folder_question(path, held),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.runner.submit(lambda: api.remove_folder(path), self.show_change, self.show_failure)

    def show_change(self, result: Any = None, back: str = RULE_BACK, also: str = "") -> None:
        self._indexing = self._noted = None
        self.note.setText(" ".join(t for t in (change_note(result, back), also) if t))
        self.changed.emit()
        self.refresh()

    def show_failure(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Library", library_error_message(error))


def choose_folder(parent: QWidget, start: str) -> str | None:
    path = QFileDialog.getExistingDirectory(parent, "Add a folder of photos", start)
    return path or None
