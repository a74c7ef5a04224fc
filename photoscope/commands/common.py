"""Options several subcommands share, and the one way an error reaches the user."""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NoReturn, TypeVar

from photoscope.limits import MAX_WEIGHT, query_too_long
from photoscope.wording import safe_text

if TYPE_CHECKING:
    import logging

T = TypeVar("T")
N = TypeVar("N", int, float)  # an option's number (``at_most``)
StepHook = Callable[[int, int, float], None]  # (step, total steps, running figure)


# Exit statuses: each kind of failure has its own, so scripts can tell them apart.
EXIT_OK = 0
EXIT_FAILED = 1  # some photo or file could not be processed (or nothing matched a search)
EXIT_USAGE = 2  # a bad command line: wrong argument, missing or wrong path
EXIT_BUSY = 3  # the library is in use: another program held its lock too long
EXIT_DAMAGED = 4  # the library is damaged, not a library, or from a newer Photoscope
EXIT_UNWRITABLE = 5  # a full disk, a read-only file, folder or disk, no permission
EXIT_BROKEN_INSTALL = 6  # a file Photoscope ships with is missing or damaged
EXIT_KEPT_COPY = 7  # the copy of a library an upgrade kept for an older Photoscope: left as it is
EXIT_BUG = 70  # an unexpected error: a bug (run with --debug and report it)
EXIT_INTERRUPTED = 130
EXIT_PIPE_CLOSED = 141  # what a Unix tool killed by SIGPIPE reports: the reader stopped (``| head``)

EXIT_CODES_HELP = """exit status:
  0  done
  1  some photo or file could not be processed (or nothing matched)
  2  bad usage: a wrong argument or path
  3  the library is in use by another program (its lock was held too long)
  4  the library is damaged or from a newer Photoscope (try `photoscope doctor --repair`)
  5  cannot write: the disk is full, or a file, folder or disk is read-only
  6  Photoscope's install is missing a file it ships with (reinstall Photoscope)
  7  the library is the copy an upgrade kept for an older Photoscope (open it with that one)
 70  an unexpected error (a bug: rerun with --debug and report it)
130  interrupted (Ctrl-C; 143 stopped by SIGTERM, a plain kill; `index --watch` so stopped: 0)
141  the output's reader stopped reading (as in `photoscope search … | head -3`)"""


def reads_library(args: argparse.Namespace) -> bool:
    """For ``set_defaults(reads_library=...)``: a command that always only reads its library."""
    return True


def missing_library(args: argparse.Namespace) -> str | None:
    """The line to say when the command only reads a library (its ``reads_library(args)``) and there
    is none at its path, else None. Such a command creates none: ``status --db ~/photo.db``, a typo
    for ``photos.db``, made an empty library there and said "photos: 0", as if the photos were gone."""
    reads: Callable[[argparse.Namespace], bool] | None = getattr(args, "reads_library", None)
    if reads is None or not reads(args):
        return None
    from photoscope.config import default_db_path

    given = getattr(args, "db", None)
    path = Path(given) if given is not None else default_db_path()
    if path.exists() or _backed_up(path):  # a library lost beside its backup: opening says repair it
        return None
    if given is None:  # a first run: the user gave no path to check (the fresh-seat audit of stop 50)
        return (
            f"no library yet (it will be {path}): add a folder of photos to start one"
            " (photoscope index FOLDER)"
        )
    return f"no library at {path}: check the path, or add a folder (photoscope index FOLDER --db {path})"


def missing_library_folder(args: argparse.Namespace) -> str | None:
    """The line to say when a --db was given in a folder that is not there, else None: the library
    is not made there. `index ~/Pictures --db /media/usb/photos/library.db` with the drive unplugged
    made the folders and a new library, encoded every photo into it, and the drive hid it once
    mounted again (audit 89, repro_3). The default library's folders are made."""
    given = getattr(args, "db", None)
    if given is None or Path(given).parent.is_dir():
        return None
    parent = Path(given).parent
    return f"no such folder {parent} for the library: create it (or connect its drive), or give another --db"


def _backed_up(path: Path) -> bool:
    from photoscope.api import backup_photo_count

    return bool(backup_photo_count(path))


# A path the file system refuses to look up (ENAMETOOLONG): a name in it over 255 bytes, or the whole
# over 4096. Nothing there is damaged, so this is a wrong path (audit 89, repro_2: "corrupt image").
NAME_TOO_LONG = "a name in it (or the whole path) is too long for the file system: check the path"


