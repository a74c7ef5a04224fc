"""A query as one value: what a search bar (or a command line) asks, how it is described, how it runs.

The search bar holds words, or a photo (a file, a pasted image, a library photo's "Find similar"),
and optionally chips: extra terms added or taken away. ``Query`` gathers them with the filters and
the limit, picks the API call that answers them (a combined query, photos like one, or words), and
says what it searches for in the words the status bar shows. No Qt: the GUI hands pasted images in
as PIL images.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.api.combining import Combining
from photoscope.api.query_terms import next_to_nothing
from photoscope.api.types import Filters, QueryTerm, Results

if TYPE_CHECKING:
    from PIL import Image

    from photoscope.api.app import Photoscope

MINUS = "\N{MINUS SIGN}"


@dataclass(frozen=True)
class Query:
    """What to search for. Which part answers, first found: the chips with the query they join
    (``terms``), a library photo (``similar``: its id and path), a photo, the words."""

    text: str = ""
    photo: str | Path | Image.Image | None = None  # a file anywhere, or an image (pasted)
    similar: tuple[int, str] | None = None  # "Find similar" on a library photo: (id, path)
    terms: tuple[QueryTerm, ...] = ()  # extra terms (the search bar's chips)
    filters: Filters | None = None
    limit: int = 50

    @property
    def empty(self) -> bool:
        return not (self.text or self.photo is not None or self.similar is not None or self.terms)

    @property
    def words_only(self) -> bool:
        """Words and nothing else: the caption index can answer it without the network."""
        return bool(self.text) and self.photo is None and self.similar is None and not self.terms

    @property
    def combined(self) -> bool:
        """More than one thing asked: chips, or words beside a photo ("this photo, but at night")."""
        return bool(self.terms) or bool(self.text and (self.photo is not None or self.similar is not None))

    def all_terms(self) -> list[QueryTerm]:
        """The combined query: the photo, the words (beside it, or alone), then the chips."""
        if self.similar is not None:
            first = [QueryTerm(photo=self.similar[0])]
        elif self.photo is not None:
            first = [QueryTerm(photo=self.photo)]
        else:
            first = []
        words = [QueryTerm(text=self.text)] if self.text else []
        return [*first, *words, *self.terms]

    def describe(self) -> str:
        """What it searches for, as the status bar says it: “beach”, photos like IMG_0042.jpg, or the
        terms of a combined query (``describe_query``; a library photo by its file's name)."""
        words = [QueryTerm(text=self.text)] if self.text else []
        return describe_query(self._photo_name(), [*words, *self.terms])

    def _photo_name(self) -> str | None:
        """The photo searched by, as a person names it (None: none)."""
        if self.similar is not None:
            return Path(self.similar[1]).name
        if self.photo is None:
            return None
        from PIL import Image  # only with a photo: the package loads without PIL

        return PASTED if isinstance(self.photo, Image.Image) else Path(self.photo).name

    def run(self, app: Photoscope) -> Results:
        """The answer (slow while the network loads: see ``wants_first_answer``), with the photos
        it could not search yet (``Results.waiting``)."""
        return with_waiting(app, self._answer(app))

    def _answer(self, app: Combining) -> Results:
        if self.combined:
            found = app.search_terms(self.all_terms(), self.limit, self.filters)
            # only the chips have weights: the photo and the words beside them weigh 1
            weightless = tuple(dict.fromkeys(term_name(t) for t in self.terms if t.weight == 0))
            light = tuple(dict.fromkeys(term_name(t) for t in next_to_nothing(self.all_terms())))
            return (
                replace(found, weightless=weightless, next_to_nothing=light) if weightless or light else found
            )
        if self.similar is not None:
            return app.similar_to(self.similar[0], self.limit, self.filters)
        if self.photo is not None:
            return app.search_photo(self.photo, self.limit, self.filters)
        return app.search_text(self.text, self.limit, self.filters)

    def wants_first_answer(self, app: Combining) -> bool:
        """Whether a first answer (``first_answer``) should come before the network's: words only,
        and the network is not loaded yet (PyTorch takes seconds to import; first results should not
        wait for it)."""
        return self.words_only and not app.model_ready

    def run_on_captions(self, app: Combining) -> Results:
        """The caption index's answer to the words (no network)."""
        return app.search_captions(self.text, self.limit, self.filters)

    def first_answer(self, app: Photoscope) -> tuple[Results, bool]:
        """The answer to show while the network loads: the text encoder's, run without PyTorch (True),
        if it can be given, else the caption index's (False); with the photos not searched yet."""
        quick = app.search_text_quick(self.text, self.limit, self.filters)
        if quick is not None:
            return with_waiting(app, quick), True
        return with_waiting(app, self.run_on_captions(app)), False


def with_waiting(app: Photoscope, found: Results) -> Results:
    """``found`` with the photos not searched because they wait to be indexed, counted after the
    search: a photo indexed meanwhile is not said to wait, and the answer read again as indexing goes
    on (the window's) searches it."""
    waiting = app.photo_counts().pending
    return replace(found, waiting=waiting) if waiting else found


def local_file_url_path(text: str) -> str | None:
    """The path a local "file://" URL names, its %-escapes undone ("file:///p/my%20photo.jpg" ->
    "/p/my photo.jpg"; a file manager copies a location so); None for other text or another host."""
    from urllib.parse import unquote, urlsplit

    if not text.startswith("file://"):
        return None
    url = urlsplit(text)
    return unquote(url.path) if url.netloc in ("", "localhost") else None


def typed_path(text: str) -> Path | None:
    """The file a typed or pasted text names, when it names one rather than saying what a photo
    shows: one line that is an absolute path ("~/…" too) or a local "file://" URL, quoted as a
    terminal copies it or not. None for words."""
    candidate = text.strip()
    if len(candidate) > 1 and candidate[0] == candidate[-1] and candidate[0] in "'\"":
        candidate = candidate[1:-1]
    if candidate.startswith("file://"):
        named = local_file_url_path(candidate)
        if named is None:
            return None
        candidate = named
    if "\n" in candidate or not candidate.startswith(("/", "~/")):
        return None
    return Path(candidate).expanduser()


def is_photo_file(path: Path) -> bool:
    """A file with a photo's extension is there (what a search by example can read)."""
    from photoscope.library.fs import PHOTO_EXTENSIONS

    return path.suffix.lower() in PHOTO_EXTENSIONS and path.is_file()


def unreadable_photo(path: str | Path) -> str | None:
    """Why a photo to search by cannot be read, in words, or None. Checked before it joins a query:
    an empty .jpg became a chip that failed every search after it (the GUI walk of stop 47), and so
    did a JPEG cut short (audit 97): a JPEG is decoded at an eighth of its size (a few milliseconds,
    its data read to the end), another format's data checked as far as Pillow can without decoding
    it. A file not there is said by the caller (or is a library photo searched by its vectors)."""
    import os

    from PIL import Image, UnidentifiedImageError

    import photoscope.library.photos  # noqa: F401  (HEIC/HEIF: its opener registers at import)

    try:
        if os.path.getsize(path) == 0:
            return "the file is empty"
        with Image.open(path) as image:
            try:
                _read_through(image)
            except (OSError, SyntaxError, ValueError):
                return "the file is damaged or cut short (a copy that did not finish?)"
            return None
    except Image.DecompressionBombError:
        return None  # the search reduces such a photo as it decodes it
    except FileNotFoundError:
        return None  # a library photo whose drive is away is searched by its stored vectors
    except PermissionError:
        return "Photoscope has no permission to read it"
    except (UnidentifiedImageError, OSError, ValueError):
        return "it is not a photo Photoscope can read"


def _read_through(image: Image.Image) -> None:
    """Read a photo's data to its end as cheaply as its format allows (``unreadable_photo``)."""
    if image.format == "JPEG":
        image.draft("RGB", (64, 64))
        image.load()
    else:
        image.verify()


QUOTED_LENGTH = 40  # what the status bar quotes of a description (the search box shows it whole)


def shortened(text: str, length: int = QUOTED_LENGTH) -> str:
    """``text``, or its start and end around "…" when longer than ``length``: quoted beside a count
    and a time, a long description cut at its end took them off the status bar with it."""
    if len(text) <= length:
        return text
    tail = length // 3
    head, end = text[: length - tail - 1], text[-tail:]
    head = head.rsplit(" ", 1)[0] if " " in head else head  # whole words where there are words
    end = end.split(" ", 1)[1] if " " in end else end
    return f"{head.rstrip()} … {end.lstrip()}"


PASTED = "the pasted image"  # a photo searched by that has no file


def describe_query(photo: str | None, terms: list[QueryTerm]) -> str:
    """A query as the status bar and the window's Back say it: “beach”, photos like a.jpg, photos
    like a.jpg + “at night” (``photo``: the name of the photo searched by), or the other terms
    alone (``describe_terms``). One wording: the window had its own for Back."""
    like = f"photos like {photo}" if photo is not None else ""
    words = describe_terms(terms)
    if like and words:
        return f"{like} {words if words.startswith(MINUS) else '+ ' + words}"
    return words or like


def describe_terms(terms: list[QueryTerm]) -> str:
    """“beach” + “sunset” - 2x “people”: a combined query's terms with their signs (a minus sign, not
    a hyphen) and weights."""
    parts = []
    for i, t in enumerate(terms):
        name = term_name(t)
        weight = f" {t.weight:g}\N{MULTIPLICATION SIGN}" if t.weight != 1 else ""
        sign = f" {MINUS} " if t.negative else (" + " if i else "")
        parts.append(f"{sign}{weight.strip()}{' ' if weight else ''}{name}")
    return "".join(parts).strip()


def term_name(term: QueryTerm) -> str:
    """A term as the status bar and the window's notes name it: its words quoted (a long text
    shortened), its photo's file name, "the photo" (a library photo by its id) or ``PASTED``."""
    if term.text is not None:
        return f"“{shortened(term.text)}”"
    if isinstance(term.photo, (str, Path)):
        return Path(term.photo).name
    return "the photo" if isinstance(term.photo, int) else PASTED
