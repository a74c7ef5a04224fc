"""What search and browsing read from the library: photos' records, tags and vectors, the text
index, ids under filters, the timeline's rows, counts and the vectors' change log. A part of
``db.Library``."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.library.connection import LibraryFile
from photoscope.library.fs import spelled_as_watched, storable
from photoscope.library.records import BrowseRow, PhotoCounts, PhotoRecord
from photoscope.library.sql import (
    DATE_KEY,
    VECTOR_DTYPES,
    VECTOR_TABLES,
    VectorKind,
    fill_matrix,
    filter_clauses,
    json_ids,
    photo_filter,
    prefix_range,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# A photo with something to show: read once (a photo unreadable since keeps its caption and vectors).
_DESCRIBED = "(status != 'error' OR EXISTS (SELECT 1 FROM captions c WHERE c.photo_id = photos.id))"


class PhotoReads(LibraryFile):
    """What search and browsing read."""

    def photos_by_ids(self, ids: Sequence[int]) -> list[PhotoRecord]:
        """Records in the order of ``ids`` (unknown ids are left out)."""
        param = (json_ids(ids),)
        rows = self._query(
            "SELECT p.id, p.path, p.folder_id, c.text, c.score, p.taken_at, p.camera, p.width, p.height,"
            " p.size, p.mtime, p.status, p.error FROM photos p LEFT JOIN captions c ON c.photo_id = p.id"
            " WHERE p.id IN (SELECT value FROM json_each(?))",
            param,
        )
        tags = self.tags_of(ids)
        by_id = {
            r[0]: PhotoRecord(
                id=r[0],
                path=r[1],
                folder_id=r[2],
                caption=r[3],
                caption_score=r[4],
                taken_at=r[5],
                camera=r[6],
                width=r[7],
                height=r[8],
                size=r[9],
                mtime=r[10],
                tags=tags.get(r[0], []),
                status=r[11],
                error=r[12],
            )
            for r in rows
        }
        return [by_id[i] for i in ids if i in by_id]

    def tags_of(self, ids: Sequence[int]) -> dict[int, list[tuple[str, float]]]:
        """Each photo's stored "Looks like" tags (ImageNet name, probability), likeliest first; a
        photo without any is left out."""
        tags: dict[int, list[tuple[str, float]]] = {}
        for photo_id, label, score in self._query(
            "SELECT photo_id, label, score FROM tags WHERE photo_id IN (SELECT value FROM json_each(?))"
            " ORDER BY photo_id, score DESC",
            (json_ids(ids),),
        ):
            tags.setdefault(photo_id, []).append((label, score))
        return tags

    def load_tags(
        self, ids: Sequence[int] | None = None, model_version: str | None = None
    ) -> tuple[npt.NDArray[np.int64], list[str], npt.NDArray[np.float32]]:
        """Every stored tag (the encoder head's top classes) as photo ids, labels and probabilities,
        by photo id (all photos, or those of ``ids``; ``model_version`` keeps one model's)."""
        where, params = photo_filter("photo_id", ids, model_version)
        rows = self._query(f"SELECT photo_id, label, score FROM tags WHERE {where} ORDER BY photo_id", params)
        import numpy as np

        return (
            np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
            [str(r[1]) for r in rows],
            np.fromiter((r[2] for r in rows), dtype=np.float32, count=len(rows)),
        )

    def load_vectors(
        self, kind: VectorKind, ids: Sequence[int] | None = None, model_version: str | None = None
    ) -> tuple[npt.NDArray[np.int64], np.ndarray]:
        """All stored vectors of one kind (or those of ``ids``) as (int64 ids, N x D), by id.

        Latents come as float32 and features as float16, the dtypes they are stored in.

        Rows are fetched in chunks straight into a preallocated matrix, so memory peaks at the result
        plus one chunk. ``model_version`` keeps only photos indexed by that model.
        """
        dtype = VECTOR_DTYPES[kind]
        where, params = photo_filter("v.photo_id", ids, model_version, f"v.{kind} IS NOT NULL")
        sql = f"FROM {VECTOR_TABLES[kind]} v WHERE {where}"
        with self._lock:
            conn = self.conn
            try:
                conn.execute("BEGIN")  # one read snapshot: the count and the rows agree
                try:
                    n = int(conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0])
                    cursor = conn.execute(f"SELECT v.photo_id, v.{kind} {sql} ORDER BY v.photo_id", params)
                    return fill_matrix(cursor, n, dtype)
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as error:
                raise self.translate_error(error) from error

    def text_search(self, query: str, limit: int = 50) -> list[tuple[int, float]]:
        """Photos whose caption, tags or path match every word of ``query`` (the last as a prefix).

        Returns (photo id, score) best first; the score is minus FTS5's bm25, so higher is better.
        Captions weigh most, then tags, then the path.
        """
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " ".join(f'"{w}"' for w in words) + "*"
        rows = self._query(
            "SELECT rowid, bm25(search, 0.5, 2.0, 1.0, 0.5) AS rank FROM search WHERE search MATCH ?"
            " ORDER BY rank LIMIT ?",
            (match, limit),
        )
        return [(int(r[0]), -float(r[1])) for r in rows]

    def count_below(self, directory: str | Path) -> int:
        """How many photos (any status) are below ``directory``."""
        if not storable(str(directory)):
            return 0  # no photo's path holds a name that is not UTF-8
        bounds = prefix_range(self.spelled_as_watched(directory))
        return int(self._query("SELECT count(*) FROM photos WHERE path > ? AND path < ?", bounds)[0][0])

    def spelled_as_watched(self, path: str | Path) -> str:
        """A path as the library spells it, reached through a link to a watched folder too
        (``fs.spelled_as_watched``)."""
        return spelled_as_watched(path, [str(r[0]) for r in self._query("SELECT path FROM folders")])

    def _below(self, folder: str | Path | int | None) -> str | int | None:
        """A filter's folder as the library spells it: a watched folder's id, or a path."""
        return folder if folder is None or isinstance(folder, int) else self.spelled_as_watched(folder)

    def photo_ids(
        self,
        folder: str | Path | int | None = None,
        taken_from: date | datetime | str | None = None,
        taken_to: date | datetime | str | None = None,
    ) -> list[int]:
        """Ids of the photos that pass the search filters: below a folder (a watched folder's id or any
        directory path) and dated within [taken_from, taken_to] (a date ``taken_to`` includes that day):
        the date taken, else the file's time (``DATE_KEY``, as the timeline files photos; most photos
        from phones' apps, scans and downloads carry no EXIF date: a filter must not hide them)."""
        where, params = filter_clauses(self._below(folder), taken_from, taken_to)
        rows = self._query(f"SELECT id FROM photos WHERE {' AND '.join(where)} ORDER BY id", params)
        return [int(r[0]) for r in rows]

    def browse_rows(
        self,
        newest_first: bool | None = None,
        limit: int | None = None,
        folder: str | Path | int | None = None,
        taken_from: date | datetime | str | None = None,
        taken_to: date | datetime | str | None = None,
    ) -> list[BrowseRow]:
        """Every photo with something to show, for browsing and date filters: not those never read
        (a photo unreadable now but described before keeps its place, as it does in search).
        ``newest_first`` sorts them by (date key, path), descending or not, and ``limit`` keeps the
        first ones: the timeline's first screen in 50 ms at 100,000 photos, not the whole library's
        0.3 s. The filters keep the photos ``photo_ids`` would."""
        order = (
            "" if newest_first is None else " ORDER BY 4 DESC, 2 DESC" if newest_first else " ORDER BY 4, 2"
        )
        where, params = filter_clauses(self._below(folder), taken_from, taken_to)
        rows = self._query(
            f"SELECT id, path, folder_id, {DATE_KEY}, mtime, taken_at IS NOT NULL FROM photos"
            f" WHERE {_DESCRIBED} AND {' AND '.join(where)}{order} LIMIT ?",
            (*params, -1 if limit is None else limit),
        )
        return list(map(BrowseRow._make, rows))  # SQLite's types are the row's: no conversion per value

    def counts(self) -> PhotoCounts:
        by_status = dict(self._query("SELECT status, count(*) FROM photos GROUP BY status"))
        return PhotoCounts(**{status: int(n) for status, n in by_status.items()})

    def errors(self, limit: int | None = None, since: datetime | None = None) -> list[tuple[str, str]]:
        """(path, reason) of every photo that could not be indexed (``since``: tried at that time, to
        the second, or later)."""
        tried = "" if since is None else since.astimezone(UTC).isoformat(timespec="seconds")
        rows = self._query(
            "SELECT path, error FROM photos WHERE status = 'error' AND coalesce(indexed_at, '') >= ?"
            " ORDER BY path LIMIT ?",
            (tried, -1 if limit is None else limit),
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    def model_versions(self, described_only: bool = False) -> dict[str, int]:
        """Photos by the model version that last read them (``described_only``: not those it failed
        to read, which keep the version of their last try)."""
        status = " AND status != 'error'" if described_only else ""
        rows = self._query(
            f"SELECT model_version, count(*) FROM photos WHERE model_version IS NOT NULL{status}"
            " GROUP BY model_version"
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def vector_generation(self) -> int:
        """The number of the last vector change (0 before any): a stamp for copies of the vectors."""
        rows = self._query("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'")
        return int(rows[0][0]) if rows else 0

    def vector_changes(self, since: int) -> tuple[int, list[int] | None]:
        """(the current generation, ids of the photos whose vectors changed after ``since``), the ids
        None when the log no longer reaches back that far (it was pruned past it)."""
        with self._lock:
            conn = self.conn
            try:
                conn.execute("BEGIN")  # one read snapshot: the generation and the ids agree
                try:
                    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'").fetchone()
                    now = int(row[0]) if row else 0
                    first = conn.execute("SELECT min(generation) FROM vector_log").fetchone()[0]
                    if since > now or since < (now if first is None else int(first) - 1):
                        return now, None
                    ids = conn.execute(
                        "SELECT DISTINCT photo_id FROM vector_log WHERE generation > ?", (since,)
                    ).fetchall()
                    return now, [int(r[0]) for r in ids]
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as error:
                raise self.translate_error(error) from error

    def prune_vector_log(self, upto: int) -> None:
        """Forget the vector changes up to generation ``upto`` (a copy of the vectors has them)."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM vector_log WHERE generation <= ?", (upto,))

    def paths_with_word(self, word: str) -> list[tuple[int, str]]:
        """(photo id, path) of the indexed photos whose path has ``word`` as a token (FTS5) or as a
        word of a camelCase name ("tower" in "eiffelTower", one token to FTS5)."""
        token = word.replace('"', "")
        if not token:
            return []
        match = f'{{path names}} : "{token}"'
        rows = self._query("SELECT rowid, path FROM search WHERE search MATCH ?", (match,))
        return [(int(r[0]), str(r[1])) for r in rows]
