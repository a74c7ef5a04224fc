"""One result up close: a large preview, what the index knows about it, and what to do with it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photoscope.gui import desktop
from photoscope.gui.photo_text import photo_fields, shown_name, unreadable_text
from photoscope.gui.results_model import PhotoGridModel, ResultsModel, TimelineModel
from photoscope.gui.tasks import TaskRunner
from photoscope.gui.thumbnail_loader import decode_photo
from photoscope.gui.tile_actions import COPY_PATH_KEY, FIND_SIMILAR_KEY, OPEN_KEY, SHOW_IN_FOLDER_KEY
from photoscope.gui.wording import file_action_tip, left_grid_note, not_done_message

if TYPE_CHECKING:
    from collections.abc import Callable

    from photoscope.api import Match

PREVIEW_SIDE = 1280
FULL_SIZE_TIP = "Show the photo at its own size (1); drag the scroll bars to look around"
FIT_TIP = "Fit the photo to the window (1)"
MAX_ENLARGEMENT = 2  # a small photo is shown at most twice its own size: more is a blur, not detail
FULL_SIDE = 20_000  # "100 %": the photo at its own size (up to this many pixels a side)


class _Shown(NamedTuple):
    """The photo on show, kept apart from its row: rows move when the grid is read again."""

    id: int
    path: str


def _natural_size(match: Match | None) -> QSize | None:
    """The photo's own size in pixels, when its record is in and says it."""
    if match is None or not (match.photo.width and match.photo.height):
        return None
    return QSize(match.photo.width, match.photo.height)


