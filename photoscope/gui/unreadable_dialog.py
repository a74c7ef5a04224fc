"""The photos that could not be read, each with why: what the status bar's "N could not be read"
counts, listed where the user sees it, and what the scans could not look at or hold (``photoscope
status`` lists both on the command line)."""

from __future__ import annotations

from collections.abc import Sequence

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

    def show_files(self, files: Sequence[tuple[str, str]], places: Sequence[tuple[str, str]] = ()) -> None:
        """``files``: (path, why) of each photo that could not be read; ``places``: what the scans
        could not look at or hold (a folder without permission, a name that is not UTF-8)."""
        places_heading = "Not looked at, or not indexed by their names:"
        self.heading.setText(f"{plural(len(files), 'photo')} could not be read:" if files else places_heading)
        lines = [f"{path}\n    {why}" for path, why in files]
        if places:
            lines += ["", places_heading] if files else []
            lines += [f"{path}\n    {why}" for path, why in places]
        self.listing.setPlainText("\n".join(lines))
        self.show()
        self.raise_()
        self.activateWindow()
