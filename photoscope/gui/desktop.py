"""The app's edge with the desktop: opening files, showing them in the file manager, the clipboard.

Everything that leaves the process goes through ``QDesktopServices.openUrl`` or the freedesktop
``FileManager1`` D-Bus call here, so tests patch exactly the OS boundary and nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QFile, QMimeData, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage

PHOTO_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".heic",
    ".heif",
    ".avif",
}


def open_file(path: str) -> bool:
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(path)))


def show_in_folder(path: str) -> bool:
    """Open the photo's folder with the photo selected where the file manager can, else just the folder."""
    if sys.platform.startswith("linux") and _file_manager_show_items(path):
        return True
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent))))


def _file_manager_show_items(path: str) -> bool:
    """org.freedesktop.FileManager1.ShowItems: Nautilus, Dolphin, Nemo and others select the file."""
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    manager = QDBusInterface(
        "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1", bus
    )
    if not manager.isValid():
        return False
    reply = manager.call("ShowItems", [QUrl.fromLocalFile(path).toString()], "")
    return reply.type() != QDBusMessage.MessageType.ErrorMessage


def move_to_trash(path: str) -> bool:
    """The file into the desktop's trash (restorable from there); False if it could not be moved."""
    result = QFile.moveToTrash(path)
    return bool(result[0] if isinstance(result, tuple) else result)


def copy_path(path: str) -> None:
    """The path as text (for a terminal or a chat) and as a file URL (for a file manager's paste)."""
    mime = QMimeData()
    mime.setText(path)
    mime.setUrls([QUrl.fromLocalFile(path)])
    QGuiApplication.clipboard().setMimeData(mime)


def photo_from_mime(mime: QMimeData | None, text: bool = False) -> str | QImage | None:
    """The photo a drop or a paste carries: a local photo file's path, or image data; with ``text``
    (a paste, not a drag's every move: it looks at the disk), a photo's path written as text."""
    if mime is None:
        return None
    if mime.hasUrls():
        for url in mime.urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in PHOTO_SUFFIXES:
                return url.toLocalFile()
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return image
    if text and mime.hasText():  # a path copied from a terminal or as text: the file, if a photo
        from photoscope.api import is_photo_file, typed_path  # loaded by the time a photo is pasted

        path = typed_path(mime.text())
        if path is not None and is_photo_file(path):
            return str(path)
    return None
