"""The photos that could not be read, each with why: what the status bar's "N could not be read"
counts, listed where the user sees it (``photoscope status`` lists them on the command line)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from photoscope.gui.wording import plural

WHAT_TO_DO = (
    "Photoscope tries a file again when it changes: repair or replace it, or move it out of the "
    "watched folders if it is no photo."
)


class UnreadableDialog(QDialog):
    """A read-only list, one line a file: its path, then why it could not be read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Photos that could not be read")
        self.heading = QLabel()
        self.listing = QPlainTextEdit(readOnly=True)  # selectable and copyable, paths whole
        self.listing.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.listing.setAccessibleName("Photos that could not be read")
        advice = QLabel(WHAT_TO_DO)
        advice.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.listing, advice, buttons):
            layout.addWidget(widget)
        self.resize(760, 360)

    def show_files(self, files: list[tuple[str, str]]) -> None:
        """``files``: (path, why) of each."""
        self.heading.setText(f"{plural(len(files), 'photo')} could not be read:")
        self.listing.setPlainText("\n".join(f"{path}\n    {why}" for path, why in files))
        self.show()
        self.raise_()
        self.activateWindow()
