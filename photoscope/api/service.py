"""A running app answers other processes' searches over a local socket.

When the GUI or ``photoscope index --watch`` runs, it has the model loaded and the vectors mapped;
``photoscope search`` and ``similar`` ask it first (``commands/remote.py``) and get their results in
milliseconds instead of starting PyTorch. Whoever finds no one answering searches on its own.

The socket is a Unix domain socket at ``config.service_socket(db)`` (the user's runtime folder), made
with owner-only permissions (0600) in an owner-only folder, and a connection from another user is
refused (``SO_PEERCRED``). Protocol: JSON lines; each request line gets one response line, and a
client may send many requests on one connection (a pipeline of searches). What a request and an
answer hold is ``photoscope.service_protocol``'s, shared with the client.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photoscope.config import claim_socket_folder, service_socket
from photoscope.service_protocol import MAX_REQUEST, SearchRequest, to_json

if TYPE_CHECKING:
    from photoscope.api import Photoscope

log = logging.getLogger(__name__)


class SearchService:
    """Serves one app's searches on its library's socket, from a background thread."""

    def __init__(self, app: Photoscope, path: Path | None = None) -> None:
        self.app = app
        self._given = path  # a test's own socket; else the library's (``service_socket``)
        self.path = path or service_socket(app.library_path)
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "ping": self._ping,
            "search": self._search,
        }

    def start(self) -> bool:
        """Listen; False (and nothing started) when another process already answers on this socket
        or sockets are not available here. A socket that cannot be made is said (a warning: one
        line, what to do): `index --watch` had just not said "answering searches" (audit 78)."""
        if not hasattr(socket, "AF_UNIX"):
            return False
        problem = self._place_problem()
        if problem is None and self._answered_already():
            return False
        server = self._bound() if problem is None else problem
        if isinstance(server, str):
            # what it costs, as searches go on without it
            log.warning(
                "not answering searches on this library: %s (searches still work, each loading the"
                " network itself)",
                server,
            )
            return False
        server.listen(16)
        server.settimeout(0.5)
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=self._accept, name="photoscope-service", daemon=True)
        self._thread.start()
        return True

    def _place_problem(self) -> str | None:
        """Why the socket cannot be made (its short folder another user's), else None, its folder
        made (owner-only) and ``path`` where it goes now (a short folder of the user's own put right)."""
        if self._given is None:
            problem = claim_socket_folder(self.app.library_path)
            if problem is not None:
                return problem
            self.path = service_socket(self.app.library_path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            return f"cannot make the folder {self.path.parent}: {error.strerror or error}; {_ELSEWHERE}"
        with contextlib.suppress(OSError):
            os.chmod(self.path.parent, 0o700)
        return None

    def _answered_already(self) -> bool:
        """Another process answers at ``path`` (said under --debug); a socket left by one that died
        is removed."""
        if not self.path.exists():
            return False
        if _answers(self.path):
            log.info("another Photoscope already answers searches on this library at %s", self.path)
            return True
        with contextlib.suppress(OSError):  # else binding there fails, and says so
            self.path.unlink()
        return False

    def _bound(self) -> socket.socket | str:
        """A socket bound at ``path``, or why it could not be."""
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is born 0600: no moment when others could connect
        try:
            server.bind(str(self.path))
        except OSError as error:
            server.close()
            return f"cannot listen at {self.path}: {error.strerror or error}; {_ELSEWHERE}"
        finally:
            os.umask(old)
        return server

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(OSError):
                self.path.unlink()

    def _accept(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            if not _same_user(conn):
                conn.close()
                continue
            threading.Thread(
                target=self._serve, args=(conn,), name="photoscope-service-client", daemon=True
            ).start()

    def _serve(self, conn: socket.socket) -> None:
        # A client gone before its answer (a search stopped by Ctrl-C) fails the write, and again
        # the flush as the writer closes: neither is the app's trouble (the CLI audit of stop 47).
        try:
            with conn, conn.makefile("rb") as reader, conn.makefile("wb") as writer:
                for line in iter(lambda: reader.readline(MAX_REQUEST), b""):
                    writer.write(json.dumps(self._answer(line)).encode() + b"\n")
                    writer.flush()
        except OSError:
            log.debug("a search client went away", exc_info=True)

    def _answer(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line)
            return self.handlers[request.get("op", "")](request)
        except Exception as error:  # a bad request or a failed search: the client falls back
            log.debug("service request failed", exc_info=True)
            return {"ok": False, "error": f"{type(error).__name__}: {error}"}

    def answer_show(self, show: Callable[[str | None], None]) -> None:
        """Answer "show" (``service_protocol.show_open_window``): the window comes to the front, with
        the folder asked for added."""

        def shown(request: dict[str, Any]) -> dict[str, Any]:
            folder = request.get("folder")
            show(str(folder) if folder else None)
            return {"ok": True}

        self.handlers["show"] = shown

    def _ping(self, _request: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "db": str(self.app.library_path), "pid": os.getpid()}

    def _search(self, wire: dict[str, Any]) -> dict[str, Any]:
        from photoscope.api.queries import with_waiting
        from photoscope.api.types import Filters, QueryTerm

        request = SearchRequest.from_wire(wire)
        if request.db.resolve() != Path(self.app.library_path).resolve():
            return {"ok": False, "error": "another library"}
        filters = Filters(request.folder, request.taken_from, request.taken_to)
        single = request.single
        if single is not None and single.text is not None:
            results = self.app.search_text(single.text, request.limit, filters)
        elif single is not None and single.photo is not None:
            results = self.app.search_photo(str(single.photo), request.limit, filters)
        else:  # a combined query
            terms = [QueryTerm(t.text, t.photo, t.weight, t.negative) for t in request.terms]
            results = self.app.search_terms(terms, request.limit, filters)
        # The photos it could not search yet: the client says so, as a local search does (audit 81).
        results = with_waiting(self.app, results)
        # The folders offline now (``offline_folders``), so the client marks their photos "[folder
        # offline]", as a local search does, not "[not found]" (stop 53's Left list).
        return {"ok": True, "results": to_json(results), "offline_folders": self.app.offline_folders()}


_ELSEWHERE = "check the folder's permissions, or set XDG_RUNTIME_DIR to a folder of your own"


def answered_elsewhere(library: Path) -> bool:
    """Whether a running app answers on ``library``'s socket (a socket left by one that died does
    not take the connection)."""
    path = service_socket(library)
    return hasattr(socket, "AF_UNIX") and path.exists() and _answers(path)


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _same_user(conn: socket.socket) -> bool:
    """The peer runs as this user (Linux: SO_PEERCRED; elsewhere the socket's 0600 mode decides)."""
    if not sys.platform.startswith("linux"):
        return True
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return False
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())