def name_too_long(path: Path) -> bool:
    """Whether the file system refuses ``path`` as too long (``Path.exists`` raises for it)."""
    try:
        os.stat(path)
    except OSError as error:
        return error.errno == errno.ENAMETOOLONG
    return False


def wrong_photo_path(path: Path, missing: str = "no such file") -> str | None:
    """What is wrong with a path given as a photo (a wrong path: exit status ``EXIT_USAGE``), said as
    it is, else None. Reading the photo would call a missing file one that "disappeared", a folder
    "not a regular file (a pipe or a device)", a link loop or a name too long a "corrupt image".
    ``missing``: what to say of a path where nothing is. A pipe, a permission or a damaged photo are
    for its reading."""
    shown = safe_text(str(path))
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"{shown}: a symbolic link loop (it never reaches a file): check the links"
        if error.errno == errno.ENAMETOOLONG:
            return f"{shown}: {NAME_TOO_LONG}"
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            return None
        if os.path.islink(path):
            return f"{shown}: a symbolic link to nothing ({safe_text(os.readlink(path))} does not exist)"
        return f"{shown}: {missing}"
    if os.path.isdir(path):
        return f"{shown}: a folder, not a photo (give the photos in it, as {safe_text(str(path / '*.jpg'))})"
    return None


def explain(error: BaseException, db: Path | None = None, model: Path | None = None) -> tuple[int, str]:
    """The exit status and the one line to print for an error a command let through (``db`` and
    ``model``: the library and the model bundle the command was given, if any)."""
    import sqlite3

    from photoscope import api
    from photoscope.config import BadInputFile, ResourceMissing

    if isinstance(error, ResourceMissing):
        return EXIT_BROKEN_INSTALL, str(error)
    if isinstance(error, BadInputFile):
        return EXIT_USAGE, str(error)
    if isinstance(error, sqlite3.Error):  # from code that reads the database directly
        from photoscope.config import default_db_path

        error = api.translate_sqlite_error(error, db or default_db_path())
    if isinstance(error, api.LibraryForeign):
        return EXIT_USAGE, str(error)
    if isinstance(error, api.LibraryKeptCopy):
        return EXIT_KEPT_COPY, str(error)
    if isinstance(error, api.LibraryBusy):
        return EXIT_BUSY, str(error)
    if isinstance(error, api.LibraryDamaged | api.LibraryTooNew):
        return EXIT_DAMAGED, str(error)
    if isinstance(error, api.LibraryUnwritable):
        return EXIT_UNWRITABLE, str(error)
    if isinstance(error, api.LibraryError):
        return EXIT_FAILED, str(error)
    if isinstance(error, api.BundleError):  # a --model given is a wrong argument; the shipped one broke
        return (EXIT_USAGE if model is not None else EXIT_BROKEN_INSTALL), f"cannot load the model: {error}"
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        what = error.strerror or str(error)
        if error.errno == errno.ENOSPC:
            return EXIT_UNWRITABLE, f"{where}the disk is full: free some space, then try again"
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return EXIT_UNWRITABLE, f"{where}{what}: check the permissions, or choose another place"
        return EXIT_FAILED, f"{where}{what}"
    if isinstance(error, MemoryError):
        return EXIT_FAILED, "out of memory: close other programs, or index fewer photos at once"
    return EXIT_BUG, (
        f"unexpected error ({type(error).__name__}: {error}); rerun with --debug for the details "
        "and please report it"
    )


def damaged_line(path: Path, found: str) -> str:
    """One line for the first thing a check of the library found (SQLite's own finding, which may
    span lines: "Tree 5 page 7 …", "database disk image is malformed")."""
    return (
        f"{path} is damaged ({' '.join(found.split())}): run `photoscope doctor --repair` (it keeps a copy)"
    )


def confirmed(said: str, doing: str, yes: bool, declined: str = "nothing changed") -> bool:
    """Whether the user agrees to what ``said`` describes ("this rule takes all 40 photos …"), asked
    on a terminal as the window asks; without one, ``--yes`` (``yes``) says it. ``doing`` names the
    act as the question and the refusal say it ("exclude them"); ``declined``, what a no left."""
    if yes:
        return True
    if not sys.stdin.isatty():
        print(f"photoscope: {said}: add --yes to {doing}", file=sys.stderr)
        return False
    try:
        answer = input(f"{said[0].upper()}{said[1:]}. {doing[0].upper()}{doing[1:]}? [y/N] ")
    except EOFError:  # Ctrl-D: no answer is a no (the CLI audit of stop 57: an unexpected error)
        print(file=sys.stderr)  # the prompt's line ended
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return True
    print(f"photoscope: {declined}", file=sys.stderr)
    return False


