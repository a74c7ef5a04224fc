"""The stash's rows (schema 20, ``exclusions.Stash``): the index entries of photos that left the
index, copied from their rows in the transaction that removes them, and written back as indexed when
a photo comes back with the same partial hash, size and time. Statements on a cursor, so that each
runs in the transaction of the removal or of the scan that found the photo again."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from photoscope.library.fs import hash_tells_edits
from photoscope.library.records import IndexedPhoto, Stashing
from photoscope.library.sql import json_ids, now_iso, prefix_range

if TYPE_CHECKING:
    import numpy.typing as npt

# A photo's entry as the indexer wrote it, in the order it is taken (``json_each``'s key: the latest
# last); only an indexed photo with a caption and a latent has one to keep.
_KEEP = """
INSERT OR REPLACE INTO stash (hash, size, mtime, path, stashed_at, model_version, description_version,
    width, height, taken_at, camera, caption, caption_score, tags, latent, feature)
SELECT p.hash, p.size, p.mtime, p.path, ?, p.model_version, p.description_version,
    p.width, p.height, p.taken_at, p.camera, c.text, c.score,
    (SELECT json_group_array(json_array(t.label, t.score)) FROM tags t WHERE t.photo_id = p.id),
    v.latent, f.feature
FROM json_each(?) j
JOIN photos p ON p.id = j.value
JOIN captions c ON c.photo_id = p.id
JOIN vectors v ON v.photo_id = p.id
LEFT JOIN features f ON f.photo_id = p.id
WHERE p.status = 'indexed' AND p.model_version = ? AND p.hash IS NOT NULL
ORDER BY j.key
"""

# The photos waiting to be indexed that the stash holds an entry of: added by this scan, or by one
# that ended before it wrote them back (audit 93, repro_2).
_WAITING = """
FROM stash s
JOIN photos p ON p.hash = s.hash AND p.size = s.size AND p.mtime = s.mtime
WHERE p.status = 'pending'
"""
_MATCHING = (
    """
SELECT s.seq, p.id, p.path, s.path, p.size, p.mtime, s.width, s.height, s.taken_at, s.camera,
    s.caption, s.caption_score, s.tags, s.latent, s.feature, s.model_version, s.description_version
"""
    + _WAITING
)
# Whether any photo waiting has an entry: read first, as most scans bring none back.
ANY_MATCHING = "SELECT 1" + _WAITING + "LIMIT 1"


def keep(cur: sqlite3.Cursor, stashing: Stashing) -> None:
    """Copy the photos' entries into the stash (before their rows are deleted, in that transaction:
    a crash keeps both or neither), then drop what is too old or past the bound."""
    cur.execute(_KEEP, (now_iso(), json_ids(stashing.ids), stashing.model_version))
    drop_stale(cur, stashing.since)
    cur.execute(
        "DELETE FROM stash WHERE seq <= (SELECT seq FROM stash ORDER BY seq DESC LIMIT 1 OFFSET ?)",
        (stashing.capacity,),
    )


def drop_stale(cur: sqlite3.Cursor, since: str) -> None:
    """Forget the entries stashed before ``since``: their photos are taken as gone for good."""
    cur.execute("DELETE FROM stash WHERE stashed_at < ?", (since,))


def matching(cur: sqlite3.Cursor) -> list[tuple[int, IndexedPhoto, str, str]]:
    """The stashed entries of photos waiting to be indexed, each as (its stash row, the entry for the
    photo's row now, the path it had, its path now)."""
    rows = cur.execute(_MATCHING).fetchall()
    return [(row[0], _entry(row), row[3], row[2]) for row in rows if _same_photo(row[3], row[2])]


def _same_photo(was: str, now: str) -> bool:
    """Whether a photo with a stashed entry's partial hash, size and time is that photo: a JPEG is
    (its ends tell it from another, ``fs.hash_tells_edits``); another format only under its own name.
    scan_002.bmp, another page with scan_001.bmp's size, time and white ends, took its caption,
    tags and vectors (audit 93, repro_1); moved back, restored from the trash or let in again by a
    rule, a photo has its name."""
    return hash_tells_edits(now) or os.path.basename(was) == os.path.basename(now)


def forget(cur: sqlite3.Cursor, seqs: Sequence[int]) -> None:
    """Drop these entries: written back, they are the index's again."""
    cur.execute("DELETE FROM stash WHERE seq IN (SELECT value FROM json_each(?))", (json_ids(seqs),))


def move(cur: sqlite3.Cursor, old: str, new: str) -> None:
    """Entries at the path ``old``, or under it as a folder, to the same place under ``new``."""
    old, new = old.rstrip(os.sep), new.rstrip(os.sep)
    cur.execute(
        "UPDATE stash SET path = ? || substr(path, ?) WHERE path = ? OR (path > ? AND path < ?)",
        (new, len(old) + 1, old, *prefix_range(old)),
    )


def _entry(row: tuple[Any, ...]) -> IndexedPhoto:
    (_, photo_id, _, _, size, mtime, width, height, taken_at, camera, caption, score, tags, latent,
     feature, version, rule) = row  # fmt: skip
    return IndexedPhoto(
        id=photo_id,
        size=size,  # the row's: the file's, as the stashed entry's
        mtime=mtime,
        width=width or 0,
        height=height or 0,
        taken_at=taken_at,
        camera=camera,
        caption=caption,
        caption_score=score,
        tags=[(label, p) for label, p in json.loads(tags)],
        latent=_array(latent, "float32"),
        feature=None if feature is None else _array(feature, "float16"),
        model_version=version,
        description_version=rule,
    )


def _array(blob: bytes, dtype: str) -> npt.NDArray[Any]:
    import numpy as np

    return np.frombuffer(blob, dtype).copy()
