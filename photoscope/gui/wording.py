"""What the main window says, in words: counts, results, unknown words, a repair's report. Plain text,
no Qt."""

from __future__ import annotations

import html
import itertools
import os
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.wording import (
    NONE_LIKELY_NOTE,
    READ_ONLY_LIBRARY,
    by_name_note,
    cancelled_note,
    named_away_note,
    next_to_nothing_note,
    no_look_alike_note,
    not_searched_note,
    or_list,
    pattern_names_files,
    repeated_note,
    safe_text,
    searched_by_note,
    still_left_out_note,
    taken_away_note,
    undated_note,
    unknown_word_notes,
    unseen_note,
    weightless_note,
)
from photoscope.wording import plural as plural  # the GUI's modules count through here
from photoscope.wordlists import fold

if TYPE_CHECKING:
    from photoscope.api import DoctorReport, Filters, Folder, Results, UnknownWord, Upgrade, WhyNothing


# The grid shows the first answer to a query while the network loads: the text encoder's (the result
# label adds REFINING until the network's ranking replaces it), or the caption index's.
REFINING = "refining…"
CAPTIONS_WHILE_LOADING = "in captions (the model is loading)"
NOTHING_TO_GO_BACK_TO = (
    "Nothing to go back to: Back returns from Find similar to the search before it, and to a search"
    " left for all photos (Ctrl+Home shows all photos)."
)


def back_action_text(back: str | None, similar: bool = False) -> str:
    """The View menu's Back, saying where it goes: to ``back`` (a query as the status bar quotes
    it: “beach”), or from a Find ``similar`` started in the timeline to all photos."""
    if back is None:
        return "&Back to all photos" if similar else "&Back (after Find similar)"
    shown = back if len(back) <= 42 else back[:41] + "…"
    return f"&Back to {shown.replace('&', '&&')}"


def indexing_stopped_message(error: object) -> str:
    """What the index status says when a background indexing run could not finish: why, and what to
    do. The photos it had not reached stay waiting; the worker runs again when a folder changes."""
    from photoscope.api import LibraryDamaged, LibraryError, ResourceMissing

    if isinstance(error, LibraryDamaged):  # the window's own repair, not the command line's
        return f"Indexing stopped: the library is damaged. {REPAIR_IN_MENU}"
    if isinstance(error, ResourceMissing | LibraryError):
        return f"Indexing stopped: {error}"  # these say what to do (reinstall; doctor --repair; …)
    return (
        f"Indexing stopped: {error}. It tries again when a folder changes, or when Photoscope "
        "is opened again."
    )


RULE_BACK = "Remove the rule to bring them back."


def weight_refused(maximum: float, kept: float) -> str:
    """A chip's weight box refused what was typed (over its ``maximum``, or no number): the weights it
    takes, and the one it ``kept`` (250 typed stayed 25x without a word: the fresh-seat audit)."""
    times = "\N{MULTIPLICATION SIGN}"
    return f"Weights go from 0 to {maximum:g}{times}: this one stays {kept:g}{times}."


def left_out_by_file(name: str) -> tuple[str, str]:
    """A folder the ignore file ``name`` in it leaves out, in the library dialog: its status, and its
    tooltip (the file decides, not a rule: Remove cannot bring its photos back, deleting it does)."""
    return (
        f"left out by its {name} file",
        f"The {name} file in this folder leaves its photos out of the index: delete that file"
        " to bring them back.",
    )


def below(folder: str, path: str) -> str:
    """A path the library dialog lists under its watched ``folder``, as its row names it: the part
    below the folder ("Phone/Screenshots", as a pattern rule reads). The full path, which the rows
    showed, was cut at the dialog's size where it differs from the row above: its end (audit 80)."""
    relative = os.path.relpath(path, folder)
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
    return path if outside else relative.replace(os.sep, "/")


def rule_tip(folder: str, kind: str, pattern: str) -> str:
    """An exclusion rule's tooltip in the library dialog: its full path (its row shows the part
    below ``folder``), or for a pattern the folder whose files it matches (at any depth, so no path)."""
    if kind == "pattern":
        matched = f"the files in {safe_text(folder)} matching {safe_text(pattern)}"
        return f"Excluded: {matched} (Remove includes them again)"
    return f"Excluded: {safe_text(os.path.join(folder, pattern))} (Remove includes it again)"