def one_line_formatter() -> logging.Formatter:
    """A logged record as one line: the message, and the error's words; a bug's error named by its
    type too, a library's error (its own words say what to do: damaged, busy, full) not
    ("watcher step failed (LibraryDamaged: …)": the fresh-seat audit of stop 59)."""
    import logging

    from photoscope.api import LibraryError

    class OneLine(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            said = record.getMessage()  # one that names the app already: said bare elsewhere
            text = said if said.startswith("photoscope: ") else f"photoscope: {said}"
            error = record.exc_info[1] if record.exc_info else None
            if isinstance(error, LibraryError):
                text += f": {error}"
            elif error is not None:
                text += f" ({type(error).__name__}: {error}; --debug shows where)"
            return text

    return OneLine()


def log_in_one_line() -> None:
    """What background workers log (a batch that broke the model, a failed watcher step) reaches
    stderr as one line each, the error named and no traceback; ``--debug`` set up logging with the
    tracebacks before, and then this leaves it. Without it Python prints a logged exception whole.
    Called by the commands that run workers, not by ``cli.main``: importing ``logging`` costs a
    search through the running app a tenth of its time."""
    import logging

    if logging.root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(one_line_formatter())
    handler.setLevel(logging.WARNING)
    logging.root.addHandler(handler)


# --- argument types: bad values are the parser's to reject (exit status 2, with the usage line) ---


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def at_most(read: Callable[[str], N], limit: N) -> Callable[[str], N]:
    """An argument type: what ``read`` reads, at most ``limit`` (a beam or a caption length beyond
    it asked the allocator for gigabytes, the CLI audit of stop 57; a length penalty overflowed,
    that of stop 58)."""

    def parse(text: str) -> N:
        value = read(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"at most {limit:g}, not {text}")
        return value

    return parse


MAX_BEAM = 32  # four times the app's beam: wider beams were measured worse (the model study)
# Twenty times the app's 0.5: a caption's score is divided by its length to this power, and past
# about 170 (61 words) the division overflowed: exit 70 (the CLI audit of stop 58).
MAX_LENGTH_PENALTY = 10.0
MAX_CAPTION_WORDS = 60  # Flickr8k's longest captions are under 40 words


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def query_text(text: str) -> str:
    """A query's text: at most ``MAX_QUERY_CHARS`` characters (a pasted page took the network 40 s),
    read as the user typed it (``as_typed``)."""
    too_long = query_too_long(text)
    if too_long is not None:
        raise argparse.ArgumentTypeError(too_long)
    return as_typed(text)


def as_typed(text: str) -> str:
    """A text argument as typed in UTF-8 where the locale is not (LC_ALL=C without Python's UTF-8
    mode): Python hands its non-ASCII bytes over as surrogate escapes, and "café" was searched as
    the unknown word 'caf' (audit 74, repro_8). For words only: a path keeps its escapes, which the
    file system turns back into the same bytes, where "é" itself cannot be encoded in ASCII."""
    if not _ESCAPED_BYTE.search(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeDecodeError:  # bytes that are no UTF-8 either: left for the caller to show escaped
        return text


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # how Python's surrogateescape holds a byte it cannot decode


def weight(text: str) -> float:
    """A query term's weight: a number from 0 to ``MAX_WEIGHT`` (not nan, not inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= MAX_WEIGHT:  # nan fails both comparisons
        hint = " (use --subtract to take a term away)" if value < 0 else ""
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_WEIGHT:g}, not {text}{hint}")
    return value


def day(text: str) -> date:
    """A calendar day: YYYY-MM-DD, or today / yesterday."""
    named = {"today": 0, "yesterday": 1}
    if text.lower() in named:
        return date.today() - timedelta(days=named[text.lower()])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (give YYYY-MM-DD, e.g. 2021-07-04, or today or yesterday)"
        ) from None


def add_model_option(parser: argparse.ArgumentParser, *, of_a_job: bool = False) -> None:
    """``of_a_job``: the option again on a job of a command that has it (``words similar``). argparse
    copies a job's values over its command's, so the job's own has no default: else ``words --model M
    similar dog`` had its ``--model`` overwritten by the job's None, and used the shipped model."""
    default = argparse.SUPPRESS if of_a_job else None
    parser.add_argument(
        "--model", type=model_folder, default=default, help="model bundle folder (default: the shipped one)"
    )


def model_folder(value: str) -> Path:
    """A ``--model`` folder: one that is not there is a wrong path (exit 2), said before anything loads."""
    path = Path(non_empty(value)).expanduser()
    if not path.is_dir():
        what = "not a folder" if path.exists() else "no such folder"
        raise argparse.ArgumentTypeError(f"{value}: {what} (give a model bundle's folder)")
    return path


DEBUG_HELP = "on an error, show the full traceback (and log what the library does)"


def add_debug_option(parser: argparse.ArgumentParser) -> None:
    """``--debug`` after a job's name too (``words similar dog --debug``), as ``cli`` adds it after
    each command's; no default, so a job not given it keeps the one given before (as for ``--model``)."""
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)


def non_empty(text: str) -> str:
    """A path argument's text, refused when empty: ``Path("")`` is the current folder, so an unset
    shell variable ("$DIR") made `folders exclude ""` drop the current folder's photos from the index
    and `index ""` watch it, with exit 0 (audit 74, repro_6). As ``--db ""`` is refused."""
    if not text:
        raise argparse.ArgumentTypeError("needs a path, not an empty one")
    return text


def plain_path(text: str) -> Path:
    """A path argument taken as written (an output file, a dataset folder), but never empty."""
    return Path(non_empty(text))


def user_path(text: str) -> Path:
    """A path given on the command line, "~" standing for the home folder even when the shell left
    it as it was (quoted, or from a launcher): `folders add '~/pics'` said "no such folder"; a local
    "file://" URL as the path it names, as the window takes it (a file manager copies one so).
    Never an empty one (``non_empty``)."""
    non_empty(text)
    if text.startswith("file://"):
        from photoscope.api import local_file_url_path

        named = local_file_url_path(text)
        if named is not None:
            return Path(named)
    return Path(text).expanduser()


def photo_path(text: str) -> Path:
    """A photo's path given on the command line (``user_path``). An empty one names no photo: read as
    the current folder, `--add-photo ""` said `.: a folder, not a photo` (the fresh-seat audit)."""
    if not text:
        raise argparse.ArgumentTypeError('"" names no photo: give a photo\'s path')
    return user_path(text)


def db_path(text: str) -> Path:
    """``--db``: the library's file. An empty path or a folder is a wrong path, said so by the parser:
    opening them said "cannot open …: check that its folder exists and that you may write there"
    (exit status 5), which is not what is wrong."""
    if not text:
        raise argparse.ArgumentTypeError("needs a file path, not an empty one")
    path = user_path(text)
    try:
        return _library_file(path)
    except OSError as error:  # a folder above that may not be looked into (Python 3.11 raises)
        raise argparse.ArgumentTypeError(f"{path}: {error.strerror or error}") from None


def _library_file(path: Path) -> Path:
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{path} is a folder: give a file path inside it, such as {path / 'library.db'}"
        )
    if path.exists() and not path.is_file():  # /dev/null, a pipe: SQLite said "disk I/O error"
        raise argparse.ArgumentTypeError(f"{path} is not a regular file: give the library's file path")
    above = next((p for p in path.parents if p.exists()), None)
    if above is not None and not above.is_dir():
        raise argparse.ArgumentTypeError(f"{above} is a file, not a folder: give another library path")
    return path


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=db_path, help="library database (default: in the user data folder)")


