"""``photoscope search`` and ``photoscope similar``: find photos, print scores and paths."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photoscope.api import CANNOT_BE_READ, LINK_NOWHERE, NOT_FOUND  # what api.file_state says
from photoscope.commands.common import (
    EXIT_DAMAGED,
    EXIT_FAILED,
    EXIT_USAGE,
    OneLineParser,
    add_db_option,
    add_model_option,
    damaged_line,
    day,
    index_command,
    non_empty,
    photo_path,
    positive_int,
    query_text,
    reads_library,
)
from photoscope.commands.terms import add_term_options, missing_photos, query_terms
from photoscope.wording import (
    NONE_LIKELY_NOTE,
    by_name_note,
    cancelled_note,
    named_away_note,
    next_to_nothing_note,
    no_look_alike_note,
    not_searched_note,
    plural,
    repeated_note,
    safe_text,
    searched_by_note,
    taken_away_note,
    term_name,
    undated_note,
    unknown_word_notes,
    unseen_note,
    weightless_note,
)
from photoscope.wordlists import says_nothing, year_of

if TYPE_CHECKING:
    from photoscope.api import EmptyAnswer, Photoscope, WhyNothing


def register(sub: Any) -> None:
    search = _add_command(sub, "search", "find photos by a description", run_search)
    search.add_argument(
        "text", type=query_text, help='what the photo shows, e.g. "two dogs running in the snow"'
    )
    similar = _add_command(sub, "similar", "find photos that look like a photo", run_similar)
    similar.add_argument("photo", type=photo_path, help="a photo, in the library or anywhere else")


def _add_command(
    sub: Any, name: str, help: str, handler: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    """A search command with the options ``search`` and ``similar`` share; the caller adds its query."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help)
    if isinstance(p, OneLineParser):
        p.takes_texts = True  # a query "-dog" is told to go after `--`
    _add_output_options(p)
    add_term_options(p)
    p.set_defaults(handler=handler, reads_library=reads_library)
    return p


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-n", "--limit", type=positive_int, default=20, help="how many results (default 20)")
    form = p.add_mutually_exclusive_group()  # one output form (given two, one was dropped unsaid)
    form.add_argument("--json", action="store_true", help="one JSON object per result")
    form.add_argument(
        "--paths-only",
        action="store_true",
        help="only the paths, one a line (for pipes); control and bidi characters in a name are escaped",
    )
    form.add_argument(
        "--null", action="store_true", help="only the paths, exactly, each ended by NUL (for xargs -0)"
    )
    p.add_argument("--folder", type=non_empty, help="only photos below this folder")
    p.add_argument(
        "--from",
        dest="taken_from",
        type=day,
        action=_DateBound,
        help="only photos taken on or after YYYY-MM-DD",
    )
    p.add_argument(
        "--to", dest="taken_to", type=day, action=_DateBound, help="only photos taken on or before YYYY-MM-DD"
    )
    add_db_option(p)
    add_model_option(p)


class _DateBound(argparse.Action):
    """``--from`` or ``--to``, refused when it closes a reversed range: that silently found nothing."""

    def __call__(
        self, parser: argparse.ArgumentParser, ns: argparse.Namespace, value: Any, option: str | None = None
    ) -> None:
        setattr(ns, self.dest, value)
        low, high = getattr(ns, "taken_from", None), getattr(ns, "taken_to", None)
        if low is not None and high is not None and low > high:
            parser.error(f"--from {low} is after --to {high}: swap them")


def _filters(args: argparse.Namespace) -> Any:
    from photoscope.api import Filters

    return Filters(args.folder, args.taken_from, args.taken_to)  # dates parsed (and checked) by argparse


