"""A running app answers `photoscope search` over its local socket (photoscope.api.service)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from photoscope.api import Filters, Match, PhotoCounts, PhotoRecord, QueryTerm, Results
from photoscope.api.service import SearchService
from photoscope.config import service_socket
from photoscope.service_protocol import SearchRequest, WireTerm


class FakeApp:
    """Answers like the API, without a model: what the service hands over is what is tested."""

    def __init__(self, db: Path) -> None:
        self.library_path = db
        self.asked: list[tuple[str, int, Filters]] = []
        self.asked_terms: list[tuple[list[QueryTerm], int, Filters]] = []
        self.offline: list[str] = []
        self.counts = PhotoCounts(indexed=1)

    def offline_folders(self) -> list[str]:
        return self.offline

    def photo_counts(self) -> PhotoCounts:
        return self.counts

    def search_text(self, text: str, limit: int, filters: Filters) -> Results:
        self.asked.append((text, limit, filters))
        caption = "a dog runs on the grass"
        photo = PhotoRecord(
            7, "/photos/dog on grass.jpg", 1, caption, -0.5, "2024-05-01", None, 640, 480, 1000, 1.0
        )
        return Results([Match(photo, 0.8125, near_duplicate=True)], [])

    def search_terms(self, terms: list[QueryTerm], limit: int, filters: Filters) -> Results:
        self.asked_terms.append((terms, limit, filters))
        return Results([], [])


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ps-run-") as folder:  # short: socket paths are limited
        monkeypatch.setenv("XDG_RUNTIME_DIR", folder)
        yield Path(folder)


@pytest.fixture
def served(tmp_path: Path, runtime: Path) -> Iterator[tuple[FakeApp, SearchService]]:
    app = FakeApp(tmp_path / "library.db")
    app.library_path.touch()  # a running app has its library open
    service = SearchService(app)  # type: ignore[arg-type]
    assert service.start()
    yield app, service
    service.stop()


def _ask(path: Path, *requests: dict[str, Any]) -> list[dict[str, Any]]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(path))
        conn.sendall(b"".join(json.dumps(r).encode() + b"\n" for r in requests))
        with conn.makefile("rb") as reader:
            return [json.loads(reader.readline()) for _ in requests]


def test_the_socket_is_the_user_s_alone(served: tuple[FakeApp, SearchService], runtime: Path) -> None:
    _, service = served
    assert service.path == service_socket(served[0].library_path)
    assert service.path.is_relative_to(runtime)
    assert stat.S_IMODE(service.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(service.path.parent.stat().st_mode) == 0o700


def test_a_pipeline_of_requests_on_one_connection(served: tuple[FakeApp, SearchService]) -> None:
    app, service = served
    search = {"op": "search", "db": str(app.library_path), "terms": [{"text": "a dog"}], "limit": 5}
    answers = _ask(service.path, {"op": "ping"}, search, {"op": "nonsense"}, search)
    assert answers[0]["ok"] and answers[0]["pid"] == os.getpid()
    assert answers[1]["results"]["matches"][0]["photo"]["path"] == "/photos/dog on grass.jpg"
    assert answers[2]["ok"] is False  # a bad request is answered, and the connection goes on
    assert answers[3]["ok"] and len(app.asked) == 2
    other = dict(search, db="/elsewhere/library.db")
    assert _ask(service.path, other)[0]["ok"] is False  # only its own library


def test_a_client_gone_before_its_answer_leaves_no_traceback(
    served: tuple[FakeApp, SearchService], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit of stop 47: a search stopped (Ctrl-C, `timeout`) before its answer made
    `index --watch` print a BrokenPipeError traceback: the answer's bytes, left in the buffer by
    the failed write, were flushed again as the connection closed."""
    import threading
    import time

    app, service = served
    raised: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    answered = threading.Event()
    slow = app.search_text

    def search_text(text: str, limit: int, filters: Filters) -> Results:
        time.sleep(0.3)  # the client is gone by then
        answered.set()
        return slow(text, limit, filters)

    monkeypatch.setattr(app, "search_text", search_text)
    search = {"op": "search", "db": str(app.library_path), "terms": [{"text": "a dog"}], "limit": 5}
    for _ in range(3):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(service.path))
            conn.sendall(json.dumps(search).encode() + b"\n")
        answered.wait(5)
        answered.clear()
    time.sleep(0.5)
    assert raised == []
    assert _ask(service.path, {"op": "ping"})[0]["ok"]  # and it still answers


