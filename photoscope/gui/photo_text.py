"""What the window says of one photo: a tile's tooltip, the detail view's fields, why a file gives
no picture. Plain Python (no Qt): the grids and the detail view only show it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.gui.wording import filed_under, taken_field
from photoscope.wording import concepts_in_words, percent, safe_text

if TYPE_CHECKING:
    from photoscope.api import Match, PhotoRecord


# The longest file name a tooltip shows whole: a name of 180 characters made one 1,270 pixels wide,
# off a small screen (the GUI audit of stop 60); a longer one keeps its start and end.
TOOLTIP_NAME = 72
TOOLTIP_PATH = 100  # ... and path (the copies' grid names the folder of each)


def shown_name(path: str, longest: int | None = None) -> str:
    """A photo's file name as the window shows it: its control and bidi characters escaped, as the
    command line shows them (a right-to-left override mirrored the rest of a tooltip, a newline split
    it: the GUI audit of stop 60); over ``longest`` characters, its middle left out ("…")."""
    return _middle_out(safe_text(Path(path).name), longest)


def _middle_out(text: str, longest: int | None) -> str:
    """``text``, over ``longest`` characters its middle left out ("…"): its start and end say most."""
    if longest is None or len(text) <= longest:
        return text
    keep = longest - 1
    return f"{text[: keep - keep // 2]}…{text[len(text) - keep // 2 :]}"


def strength_text(strength: float) -> str:
    return f"{percent(strength)} match"


def concepts_text(record: PhotoRecord) -> str:
    """What the encoder's ImageNet head sees in the photo, in plain words ("cat (91 %), Egyptian
    cat (62 %)"); empty before the photo is indexed."""
    from photoscope.api import photo_concepts

    return concepts_in_words(photo_concepts(record))


def _looks_like(record: PhotoRecord) -> str:
    seen = concepts_text(record)
    return f"\nLooks like: {seen}" if seen else ""


# A listed photo whose file is not at its path (``ResultsModel``), as `search` marks it "[folder
# offline]" or "[not found]": its tile looked like any other (audit 97, repro_3).
NOT_THERE = (
    "File missing: not at its path now (a drive unplugged, or moved or deleted since); the library keeps it"
)


def tooltip(match: Match, among_copies: bool = False, guess: bool = False, copy_of: str | None = None) -> str:
    """A tile's tooltip; ``among_copies``: the grid lists the library's copies, not a query's answer:
    each says its folder and size too (two copies of one name in two folders read alike, and which
    one the trash would take could not be told: the second GUI walk of stop 43); ``guess``: the
    answer is the closest guesses (``Results.unsure``), whose strength claims no match; ``copy_of``:
    the file name of the photo listed before it that it is a copy of (``Match.copy_of``)."""
    photo = match.photo
    caption = photo.caption or "not captioned yet"
    if among_copies:
        when = filed_under(photo.taken_at, photo.mtime)
        path = _middle_out(safe_text(photo.path), TOOLTIP_PATH)
        return f"{caption}\n{path}\n{photo_fields(photo)['size']} · {when}"
    copy = " · a copy of the query photo" * match.near_duplicate
    if copy_of is not None and not match.near_duplicate:
        copy = f" · a copy of {copy_of}, listed before it"
    name = shown_name(photo.path, TOOLTIP_NAME)
    how = "a closest guess" if guess else strength_text(match.strength)
    return f"{caption}{_looks_like(photo)}\n{name} · {how}{copy}{_damaged(photo)}"


