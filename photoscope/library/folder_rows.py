"""The watched folders' rows: adding, removing and moving folders, their drives and mounts, the
problems a scan met below them and their exclusion rules. A part of ``db.Library``."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.library.errors import FolderPartOfWatched, LibraryError
from photoscope.library.fs import (
    UNSTORABLE_FOLDER,
    display_path,
    folder_path,
    is_under,
    left_empty,
    mounts_under,
    normalize_path,
    storable,
)
from photoscope.library.index_rows import IndexRows
from photoscope.library.records import Folder, StoredFile
from photoscope.library.sql import CAMEL, json_ids, now_iso, prefix_range
from photoscope.wording import plural

if TYPE_CHECKING:
    from photoscope.library.exclusions import ExclusionRule


class FolderRows(IndexRows):
    """The watched folders' rows."""

    def folders(self) -> list[Folder]:
        rows = self._query(
            "SELECT f.id, f.path, f.added_at, f.online, f.last_scan_at,"
            " (SELECT count(*) FROM photos p WHERE p.folder_id = f.id), f.drive, f.drive_id,"
            " (SELECT count(*) FROM photos p WHERE p.folder_id = f.id AND p.status = 'error'), f.root_id,"
            " (SELECT count(*) FROM moved_away a JOIN photos p ON p.id = a.photo_id"
            " WHERE p.folder_id = f.id),"
            " (SELECT count(*) FROM photos p WHERE p.folder_id = f.id AND p.status = 'pending')"
            " FROM folders f ORDER BY f.path"
        )
        return [
            Folder(
                r[0],
                r[1],
                r[2],
                bool(r[3]),
                r[4],
                r[5],
                r[6],
                r[7],
                unreadable=r[8],
                root_id=r[9],
                away=r[10],
                pending=r[11],
            )
            for r in rows
        ]

    def folder(self, path: str | Path) -> Folder | None:
        """The watched folder at ``path`` (as given, or with its symlinks resolved)."""
        keys = {normalize_path(path), folder_path(path)}
        return next((f for f in self.folders() if f.path in keys), None)

    def add_folder(self, path: str | Path) -> Folder:
        """Watch a folder, under its real path (``fs.folder_path``). A folder inside a watched one is
        refused; one containing watched folders absorbs them (their photos keep their ids and index
        entries)."""
        key = folder_path(path)
        if not storable(key):  # SQLite holds UTF-8 text: the insert failed as an unexpected error
            raise LibraryError(f"{display_path(key)}: {UNSTORABLE_FOLDER}")
        with self.transaction() as cur:
            existing = self.folder(key)
            if existing is not None:
                return dataclasses.replace(existing, already=True)
            for other in self.folders():
                if is_under(key, other.path):
                    raise self._inside_error(key, other)
            _refuse_absorbing_offline(key, self.folders())
            _refuse_absorbing_rules(key, self.exclusion_rules())
            cur.execute("INSERT INTO folders (path, added_at) VALUES (?, ?)", (key, now_iso()))
            new_id = cur.lastrowid
            inside = [f for f in self.folders() if f.id != new_id and is_under(f.path, key)]
            children = [f.id for f in inside]
            if children:
                cur.execute(
                    "UPDATE photos SET folder_id = ? WHERE folder_id IN (SELECT value FROM json_each(?))",
                    (new_id, json_ids(children)),
                )
                cur.execute(
                    "UPDATE OR IGNORE mounts SET folder_id = ?"
                    " WHERE folder_id IN (SELECT value FROM json_each(?))",
                    (new_id, json_ids(children)),
                )
                cur.execute(
                    "DELETE FROM folders WHERE id IN (SELECT value FROM json_each(?))", (json_ids(children),)
                )
        folder = self.folder(key)
        assert folder is not None
        self.backup(max_age_s=0)  # the folder list is the configuration a lost file must not lose
        return dataclasses.replace(folder, absorbed=tuple(f.path for f in inside))

    def _inside_error(self, key: str, watched: Folder) -> LibraryError:
        """Why a folder inside a watched one is not added: it is part of it, or a rule leaves it out
        (a subfolder rule, an ignore file, a pattern, the hidden-folders setting)."""
        from photoscope.library.exclusions import Rules

        left_out = Rules.load(self).left_out_because(key)
        return LibraryError(left_out) if left_out else FolderPartOfWatched(key, watched.path)

    def remove_folder(self, path: str | Path) -> list[int]:
        """Stop watching a folder and drop its photos from the index; returns their ids."""
        folder = self.folder(path)
        if folder is None:
            key = normalize_path(path)
            holder = next((f for f in self.folders() if is_under(key, f.path)), None)
            if holder is not None:
                raise LibraryError(
                    f"{display_path(key)} is not a watched folder: it is part of {holder.path}"
                    " (exclude it there to leave its photos out)"
                )
            raise LibraryError(f"{display_path(key)} is not a watched folder")
        with self.transaction() as cur:
            ids = [r[0] for r in cur.execute("SELECT id FROM photos WHERE folder_id = ?", (folder.id,))]
            self._delete(cur, ids)
            cur.execute("DELETE FROM folders WHERE id = ?", (folder.id,))
            cur.execute(
                "DELETE FROM problems WHERE path = ? OR (path > ? AND path < ?)",
                (folder.path, *prefix_range(folder.path)),
            )
        self.backup(max_age_s=0)
        return ids

    def set_folder_online(self, folder_id: int, online: bool) -> None:
        with self.transaction() as cur:
            cur.execute("UPDATE folders SET online = ? WHERE id = ?", (int(online), folder_id))

    def set_folder_drive(self, folder_id: int, mount_point: str, identity: str | None) -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE folders SET drive = ?, drive_id = ? WHERE id = ?", (mount_point, identity, folder_id)
            )

    def set_folder_root(self, folder_id: int, identity: str | None) -> None:
        """Note which directory the folder's root is (``fs.directory_identity``)."""
        with self.transaction() as cur:
            cur.execute("UPDATE folders SET root_id = ? WHERE id = ?", (identity, folder_id))

    def mark_moved_away(self, photo_ids: Sequence[int]) -> None:
        """Keep these photos as moved away with the directory that was at their folder's place: no
        scan takes them for deleted (``Scanner.check_folders``)."""
        with self.transaction() as cur:
            cur.executemany("INSERT OR IGNORE INTO moved_away VALUES (?)", [(i,) for i in photo_ids])

    def moved_away_paths(self) -> set[str]:
        """The paths of every photo kept as moved away."""
        rows = self._query("SELECT p.path FROM moved_away a JOIN photos p ON p.id = a.photo_id")
        return {str(r[0]) for r in rows}

    def back_in_place(self, paths: Iterable[str]) -> None:
        """These photos kept as moved away are at their place again: scanned as any other."""
        with self.transaction() as cur:
            cur.execute(
                "DELETE FROM moved_away WHERE photo_id IN"
                " (SELECT id FROM photos WHERE path IN (SELECT value FROM json_each(?)))",
                (json.dumps(list(paths)),),
            )

    def has_read_again_checks(self) -> bool:
        """Whether any photo an upgrade to schema 19 left to be looked at is still waiting."""
        return bool(self._query("SELECT EXISTS (SELECT 1 FROM read_again_checks)")[0][0])

    def read_again_checks(self, under: Iterable[str]) -> set[str]:
        """The paths of the photos an upgrade to schema 19 left for the next scan to look at once,
        at or below the paths ``under`` (a scan's: by the path index, not every check left, which
        photos on a drive away keep until it is back)."""
        found: set[str] = set()
        for top in under:
            rows = self._query(
                "SELECT p.path FROM photos p JOIN read_again_checks c ON c.photo_id = p.id"
                " WHERE p.path = ? OR (p.path > ? AND p.path < ?)",
                (top, f"{top}{os.sep}", f"{top}{chr(ord(os.sep) + 1)}"),  # every path below ``top``
            )
            found.update(str(r[0]) for r in rows)
        return found

    def read_again_checked(self, paths: Iterable[str]) -> None:
        """These photos were looked at (and queued to be read again where they needed it)."""
        with self.transaction() as cur:
            cur.execute(
                "DELETE FROM read_again_checks WHERE photo_id IN"
                " (SELECT id FROM photos WHERE path IN (SELECT value FROM json_each(?)))",
                (json.dumps(list(paths)),),
            )

    def moved_away_files(self, folder_id: int) -> list[StoredFile]:
        """The photos of a folder kept as moved away."""
        rows = self._query(
            "SELECT p.id, p.path, p.size, p.mtime, p.hash FROM moved_away a"
            " JOIN photos p ON p.id = a.photo_id WHERE p.folder_id = ?",
            (folder_id,),
        )
        return [StoredFile(*r) for r in rows]

    def some_paths(self, folder_id: int, limit: int = 20) -> list[str]:
        """A few of a folder's photos' paths (spread over it by id): enough to see if its files are there."""
        rows = self._query(
            "SELECT path FROM photos WHERE folder_id = ? AND id % 97 = 0 LIMIT ?", (folder_id, limit)
        ) or self._query("SELECT path FROM photos WHERE folder_id = ? LIMIT ?", (folder_id, limit))
        return [str(r[0]) for r in rows]

    def sample_files(self, folder_id: int, limit: int = 20) -> list[StoredFile]:
        """A few of a folder's photos, drawn at random (a fixed draw lets a copy that lacks a photo
        outside it pass every time): enough to tell whether its files' bytes are somewhere else now.
        Only photos with a hash: one without (unreadable when scanned) could be told by its size alone;
        not those kept as moved away (their files are elsewhere)."""
        rows = self._query(
            "SELECT id, path, size, mtime, hash FROM photos WHERE folder_id = ? AND hash IS NOT NULL"
            " AND id NOT IN (SELECT photo_id FROM moved_away) ORDER BY random() LIMIT ?",
            (folder_id, limit),
        )
        return [StoredFile(*r) for r in rows]

    def photo_directories(self, folder_id: int) -> list[str]:
        """The directories that hold a folder's photos, each once."""
        # rtrim(path, <the path's characters but the separator>) leaves the directory and its separator
        rows = self._query(
            "SELECT DISTINCT rtrim(path, replace(path, ?, '')) FROM photos WHERE folder_id = ?",
            (os.sep, folder_id),
        )
        return [str(r[0]).rstrip(os.sep) or os.sep for r in rows]

    def folder_sizes(self, folder_id: int) -> list[tuple[str, int]]:
        """(path, size) of every photo of a folder, whatever its state."""
        rows = self._query("SELECT path, size FROM photos WHERE folder_id = ?", (folder_id,))
        return [(str(r[0]), int(r[1])) for r in rows]

    def folder_files(self, folder_id: int) -> list[StoredFile]:
        """Every photo of a folder that has a partial hash, what a move is recognised by."""
        rows = self._query(
            "SELECT id, path, size, mtime, hash FROM photos WHERE folder_id = ? AND hash IS NOT NULL",
            (folder_id,),
        )
        return [StoredFile(*r) for r in rows]

    def relocate_folder(self, folder_id: int, path: str | Path) -> Folder:
        """Watch a folder at another path, with its photos, their ids and index entries: the folder
        was moved or renamed as a whole (``library.relocation``). Its mount points move with it, but
        for its root's when the new one is none (kept, it read as a drive away for ever: the audit of
        stop 45); the drive above it is noted again at the next scan."""
        key = folder_path(path)
        old = next(f for f in self.folders() if f.id == folder_id)
        rest = len(old.path) + 1  # SQLite's substr counts characters from 1, as len() does
        with self.transaction() as cur:
            cur.execute(
                "UPDATE folders SET path = ?, online = 1, drive = NULL, drive_id = NULL, root_id = NULL"
                " WHERE id = ?",
                (key, folder_id),
            )
            cur.execute(
                f"UPDATE search SET path = ? || substr(path, ?), names = {CAMEL}(? || substr(path, ?))"
                " WHERE rowid IN (SELECT id FROM photos WHERE folder_id = ?)",
                (key, rest, key, rest, folder_id),
            )
            for table in ("photos", "mounts"):
                cur.execute(
                    f"UPDATE {table} SET path = ? || substr(path, ?) WHERE folder_id = ?",
                    (key, rest, folder_id),
                )
            if key not in mounts_under(key):  # followed to no mount point: its root is no drive's now
                cur.execute("DELETE FROM mounts WHERE folder_id = ? AND path = ?", (folder_id, key))
            cur.execute(
                "DELETE FROM problems WHERE path = ? OR (path > ? AND path < ?)",
                (old.path, *prefix_range(old.path)),
            )
        self.backup(max_age_s=0)  # the folder list is the configuration a lost file must not lose
        folder = self.folder(key)
        assert folder is not None
        return folder

    def follow_moved_away(self, folder_id: int, path: str | Path) -> Folder:
        """Watch a folder at ``path`` holding the photos of ``folder_id`` kept as moved away (its
        directory renamed there, another made at its place: ``library.relocation``): they become
        its photos, with their ids and index entries, and its exclusion rules are the folder's too.
        The folder at the old place keeps the photos that are there."""
        key = folder_path(path)
        old = next(f for f in self.folders() if f.id == folder_id)
        moving = json_ids([stored.id for stored in self.moved_away_files(folder_id)])
        rest = len(old.path) + 1  # SQLite's substr counts characters from 1, as len() does
        with self.transaction() as cur:
            cur.execute("INSERT INTO folders (path, added_at) VALUES (?, ?)", (key, now_iso()))
            new_id = cur.lastrowid
            cur.execute(
                f"UPDATE search SET path = ? || substr(path, ?), names = {CAMEL}(? || substr(path, ?))"
                " WHERE rowid IN (SELECT value FROM json_each(?))",
                (key, rest, key, rest, moving),
            )
            cur.execute(
                "UPDATE photos SET folder_id = ?, path = ? || substr(path, ?)"
                " WHERE id IN (SELECT value FROM json_each(?))",
                (new_id, key, rest, moving),
            )
            cur.execute("DELETE FROM moved_away WHERE photo_id IN (SELECT value FROM json_each(?))", [moving])
            cur.execute(
                "INSERT OR IGNORE INTO exclusions (folder_id, kind, pattern, identity)"
                " SELECT ?, kind, pattern, identity FROM exclusions WHERE folder_id = ?",
                (new_id, folder_id),
            )
            # what the folder's scans said of them: why they were kept
            cur.execute("DELETE FROM problems WHERE path = ?", (display_path(old.path),))
        self.backup(max_age_s=0)  # the folder list is the configuration a lost file must not lose
        folder = self.folder(key)
        assert folder is not None
        return folder

    def photo_paths(self, folder_id: int) -> list[tuple[int, str]]:
        """(id, path) of every photo of a folder."""
        return [
            (r[0], str(r[1]))
            for r in self._query("SELECT id, path FROM photos WHERE folder_id = ?", (folder_id,))
        ]

    def mark_scanned(self, folder_id: int) -> None:
        with self.transaction() as cur:
            cur.execute("UPDATE folders SET last_scan_at = ? WHERE id = ?", (now_iso(), folder_id))

    def mounts(self, folder_id: int | None = None) -> set[str]:
        """Mount points recorded at or below a watched folder (all folders' with None)."""
        if folder_id is None:
            return {str(r[0]) for r in self._query("SELECT path FROM mounts")}
        return {str(r[0]) for r in self._query("SELECT path FROM mounts WHERE folder_id = ?", (folder_id,))}

    def set_mounts(self, folder_id: int, paths: Iterable[str]) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM mounts WHERE folder_id = ?", (folder_id,))
            cur.executemany("INSERT INTO mounts VALUES (?, ?)", [(folder_id, p) for p in sorted(set(paths))])

    def replace_problems(self, targets: Iterable[str], problems: Iterable[tuple[str, str]]) -> None:
        """Forget the problems recorded at or below ``targets`` (just scanned) and record ``problems``:
        (display path, reason) of what the scan could not look at or could not index."""
        with self.transaction() as cur:
            for target in targets:
                cur.execute(
                    "DELETE FROM problems WHERE path = ? OR (path > ? AND path < ?)",
                    (target, *prefix_range(target)),
                )
            cur.executemany("INSERT OR REPLACE INTO problems VALUES (?, ?)", list(problems))

    def forget_problem(self, path: str, starting: str) -> None:
        """Forget what was recorded of ``path`` if its reason starts with ``starting`` (no longer so)."""
        with self.transaction() as cur:
            cur.execute(
                "DELETE FROM problems WHERE path = ? AND substr(reason, 1, length(?)) = ?",
                (path, starting, starting),
            )

    def problems(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, reason) of what the scans could not look at or index (not photos that failed to decode)."""
        rows = self._query(
            "SELECT path, reason FROM problems ORDER BY path LIMIT ?", (-1 if limit is None else limit,)
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    def problem_count(self, but: str | None = None) -> int:
        """How many ``problems`` there are (``but``: not counting those of this reason)."""
        return int(self._query("SELECT count(*) FROM problems WHERE reason IS NOT ?", (but,))[0][0])

    def exclusion_rules(self) -> list[ExclusionRule]:
        """Every watched folder's exclusion rules (``library.exclusions``)."""
        from photoscope.library.exclusions import ExclusionRule

        rows = self._query(
            "SELECT f.path, e.kind, e.pattern FROM exclusions e JOIN folders f ON f.id = e.folder_id"
            " ORDER BY f.path, e.kind, e.pattern"
        )
        return [ExclusionRule(str(r[0]), r[1], str(r[2])) for r in rows]

    def set_exclusion_rule(self, rule: ExclusionRule, present: bool) -> bool:
        """Add (``present``) or remove a rule; returns whether that changed anything."""
        with self.transaction() as cur:
            folder = cur.execute("SELECT id FROM folders WHERE path = ?", (rule.folder,)).fetchone()
            if folder is None:
                raise LibraryError(f"{rule.folder} is not a watched folder")
            values = (folder[0], rule.kind, rule.pattern)
            if present:
                # what it names is noted by the scan that applies it (``exclusions.follow_moved_targets``)
                cur.execute(
                    "INSERT OR IGNORE INTO exclusions (folder_id, kind, pattern) VALUES (?, ?, ?)", values
                )
            else:
                cur.execute("DELETE FROM exclusions WHERE folder_id = ? AND kind = ? AND pattern = ?", values)
            return cur.rowcount == 1

    def rule_identities(self) -> dict[ExclusionRule, str | None]:
        """The folder and photo rules, each with what it names as a scan last saw it (as
        ``exclusions.follow_moved_targets`` writes it; None: not known)."""
        from photoscope.library.exclusions import ExclusionRule

        rows = self._query(
            "SELECT f.path, e.kind, e.pattern, e.identity FROM exclusions e"
            " JOIN folders f ON f.id = e.folder_id WHERE e.kind IN ('folder', 'photo')"
        )
        return {ExclusionRule(str(r[0]), r[1], str(r[2])): r[3] for r in rows}

    def note_rule_target(self, rule: ExclusionRule, identity: str | None, pattern: str | None = None) -> None:
        """What a rule names is ``identity`` now (None: gone, or not to be told), at ``pattern`` (its
        subfolder or photo, moved there) when given; a rule already there for it is kept as it is."""
        with self.transaction() as cur:
            folder = cur.execute("SELECT id FROM folders WHERE path = ?", (rule.folder,)).fetchone()
            if folder is None:
                return
            key = (folder[0], rule.kind, rule.pattern)
            if pattern is not None and pattern != rule.pattern:
                cur.execute(
                    "UPDATE OR IGNORE exclusions SET pattern = ?"
                    " WHERE folder_id = ? AND kind = ? AND pattern = ?",
                    (pattern, *key),
                )
                cur.execute("DELETE FROM exclusions WHERE folder_id = ? AND kind = ? AND pattern = ?", key)
                key = (folder[0], rule.kind, pattern)
            cur.execute(
                "UPDATE exclusions SET identity = ? WHERE folder_id = ? AND kind = ? AND pattern = ?",
                (identity, *key),
            )


