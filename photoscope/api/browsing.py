"""Browsing: the whole library in order without a query (the timeline and its headers), the folder
filter's choices, near-duplicate groups (and the copies to show), and taking photos out of the index."""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from photoscope.api.core import Core
from photoscope.api.types import Copies, Filters, Grouping, Match, MonthGroup, Sort, Timeline, copies_label
from photoscope.library.fs import is_under
from photoscope.library.records import BrowseRow

Row = TypeVar("Row")


class Browsing(Core):
    def timeline(
        self,
        sort: Sort = "newest",
        group: Grouping = "month",
        limit: int | None = None,
        filters: Filters | None = None,
    ) -> Timeline:
        """Every photo (but the unreadable ones) sorted ``newest``/``oldest`` (date taken, else the
        file's time), by ``name`` or by ``folder``, with headers by ``month``, ``folder`` or ``none``.
        ``limit``: only the first photos (a first screen to show while the whole library is read;
        by date, SQLite sorts and the rest is never read). ``filters``: only the photos a search
        under them would list."""
        import numpy as np  # here, not at the top: commands that only read the library (status) skip it

        # By date, SQLite sorts: Python's
        # sort of 100,000 rows holds the GIL ~50 ms, a stall of the window each time the timeline is
        # read again while photos are indexed.
        by_folder = group == "folder" and sort != "folder"  # each folder together, in ``sort`` within
        rows = self._sorted_rows(sort, None if by_folder else limit, filters or Filters())
        if by_folder:  # a stable sort: the chosen order stays within each folder
            rows = sorted_in_pieces(rows, _folder_key)
            del rows[len(rows) if limit is None else limit :]
        groups = _groups(rows, group, [f.path for f in self.library.folders()])
        return Timeline(
            np.fromiter((r.id for r in rows), dtype=np.int64, count=len(rows)),
            [r.path for r in rows],
            [r.mtime for r in rows],
            groups,
            sort,
            sum(1 for r in rows if not r.dated),
            filters if filters is not None and filters.active else None,
            _days_spanned(rows) if limit is None else None,
        )

    def _sorted_rows(self, sort: Sort, limit: int | None, filters: Filters) -> list[BrowseRow]:
        """The library's browse rows under ``filters`` in ``sort`` order, the first ``limit`` of them."""
        if sort in ("newest", "oldest"):
            return self.library.browse_rows(sort == "newest", limit, filters.folder, *filters.days)
        rows = self.library.browse_rows(None, None, filters.folder, *filters.days)  # sorted here, then cut
        if sort == "name":
            rows = sorted_in_pieces(rows, lambda r: (os.path.basename(r.path).lower(), r.path))
        elif sort == "folder":
            rows = sorted_in_pieces(
                rows, lambda r: (os.path.dirname(r.path).lower(), os.path.basename(r.path).lower())
            )
        if limit is not None:
            del rows[limit:]
        return rows

    def photos_below(self, directory: str | Path) -> int:
        """How many photos the library has below ``directory`` (a ``--folder`` filter's check)."""
        return self.library.count_below(directory)

    def indexes_photo_at(self, path: str | Path) -> bool:
        """Whether the library has an indexed photo at ``path``, its file there or not (a drive
        unplugged): a query's photo it can search by from its stored vectors."""
        from photoscope.library.fs import normalize_path

        found = self.library.files_at([normalize_path(path)])
        return bool(found) and all(
            r.status == "indexed" for r in self.library.photos_by_ids([f.id for f in found.values()])
        )

    def folder_choices(self) -> list[tuple[str, int, int]]:
        """(directory, depth below its watched folder, photos below it) of each watched folder and
        every subfolder holding photos, in tree order: the choices of the folder filter."""
        counts: dict[str, int] = {}
        roots = [f.path for f in self.library.folders()]
        for row in self.library.browse_rows():
            directory = os.path.dirname(row.path)
            root = next(
                (r for r in roots if directory == r or directory.startswith(r.rstrip(os.sep) + os.sep)), None
            )
            if root is None:
                continue
            while True:
                counts[directory] = counts.get(directory, 0) + 1
                if directory == root or len(directory) <= len(root):
                    break
                directory = os.path.dirname(directory)
        choices = []
        for root in roots:
            below = sorted(
                (d for d in counts if d == root or d.startswith(root.rstrip(os.sep) + os.sep)),
                key=_tree_order,
            )
            for d in below or [root]:
                depth = 0 if d == root else d[len(root.rstrip(os.sep)) :].count(os.sep)
                choices.append((d, depth, counts.get(d, 0)))
        return choices

    def remove_photos(self, ids: Sequence[int]) -> None:
        """Take photos out of the index at once (the app moved their files to the trash): searches
        and counts stop showing them without waiting for the watcher."""
        self.library.delete_photos(list(ids))
        self.photos_removed(ids)

    def duplicate_groups(self, keep_going: Callable[[], bool] | None = None) -> list[list[int]]:
        """Groups of near-duplicate photos (encoder features with cosine >= ``NEAR_DUPLICATE``: resized,
        recompressed or lightly edited copies), largest first (``search.duplicates``: every pair
        compared, 30 s at 100,000 photos). ``keep_going``: asked now and then, False stops the pass
        (``StoppedEarly``)."""
        from photoscope.search.duplicates import duplicate_groups

        # A copy of the rows, compared outside the lock: the rows are a view the indexer's removals
        # swap in place, and searches and the indexer wait on the lock (the speed audit of stop 46).
        with self._store_lock:
            store = self.store
            features, ids = store.vectors_copy("feature"), store.ids.copy()
        return duplicate_groups(features, ids, keep_going=keep_going)

    def copies(self, keep_going: Callable[[], bool] | None = None) -> Copies:
        """``duplicate_groups`` as photos to show, each group under its header, largest first."""
        return self._copies_of(self.duplicate_groups(keep_going))

    def copies_again(self, listed: Copies) -> Copies:
        """The copies ``listed`` as the library has them now: moved photos where they are, photos
        gone left out (a group left with one photo is none). No pass over the library: photos moved
        or gone make no new copies, and a pass takes 30 s at 100,000 photos."""
        return self._copies_of(
            [[m.photo.id for m in listed.matches[g.start : g.start + g.count]] for g in listed.groups]
        )

    def _copies_of(self, found: list[list[int]]) -> Copies:
        """The groups as photos to show, those left with two photos or more, largest first."""
        by_id = {r.id: r for r in self.library.photos_by_ids([i for g in found for i in g])}
        present = [[i for i in group if i in by_id] for group in found]
        matches: list[Match] = []
        groups: list[MonthGroup] = []
        for group in sorted(present, key=lambda g: (-len(g), g[0] if g else 0)):
            shown = [Match(by_id[i], 1.0, near_duplicate=True) for i in group]
            if len(shown) > 1:
                groups.append(MonthGroup(copies_label(len(groups) + 1, len(shown)), len(matches), len(shown)))
                matches += shown
        return Copies(matches, groups)


