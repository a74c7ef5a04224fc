"""The combined-query options of ``search`` and ``similar`` (rclip's ``--add``/``--subtract``):

    photoscope search "beach" --add "sunset" --subtract "people" --add-photo a.jpg --weight 0.5
    photoscope similar a.jpg --add "at night"

``--weight W`` sets the weight of the term just before it, or of the query itself when it comes
before any other term.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photoscope.commands.common import photo_path, query_text, weight, wrong_photo_path
from photoscope.limits import MAX_WEIGHT

if TYPE_CHECKING:
    from photoscope.api import QueryTerm

# option -> (a photo?, taken away?)
_KINDS = {
    "--add": (False, False),
    "--subtract": (False, True),
    "--add-photo": (True, False),
    "--subtract-photo": (True, True),
}


class _Term(argparse.Action):
    def __call__(
        self, parser: argparse.ArgumentParser, ns: argparse.Namespace, value: Any, option: str | None = None
    ) -> None:
        photo, negative = _KINDS[self.option_strings[0]]
        ns.terms = [*(ns.terms or []), [photo, negative, value, None]]  # its weight: 1 unless given


class _Weight(argparse.Action):
    def __call__(
        self, parser: argparse.ArgumentParser, ns: argparse.Namespace, value: Any, option: str | None = None
    ) -> None:
        if value < 0:
            parser.error("--weight is 0 or more (use --subtract to take a term away)")
        term = ns.terms[-1] if ns.terms else None
        if (term[3] if term is not None else ns.query_weight) is not None:  # the first was dropped unsaid
            parser.error("--weight given twice for one term: give each term one weight, after it")
        if term is not None:
            term[3] = value
        else:
            ns.query_weight = value


def add_term_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("combined queries")
    group.add_argument("--add", action=_Term, type=query_text, metavar="TEXT", help="also this (repeatable)")
    group.add_argument(
        "--subtract", action=_Term, type=query_text, metavar="TEXT", help="but not this (repeatable)"
    )
    group.add_argument(
        "--add-photo", action=_Term, type=photo_path, metavar="PHOTO", help="also like this photo"
    )
    group.add_argument(
        "--subtract-photo", action=_Term, type=photo_path, metavar="PHOTO", help="but unlike this photo"
    )
    group.add_argument(
        "--weight",
        action=_Weight,
        type=weight,
        metavar="W",
        help=f"weight of the term before it (before any: of the query), 0 to {MAX_WEIGHT:g} (default 1)",
    )
    parser.set_defaults(terms=None, query_weight=None)


def query_terms(
    args: argparse.Namespace, text: str | None = None, photo: Path | None = None
) -> list[QueryTerm]:
    """The query (``text`` or ``photo``) and the terms the options added, in order: the terms a
    running app is sent (``remote.terms_of``), as the API takes them (the same fields)."""
    from photoscope.api import QueryTerm
    from photoscope.commands.remote import terms_of

    return [QueryTerm(*term) for term in terms_of(args, text, photo)]


def weight_given(weight: float | None) -> float:
    """A term's weight as ``--weight`` gave it (None: not given, 1)."""
    return 1.0 if weight is None else weight


def query_weight(args: argparse.Namespace) -> float:
    """The query's own weight (a ``--weight`` before any other term)."""
    return weight_given(getattr(args, "query_weight", None))


def missing_photos(photos: Iterable[Path | str | int | None]) -> list[tuple[Path, str]]:
    """The query's photos (``t.photo`` of its terms) that are wrong paths, each with the message: none
    there, a folder, a link to nothing or a link loop. Asked before a running app is: resolving a
    link loop's path for it raised, and the search ended as an unexpected error."""
    found = ((p, wrong_photo_path(p, "no such photo")) for p in photos if isinstance(p, Path))
    return [(p, problem) for p, problem in found if problem is not None]