def _refuse_absorbing_rules(key: str, rules: Sequence[ExclusionRule]) -> None:
    """A watched folder inside ``key`` with exclusion rules cannot become part of ``key``: its rules
    were dropped with it, and the next scan took in what they left out (the CLI audit of stop 55)."""
    held = [r for r in rules if is_under(r.folder, key)]
    if held:
        folder = held[0].folder
        count = sum(r.folder == folder for r in held)
        raise LibraryError(
            f"{folder} is watched with {plural(count, 'exclusion rule')}, which would not apply to"
            f" {key}, which holds it: remove them first (`photoscope folders include`), or keep"
            " watching the smaller folder"
        )


def _refuse_absorbing_offline(key: str, folders: Sequence[Folder]) -> None:
    """A watched folder inside ``key`` that is offline (its drive unplugged) cannot become part of
    ``key``: the new folder's scans would find its photos missing and drop them, as nothing would
    remember that they are away."""
    offline = [
        f.path
        for f in folders
        if not f.online and is_under(f.path, key) and (not os.path.isdir(f.path) or left_empty(f.path))
    ]  # offline at the last scan and still away: one plugged back in since is absorbed as usual
    if offline:
        raise LibraryError(
            f"{offline[0]} is watched and offline (an unplugged drive?): plug it in before watching "
            f"{key}, which holds it, or stop watching it (`photoscope folders remove`)"
        )