class _Preview(QLabel):
    """Shows a pixmap scaled to fit, rescaled as the dialog is resized; a small photo at most
    ``MAX_ENLARGEMENT`` times its own size (``natural``, once known)."""

    def __init__(self) -> None:
        super().__init__(alignment=Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(QSize(320, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._source = QPixmap()
        self._message = ""  # shown instead of a picture when there is none (the file is missing)
        self.natural: QSize | None = None  # the photo's own pixels, when known

    def set_source(self, pixmap: QPixmap, natural: QSize | None = None) -> None:
        """Show ``pixmap`` (a thumbnail, or the decoded photo) of a photo of ``natural`` pixels."""
        self._source, self._message, self.natural = pixmap, "", natural
        self._rescale()

    def has_picture(self) -> bool:
        return not self._source.isNull()

    def set_message(self, text: str) -> None:
        """Say ``text`` where the picture would be, unless a thumbnail already shows the photo."""
        self._message = text
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._source.isNull():
            self.setText(self._message)
            return
        room = self.size()
        if self.natural is not None:
            room = room.boundedTo(self.natural * MAX_ENLARGEMENT)
        self.setPixmap(
            self._source.scaled(
                room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )


class DetailView(QDialog):
    """One photo of the current results or timeline. Left/Right (and Space, Backspace) step through
    them whatever button has the focus; Escape closes; "100 %" shows the photo at its own size."""

    find_similar = Signal(int, str)  # photo id, path
    # photo id, path, the groups of copies it is all of: Del, as the Photo menu's Move to trash…
    trash_asked = Signal(int, str, int)
    status_message = Signal(str)

    def __init__(self, model: PhotoGridModel, io: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.io = model, io
        self._single: ResultsModel | None = None  # a lone photo (from the map), not the results
        self.row = -1  # the shown photo's row in grid(), -1 once it left it
        self._place = -1  # its index among the grid's photos, kept when it leaves: steps go on from there
        self._file_gone = False  # it left the grid, and its file is not there either
        self._file_bad = False  # it left the grid, and its file is there but no picture
        self._shown: _Shown | None = None
        self._failure: BaseException | None = None  # why the photo on show's preview has no picture
        self._unreadable = ""  # why the shown photo's file gives no picture ("": it does)
        self._not_done = ""  # why Open or Show in folder did nothing for the shown photo
        self.setWindowTitle("Photo")
        self.preview = _Preview()
        self.full = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.zoom_area = QScrollArea()
        self.zoom_area.setWidget(self.full)
        self.zoom_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.preview)
        self.stack.addWidget(self.zoom_area)
        self.note = _Field()
        self.note.hide()
        names = ("caption", "tags", "taken", "camera", "size", "path")
        self.fields = {name: _Field() for name in names}
        self.buttons = self._make_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.note)
        layout.addLayout(self._make_nav())
        layout.addLayout(self._make_form())
        layout.addWidget(self.buttons)
        self._make_shortcuts()
        # No default button: Enter on the photo would press one unasked. Enter presses the focused
        # button (``_press_focused``); Space steps to the next photo, whatever has the focus.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the view itself holds the focus at first
        self._fit_to_screen(QSize(900, 760))
        model.records_loaded.connect(self._refill)
        model.modelReset.connect(self._follow)

    def _fit_to_screen(self, wanted: QSize) -> None:
        """Open at ``wanted``, or smaller on a small screen: its frame within the room the desktop's
        panels leave (a 768-pixel laptop has about 720)."""
        room = self.screen().availableGeometry().size() * 0.92  # the frame and title bar: a few %
        self.resize(wanted.boundedTo(room))

    def set_model(self, model: PhotoGridModel) -> None:
        """Step through another grid (the timeline or the search results)."""
        if model is not self.model:
            self.model.records_loaded.disconnect(self._refill)
            self.model.modelReset.disconnect(self._follow)
            self.model = model
            model.records_loaded.connect(self._refill)
            model.modelReset.connect(self._follow)
        self._single = None
        if self.isVisible():  # the photo on show stays; where it is in this grid is found again
            self._follow()

    def _make_shortcuts(self) -> None:
        # Shortcuts, not keyPressEvent: a focused button would take the arrow keys (focus moves) and
        # Space (a click) before the dialog ever saw them.
        keys = {
            Qt.Key.Key_Left: self.previous,
            Qt.Key.Key_Right: self.next,
            Qt.Key.Key_Space: self.next,
            Qt.Key.Key_PageDown: self.next,  # as image viewers step (audit 87's notes: it did nothing)
            Qt.Key.Key_Backspace: self.previous,
            Qt.Key.Key_PageUp: self.previous,
            Qt.Key.Key_Home: lambda: self.show_row(self.grid().step(-1, 1)),
            Qt.Key.Key_End: lambda: self.show_row(self.grid().row_of(self.grid().photo_count() - 1)),
        }
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        for enter in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(enter), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._press_focused)
        zoom = QShortcut(QKeySequence("1"), self)
        zoom.activated.connect(self.zoom_button.toggle)

    def _press_focused(self) -> None:
        """Enter on a button presses it: Space, which would, steps through the photos (the GUI walk
        of stop 47: Tab to "Copy path", Enter did nothing)."""
        focused = QApplication.focusWidget()
        if isinstance(focused, QPushButton) and self.isAncestorOf(focused):
            focused.click()

    def _make_nav(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.previous_button = QPushButton("\N{BLACK LEFT-POINTING TRIANGLE} Previous")
        self.previous_button.setToolTip("Previous photo (Left)")
        self.previous_button.clicked.connect(self.previous)
        self.next_button = QPushButton("Next \N{BLACK RIGHT-POINTING TRIANGLE}")
        self.next_button.setToolTip("Next photo (Right or Space)")
        self.next_button.clicked.connect(self.next)
        self.zoom_button = QPushButton("100 %")
        self.zoom_button.setCheckable(True)
        self.zoom_button.setToolTip(FULL_SIZE_TIP)
        self.zoom_button.toggled.connect(self._zoom)
        self.position = QLabel()
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        row.addWidget(self.position, 1, Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.zoom_button)
        return row

    def _make_form(self) -> QFormLayout:
        form = QFormLayout()
        labels = {
            "caption": "Caption",
            "tags": "Looks like",
            "taken": "Taken",
            "camera": "Camera",
            "size": "Size",
            "path": "File",
        }
        for name, label in labels.items():
            form.addRow(label, self.fields[name])
        return form

    def _make_buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox()
        self.similar_button = QPushButton("Find similar")
        self.open_button = QPushButton("Open")
        self.folder_button = QPushButton("Show in folder")
        self.copy_button = QPushButton("Copy path")
        for button in (self.similar_button, self.open_button, self.folder_button, self.copy_button):
            box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        self.similar_button.clicked.connect(self._find_similar)
        self.open_button.clicked.connect(lambda: self._report(desktop.open_file(self.path()), "open"))
        self.folder_button.clicked.connect(lambda: self._report(desktop.show_in_folder(self.path()), "show"))
        self.copy_button.clicked.connect(self._copy_path)
        # The Photo menu's keys press these buttons here (the menu's actions act on the grid).
        keys = {
            self.similar_button: FIND_SIMILAR_KEY,
            self.open_button: OPEN_KEY,
            self.folder_button: SHOW_IN_FOLDER_KEY,
            self.copy_button: COPY_PATH_KEY,
        }
        for button, key in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(button.click)
            shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{button.text()} ({shown})")
        trash = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self)
        trash.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        trash.activated.connect(self._ask_trash)
        return box

    # which photo

    def grid(self) -> PhotoGridModel:
        return self._single if self._single is not None else self.model

    def show_match(self, match: Match) -> None:
        """Show one photo on its own (chosen on the map): the results stay as they are."""
        if self._single is None:
            self._single = ResultsModel(self.model.loader, self)
        self._single.set_matches([match])
        self.show_row(0, single=True)

    def show_row(self, row: int, single: bool = False) -> None:
        if not single:
            self._single = None
        grid = self.grid()
        if grid.photo_at(row) < 0:
            return
        self.row = row
        photo = grid.photo_at(row)
        path = grid.path_of(photo)
        self._shown, self._unreadable, self._not_done = _Shown(grid.id_of(photo), path), "", ""
        self._failure = None
        self._refill()
        natural = _natural_size(grid.match_of(photo))
        self.preview.set_source(grid.loader.pixmap(path, grid.mtime_of(photo)) or QPixmap(), natural)
        self.io.submit(
            lambda: decode_photo(path, PREVIEW_SIDE),
            self._preview_loaded,
            self._preview_failed,
            key="preview",
        )
        if self.zoom_button.isChecked():
            self._load_full()
        opening = not self.isVisible()
        self.show()
        self.raise_()
        if opening:  # the photo has the focus, no button: Enter presses the focused one (_press_focused)
            self.setFocus()

    def _follow(self) -> None:
        """The grid was read again (a photo arrived or left, the results were refreshed): its rows
        moved, so the shown photo's row is found again by its id. The old row now holds another
        photo, which the buttons would act on while the view still showed this one."""
        if self._shown is None or not self.isVisible():  # reopening shows a photo afresh (show_row)
            return
        grid = self.grid()
        photo = grid.photo_of_id(self._shown.id)
        self.row = grid.row_of(photo) if photo >= 0 else -1
        self._refill()

    def _refill(self) -> None:
        grid = self.grid()
        photo = grid.photo_at(self.row)
        if photo < 0:
            self._show_gone()
            return
        count = grid.photo_count()
        self._place, self._file_gone, self._file_bad = photo, False, False
        self.position.setText(f"{photo + 1:,} of {count:,}")
        self.previous_button.setEnabled(photo > 0)
        self.next_button.setEnabled(photo + 1 < count)
        self.similar_button.setEnabled(True)
        self._offer_file_actions(True, True)
        self._show_note()
        match = grid.match_of(photo)
        if match is not None:
            self._fill(match, photo, count)
        else:  # a timeline page still loading: the file name now, the rest when it comes
            self.setWindowTitle(f"{shown_name(grid.path_of(photo))} — {photo + 1:,} of {count:,}")
            self.fields["path"].setText(grid.path_of(photo))
            self._name_picture(shown_name(grid.path_of(photo)), "")

    def _show_gone(self) -> None:
        """The shown photo left the grid: it stays on show, said to be gone, rather than the view
        switching to another photo unasked. Previous and Next go on from where it was; Find similar
        needs it in the index; Open and Show in folder act on its file while it is there."""
        if self._shown is None:
            return
        where = self._grid_name()
        self.position.setText(f"No longer in {where}")
        self.setWindowTitle(f"{shown_name(self._shown.path)} — no longer in {where}")
        count = self.grid().photo_count()
        self._place = min(self._place, count)
        self.previous_button.setEnabled(self._place > 0)
        self.next_button.setEnabled(self._place < count)
        self.similar_button.setEnabled(False)
        path = self._shown.path
        self.io.submit(
            lambda: (os.path.lexists(path), QImageReader(path).canRead(), _folder_there(path)),
            lambda found: self._file_checked(path, *found),
            key="exists",
        )
        self._show_note()

    def _file_checked(self, path: str, there: bool, decodes: bool = True, folder_there: bool = True) -> None:
        """Whether the file of a photo that left the grid is still there (a drive may be slow), and
        still a picture: one that went bad (a failed copy) left it because it could not be read, and
        the library keeps it (it was "no longer in the library": audit 75, repro_6)."""
        if self._shown is None or self._shown.path != path or self.row >= 0:
            return
        self._file_bad = there and not decodes
        if self._file_bad:
            self.position.setText("Cannot be read")
            self.setWindowTitle(f"{shown_name(path)} — cannot be read")
        self._file_gone = not there
        self._offer_file_actions(there, folder_there)
        self._show_note()

    def _offer_file_actions(self, file_there: bool, folder_there: bool) -> None:
        """Open only while the file is there, Show in folder while its folder is; each says why not
        in its tooltip (audit 97: both stayed enabled for a missing file, and Open said it only when
        pressed)."""
        for button, key, offered in (
            (self.open_button, OPEN_KEY, file_there),
            (self.folder_button, SHOW_IN_FOLDER_KEY, folder_there),
        ):
            button.setEnabled(offered)
            shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(file_action_tip(button.text(), shown, file_there, folder_there))

    def _missing_file_checked(self, path: str, there: bool, folder_there: bool) -> None:
        """The shown photo gave no picture for want of its file: what of it is still there."""
        if path == self.path() and self.row >= 0:
            self._offer_file_actions(there, folder_there)

    def _grid_name(self) -> str:
        return "the library" if isinstance(self.grid(), TimelineModel) else "the results"

    def _show_note(self) -> None:
        """The line under the photo: why its file gives no picture (unless the picture's place says
        it already: no thumbnail, or 100 %), and whether it left the grid."""
        pictured = self.stack.currentWidget() is self.preview and self.preview.has_picture()
        # a file known gone is said once (below), not also as a picture that could not be read
        lines = [self._unreadable] if self._unreadable and pictured and not self._file_gone else []
        if self._shown is not None and self.row < 0:
            lines.append(left_grid_note(self._grid_name(), self._shown.path, self._file_gone, self._file_bad))
        if self._not_done:
            lines.append(self._not_done)
        self.note.setText("\n".join(lines))
        self.note.setVisible(bool(lines))

    def _fill(self, m: Match, photo: int, count: int) -> None:
        p = m.photo
        self.setWindowTitle(f"{shown_name(p.path)} — {photo + 1:,} of {count:,}")
        fields = photo_fields(p)
        for name, text in fields.items():
            self.fields[name].setText(text)
        self._name_picture(fields["caption"], f"Looks like: {fields['tags']}")
        if isinstance(self._failure, FileNotFoundError):  # said again with what its record knows
            self._preview_failed(self._failure)

    def _name_picture(self, caption: str, seen: str) -> None:
        """What a screen reader says of the photo: the picture was a graphic with no name, and the
        view, which has the focus at first, was named by the file (audit 82, repro_2). Each step
        renames them, which a screen reader hears as a change (NameChanged)."""
        self.preview.setAccessibleName(caption)
        self.preview.setAccessibleDescription(seen)
        self.setAccessibleDescription(caption)

    def _preview_loaded(self, image: QImage) -> None:
        """The photo decoded at most ``PREVIEW_SIDE`` a side: smaller, it is at its own size."""
        whole = max(image.width(), image.height()) < PREVIEW_SIDE
        self.preview.set_source(QPixmap.fromImage(image), image.size() if whole else self.preview.natural)

    def _preview_failed(self, error: BaseException) -> None:
        # Only the shown photo's decode reports: a newer one (key "preview") drops the older's.
        self._failure = error
        self._find_why_unreadable(error, self._say_unreadable, "why")
        if isinstance(error, FileNotFoundError):
            path = self.path()
            self.io.submit(
                lambda: (os.path.lexists(path), _folder_there(path)),
                lambda found: self._missing_file_checked(path, *found),
                key="exists",
            )

    def _find_why_unreadable(self, error: BaseException, say: Callable[[str], None], key: str) -> None:
        """What to say of a file that gives no picture, worked out on the I/O thread: a missing file
        is looked for under a name the index cannot hold, a listing of its folder (50,000 files, or a
        slow share, froze the window)."""
        path, stat = self.path(), self._stat()
        self.io.submit(
            lambda: unreadable_text(path, error, stat),
            lambda text: say(text) if path == self.path() else None,
            key=key,
        )

    def _say_unreadable(self, text: str) -> None:
        self._unreadable = text
        self.preview.set_message(text)
        self._show_note()

    def _zoom(self, on: bool) -> None:
        """The photo at its own size (on) or fitted; the button says what pressing it does next
        (the GUI audit: "100 %" in both, the pressed look the only difference)."""
        self.stack.setCurrentWidget(self.zoom_area if on else self.preview)
        self.zoom_button.setText("Fit" if on else "100 %")
        self.zoom_button.setToolTip(FIT_TIP if on else FULL_SIZE_TIP)
        if on and self._shown is not None:
            self._load_full()
        self._show_note()

    def _load_full(self) -> None:
        path = self.path()
        self.full.setText("Loading…")
        self.full.adjustSize()
        self.io.submit(
            lambda: decode_photo(path, FULL_SIDE), self._full_loaded, self._full_failed, key="full"
        )

    def _full_loaded(self, image: QImage) -> None:
        self.full.setPixmap(QPixmap.fromImage(image))
        self.full.adjustSize()

    def _full_failed(self, error: BaseException) -> None:
        self._find_why_unreadable(error, self._say_unreadable_at_full_size, "why-full")

    def _say_unreadable_at_full_size(self, text: str) -> None:
        self.full.setText(text)
        self.full.adjustSize()

    def _stat(self) -> tuple[int, float] | None:
        """The size and time the index holds for the photo on show (None: it left the grid)."""
        if self.row < 0:
            return None
        grid = self.grid()
        found = grid.match_of(grid.photo_at(self.row))  # a timeline's row not read yet: None
        return None if found is None else (found.photo.size, found.photo.mtime)

    def match(self) -> Match:
        return self.grid().match_at(self.row)

    def path(self) -> str:
        """The shown photo's file: what Open, Show in folder and Copy path act on."""
        return self._shown.path if self._shown is not None else ""

    def next(self) -> None:
        self._step(+1)

    def previous(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        grid = self.grid()
        if self.row >= 0:
            row = grid.step(self.row, step)
        else:  # the photo left the grid: Next is the photo now in its place, Previous the one before
            photo = self._place + (step if step < 0 else step - 1)
            row = grid.row_of(photo) if 0 <= photo < grid.photo_count() else -1
        if row >= 0:
            self.show_row(row, single=self._single is not None)

    # actions

    def _find_similar(self) -> None:
        # Gone from the grid, it may be gone from the index (deleted) too, which a search by it needs.
        if self._shown is not None and self.row >= 0:
            self.find_similar.emit(self._shown.id, self._shown.path)

    def _ask_trash(self) -> None:
        """Del: the shown photo to the trash, after the question the grid's Del asks (the fresh-seat
        audit 75 of stop 61: the Photo menu lists Del, and here it did nothing). Not for a photo
        that left the grid: it may have left the index, or be in the trash already."""
        if self._shown is not None and self.row >= 0:
            whole = self.grid().whole_copy_groups({self.grid().photo_at(self.row)})
            self.trash_asked.emit(self._shown.id, self._shown.path, whole)

    def _copy_path(self) -> None:
        desktop.copy_path(self.path())
        self.status_message.emit(f"Copied {self.path()}")

    def _report(self, ok: bool, what: str) -> None:
        """Say why Open or Show in folder did nothing here, under the photo: in the window's status
        bar, behind this one, it went unseen (the second GUI walk of stop 43)."""
        if not ok:
            self._not_done = not_done_message(what, self.path())
            self._show_note()


def _folder_there(path: str) -> bool:
    return os.path.isdir(os.path.dirname(path))


_RING = 2  # the width of a focused field's frame (``_Field``), in pixels


class _Field(QLabel):
    """A label of plain text the user may select. What it holds is the photo's (its path, caption,
    camera): never markup, where Qt would read text that looks like HTML as such (a folder named
    "<b>Drive" showed bold, its tag gone). Tab reaches it, so a screen reader that follows the focus
    reads it and the keyboard can select and copy it: with the mouse alone, Tab went from "100 %"
    to the buttons, past the caption (audit 82, repro_2). Left, Right and Space still step through
    the photos (the dialog's shortcuts); Shift with the arrows selects.

    With the focus, it is framed in the palette's highlight colour, as the grid's keyboard tile is
    ringed: a text caret, one pixel wide, was all that showed where the focus had gone (audit 83,
    repro_3). Its margin keeps room for the frame, so the text does not move when it shows."""

    def __init__(self) -> None:
        selectable = (
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        super().__init__(wordWrap=True, textInteractionFlags=selectable)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the flags alone give it the click's only
        self.setContentsMargins(_RING + 1, _RING, _RING + 1, _RING)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.hasFocus():
            return
        painter = QPainter(self)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), _RING)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = _RING / 2
        painter.drawRect(QRectF(self.rect()).adjusted(half, half, -half, -half))
