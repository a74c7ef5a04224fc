from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from photoscope.gui.app import open_api


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_opening_the_library_exempts_the_imported_heap_from_collection(
    tmp_path: Path, trained_tiny: Path, unfrozen: None
) -> None:
    # A full collection of PyTorch's objects holds the GIL ~100 ms: a stall for the GUI thread.
    api = open_api(tmp_path / "library.db", trained_tiny)
    try:
        assert gc.get_freeze_count() > 50_000
        assert gc.isenabled()
    finally:
        api.close()


def test_a_broken_install_without_resources_still_gets_a_window_icon_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """resources_dir says a missing folder as ResourceMissing (no longer FileNotFoundError): the
    window's icon lookup must still give up quietly, so the window opens and can say what is wrong."""
    from photoscope import config
    from photoscope.gui.app import icon_dir

    def missing() -> Path:
        raise config.ResourceMissing("Photoscope's resources folder is missing: reinstall Photoscope")

    monkeypatch.setattr(config, "resources_dir", missing)
    assert icon_dir() is None


def test_a_hand_edited_settings_file_never_stops_the_window(qtbot, settings) -> None:  # type: ignore[no-untyped-def]
    """A tile size that is not a number ("grid/tile=abc" in the INI file) made int() fail at launch;
    a value of the wrong kind reads as the default."""
    from photoscope.gui.main_window import MainWindow

    settings.setValue("grid/tile", "abc")
    settings.setValue("window/geometry", "not a geometry")
    settings.setValue("library/last_folder", 7)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.tile_slider.value() == window.view.tile_size()
    assert window.preferences.last_folder == ""
    window.shutdown()


@pytest.mark.parametrize("sent, status", [("SIGINT", 130), ("SIGTERM", 143)])
def test_ctrl_c_in_the_terminal_closes_the_window(tmp_path: Path, sent: str, status: int) -> None:
    """The fresh-seat audit of stop 52: Ctrl-C to `photoscope gui` in its terminal did nothing (Qt's
    event loop kept Python from running its handler), and SIGTERM killed it unsaved. Both close
    the window as its close button does, the work stopped, and exit with the signal's status."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    db = tmp_path / "library.db"
    app = subprocess.Popen(
        [sys.executable, "-m", "photoscope", "gui", "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not db.exists() and app.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # the window up, its event loop running
        assert app.poll() is None, app.communicate()
        app.send_signal(getattr(signal, sent))
        _, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == status, err
    assert "Traceback" not in err, err


def test_starting_the_window_again_on_its_library_shows_the_open_one(
    qtbot, make_window, library_db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The GUI audit of stop 60: a second `photoscope gui` on the library opened a second window
    without a word (two watchers, two indexers, rules changed in one unseen in the other). A second
    start brings the open window to the front, with the folder it was given added there, and opens
    no window of its own."""
    from photos import write_photo

    from photoscope.gui.app import shown_elsewhere

    window = make_window(library_db)
    assert window.api.serve()
    more = tmp_path / "More photos"
    write_photo(more / "a.jpg")
    with qtbot.waitSignal(window.shown_again, timeout=10_000):
        assert shown_elsewhere(library_db, more)
    qtbot.waitUntil(lambda: any(f.path == str(more) for f in window.api.folders()), timeout=10_000)
    assert not shown_elsewhere(tmp_path / "another.db", None)  # no window open on that one