FORGET_QUESTION = (
    "Forget the captions and vectors kept of the photos this rule leaves out? Nothing of them stays in"
    " the library; if the rule is removed, they are indexed again."
)


def forgot_note(forgotten: int) -> str:
    """What Forget on a rule did (``ExclusionButtons._forget_chosen``)."""
    return (
        f"Forgot the captions and vectors kept of {plural(forgotten, 'photo')} this rule leaves out:"
        " nothing of them is kept; removing the rule indexes them again."
    )


def exclusion_question(taken: int, of: int) -> str:
    """Asked before a rule takes most of its folders' photos out of the index."""
    share = "all" if taken == of else f"{taken:,} of the {of:,}"
    return (
        f"This rule takes {share} photos of its folder out of the index. Their captions and vectors"
        " stay in the library for a month, so removing the rule within it brings them back at once;"
        " after that they are indexed again (the rule's Forget its photos keeps nothing of them)."
        " Exclude them?"
    )


def upgraded_note(upgrade: Upgrade) -> str:
    """The status line's word on a library an older Photoscope wrote, upgraded as it opened: the
    command line's sentence holds both paths, too long for the line (its file name is enough)."""
    kept = (
        f"older versions open the copy kept beside it, {upgrade.kept.name}"
        if upgrade.kept is not None
        else "no copy for older versions could be kept (too little disk space)"
    )
    return f"The library was upgraded for this Photoscope: {kept}."


def rules_followed_note(followed: Sequence[tuple[str, str]]) -> str:
    """The status line's: excluded folders or photos moved, their rules with them (the audit of the
    rules' renames: the library dialog went on listing the old names)."""
    old, new = followed[0]
    more = f" (and {plural(len(followed) - 1, 'other')})" if len(followed) > 1 else ""
    return f"{safe_text(old)} is {safe_text(new)} now{more}: it stays left out of the library."


MAP_PHOTO_GONE = (
    "That photo is no longer in the library (its folder was removed, or it was deleted since the map"
    " was drawn): Refresh draws the map again."
)


def not_one_word(word: str, to_do: str) -> str | None:
    """What a word box asks of a typed ``word`` (stripped) that is no word: one (``to_do``: what
    a word there does), or one at a time; None for one word. The Words panel's box and the word
    map's both ask so (audit 75: the map's said "does not know the word ''")."""
    if not word:
        return f"Type a word to {to_do}."
    return one_word_at_a_time(word) if len(word.split()) > 1 else None


def one_word_at_a_time(text: str) -> str:
    """The Words panel reads one word in each box (the GUI audit of stop 60: "red car" was said to be
    a word the network does not know)."""
    first = text.split()[0]
    return f"“{text}” is more than one word: the panel looks at one word at a time (“{first}”, say)."


def leaves_out_nothing(pattern: str | None) -> str:
    """A rule added that leaves out no photo now: a subfolder without photos, or a pattern that
    names no file (``pattern_names_files``: the command line says it too)."""
    if pattern is None:
        return "The subfolder holds no photo now: the rule leaves out those put there later."
    return f"The pattern “{pattern}” leaves out no photo now: {pattern_names_files(pattern, '“', '”')}."


def change_note(result: object, back: str = RULE_BACK) -> str:
    """What a change in the Library dialog did to the index (a rule set or dropped, hidden folders
    turned on or off: a scan's report; a folder removed: how many photos left); ``back``: how the
    photos a report took out come back."""
    removed = getattr(result, "removed", None)
    added = getattr(result, "added", None)
    if isinstance(result, int) and not isinstance(result, bool):
        return f"{plural(result, 'photo')} left the index." if result else ""
    if removed:
        return f"{plural(len(removed), 'photo')} left the index. {back}"
    return _came_back(added or [], getattr(result, "restored", 0)) + _kept_out(
        bool(added),
        getattr(result, "still_left_out", 0),
        getattr(result, "still_left_out_by_ignore_files", 0),
    )


def _came_back(added: list[int], restored: int) -> str:
    if not added:
        return ""
    if not restored:
        waits = "it waits" if len(added) == 1 else "they wait"
        return f"{plural(len(added), 'photo')} joined the index: {waits} to be indexed."
    again = len(added) - restored
    waiting = f" ({again:,} {'waits' if again == 1 else 'wait'} to be indexed again)" if again else ""
    return f"{plural(len(added), 'photo')} came back into the index{waiting}."


def _kept_out(some_back: bool, left: int, by_ignore_files: int) -> str:
    """A dropped rule's photos another rule or an ignore file still leaves out (the Library dialog
    said nothing when none came back for that: the fresh-seat audit of stop 51)."""
    said = still_left_out_note(left, some_back, by_ignore_files)
    if not said:
        return ""
    return f" {said[:1].upper()}{said[1:]}." if some_back else f"No photo came back: {said} (listed here)."


def folder_added_note(folder: Folder) -> str:
    """What adding a folder did, when the library found in it a watched folder moved there, or
    watched folders below it that are part of it now."""
    taken_in = " ".join(f"{child}, watched until now, is part of it." for child in folder.absorbed)
    if folder.moved_from is None:
        return taken_in
    moved = (
        f"{folder.moved_from} moved to {folder.path}: {plural(folder.photos, 'photo')} kept"
        " their place in the index, nothing is indexed again."
    )
    return f"{moved} {taken_in}".strip()


def folder_arrived_note(old: str, place: str) -> str:
    """What a scan did when a watched folder came in whole to another (``ScanReport.arrived``)."""
    return f"{old} moved into {place}: its photos kept their place in the index, nothing is indexed again."


OFFLINE_WAY_OUT = (
    "Moved, or mounted somewhere else? Add the folder at its new place: its photos follow (into"
    " another watched folder, they follow by themselves)."
)


def sentence(words: str) -> str:
    """What the command line says in lower case, as the window's sentence: capital and full stop."""
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")


def unexpected_error_message(error: BaseException) -> str:
    """What the window says of an error no code path expected (a bug), with a way on."""
    return (
        f"Photoscope met an error it did not expect ({type(error).__name__}: {error}).\n\n"
        "It keeps running; what you were doing may not have finished. If this happens again, "
        "start Photoscope from a terminal with `photoscope gui --debug` and report what it prints."
    )


def describe_repair(report: DoctorReport) -> str:
    """What ``doctor --repair`` found and did, in the words the CLI prints."""
    lines = report.lines()
    if report.moved_aside is not None and not any(str(report.moved_aside) in line for line in lines):
        lines.append(f"The damaged file was kept as {report.moved_aside}.")
    if report.backup_unwritten:  # as the command line says them: no damage, but not all is well
        lines.append(f"Its backup cannot be written ({report.backup_unwritten}): {report.backup_file}.")
    if report.vectors_blocked is not None:
        lines.append(
            f"A folder stands where the search's vectors file goes: move it away ({report.vectors_blocked});"
            " each search reads the library meanwhile, slower."
        )
    verdict = "The library is in order." if report.ok else "Some problems could not be repaired."
    return "\n".join([verdict, *lines])


Link = Callable[[int, str], str]  # a suggestion's number (``corrections``) and its text -> as shown


def _once(unknown: list[UnknownWord]) -> list[UnknownWord]:
    """Each unknown word once ("dgo or dgo" said it twice)."""
    return list({u.word: u for u in unknown}.values())


def unknown_words_message(unknown: list[UnknownWord], link: Link | None = None) -> str:
    """What the model does not know and what it offers instead; with ``link``, as HTML (the words
    escaped), each suggestion as ``link`` shows it."""
    shown: Callable[[str], str] = html.escape if link is not None else str
    numbers = itertools.count()  # each suggestion's place among ``corrections``

    def quote(word: str) -> str:
        return f"“{shown(word)}”"

    def offer(word: str) -> str:
        return link(next(numbers), quote(word)) if link is not None else quote(word)

    # Sentences, not "; ": a suggestion's "?" ran into the next note ("circle”?; the model…").
    notes = [n[:1].upper() + n[1:] for n in unknown_word_notes(unknown, quote, offer)]
    ended = [n if n.endswith("?") else f"{n}." for n in notes[:-1]]  # the last: the caller ends it
    return " ".join([*ended, *notes[-1:]])


def corrections(unknown: list[UnknownWord]) -> list[tuple[str, str]]:
    """(word typed, word suggested) for each suggestion ``unknown_words_message`` offers, in order:
    the window makes each a link that searches with the word put right."""
    return [(u.word, s) for u in _once(unknown) if not u.searched_as for s in u.suggestions]


def correctable(found: list[tuple[str, str]], text: str) -> set[int]:
    """Which of the suggestions ``found`` (``corrections``) can put a word of ``text`` right: the
    typed word is in it (an older query's is not)."""
    return {at for at, (typed, _) in enumerate(found) if corrected(text, typed, "") is not None}


def taken_date(taken_at: str, with_time: bool = False) -> str:
    """A date taken (ISO) as people write it ("3 June 2021", with the time "3 June 2021, 12:30")."""
    try:
        return datetime.fromisoformat(taken_at).strftime("%-d %B %Y, %H:%M" if with_time else "%-d %B %Y")
    except ValueError:
        return taken_at


def file_date(mtime: float) -> str:
    """A file's date as people write it ("10 November 2024"): an undated photo is filed under it."""
    return datetime.fromtimestamp(mtime).strftime("%-d %B %Y")


def taken_field(taken_at: str | None, mtime: float | None = None) -> str:
    """The photo view's "Taken": the date taken; without one, the file's date, which the timeline
    files the photo under."""
    if taken_at:
        return taken_date(taken_at, with_time=True)
    return "unknown" if mtime is None else f"unknown (the file is dated {file_date(mtime)})"


def filed_under(taken_at: str | None, mtime: float) -> str:
    """The date a timeline tile's tooltip gives: the one the timeline files the photo under (the
    GUI audit: sorted by date, the tooltip said none)."""
    return f"taken {taken_date(taken_at)}" if taken_at else f"file dated {file_date(mtime)}"


def corrected(text: str, typed: str, suggested: str) -> str | None:
    """``text`` with the word the network read as ``typed`` (folded, without digits: "circël",
    "circel2") replaced by ``suggested``; None when no word of ``text`` reads so."""
    for found in re.finditer(r"[^\W\d_]+", text):
        if fold(found.group()) == typed:
            return text[: found.start()] + suggested + text[found.end() :]
    return None


def results_count(results: Results) -> str:
    """What the grid holds: “12 likely matches” while weaker ones wait behind, “2 likely matches”
    when all are (the CLI's "both are likely matches": “2 photos” said less, audit 78), else “40
    photos”; “3 closest guesses” when no photo clearly shows what was asked (``Results.unsure``),
    none looks like the photo asked about (``Results.no_look_alike``), or none is likely (the
    fresh-seat audit of stop 53: “317 photos for “a cat”” read as 317 matches)."""
    counted = _counted_first(results)
    if results.guesses:  # no photo clearly shows what was asked: none is "likely"
        return plural(counted, "closest guess", "closest guesses")
    if results.relevant > 0:
        return plural(counted, "likely match", "likely matches")
    return plural(counted, "photo")


def results_count_tip(results: Results) -> str:
    """What ``results_count``'s words mean, for its tooltip (audit 90's notes: a newcomer needed the
    README for "likely matches" and "closest guesses")."""
    count = results_count(results)
    if results.guesses:
        return (
            f"{count}: Photoscope cannot clearly see what you asked in any photo; these are the"
            " nearest it found, best first."
        )
    if results.relevant > 0:
        weaker = " Weaker matches wait under “Show more”." if results.relevant < len(results.matches) else ""
        which = (
            "photos Photoscope is fairly sure show"
            if results.relevant > 1
            else "a photo Photoscope is fairly sure shows"
        )
        return f"{count}: {which} what you asked, best first.{weaker}"
    return f"{count}: what Photoscope found, best first."


def _counted_first(results: Results) -> int:
    """How many photos ``results_count`` names: the likely ones while weaker ones wait behind, else
    all listed."""
    count, likely = len(results.matches), results.relevant
    return likely if 0 < likely < count else count


def photo_words_message(photo_words: tuple[tuple[str, ...], ...]) -> str:
    """What a combined query's photos were searched as: “The photo counts as what it shows: dog,
    grass.”, with several photos each by its place among the photo chips (“the second: dog”);
    empty when none counted by its words."""
    shown = [(at, ", ".join(words)) for at, words in enumerate(photo_words) if words]
    if not shown:
        return ""
    if len(photo_words) == 1:
        return f"The photo counts as what it shows: {shown[0][1]}."
    each = "; ".join(f"{_place(at)}: {words}" for at, words in shown)  # not "the first, brown, ocean"
    return f"The photos count as what they show — {each}."


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _unlike_chips(unlike: tuple[bool, ...]) -> list[str]:
    """The photo chips no photo looks like, by their places, in one phrase ("the first, third or
    fourth photo": each "or like the … photo" made a line of them, the GUI audit of stop 58); none
    named when the query has one photo ("this one")."""
    places = [at for at, alone in enumerate(unlike) if alone] if len(unlike) > 1 else []
    if not places:
        return []
    if places[-1] >= len(_ORDINALS):  # past the tenth: each by its own place
        return [f"{_place(at)} photo" for at in places]
    return [f"the {or_list([_ORDINALS[at] for at in places])} photo"]


def _place(at: int) -> str:
    """A photo chip's place in words ("the second"), counting from 0."""
    return f"the {_ORDINALS[at]}" if at < len(_ORDINALS) else f"photo {at + 1}"


def results_message(results: Results, link: Link | None = None) -> str:
    """The search bar's note on results: the words the model does not know, those no photo clearly
    shows (the closest guesses), what a combined query's photos were searched as, and with a date
    filter how many photos were placed by their file's date (no date taken). With ``link``: as
    HTML, the spelling suggestions shown by it (``unknown_words_message``)."""
    notes = [photo_words_message(results.photo_words)]
    if results.taken_away:
        said = taken_away_note(results.taken_away, "“", "”")
        notes.append(f"{said[:1].upper()}{said[1:]}.")
    if results.cancelled:
        notes.append(f"{cancelled_note(results.cancelled, '“', '”')}.")
    if results.repeated:
        notes.append(f"{repeated_note(results.repeated, '“', '”')}.")
    if results.weightless:
        notes.append(f"{weightless_note(results.weightless)}.")
    if results.next_to_nothing:
        notes.append(f"{next_to_nothing_note(results.next_to_nothing)}.")
    notes.extend(_guesses_notes(results))
    if results.searched_by and results.matches:
        notes.append(f"{searched_by_note([Path(p).name for p in results.searched_by])}.")
    # "it" or "all 3" of what the count names ("1 likely match"), when the named are all of those:
    # "the first" of one read oddly (audit 78). Of those alone: more named wait behind Show more
    # ("All 3 are listed by …" under one tile: audit 85's notes)
    counted = _counted_first(results)
    named = by_name_note(min(results.by_name, counted), counted) if counted else by_name_note(results.by_name)
    if named:
        notes.append(f"{named[:1].upper()}{named[1:]}.")
    if results.undated:
        notes.append(f"{undated_note(results.undated)}.")
    named_away = named_away_note(results.left_out_by_name)
    if named_away:
        notes.append(f"{named_away[:1].upper()}{named_away[1:]}.")
    if link is not None:
        notes = [html.escape(n, quote=False) for n in notes]
    notes = [n for n in notes if n]
    unknown = unknown_words_message(results.unknown_words, link)
    if unknown and not unknown.endswith((".", "?", "!")):  # a sentence of its own, as every note
        unknown += "."
    return " ".join(m for m in [unknown, *notes] if m)


def answer_said(results: Results, described: str, empty: tuple[str, str] | None, first: bool = False) -> str:
    """What a screen reader is told of an answer, whose words otherwise go where the focus is not
    (the status bar, the page, the note under the search box): how many it found for ``described``,
    or why nothing (``empty``: the page's title and text), and the note (unknown words, guesses).
    ``first``: the text encoder's first answer, "Refining…" as the status line says it (said as
    final, it gave no hint of the answer to come: audit 83's notes)."""
    if results.matches or empty is None:
        said = f"{results_count(results)} for {described}."
    else:
        title, text = empty
        said = " ".join(t if t.endswith((".", "?", "!")) else f"{t}." for t in (title, text) if t)
    refining = REFINING.capitalize() if first and results.matches else ""
    return " ".join(t for t in (said, results_message(results), refining) if t)


def _guesses_notes(results: Results) -> list[str]:
    """Why the matches are guesses, if they are (a concept no photo clearly shows, no photo like the
    one searched by, none likely), and the photos not searched yet, in the command line's words:
    "any photo" is then any photo indexed so far (audit 81)."""
    notes, so_far = [], results.waiting > 0
    if results.unsure:
        guesses = ": these are its closest guesses" if results.matches else ""
        notes.append(f"{unseen_note(results.unsure, '“', '”', so_far)}{guesses}.")
    elif results.no_look_alike and results.matches:
        copies = any(m.near_duplicate for m in results.matches)  # the listed copies of its photos
        notes.append(f"{no_look_alike_note(_unlike_chips(results.photo_unlike), copies, so_far)}.")
    elif results.none_likely:
        notes.append(f"{NONE_LIKELY_NOTE[:1].upper()}{NONE_LIKELY_NOTE[1:]}.")
    if so_far:
        notes.append(f"{not_searched_note(results.waiting)}.")
    return notes


def not_done_message(verb: str, path: str, handler: str = "application") -> str:
    """Why the desktop did not ``verb`` ("open", "show") a photo: its file is gone, else no
    ``handler`` (an application, a file manager) took it."""
    if not os.path.lexists(path):
        return f"Could not {verb} {path}: the file is missing (deleted, moved, or its drive unplugged)"
    return f"Could not {verb} {path}: no {handler} handles it"


def listing_label(count: int, filters: Filters | None, sorted_as: str) -> str:
    """The library view's label: "2 photos in Trip, newest first"."""
    return f"{plural(count, 'photo')}{narrowed_to(filters)}, {sorted_as}"


def narrowed_to(filters: Filters | None) -> str:
    """What a listing is narrowed to, after its count: " in Trip", " taken 2024-06-01 to
    2024-08-31", " in Trip taken from 2024-06-01"; "" for none."""
    if filters is None:
        return ""
    folder = filters.folder
    where = f" in {os.path.basename(str(folder).rstrip('/'))}" if isinstance(folder, str | Path) else ""
    first, last = filters.days
    if first is not None and last is not None:
        return f"{where} taken {first.isoformat()} to {last.isoformat()}"
    if first is not None:
        return f"{where} taken from {first.isoformat()}"
    if last is not None:
        return f"{where} taken to {last.isoformat()}"
    return where


def empty_library(holds_none: bool) -> tuple[str, str]:
    """The page shown for no query while the library has no photo: its folders being indexed, or
    looked at and holding none (a folder of documents added: it said "show up as they are indexed"
    for good)."""
    if holds_none:
        return "No photos yet", "Your folders hold no photos yet: add a folder that has some (Library…)."
    detail = "Photos show up here as they are indexed. Describe what you are looking for, or drop a photo."
    return "Your library is empty so far", detail


# Over the welcome page's buttons when a query is asked before any folder is added.
SEARCH_NEEDS_PHOTOS = "Searching needs photos first: add the folder that holds them."


def nothing_found(why: WhyNothing, waiting: bool = False) -> tuple[str, str]:
    """The empty grid's title and what to do next for the reason ``api.why_nothing`` gives (the
    command line's too); ``waiting``: more photos are to be indexed, and may match."""
    from photoscope.api import WhyNothing as Why

    if waiting and why in (Why.FILTERED, Why.UNSEEN, Why.NO_MATCH):
        why = Why.WAITING
    indexed_later = ("Nothing found yet", "Photos show up here as they are indexed.")
    said = {
        Why.CANCELLED: ("Nothing left to search for", "What is added is taken away too: the two cancel out."),
        Why.WEIGHTLESS: ("Nothing to search for", "Every term weighs 0: give one a weight above 0."),
        Why.UNKNOWN_WORDS: ("No photos found", "Photoscope knows none of the words that say what to find."),
        Why.NO_WORDS: (
            "Nothing to search for",
            "This query says nothing a photo shows: describe what it shows (“two dogs on a beach”).",
        ),
        Why.NO_FOLDERS: ("No folders yet", "Add a folder of photos to search it."),
        Why.NO_PHOTOS: ("No photos yet", "Your folders hold no photos yet: add a folder that has some."),
        Why.WAITING: indexed_later,
        Why.WAITING_OFFLINE: (
            "Nothing to search yet",
            "Your photos wait to be indexed, and their folder is offline: plug its drive in, or add its"
            " new place (File > Library…).",
        ),
        Why.OTHER_MODEL: (
            "Your photos wait to be described again",
            "Photoscope's network has changed since they were indexed: “Describe them now” makes them"
            " searchable.",
        ),
        Why.NONE_INDEXED: (
            "No photo could be indexed",
            "Photoscope could not read the photos in your folders: “Which?” in the status bar says why.",
        ),
        Why.FILTERED: ("No photos match these filters", "Try another folder or date range."),
        Why.NUMBERS: (
            "No photos found",
            "No file or folder name holds it, and Photoscope sees no numbers in photos. For the photos"
            " taken in a year, tick “Taken from” and set the dates.",
        ),
        Why.NAMED_AWAY: (
            "No photos left",
            "The photos whose folder or file names say what is taken away are left out,"
            " and no other matches.",
        ),
    }
    return said.get(why, ("No photos found", "Try describing it in other words."))


