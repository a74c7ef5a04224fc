"""Before Qt starts on Linux: are the system libraries it links there?

PySide6's wheels carry Qt itself but not the X11/xcb, OpenGL, font and D-Bus libraries Qt links from
the system. On a minimal Linux a missing one makes Qt abort with "This application failed to start
because no Qt platform plugin could be initialized. Reinstalling the application may fix this
problem." (which it won't), or makes ``import PySide6.QtGui`` fail with a traceback. This module
names the missing libraries and the one command that installs them, before Qt is imported.

The check loads each library by its soname with ``ctypes.CDLL`` (the dynamic loader's own search,
no subprocess): Qt would load the same libraries a moment later anyway.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Tells whether a library (by soname, e.g. "libxcb-cursor.so.0") can be loaded.
Loader = Callable[[str], bool]

EXIT_MISSING = 2
SKIP_VARIABLE = "PHOTOSCOPE_SKIP_PLATFORM_CHECK"  # set to 1 to start Qt without the check


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    debian: str  # the Debian/Ubuntu package that ships it
    fedora: str  # the Fedora package that ships it


def _table(text: str) -> tuple[SystemLibrary, ...]:
    """The rows of a table of libraries, one a line: soname, Debian package, Fedora package."""
    return tuple(SystemLibrary(*line.split()) for line in text.strip().splitlines())


# What Qt's GUI libraries (libQt6Gui, libQt6Widgets, libQt6DBus) link from the system besides glibc,
# libstdc++ and zlib (readelf -d, PySide6 6.11): needed on every platform plugin, offscreen included.
GUI_LIBRARIES = _table(
    """
    libGL.so.1               libgl1               libglvnd-glx
    libEGL.so.1              libegl1              libglvnd-egl
    libfontconfig.so.1       libfontconfig1       fontconfig
    libfreetype.so.6         libfreetype6         freetype
    libglib-2.0.so.0         libglib2.0-0         glib2
    libgthread-2.0.so.0      libglib2.0-0         glib2
    libX11.so.6              libx11-6             libX11
    libxkbcommon.so.0        libxkbcommon0        libxkbcommon
    libdbus-1.so.3           libdbus-1-3          dbus-libs
"""
)

# What the xcb platform plugin (Qt/plugins/platforms/libqxcb.so and libQt6XcbQpa.so.6) links besides
# those. The first three are the ones a minimal Debian or Ubuntu desktop most often lacks.
XCB_LIBRARIES = _table(
    """
    libxcb-cursor.so.0       libxcb-cursor0       xcb-util-cursor
    libxcb-icccm.so.4        libxcb-icccm4        xcb-util-wm
    libxcb-keysyms.so.1      libxcb-keysyms1      xcb-util-keysyms
    libxcb-image.so.0        libxcb-image0        xcb-util-image
    libxcb-render-util.so.0  libxcb-render-util0  xcb-util-renderutil
    libxcb-util.so.1         libxcb-util1         xcb-util
    libxcb-randr.so.0        libxcb-randr0        libxcb
    libxcb-render.so.0       libxcb-render0       libxcb
    libxcb-shape.so.0        libxcb-shape0        libxcb
    libxcb-shm.so.0          libxcb-shm0          libxcb
    libxcb-sync.so.1         libxcb-sync1         libxcb
    libxcb-xfixes.so.0       libxcb-xfixes0       libxcb
    libxcb-xkb.so.1          libxcb-xkb1          libxcb
    libxcb.so.1              libxcb1              libxcb
    libX11-xcb.so.1          libx11-xcb1          libX11-xcb
    libxkbcommon-x11.so.0    libxkbcommon-x11-0   libxkbcommon-x11
"""
)


def uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will start its xcb (X11) platform plugin in this environment."""
    requested = environ.get("QT_QPA_PLATFORM", "")
    if requested:  # "xcb", "xcb:option", or a list "wayland;xcb": the first one is tried first
        return requested.split(";")[0].split(":")[0].strip() == "xcb" and bool(environ.get("DISPLAY"))
    if not environ.get("DISPLAY"):
        return False
    # In a Wayland session Qt 6 picks its Wayland plugin, which needs none of the xcb libraries.
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and bool(environ.get("WAYLAND_DISPLAY"))
    return not wayland