def _folder_key(row: BrowseRow) -> tuple[str, str]:
    """Rows by folder, case folded first (its folder's name worked out once a row)."""
    folder = os.path.dirname(row.path)
    return folder.lower(), folder


def _days_spanned(rows: list[BrowseRow]) -> tuple[date, date] | None:
    """The first and last day of browse rows (their date keys: taken, else the file's time)."""
    keys = [r.date_key for r in rows if r.date_key]  # not the unknown ones ('')
    try:
        return (date.fromisoformat(min(keys)[:10]), date.fromisoformat(max(keys)[:10])) if keys else None
    except ValueError:  # a date taken that is no date: the filters start where they would with none
        return None


def _month_label(month: str) -> str:
    """ "June 2024" for a date key's month ("2024-06")."""
    try:
        return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")
    except ValueError:
        return "Unknown date"


def sorted_in_pieces(rows: list[Row], key: Callable[[Row], Any], piece: int = 8192) -> list[Row]:
    """``sorted(rows, key=key)``, sorting pieces and merging them in Python: one sort of 100,000 rows
    is ~50 ms of C that never lets go of the GIL (the window's thread waits); each piece's sort is a
    few, and the merge hands the GIL over as any Python loop does."""
    pieces = [sorted(rows[i : i + piece], key=key) for i in range(0, len(rows), piece)]
    return list(heapq.merge(*pieces, key=key)) if len(pieces) > 1 else (pieces[0] if pieces else [])


def _folder_label(directory: str, roots: Sequence[str]) -> str:
    root = next((r for r in roots if is_under(directory, r)), None)
    if root is None:
        return directory
    below = os.path.relpath(directory, root)
    return os.path.basename(root) if below == "." else os.path.join(os.path.basename(root), below)


def _groups(rows: list[BrowseRow], group: Grouping, roots: Sequence[str] = ()) -> list[MonthGroup]:
    """The headers of sorted browse rows: one per run of rows of the same month or folder (none
    for ``none``); a folder is named from its watched folder down ("Pictures/Trips/Paris 2019").
    Each row gives only a key (its month, its folder); a label is made once per run of equal keys:
    labelling every one of 100,000 rows was 140 ms of the timeline's time."""
    label_of: Callable[[str], str]
    if group == "month":
        keys, label_of = [r.date_key[:7] for r in rows], _month_label
    elif group == "folder":
        longest_first = sorted(roots, key=len, reverse=True)
        keys = [os.path.dirname(r.path) for r in rows]
        label_of = lambda directory: _folder_label(directory, longest_first)  # noqa: E731
    else:
        return []
    runs = [0, *(i for i in range(1, len(keys)) if keys[i] != keys[i - 1])] if keys else []
    labels: dict[str, str] = {}
    starts: list[tuple[str, int]] = []
    for start in runs:
        key = keys[start]
        label = labels.get(key) or labels.setdefault(key, label_of(key))
        if not starts or label != starts[-1][0]:  # two keys of one label ("Unknown date") stay one
            starts.append((label, start))
    ends = [start for _, start in starts[1:]] + [len(rows)] if starts else []
    return [MonthGroup(label, start, end - start) for (label, start), end in zip(starts, ends, strict=True)]


def _tree_order(directory: str) -> list[str]:
    """A folder's place in the folder filter: its parts as a person sorts them, whatever their case
    ("a trip", "beach", "Paris 2019"; capitals came first, as the bytes sort: audit 97), each folder
    before its own subfolders."""
    return [part.casefold() for part in directory.split(os.sep)]
