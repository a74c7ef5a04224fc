"""Words in folder and file names: "Paris 2019", "wedding", "IMG_2041" describe photos too.

The library's full-text index (``search``, FTS5 with the unicode61 tokeniser) holds each photo's
path as tokens; a query word that is one of the tokens of a photo's path *below its watched folder*
(the folder's own path, "/home/ann/Pictures", says nothing of one photo) lifts that photo's score
by ``PATH_BONUS`` times the share of the query's words its path has. Function words never count.

The bonus was chosen on a test library of Flickr8k val photos filed at random in folders named
by words (``benchmarks/combined_queries.py --path-words``): big enough that a query naming a
folder ranks that folder's photos of the right content above the same content elsewhere, small
enough that the folder's other photos do not crowd out the content.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from photoscope.library.db import Library

PATH_BONUS = 0.3
FUNCTION_WORDS = frozenset(
    "a an the of in on at to with and or is are be by for from near into onto over under some "  # noqa: SIM905
    "one two three his her its their this that photo photos picture pictures image images img "
    "jpg jpeg png heic tif tiff webp dsc dscn pxl".split()
)


def _fold(text: str) -> str:
    """Lowercase without diacritics, as the index's tokeniser (remove_diacritics 2) folds words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Word tokens as the unicode61 tokeniser splits them: letters and digits; ``_``, ``-``, ``.``
    and ``/`` separate."""
    return re.findall(r"[^\W_]+", _fold(text))


def query_words(text: str) -> list[str]:
    """The query's words that may name a folder or a file (function words left out)."""
    return list(dict.fromkeys(w for w in tokens(text) if w not in FUNCTION_WORDS))


def path_matches(library: Library, text: str, roots: Iterable[str]) -> tuple[dict[int, float], set[str]]:
    """Photo id -> share of the query's words that its path below its watched folder has; and the
    query words that some path has."""
    words = query_words(text)
    roots = sorted(roots, key=len, reverse=True)
    found: dict[int, set[str]] = {}
    for word in words:
        for photo_id, path in library.paths_with_word(word):
            root = next((r for r in roots if path.startswith(r.rstrip(os.sep) + os.sep)), "")
            if word in tokens(path[len(root) :]):
                found.setdefault(photo_id, set()).add(word)
    named = {w for hit in found.values() for w in hit}
    return {pid: len(hit) / len(words) for pid, hit in found.items()}, named


def lift(scores: torch.Tensor | None, ids: np.ndarray, matches: dict[int, float]) -> torch.Tensor:
    """Scores (one per store row, rows named by ``ids``) with the path bonus added. Without scores
    (no word the network knows), or where they are all -inf, the names alone rank."""
    out = torch.zeros(len(ids)) if scores is None else scores.clone().reshape(-1)
    if not torch.isfinite(out).any():
        out.zero_()
    rows = np.nonzero(np.isin(ids, np.fromiter(matches, dtype=np.int64, count=len(matches))))[0]
    shares = torch.tensor([matches[int(i)] for i in ids[rows]], dtype=out.dtype)
    out[torch.from_numpy(rows)] += PATH_BONUS * shares
    return out