def _print(
    results: Any,
    args: argparse.Namespace,
    terms: Sequence[Any] = (),
    app: Photoscope | None = None,
    offline_roots: Sequence[str] = (),
) -> int:
    """Print the results as ``args`` asks; notes (unknown words, what the query's photo ``terms``
    counted as) on stderr. ``app``: the library the results came from, if open here; else
    ``offline_roots``: the running app's folders offline now (``Photoscope.offline_folders``)."""
    # What it could not look at yet: counted here for a local search, by the running app for its
    # answer (an older one's says nothing: none)
    pending = app.photo_counts().pending if app is not None else getattr(results, "waiting", 0)
    _print_notes(results, terms, so_far=pending > 0)
    if not results.matches:
        return _nothing_found(args, app, results)
    if pending:
        elsewhere = app is not None and app.indexing_elsewhere()
        _note_waiting(pending, args, app_indexes=app is None, indexing_now=elsewhere)
    escaped = 0
    likely = _likely(results)
    states = file_states(results.matches, offline_roots if app is None else app.offline_folders())
    away = {rank for rank, state in enumerate(states) if state in AWAY}
    paths = args.null or args.paths_only  # for other programs: only the files that are there
    listed = [(rank, m) for rank, m in enumerate(results.matches) if not (paths and rank in away)]
    copies = _copies_listed(results.matches)
    for rank, m in listed:
        if args.null:
            sys.stdout.write(m.photo.path + "\0")
        elif args.paths_only:
            shown = safe_text(m.photo.path)
            escaped += shown != m.photo.path
            print(shown)
        elif args.json:
            row = _json_row(m, getattr(args, "model", None), rank < likely)
            copy_of = results.matches[copies[rank]].photo.path if rank in copies else None
            damaged = states[rank] == DAMAGED
            place = renamed_to(m.photo) if states[rank] == RENAMED else None
            on_disk = rank not in away
            renamed = _shown_path(place) if place is not None else None
            print(
                json.dumps(
                    {
                        **row,
                        "copy_of": copy_of,
                        "on_disk": on_disk,
                        "damaged": damaged,
                        "renamed_to": renamed,
                        "state": states[rank],  # as the text marks it ("cannot be read"); None: fine
                    }
                )
            )
        else:
            dup = "  [copy]" if m.near_duplicate else _copy_mark(rank, copies.get(rank), results.matches)
            mark = _renamed_mark(m.photo) if states[rank] == RENAMED else states[rank]
            state = f"  [{mark}]" if mark else ""
            print(f"{m.score:6.3f}  {safe_text(m.photo.path)}  — {m.photo.caption or ''}{dup}{state}")
    _note_likely(results, sum(1 for rank, _ in listed if rank < likely), len(listed))
    _note_away(states.count(NOT_FOUND), paths, args)
    _note_offline(states.count(FOLDER_OFFLINE), paths)
    _note_links(states.count(LINK_NOWHERE), paths)
    _note_damaged(states.count(DAMAGED))
    _note_renamed(states.count(RENAMED))
    if escaped:
        print(
            f"note: {plural(escaped, 'path')} {'holds' if escaped == 1 else 'hold'} control or bidi"
            " characters (or a backslash read as one), shown escaped; "
            "--null prints them exactly",
            file=sys.stderr,
        )
    # Paths asked for and none to give (every match's file away): a failure a script can tell, as
    # "no matching photos" is (the CLI audit of stop 57: exit 0, and `| xargs eog` opened nothing).
    return EXIT_FAILED if paths and not listed else 0


def _copies_listed(matches: Sequence[Any]) -> dict[int, int]:
    """The rank of each match that is a copy of one listed above (``Match.copy_of``), to its rank."""
    rank_of = {m.photo.id: rank for rank, m in enumerate(matches) if getattr(m.photo, "id", None) is not None}
    copy_of = [getattr(m, "copy_of", None) for m in matches]
    return {rank: rank_of[c] for rank, c in enumerate(copy_of) if c is not None and c in rank_of}


def _copy_mark(rank: int, original: int | None, matches: Sequence[Any]) -> str:
    """What a row says when its photo is a copy of the one listed at ``original``: of the row just
    above, or of the photo by its file's name."""
    if original is None:
        return ""
    if original == rank - 1:
        return "  [copy of the photo above]"
    return f"  [copy of {safe_text(Path(matches[original].photo.path).name)}]"


def _nothing_found(args: argparse.Namespace, app: Photoscope | None, results: Any) -> int:
    """Why a search listed nothing: a ``--folder`` below which the library has no photo (a wrong
    path: the search never looked anywhere), else no photo matched, with the reason
    (``api.why_nothing``, the window's too) and the photos not searched yet. ``app``: the library if
    open here (a running app's answer opens it once, for the checks: no model, no PyTorch)."""
    from photoscope.api import Photoscope, still_waiting, why_nothing

    with contextlib.nullcontext(app) if app is not None else Photoscope(args.db) as library:
        if args.folder is not None and not library.photos_below(args.folder):
            return _wrong_folder(args.folder)
        answer = _empty_answer(library, args, results)
        indexing_now = library.indexing_elsewhere()
        why = _why_nothing(why_nothing(answer), answer, library, args, app is None, indexing_now)
    print("no matching photos" + (f": {why}" if why else ""), file=sys.stderr)
    _note_waiting(still_waiting(answer), args, app_indexes=app is None, indexing_now=indexing_now)
    return EXIT_FAILED


