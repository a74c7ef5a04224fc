"""Browsing: the whole library in order without a query (the timeline and its headers), the folder
filter's choices, near-duplicate groups (and the copies to show), and taking photos out of the index."""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from photoscope.api.core import Core
from photoscope.api.types import Copies, Filters, Match, MonthGroup, Timeline
from photoscope.library.fs import is_under


class Browsing(Core):
    def timeline(
        self,
        sort: str = "newest",
        group: str = "month",
        limit: int | None = None,
        filters: Filters | None = None,
    ) -> Timeline:
        """Every photo (but the unreadable ones) sorted ``newest``/``oldest`` (date taken, else the
        file's time), by ``name`` or by ``folder``, with headers by ``month``, ``folder`` or ``none``.
        ``limit``: only the first photos (a first screen to show while the whole library is read;
        by date, SQLite sorts and the rest is never read). ``filters``: only the photos a search
        under them would list."""
        import numpy as np  # here, not at the top: commands that only read the library (status) skip it

        # (id, path, folder id, date key, mtime, has date taken). By date, SQLite sorts: Python's
        # sort of 100,000 rows holds the GIL ~50 ms, a stall of the window each time the timeline is
        # read again while photos are indexed.
        by_folder = group == "folder" and sort != "folder"  # each folder together, in ``sort`` within
        rows = self._sorted_rows(sort, None if by_folder else limit, filters or Filters())
        if by_folder:  # a stable sort: the chosen order stays within each folder
            rows = sorted_in_pieces(rows, lambda r: (os.path.dirname(r[1]).lower(), os.path.dirname(r[1])))
            del rows[len(rows) if limit is None else limit :]
        groups = _groups(rows, group, [f.path for f in self.library.folders()])
        return Timeline(
            np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
            [r[1] for r in rows],
            [r[4] for r in rows],
            groups,
            sort,
            sum(1 for r in rows if not r[5]),
            filters if filters is not None and filters.active else None,
            _days_spanned(rows) if limit is None else None,
        )

    def _sorted_rows(self, sort: str, limit: int | None, filters: Filters) -> list[tuple[Any, ...]]:
        """The library's browse rows under ``filters`` in ``sort`` order, the first ``limit`` of them."""
        if sort in ("newest", "oldest"):
            return self.library.browse_rows(sort == "newest", limit, filters.folder, *filters.days)
        rows = self.library.browse_rows(None, None, filters.folder, *filters.days)  # sorted here, then cut
        if sort == "name":
            rows = sorted_in_pieces(rows, lambda r: (os.path.basename(r[1]).lower(), r[1]))
        elif sort == "folder":
            rows = sorted_in_pieces(
                rows, lambda r: (os.path.dirname(r[1]).lower(), os.path.basename(r[1]).lower())
            )
        if limit is not None:
            del rows[limit:]
        return rows

    def photos_below(self, directory: str | Path) -> int:
        """How many photos the library has below ``directory`` (a ``--folder`` filter's check)."""
        return self.library.count_below(directory)

    def folder_choices(self) -> list[tuple[str, int, int]]:
        """(directory, depth below its watched folder, photos below it) of each watched folder and
        every subfolder holding photos, in tree order: the choices of the folder filter."""
        counts: dict[str, int] = {}
        roots = [f.path for f in self.library.folders()]
        for row in self.library.browse_rows():
            directory = os.path.dirname(row[1])
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
            below = sorted(d for d in counts if d == root or d.startswith(root.rstrip(os.sep) + os.sep))
            for d in below or [root]:
                depth = 0 if d == root else d[len(root.rstrip(os.sep)) :].count(os.sep)
                choices.append((d, depth, counts.get(d, 0)))
        return choices

    def remove_photos(self, ids: Sequence[int]) -> None:
        """Take photos out of the index at once (the app moved their files to the trash): searches
        and counts stop showing them without waiting for the watcher."""
        self.library.delete_photos(list(ids))
        self.photos_removed(ids)

    def duplicate_groups(self, threshold: float = 0.97, block: int = 1024) -> list[list[int]]:
        """Groups of near-duplicate photos (encoder features with cosine >= ``threshold``: resized,
        recompressed or lightly edited copies), largest first. Compares every pair a block at a time:
        about N^2 x 1280 multiply-adds (a few seconds at 20,000 photos on a laptop)."""
        from photoscope.search.duplicates import duplicate_groups

        with self._store_lock:  # the rows are a view: the indexer's removals swap rows in place
            store = self.store
            return duplicate_groups(store.vectors("feature"), store.ids, threshold, block)

    def copies(self, threshold: float = 0.97) -> Copies:
        """``duplicate_groups`` as photos to show, each group under its header, largest first."""
        found = self.duplicate_groups(threshold)
        by_id = {r.id: r for r in self.library.photos_by_ids([i for g in found for i in g])}
        matches: list[Match] = []
        groups: list[MonthGroup] = []
        for n, group in enumerate(found, 1):
            shown = [Match(by_id[i], 1.0, near_duplicate=True) for i in group if i in by_id]
            groups.append(MonthGroup(f"Copies {n}: {len(group)} photos", len(matches), len(shown)))
            matches += shown
        return Copies(matches, groups)


def _days_spanned(rows: list[tuple[Any, ...]]) -> tuple[date, date] | None:
    """The first and last day of browse rows (their date keys: taken, else the file's time)."""
    keys = [r[3] for r in rows]
    return (date.fromisoformat(min(keys)[:10]), date.fromisoformat(max(keys)[:10])) if keys else None


def _month_labeller() -> Callable[[tuple[Any, ...]], str]:
    """``_month_label`` computed once per month: formatting a date for each of 100,000 photos was
    two thirds of the timeline's time (0.7 of 1.1 s), and the first screen waits for it."""
    labels: dict[str, str] = {}

    def label(row: tuple[Any, ...]) -> str:
        month = str(row[3])[:7]
        found = labels.get(month)
        if found is None:
            found = labels[month] = _month_label(row)
        return found

    return label


def _month_label(row: tuple[Any, ...]) -> str:
    key = str(row[3])
    try:
        return date(int(key[:4]), int(key[5:7]), 1).strftime("%B %Y")
    except ValueError:
        return "Unknown date"


def sorted_in_pieces(
    rows: list[tuple[Any, ...]], key: Callable[[tuple[Any, ...]], Any], piece: int = 8192
) -> list[tuple[Any, ...]]:
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


def _groups(rows: list[tuple[Any, ...]], group: str, roots: Sequence[str] = ()) -> list[MonthGroup]:
    """The headers of sorted browse rows: one per run of rows of the same month or folder (none
    for ``none``); a folder is named from its watched folder down ("Pictures/Trips/Paris 2019")."""
    label_of: Callable[[tuple[Any, ...]], str]
    if group == "month":
        label_of = _month_labeller()
    elif group == "folder":
        longest_first = sorted(roots, key=len, reverse=True)
        label_of = lambda r: _folder_label(os.path.dirname(r[1]), longest_first)  # noqa: E731
    else:
        return []
    starts: list[tuple[str, int]] = []
    for i, row in enumerate(rows):
        label = label_of(row)
        if not starts or label != starts[-1][0]:
            starts.append((label, i))
    ends = [start for _, start in starts[1:]] + [len(rows)] if starts else []
    return [MonthGroup(label, start, end - start) for (label, start), end in zip(starts, ends, strict=True)]