def add_run_options(parser: argparse.ArgumentParser, out_holds: str) -> None:
    """Options of the commands that run a training: the dataset, the output folder, length, seed, threads."""
    parser.add_argument("--data", type=plain_path, required=True, help="dataset folder (Flickr8k layout)")
    parser.add_argument("--out", type=plain_path, required=True, help=f"output folder ({out_holds})")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for PyTorch")


def add_decoding_options(parser: argparse.ArgumentParser) -> None:
    """The beam and how it chooses among the captions it finished. The defaults are the app's
    (``network.DecodeOptions``), written out: importing them would load PyTorch."""
    parser.add_argument(
        "--beam",
        type=at_most(positive_int, MAX_BEAM),
        default=8,
        help=f"beam width (1 = greedy, at most {MAX_BEAM})",
    )
    parser.add_argument(
        "--length-penalty",
        type=at_most(non_negative_float, MAX_LENGTH_PENALTY),
        default=0.5,
        help="how much longer captions are favoured in the beam (0: not at all; default 0.5)",
    )
    parser.add_argument(
        "--rerank",
        type=non_negative_float,
        default=8.0,
        help="weight of the text encoder's match when choosing among the finished captions (0: off)",
    )
    parser.add_argument(
        "--consensus",
        type=non_negative_float,
        default=4.0,
        help="weight of a finished caption's agreement with the others when choosing (0: off)",
    )


