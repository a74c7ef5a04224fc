"""Fixtures for the desktop-app tests: a generated library indexed by the real pipeline, and windows on it.

The network is ``trained_tiny`` (really trained on coloured shapes, with the real EfficientNet encoder),
so "a red circle" finds the red circles. The library is indexed once per session; each test gets its
own copy of the database, its own settings file and the session's thumbnail cache.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QWidget
from synthetic import COLOURS, SHAPES, shape_photo

from photoscope.api import IndexOptions, Photoscope
from photoscope.gui.main_window import MainWindow
from photoscope.network import torch_threads
from photoscope.network.model import PhotoscopeModel

PER_KIND = 3  # photos of each colour and shape


def write_shapes(root: Path, per_kind: int = PER_KIND, seed: int = 10) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for colour in COLOURS:
        for shape in SHAPES:
            for i in range(per_kind):
                path = root / f"{colour}_{shape}_{i}.jpg"
                shape_photo(colour, shape, seed=seed + i).save(path, quality=90)
                paths.append(path)
    return paths


def index_folder(db: Path, photos: Path, model: PhotoscopeModel) -> None:
    """A library at ``db`` watching ``photos``, every photo in it indexed (no thumbnails)."""
    with Photoscope(db, model=model) as api:
        api.add_folder(photos)
        api.scanner().scan()
        api.indexer(options=IndexOptions(thumbnails=False)).run()


@pytest.fixture(scope="session")
def gui_model(trained_tiny: Path) -> PhotoscopeModel:
    """One model for every window: the encoder is loaded (and traced) once."""
    return PhotoscopeModel(trained_tiny)


@pytest.fixture(scope="session")
def indexed_library(
    tmp_path_factory: pytest.TempPathFactory, gui_model: PhotoscopeModel
) -> tuple[Path, Path, Path]:
    """(database, XDG cache folder with the thumbnails, photos folder), indexed once."""
    photos = tmp_path_factory.mktemp("gui-library") / "Photos"
    write_shapes(photos)
    cache = tmp_path_factory.mktemp("gui-cache")
    db = tmp_path_factory.mktemp("gui-db") / "library.db"
    with torch_threads(1), Photoscope(db, model=gui_model) as api:
        api.add_folder(photos)
        api.scanner().scan()
        api.indexer(options=IndexOptions(thumbnail_root=cache / "thumbnails")).run()
    return db, cache, photos


@pytest.fixture
def library_db(
    indexed_library: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    db, cache, _ = indexed_library
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))  # thumbnails.cache_root() reads it
    copy = tmp_path / "library.db"
    shutil.copy(db, copy)
    return copy


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


WindowFactory = Callable[[Path], MainWindow]


@pytest.fixture
def make_window(qtbot, settings: QSettings, gui_model: PhotoscopeModel) -> Iterator[WindowFactory]:  # type: ignore[no-untyped-def]
    """Windows on a database, with the API attached and its folders known."""
    made: list[tuple[MainWindow, Photoscope]] = []

    def make(db: Path) -> MainWindow:
        window = MainWindow(settings)
        qtbot.addWidget(window)
        api = Photoscope(db, model=gui_model)
        made.append((window, api))
        window.show()
        with qtbot.waitSignal(window.library_opened, timeout=10_000):
            window.attach(api)
        return window

    yield make
    for window, api in made:
        window.shutdown()
        api.close()


def names(window: MainWindow, n: int | None = None) -> list[str]:
    return [Path(m.photo.path).name for m in window.results.matches()[:n]]


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    """A key as the user presses it: to the widget that has the keyboard focus, whichever that is."""
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the focus"
    qtbot.keyClick(widget, key, modifier)


def typed_query(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    """A query as the user asks it: Ctrl+F, the words, Enter; back once its answer is shown."""
    window.activateWindow()
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), text)
    with qtbot.waitSignal(window.results_shown, timeout=20_000):
        press(qtbot, Qt.Key.Key_Return)


def unnamed_controls(root: QWidget) -> list[str]:
    """The visible controls below ``root`` the keyboard reaches whose name, as a screen reader asks
    Qt for it, is missing or a sign ("+")."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        parent = widget.parent()
        if isinstance(parent, QAbstractSpinBox):
            continue  # a date field's own line edit: the reader speaks of the field
        if isinstance(parent, QAbstractScrollArea) and widget is parent.viewport():
            continue  # a map's or a grid's drawing area: the reader speaks of the view
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name).strip() if interface is not None else ""
        if len(name) < 3:  # a "+" or a minus sign is no name
            where = type(parent).__name__
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {name!r} in {where}")
    return missing


def weighed_chip(qtbot, window, text: str, weight: str):  # type: ignore[no-untyped-def]
    """``text`` made a chip, and ``weight`` typed in its weight box by the keyboard (focus left there)."""
    search = window.search
    search.edit.setText(text)
    search.add_text_term(negative=False)
    [chip] = search.terms_bar.chips
    qtbot.waitUntil(chip.isVisible)
    window.activateWindow()
    chip.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chip)
    press(qtbot, Qt.Key.Key_Tab)  # to its weight box
    assert QApplication.focusWidget().parent() is chip
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), weight)
    return chip


def announcements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the window announces to assistive technology from now on (``gui.announce``), in order:
    the messages of the announcement events it sends."""
    said: list[str] = []
    sent = QAccessible.updateAccessibility

    def spy(event) -> None:  # type: ignore[no-untyped-def]
        if event.type() == QAccessible.Event.Announcement:
            said.append(event.message())
        sent(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", spy)
    return said