def test_a_running_app_that_does_not_answer_is_not_waited_for(
    tmp_path: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI audit of stop 47: with `index --watch` stopped (Ctrl+Z), its socket still took the
    connection, and `photoscope search` printed nothing for 122 s (the wait for an app still loading
    its model). A ping, which an app answers at once, loading or not, comes first."""
    import threading

    from photoscope.commands import remote

    db = tmp_path / "library.db"
    path = service_socket(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    stopped = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stopped.bind(str(path))
    stopped.listen(4)  # the kernel takes connections; nobody reads them
    monkeypatch.setattr(remote, "PING_TIMEOUT_S", 0.2)
    answers: list[Any] = []
    asking = threading.Thread(target=lambda: answers.append(remote.ask(db, {"op": "search"})), daemon=True)
    asking.start()
    asking.join(20)  # not the 120 s a search may take
    stopped.close()
    assert not asking.is_alive() and answers == [None]


def test_a_second_app_on_the_same_library_does_not_take_over(served: tuple[FakeApp, SearchService]) -> None:
    app, _ = served
    assert not SearchService(app).start()  # type: ignore[arg-type]


def test_a_dead_app_s_socket_is_replaced(tmp_path: Path, runtime: Path) -> None:
    app = FakeApp(tmp_path / "library.db")
    path = service_socket(app.library_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))  # bound, never listening: like a socket left by a killed app
    service = SearchService(app)  # type: ignore[arg-type]
    try:
        assert service.start()
        assert _ask(path, {"op": "ping"})[0]["ok"]
    finally:
        service.stop()
    assert not path.exists()


def _cli(args: list[str], runtime: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    probe = (
        "import sys\nfrom photoscope.cli import main\ncode = main(sys.argv[1:])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'PySide6'})\n"
        "print('HEAVY', ','.join(heavy), file=sys.stderr)\nsys.exit(code)"
    )
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, timeout=300
    )
    heavy = [line for line in done.stderr.splitlines() if line.startswith("HEAVY")]
    return done, heavy


def test_search_asks_the_running_app_and_needs_no_pytorch(
    served: tuple[FakeApp, SearchService], runtime: Path
) -> None:
    app, _ = served
    done, heavy = _cli(
        ["search", "a dog", "--db", str(app.library_path), "--json", "-n", "3", "--from", "2024-01-01"],
        runtime,
    )
    assert done.returncode == 0, done.stderr
    assert heavy == ["HEAVY "]
    row = json.loads(done.stdout.splitlines()[0])
    assert row["path"] == "/photos/dog on grass.jpg" and row["score"] == 0.8125 and row["near_duplicate"]
    text, limit, filters = app.asked[0]
    assert (text, limit, str(filters.taken_from)) == ("a dog", 3, "2024-01-01")


def test_search_without_a_running_app_searches_itself(tmp_path: Path, runtime: Path) -> None:
    """Nobody answers (no socket, or a dead one): the command falls back to its own search."""
    from photoscope.commands.remote import ask

    assert ask(tmp_path / "library.db", {"op": "ping"}) is None
    path = service_socket(tmp_path / "library.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    assert ask(tmp_path / "library.db", {"op": "ping"}) is None


def test_a_combined_request_with_an_outsize_weight_is_refused(served: tuple[FakeApp, SearchService]) -> None:
    """The review of stop 39: the CLI refused weights over 100 (they scored every photo nan), the
    socket let them through to the search; the API's query terms now refuse them, whoever asks."""
    app, service = served
    terms = [{"text": "a dog"}, {"text": "grass", "weight": 1e30}]
    search = {"op": "search", "db": str(app.library_path), "terms": terms, "limit": 5}
    (answer,) = _ask(service.path, search)
    assert answer["ok"] is False and "at most 100" in answer["error"]


@pytest.mark.parametrize("weight", [float("nan"), float("inf"), 1e30, 100.5, -1.0])
def test_a_query_term_s_weight_is_a_sane_number(weight: float) -> None:
    from photoscope.api import MAX_WEIGHT, QueryTerm

    with pytest.raises(ValueError):
        QueryTerm(text="grass", weight=weight)
    assert QueryTerm(text="grass", weight=MAX_WEIGHT).weight == MAX_WEIGHT


def test_a_request_reads_back_as_the_client_wrote_it() -> None:
    """Client and service share one shape (``service_protocol``): a photo by path or by id, a
    weight, a negative term and the filters all arrive as sent."""
    sent = SearchRequest(
        Path("/lib/library.db"),
        [
            WireTerm(text="a dog"),
            WireTerm(photo=Path("/p/a.jpg"), weight=2.5),
            WireTerm(photo=12, negative=True),
        ],
        7,
        "/p",
        "2024-01-01",
        None,
    )
    read = SearchRequest.from_wire(json.loads(json.dumps(sent.to_wire())))
    assert read == SearchRequest(
        sent.db, [sent.terms[0], WireTerm(photo="/p/a.jpg", weight=2.5), sent.terms[2]], 7, "/p", "2024-01-01"
    )
    assert read.single is None and SearchRequest(sent.db, [WireTerm(text="x")]).single == WireTerm(text="x")


def test_a_combined_request_reaches_the_combined_search(served: tuple[FakeApp, SearchService]) -> None:
    app, service = served
    sent = SearchRequest(
        app.library_path, [WireTerm(text="a dog"), WireTerm(text="grass", weight=0.5, negative=True)], 4
    )
    (answer,) = _ask(service.path, sent.to_wire())
    assert answer["ok"] and answer["results"]["matches"] == []
    terms, limit, filters = app.asked_terms[0]
    assert terms == [QueryTerm(text="a dog"), QueryTerm(text="grass", weight=0.5, negative=True)]
    assert limit == 4 and not filters.active


def test_a_folder_added_while_the_app_runs_is_said_to_be_indexed_by_it(
    served: tuple[FakeApp, SearchService], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fresh-seat audit of stop 49: `folders add` with the window open said "run `photoscope
    index` to index it" while the window was indexing it already."""
    from photoscope.cli import main
    from photoscope.library.db import Library

    app, _ = served
    app.library_path.unlink()  # the fake app's empty file: a library it has open
    Library(app.library_path).close()
    (tmp_path / "New").mkdir()
    assert main(["folders", "add", str(tmp_path / "New"), "--db", str(app.library_path)]) == 0
    out = capsys.readouterr().out
    assert "the running app indexes it" in out and "photoscope index" not in out


def test_without_a_running_app_a_folder_added_is_to_be_indexed(
    tmp_path: Path, runtime: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from photoscope.cli import main

    (tmp_path / "New").mkdir()
    assert main(["folders", "add", str(tmp_path / "New"), "--db", str(tmp_path / "library.db")]) == 0
    assert "run `photoscope index` to index it" in capsys.readouterr().out


def test_a_search_answered_by_the_running_app_says_the_app_indexes_what_waits(
    served: tuple[FakeApp, SearchService], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stop 49's Left list: with the window open and indexing, a search that found nothing said
    "3 photos wait to be indexed: run `photoscope index`", a second indexer beside the app's own."""
    from photoscope.api import Photoscope
    from photoscope.cli import main
    from tests.photos import write_library

    app, _ = served
    app.library_path.unlink()  # the fake app's empty file: a library it has open
    write_library(tmp_path / "P", 3)
    with Photoscope(app.library_path) as library:  # added and scanned, not indexed yet
        library.add_folder(tmp_path / "P")
        library.scanner().scan()
    app.search_text = lambda text, limit, filters: Results([], [])  # type: ignore[method-assign]
    assert main(["search", "a dog", "--db", str(app.library_path)]) != 0
    err = capsys.readouterr().err
    assert "3 photos wait to be indexed: the running app is indexing them" in err, err
    assert "photoscope index" not in err


def test_a_running_app_s_answer_says_the_photos_it_did_not_search_yet(
    served: tuple[FakeApp, SearchService], capsys: pytest.CaptureFixture[str]
) -> None:
    """Audit 81 #1: a search answered by the running app while photos waited to be indexed said
    nothing of them, where a local search and the window say how many were not searched."""
    from photoscope.cli import main

    app, _ = served
    app.counts = PhotoCounts(indexed=1, pending=9)
    assert main(["search", "a dog", "--db", str(app.library_path), "-n", "3"]) == 0
    err = capsys.readouterr().err
    assert "note: 9 photos not searched yet: waiting to be indexed (the running app is indexing them)" in err


def test_a_running_app_s_answer_marks_photos_of_an_offline_folder(
    served: tuple[FakeApp, SearchService], capsys: pytest.CaptureFixture[str]
) -> None:
    """Stop 53's Left list: a search answered by the running app listed an unplugged drive's photos
    "[not found]", as moved or deleted, where a local search said "[folder offline]"."""
    from photoscope.cli import main

    app, _ = served
    app.offline = ["/photos"]  # the watched folder of "/photos/dog on grass.jpg", not there now
    assert main(["search", "a dog", "--db", str(app.library_path), "-n", "3"]) == 0
    out, err = capsys.readouterr()
    assert out.rstrip().endswith("  [folder offline]"), out
    assert "not found" not in out and "1 listed photo is in a folder that is not there now" in err


def test_a_deep_runtime_folder_still_serves_on_a_short_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop 61's Left list: with a runtime (or cache) folder deep enough that the socket's path
    passed the 107 bytes a Unix socket's name may have, the running app silently answered nothing
    (``start`` False), and every `photoscope search` loaded the network again."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    app = FakeApp(tmp_path / "library.db")
    app.library_path.touch()
    service = SearchService(app)  # type: ignore[arg-type]
    try:
        assert len(os.fsencode(service.path)) <= 107 and service.path == service_socket(app.library_path)
        assert service.start()
        assert stat.S_IMODE(service.path.parent.stat().st_mode) == 0o700
        assert _ask(service.path, {"op": "ping"})[0]["ok"]
    finally:
        service.stop()


def test_a_short_socket_folder_someone_else_could_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The short folder is in the shared temporary folder: one made by another user, or open to
    others, would let them answer this user's searches; the app then serves nothing, as before."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    short = service_socket(tmp_path / "library.db").parent
    short.mkdir(mode=0o700, exist_ok=True)
    os.chmod(short, 0o777)
    try:
        assert service_socket(tmp_path / "library.db").parent != short
    finally:
        os.chmod(short, 0o700)


@pytest.fixture
def deep_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A runtime folder too deep for a socket's path, and the short folders made below a private
    temporary folder of the test's own, not the shared /tmp: the short one's root."""
    from photoscope import config

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    with tempfile.TemporaryDirectory(prefix="ps-") as root:  # short: socket paths are limited
        monkeypatch.setattr(config, "SHORT_SOCKET_ROOT", Path(root))
        yield Path(root)


def test_the_user_s_own_short_socket_folder_open_to_others_is_put_right_and_used(
    tmp_path: Path, deep_runtime: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Audit 78 (minor 4): a /tmp/photoscope-UID of the user's own at 0755 was skipped without a
    word, and `index --watch` then answered no search. It is the user's: made 0700, and used."""
    short = deep_runtime / f"photoscope-{os.getuid()}"
    short.mkdir()
    os.chmod(short, 0o755)
    app = FakeApp(tmp_path / "library.db")
    app.library_path.touch()
    service = SearchService(app)  # type: ignore[arg-type]
    try:
        assert service.start()
        assert service.path.parent == short and service.path == service_socket(app.library_path)
        assert stat.S_IMODE(short.stat().st_mode) == 0o700
        assert _ask(service.path, {"op": "ping"})[0]["ok"]
    finally:
        service.stop()
    assert not [r for r in caplog.records if r.levelno >= 30]


@pytest.mark.skipif(os.geteuid() != 0, reason="a file of another user's needs root to make")
def test_what_others_put_in_the_user_s_short_folder_while_it_was_open_is_removed(
    tmp_path: Path, deep_runtime: Path
) -> None:
    """A socket another user left in the folder while it was open to them would answer this user's
    searches: it goes when the folder is put right."""
    short = deep_runtime / f"photoscope-{os.getuid()}"
    short.mkdir(mode=0o777)
    app = FakeApp(tmp_path / "library.db")
    app.library_path.touch()
    planted = short / service_socket(app.library_path).name
    planted.touch()
    os.chown(planted, 65534, 65534)
    service = SearchService(app)  # type: ignore[arg-type]
    try:
        assert service.start() and service.path == planted
        assert planted.stat().st_uid == os.getuid()  # the app's own socket, the other's gone
    finally:
        service.stop()


def test_a_short_socket_folder_of_another_user_is_said_not_skipped(
    tmp_path: Path, deep_runtime: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Audit 78 (minor 4): another user's /tmp/photoscope-UID is not used (they could answer this
    user's searches), and that was all: searches not served, no reason given. One line says why,
    naming the folder, and what to do."""
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)  # the folder made by the real user: another's
    short = deep_runtime / f"photoscope-{real + 1}"
    short.mkdir(mode=0o700)
    app = FakeApp(tmp_path / "library.db")
    app.library_path.touch()
    assert not SearchService(app).start()  # type: ignore[arg-type]
    said = [r.getMessage() for r in caplog.records if r.levelno >= 30]
    assert len(said) == 1 and "\n" not in said[0], said
    assert said[0].startswith("not answering searches on this library: ") and str(short) in said[0]
    assert "belongs to another user" in said[0] and "XDG_RUNTIME_DIR" in said[0]
    assert stat.S_IMODE(short.stat().st_mode) == 0o700 and list(short.iterdir()) == []  # left as it was


def test_debug_says_whether_a_search_was_answered_by_the_running_app(
    served: tuple[FakeApp, SearchService],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Audit 78 (minor 4): `--debug` never said whether the running app answered a search."""
    import logging

    from photoscope.cli import main

    app, service = served
    caplog.set_level(logging.INFO)
    assert main(["search", "a dog", "--db", str(app.library_path), "--debug"]) == 0
    said = [r.getMessage() for r in caplog.records if r.name == "photoscope.commands.remote"]
    assert said == [f"answered by the running app (process {os.getpid()}) at {service.path}"], said
    caplog.clear()
    service.stop()
    missing = tmp_path / "other.db"
    missing.touch()  # no app runs on it; the search itself fails on the empty file, as ever
    main(["search", "a dog", "--db", str(missing), "--debug"])
    said = [r.getMessage() for r in caplog.records if r.name == "photoscope.commands.remote"]
    assert said == [
        f"no running app answers searches on this library (no socket at {service_socket(missing)}):"
        " searching here"
    ], said
    capsys.readouterr()
