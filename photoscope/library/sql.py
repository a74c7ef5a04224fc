"""SQL pieces the library's tables share: a photo's date key, id lists as one parameter, the clauses
that keep photos below a folder or within dates, vector blobs read into one matrix."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from photoscope.library import name_words
from photoscope.library.fs import normalize_path

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


VectorKind = Literal["latent", "feature"]

VECTOR_DTYPES: dict[VectorKind, str] = {"latent": "float32", "feature": "float16"}

FETCH_ROWS = 1024  # rows per fetch: bigger chunks hold the GIL for tens of ms (measured: GUI stalls)

# A photo's date: taken, else its file's time, as local ISO text, so the two sort and compare together.
# '' for a file time SQLite cannot write as a date (past the year 9999): "Unknown date", never NULL
DATE_KEY = "COALESCE(taken_at, strftime('%Y-%m-%dT%H:%M:%S', mtime, 'unixepoch', 'localtime'), '')"

CAMEL = name_words.SQL_FUNCTION  # writes the search index's ``names``: a path's camelCase words apart

VECTOR_TABLES: dict[VectorKind, str] = {"latent": "vectors", "feature": "features"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def json_ids(ids: Iterable[int]) -> str:
    # One json_each parameter instead of N placeholders: no SQLITE_MAX_VARIABLE_NUMBER limit to chunk around.
    return json.dumps([int(i) for i in ids])


def photo_filter(
    column: str, ids: Sequence[int] | None, model_version: str | None, *conditions: str
) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters keeping the rows whose photo id (``column``) is among ``ids``
    and was indexed by ``model_version`` (either None: no such limit), and that meet ``conditions``."""
    where, params = list(conditions), list[Any]()
    if ids is not None:
        where.append(f"{column} IN (SELECT value FROM json_each(?))")
        params.append(json_ids(ids))
    if model_version is not None:
        where.append(f"{column} IN (SELECT id FROM photos WHERE model_version = ?)")
        params.append(model_version)
    return " AND ".join(where) or "1", params


def filter_clauses(
    folder: str | Path | int | None,
    taken_from: date | datetime | str | None,
    taken_to: date | datetime | str | None,
) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (joined by AND; "1" when none) and parameters that keep the photos below a
    folder (a watched folder's id or any directory path) dated within [taken_from, taken_to] (a date
    ``taken_to`` includes that day), by ``DATE_KEY``."""
    where, params = ["1"], list[Any]()
    if isinstance(folder, int):
        where.append("folder_id = ?")
        params.append(folder)
    elif folder is not None:
        where.append("path > ? AND path < ?")
        params.extend(prefix_range(normalize_path(folder)))
    if taken_from is not None:
        where.append(f"{DATE_KEY} >= ?")
        params.append(iso_text(taken_from))
    if taken_to is not None and taken_to != date.max:  # no day comes after the last a date holds
        if isinstance(taken_to, date) and not isinstance(taken_to, datetime):
            where.append(f"{DATE_KEY} < ?")
            params.append(iso_text(taken_to + timedelta(days=1)))
        else:
            where.append(f"{DATE_KEY} <= ?")
            params.append(iso_text(taken_to))
    return where, params


def prefix_range(directory: str) -> tuple[str, str]:
    """Bounds selecting every path strictly below ``directory`` with the path index (no LIKE scan)."""
    base = directory.rstrip("/\\") + "/"
    return base, base[:-1] + chr(ord("/") + 1)


def quoted(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def iso_text(value: date | datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def fill_matrix(
    cursor: sqlite3.Cursor, n: int, dtype: npt.DTypeLike
) -> tuple[npt.NDArray[np.int64], np.ndarray]:
    """Ids and an N x D matrix in the stored dtype (features stay float16: 100,000 of them are 256 MB)."""
    import numpy as np

    ids = np.empty(n, np.int64)
    matrix: np.ndarray | None = None
    at = 0
    while rows := cursor.fetchmany(FETCH_ROWS):
        chunk_ids, blobs = zip(*rows, strict=True)
        block = np.frombuffer(b"".join(blobs), dtype=dtype)
        if matrix is None:
            matrix = np.empty((n, len(rows[0][1]) // np.dtype(dtype).itemsize), dtype)
        block = block.reshape(len(rows), matrix.shape[1])
        ids[at : at + len(rows)] = chunk_ids
        matrix[at : at + len(rows)] = block
        at += len(rows)
    if matrix is None:
        matrix = np.empty((0, 0), dtype)
    return ids[:at], matrix[:at]
