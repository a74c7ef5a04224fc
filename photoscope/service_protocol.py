"""What travels on a running app's search socket (``api.service`` serves it, ``commands.remote``
asks it): the one place the request's and the answer's shapes are written down.

A leaf: no PyTorch, no API import, so a client that finds an app running pays milliseconds.

    {"op": "ping"}                                  -> {"ok": true, "db": "/path/library.db", "pid": 1}
    {"op": "search", "db": ..., "terms": [{"text"|"photo", "weight", "negative"}], "limit": 20,
     "filters": {"folder", "taken_from", "taken_to"}}  -> {"ok": true, "results": {...},
                                                         "offline_folders": ["/media/drive"]}
    {"op": "show", "folder": "/path" | null}         -> {"ok": true}  (a window only: it comes to
                                                         the front, the folder added)
    anything that fails                             -> {"ok": false, "error": "..."}

Results travel as their dataclasses' fields (nested objects as JSON objects) and are read back as
attribute objects, so the client prints exactly what a local search would.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

from photoscope.config import service_socket

MAX_REQUEST = 1 << 20  # bytes of one request line


class WireTerm(NamedTuple):
    """One query term as it travels (``api.QueryTerm`` has the same fields): a text, or a photo
    (an absolute path, or a library photo's id)."""

    text: str | None = None
    photo: Path | str | int | None = None
    weight: float = 1.0
    negative: bool = False


@dataclass(frozen=True)
class SearchRequest:
    """A search as the service reads it: the library it is meant for, the terms, how many results,
    and the filters (a folder's absolute path, ISO dates)."""

    db: Path
    terms: list[WireTerm]
    limit: int = 20
    folder: str | None = None
    taken_from: str | None = None
    taken_to: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "op": "search",
            "db": str(self.db),
            "terms": [
                {"text": t.text, "photo": _photo_to_wire(t.photo), "weight": t.weight, "negative": t.negative}
                for t in self.terms
            ],
            "limit": self.limit,
            "filters": {"folder": self.folder, "taken_from": self.taken_from, "taken_to": self.taken_to},
        }

    @classmethod
    def from_wire(cls, request: dict[str, Any]) -> SearchRequest:
        """The request a client sent; KeyError, TypeError or ValueError when it is not one."""
        filters = request.get("filters") or {}
        terms = [
            WireTerm(
                text=t.get("text"),
                photo=t.get("photo"),
                weight=float(t.get("weight", 1.0)),
                negative=bool(t.get("negative", False)),
            )
            for t in request["terms"]
        ]
        return cls(
            Path(request["db"]),
            terms,
            int(request.get("limit", 20)),
            filters.get("folder"),
            filters.get("taken_from"),  # ISO text, as ``to_wire`` wrote it
            filters.get("taken_to"),
        )

    @property
    def single(self) -> WireTerm | None:
        """The one positive term of a plain search (a text, or a photo by path); None when combined."""
        if len(self.terms) != 1 or self.terms[0].negative:
            return None
        term = self.terms[0]
        return term if term.text is not None or isinstance(term.photo, str) else None


def _photo_to_wire(photo: Path | str | int | None) -> str | int | None:
    return str(photo) if isinstance(photo, Path) else photo


def to_json(value: Any) -> Any:
    """Dataclasses (records, matches, results) as plain JSON values, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple | frozenset | set):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def from_json(value: Any) -> Any:
    """JSON objects as attribute objects, so results print as the local search's dataclasses do."""
    if isinstance(value, dict):
        return SimpleNamespace(**{k: from_json(v) for k, v in value.items()})
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def show_open_window(library: Path, folder: Path | None = None) -> bool:
    """Ask the window open on ``library`` to come to the front (and to watch ``folder``): True when
    one answered that it did; False when none is open there, or only `photoscope index --watch`."""
    path = service_socket(library)
    if not hasattr(socket, "AF_UNIX") or not path.exists():
        return False
    request = {"op": "show", "folder": None if folder is None else str(Path(folder).expanduser().resolve())}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(_SHOW_TIMEOUT_S)
        try:
            conn.connect(str(path))
            conn.sendall(json.dumps(request).encode() + b"\n")
            with conn.makefile("rb") as reader:
                line = reader.readline()
        except OSError:
            return False
    try:
        return bool(json.loads(line).get("ok"))
    except (ValueError, AttributeError):
        return False


_SHOW_TIMEOUT_S = 2.0  # a window answers at once; one stopped (Ctrl+Z) never does: open another then