def _empty_answer(app: Photoscope, args: argparse.Namespace, results: Any) -> EmptyAnswer:
    """What the command line knows when a search found nothing. Another model's photos are known only
    when this process loaded the model (a local search)."""
    from photoscope.api import EmptyAnswer, asks_numbers_alone, waiting_offline

    photos_asked = getattr(args, "photo", None) is not None or any(  # `similar`'s, or --add-photo
        term[0]
        for term in getattr(args, "terms", None) or ()  # (photo?, -, value, weight)
    )
    return EmptyAnswer(
        app.photo_counts(),
        has_folders=bool(app.folders()),  # none: "add a folder", not "the folders hold no photos"
        filtered=_filters(args).active,
        unknown_words=bool(results.unknown_words) and not photos_asked,
        unsure=tuple(getattr(results, "unsure", ())),  # an older running app's answer has none
        other_model=app.photos_to_reencode() if app.model_ready else 0,
        cancelled=bool(getattr(results, "nothing_left", False)),  # an older running app's: not said
        left_out_by_name=bool(getattr(results, "left_out_by_name", 0)),
        waiting=int(getattr(results, "waiting", 0)),
        waiting_offline=waiting_offline(app.folders()),
        numbers_only=asks_numbers_alone(
            getattr(args, "text", None) or "", photos_asked or bool(getattr(args, "terms", None))
        ),
    )


_APP_INDEXES = "the running app is indexing them"
_INDEXING_NOW = "another Photoscope is indexing them now"


def _note_waiting(
    waiting: int, args: argparse.Namespace, app_indexes: bool = False, indexing_now: bool = False
) -> None:
    """The photos not searched because they wait to be indexed (the CLI audit: "a gorilla" said no
    photo shows one while the gorilla's photo waited among 48)."""
    if not waiting:
        return
    if indexing_now and not app_indexes:  # told to run the command already running (stop 58's audit)
        said = not_searched_note(waiting, _INDEXING_NOW)
    else:
        indexed = _APP_INDEXES if app_indexes else f"`{index_command(args)}`"
        said = f"{not_searched_note(waiting)} ({indexed})"  # the window's words, and what indexes them
    print(f"note: {said}", file=sys.stderr)


def _to_index(args: argparse.Namespace, app_indexes: bool, indexing_now: bool = False) -> str:
    """What indexes the photos that wait: the running app that answered the search (stop 49's Left
    list: told to run `photoscope index` beside it), another process indexing now, else the command."""
    if app_indexes:
        return _APP_INDEXES
    return f"{_INDEXING_NOW}: search again in a moment" if indexing_now else f"run `{index_command(args)}`"


def _wrong_folder(folder: str) -> int:
    from photoscope.api import display_path  # a name that is not UTF-8 as its bytes ("\\xe9")

    print(
        f"photoscope: no photo of the library is below {display_path(safe_text(folder))}: "
        "`photoscope folders list` lists the watched folders",
        file=sys.stderr,
    )
    return EXIT_USAGE