def required_libraries(environ: Mapping[str, str], platform: str | None = None) -> list[SystemLibrary]:
    if not (platform or sys.platform).startswith("linux"):
        return []  # macOS and Windows: Qt's wheels carry everything they need
    return [*GUI_LIBRARIES, *(XCB_LIBRARIES if uses_xcb(environ) else ())]


def _bundled_dirs() -> list[Path]:
    """Folders that may hold libraries shipped with the app: Qt's own, and a frozen app's."""
    dirs = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen))
    spec = importlib.util.find_spec("PySide6")  # finds the package without importing it
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "Qt" / "lib")
    return dirs


def loadable(soname: str) -> bool:
    """Whether the dynamic loader can load this library (from the system, or bundled beside Qt)."""
    for candidate in [soname, *(str(d / soname) for d in _bundled_dirs())]:
        try:
            ctypes.CDLL(candidate)
        except OSError:
            continue
        return True
    return False


def missing_libraries(
    environ: Mapping[str, str] | None = None, loader: Loader | None = None, platform: str | None = None
) -> list[SystemLibrary]:
    env = os.environ if environ is None else environ
    if env.get(SKIP_VARIABLE):
        return []
    test = loader or loadable
    return [lib for lib in required_libraries(env, platform) if not test(lib.soname)]


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def missing_message(missing: Sequence[SystemLibrary]) -> str:
    """One line: what is missing, and how to install it on Debian/Ubuntu and Fedora."""
    sonames = ", ".join(lib.soname for lib in missing)
    debian = " ".join(_unique(lib.debian for lib in missing))
    fedora = " ".join(_unique(lib.fedora for lib in missing))
    return (
        f"photoscope: the desktop app cannot start: Qt needs system libraries that are missing: {sonames}. "
        f"Install them with: sudo apt install {debian} (Debian, Ubuntu) "
        f"or: sudo dnf install {fedora} (Fedora)"
    )


NO_DISPLAY = (
    "photoscope: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset, as over"
    " SSH): use the command line (`photoscope --help`), or run it in a desktop session"
)


def has_display(environ: Mapping[str, str], platform: str | None = None) -> bool:
    """Whether a window can open here: on Linux, an X or Wayland display, or a Qt platform that
    needs none ("offscreen", "vnc"); Qt aborted without one (exit 134, no word of ours)."""
    if not (platform or sys.platform).startswith("linux"):
        return True
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen and chosen != "xcb" and not chosen.startswith("wayland"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def display_answers(display: str) -> bool:
    """Whether an X server answers at ``display``, tried with libxcb as Qt's xcb plugin connects
    (True where libxcb cannot be loaded: the missing libraries are said instead)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(os.fsencode(display), None)
    try:
        return bool(xcb.xcb_connection_has_error(connection) == 0)
    finally:
        xcb.xcb_disconnect(connection)  # an error connection is freed this way too


def unreachable_message(display: str) -> str:
    return (
        f"photoscope: the display {display} does not answer (DISPLAY names an X server that is gone,"
        " as in a terminal left from an ended session or after SSH forwarding closed): use the command"
        " line (`photoscope --help`), or run it in a desktop session"
    )


def check(
    environ: Mapping[str, str] | None = None,
    loader: Loader | None = None,
    answers: Callable[[str], bool] | None = None,
) -> str | None:
    """The message to print if Qt cannot start here (no display, system libraries missing, or an
    X display that does not answer: Qt aborted there, exit 134, "reinstalling the application may
    fix this problem", audit 74 repro_10), else None. ``answers``: ``display_answers``, by default."""
    environ = os.environ if environ is None else environ
    if environ.get(SKIP_VARIABLE):
        return None
    if not has_display(environ):
        return NO_DISPLAY
    missing = missing_libraries(environ, loader)
    if missing:
        return missing_message(missing)
    display = environ.get("DISPLAY", "")
    if uses_xcb(environ) and not (answers or display_answers)(display):
        return unreachable_message(display)
    return None
