"""Ask a running app (the GUI, ``index --watch``) to search, over its local socket (``api.service``).

A pipeline of searches then costs milliseconds each instead of a PyTorch start. Nobody answering
within a short connect timeout, or any failure, returns None: the caller searches on its own.
"""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path
from typing import Any, NamedTuple

from photoscope.config import default_db_path, service_socket
from photoscope.service_protocol import SearchRequest, WireTerm, from_json

CONNECT_TIMEOUT_S = 0.2
# A running app answers a ping at once, loading its model or not; one stopped (Ctrl+Z) never does,
# though its socket still takes the connection: the search had waited the answer's 120 s (the CLI
# audit of stop 47).
PING_TIMEOUT_S = 2.0
ANSWER_TIMEOUT_S = 120.0  # a running app may still be loading the model for its first search


def ask(db: Path | None, request: dict[str, Any]) -> dict[str, Any] | None:
    """The running app's answer to one request, or None when none answers (or it failed)."""
    return _asked(db, request).answer


class Asked(NamedTuple):
    """The running app's answer (None: none), and what happened, as ``--debug`` says it."""

    answer: dict[str, Any] | None
    how: str


def _asked(db: Path | None, request: dict[str, Any]) -> Asked:
    path = service_socket(db or default_db_path())
    if not hasattr(socket, "AF_UNIX") or not path.exists():
        return Asked(None, f"no running app answers searches on this library (no socket at {path})")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(CONNECT_TIMEOUT_S)
        try:
            conn.connect(str(path))
            conn.settimeout(PING_TIMEOUT_S)
            conn.sendall(json.dumps({"op": "ping"}).encode() + b"\n" + json.dumps(request).encode() + b"\n")
            with conn.makefile("rb") as reader:
                ping = reader.readline()  # the ping's answer: the app is there
                conn.settimeout(ANSWER_TIMEOUT_S)
                line = reader.readline()
        except OSError as error:
            return Asked(None, f"no running app answered at {path} ({error.strerror or error})")
    try:
        answer: dict[str, Any] = json.loads(line)
        pid = json.loads(ping).get("pid")
    except (ValueError, AttributeError):
        return Asked(None, f"the running app at {path} gave no answer that reads")
    if not answer.get("ok"):
        return Asked(None, f"the running app at {path} could not answer ({answer.get('error')})")
    return Asked(answer, f"answered by the running app (process {pid}) at {path}")


def app_running(db: Path | None) -> bool:
    """Whether an app is running on library ``db`` (the default one for None) and answers."""
    return ask(db, {"op": "ping"}) is not None


def terms_of(args: argparse.Namespace, text: str | None = None, photo: Path | None = None) -> list[WireTerm]:
    """The query and its --add/--subtract terms (as ``commands.terms.query_terms``, without the API)."""
    from photoscope.commands.terms import query_weight, weight_given

    extra = [
        WireTerm(None, value, weight_given(w), neg)
        if is_photo
        else WireTerm(value, None, weight_given(w), neg)
        for is_photo, neg, value, w in getattr(args, "terms", None) or []
    ]
    # An empty query beside terms asks nothing of its own: `search "" --subtract people` is the
    # photos least like people, as the window's lone "- people" chip (it found nothing, unsaid).
    asked = photo is not None or bool(text and text.strip()) or not extra
    return [*([WireTerm(text=text, photo=photo, weight=query_weight(args))] if asked else []), *extra]


class RemoteAnswer(NamedTuple):
    """The running app's answer: the results, and its folders offline now (``offline_folders``)."""

    results: Any
    offline_folders: list[str]


def remote_search(args: argparse.Namespace, terms: list[WireTerm]) -> RemoteAnswer | None:
    """The running app's answer to a search command's query, or None (search locally)."""
    if getattr(args, "model", None) is not None:  # another model than the running app's
        _debug(args, "--model given: searching here, with that model")
        return None
    db = Path(args.db or default_db_path()).expanduser().resolve()

    def photo(value: Any) -> Any:
        return str(Path(value).expanduser().resolve()) if isinstance(value, str | Path) else value

    request = SearchRequest(
        db,
        [t._replace(photo=photo(t.photo)) for t in terms],
        args.limit,
        str(Path(args.folder).expanduser().resolve()) if args.folder else None,
        args.taken_from.isoformat() if args.taken_from else None,
        args.taken_to.isoformat() if args.taken_to else None,
    )
    answer, how = _asked(db, request.to_wire())
    if answer is None:
        _debug(args, f"{how}: searching here")
        return None
    _debug(args, how)
    return RemoteAnswer(from_json(answer["results"]), list(answer.get("offline_folders") or []))


def _debug(args: argparse.Namespace, said: str) -> None:
    """Under --debug, whether the running app answered the search, or why it searched here
    (audit 78: nothing said which)."""
    if getattr(args, "debug", False):
        import logging  # imported already: --debug set logging up (``cli``)

        logging.getLogger(__name__).info(said)
