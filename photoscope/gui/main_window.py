"""The main window: search panel above a results grid; library, words and indexing around it.

The window only arranges widgets and forwards what the user asks for to ``Photoscope`` on a
``TaskRunner`` (never on the GUI thread: every API call may touch SQLite or PyTorch). It can be shown
before the API exists: ``open_library`` builds it off-thread (importing PyTorch alone takes seconds),
and a query typed meanwhile runs as soon as the library is open. Queries go through ``SearchFlow``
(first answers while the network loads, then its ranking), answers into the grid through
``ResultsPresenter``, the library's browsing order through ``TimelineReader``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QSettings,
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
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from photoscope.gui import about
from photoscope.gui.app import resume_collection
from photoscope.gui.desktop import PHOTO_SUFFIXES, photo_from_mime
from photoscope.gui.detail_view import DetailView
from photoscope.gui.elided_label import ElidedLabel
from photoscope.gui.folder_keeper import FolderKeeper
from photoscope.gui.idle_page import IdlePage, answer_reason, idle_page
from photoscope.gui.index_status import IndexStatus
from photoscope.gui.keys_dialog import KeysDialog
from photoscope.gui.launch_order import LaunchOrder
from photoscope.gui.library_dialog import LibraryDialog
from photoscope.gui.library_opener import LibraryOpener
from photoscope.gui.map_window import MapWindow
from photoscope.gui.menus import SORTED_AS, build_menus
from photoscope.gui.pages import MoreBar, Pages, UpgradeBar, WelcomePage
from photoscope.gui.photo_drops import PhotoDropFilter
from photoscope.gui.preferences import Preferences
from photoscope.gui.results_model import PhotoGridModel, ResultsModel, TimelineModel
from photoscope.gui.results_presenter import ResultsPresenter
from photoscope.gui.results_view import MAX_TILE, MIN_TILE, ResultsView
from photoscope.gui.search_flow import SearchFlow
from photoscope.gui.search_panel import PhotoQuery, SearchPanel
from photoscope.gui.tasks import Relay, TaskRunner
from photoscope.gui.thumbnail_loader import ThumbnailLoader
from photoscope.gui.tile_actions import TileActions
from photoscope.gui.timeline_reader import TimelineReader
from photoscope.gui.unreadable_dialog import UnreadableDialog
from photoscope.gui.wording import (
    MODEL_FAILED,
    NO_FOLDERS_YET,
    NOT_CHANGEABLE,
    OPEN_FAILED,
    back_action_text,
    describe_repair,
    empty_library,
    folder_added_note,
    folder_arrived_note,
    indexing_stopped_message,
    listing_label,
    model_failed_text,
    nothing_found,
    open_failed_message,
    repair_failed_message,
    rules_followed_note,
    unavailable_page_text,
    upgraded_note,
)
from photoscope.gui.words_panel import WordsPanel

if TYPE_CHECKING:
    from photoscope.api import (
        Copies,
        DoctorReport,
        Folder,
        Grouping,
        IndexWorker,
        PhotoCounts,
        PhotoRecord,
        Photoscope,
        Results,
        ScanReport,
        Sort,
        WhyNothing,
    )
    from photoscope.api import IndexProgress as Progress

RESULT_LIMIT = 1000
REFRESH_MS = 1500  # while indexing, re-run the query at most this often so new photos show up
BROWSE_REFRESH_MS = 4000  # while indexing, re-read the timeline at most this often
CHOICES_AFTER_SCROLL_MS = 1500  # at launch the folder filter's subfolders are read after a pause this long
ELSEWHERE_MS = 3000  # how often the window looks whether another process changed the library


class MainWindow(QMainWindow):
    library_opened = Signal()  # the API is attached and its folders are known
    show_asked = Signal(object)  # another start of the window on this library (the folder it was given)
    shown_again = Signal()  # ... and the window came to the front for it
    indexing_started = Signal()
    results_shown = Signal(int)  # number of results now in the grid
    folders_changed = Signal(list)
    back_action: QAction  # View > Back, made by ``build_menus``; its text says where it goes

    def __init__(self, settings: QSettings | None = None, result_limit: int = RESULT_LIMIT) -> None:
        super().__init__()
        self.setWindowTitle("Photoscope")
        self.setAcceptDrops(True)
        self.settings = settings if settings is not None else QSettings()
        self.preferences = Preferences(self.settings)
        self.result_limit = result_limit
        self.api: Photoscope | None = None
        self.worker: IndexWorker | None = None
        self.model_failure = ""  # why the network could not be loaded ("": it loads, or did)
        self.runner = TaskRunner(threads=1, parent=self)  # API calls, in order
        # First answers while the network loads: never queued behind the runner's loading of it.
        self.quick = TaskRunner(threads=1, parent=self)
        self.launch = LaunchOrder(self.start_background, self.quick, self._shown_page, self)
        self.opener = LibraryOpener(self.runner, lambda *asked: self.ask_repair(*asked), self)
        self.io = TaskRunner(threads=2, parent=self)  # file work: decoding for previews, the trash
        # The timeline and its records, never behind a search; then the folder filter's subfolders.
        self.pages_runner = TaskRunner(threads=1, parent=self)
        self.loader = ThumbnailLoader(parent=self)
        self.relay = Relay(self)
        self.changes = Relay(self)  # the watcher's scan reports (photos added, moved, deleted)
        self.index_failures = Relay(self)  # a background indexing run that stopped, with why
        self.maps: MapWindow | None = None
        self._build_widgets()
        build_menus(self)
        self._connect()
        self._restore_settings()

    # construction

    def _build_widgets(self) -> None:
        self.search = SearchPanel()
        self.results = ResultsModel(self.loader, self)
        self.view = ResultsView()
        self.view.setModel(self.results)
        self.timeline = TimelineModel(self.loader, self._fetch_records, self.pages_runner, self)
        self.browse = ResultsView()
        self.browse.setModel(self.timeline)
        for name, grid in (("results", self.view), ("library", self.browse)):
            grid.tiles_on_screen.connect(lambda tiles, name=name: self.loader.keep_on_screen(name, tiles))
        self.view.setAccessibleName("Search results")
        self.view.escape_pressed.connect(self._leave_copies)
        self.browse.setAccessibleName("All photos")
        self.welcome = WelcomePage()
        self.pictures_button = self.welcome.pictures_button
        self.add_folder_button = self.welcome.add_folder_button
        self.pages = Pages(self.welcome, self.view, self.browse)
        self.pages.show_message("Opening your library…")
        self.more_bar = MoreBar()
        self.more_button = self.more_bar.button
        self.upgrade_bar = UpgradeBar()
        self.to_describe_again = 0  # photos an older network described, not queued again yet
        central = QWidget()
        layout = QVBoxLayout(central)
        for widget, stretch in ((self.search, 0), (self.upgrade_bar, 0), (self.pages, 1), (self.more_bar, 0)):
            layout.addWidget(widget, stretch)
        self.setCentralWidget(central)
        self._build_status_bar()
        self.detail = DetailView(self.timeline, self.io, self)
        self.actions_ = TileActions(self.grid, self.preferences, self.io, self, self._unchangeable)
        self._build_controllers()
        self.unreadable_dialog: UnreadableDialog | None = None  # made when first asked for
        self.keys_dialog: KeysDialog | None = None
        self.library_dialog = LibraryDialog(lambda: self.api, self.runner, self)
        self.words = WordsPanel(lambda: self.api, self.runner, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.words)
        self.words.hide()
        self.search.edit.installEventFilter(PhotoDropFilter(self))

    def _build_status_bar(self) -> None:
        """Indexing on the left; what the grid shows and the tile size on the right."""
        self.index_status = IndexStatus()
        self.result_label = ElidedLabel(lead=True)  # what the grid shows: stays until the grid changes
        self.tile_slider = QSlider(Qt.Orientation.Horizontal)
        self.tile_slider.setRange(MIN_TILE, MAX_TILE)
        self.tile_slider.setSingleStep(16)
        self.tile_slider.setPageStep(32)
        self.tile_slider.setMinimumWidth(100)  # a long result line is cut, not the slider
        self.tile_slider.setMaximumWidth(140)
        self.tile_slider.setToolTip("Tile size")
        self.tile_slider.setAccessibleName("Tile size")
        self.statusBar().addWidget(self.index_status, 1)
        self.statusBar().addPermanentWidget(self.result_label)
        self.statusBar().addPermanentWidget(self.tile_slider)

    def _build_controllers(self) -> None:
        """The parts that drive the widgets: answers into the grid, queries, the timeline's reading."""
        status, api = self.statusBar(), lambda: self.api
        self.presenter = ResultsPresenter(
            self.results, self.view, self.pages, self.detail, self.more_bar, self.result_label, status,
            self.search.show_results_note, self._why_empty, self,
        )  # fmt: skip
        self.flow = SearchFlow(
            self.search, self.presenter, self.runner, self.quick, self.launch, status, api,
            self.result_limit, self,
        )  # fmt: skip
        self.timeline_reader = TimelineReader(
            self.timeline, self.browse, self.pages_runner, self.preferences, api, self.search.has_query,
            self.search.filters, self,
        )  # fmt: skip
        self.folder_keeper = FolderKeeper(
            self, api, (self.runner, self.pages_runner), self.preferences, self.index_status, self.search,
            status, self._network_in,
        )  # fmt: skip

    def browse_options(self) -> tuple[Sort, Grouping]:
        return self.timeline_reader.options()

    def _connect(self) -> None:
        """The parts' signals to what answers them, part by part; then the timers."""
        self._connect_opener()
        self._connect_folders()
        self._connect_search()
        self._connect_grids()
        self._connect_status()
        self._start_timers()

    def _connect_opener(self) -> None:
        """Opening the library: its state on the status line, a repair's report, why it failed."""
        self.opener.state.connect(self.index_status.show_text)
        self.opener.opened.connect(self.attach)
        self.show_asked.connect(self._show_again)
        self.opener.repaired.connect(
            lambda report: QMessageBox.information(self, "Photoscope", describe_repair(report))
        )
        self.opener.repair_failed.connect(
            lambda error: QMessageBox.critical(self, "Photoscope", repair_failed_message(error))
        )
        self.opener.unavailable.connect(
            lambda error: self.pages.show_message(OPEN_FAILED, unavailable_page_text(error))
        )
        self.opener.cannot_open.connect(
            lambda error: QMessageBox.critical(self, "Photoscope", open_failed_message(error))
        )
        for runner in (self.runner, self.quick, self.pages_runner, self.io):  # damage found once open
            runner.error_seen.connect(self._task_failed)
        for asked in (self.search.text_query, self.search.photo_query, self.search.terms_changed):
            asked.connect(lambda *_: self.opener.ask_again())

    def _task_failed(self, error: BaseException) -> None:
        """A task on the open library failed: a damaged library is offered repair, as at opening."""
        if self.api is not None:
            self.opener.offer_repair(error, self._let_library_go)

    def check_and_repair(self) -> None:
        """File > Check and repair: ``photoscope doctor --repair`` on the open library, which is let
        go first and opened again after (a damage said while the repair was declined, say)."""
        if self.api is not None:
            self.opener.repair_now(self._let_library_go)

    def _let_library_go(self) -> None:
        """Stop using the library before it is repaired: the work on it stops, the map window closes,
        and the API is closed on the runner, where the repair and the opening again queue after it."""
        api, self.api, self.worker = self.api, None, None
        for timer in (self.refresh_timer, self.browse_timer, self.choices_timer):
            timer.stop()
        if self.maps is not None:
            self.maps.tasks.shutdown()
            self.maps.close()
            self.maps = None
        self.results.set_matches([])
        self.flow.waiting = self.search.has_query()  # asked again once the library is open again
        self.pages.show_message("Checking and repairing the library…", "")
        if api is not None:
            self.runner.submit(lambda: close_library(api))

    def _keyboard_after_page_change(self) -> None:
        """A page that goes takes the button that had the keyboard with it ("Index my Pictures
        folder"), and Qt hands it to the next page, a message ("Adding your folder…") that does
        nothing with keys: the search box has it then (the fresh-seat audit of stop 53)."""
        focused = QApplication.focusWidget()
        lost = focused is None or not focused.isVisible() or focused is self.pages.message
        if self.isActiveWindow() and lost:
            self.search.edit.setFocus()

    def _connect_folders(self) -> None:
        self.pages.currentChanged.connect(self._keyboard_after_page_change)
        self.welcome.add_folder.connect(self.folder_keeper.add)
        self.welcome.choose_folder.connect(self.folder_keeper.choose_and_add)
        self.folder_keeper.added.connect(self._folder_added)
        self.folder_keeper.add_failed.connect(self._refresh_counts)
        self.folder_keeper.changed.connect(self.folders_changed)
        self.library_dialog.add_requested.connect(
            lambda: self.folder_keeper.choose_and_add(self.library_dialog)
        )
        self.library_dialog.changed.connect(self._index_changed)
        self.upgrade_bar.chosen.connect(self._upgrade_chosen)

    def _connect_search(self) -> None:
        self.search.text_query.connect(lambda _: self.flow.new_query())
        self.search.photo_query.connect(self._photo_query)
        self.search.photo_cleared.connect(self.flow.photo_cleared)
        self.search.filters_changed.connect(self.reload_timeline)  # the library view is narrowed too
        self.search.filters_changed.connect(self.run_query)
        self.search.choose_photo.connect(self.choose_photo)
        self.search.leave_query.connect(self.browse_all)
        self.search.terms_changed.connect(self.run_query)
        self.flow.cleared.connect(self._show_idle)
        self.flow.copies_wanted.connect(self._list_copies_again)
        self.more_bar.more_requested.connect(self.show_more)
        self.presenter.shown.connect(self.results_shown)
        self.words.word_chosen.connect(lambda word: self.search.set_text(word))
        self.words.left.connect(self.search.edit.setFocus)

    def _connect_grids(self) -> None:
        """The grids, their tiles' actions and the photo view."""
        self.timeline_reader.head_read.connect(lambda: self.pages.setCurrentWidget(self.browse))
        self.timeline_reader.read.connect(self._timeline_read)
        self.timeline_reader.failed.connect(self._timeline_failed)
        for grid in (self.view, self.browse):
            grid.open_requested.connect(self.open_detail)
            grid.menu_requested.connect(self.actions_.popup)
            self.actions_.attach(grid)
        self.actions_.open_requested.connect(lambda row: self.open_detail(self.grid_model().index(row)))
        self.actions_.find_similar.connect(self.find_similar)
        self.actions_.trash_requested.connect(self._trashed)
        self.actions_.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.detail.find_similar.connect(self.find_similar)
        self.detail.status_message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.detail.trash_asked.connect(
            lambda photo, path, whole: self.actions_.trash_after_asking([(photo, path)], whole, self.detail)
        )
        self.detail.finished.connect(lambda _: self._photo_view_closed())
        self.tile_slider.valueChanged.connect(self._set_tile_size)
        self.loader.loaded.connect(self._chip_thumbnail)

    def _connect_status(self) -> None:
        """Indexing's progress, changes and failures, and the status line."""
        self.index_status.pause_toggled.connect(self._pause)
        self.index_status.changed.connect(self.presenter.explain_empty_again)
        self.index_status.changed.connect(
            self._show_idle
        )  # the empty library's page says what the count says
        self.index_status.problems_requested.connect(self.show_unreadable)
        self.relay.fired.connect(self._on_progress)
        self.index_failures.fired.connect(self._indexing_stopped)
        self.changes.fired.connect(self._library_changed)
        self.runner.failed.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def _start_timers(self) -> None:
        self.refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self.refresh_timer.timeout.connect(self._refresh_while_indexing)
        self.browse_timer = QTimer(self, singleShot=True, interval=BROWSE_REFRESH_MS)
        self.browse_timer.timeout.connect(self.reload_timeline)
        self.elsewhere_timer = QTimer(self, interval=ELSEWHERE_MS)
        self.elsewhere_timer.timeout.connect(self._look_elsewhere)
        self.choices_timer = QTimer(self, singleShot=True, interval=CHOICES_AFTER_SCROLL_MS)
        self.choices_timer.timeout.connect(self.folder_keeper.read_choices)
        for grid in (self.view, self.browse):  # scrolling puts the launch's reading of them off
            grid.verticalScrollBar().valueChanged.connect(
                lambda _: self.choices_timer.start() if self.choices_timer.isActive() else None
            )

    # settings

    def _restore_settings(self) -> None:
        geometry, state = self.preferences.window()
        if not (geometry is not None and self.restoreGeometry(geometry)):
            self.resize(1180, 800)
        if state is not None:
            self.restoreState(state)
        tile = self.preferences.tile_size(self.view.tile_size())
        self.tile_slider.setValue(tile)
        self._set_tile_size(self.tile_slider.value())  # within the slider's range

    def save_settings(self) -> None:
        self.preferences.save_window(self.saveGeometry(), self.saveState(), self.view.tile_size())

    # opening the library

    def open_library(
        self,
        factory: Callable[[], Photoscope],
        add_folder: str | Path | None = None,
        repair: Callable[[], DoctorReport] | None = None,
    ) -> None:
        """Build the API off the GUI thread (imports, database), then attach it. ``repair`` is offered
        when the library cannot be opened (``photoscope doctor --repair``), then opening is tried again."""
        self.folder_keeper.adding = add_folder is not None
        self.opener.open(factory, add_folder, repair)

    def attach(self, api: Photoscope, add_folder: str | Path | None = None) -> None:
        self.api = api
        if (upgraded := api.library_upgraded) is not None:  # opened already: no file read here
            self.statusBar().showMessage(upgraded_note(upgraded), 30_000)
        api.answer_show(self.show_asked.emit)  # from the socket's thread: queued to this one
        self.launch.attached(api)
        if self.flow.waiting:  # the first screen is the query's answer
            self.launch.after_network(self.reload_timeline)
        else:
            self.reload_timeline()  # the first screen is the photos: before anything else loads
        if add_folder is not None:
            self.folder_keeper.add(add_folder)
        self.runner.submit(api.folders, self._library_opened)
        self.runner.submit(api.changed_elsewhere)  # what the library is now: changes are from here on
        self.elsewhere_timer.start()
        # Known at once (no network needed): a query typed as the window opens, answered before the
        # network is in, is told its photos wait to be described again (the review of stop 46).
        self.quick.submit(api.photos_to_reencode, self._count_to_describe_again, lambda _: None)

    def _show_again(self, folder: str | None) -> None:
        """Another start of the window on this library: this one comes to the front instead (with
        the folder it was given to watch, added)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        if folder is not None and self.api is not None:
            self.folder_keeper.add(folder)
        self.shown_again.emit()

    def ask_repair(self, error: str, heading: str | None = None) -> bool:
        """The way out when the library cannot be opened (or, ``heading``, is found damaged once
        open): check and repair it, or close this message."""
        text = f"{heading}:\n\n{error}" if heading else open_failed_message(error)
        box = QMessageBox(QMessageBox.Icon.Critical, "Photoscope", text)
        box.setParent(self, box.windowFlags())
        repair = box.addButton("Check and repair", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setInformativeText(
            "Repair keeps your folders, captions and photo ids; a damaged file is moved aside, never deleted."
        )
        box.exec()
        return box.clickedButton() is repair

    def _library_opened(self, folders: list[Folder]) -> None:
        self.folder_keeper.set_folders(folders)
        self.library_opened.emit()
        if not folders:
            self.index_status.show_text(NO_FOLDERS_YET)
            if self.api is not None:
                self.welcome.show_library(self.api.library_path)
            self.pages.show_welcome()
            return
        self._show_idle()
        self.launch.opened(self.flow.waiting, self.timeline.complete)
        if self.flow.waiting:
            self.run_query()

    def _shown_page(self) -> QWidget:
        """What the window shows below the search bar: a grid's tiles, or a message."""
        page = self.pages.currentWidget() or self.pages
        return page.viewport() if isinstance(page, ResultsView) else page

    def _network_loaded(self) -> None:
        self.launch.network_loaded()
        self.choices_timer.start()  # the subfolders: once the user pauses (``FolderKeeper.read_choices``)

    def start_background(self) -> None:
        """Index and watch in the background; the vectors load first (see below)."""
        api = self.api
        if api is None or self.worker is not None:
            return

        def start() -> IndexWorker | None:
            # Load the vectors before the indexer starts: the first search does not wait for them (a
            # store made later reads the database then, under the store's lock, so none is lost).
            api.load_vectors()
            # Photos an older network described wait for the user's word (``_offer_upgrade``).
            return api.start_background(
                on_progress=self.relay,
                on_changes=self.changes,
                on_failed=self.index_failures,
                watch=True,
                upgrade=False,
            )

        self.worker = None
        self.runner.submit(start, self._background_started, self._background_failed)

    def _background_failed(self, error: BaseException) -> None:
        """The network could not start: its files missing or damaged (a --model folder holding none)
        is said on the page and the status line, with the way out, in place of "No photos yet" (the
        GUI audit of stop 58); a damaged library is offered repair (``_task_failed``)."""
        failure = model_failed_text(error)
        if failure is not None:
            self.model_failure = failure
            self.index_status.show_model_failed()
            self._show_idle()

    def _background_started(self, worker: IndexWorker | None) -> None:
        """The network is in; ``worker`` indexes from now on (None: the library is read-only)."""
        self.launch.network_started()
        self.worker = worker
        if worker is None:
            self.index_status.show_read_only()
        if self.api is not None:  # the network answers from now on
            self.quick.submit(self.api.release_quick_search)
            self.quick.submit(self.api.prepare_concept_names)
        # What waited for the network runs once the runner is through what is queued on it (the
        # search a query typed at launch is waiting for).
        self.runner.submit(lambda: None, lambda _: self._network_loaded())
        if worker is not None and self.index_status.pause_button.isChecked():
            worker.pause()
        self._refresh_counts()
        self.indexing_started.emit()
        if self.api is not None:
            self.runner.submit(self.api.photos_to_reencode, self._offer_upgrade)

    def _count_to_describe_again(self, count: int) -> None:
        self.to_describe_again = count
        self.presenter.explain_empty_again()  # an answer that found nothing may have this reason

    def _offer_upgrade(self, count: int) -> None:
        self._count_to_describe_again(count)
        if count:
            self.upgrade_bar.offer(count)

    def _upgrade_chosen(self, now: bool) -> None:
        if now:
            self.to_describe_again = 0  # queued: they wait to be indexed, as new photos do
        if now and self.api is not None:
            self.runner.submit(self.api.reencode_photos, lambda _: self._refresh_counts())

    # folders

    def _folder_added(self, folder: Folder) -> None:
        note = folder_added_note(folder)
        if note:
            self.statusBar().showMessage(note, 15000)
        self.library_dialog.folder_added(folder.path, note)
        self._refresh_counts()
        self.start_background()
        self.reload_timeline()
        self._show_idle()

    def _unchangeable(self) -> str | None:
        """Why the library cannot change now (it is read-only), else None."""
        return NOT_CHANGEABLE if self.api is not None and self.api.library_read_only else None

    def _network_in(self) -> bool:
        return self.worker is not None or (self.api is not None and self.api.model_ready)

    def _refresh_folders(self) -> None:
        self.folder_keeper.refresh()
        self._refresh_counts()

    def _refresh_counts(self) -> None:
        if self.api is not None:
            api, waiting = self.api, bool(self.to_describe_again)
            self.runner.submit(
                lambda: (
                    api.photo_counts(),
                    api.scan_problem_count(),
                    api.photos_to_reencode() if waiting else 0,
                ),
                self._counted,
                key="counts",
            )

    def _counted(self, counted: tuple[PhotoCounts, int, int]) -> None:
        counts, problems, to_describe_again = counted
        self.index_status.show_counts(counts, problems)
        if not self.folder_keeper.folders and not (counts.indexed or counts.pending or counts.error):
            # as at a fresh start, not "0 photos indexed" (after an add that failed: the GUI audit
            # of stop 58)
            self.index_status.show_text(NO_FOLDERS_YET)
        if self.to_describe_again:  # fewer, once some were trashed (not asked for after "Now")
            self.to_describe_again = to_describe_again

    def show_unreadable(self) -> None:
        """The photos that could not be read, each with why (the status bar's "Which?")."""
        api = self.api
        if api is None:
            return
        if self.unreadable_dialog is None:
            self.unreadable_dialog = UnreadableDialog(self)
        dialog = self.unreadable_dialog
        self.runner.submit(
            lambda: (api.errors(), api.scan_problems()),
            lambda found: dialog.show_files(*found),
            key="unreadable",
        )

    def show_library(self) -> None:
        self.library_dialog.refresh()
        self.library_dialog.show()
        self.library_dialog.raise_()
        self.library_dialog.activateWindow()  # open already behind the window: the keys too (audit 97)

    # indexing progress

    def _indexing_stopped(self, error: object) -> None:
        self.index_status.show_text(indexing_stopped_message(error))
        if isinstance(error, BaseException):  # a damaged library is offered repair, as a search's is
            self._task_failed(error)

    def _on_progress(self, progress: Progress) -> None:
        self.index_status.show_progress(progress)
        if progress.done >= progress.total:
            self._refresh_folders()
            self.reload_timeline()
            if self.library_dialog.isVisible():
                self.library_dialog.refresh()
        elif not self.browse_timer.isActive():
            # New photos join the timeline every few seconds; a big library's less often (re-reading
            # 100,000 rows costs the worker a second or so).
            self.browse_timer.start(BROWSE_REFRESH_MS + self.timeline.photo_count() // 10)
        if self.search.has_query() and not self.refresh_timer.isActive():
            self.refresh_timer.start()

    def _library_changed(self, report: ScanReport) -> None:
        """The watcher saw photos added, moved or deleted: counts and the timeline follow at once,
        the results on screen and the folder filter's list a move or a deletion; a folder gone
        offline or back: the status line says it (``FolderKeeper.set_folders``)."""
        # photos written back from the library's stash come into the answer on show too: no indexing
        # follows to refresh it (audit 91, repro_1)
        came_or_went = bool(report.moved or report.removed or report.restored)
        if report.offline or report.back_online or report.arrived or came_or_went:
            self.loader.look_again(report.offline)  # a tile marked missing may be there again
            self._refresh_folders()  # and the counts; the filter lists a renamed folder by its name
            if self.library_dialog.isVisible():  # its folders' states (offline, back)
                self.library_dialog.refresh()
        else:
            self._refresh_counts()  # new photos' folders join the filter once they are indexed
        if came_or_went:
            self._refresh_shown_answer()  # the results on screen name the photos where they are now
        if report.arrived:
            notes = (folder_arrived_note(old, place) for old, place in report.arrived)
            self.statusBar().showMessage(" ".join(notes), 15_000)
        if report.rules_followed:  # the library dialog lists the rules where they are now
            if self.library_dialog.isVisible():
                self.library_dialog.refresh()
            self.statusBar().showMessage(rules_followed_note(report.rules_followed), 15_000)
        if not self.browse_timer.isActive():
            self.browse_timer.start(300)

    def _look_elsewhere(self) -> None:
        """Another process may have changed the library (`photoscope folders exclude`, `index`): no
        file changed, so the watcher saw nothing, and the status line and the grid kept the photos a
        rule took out (audit 80). Looked at every few seconds: a pragma, nothing read."""
        api = self.api
        if api is not None and not self.runner.is_busy("elsewhere"):  # one at a time: none pile up
            # a failure is not said here: the next look, or the next read of the library, meets it
            self.runner.submit(
                api.changed_elsewhere, self._changed_elsewhere, lambda _: None, key="elsewhere"
            )

    def _changed_elsewhere(self, changed: bool) -> None:
        """As after a change made here: the counts, the folders, the timeline and the answer on show
        read again, and the library dialog's rules."""
        if changed:
            self._index_changed()
            if self.library_dialog.isVisible():
                self.library_dialog.refresh()

    def _refresh_while_indexing(self) -> None:
        # New photos join the results, unless the user is already looking at a full page of them; no
        # query since (the library's copies listed): none (it cleared them, or stopped their pass).
        if not self.search.has_query():
            return
        # Not while a query's answer is awaited: replacing it lost what Back had asked of it (the
        # weaker matches shown: the GUI walk of stop 47). Put off, not dropped: that answer may have
        # read the index before the last photos came (the review of stop 48).
        if self.flow.searching():
            self.refresh_timer.start()
            return
        # A photo selected stays selected where it moves (``ResultsPresenter.show``): it no longer
        # stops the refresh (the GUI audit of stop 57: new photos never joined, even once indexed).
        # Once indexing is over, a full page too: its note said how many photos it had not searched
        # yet (audit 81), none now.
        if self.results.rowCount() < self.result_limit or not self.index_status.indexing:
            self.run_query(quiet=True)

    def _pause(self, paused: bool) -> None:
        if self.worker is not None:
            (self.worker.pause if paused else self.worker.resume)()

    # queries

    def go_back(self) -> None:
        """Back to the query that "Find similar" replaced (``SearchFlow.go_back``)."""
        self.flow.go_back()

    def update_back_action(self) -> None:
        """The View menu's Back says where it goes, as the menu opens."""
        state = self.flow.state
        self.back_action.setText(back_action_text(state.back_text(), state.similar is not None))

    def browse_all(self) -> None:
        """Leave any query: the whole library, newest first (the copies on show kept for Back)."""
        self.flow.browse_all()

    def _leave_copies(self) -> None:
        """Esc in the grid over the library's copies, which no query in the search box holds (Esc
        there left them; in the grid it did nothing: the GUI walk of stop 47): the whole library."""
        if self.results.copies_listed:
            self.browse_all()

    def _photo_query(self, photo: PhotoQuery) -> None:
        if isinstance(photo, str):
            self._chip_thumbnail(photo)
        self.flow.photo_changed(photo)

    def run_query(self, quiet: bool = False) -> None:
        """Run whatever the search panel says, replacing any search still running."""
        self.flow.run(quiet)

    @property
    def first_answer(self) -> str | None:
        """The first answer the grid shows until the network's replaces it (``SearchFlow``)."""
        return self.flow.first_answer

    @property
    def refining(self) -> bool:
        """The grid shows a first answer; the network's ranking replaces it when it is ready."""
        return self.flow.first_answer is not None

    def show_more(self) -> None:
        """The weaker matches too, after the likely ones."""
        self.presenter.show_more()

    def _why_empty(self, results: Results) -> tuple[WhyNothing, bool]:
        """Why ``results`` found nothing (``api.why_nothing``), and whether photos still wait to be
        indexed (they may match once they are)."""
        from photoscope.api import (
            EmptyAnswer,
            WhyNothing,
            asks_nothing,
            asks_numbers_alone,
            still_waiting,
            waiting_offline,
        )

        status = self.index_status
        answer = EmptyAnswer(
            status.counts,
            has_folders=bool(self.folder_keeper.folders),
            filtered=self.search.filters().active,
            unknown_words=bool(results.unknown_words) and not self.search.query_photo,
            unsure=results.unsure,
            indexing=status.indexing,
            cancelled=results.nothing_left,
            left_out_by_name=bool(results.left_out_by_name),
            other_model=self.to_describe_again,
            weightless=self.search.weightless(),
            numbers_only=asks_numbers_alone(self.search.text(), self._other_terms()),
            says_nothing=asks_nothing(self.search.text(), self._other_terms()),
            waiting=results.waiting,
            waiting_offline=waiting_offline(self.folder_keeper.folders),
        )
        why = answer_reason(answer)
        if why is WhyNothing.OTHER_MODEL:  # the way out, offered again where "Later" put it away
            self.upgrade_bar.offer(self.to_describe_again)
        # the answer's own count too: the status line's comes once indexing starts (audit 81)
        return why, status.indexing or still_waiting(answer) > 0 or results.waiting > 0

    def _other_terms(self) -> bool:
        """Whether the query holds more than its text: a photo, or term chips."""
        return self.search.query_photo is not None or bool(self.search.terms_bar.chips)

    def _show_idle(self) -> None:
        """No query: the timeline (once it has photos), read again first if it went stale. Not over
        the library's copies (File > Find copies), which are no query's either. With no network
        (``_background_failed``), why, and what to do."""
        if self.search.has_query() or self.results.copies_listed:
            return
        if self.model_failure:
            self.pages.show_message(MODEL_FAILED, html.escape(self.model_failure))
            return
        self.timeline_reader.reload_if_stale()
        self.search.show_message("")
        self.more_bar.hide()
        listed = self.timeline.timeline
        complete = self.timeline.complete and listed is not None
        page = idle_page(
            self.timeline.photo_count(),
            narrowed_read=complete and listed is not None and listed.filters is not None,
            adding=self.folder_keeper.adding,
            has_folders=bool(self.folder_keeper.folders),
        )
        if page is not IdlePage.ADDING:
            self.result_label.clear()
        if page is IdlePage.LIBRARY:
            self._show_library(complete)
        elif page is IdlePage.FILTERED_EMPTY:
            from photoscope.api import WhyNothing  # the library view narrowed to no photo

            self.pages.show_message(*nothing_found(WhyNothing.FILTERED))
        elif page is IdlePage.ADDING:
            self.pages.show_message("Adding your folder…")
        elif page is IdlePage.EMPTY_LIBRARY:
            self.pages.show_message(*empty_library(self._folders_hold_none()))
        else:  # no folder (a first start, or the last one removed): how to add one
            self.pages.show_welcome()

    def _show_library(self, complete: bool) -> None:
        """The timeline, and how many photos it lists once it is read whole (not "500 photos" from a
        first screen)."""
        self.pages.setCurrentWidget(self.browse)
        if not self.detail.isVisible():
            self.detail.set_model(self.timeline)
        listed = self.timeline.timeline
        if complete and listed is not None:
            sort, _ = self.browse_options()
            self.result_label.setText(
                listing_label(self.timeline.photo_count(), listed.filters, SORTED_AS[sort])
            )

    def _folders_hold_none(self) -> bool:
        """Whether the watched folders were looked at and hold no photo (not: not counted yet)."""
        status = self.index_status
        return status.counts is not None and not status.counts.total and not status.indexing

    # browsing

    def _fetch_records(self, ids: list[int]) -> list[PhotoRecord]:
        api = self.api
        return api.photos_by_ids(ids) if api is not None else []

    def reload_timeline(self) -> None:
        self.timeline_reader.reload()

    def _timeline_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self.launch.timeline_read()

    def _timeline_read(self) -> None:
        self._show_idle()
        self.launch.timeline_read()
        listed = self.timeline.timeline
        if listed is not None:
            self.search.set_date_span(listed.span)  # read with the timeline, not asked again

    def find_similar(self, photo_id: int, path: str = "") -> None:
        if not path:
            path = next((m.photo.path for m in self.results.matches() if m.photo.id == photo_id), "")
        self.flow.find_similar(photo_id, path)

    def _photo_view_closed(self) -> None:
        """Back from the photo view, its grid points at the photo last shown there, and has the
        keyboard (the GUI audit of stop 60: after Escape nothing had it, where no window manager
        gave this window back the focus the photo view's window had)."""
        grid, row = self.detail.grid(), self.detail.row
        view = next((v for v in (self.view, self.browse) if v.model() is grid), None)
        if view is not None and row >= 0:
            view.setCurrentIndex(grid.index(row, 0))
            view.scrollTo(grid.index(row, 0))
        if view is not None and view.isVisible():
            self.activateWindow()
            view.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.maps is not None and self.maps.isVisible():  # a photo opened on the map (audit 75)
            self.maps.take_keys()

    def find_copies(self) -> None:
        """Every group of near-duplicate photos in the library, one header per group."""
        api = self.api
        if api is None:
            return
        self.flow.leave_for_copies()  # the copies are the library's, not the query's answer
        self.refresh_timer.stop()  # the query's refresh, due while indexing: there is none now
        self.statusBar().showMessage("Looking for copies…")
        # Stoppable: a pass takes 30 s at 100,000 photos; a query typed meanwhile (the same key) or
        # quitting stops it at its next block, instead of waiting for it (the speed audit of stop 46).
        self.runner.submit_stoppable(api.copies, self.presenter.show_copies, key="search")

    def _list_copies_again(self, copies: Copies) -> None:
        """Back to the copies left: read again (photos may have moved or gone since), not looked for
        again (a pass takes 30 s at 100,000 photos)."""
        api = self.api
        if api is not None:
            self.flow.set_aside()
            self.runner.submit(lambda: api.copies_again(copies), self.presenter.show_copies, key="search")

    def _trashed(self, ids: list[int]) -> None:
        api = self.api
        if api is None:
            return
        self.timeline_reader.forget(ids)  # gone from the grid at once; the index follows
        self.presenter.forget(ids)  # the answer on show follows the index, the keyboard on after them
        self.runner.submit(
            lambda: api.remove_photos(ids), lambda _: self._index_changed(), lambda _: self._index_changed()
        )

    def _index_changed(self) -> None:
        """Photos came into the index or left it (trashed; a folder or a rule added or removed): the
        views read it again, what the grid shows too, the copies listed as the query's results
        (once: the query ran twice; the copies an exclusion took out stayed listed: the GUI walk of
        stop 47)."""
        self._read_index_again()
        self._refresh_shown_answer()
        if self.maps is not None:  # it kept a removed folder's photos, "6 photos" (audit 75, repro_2)
            self.maps.load()

    def _refresh_shown_answer(self) -> None:
        """Photos moved or left: the copies or the query's results on show follow, in place (the
        selection and the scroll kept). The copies listed are read again, not looked for again (a
        pass takes 30 s at 100,000 photos; photos moved or gone make no new copies)."""
        listed, api = self.presenter.copies_listed(), self.api
        if listed is not None and api is not None:
            if self.runner.is_busy("search"):  # a new pass, or a query typed over the copies, whose
                return  # answer replaces them (read again, this stopped it: the review of stop 46)
            self.runner.submit(lambda: api.copies_again(listed), self.presenter.show_copies, key="search")
        elif self.search.has_query():
            self.run_query(quiet=True)

    def _read_index_again(self) -> None:
        self._refresh_folders()  # and the counts
        self.reload_timeline()

    def grid(self) -> ResultsView:
        """The grid on show: the results, or the timeline."""
        return self.view if self.pages.currentWidget() is self.view else self.browse

    def grid_model(self) -> PhotoGridModel:
        model = self.grid().model()
        assert isinstance(model, PhotoGridModel)
        return model

    # photo queries: drops, pastes, the chooser

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if photo_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if photo_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """A photo dropped on the search bar (its text box, buttons or chips) joins the query; anywhere
        else, it is the query (the #17 audit of stop 44: on the chips it replaced the query)."""
        on_bar = self.search.is_on_bar(self.mapToGlobal(event.position().toPoint()))
        self.handle_drop(event, on_search_bar=on_bar)

    def handle_drop(self, event: QDropEvent, on_search_bar: bool = False) -> bool:
        photo = photo_from_mime(event.mimeData())
        if photo is None:
            return False
        if not on_search_bar and event.source() in (self.view, self.browse):
            return False  # a result dragged a little and let go on the grid: not a new query
        event.acceptProposedAction()
        if not self.search.can_search_by(photo):  # said on the search bar; the query on show stays
            return True
        if on_search_bar and self.search.has_query():  # joins the query as a term; Alt: taken away
            self.search.add_photo_term(photo, bool(event.modifiers() & Qt.KeyboardModifier.AltModifier))
        else:  # the query, alone (the words and chips before it were another's)
            self.search.set_aside()
            self.search.set_photo(photo)
        return True

    def choose_photo(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(PHOTO_SUFFIXES))
        path, _ = QFileDialog.getOpenFileName(
            self, "Find photos like…", self.folder_keeper.last_folder(), f"Photos ({patterns})"
        )
        if path:
            self.search.set_photo(path)

    def _chip_thumbnail(self, path: str) -> None:
        if self.search.query_photo == path:
            pixmap = self.loader.pixmap(path, keep=True)  # a new result set must not drop its load
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
        """Show one photo (chosen on the map) in the detail view; the search stays as it is."""
        api = self.api
        if api is None:
            return

        def opened(found: list[PhotoRecord]) -> None:
            from photoscope.api import Match

            if found:
                self.detail.show_match(Match.browsed(found[0]))
            elif self.maps is not None:  # Enter did nothing, unsaid (audit 75, repro_2)
                self.maps.say_gone()

        self.runner.submit(lambda: api.photos_by_ids([photo_id]), opened)

    def open_detail(self, index: QModelIndex) -> None:
        model = index.model()
        if index.isValid() and isinstance(model, PhotoGridModel) and model.photo_at(index.row()) >= 0:
            self.detail.set_model(model)
            self.detail.show_row(index.row())

    def _set_tile_size(self, size: int) -> None:
        self.view.set_tile_size(size)
        self.browse.set_tile_size(size)

    def step_tiles(self, step: int) -> None:
        self.tile_slider.setValue(self.tile_slider.value() + step)

    def focus_search(self) -> None:
        self.search.edit.setFocus()
        self.search.edit.selectAll()

    def show_keys(self) -> None:
        """Help > Keys: every key the window answers (``KeysDialog``)."""
        if self.keys_dialog is None:
            self.keys_dialog = KeysDialog(self.menuBar(), self)
        self.update_back_action()  # Back as it goes now, not as the View menu last said it (audit 87)
        self.keys_dialog.show_keys()

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
        resume_collection()
        self.refresh_timer.stop()
        self.browse_timer.stop()
        self.elsewhere_timer.stop()
        self.choices_timer.stop()
        for runner in (self.runner, self.quick, self.pages_runner, self.io):  # all told first: a long
            runner.close()  # task (a pass of Find copies) stops while the others are waited for
        self.loader.shutdown()
        self.io.shutdown()
        self.pages_runner.shutdown()
        self.quick.shutdown()
        self.runner.shutdown()
        if self.maps is not None:
            self.maps.tasks.shutdown()
        if self.api is not None:
            self.api.stop_background()
        self.worker = None


def close_library(api: Photoscope) -> None:
    """Runs on a worker thread: the indexer and watcher stopped, then the library closed."""
    api.stop_background()
    api.close()
