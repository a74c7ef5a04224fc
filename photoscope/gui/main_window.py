"""The main window: search panel above a results grid; library, words and indexing around it.

The window only arranges widgets and forwards what the user asks for to ``Photoscope`` on a
``TaskRunner`` (never on the GUI thread: every API call may touch SQLite or PyTorch). It can be shown
before the API exists: ``open_library`` builds it off-thread (importing PyTorch alone takes seconds),
and a query typed meanwhile runs as soon as the library is open.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QSettings,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photoscope.gui import about
from photoscope.gui.desktop import PHOTO_SUFFIXES, photo_from_mime
from photoscope.gui.detail_view import DetailView
from photoscope.gui.index_status import IndexStatus, describe_counts
from photoscope.gui.library_dialog import LibraryDialog, choose_folder
from photoscope.gui.map_window import MapWindow
from photoscope.gui.results_model import ResultsModel
from photoscope.gui.results_view import MAX_TILE, MIN_TILE, ResultsView
from photoscope.gui.search_panel import PhotoQuery, SearchPanel
from photoscope.gui.tasks import Relay, TaskRunner
from photoscope.gui.thumbnail_loader import ThumbnailLoader, qimage_to_pil
from photoscope.gui.words_panel import WordsPanel

if TYPE_CHECKING:
    from photoscope.api import Filters, Folder, IndexWorker, PhotoRecord, Photoscope, Results, UnknownWord
    from photoscope.api import IndexProgress as Progress

RESULT_LIMIT = 1000
REFRESH_MS = 1500  # while indexing, re-run the query at most this often so new photos show up


def pictures_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)


def unknown_words_message(unknown: list[UnknownWord]) -> str:
    parts = []
    for u in unknown:
        text = f"the model does not know “{u.word}”"
        if u.suggestions:
            text += " — did you mean " + " or ".join(f"“{s}”" for s in u.suggestions) + "?"
        parts.append(text)
    message = "; ".join(parts)
    return message[:1].upper() + message[1:]


class _PhotoDropFilter(QObject):
    """Lets a photo dropped on the text box reach the window instead of pasting its path as text."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent | QDragMoveEvent) and photo_from_mime(event.mimeData()):
            event.acceptProposedAction()
            return True
        if isinstance(event, QDropEvent) and photo_from_mime(event.mimeData()):
            return self.window.handle_drop(event)
        is_down = isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Down
        if is_down and event.type() == QEvent.Type.KeyPress and self.window.results.rowCount():
            self.window.view.setFocus()  # from the search box straight into the results
            return True
        return False


class _Pages(QStackedWidget):
    """The central area: the welcome offer, a message (no results, hints), or the results grid."""

    def __init__(self, welcome: QWidget, view: ResultsView) -> None:
        super().__init__()
        self.welcome, self.view = welcome, view
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setMargin(40)
        for page in (welcome, self.message, view):
            self.addWidget(page)

    def show_message(self, title: str, detail: str = "") -> None:
        self.message.setText(f"<h2>{title}</h2><p>{detail}</p>")
        self.setCurrentWidget(self.message)


