"""``Photoscope``: the whole API as one object, its parts (``indexing``, ``browsing``, ``searching``
and ``combining`` over it, ``describing``, ``maps``) over their shared ``core``, with its lifetime:
open, serve, close."""

from __future__ import annotations

from collections.abc import Callable

from photoscope.api.browsing import Browsing
from photoscope.api.combining import Combining
from photoscope.api.describing import Describing
from photoscope.api.indexing import Indexing
from photoscope.api.maps import WordsAndMaps


class Photoscope(Indexing, Browsing, Combining, Describing, WordsAndMaps):
    """One library and the network, as the CLI and the desktop app use them (``photoscope.api``)."""

    def serve(self) -> bool:
        """Answer other processes' searches on this library (``photoscope search`` asks a running app
        first) over a user-only local socket, until ``close()``; False if another process does."""
        from photoscope.api.service import SearchService

        if self._service is None:
            service = SearchService(self)
            if not service.start():
                return False
            self._service = service
            if self._show is not None:
                service.answer_show(self._show)
        return True

    def answer_show(self, show: Callable[[str | None], None]) -> None:
        """While this app answers on its socket (``serve``), another start of the window on this
        library calls ``show(folder)`` (from the socket's thread; ``folder``: one it was given to
        watch, or None) instead of opening a second window (``service_protocol.show_open_window``)."""
        self._show = show
        if self._service is not None:
            self._service.answer_show(show)

    def open(self) -> Photoscope:
        """Open the library now, so a damaged, newer or unwritable file is said at once (raises the
        ``LibraryError`` of its kind) instead of by whichever call touches it first. The tables a
        window reads first (the folders, the photos' counts) are read now too: a file damaged inside
        them opened, and the window waited at "Opening your library…" with no repair offered (the GUI
        audit of stop 55)."""
        library = self.library
        library.folders()
        library.counts()
        return self

    def close(self) -> None:
        if self._service is not None:
            self._service.stop()
            self._service = None
        self.stop_background()
        if "library" in self.__dict__:
            self.library.close()

    def __enter__(self) -> Photoscope:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
