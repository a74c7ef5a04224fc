"""The library dialog's exclusions: each watched folder's rules listed under it, and the folders an
ignore file (.nomedia, .photoscopeignore) leaves out (read-only: deleting the file brings them back),
buttons to exclude a subfolder or a glob pattern, Remove on a rule to include its photos again, and
the setting that indexes hidden folders and files (or leaves them out: the default)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QTreeWidgetItem,
)

from photoscope.gui.wording import (
    FORGET_QUESTION,
    below,
    exclusion_question,
    forgot_note,
    leaves_out_nothing,
    left_out_by_file,
    rule_tip,
)
from photoscope.wording import safe_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from photoscope.api import ExclusionRule, Photoscope, ScanReport
    from photoscope.gui.library_dialog import LibraryDialog

RULE_ROLE = Qt.ItemDataRole.UserRole + 1
IGNORED_ROLE = Qt.ItemDataRole.UserRole + 2  # a folder an ignore file leaves out: not the dialog's to change


class ExclusionButtons:
    def __init__(self, dialog: LibraryDialog) -> None:
        self.dialog = dialog
        self.subfolder_button = QPushButton("Exclude &subfolder…")
        self.subfolder_button.setToolTip("Leave a subfolder of the selected folder out of the index")
        self.pattern_button = QPushButton("Exclude &pattern…")
        self.pattern_button.setToolTip(
            "Leave out the files matching a pattern, such as *.png or */Screenshots/*"
        )
        self.forget_button = QPushButton("&Forget its photos")
        self.forget_button.setToolTip(
            "Keep nothing of the photos the chosen rule leaves out (a private folder): their captions"
            " and vectors stay in the library a month otherwise, to come back unindexed if the rule goes"
        )
        self.subfolder_button.clicked.connect(self._exclude_subfolder)
        self.pattern_button.clicked.connect(self._exclude_pattern)
        self.forget_button.clicked.connect(self._forget_chosen)
        self.buttons = [self.subfolder_button, self.pattern_button, self.forget_button]
        dialog.tree.itemSelectionChanged.connect(self.selection_changed)
        self.selection_changed()
        self.hidden_box = QCheckBox("Index &hidden folders and files")
        self.hidden_box.setToolTip(
            "Folders and files whose name starts with a dot (.thumbnails, .trash) are left out unless"
            " this is on. A watched folder that is itself hidden is always indexed."
        )
        self.hidden_box.setEnabled(False)  # until the library says which
        self.hidden_box.toggled.connect(self._hidden_toggled)

    def show_hidden(self, on: bool) -> None:
        """The library's setting, as read (not a change of it)."""
        self.hidden_box.blockSignals(True)
        self.hidden_box.setChecked(on)
        self.hidden_box.blockSignals(False)
        self.hidden_box.setEnabled(True)

    def _hidden_toggled(self, on: bool) -> None:
        api = self.dialog.api()
        if api is None:
            return
        self.hidden_box.setEnabled(False)  # one change at a time: the rescan may take a while
        self.dialog.runner.submit(
            lambda: api.set_indexes_hidden(on),
            lambda report: self.dialog.show_change(report, "Index hidden folders again to bring them back."),
            self._hidden_failed,
        )

    def _hidden_failed(self, error: BaseException) -> None:
        self.dialog.show_failure(error)
        self.dialog.refresh()  # show the setting as it is

    def show_rules(
        self, folder_item: QTreeWidgetItem, rules: list[ExclusionRule], ignored: list[tuple[str, str]]
    ) -> None:
        """Under a watched folder: its rules, then the folders an ignore file leaves out (``ignored``:
        (folder, the file's name)), which `photoscope folders list` and "Which?" showed and this did not."""
        folder = str(folder_item.data(0, Qt.ItemDataRole.UserRole))
        for rule in rules:
            kind = {"folder": "subfolder", "photo": "photo"}.get(rule.kind, "pattern")
            # every kind's pattern is written below its folder (a subfolder's, a photo's path, a glob)
            child = QTreeWidgetItem([safe_text(rule.pattern), f"excluded {kind}", "", ""])
            child.setData(0, RULE_ROLE, rule)
            child.setToolTip(0, rule_tip(rule.folder, rule.kind, rule.pattern))
            folder_item.addChild(child)
        for path, name in ignored:
            status, why = left_out_by_file(name)
            child = QTreeWidgetItem([safe_text(below(folder, path)), status, "", ""])
            child.setData(0, IGNORED_ROLE, name)
            child.setToolTip(0, f"{safe_text(path)}: {why}")
            child.setToolTip(1, why)
            folder_item.addChild(child)
        folder_item.setExpanded(True)

    @staticmethod
    def removable(item: QTreeWidgetItem) -> bool:
        """Remove works on ``item``: a folder or a rule, not a folder an ignore file leaves out."""
        return item.data(0, IGNORED_ROLE) is None

    def _folder(self) -> str | None:
        """The selected watched folder (or the folder of the selected rule)."""
        items = self.dialog.tree.selectedItems()
        if not items:
            return None
        item = items[0].parent() or items[0]
        return str(item.data(0, Qt.ItemDataRole.UserRole))

    def _rule_items(self) -> Iterator[tuple[QTreeWidgetItem, ExclusionRule]]:
        """Each rule the tree lists, with its item."""
        tree = self.dialog.tree
        for i in range(tree.topLevelItemCount()):
            folder = tree.topLevelItem(i)
            children = [folder.child(j) for j in range(folder.childCount())] if folder is not None else []
            for item in children:
                rule = item.data(0, RULE_ROLE) if item is not None else None
                if item is not None and rule is not None:
                    yield item, rule

    def rules_listed(self) -> set[ExclusionRule]:
        """The rules the tree lists."""
        return {rule for _, rule in self._rule_items()}

    def choose(self, wanted: Callable[[ExclusionRule], bool]) -> bool:
        """Make the first rule listed that is ``wanted`` the tree's current item; False if none is."""
        item = next((item for item, rule in self._rule_items() if wanted(rule)), None)
        if item is not None:
            self.dialog.tree.setCurrentItem(item)
        return item is not None

    def selection_changed(self) -> None:
        for button in (self.subfolder_button, self.pattern_button):
            button.setEnabled(self.dialog.changeable and self._folder() is not None)
        self.forget_button.setEnabled(self.dialog.changeable and self._chosen_rule() is not None)

    def _chosen_rule(self) -> ExclusionRule | None:
        items = self.dialog.tree.selectedItems()
        rule = items[0].data(0, RULE_ROLE) if items else None
        return cast("ExclusionRule | None", rule)

    def _forget_chosen(self) -> None:
        """Forget on a rule: keep nothing of its photos (``Photoscope.forget_rule``)."""
        rule, api = self._chosen_rule(), self.dialog.api()
        if rule is None or api is None or not self._sure_to_forget():
            return
        self.dialog.runner.submit(
            lambda: api.forget_rule(rule),
            lambda forgotten: self.dialog.note.setText(forgot_note(forgotten)),
            self.dialog.show_failure,
        )

    def _sure_to_forget(self) -> bool:
        """Asked before Forget, which cannot be undone (audit 97: it forgot at once)."""
        answer = QMessageBox.question(
            self.dialog,
            "Forget its photos",
            FORGET_QUESTION,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def include_selected(self, item: QTreeWidgetItem, api: Photoscope) -> bool:
        """Remove on a rule: drop it (its photos come back). False if ``item`` is not a rule."""
        rule = item.data(0, RULE_ROLE)
        if rule is None:
            return False
        self.dialog.runner.submit(
            lambda: api.drop_rule(rule), self.dialog.show_change, self.dialog.show_failure
        )
        return True

    def _exclude_subfolder(self) -> None:
        folder, api = self._folder(), self.dialog.api()
        if folder is None or api is None:
            return
        path = QFileDialog.getExistingDirectory(self.dialog, "Exclude a subfolder", folder)
        if path:
            self._exclude(api, path=path)

    def _exclude_pattern(self) -> None:
        folder, api = self._folder(), self.dialog.api()
        if folder is None or api is None:
            return
        from photoscope.api import pattern_problem  # loaded with the library

        asked, pattern = f"Files in {folder} to leave out (a pattern: *.png, */Screenshots/*):", ""
        why: str | None = None
        while True:  # a pattern refused is asked for again as typed, with why (audit 97: typed anew)
            label = asked if why is None else f"The {why}.\n\n{asked}"
            pattern, ok = QInputDialog.getText(self.dialog, "Exclude files", label, text=pattern)
            if not ok or not pattern.strip():
                return
            why = pattern_problem(pattern.strip())
            if why is None:
                self._exclude(api, pattern=pattern.strip(), folder=folder)
                return

    def _exclude(self, api: Photoscope, **rule: str) -> None:
        """Set the rule, once the user says so if it takes most of its folder's photos out of the
        index (the GUI walk of stop 43: the pattern "*" took all 199 at a keystroke; brought back
        after a month, or past the latest 5,000, they are indexed again)."""

        from photoscope.api import wide_exclusion  # loaded with the library

        def confirmed(takes: tuple[int, int]) -> None:
            if not wide_exclusion(*takes) or self._sure(*takes):
                # a rule that leaves out nothing is said so (the GUI audit of stop 60: "Pets", meant
                # for a folder, was added without a word)
                nothing = "" if takes[0] else leaves_out_nothing(rule.get("pattern"))
                listed = self.rules_listed()

                def done(report: ScanReport) -> None:
                    self.dialog.choose_new_rule(listed)
                    self.dialog.show_change(report, also=nothing)

                def exclude() -> ScanReport:
                    return api.exclude(rule.get("path"), rule.get("pattern"), rule.get("folder"))

                self.dialog.runner.submit(exclude, done, self.dialog.show_failure)

        self.dialog.runner.submit(lambda: api.exclusion_takes(**rule), confirmed, self.dialog.show_failure)

    def _sure(self, taken: int, of: int) -> bool:
        answer = QMessageBox.question(
            self.dialog,
            "Exclude photos",
            exclusion_question(taken, of),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes
