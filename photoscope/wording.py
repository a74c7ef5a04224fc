"""What the window and the command line both say, in the same words: counts ("1 photo", "1,204
photos"), percentages, what the encoder's head sees, the notes beside search results and the words
the model does not know. Plain Python in a leaf module (the command line's quick search reads it
without NumPy, PyTorch or the API); the window's own sentences are ``gui.wording``'s."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# A library on a disk, in a folder or in a file this user cannot write (a backup drive, a share mounted
# read-only, a chmod 444).
READ_ONLY_LIBRARY = (
    "its photos are searched as they are, but indexing and changes need write access to its folder and file"
    " and free space on its disk"
)

# The same, where the disk is full: freeing space is all it takes.
FULL_DISK_LIBRARY = "the disk holding it is full: free space on it, and indexing and changes can go on"


# Characters a file name may hold that would break one-path-a-line output or spoof what is shown:
# C0/C1 controls (newline, escape...) and the Unicode bidi controls (an RTL override flips the text).
_UNSAFE = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]} | {
    c: f"\\u{c:04x}" for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}


# A backslash that would read as one of those escapes (or as an escaped backslash): a name holding
# the text "\x09" printed as one holding a tab (the audit of stop 45).
_READS_AS_ESCAPE = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|\\)")


def safe_text(text: str) -> str:
    """``text`` with control and bidi characters escaped (``\\x0a``, ``\\u202e``), for a terminal;
    its backslashes doubled then, and where one would read as such an escape. A name's bytes that
    are not UTF-8 (Python's lone surrogates) are shown as ``\\xff``, as ``display_path`` shows them
    (printed as they were, they read "\\udcff", or failed where the output is strict UTF-8)."""
    if any(ord(c) in _UNSAFE for c in text) or _READS_AS_ESCAPE.search(text):
        text = text.replace("\\", "\\\\")
    return _NOT_UTF8.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text.translate(_UNSAFE))


def safe_stored(text: str) -> str:
    """A path the library stored as it shows it (``\\xff`` for a byte that is not UTF-8:
    ``library.fs.display_path``) with its control and bidi characters escaped as ``safe_text``
    escapes them, its backslashes left as they are (they are the stored escapes)."""
    return text.translate(_UNSAFE)


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # os.fsdecode's stand-ins for the bytes it cannot decode


def plural(count: int, word: str, words: str | None = None) -> str:
    """ "1 photo", "1,204 photos"; ``words`` for a plural that is not ``word`` + "s"."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def refused_way_out(path: str, blocked: str | None = None) -> str:
    """What to do about a watched folder there that this user may not read now (a permission taken
    away), which is not offline (the CLI audit of stop 55: "unplugged? plug it in"). ``blocked``:
    the folder that keeps the user out (``Folder.refused_at``), when it is one above ``path``."""
    then = "its photos are updated at the next scan"
    if blocked is not None and blocked != path:
        chmod = f"chmod u+rx {shlex.quote(blocked)}"
        return f"give the permission back to {blocked}, a folder above it ({chmod}): {then}"
    return f"give the permission back (chmod u+rx {shlex.quote(path)}): {then}"


def unreadable_aside(count: int) -> str:
    """What follows a folder's count of readable photos: " (2 could not be read)", or nothing; the
    words of the status line's "203 indexed · 2 could not be read", which a count with them in
    contradicted (the GUI walk of stop 47: 205 in the library dialog)."""
    return f" ({count:,} could not be read)" if count else ""


def kept_note(count: int) -> str:
    """That ``count`` of a folder's photos are kept as moved away (its directory renamed away and
    another made at its place): "6 kept from the folder that was here before: moved or renamed?";
    "" for none. The window's library dialog and `photoscope status` say it alike."""
    return f"{count:,} kept from the folder that was here before: moved or renamed?" if count else ""


def kept_aside(count: int) -> str:
    """``kept_note`` after a folder's count of photos: " (6 kept …)", or nothing."""
    return f" ({kept_note(count)})" if count else ""


def percent(share: float) -> str:
    """ "91 %": a share from 0 to 1, rounded, with the space the app writes everywhere."""
    return f"{round(share * 100)} %"


def concepts_in_words(concepts: Iterable[tuple[str, float]]) -> str:
    """What the encoder's ImageNet head sees, in words with its probabilities: "cat (91 %), Egyptian
    cat (62 %)"; "" for none."""
    return ", ".join(f"{word} ({percent(p)})" for word, p in concepts)


def pattern_names_files(pattern: str, open_quote: str = "'", close_quote: str = "'") -> str:
    """Why a pattern rule leaves out no photo, where it was likely meant for a folder: a pattern
    matches the names of files, and a folder's photos are "NAME/*" ("Trip" and "Trip/" named none:
    the GUI audit of stop 60, and audit 80 for the command line, which said "0 photos left" alone)."""
    name = pattern.rstrip("/")
    meant = name if name and not any(c in name for c in "*?[/") else None
    hint = f" ({open_quote}{meant}/*{close_quote} leaves out the photos of a folder {meant})" if meant else ""
    return f"a pattern matches the names of files{hint}"


def still_left_out_note(left: int, some_back: bool, by_ignore_files: int = 0) -> str:
    """What another rule, or an ignore file (``by_ignore_files`` of them), still leaves out of a
    dropped rule's ``left`` photos ("" for none; "1 more is …" when others came back): the CLI's
    ``folders include`` and the Library dialog say it."""
    if not left:
        return ""
    if some_back:
        held = "1 more is" if left == 1 else f"{left:,} more are"
    else:
        held = "its photo is" if left == 1 else f"its {left:,} photos are"
    if by_ignore_files >= left:
        because = "an ignore file (.nomedia or .photoscopeignore)"
    elif by_ignore_files:
        because = "another rule or an ignore file"
    else:
        because = "another rule"
    return f"{held} still left out by {because}"


def by_name_note(count: int, listed: int = 0) -> str:
    """That the first ``count`` photos of the ``listed`` are listed by their folder or file names
    ("" for none); "it is" or "all 3 are" when they are all (the fresh-seat audit of stop 49: "the
    first is …" of a single photo)."""
    if 0 < listed <= count:
        every = (
            "both are listed by their folder or file names"
            if count == 2
            else "all {} are listed by their folder or file names"
        )
        return _counted(count, "it is listed by its folder or file name", every)
    return _counted(
        count,
        "the first is listed by its folder or file name",
        "the first {} are listed by their folder or file names",
    )


# No listed photo is likely (``Results.relevant`` 0 with matches): under a folder or date filter,
# none of the whole library's likely matches is there; else the first listed shows none of a short
# query's words to its judges (``results.NONE_AT_TOP``). Listed, and not called matches.
NONE_LIKELY_NOTE = "none of these is clearly a match: they are the closest found"


# What a note about the photos the network sees says of them while some wait to be indexed: those
# were not looked at (audit 81: "cannot clearly see “dog” in any photo" while the dog's waited).
SO_FAR = "indexed so far"
WAITING_TO_BE_INDEXED = "waiting to be indexed"


# A search by example photo where no photo of the library looks like it (``Results.no_look_alike``):
# its matches are listed as what they are, in the words of a description's closest guesses.
NO_LOOK_ALIKE_NOTE = (
    "Photoscope sees no photo that clearly looks like this one: these are its closest guesses"
)


def no_look_alike_note(photos: Sequence[str], copies: bool = False, so_far: bool = False) -> str:
    """``NO_LOOK_ALIKE_NOTE`` naming the photos of a combined query it means (``photos``, as the
    reader knows them: a file's name, "the second photo"); as it is for none. A combined query does
    not count a photo's copies as photos that look like it (the fresh-seat audit of stop 52): with
    ``copies`` listed, it says so ("no photo that clearly looks like bee.jpg" was said over its copy,
    listed first: that of stop 59), and not where none is (audit 80: "besides copies" of a photo
    the library holds no copy of). ``so_far``: photos wait to be indexed, and were not looked at."""
    if not photos and not copies and not so_far:
        return NO_LOOK_ALIKE_NOTE
    like = or_list(list(dict.fromkeys(photos))) if photos else "this one"  # a photo given twice: once
    besides = " besides copies" if copies else ""
    indexed = f" {SO_FAR}" if so_far else ""
    return (
        f"Photoscope sees no photo{indexed}{besides} that clearly looks like {like}: these are its"
        " closest guesses"
    )


def not_searched_note(waiting: int, why: str = WAITING_TO_BE_INDEXED) -> str:
    """That ``waiting`` photos were not searched, and ``why`` ("" for none): the window's words and
    the command line's, which adds what indexes them."""
    return f"{plural(waiting, 'photo')} not searched yet: {why}" if waiting > 0 else ""


def searched_by_note(photos: Sequence[str]) -> str:
    """That the library photos a combined query searched by are not listed (``Results.searched_by``)."""
    if len(photos) == 1:
        return f"{photos[0]} is not listed: it is one of the photos searched by"
    return f"{', '.join(photos[:-1])} and {photos[-1]} are not listed: they are photos searched by"


def undated_note(count: int) -> str:
    """That ``count`` photos, with a date filter, are placed by their files' dates ("" for none)."""
    return _counted(
        count,
        "1 photo with no date taken is placed by the file's date",
        "{:,} photos with no date taken are placed by the file's date",
    )


def named_away_note(count: int) -> str:
    """That ``count`` photos were left out because their folder or file name says what a taken-away
    term says ("" for none)."""
    return _counted(
        count,
        "a photo whose folder or file name says what is taken away is left out",
        "{} photos whose folder or file names say what is taken away are left out",
    )


def _counted(count: int, one: str, many: str) -> str:
    """A note about ``count`` photos: "" for none, ``one`` for one, ``many`` (formatted with the
    count) for more."""
    return "" if count <= 0 else one if count == 1 else many.format(count)


def or_list(items: Sequence[str]) -> str:
    """ "a", "a or b", "a, b or c": alternatives as a sentence lists them."""
    return " or ".join(filter(None, (", ".join(items[:-1]), items[-1]))) if items else ""


def unknown_word_notes(
    unknown: Iterable[Any], quote: Callable[[str], str], offer: Callable[[str], str] | None = None
) -> list[str]:
    """The notes on a query's unknown words (``UnknownWord``s), as the window and the command line
    say them: those nothing is offered for in one ("qwzx blorf" said "the model does not know" twice),
    then each other one with its stand-in or its suggestions, each ``offer``ed (default: quoted).
    Each word once: a description said four times over named each four times (the walk of stop 48)."""
    words = list({u.word: u for u in unknown}.values())
    bare = [u.word for u in words if not u.searched_as and not u.suggestions]
    notes = [unknown_word_note(or_list([quote(w) for w in bare]), None, (), str)] if bare else []
    for u in (u for u in words if u.searched_as or u.suggestions):
        offered = [] if u.searched_as else [(offer or quote)(s) for s in u.suggestions]
        notes.append(unknown_word_note(u.word, u.searched_as, offered, quote))
    return notes


def unseen_note(
    words: Iterable[str], open_quote: str = "'", close_quote: str = "'", so_far: bool = False
) -> str:
    """That the network sees none of these concept words clearly in any photo (each named once);
    ``so_far``: in any photo indexed so far, as others wait to be and were not looked at."""
    quoted = " or ".join(f"{open_quote}{w}{close_quote}" for w in dict.fromkeys(words))
    return f"Photoscope cannot clearly see {quoted} in any photo{f' {SO_FAR}' if so_far else ''}"


def cancelled_note(texts: Sequence[str], open_quote: str = "'", close_quote: str = "'") -> str:
    """Added texts that are taken away too: they cancel out, and were not searched."""
    quoted = " and ".join(f"{open_quote}{t}{close_quote}" for t in texts)
    each = "is" if len(texts) == 1 else "are each"
    return f"{quoted} {each} added and taken away: they cancel out"


def repeated_note(
    repeats: Sequence[tuple[str, bool, int, float]], open_quote: str = "'", close_quote: str = "'"
) -> str:
    """That terms given more than once count as often as they are given: each (name, whether it is
    a text, times given, its copies' weights added up) as ``api.Repeat`` holds it (texts quoted,
    photos named). Copies at other weights than 1 count by their weights added up: "counts twice"
    of "a dog" + "a dog" at 0.5 was untrue (audit 100, repro_2)."""
    names = [f"{open_quote}{name}{close_quote}" if text else name for name, text, *_ in repeats]
    said = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    times = {n for _, _, n, *_ in repeats}
    often = _times(times.pop()) if len(times) == 1 else "more than once"
    weighed = [float(w) for *_, w in repeats]
    if any(w and w != n for (_, _, n, *_), w in zip(repeats, weighed, strict=True)):
        if len(repeats) == 1:
            return f"{said} is given {often}: its weights add up to {weighed[0]:g}"
        return f"{said} are each given {often}: each counts by its weights added up"
    counts = _times(repeats[0][2]) if often != "more than once" else "as often as it is given"
    if len(repeats) == 1:
        return f"{said} is given {often}: it counts {counts}"
    return f"{said} are each given {often}: each counts {counts}"


def next_to_nothing_note(names: Sequence[str]) -> str:
    """Terms that weigh under a hundredth of the heaviest: they count for nothing (``weightless_note``)."""
    said = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    if len(names) == 1:
        return f"{said} weighs next to nothing beside the other terms: it counts for nothing"
    return f"{said} each weigh next to nothing beside the other terms: they count for nothing"


def weightless_note(names: Sequence[str]) -> str:
    """Terms given at weight 0: they count for nothing (texts quoted, photos named)."""
    said = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    if len(names) == 1:
        return f"{said} weighs 0: it counts for nothing"
    return f"{said} each weigh 0: they count for nothing"


def term_name(term: object) -> str:
    """A query term as the notes name it: its text quoted, its photo's file name."""
    text, photo = getattr(term, "text", None), getattr(term, "photo", None)
    if text is not None:
        return f"'{safe_text(text)}'"
    return (
        safe_text(os.path.basename(os.fspath(photo))) if isinstance(photo, str | os.PathLike) else "a photo"
    )


def _times(n: int) -> str:
    return "twice" if n == 2 else f"{n} times"


def taken_away_note(phrases: Sequence[str], open_quote: str = "'", close_quote: str = "'") -> str:
    """How a description that says what to leave out was read ("a dog without a ball")."""
    quoted = " and ".join(f"{open_quote}{p}{close_quote}" for p in phrases)
    them = "it" if len(phrases) == 1 else "them"
    return f"searched as taking {quoted} away: photos that show {them} go down"


def unknown_word_note(
    word: str, searched_as: str | None, suggestions: Sequence[str], quote: Callable[[str], str]
) -> str:
    """That the model does not know ``word``, and what it searched instead or offers (the
    ``suggestions`` as they are to be shown: quoted, or links), each word ``quote``d."""
    text = f"Photoscope does not know {quote(word)}"
    if searched_as:
        return f"{text} — searched by the nearest concept it knows, {quote(searched_as)}"
    if suggestions:
        text += " — did you mean " + " or ".join(suggestions) + "?"
    return text