NO_PHOTO_PASTED = (
    "The clipboard holds no photo: copy a photo, or a photo's file in the file manager, then paste."
)


def no_photo_at(
    path: str, folder: bool = False, other_file: bool = False, watched: bool | None = None
) -> str:
    """A path typed or pasted in the search box that names no photo file (``folder``: a folder, in
    the folder filter unless ``watched`` says whether it is inside a watched folder; ``other_file``:
    a file there that is no photo, which "check the path" sent the user to look at again: the GUI
    audit of stop 60)."""
    if folder and watched is False:
        return (
            f"{path} is a folder Photoscope does not watch: add it (File > Add folder…) to search its photos."
        )
    if folder and watched:
        return f"{path} holds no photo of the library: choose a folder in the folder filter to search it."
    if folder:
        return f"{path} is a folder: choose it in the folder filter to search its photos."
    if other_file:
        return f"{path} is not a photo Photoscope can read: choose a photo (JPEG, PNG, WebP, HEIC…)."
    return f"There is no photo at {path}: check the path."


def cannot_search_by(name: str, why: str) -> str:
    """A photo given to search by (typed, pasted, dropped, chosen) that cannot be read."""
    return f"{name} cannot be searched by: {why}."


def left_grid_note(grid: str, path: str, file_gone: bool, file_bad: bool = False) -> str:
    """Under a photo that left the grid on show (``grid``: "the results", "the library"); ``file_bad``:
    its file is there but cannot be read (it left the grid for that)."""
    if file_gone:
        return f"Its file was deleted or moved: {safe_text(path)}"  # as when it cannot be read
    if file_bad:
        return (
            f"Its file cannot be read now (damaged, or not a photo any more): {safe_text(path)}. The"
            " library keeps it with the photos that could not be read (`photoscope status` counts them)."
        )
    return (
        f"This photo is no longer in {grid}. Open, Show in folder and Copy path still act on its file;"
        " Previous and Next go on from where it was."
    )


def file_action_tip(action: str, key: str, file_there: bool, folder_there: bool) -> str:
    """The tooltip of the photo view's Open or Show in folder (``action``, its button's text): its
    key, or why it is not offered now (its file, or for Show in folder its folder, is not there)."""
    if action == "Open" and not file_there:
        return f"{action}: the file is not at its path now (deleted, moved or its drive unplugged)"
    if action != "Open" and not folder_there:
        return f"{action}: its folder is not there now (its drive unplugged, or moved or deleted)"
    return f"{action} ({key})"


EMPTY_MAP = (  # audit 97's notes: an empty map offered Recompute and said nothing of what would fill it
    "No photos are indexed yet. Add a folder with File > Library… (Ctrl+L); once its photos are"
    " indexed, Recompute lays them out."
)


def folder_indexing_note(path: str, done: bool) -> str:
    """The library dialog's note on a folder just added: its photos being indexed, or indexed."""
    return f"Watching {path}: its photos are {'indexed' if done else 'being indexed'}."


def folder_offline_note(path: str) -> str:
    """The library dialog's note on a folder it named, gone offline since."""
    return f"{path} is offline (not mounted, or missing): its photos stay in the index. {OFFLINE_WAY_OUT}"


OPEN_FAILED = "The library could not be opened"


DAMAGED_WHILE_OPEN = "The library is damaged"  # found once open, by a task that read it
REPAIR_ACTION = "Check and &repair the library…"
REPAIR_AGAIN = "choose File > Check and repair the library"  # refused while another Photoscope has it
REPAIR_IN_MENU = (
    "Check and repair it: File > Check and repair the library (folders, captions and ids are kept)."
)