def spoken_tile(
    match: Match,
    among_copies: bool = False,
    guess: bool = False,
    copy_of: str | None = None,
    copy: bool = False,
    browsing: bool = False,
) -> tuple[str, str]:
    """A tile as a screen reader says it: (its name, its description). The tooltip's words, which
    the mouse alone reached: a tile was named by its file alone (``IMG_2041.JPG``), its caption,
    match strength and "copy" badge unsaid (audit 82, repro_1). The name says what the photo shows
    and how well it matches, first, as the grid is read tile by tile; the description the rest.
    ``copy``: the tile shows the "copy" badge (its original may not be listed to be named);
    ``browsing``: a timeline's tile, which claims no match."""
    photo = match.photo
    said = [photo.caption or "not captioned yet"]
    if not browsing and not among_copies:
        said.append("a closest guess" if guess else strength_text(match.strength))
    if match.near_duplicate and not among_copies:
        said.append("a copy of the query photo")
    elif copy_of is not None:
        said.append(f"a copy of {copy_of}, listed before it")
    elif copy or match.copy_of is not None:
        said.append("a copy")
    where = shown_name(photo.path, TOOLTIP_NAME)
    if among_copies:
        where = f"{_middle_out(safe_text(photo.path), TOOLTIP_PATH)}, {photo_fields(photo)['size']}"
    if browsing or among_copies:
        where = f"{where}, {filed_under(photo.taken_at, photo.mtime)}"
    seen = concepts_text(photo)
    looks = f". Looks like: {seen}" if seen else ""
    return ", ".join(said), f"{where}{looks}{_damaged(photo).replace(chr(10), '. ')}"


def _damaged(photo: PhotoRecord) -> str:
    """A line saying the file was cut short or emptied since it was indexed (the index keeps its
    description: ``FailedPhoto.another_file``), as `search` marks it "[file damaged]"."""
    from photoscope.api import is_damage  # loaded by the time a result shows: a lookup

    if photo.status != "error" or not is_damage(photo.error):
        return ""
    return "\nFile damaged since it was indexed (cut short or emptied): copy it again"


def record_tooltip(record: PhotoRecord) -> str:
    """A timeline tile's: the caption, what the head sees, the file's name and the date the timeline
    files the photo under."""
    caption, when = record.caption or "not captioned yet", filed_under(record.taken_at, record.mtime)
    return f"{caption}{_looks_like(record)}\n{shown_name(record.path, TOOLTIP_NAME)} · {when}"


def photo_fields(p: PhotoRecord) -> dict[str, str]:
    """The detail view's fields of a photo, by name: caption, tags (what the head sees), taken,
    camera, size and path."""
    pixels = f"{p.width} \N{MULTIPLICATION SIGN} {p.height} pixels, " if p.width and p.height else ""
    return {
        "caption": p.caption or "not captioned yet",
        # tags the head gives none of clearly are not shown, as the tooltip and `caption` show none
        "tags": concepts_text(p) or ("nothing clear" if p.tags else "none"),
        "taken": taken_field(p.taken_at, p.mtime),
        "camera": p.camera or "unknown",
        "size": f"{pixels}{human_size(p.size)}",
        "path": safe_text(p.path),
    }


def human_size(size: int) -> str:
    """A file size as people read it: 17 KB, 3.2 MB, 1.1 GB."""
    if size < 1000:
        return f"{size} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size < scale * 1000 or unit == "GB":
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{size} bytes"


def unreadable_text(path: str, error: BaseException, stat: tuple[int, float] | None = None) -> str:
    """Why the view has no picture of ``path``, in words a user can act on; ``stat``: the size and
    time the index holds for it (a file renamed to a name the index cannot hold is found by them)."""
    from photoscope.api import describe_error, display_path, renamed_unstorably  # loaded by now: a lookup

    if isinstance(error, FileNotFoundError):
        renamed = renamed_unstorably(path, *stat) if stat is not None else None
        if renamed is not None:  # kept by the index (the CLI audit of stop 55: "missing")
            return (
                f"The file was renamed to {display_path(os.path.basename(renamed))}, a name that is not"
                f" UTF-8: Photoscope keeps it; rename it (in UTF-8) to see it here again. {safe_text(path)}"
            )
        return (
            f"The file is missing: {safe_text(path)}. It was deleted or moved, or its drive is not connected."
        )
    # the path escaped: a newline in a folder's name broke the sentence (audit 75, repro_7)
    return f"The file cannot be read: {describe_error(error)}. {safe_text(path)}"
