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
