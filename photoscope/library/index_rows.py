"""The photos' rows as scans and the indexer write them: new, moved and deleted files, the photos
waiting to be indexed, what the indexer found (vectors, captions, tags) and failures. A part of
``db.Library``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from photoscope.library import stash_rows
from photoscope.library.photo_reads import PhotoReads
from photoscope.library.records import (
    FailedPhoto,
    IndexedPhoto,
    Move,
    NewFile,
    PendingPhoto,
    Stashing,
    StoredFile,
    StoredStat,
)
from photoscope.library.schema import NEXT_PHOTO_ID
from photoscope.library.sql import CAMEL, json_ids, now_iso, prefix_range

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class IndexRows(PhotoReads):
    """The photos' rows as scans and the indexer write them."""

    def stats_under(self, directory: str) -> dict[str, StoredStat]:
        """Every stored photo below ``directory`` (recursively) as (path, size, mtime, ctime), keyed by path,
        in one query. Only what a re-scan compares: a million rows are read, and most stay as SQLite
        made them (the few that turn out gone are read whole with ``files_at``)."""
        low, high = prefix_range(directory)
        rows = self._query(
            "SELECT path, size, mtime, ctime FROM photos WHERE path > ? AND path < ?", (low, high)
        )
        return {row[0]: row for row in rows}

    def files_with_hashes(self, hashes: Iterable[str]) -> list[StoredFile]:
        rows = self._query(
            "SELECT id, path, size, mtime, hash FROM photos WHERE hash IN (SELECT value FROM json_each(?))",
            (json.dumps(list(hashes)),),
        )
        return [StoredFile(*r) for r in rows]

    def files_at(self, paths: Iterable[str]) -> dict[str, StoredFile]:
        rows = self._query(
            "SELECT id, path, size, mtime, hash, ctime FROM photos"
            " WHERE path IN (SELECT value FROM json_each(?))",
            (json.dumps(list(paths)),),
        )
        return {r[1]: StoredFile(*r) for r in rows}

    def apply_scan(
        self,
        new: Sequence[NewFile] = (),
        changed: Sequence[NewFile | StoredFile] = (),
        moves: Sequence[Move] = (),
        removed: Sequence[int] = (),
        times: Sequence[tuple[float, str]] = (),
        retimed: Sequence[tuple[float, float, str]] = (),
        stash: Stashing | None = None,
    ) -> list[int]:
        """Record one scan's findings in one transaction; returns the ids of the new photos.

        ``changed`` rows become pending again but keep their caption and vectors until re-indexed,
        so a photo stays searchable while its new version waits. ``times``: (ctime, path) of
        unchanged photos whose change time moved (a chmod) or was not kept (a library from before).
        ``retimed``: (mtime, ctime, path) of unchanged photos whose file time moved (`touch`).
        ``stash``: the removed photos' entries to keep first (``stash_rows.keep``).
        """
        with self.transaction() as cur:
            new, moves = _still_watched(cur, new, moves)
            if stash is not None:
                stash_rows.keep(cur, stash)
            self._delete(cur, removed)
            self._move(cur, moves)
            if changed:
                cur.executemany(
                    "UPDATE photos SET size = ?, mtime = ?, hash = ?, ctime = ?, status = 'pending',"
                    " error = NULL WHERE path = ?",
                    [(c.size, c.mtime, c.hash, c.ctime, c.path) for c in changed],
                )
            if times:
                cur.executemany("UPDATE photos SET ctime = ? WHERE path = ?", times)
            if retimed:
                cur.executemany("UPDATE photos SET mtime = ?, ctime = ? WHERE path = ?", retimed)
            new_ids = []
            for n in new:
                # OR IGNORE: another process's scan may have stored the same new file a moment ago.
                cur.execute(
                    "INSERT OR IGNORE INTO photos (id, folder_id, path, size, mtime, hash, ctime)"
                    f" VALUES ({NEXT_PHOTO_ID}, ?, ?, ?, ?, ?, ?)",
                    (n.folder_id, n.path, n.size, n.mtime, n.hash, n.ctime),
                )
                if cur.rowcount == 1 and cur.lastrowid is not None:
                    new_ids.append(cur.lastrowid)
        return new_ids

    def restore_stashed(self, since: str) -> list[tuple[int, str, str]]:
        """Write the stashed entries (none stashed before ``since``) of the photos waiting to be
        indexed back as indexed, and drop them from the stash; (id, the path it had, its path now)
        of each written."""
        if not self._query(stash_rows.ANY_MATCHING):  # no write transaction for a scan that brings none
            return []
        stamp = now_iso()
        with self.transaction() as cur:
            stash_rows.drop_stale(cur, since)
            found = stash_rows.matching(cur)
            written = [
                (seq, entry.id, was, now)
                for seq, entry, was, now in found
                if self._write_indexed(cur, entry, stamp)
            ]
            stash_rows.forget(cur, [seq for seq, *_ in written])
        return [(photo_id, was, now) for _, photo_id, was, now in written]

    def forget_stashed(self, paths: Sequence[str]) -> int:
        """Drop the stashed entries of the photos that were at ``paths``: nothing of them is kept.
        Returns how many entries went."""
        with self.transaction() as cur:
            cur.execute(
                "DELETE FROM stash WHERE path IN (SELECT value FROM json_each(?))", (json.dumps(list(paths)),)
            )
            return max(cur.rowcount, 0)

    def move_stashed(self, old: str, new: str) -> None:
        """The stashed entries of the photo at ``old``, or of the photos under the folder ``old``, at
        the same place under ``new``: where what an exclusion rule names moved, the rule following it
        (``exclusions.follow_moved_targets``). A `--forget` of the rule missed them (audit 96)."""
        with self.transaction() as cur:
            stash_rows.move(cur, old, new)

    def stash_files(self) -> list[tuple[str, str, int, float]]:
        """(path, partial hash, size, time) of each photo whose entry the stash keeps, in path order
        (a rule's matcher walks them a directory at a time)."""
        rows = self._query("SELECT path, hash, size, mtime FROM stash ORDER BY path")
        return [(str(path), str(digest), int(size), float(mtime)) for path, digest, size, mtime in rows]

    def stashed_of(self, files: Sequence[StoredFile]) -> set[str]:
        """The paths of these photos (gone from the index) whose entries the stash holds."""
        wanted = {(f.path, f.hash, f.size, f.mtime) for f in files}
        rows = self._query(
            "SELECT path, hash, size, mtime FROM stash WHERE path IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted({f.path for f in files})),),
        )
        return {row[0] for row in rows if tuple(row) in wanted}

    def add_photos(self, new: Sequence[NewFile]) -> list[int]:
        return self.apply_scan(new=new)

    def move_photos(self, moves: Sequence[Move]) -> None:
        self.apply_scan(moves=moves)

    def delete_photos(self, ids: Sequence[int]) -> None:
        self.apply_scan(removed=ids)

    @staticmethod
    def _move(cur: sqlite3.Cursor, moves: Sequence[Move]) -> None:
        if not moves:
            return
        cur.executemany(
            "UPDATE photos SET path = ?, folder_id = ?, size = ?, mtime = ? WHERE id = ?",
            [(m.path, m.folder_id, m.size, m.mtime, m.id) for m in moves],
        )
        cur.executemany(
            f"UPDATE search SET path = ?, names = {CAMEL}(?) WHERE rowid = ?",
            [(m.path, m.path, m.id) for m in moves],
        )
        # A photo kept as moved away (``Scanner.check_folders``) whose row follows its file is
        # where its file is: scanned as any other from now on.
        cur.execute(
            "DELETE FROM moved_away WHERE photo_id IN (SELECT value FROM json_each(?))",
            (json_ids([m.id for m in moves]),),
        )

    @staticmethod
    def _delete(cur: sqlite3.Cursor, ids: Sequence[int]) -> None:
        if not ids:
            return
        selection = "(SELECT value FROM json_each(?))"
        cur.execute(f"DELETE FROM search WHERE rowid IN {selection}", (json_ids(ids),))
        # captions, tags and vectors go with their photo (ON DELETE CASCADE).
        cur.execute(f"DELETE FROM photos WHERE id IN {selection}", (json_ids(ids),))

    def pending(self, after_id: int = 0, limit: int = 256) -> list[PendingPhoto]:
        """Pending photos in online folders, in id order: the worker pages through with ``after_id``."""
        rows = self._query(
            "SELECT p.id, p.path, p.size, p.mtime FROM photos p JOIN folders f ON f.id = p.folder_id"
            " WHERE p.status = 'pending' AND f.online = 1 AND p.id > ? ORDER BY p.id LIMIT ?",
            (after_id, limit),
        )
        return [PendingPhoto(*r) for r in rows]

    def copies_waiting(
        self, model_version: str, after_id: int = 0, limit: int = 256
    ) -> list[tuple[PendingPhoto, int, str]]:
        """Pending photos in online folders that an indexed photo of ``model_version`` may be a
        copy of (the same partial hash and size), in id order, each with that photo's id and path.
        Not one an upgrade left to be looked at (``read_again_checks``): its reading may be stale,
        and a copy read again took it for good (audit 88, repro_1)."""
        rows = self._query(
            # By the (status, id) index: the few photos pending among 100,000 in 0.5 ms, where
            # SQLite's own choice walked every row by id (36 ms, each indexing run).
            # (SQLite's min() gives the path of the row with the least id: one original a copy.)
            "SELECT p.id, p.path, p.size, p.mtime, min(s.id), s.path FROM photos p INDEXED BY photos_status"
            " JOIN folders f ON f.id = p.folder_id AND f.online = 1"
            " JOIN photos s ON s.hash = p.hash AND s.size = p.size AND s.id != p.id"
            " AND s.status = 'indexed' AND s.model_version = ?"
            " AND s.id NOT IN (SELECT photo_id FROM read_again_checks)"
            " WHERE p.status = 'pending' AND p.id > ? GROUP BY p.id ORDER BY p.id LIMIT ?",
            (model_version, after_id, limit),
        )
        return [(PendingPhoto(*r[:4]), int(r[4]), str(r[5])) for r in rows]

    def index_entries(self, ids: Sequence[int], model_version: str) -> dict[int, IndexedPhoto]:
        """The index entries, as the worker wrote them, of the indexed photos among ``ids`` that
        ``model_version`` described (those with a caption and vectors), by id."""
        import numpy as np

        lat_ids, latents = self.load_vectors("latent", ids=ids, model_version=model_version)
        feat_ids, features = self.load_vectors("feature", ids=ids, model_version=model_version)
        feature_of = {int(i): features[n] for n, i in enumerate(feat_ids)}
        records = {r.id: r for r in self.photos_by_ids([int(i) for i in lat_ids])}
        rules = dict(
            self._query(
                "SELECT id, description_version FROM photos WHERE id IN (SELECT value FROM json_each(?))",
                (json_ids(records),),
            )
        )
        entries = {}
        for n, photo_id in enumerate(lat_ids.tolist()):
            r = records.get(photo_id)
            if r is None or r.status != "indexed" or r.caption is None:
                continue
            entries[photo_id] = IndexedPhoto(
                id=photo_id,
                size=r.size,
                mtime=r.mtime,
                width=r.width or 0,
                height=r.height or 0,
                taken_at=r.taken_at,
                camera=r.camera,
                caption=r.caption,
                caption_score=r.caption_score or 0.0,
                tags=list(r.tags),
                latent=np.array(latents[n]),
                feature=feature_of.get(photo_id),
                model_version=model_version,
                description_version=rules.get(photo_id),
            )
        return entries

    def try_errors_again(self, folder_ids: Sequence[int]) -> int:
        """Make the photos of these folders that could not be read for now (``FailedPhoto``'s not
        ``not_a_photo``) pending again; returns how many."""
        if not folder_ids:  # a watcher's scan of some paths: no write (the library's lock) for nothing
            return 0
        with self.transaction() as cur:
            cur.execute(
                "UPDATE photos SET status = 'pending' WHERE status = 'error' AND try_again = 1"
                " AND folder_id IN (SELECT value FROM json_each(?))",
                (json_ids(folder_ids),),
            )
            return cur.rowcount

    def try_errors_again_at(self, paths: Sequence[str]) -> int:
        """``try_errors_again`` for the photos at or below these paths: those a watcher's scan was
        given because they changed (a chmod changes no size or time, and gives the permission back);
        returns how many."""
        retried = 0
        if not paths:
            return retried
        with self.transaction() as cur:
            for path in paths:
                cur.execute(
                    "UPDATE photos SET status = 'pending' WHERE status = 'error' AND try_again = 1"
                    " AND (path = ? OR (path > ? AND path < ?))",
                    (path, *prefix_range(path)),
                )
                retried += cur.rowcount
        return retried

    def pending_count(self) -> int:
        rows = self._query(
            "SELECT count(*) FROM photos p JOIN folders f ON f.id = p.folder_id"
            " WHERE p.status = 'pending' AND f.online = 1"
        )
        return int(rows[0][0])

    def indexed_by_other_versions(self, model_version: str) -> int:
        """How many photos stand indexed by another model than ``model_version``."""
        rows = self._query(
            "SELECT count(*) FROM photos WHERE status = 'indexed' AND model_version IS NOT ?",
            (model_version,),
        )
        return int(rows[0][0])

    def requeue(self, ids: Sequence[int]) -> None:
        """Make indexed photos pending: encoded again by the next indexing (their vectors lost)."""
        with self.transaction() as cur:
            requeued = "UPDATE photos SET status = 'pending' WHERE id = ? AND status = 'indexed'"
            cur.executemany(requeued, [(i,) for i in ids])

    def requeue_other_versions(self, model_version: str) -> int:
        """Make photos indexed by another model pending again: vectors of different models don't mix."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE photos SET status = 'pending' WHERE status = 'indexed' AND model_version IS NOT ?",
                (model_version,),
            )
            return cur.rowcount

    def indexed_by(self, model_version: str, limit: int, after_id: int = 0) -> list[tuple[int, str]]:
        """(id, path) of photos indexed by ``model_version`` with a stored feature, ids above
        ``after_id``, in id order."""
        rows = self._query(
            "SELECT p.id, p.path FROM photos p JOIN features f ON f.photo_id = p.id"
            " WHERE p.status = 'indexed' AND p.model_version = ? AND p.id > ? ORDER BY p.id LIMIT ?",
            (model_version, after_id, limit),
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    def adopt_latents(
        self, ids: Sequence[int], latents: npt.NDArray[np.float32], from_version: str, model_version: str
    ) -> list[int]:
        """Photos indexed by ``from_version`` become ``model_version``'s with new latents (computed
        from their stored features by a model on the same encoder): features and tags stay, the
        caption waits to be written again from the vectors (``stale_descriptions``). A photo
        indexed again meanwhile is left as it is. Returns the ids adopted."""
        import numpy as np

        adopted = []
        with self.transaction() as cur:
            for photo_id, latent in zip(ids, latents, strict=True):
                cur.execute(
                    "UPDATE photos SET model_version = ?, description_version = NULL"
                    " WHERE id = ? AND status = 'indexed' AND model_version = ?",
                    (model_version, photo_id, from_version),
                )
                if cur.rowcount == 1:
                    blob = np.asarray(latent, np.float32).tobytes()
                    cur.execute("UPDATE vectors SET latent = ? WHERE photo_id = ?", (blob, photo_id))
                    adopted.append(photo_id)
        return adopted

    def write_results(self, batch: Sequence[IndexedPhoto | FailedPhoto]) -> list[int]:
        """Store a batch of worker results in ONE transaction; returns the ids stored as indexed.

        Each row is updated only if its size and mtime are still the ones the worker read: a photo that
        changed (or was deleted) meanwhile stays pending for the next round instead of getting stale data.
        """
        written = []
        stamp = now_iso()
        with self.transaction() as cur:
            for result in batch:
                if isinstance(result, FailedPhoto):
                    cur.execute(
                        "UPDATE photos SET status = 'error', error = ?, indexed_at = ?, try_again = ?"
                        " WHERE id = ? AND size = ? AND mtime = ?",
                        (
                            result.error,
                            stamp,
                            int(not result.not_a_photo),
                            result.id,
                            result.size,
                            result.mtime,
                        ),
                    )
                    if cur.rowcount == 1 and result.another_file:  # no match for what is not there
                        self._forget_description(cur, result.id)
                elif self._write_indexed(cur, result, stamp):
                    written.append(result.id)
        return written

    @staticmethod
    def _forget_description(cur: sqlite3.Cursor, photo_id: int) -> None:
        """Drop what an earlier version of the photo left (its vectors, caption, tags and text-index
        row): its file holds another kind of file now. The entry itself stays, under the errors."""
        for table in ("vectors", "features", "captions", "tags"):
            cur.execute(f"DELETE FROM {table} WHERE photo_id = ?", (photo_id,))
        cur.execute("DELETE FROM search WHERE rowid = ?", (photo_id,))

    @staticmethod
    def _write_indexed(cur: sqlite3.Cursor, r: IndexedPhoto, stamp: str) -> bool:
        cur.execute(
            "UPDATE photos SET width = ?, height = ?, taken_at = ?, camera = ?, status = 'indexed',"
            " error = NULL, model_version = ?, indexed_at = ? WHERE id = ? AND size = ? AND mtime = ?",
            (r.width, r.height, r.taken_at, r.camera, r.model_version, stamp, r.id, r.size, r.mtime),
        )
        if cur.rowcount != 1:
            return False
        import numpy as np

        cur.execute("UPDATE photos SET description_version = ? WHERE id = ?", (r.description_version, r.id))
        cur.execute("INSERT OR REPLACE INTO captions VALUES (?, ?, ?)", (r.id, r.caption, r.caption_score))
        cur.execute("DELETE FROM tags WHERE photo_id = ?", (r.id,))
        cur.executemany(
            "INSERT INTO tags VALUES (?, ?, ?)", [(r.id, label, score) for label, score in r.tags]
        )
        cur.execute(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?)", (r.id, np.asarray(r.latent, np.float32).tobytes())
        )
        if r.feature is None:
            cur.execute("DELETE FROM features WHERE photo_id = ?", (r.id,))
        else:
            feature = np.asarray(r.feature, np.float16).tobytes()
            cur.execute("INSERT OR REPLACE INTO features VALUES (?, ?)", (r.id, feature))
        cur.execute("DELETE FROM search WHERE rowid = ?", (r.id,))
        cur.execute(
            "INSERT INTO search (rowid, path, caption, tags, names)"
            f" SELECT id, path, ?, ?, {CAMEL}(path) FROM photos WHERE id = ?",
            (r.caption, " ".join(label for label, _ in r.tags), r.id),
        )
        return True

    def stale_descriptions(
        self, version: str, model_version: str, limit: int = 256, after_id: int = 0
    ) -> list[int]:
        """Indexed photos (by ``model_version``, ids above ``after_id``) whose caption an older
        caption rule wrote."""
        rows = self._query(
            "SELECT id FROM photos WHERE status = 'indexed' AND model_version = ? AND id > ?"
            " AND description_version IS NOT ? ORDER BY id LIMIT ?",
            (model_version, after_id, version, limit),
        )
        return [int(r[0]) for r in rows]

    def stale_description_count(self, version: str, model_version: str | None = None) -> int:
        """How many photos ``stale_descriptions`` would give, all of them (any model's without
        ``model_version``)."""
        query = "SELECT count(*) FROM photos WHERE status = 'indexed' AND description_version IS NOT ?"
        args: tuple[str, ...] = (version,)
        if model_version is not None:
            query, args = query + " AND model_version = ?", (version, model_version)
        return int(self._query(query, args)[0][0])

    def write_descriptions(self, rows: Sequence[tuple[int, str, float]], version: str) -> None:
        """New captions (photo id, caption, score) written from stored vectors by caption rule ``version``."""
        with self.transaction() as cur:
            for photo_id, caption, score in rows:
                cur.execute(
                    "UPDATE photos SET description_version = ? WHERE id = ? AND status = 'indexed'",
                    (version, photo_id),
                )
                if cur.rowcount != 1:
                    continue
                cur.execute("INSERT OR REPLACE INTO captions VALUES (?, ?, ?)", (photo_id, caption, score))
                cur.execute("UPDATE search SET caption = ? WHERE rowid = ?", (caption, photo_id))


def _still_watched(
    cur: sqlite3.Cursor, new: Sequence[NewFile], moves: Sequence[Move]
) -> tuple[Sequence[NewFile], Sequence[Move]]:
    """The new files and moves whose folder is still watched: one removed while its scan ran (the
    library dialog's Remove during the watcher's start-up scan) is no longer asked for. Its rows
    had failed SQLite's foreign key, and the window called the library damaged, with two tracebacks
    (audit 75, repro_9)."""
    if not new and not moves:
        return new, moves
    watched = {row[0] for row in cur.execute("SELECT id FROM folders")}
    return [n for n in new if n.folder_id in watched], [m for m in moves if m.folder_id in watched]