def _why_nothing(
    why: WhyNothing,
    answer: EmptyAnswer,
    app: Photoscope,
    args: argparse.Namespace,
    app_indexes: bool,
    indexing_now: bool = False,
) -> str | None:
    """The reason ``why`` in the command line's words, with the command that helps (None: the photos
    were searched and none matched); ``app_indexes``: a running app answered, and indexes;
    ``indexing_now``: another process is indexing the library."""
    from photoscope.api import WhyNothing, still_waiting

    counts = answer.counts
    assert counts is not None  # counted here, always
    to_index = _to_index(args, app_indexes, indexing_now)
    match why:
        case WhyNothing.CANCELLED:
            return "what it adds, it takes away too"
        case WhyNothing.WEIGHTLESS:
            return "every term weighs 0"
        case WhyNothing.NO_WORDS:  # refused before the search (``_no_words``): said alike if asked
            return "its words say nothing a photo shows"
        case WhyNothing.UNKNOWN_WORDS:
            return "Photoscope knows none of its words that say what to find"
        case WhyNothing.NO_FOLDERS:
            return f"the library has no photos yet: add a folder with `{index_command(args, 'FOLDER')}`"
        case WhyNothing.NO_PHOTOS if any(f.last_scan_at is None for f in app.folders()):
            # watched, not scanned yet: `folders add` does not scan
            return f"no photo of the watched folders is indexed yet: {to_index}"
        case WhyNothing.NO_PHOTOS:
            return (
                "the watched folders hold no photos: add a folder that has some with"
                f" `{index_command(args, 'FOLDER')}`"
            )
        case WhyNothing.WAITING:
            return f"{counts.pending} photos wait to be indexed: {to_index}"
        case WhyNothing.WAITING_OFFLINE:
            return (
                f"{plural(counts.pending, 'photo')} wait to be indexed, and their folder is offline: plug"
                " its drive in, or add its new place (`photoscope status` lists it)"
            )
        case WhyNothing.NONE_INDEXED:
            error = counts.error
            return f"none of the library's {error} photos could be indexed (`photoscope status` says why)"
        case WhyNothing.OTHER_MODEL:
            return _other_model(app, args, answer)
        case WhyNothing.NAMED_AWAY:
            here = " in the folder or dates given" if answer.filtered else ""
            return (
                "the photos whose folder or file names say what is taken away are left out, and no"
                f" other photo{here} matches"
            )
        case WhyNothing.FILTERED:
            return "none in the folder or dates given (without --folder, --from, --to: all photos)"
        case WhyNothing.UNSEEN:  # of the photos searched, when others wait (``still_waiting``)
            return unseen_note(answer.unsure, so_far=still_waiting(answer) > 0)
        case WhyNothing.NUMBERS:
            return _numbers_not_named(args.text)
    return None


def _numbers_not_named(text: str) -> str:
    """Why a query of numbers alone found nothing, and for a year how to find the photos taken then."""
    said = (
        f"no file or folder name holds '{safe_text(text.strip())}', and the model sees no numbers in photos"
    )
    year = year_of(text)
    return said if year is None else f"{said}; photos taken in {year}: --from {year}-01-01 --to {year}-12-31"


def _other_model(app: Photoscope, args: argparse.Namespace, answer: EmptyAnswer) -> str:
    """The photos another model indexed, and the two ways to search them. ``photoscope index`` with
    this model describes them again (the indexer requeues other models' photos), in place of the
    other model's descriptions."""
    version = app.model_version()
    others = [v for v in app.model_versions() if v != version]
    from photoscope.api import shipped_model_version

    shipped = args.model is not None and shipped_model_version() in others
    other_way = "without --model" if shipped else "with --model set to the model that indexed them"
    count, indexed = answer.other_model, answer.counts.indexed if answer.counts is not None else 0
    which = (
        f"the library's {count} photos were"
        if count >= indexed
        else f"{count} of the library's {indexed} photos,"
    )
    return (
        f"{which} indexed by another model ({', '.join(others)}), not this one "
        f"({version}): search {other_way}, or describe them again with this one "
        f"(replacing the other's descriptions): `{index_command(args)}`"
    )


def _print_notes(results: Any, terms: Sequence[Any], so_far: bool = False) -> None:
    """On stderr: the words the model does not know (and what it searched instead), those no listed
    photo clearly shows, and what each photo term counted as; ``so_far``: photos wait to be indexed,
    and what no photo shows is said of those indexed so far (audit 81)."""
    # An older running app's answer has neither count.
    named = by_name_note(getattr(results, "by_name", 0), len(results.matches))
    counts = (named, undated_note(getattr(results, "undated", 0)))
    for note in (*counts, named_away_note(getattr(results, "left_out_by_name", 0))):
        if note:
            print(f"note: {note}", file=sys.stderr)
    taken_away = getattr(results, "taken_away", ())  # an older running app's answer has none
    if taken_away:
        print(f"note: {taken_away_note(taken_away)}", file=sys.stderr)
    cancelled = getattr(results, "cancelled", ())  # nor this
    if cancelled:
        print(f"note: {cancelled_note(cancelled)}", file=sys.stderr)
    repeated = getattr(results, "repeated", ())  # nor this
    if repeated:
        print(f"note: {repeated_note(repeated)}", file=sys.stderr)
    weightless = [term_name(t) for t in terms if t.weight == 0]
    if weightless:  # said: it had changed nothing, unsaid (audit 73)
        print(f"note: {weightless_note(weightless)}", file=sys.stderr)
    from photoscope.api import next_to_nothing

    light = [term_name(t) for t in next_to_nothing(terms)]
    if light:  # counted for nothing, as at 0 (audit 100, repro_1)
        print(f"note: {next_to_nothing_note(light)}", file=sys.stderr)
    # What the model does not know before what it cannot see (the walk of stop 48); the notes name
    # each word once (``wording``).
    for note in unknown_word_notes(results.unknown_words, _quoted):
        print(f"note: {note}", file=sys.stderr)
    unsure = getattr(results, "unsure", ()) if results.matches else ()  # none: _nothing_found says it
    if unsure:
        print(f"note: {unseen_note(unsure, so_far=so_far)}: these are its closest guesses", file=sys.stderr)
    photos = [t for t in terms if t.photo is not None and t.weight > 0]  # as Results.photo_words
    if not unsure and results.matches and getattr(results, "no_look_alike", False):  # an older app: none
        unlike = zip(photos, getattr(results, "photo_unlike", ()), strict=False)
        copies = any(m.near_duplicate for m in results.matches)  # the listed copies of its photos
        unlike_names = [_photo_name(t) for t, u in unlike if u]
        print(f"note: {no_look_alike_note(unlike_names, copies, so_far)}", file=sys.stderr)
    searched_by = getattr(results, "searched_by", ())
    if searched_by and results.matches:
        print(f"note: {searched_by_note([safe_text(p) for p in searched_by])}", file=sys.stderr)
    for term, words in zip(photos, getattr(results, "photo_words", ()), strict=False):
        if words:
            print(f"note: {_photo_name(term)} counts as what it shows: {', '.join(words)}", file=sys.stderr)