class MainWindow(QMainWindow):
    library_opened = Signal()  # the API is attached and its folders are known
    indexing_started = Signal()
    results_shown = Signal(int)  # number of results now in the grid
    folders_changed = Signal(list)

    def __init__(self, settings: QSettings | None = None, result_limit: int = RESULT_LIMIT) -> None:
        super().__init__()
        self.setWindowTitle("Photoscope")
        self.setAcceptDrops(True)
        self.settings = settings if settings is not None else QSettings()
        self.result_limit = result_limit
        self.api: Photoscope | None = None
        self.worker: IndexWorker | None = None
        self.folders: list[Folder] = []
        self._query_waiting = False
        self._similar: tuple[int, str] | None = None  # (photo id, path) while "Find similar" is the query
        self.runner = TaskRunner(threads=1, parent=self)  # API calls, in order
        self.io = TaskRunner(threads=2, parent=self)  # file decoding for previews
        self.loader = ThumbnailLoader(parent=self)
        self.relay = Relay(self)
        self.maps: MapWindow | None = None
        self._build_widgets()
        self._build_menus()
        self._connect()
        self._restore_settings()

    # construction

    def _build_widgets(self) -> None:
        self.search = SearchPanel()
        self.results = ResultsModel(self.loader, self)
        self.view = ResultsView()
        self.view.setModel(self.results)
        self.welcome = self._welcome_page()
        self.pages = _Pages(self.welcome, self.view)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.search)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.index_status = IndexStatus()
        self.tile_slider = QSlider(Qt.Orientation.Horizontal)
        self.tile_slider.setRange(MIN_TILE, MAX_TILE)
        self.tile_slider.setSingleStep(16)
        self.tile_slider.setPageStep(32)
        self.tile_slider.setMaximumWidth(140)
        self.tile_slider.setToolTip("Tile size")
        self.statusBar().addWidget(self.index_status, 1)
        self.statusBar().addPermanentWidget(self.tile_slider)
        self.detail = DetailView(self.results, self.io, self)
        self.library_dialog = LibraryDialog(lambda: self.api, self.runner, self)
        self.words = WordsPanel(lambda: self.api, self.runner, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.words)
        self.words.hide()
        self.search.edit.installEventFilter(_PhotoDropFilter(self))

    def _welcome_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        title = QLabel(
            "<h1>Welcome to Photoscope</h1><p>Photoscope finds your photos by what is in them, "
            "offline. Which folder holds your photos?</p>",
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        layout.addWidget(title)
        pictures = pictures_folder()
        self.pictures_button = QPushButton(f"Index my Pictures folder ({pictures})")
        self.pictures_button.setVisible(bool(pictures) and Path(pictures).is_dir())
        self.pictures_button.clicked.connect(lambda: self.add_folder(pictures))
        self.add_folder_button = QPushButton("Add folder…")
        self.add_folder_button.clicked.connect(self.choose_and_add_folder)
        for button in (self.pictures_button, self.add_folder_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "Search by &photo…", self.choose_photo, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Search by pasted p&hoto", self.search.paste_photo, "Ctrl+Shift+V")
        file_menu.addSeparator()
        self._action(file_menu, "&Add folder…", self.choose_and_add_folder)
        self._action(file_menu, "&Library…", self.show_library, "Ctrl+L")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view_menu = self.menuBar().addMenu("&View")
        self._action(view_menu, "&Find", self._focus_search, QKeySequence.StandardKey.Find)
        view_menu.addAction(self.words.toggleViewAction())
        self._action(view_menu, "&Maps…", self.show_maps, "Ctrl+M")
        self._action(
            view_menu, "&Larger tiles", lambda: self._step_tiles(+32), QKeySequence.StandardKey.ZoomIn
        )
        self._action(
            view_menu, "&Smaller tiles", lambda: self._step_tiles(-32), QKeySequence.StandardKey.ZoomOut
        )
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Photoscope", self.show_about)

    def _action(self, menu: Any, text: str, slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    def _connect(self) -> None:
        self.search.text_query.connect(lambda _: self._new_query())
        self.search.photo_query.connect(self._photo_query)
        self.search.photo_cleared.connect(self._new_query)
        self.search.filters_changed.connect(self.run_query)
        self.search.choose_photo.connect(self.choose_photo)
        self.view.open_requested.connect(self.open_detail)
        self.detail.find_similar.connect(self.find_similar)
        self.detail.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.library_dialog.add_requested.connect(self.choose_and_add_folder)
        self.library_dialog.changed.connect(self._refresh_folders)
        self.words.word_chosen.connect(lambda word: self.search.set_text(word))
        self.tile_slider.valueChanged.connect(self._set_tile_size)
        self.index_status.pause_toggled.connect(self._pause)
        self.relay.fired.connect(self._on_progress)
        self.runner.failed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.loader.loaded.connect(self._chip_thumbnail)
        self.refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self.refresh_timer.timeout.connect(self._refresh_while_indexing)

    # settings

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(1180, 800)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        tile = int(self.settings.value("grid/tile", self.view.tile_size()))  # type: ignore[call-overload]
        self.tile_slider.setValue(tile)
        self.view.set_tile_size(tile)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("grid/tile", self.view.tile_size())
        self.settings.sync()

    def last_folder(self) -> str:
        return str(self.settings.value("library/last_folder", "") or pictures_folder() or Path.home())

    # opening the library

    def open_library(self, factory: Callable[[], Photoscope], add_folder: str | Path | None = None) -> None:
        """Build the API off the GUI thread (imports, database), then attach it."""
        self.index_status.show_text("Opening the library…")
        self.runner.submit(factory, lambda api: self.attach(api, add_folder), self._open_failed)

    def attach(self, api: Photoscope, add_folder: str | Path | None = None) -> None:
        self.api = api
        if add_folder is not None:
            self.add_folder(add_folder)
        self.runner.submit(api.folders, self._library_opened)

    def _open_failed(self, error: BaseException) -> None:
        self.index_status.show_text("The library could not be opened")
        QMessageBox.critical(self, "Photoscope", f"The library could not be opened:\n\n{error}")

    def _library_opened(self, folders: list[Folder]) -> None:
        self._set_folders(folders)
        self.library_opened.emit()
        if not folders:
            self.index_status.show_text("No folders yet")
            self.pages.setCurrentWidget(self.welcome)
            return
        self.start_background()
        self._show_idle()
        if self._query_waiting:
            self.run_query()

    def start_background(self) -> None:
        """Index and watch in the background; the vectors load first (see below)."""
        api = self.api
        if api is None or self.worker is not None:
            return

        def start() -> IndexWorker:
            # Load the vectors before the indexer can write: the API only streams new vectors into a
            # store that exists, so this ordering loses none. It also makes the first search quick.
            _ = api.store
            return api.start_background(on_progress=self.relay, watch=True)

        self.worker = None
        self.runner.submit(start, self._background_started)

    def _background_started(self, worker: IndexWorker) -> None:
        self.worker = worker
        if self.index_status.pause_button.isChecked():
            worker.pause()
        self._refresh_counts()
        self.indexing_started.emit()

    # folders

    def choose_and_add_folder(self) -> None:
        path = choose_folder(self, self.last_folder())
        if path:
            self.add_folder(path)

    def add_folder(self, path: str | Path) -> None:
        api = self.api
        if api is None:
            return
        self.settings.setValue("library/last_folder", str(path))
        self.index_status.show_text(f"Adding {path}…")
        self.runner.submit(lambda: api.add_folder(path), lambda _: self._folder_added(), self._add_failed)

    def _folder_added(self) -> None:
        self._refresh_folders()
        self.start_background()
        self._show_idle()
        if self.library_dialog.isVisible():
            self.library_dialog.refresh()

    def _add_failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Add folder", f"This folder cannot be added:\n\n{error}")

    def _refresh_folders(self) -> None:
        if self.api is not None:
            self.runner.submit(self.api.folders, self._set_folders, key="folders")
        self._refresh_counts()

    def _set_folders(self, folders: list[Folder]) -> None:
        self.folders = folders
        self.search.set_folders([(f.id, f.path) for f in folders])
        self.folders_changed.emit(folders)

    def _refresh_counts(self) -> None:
        if self.api is not None:
            self.runner.submit(self.api.status, self.index_status.show_counts, key="counts")

    def show_library(self) -> None:
        self.library_dialog.refresh()
        self.library_dialog.show()
        self.library_dialog.raise_()

    # indexing progress

    def _on_progress(self, progress: Progress) -> None:
        self.index_status.show_progress(progress)
        if progress.done >= progress.total:
            self._refresh_folders()
            if self.library_dialog.isVisible():
                self.library_dialog.refresh()
        if self._has_query() and not self.refresh_timer.isActive():
            self.refresh_timer.start()

    def _refresh_while_indexing(self) -> None:
        # New photos join the results, unless the user is already looking at a full page of them.
        if self.results.rowCount() < self.result_limit and not self.view.selectionModel().hasSelection():
            self.run_query(quiet=True)

    def _pause(self, paused: bool) -> None:
        if self.worker is not None:
            (self.worker.pause if paused else self.worker.resume)()

    # queries

    def _has_query(self) -> bool:
        return bool(self.search.text() or self.search.query_photo is not None)

    def _new_query(self) -> None:
        self._similar = None
        self.run_query()

    def _photo_query(self, photo: PhotoQuery) -> None:
        if self._similar is not None and photo != self._similar[1]:
            self._similar = None
        if isinstance(photo, str):
            self._chip_thumbnail(photo)
        self.run_query()

    def _filters(self) -> Filters:
        from photoscope.api import Filters  # the API module is loaded by now; importing it is a lookup

        return Filters(self.search.folder_id(), self.search.date_from.value(), self.search.date_to.value())

    def run_query(self, quiet: bool = False) -> None:
        """Run whatever the search panel says, replacing any search still running."""
        api = self.api
        if api is None:
            self._query_waiting = self._has_query()
            return
        job = self._query_job(api)
        if job is None:
            self.runner.obsolete("search")
            self.results.set_matches([])
            self._show_idle()
            return
        fn, described = job
        if not quiet:
            self.statusBar().showMessage(f"Searching for {described}…")
        started = time.perf_counter()
        self.runner.submit(
            fn,
            lambda r: self._show_results(r, described, time.perf_counter() - started),
            self._search_failed,
            key="search",
        )

    def _query_job(self, api: Photoscope) -> tuple[Callable[[], Results], str] | None:
        filters, limit = self._filters(), self.result_limit
        photo, text = self.search.query_photo, self.search.text()
        if self._similar is not None:
            photo_id, path = self._similar
            return lambda: api.similar_to(photo_id, limit, filters), f"photos like {Path(path).name}"
        if isinstance(photo, QImage):
            image = QImage(photo)
            return lambda: api.search_photo(
                qimage_to_pil(image), limit, filters
            ), "photos like the pasted image"
        if isinstance(photo, str):
            return lambda: api.search_photo(photo, limit, filters), f"photos like {Path(photo).name}"
        if text:
            return lambda: api.search_text(text, limit, filters), f"“{text}”"
        return None

    def _show_results(self, results: Results, described: str, seconds: float) -> None:
        self.detail.hide()
        selected = self.view.currentIndex().row()
        self.results.set_matches(results.matches)
        self.search.show_message(unknown_words_message(results.unknown_words))
        count = len(results.matches)
        if count:
            self.pages.setCurrentWidget(self.view)
            self.view.setCurrentIndex(self.results.index(max(0, min(selected, count - 1))))
            self.statusBar().showMessage(f"{count:,} photos for {described} ({seconds:.2f} s)", 8000)
        else:
            self._show_empty(results)
        self.results_shown.emit(count)

    def _show_empty(self, results: Results) -> None:
        self.statusBar().clearMessage()
        if results.unknown_words and self.search.text() and not self.search.query_photo:
            self.pages.show_message("No photos found", "None of these words is one the model knows.")
        elif not self.folders:
            self.pages.show_message("No folders yet", "Add a folder of photos to search it.")
        elif (
            self.worker is not None
            and self.index_status.last is not None
            and self.index_status.last.done < self.index_status.last.total
        ):
            self.pages.show_message("Nothing found yet", "Photos show up here as they are indexed.")
        elif any((self.search.folder_id(), self.search.date_from.value(), self.search.date_to.value())):
            self.pages.show_message("No photos match these filters", "Try another folder or date range.")
        else:
            self.pages.show_message("No photos found", "Try describing it in other words.")

    def _search_failed(self, error: BaseException) -> None:
        self.statusBar().clearMessage()
        self.results.set_matches([])
        self.pages.show_message("The search failed", str(error))
        self.results_shown.emit(0)

    def _show_idle(self) -> None:
        if self._has_query():
            return
        self.search.show_message("")
        detail = "Or drop a photo anywhere on this window to find photos like it."
        self.pages.show_message("Describe what you are looking for", detail)

    def find_similar(self, photo_id: int) -> None:
        path = next((m.photo.path for m in self.results.matches() if m.photo.id == photo_id), "")
        self._similar = (photo_id, path)
        self.search.set_photo(path)

    # photo queries: drops, pastes, the chooser

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if photo_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if photo_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.handle_drop(event)

    def handle_drop(self, event: QDropEvent) -> bool:
        photo = photo_from_mime(event.mimeData())
        if photo is None:
            return False
        event.acceptProposedAction()
        self.search.set_photo(photo)
        return True

    def choose_photo(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(PHOTO_SUFFIXES))
        path, _ = QFileDialog.getOpenFileName(
            self, "Find photos like…", self.last_folder(), f"Photos ({patterns})"
        )
        if path:
            self.search.set_photo(path)

    def _chip_thumbnail(self, path: str) -> None:
        if self.search.query_photo == path:
            pixmap = self.loader.pixmap(path)
            if pixmap is not None:
                self.search.chip.set_thumbnail(pixmap)

    # results

    def show_maps(self) -> None:
        """The photo and word maps, with the current results framed on the photo map."""
        if self.api is None:
            return
        if self.maps is None:
            # Its own runner: laying out a large library takes up to a minute and must not queue
            # searches behind it.
            self.maps = MapWindow(self.api, TaskRunner(threads=1, parent=self), self)
            self.maps.photo_activated.connect(self.open_photo)
            self.maps.load()
        self.maps.highlight([m.photo.id for m in self.results.matches()])
        self.maps.show()
        self.maps.raise_()

    def open_photo(self, photo_id: int) -> None:
        """Show one photo (chosen on the map) in the detail view."""
        api = self.api
        if api is None:
            return

        def opened(found: list[PhotoRecord]) -> None:
            from photoscope.api import Match

            if found:
                self.results.set_matches([Match(found[0], 1.0)])
                self.pages.setCurrentWidget(self.view)
                self.detail.show_row(0)

        self.runner.submit(lambda: api.photos_by_ids([photo_id]), opened)

    def open_detail(self, index: QModelIndex) -> None:
        if index.isValid():
            self.detail.show_row(index.row())

    def _set_tile_size(self, size: int) -> None:
        self.view.set_tile_size(size)

    def _step_tiles(self, step: int) -> None:
        self.tile_slider.setValue(self.tile_slider.value() + step)

    def _focus_search(self) -> None:
        self.search.edit.setFocus()
        self.search.edit.selectAll()

    def show_about(self) -> None:
        api = self.api
        if api is None:
            about.show_about(self, None)
            return
        self.runner.submit(
            api.model_info,
            lambda info: about.show_about(self, info),
            lambda error: about.show_about(self, None, str(error)),
        )

    # closing

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.detail.close()
        self.library_dialog.close()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the background work (the API itself is closed by its owner)."""
        self.refresh_timer.stop()
        self.loader.shutdown()
        self.io.shutdown()
        self.runner.shutdown()
        if self.api is not None:
            self.api.stop_background()
        self.worker = None

    def describe_library(self, counts: dict[str, int]) -> str:
        return describe_counts(counts)