def search_failed_page(error: BaseException) -> tuple[str, str]:
    """The page's title and text (plain) for a search that failed: a model that could not be loaded
    with the way out (``model_failed_text``), a damaged library said as such, with the window's way
    to repair it (the fresh-seat audit of stop 56: "The search failed: cannot
    read this photo (LibraryDamaged: … run `photoscope doctor --repair`)")."""
    from photoscope.api import LibraryDamaged, LibraryError, describe_failure

    if isinstance(error, LibraryDamaged):
        return DAMAGED_WHILE_OPEN, f"{error.what}. {REPAIR_IN_MENU}"
    model = model_failed_text(error)  # not "cannot read this photo" (stop 58)
    if model is not None:
        return MODEL_FAILED, model
    if isinstance(error, LibraryError):
        return "The search failed", str(error)
    return "The search failed", describe_failure(error)


def open_failed_message(error: object) -> str:
    return f"{OPEN_FAILED}:\n\n{error}"


def repair_failed_message(error: object) -> str:
    return f"The library could not be repaired:\n\n{error}"


def unavailable_page_text(error: str) -> str:
    """The window's page for a library that cannot be opened (rich text): why, and the way out."""
    return f"{html.escape(error)}<br><br>To use another library: photoscope gui --db FILE"


WEAKER_MATCHES = "Weaker matches"  # the header between a query's likely matches and the rest, shown all


def remove_folder_question(path: str, photos: int) -> str:
    """Asked before a watched folder goes, with the photos it holds in the index (as the CLI's
    `folders remove` asks: their captions and vectors go; added back, they are indexed again)."""
    if not photos:
        return f"Stop watching {path}?\n\nIt holds no indexed photo; the files themselves are not touched."
    leave, their, they = ("leaves", "its", "it is") if photos == 1 else ("leave", "their", "they are")
    return (
        f"Stop watching {path}?\n\nIts {plural(photos, 'photo')} {leave} the index with {their} captions;"
        f" the files themselves are not touched. Added back, {they} indexed again."
    )


def trash_question(what: str, count: int, whole_copy_groups: int) -> str:
    """Asked before ``count`` photos go to the trash; ``whole_copy_groups``: how many groups of
    copies the selection takes whole (no copy of those photos is left)."""
    leave = (
        "It leaves the library; the trash can give it back."
        if count == 1
        else "They leave the library; the trash can give them back."
    )
    if whole_copy_groups == 1:
        leave = f"These are all the copies of one photo: none is left in the library. {leave}"
    elif whole_copy_groups > 1:
        leave = (
            f"These are all the copies of {whole_copy_groups:,} photos: none of them is left in the"
            f" library. {leave}"
        )
    return f"Move {what} to the trash?\n\n{leave}"


def library_error_message(error: BaseException) -> str:
    """What the library dialog says of a change it could not make, in its own terms."""
    from photoscope.api import RuleOnWatchedFolder

    if isinstance(error, RuleOnWatchedFolder):
        return (
            f"{error.folder} is a watched folder itself: a rule leaves out a subfolder or a pattern"
            " below it. To drop all its photos from the library, choose it and press Remove."
        )
    return str(error)


def frames_note(count: int) -> str:
    """What the photo map's frames are: the main window's search results ("" for none)."""
    if not count:
        return ""
    return f"Framed: the {plural(count, 'photo')} of the search in the main window"


NOT_CHANGEABLE = (
    "This library is read-only: its photos are searched as they are, but none can leave it (nothing"
    " was moved to the trash)"
)


READ_ONLY_NOTE = f"Read-only library: {READ_ONLY_LIBRARY}."  # the status line's tooltip, the library dialog
NO_FOLDERS_YET = "No folders yet"  # the status line of a library that watches no folder
# The network's files could not be loaded (a --model folder with no model, a broken install).
MODEL_NOT_LOADED = "not indexing: the model could not be loaded"
MODEL_FAILED = "The model could not be loaded"


def model_failed_text(error: BaseException) -> str | None:
    """The page's words for a network that could not be loaded (its files missing or damaged), with
    the ways out (the GUI audit of stop 58: "No photos yet" over a folder of 12, the error on the
    terminal alone); None for any other failure."""
    from photoscope.api import BundleError, ResourceMissing

    if not isinstance(error, BundleError | ResourceMissing):
        return None
    return (
        f"{error}. Without it Photoscope can neither index nor search your photos. Start it without"
        " --model to use the model it ships with, or with --model naming a model folder (one holding"
        " bundle.json); if it is the one it ships with, reinstall Photoscope"
        " (pip install --force-reinstall photoscope)."
    )