def _photo_name(term: Any) -> str:
    """A photo term as the notes name it: its path as given."""
    return safe_text(str(term.photo))


def _quoted(word: str) -> str:
    return f"'{word}'"


def _likely(results: Any) -> int:
    """How many of the results, from the first, are likely matches (as the window counts them): none
    when they are the closest guesses to words no photo clearly shows (a search by example photo
    that no photo looks like has none: ``relevant`` 0)."""
    return 0 if getattr(results, "unsure", ()) else int(getattr(results, "relevant", 0))


def file_states(matches: Sequence[Any], offline_roots: Sequence[str] = ()) -> list[str | None]:
    """Each of ``matches``' file as it is now (``api.file_state``): ``FOLDER_OFFLINE`` for one not
    there below a folder of ``offline_roots`` (``Photoscope.offline_folders``)."""
    from photoscope.api import file_state, is_under

    def state(photo: Any) -> str | None:
        found = file_state(photo.path)
        # not there, or not to be read where the folder was (a file at its place: the reliability
        # audit of stop 60) below a folder offline: the folder's, not the photo's
        away = found in (NOT_FOUND, CANNOT_BE_READ)
        offline = away and any(is_under(photo.path, root) for root in offline_roots)
        if found is None and _damaged(photo):
            return DAMAGED
        if found == NOT_FOUND and not offline and renamed_to(photo) is not None:
            return RENAMED
        return FOLDER_OFFLINE if offline else found

    return [state(m.photo) for m in matches]


def renamed_to(photo: Any) -> str | None:
    """Where a photo not at its path is, renamed to a name that is not UTF-8 (the index keeps it
    until the name is fixed: the CLI audit of stop 55 found it "[not found]")."""
    size, mtime = getattr(photo, "size", None), getattr(photo, "mtime", None)  # an older app's answer: none
    if size is None or mtime is None:
        return None
    return _renamed_place(photo.path, int(size), float(mtime))


@functools.lru_cache(maxsize=256)
def _renamed_place(path: str, size: int, mtime: float) -> str | None:
    from photoscope.api import renamed_unstorably

    return renamed_unstorably(path, size, mtime, _unstorable_names)


@functools.lru_cache(maxsize=64)
def _unstorable_names(directory: str) -> list[str]:
    """A folder's names that are not UTF-8, listed once for all its listed photos not at their path
    (a folder of 50,000 files listed for each: stop 56's leftover). A command's answer is one look."""
    from photoscope.api import unstorable_names

    return unstorable_names(directory)


def _shown_path(path: str) -> str:
    """A path as JSON carries it: a name's bytes that are not UTF-8 as ``\\xe9`` (``display_path``)."""
    from photoscope.api import display_path

    return display_path(path)


def _renamed_mark(photo: Any) -> str:
    """ "renamed to p\\xe4n.jpg, a name that is not UTF-8": the new name, or its whole path when a
    folder on the way was renamed."""
    place = renamed_to(photo) or ""
    same_folder = os.path.dirname(place) == os.path.dirname(photo.path)
    shown = _shown_path(os.path.basename(place) if same_folder else place)
    return f"renamed to {shown}, a name that is not UTF-8"