def configured(default: T, args: argparse.Namespace, *names: str) -> T:
    """``default`` (a dataclass configuration) with the options among ``names`` that were given."""
    import dataclasses  # here, as sqlite3 in ``explain``: every command imports this module

    given = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    return dataclasses.replace(default, **given)  # type: ignore[type-var]


@contextmanager
def step_bar(
    steps_per_epoch: int, epochs: int, done_epochs: int, figure: str
) -> Iterator[tuple[StepHook, Callable[[str], None]]]:
    """A progress bar over all steps: yields the step hook (it shows the epoch and a running
    ``figure``) and a ``log`` that prints above the bar."""
    from tqdm import tqdm

    with tqdm(total=steps_per_epoch * epochs, initial=done_epochs * steps_per_epoch, unit="step") as bar:

        def stepped(step: int, _total: int, value: float) -> None:
            bar.n = step
            bar.set_postfix({"epoch": 1 + (step - 1) // steps_per_epoch, figure: f"{value:.3f}"})

        yield stepped, bar.write


def intermix(parser: argparse.ArgumentParser) -> None:
    """Let a subcommand's options come between its positional arguments (``folders exclude --pattern
    GLOB PATH``): argparse's plain parsing gives an optional positional nothing when an option
    follows the ones before it. Only for parsers without subcommands of their own."""
    parser.__class__ = _IntermixedParser


class OneLineParser(argparse.ArgumentParser):
    """A parser whose refusal is one line that says what to do, with the usage exit status (2):
    argparse's own printed the whole usage block first, six lines for `search -n 0` (the honest-results
    walk of stop 48)."""

    commands: Mapping[str, argparse.ArgumentParser] = MappingProxyType({})  # the top one's, by name

    _given: Sequence[str] = ()  # the arguments this parser was last given
    takes_texts = False  # its query and terms are free text, which may begin with '-' ("-dog")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._given = list(args) if args is not None else sys.argv[1:]
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        own = message.startswith(ARGPARSE_SAYS)  # else ours, which say what to do ("swap them")
        misread = message.startswith("the following arguments are required") or "expected one arg" in message
        dashed = self._dashed_text() if misread and self.takes_texts else None
        if dashed is not None:
            self.exit(EXIT_USAGE, f"{self.prog}: {self._dashed_hint(dashed, message)}\n")
        hint = f" (`{self.prog} --help` lists what it takes)" if own else ""
        self.exit(EXIT_USAGE, f"{self.prog}: {message}{hint}\n")

    def _dashed_text(self) -> str | None:
        """The first argument that begins with '-' and is no option of this parser: a text meant as
        a query ("-dog") that argparse read as an option (the CLI audit of stop 55: "the following
        arguments are required: text")."""
        options = self._option_string_actions
        for arg in self._given:
            if arg == "--":
                return None
            known = arg.split("=", 1)[0] in options or arg[:2] in options  # "-n5" is -n 5
            single = arg.startswith("-") and not arg.startswith("--")  # "--bogus": a mistyped option
            if single and len(arg) > 1 and not known and not _is_number(arg):
                return arg
        return None

    def _dashed_hint(self, dashed: str, message: str) -> str:
        said = f"'{dashed}' begins with '-', so it was read as an option"
        quoted = "'" + dashed.replace("'", "'\\''") + "'"  # quoted always: it reads as one text
        option = re.match(r"argument (--?[\w-]+)(?:/--?[\w-]+)*: expected one argument", message)
        if option is not None:
            return f"{said}: join it: {option.group(1)}={quoted}"
        return f"{said}: put it after `--`, the options before: {self.prog} [OPTIONS] -- {quoted}"


def _is_number(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


# How argparse's own refusals begin: they name what is wrong, not where to read what is right.
ARGPARSE_SAYS = (
    "argument ",
    "the following arguments are required",
    "unrecognized arguments",
    "ambiguous option",
)


class _IntermixedParser(OneLineParser):
    _parsing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._parsing:  # the intermixed parse calls this twice, for options then positionals
            return super().parse_known_args(args, namespace)
        self._parsing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._parsing = False


def index_command(args: argparse.Namespace, folder: str | None = None) -> str:
    """The ``photoscope index`` command for the library and model this command used (``--db``,
    ``--model``), so that following it indexes the same library."""
    parts = [
        "photoscope index",
        folder,
        *(
            f"{o} {v}"
            for o, v in (("--db", getattr(args, "db", None)), ("--model", getattr(args, "model", None)))
            if v
        ),
    ]
    return " ".join(p for p in parts if p)
