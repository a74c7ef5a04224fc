"""The check before Qt starts: missing system libraries are named with their install commands."""

from __future__ import annotations

import sys

import pytest

from photoscope import cli
from photoscope.gui import platform_check
from photoscope.gui.platform_check import GUI_LIBRARIES, XCB_LIBRARIES, check, missing_libraries

X11 = {"DISPLAY": ":0"}
ALL = {lib.soname for lib in (*GUI_LIBRARIES, *XCB_LIBRARIES)}


def loader_without(*missing: str) -> platform_check.Loader:
    def loader(soname: str) -> bool:
        assert soname in ALL, soname
        return soname not in missing

    return loader


def sonames(environ: dict[str, str], platform: str = "linux") -> set[str]:
    return {lib.soname for lib in platform_check.required_libraries(environ, platform)}


def test_xcb_libraries_are_checked_only_when_qt_will_use_xcb() -> None:
    gui, xcb = {lib.soname for lib in GUI_LIBRARIES}, {lib.soname for lib in XCB_LIBRARIES}
    assert {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"} <= xcb
    assert sonames(X11) == gui | xcb
    assert sonames({**X11, "QT_QPA_PLATFORM": "xcb"}) == gui | xcb
    assert sonames({**X11, "QT_QPA_PLATFORM": "xcb:nograb"}) == gui | xcb
    assert sonames({**X11, "QT_QPA_PLATFORM": "offscreen"}) == gui
    assert sonames({**X11, "QT_QPA_PLATFORM": "wayland;xcb"}) == gui
    assert sonames({}) == gui  # no display: nothing to connect to anyway
    assert sonames({**X11, "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}) == gui
    assert sonames(X11, platform="darwin") == set()
    assert sonames(X11, platform="win32") == set()


def test_nothing_missing_means_no_message() -> None:
    assert check(X11, loader_without(), answers=lambda display: True) is None
    assert missing_libraries(X11, loader_without(), platform="linux") == []


def test_the_message_names_the_missing_libraries_and_one_install_command_each() -> None:
    missing = ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    found = missing_libraries(X11, loader_without(*missing), platform="linux")
    assert [lib.soname for lib in found] == list(missing)
    message = platform_check.missing_message(found)
    assert "\n" not in message
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-keysyms.so.1" in message
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 " in message
    assert "sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms " in message


def test_a_package_is_named_once_however_many_of_its_libraries_are_missing() -> None:
    missing = (
        "libxcb-randr.so.0",
        "libxcb-shm.so.0",
        "libxcb.so.1",
        "libglib-2.0.so.0",
        "libgthread-2.0.so.0",
    )
    found = missing_libraries(X11, loader_without(*missing), platform="linux")
    message = platform_check.missing_message(found)
    assert "sudo dnf install glib2 libxcb (Fedora)" in message
    assert "sudo apt install libglib2.0-0 libxcb-randr0 libxcb-shm0 libxcb1 (Debian" in message


def test_the_check_can_be_skipped() -> None:
    environ = {**X11, platform_check.SKIP_VARIABLE: "1"}
    assert check(environ, loader_without("libxcb-cursor.so.0")) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sonames are Linux's")
def test_the_real_loader_finds_the_c_library_and_not_a_made_up_one() -> None:
    assert platform_check.loadable("libc.so.6")
    assert not platform_check.loadable("libphotoscope-no-such-library.so.7")


def test_gui_command_exits_2_naming_what_is_missing_without_starting_qt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    for name in ("QT_QPA_PLATFORM", "XDG_SESSION_TYPE", "WAYLAND_DISPLAY", platform_check.SKIP_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(platform_check, "loadable", loader_without("libxcb-cursor.so.0"))
    monkeypatch.setitem(sys.modules, "photoscope.gui.app", None)  # importing the Qt app would fail
    assert cli.main(["gui"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "libxcb-cursor.so.0" in err
    assert "sudo apt install libxcb-cursor0 " in err
    assert "sudo dnf install xcb-util-cursor " in err
    assert "Traceback" not in err


def test_gui_command_without_a_display_exits_2_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI walk of stop 42: `photoscope` over SSH (no DISPLAY) let Qt abort, exit 134, in Qt's
    words about xcb plugins."""
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", platform_check.SKIP_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(sys.modules, "photoscope.gui.app", None)  # importing the Qt app would fail
    assert cli.main(["gui"]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and "no display to open the window on" in err and "photoscope --help" in err
    assert check({"WAYLAND_DISPLAY": "wayland-0"}, loader_without()) is None


def test_a_qt_platform_that_needs_a_display_is_no_display() -> None:
    """The review of stop 42: any QT_QPA_PLATFORM counted as a display: "xcb" or "wayland" with
    neither display set still let Qt abort. The skip variable skips this check too."""
    assert check({"QT_QPA_PLATFORM": "xcb"}, loader_without()) == platform_check.NO_DISPLAY
    assert check({"QT_QPA_PLATFORM": "wayland-egl"}, loader_without()) == platform_check.NO_DISPLAY
    assert check({"QT_QPA_PLATFORM": "offscreen"}, loader_without()) is None
    assert check({platform_check.SKIP_VARIABLE: "1"}, loader_without()) is None


def test_a_display_that_does_not_answer_is_said_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Audit 74 (repro_10): DISPLAY set to an X server that is gone (a terminal left from an ended
    session, X forwarding closed) let Qt abort: exit 134, nine lines of Qt's, "reinstalling the
    application may fix this problem". The display is tried first (libxcb, which Qt needs anyway)."""
    if not platform_check.loadable("libxcb.so.1"):
        pytest.skip("no libxcb here to try a display with")
    assert not platform_check.display_answers(":987")
    message = check({"DISPLAY": ":987"}, loader_without())
    assert (
        message is not None and "\n" not in message and ":987" in message and "photoscope --help" in message
    )
    assert check({"DISPLAY": ":987", "QT_QPA_PLATFORM": "offscreen"}, loader_without()) is None
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":987")
    for name in ("QT_QPA_PLATFORM", "XDG_SESSION_TYPE", "WAYLAND_DISPLAY", platform_check.SKIP_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(platform_check, "loadable", loader_without())
    monkeypatch.setitem(sys.modules, "photoscope.gui.app", None)  # importing the Qt app would fail
    assert cli.main(["gui"]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and ":987" in err