def _note_renamed(renamed: int) -> None:
    """On stderr, the listed photos renamed to a name the index cannot hold: nothing but a new name
    brings them back (`photoscope index` cannot)."""
    if not renamed:
        return
    one = renamed == 1
    which = f"{plural(renamed, 'listed photo')} {'was' if one else 'were'} renamed to"
    names = "a name that is" if one else "names that are"
    it = "it" if one else "them"
    print(
        f"note: {which} {names} not valid UTF-8 (a file's or a folder's, shown in the mark): the index"
        f" keeps {it}; rename {it} in UTF-8 and the next scan follows {it}",
        file=sys.stderr,
    )


def _damaged(photo: Any) -> bool:
    """Whether the photo could not be indexed again because its file was cut short, emptied or
    corrupted after it was indexed: the index keeps its description (the CLI audit of stop 55)."""
    from photoscope.api import is_damage

    return getattr(photo, "status", None) == "error" and is_damage(getattr(photo, "error", None))


FOLDER_OFFLINE, DAMAGED, RENAMED = "folder offline", "file damaged", "renamed"
AWAY = (NOT_FOUND, FOLDER_OFFLINE, LINK_NOWHERE, RENAMED)  # states whose photo cannot be opened: not in paths


def _note_offline(offline: int, left_out: bool) -> None:
    """On stderr, the listed photos of a folder not there now, a watched one or a drive's inside one
    (the fresh-seat audits of stops 53 and 54: "[not found]", and "`photoscope index` updates the
    library", which can do nothing for them)."""
    if not offline:
        return
    one = offline == 1
    which = f"{plural(offline, 'listed photo')} {'is' if one else 'are'} in a folder"
    done = "left out of the paths; " if left_out else ""
    stay = "it stays" if one else "they stay"  # "1 listed photo …: they stay": the CLI audit of stop 57
    print(
        f"note: {which} that is not there now (a drive not plugged in?): {done}{stay} in the index;"
        f" plug the drive in to open {'it' if one else 'them'}",
        file=sys.stderr,
    )


def _note_links(links: int, left_out: bool) -> None:
    """On stderr, the listed photos that are links leading nowhere now: the index keeps them, as a
    link's photo may come back (the fresh-seat audit of stop 54: "[cannot be read]")."""
    if not links:
        return
    one = links == 1
    links_that = "is a link that leads" if one else "are links that lead"
    which = f"{plural(links, 'listed photo')} {links_that}"
    done = "left out of the paths; " if left_out else ""
    it = "it" if one else "them"
    print(
        f"note: {which} nowhere now: {done}the index keeps {it}; fix the link or remove {it}", file=sys.stderr
    )


def _note_damaged(damaged: int) -> None:
    """On stderr, the listed photos whose file was cut short or emptied after they were indexed."""
    if not damaged:
        return
    one = damaged == 1
    which = f"{plural(damaged, 'listed photo')}'{'s file is' if one else ' files are'} damaged"
    why = "cut short or emptied: a copy or sync that did not finish?"
    it = "its" if one else "their"
    print(
        f"note: {which} ({why}): the index keeps {it} description; copy {'it' if one else 'them'} again"
        f" from where {'it' if one else 'they'} came from",
        file=sys.stderr,
    )


def _note_away(away: int, left_out: bool, args: argparse.Namespace) -> None:
    """On stderr, the listed photos whose file is not at its path now (``left_out``: of the paths
    printed). The command line watches nothing: its index is as the last `index` (or the running
    app) left it, and a drive unplugged keeps its photos there (the fresh-seat audit of stop 51)."""
    if not away:
        return
    one = away == 1
    which = f"{plural(away, 'listed photo')} {'is' if one else 'are'} not at {'its' if one else 'their'} path"
    why = f"moved or deleted since {'it was' if one else 'they were'} indexed, or on a drive not plugged in"
    done = "left out of the paths; " if left_out else ""
    print(f"note: {which} now ({why}): {done}`{index_command(args)}` updates the library", file=sys.stderr)


def _note_likely(results: Any, likely: int, count: int) -> None:
    """On stderr, where the likely matches end among the ``count`` printed, the first ``likely`` of
    them (the honest-results walk: twenty rows, a drum kit and pliers first for "a red car", and
    nothing said which were likely)."""
    guesses = getattr(results, "unsure", ()) or getattr(results, "no_look_alike", False)  # said before
    relevant = getattr(results, "relevant", None)
    if relevant == 0 and count and not guesses:
        print(f"note: {NONE_LIKELY_NOTE}", file=sys.stderr)
    elif relevant and count and not likely and not guesses:  # left out: not at their path (audit 74)
        print(f"note: {NONE_LIKELY_NOTE}; the likely ones are left out", file=sys.stderr)
    if 0 < likely < count:
        first = "the first is a likely match" if likely == 1 else f"the first {likely} are likely matches"
        print(f"note: {first}; the rest are weaker", file=sys.stderr)
    elif 0 < count <= likely:  # said too: no note read as no verdict (the fresh-seat audit of stop 49)
        every = {1: "it is a likely match", 2: "both are likely matches"}.get(count)
        print(f"note: {every or f'all {count} are likely matches'}", file=sys.stderr)


def _json_row(match: Any, model: str | None, likely: bool) -> dict[str, Any]:
    """One result as ``--json`` prints it, with the head's words from the stored tags, and whether it
    is a likely match (``likely``) and how strongly (``strength``, 0..1 within this answer)."""
    from photoscope.api import photo_concepts

    return {
        "path": match.photo.path,
        "score": round(match.score, 4),
        "likely": likely,
        "strength": round(float(getattr(match, "strength", 0.0)), 3),
        "caption": match.photo.caption,
        "near_duplicate": match.near_duplicate,
        "taken_at": match.photo.taken_at,
        "concepts": [{"word": w, "p": p} for w, p in photo_concepts(match.photo, model)],
    }


def run_search(args: argparse.Namespace) -> int:
    from photoscope.commands.remote import remote_search, terms_of

    named = _path_given(args.text)
    if named is not None:  # a photo's path searches by that photo, as in the window
        if not os.path.lexists(named):
            print(
                f"photoscope: {safe_text(str(named))}: no such photo (give a photo's path)", file=sys.stderr
            )
            return EXIT_USAGE
        args.photo = named  # `similar` says what else it is: a folder, not a photo
        return run_similar(args)
    # A running app answers in milliseconds; asked before query_terms, which imports the API (most
    # of such a search's cost otherwise).
    terms = terms_of(args, text=args.text)
    if _no_words(args) or _empty_terms(args, terms) or _wrong_photos(terms, args):
        return EXIT_USAGE
    _note_lone_weight(args)
    answered = remote_search(args, terms)
    if answered is not None:
        return _print(answered.results, args, terms, offline_roots=answered.offline_folders)
    return _run_terms(args, query_terms(args, text=args.text))


def run_similar(args: argparse.Namespace) -> int:
    from photoscope.commands.remote import remote_search, terms_of

    terms = terms_of(args, photo=args.photo)
    if _empty_terms(args, terms) or _wrong_photos(terms, args):
        return EXIT_USAGE
    _note_lone_weight(args)
    answered = remote_search(args, terms)
    if answered is not None:
        return _print(answered.results, args, terms, offline_roots=answered.offline_folders)
    return _run_terms(args, query_terms(args, photo=args.photo))


def _path_given(text: str) -> Path | None:
    """The file a description names when it is a path or a file URL ("~/Pictures/a.jpg",
    "file:///…"); None for words (the API imported only for what looks like one)."""
    if not text.strip().lstrip("'\"").startswith(("/", "~/", "file://")):
        return None
    from photoscope.api import typed_path

    return typed_path(text)


def _no_words(args: argparse.Namespace) -> bool:
    """Say it when the query alone (no --add or --subtract terms) holds no word ("", "!!!???", only
    emoji) or none to search by ("a", "the", "two"): it said "no matching photos", as if photos had
    been looked at and none matched (or listed every photo, for "two"). Asked before the running
    app is, so the answer is the same whether one runs or not."""
    if args.terms:
        return False
    if not re.search(r"\w", args.text):
        return _say_no_words(args.text, "holds no words")
    if says_nothing(args.text):
        return _say_no_words(args.text, "holds no word to search by")
    return False


def _note_lone_weight(args: argparse.Namespace) -> None:
    """Say that ``--weight`` on a query with no other term changes nothing: it weighs the query
    against them (`search beach --weight 1e-300` ranked as weight 1, unsaid: the fresh-seat audit of
    stop 50). A weight of 0 alone is refused (``_empty_terms``)."""
    if getattr(args, "query_weight", None) is not None and not args.terms:
        print(
            "note: --weight changes nothing without --add or --subtract terms to weigh against",
            file=sys.stderr,
        )


def _empty_terms(args: argparse.Namespace, terms: Sequence[Any]) -> bool:
    """Say it when an added or taken-away text holds no words (``--add ''``: it was searched as a
    term and changed the ranking) or function words only (``--add "the a of"``: left out unsaid),
    or when every term sent (``terms``) weighs 0 (nothing asked: "no matching photos", with no
    reason; an empty query beside terms is none of them: the review of stop 44)."""
    from photoscope.wordlists import FUNCTION_WORDS

    for photo, negative, value, _ in args.terms or ():
        words = re.findall(r"[\w']+", value.lower()) if not photo else []
        said = (
            "holds no words"
            if not words
            else "holds only words like “the”"
            if set(words) <= FUNCTION_WORDS
            else ""
        )
        if not photo and said:
            option = "--subtract" if negative else "--add"
            print(
                f'photoscope: {option} "{safe_text(value)}" {said}: give one, or leave it out',
                file=sys.stderr,
            )
            return True
    if not any(t.weight for t in terms):
        print(
            "photoscope: every term weighs 0, so nothing is asked: give one a weight above 0", file=sys.stderr
        )
        return True
    return False


def _say_no_words(text: str, said: str) -> bool:
    shown = safe_text(text)
    print(
        f'photoscope: the query "{shown}" {said}: say what the photo shows ("a dog on a beach")',
        file=sys.stderr,
    )
    return True


def _wrong_photos(terms: Sequence[Any], args: argparse.Namespace) -> bool:
    """Say the first of the query's photos that is a wrong path, if any (``missing_photos``); a
    photo the library holds is none, its file there or not (the second GUI walk of stop 43: `similar`
    on a photo of an unplugged drive said "no such photo", where the window's Find similar answers
    from its stored vectors)."""
    for photo, problem in missing_photos(t.photo for t in terms):
        if not _indexed_at(photo, args):
            print(f"photoscope: {problem}", file=sys.stderr)
            return True
    return False


def _indexed_at(photo: Path, args: argparse.Namespace) -> bool:
    """Whether the library (opened only for a path that is missing: no model) has this photo."""
    from photoscope.config import default_db_path

    if os.path.lexists(photo) or not Path(args.db or default_db_path()).is_file():
        return False  # a folder, a link to nothing: wrong whatever the library holds
    from photoscope.api import Photoscope

    with Photoscope(args.db) as app:
        return app.indexes_photo_at(photo)


def _run_terms(args: argparse.Namespace, terms: Any) -> int:
    """The query with its --add/--subtract terms (one term alone: a plain search)."""
    from photoscope.api import Photoscope

    with Photoscope(args.db, args.model) as app:
        if args.folder is not None and not app.photos_below(args.folder):
            return _wrong_folder(args.folder)  # said before the network loads: seconds
        try:
            results = app.search_terms(terms, args.limit, _filters(args))
        except (OSError, ValueError) as error:
            print(f"photoscope: {_unreadable(terms, error)}", file=sys.stderr)
            return EXIT_FAILED
        code = _print(results, args, terms, app)
        return _damage_said(app) or code


def _damage_said(app: Photoscope) -> int:
    """After the answer (what it read was sound: damage it met would have stopped it), the library's
    damage elsewhere, by `status`'s check (the first pages of every table and index: milliseconds at
    any size): audit 96's notes, a search answered as if all were well where `status` said DAMAGED.
    ``EXIT_DAMAGED`` when it said some, else 0."""
    damage = app.damage_found()
    if not damage:
        return 0
    print(f"photoscope: {damaged_line(app.library_path, damage[0])}", file=sys.stderr)
    return EXIT_DAMAGED


def _unreadable(terms: Any, error: OSError | ValueError) -> str:
    """What the search's ``error`` reading a photo was, naming only the query's photo that cannot be
    read: the one the error names (``load_photo`` names it), else each is tried again (this runs
    only when the search failed)."""
    from photoscope.api import describe_error, describe_failure, load_photo

    if getattr(error, "filename", None) is not None:
        return describe_failure(error)
    said = []
    for photo in (t.photo for t in terms if isinstance(t.photo, Path)):
        try:
            load_photo(photo)
        except (OSError, ValueError) as failure:
            said.append(f"{photo}: {describe_error(failure)}")
    return "; ".join(said) or f"the query: {describe_error(error)}"
