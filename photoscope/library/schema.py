"""The library database's schema, one step a version: ``MIGRATIONS[n]`` brings a version-``n`` file to
version ``n + 1`` (``PRAGMA user_version``). ``Library`` applies each step in its own transaction, so an
interrupted upgrade leaves the previous version intact.

Never edit a released step; append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from photoscope.library import name_words


def _v1_initial(db: sqlite3.Connection) -> None:
    statements = [
        """CREATE TABLE folders (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            added_at TEXT NOT NULL,
            online INTEGER NOT NULL DEFAULT 1,
            last_scan_at TEXT)""",
        """CREATE TABLE photos (
            id INTEGER PRIMARY KEY,
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            path TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            mtime REAL NOT NULL,
            hash TEXT,
            width INTEGER,
            height INTEGER,
            taken_at TEXT,
            camera TEXT,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'indexed', 'error')),
            error TEXT,
            model_version TEXT,
            indexed_at TEXT)""",
        "CREATE INDEX photos_folder ON photos(folder_id)",
        # (status, id): the worker pages through pending rows in id order without a sort.
        "CREATE INDEX photos_status ON photos(status, id)",
        "CREATE INDEX photos_hash ON photos(hash)",
        "CREATE INDEX photos_taken_at ON photos(taken_at)",
        """CREATE TABLE captions (
            photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            score REAL NOT NULL)""",
        """CREATE TABLE tags (
            photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            score REAL NOT NULL)""",
        "CREATE INDEX tags_photo ON tags(photo_id)",
        # The latent comes first in the row: reading it never has to touch the feature's overflow pages.
        """CREATE TABLE vectors (
            photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
            latent BLOB NOT NULL,
            feature BLOB)""",
        # Hand-kept FTS5 index (rowid = photo id): it spans three tables, which sqlite-utils' one-table
        # enable_fts triggers cannot express. Written in the same transactions as the rows it mirrors.
        """CREATE VIRTUAL TABLE search USING fts5(
            path, caption, tags, tokenize = 'unicode61 remove_diacritics 2')""",
    ]
    for sql in statements:
        db.execute(sql)


def _v2_features_apart(db: sqlite3.Connection) -> None:
    """Move the 1280-d features out of ``vectors`` into their own table.

    Side by side, each row (about 3.6 KB) filled a page of its own, so loading only the latents at
    start-up still read every page (100,000 photos: about 400 MB, 1 s). Apart, the latents pack
    about four to a page.
    """
    db.execute(
        """CREATE TABLE features (
            photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
            feature BLOB NOT NULL)"""
    )
    db.execute("INSERT INTO features SELECT photo_id, feature FROM vectors WHERE feature IS NOT NULL")
    db.execute("ALTER TABLE vectors DROP COLUMN feature")


def _v3_mounts_and_problems(db: sqlite3.Connection) -> None:
    """Mount points seen below each watched folder (an unplugged drive leaves an empty directory that
    must not read as "every photo deleted"), and what the last scans could not look at or index."""
    db.execute(
        """CREATE TABLE mounts (
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            PRIMARY KEY (folder_id, path))"""
    )
    db.execute("CREATE TABLE problems (path TEXT PRIMARY KEY, reason TEXT NOT NULL)")


def _v4_exclusions(db: sqlite3.Connection) -> None:
    """Exclusion rules of each watched folder: subfolders and glob patterns (``library.exclusions``)."""
    db.execute(
        """CREATE TABLE exclusions (
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('folder', 'pattern')),
            pattern TEXT NOT NULL,
            PRIMARY KEY (folder_id, kind, pattern))"""
    )


def _v5_vector_log(db: sqlite3.Connection) -> None:
    """A log of the photos whose vectors changed (written, replaced or deleted), kept by triggers, so
    the search's memory-mapped copy of the vectors (``search/sidecar.py``) can tell at open whether it
    is current and catch up on the few rows that are not; the copy prunes what it has taken in."""
    db.execute(
        "CREATE TABLE vector_log (generation INTEGER PRIMARY KEY AUTOINCREMENT, photo_id INTEGER NOT NULL)"
    )
    for table in ("vectors", "features"):
        for event, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
            db.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_log AFTER {event} ON {table}"
                f" BEGIN INSERT INTO vector_log (photo_id) VALUES ({row}.photo_id); END"
            )


def _v6_description_version(db: sqlite3.Connection) -> None:
    """Which version of the rule that turns a photo's vectors into its caption wrote it (NULL: before
    the rule had versions), so a new rule re-describes photos from their stored vectors without
    re-encoding them (``Library.stale_descriptions``)."""
    db.execute("ALTER TABLE photos ADD COLUMN description_version TEXT")


def _v7_settings(db: sqlite3.Connection) -> None:
    """The library's settings, one text value a key: whether hidden folders and files are indexed
    (``library.exclusions``); a key that is not there has its default."""
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _v8_folder_drive(db: sqlite3.Connection) -> None:
    """The mount point that held each folder at its last scan while online (NULL: none seen yet): a
    drive mounted above a watched folder, unplugged, leaves the folder's path on the disk below, where
    any app may create it again (``Scanner.check_folders``)."""
    db.execute("ALTER TABLE folders ADD COLUMN drive TEXT")


# The full-text index as version 9 made it (``doctor`` makes it so again when it is damaged).
SEARCH_TABLE = """CREATE VIRTUAL TABLE search USING fts5(
    path, caption, tags, names, tokenize = 'unicode61 remove_diacritics 2')"""


def _v9_camel_case_words(db: sqlite3.Connection) -> None:
    """The full-text index gains a ``names`` column: the words of the path's camelCase names apart
    (``library.name_words``; "tower" finds explore_eiffelTower.jpg). Built again from the tables it
    mirrors (a row a photo with a caption), not copied from the old index: a damaged one would
    have kept the library from opening at all."""
    name_words.register(db)
    db.execute("DROP TABLE search")
    db.execute(SEARCH_TABLE)
    db.execute(
        "INSERT INTO search (rowid, path, caption, tags, names)"
        " SELECT p.id, p.path, c.text,"
        " COALESCE((SELECT group_concat(label, ' ') FROM tags t WHERE t.photo_id = p.id), ''),"
        f" {name_words.SQL_FUNCTION}(p.path)"
        " FROM photos p JOIN captions c ON c.photo_id = p.id"
    )


RETIRED_IDS_KEY = "photo ids given up to"  # the settings key of the highest id a removed photo had
# A photo's next id: above every photo's and every removed photo's (``_v10_ids_never_reused``).
NEXT_PHOTO_ID = (
    "max(coalesce((SELECT max(id) FROM photos), 0),"
    f" coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = '{RETIRED_IDS_KEY}'), 0)) + 1"
)


def _v10_ids_never_reused(db: sqlite3.Connection) -> None:
    """A removed photo's id is never given to another (SQLite gives the highest id + 1 again): the
    maps' layouts, a running window's results and scripts reading ``search --json`` name photos by
    id. A trigger keeps the highest id removed in the settings (which backups and repairs carry),
    whatever removes the row (a scan, a folder's removal through the foreign keys, a repair); new
    photos are numbered above it (``NEXT_PHOTO_ID``). Ids removed before this version are known as
    far as the vector log still names them."""
    db.execute(
        f"""CREATE TRIGGER photos_delete_retire_id AFTER DELETE ON photos BEGIN
            INSERT INTO settings (key, value) VALUES ('{RETIRED_IDS_KEY}', old.id)
            ON CONFLICT (key) DO UPDATE
            SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)); END"""
    )
    db.execute(
        "INSERT INTO settings (key, value) SELECT ?, max(m) FROM"
        " (SELECT max(id) AS m FROM photos UNION ALL SELECT max(photo_id) FROM vector_log)"
        " WHERE m IS NOT NULL HAVING max(m) IS NOT NULL",
        (RETIRED_IDS_KEY,),
    )


def _v11_errors_tried_again(db: sqlite3.Connection) -> None:
    """Whether a photo that could not be indexed is tried again at the next scan of its whole
    folder: 1 when it could not be read for now (no permission, a drive's error, a decoder this
    install lacked), 0 when its bytes were read and are no photo. Before, it stayed an error until its
    file changed, which a permission given back or a plugin installed does not do. Errors from
    before this version are tried again once (their kind was not kept)."""
    db.execute("ALTER TABLE photos ADD COLUMN try_again INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE photos SET try_again = 1 WHERE status = 'error'")


def _v12_which_drive(db: sqlite3.Connection) -> None:
    """Which drive held each folder at its last scan while online (``fs.drive_identity``: its
    volume's UUID and the part of it mounted; NULL: not known yet, noted at the next scan): another
    drive mounted at the same place (two cards of one camera) read as every photo deleted."""
    db.execute("ALTER TABLE folders ADD COLUMN drive_id TEXT")


def _v13_photo_rules(db: sqlite3.Connection) -> None:
    """Rules for one photo (``folders exclude PHOTO``): its path below the watched folder, matched as
    written. It was a glob of that path, which matches whatever the case: excluding sub/Beach.jpg
    took sub/beach.JPG out too (the audit of stop 45). Rules made so before stay globs."""
    db.execute("ALTER TABLE exclusions RENAME TO exclusions_v12")
    db.execute(
        """CREATE TABLE exclusions (
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('folder', 'pattern', 'photo')),
            pattern TEXT NOT NULL,
            PRIMARY KEY (folder_id, kind, pattern))"""
    )
    db.execute("INSERT INTO exclusions SELECT folder_id, kind, pattern FROM exclusions_v12")
    db.execute("DROP TABLE exclusions_v12")


def _v14_moved_away(db: sqlite3.Connection) -> None:
    """Which directory each folder's root was at its last scan while online (``fs.directory_identity``:
    its inode number; NULL: not known, or not to be trusted there), and the photos kept as moved away
    with it: a folder renamed (``~/Pictures`` to ``~/Photos``) while an app made another at its place
    read as every photo deleted (``Scanner.check_folders``)."""
    db.execute("ALTER TABLE folders ADD COLUMN root_id TEXT")
    db.execute(
        """CREATE TABLE moved_away (
            photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE)"""
    )


def _v15_palette_photos_tried_again(db: sqlite3.Connection) -> None:
    """Large GIFs, palette PNGs and black-and-white PNGs were refused as "truncated or corrupt —
    image has wrong mode" (``photos._reducible``: PIL's reduce() has no such mode) and kept as no
    photo, never tried again while their files stayed unchanged. They are tried again once."""
    db.execute(
        "UPDATE photos SET try_again = 1 WHERE status = 'error' AND error LIKE '%image has wrong mode%'"
    )


def _v16_numbered_name_words(db: sqlite3.Connection) -> None:
    """The full-text index's ``names`` gain the words of numbered names ("solar6": solar, 6;
    ``name_words.camel_parts``): read again from each row's path, nothing else rewritten."""
    name_words.register(db)
    db.execute(f"UPDATE search SET names = {name_words.SQL_FUNCTION}(path)")


def _v17_change_times(db: sqlite3.Connection) -> None:
    """Each photo's change time as the last scan saw it (``fs.FileStat.ctime``): a photo rewritten
    with its size and time kept (`cp -p`, exiftool -P) is read again when its bytes differ (the
    fresh-seat audit of stop 59). NULL for the photos indexed before: the next scan notes it."""
    db.execute("ALTER TABLE photos ADD COLUMN ctime REAL")


def _v18_rule_identities(db: sqlite3.Connection) -> None:
    """Which subfolder or photo each folder and photo rule left out, as a scan saw it (its inode
    number, and the names in the folder or the photo's size and time: ``exclusions._Target``; NULL:
    not known yet, noted at the next scan): an excluded subfolder or photo renamed came back into the
    index (the reliability audit of stop 60); its rule follows it now."""
    db.execute("ALTER TABLE exclusions ADD COLUMN identity TEXT")


def _v19_read_again_checks(db: sqlite3.Connection) -> None:
    """The indexed photos that are no JPEG, each to be looked at once by the next scan that sees it:
    builds before this one read a photo with transparency without it (a black logo on a transparent
    ground was all black) and turned a TIFF with an orientation tag twice (audit 84). Those whose
    header shows either are read again (``photos.read_otherwise_before_v19``); the rest are not."""
    db.execute(
        """CREATE TABLE read_again_checks (
            photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE)"""
    )
    db.execute(
        "INSERT INTO read_again_checks SELECT id FROM photos WHERE status = 'indexed'"
        " AND lower(path) NOT LIKE '%.jpg' AND lower(path) NOT LIKE '%.jpeg'"
    )


def _v20_stash(db: sqlite3.Connection) -> None:
    """The index entries of photos that left the index (a rule or an ignore file took them out, or
    their files went), keyed by their bytes' partial hash, size and time, with the path each had
    (``exclusions.Stash``): back unchanged, a photo is written back as indexed, not encoded again.
    Kept in memory before, by the process that removed them: `folders exclude` from a terminal kept
    nothing, and the running `index --watch` encoded the photos again when the rule went (audit 92).
    ``seq`` orders them, the latest last (the stash keeps the latest); tags are JSON
    ``[[label, score], ...]``; the vectors are the blobs ``vectors`` and ``features`` hold."""
    db.execute(
        """CREATE TABLE stash (
            seq INTEGER PRIMARY KEY,
            hash TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime REAL NOT NULL,
            path TEXT NOT NULL,
            stashed_at TEXT NOT NULL,
            model_version TEXT NOT NULL,
            description_version TEXT,
            width INTEGER,
            height INTEGER,
            taken_at TEXT,
            camera TEXT,
            caption TEXT NOT NULL,
            caption_score REAL NOT NULL,
            tags TEXT NOT NULL,
            latent BLOB NOT NULL,
            feature BLOB,
            UNIQUE (hash, size, mtime))"""
    )


# One step per schema version, applied in order; never edit a released step, append a new one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_initial,
    _v2_features_apart,
    _v3_mounts_and_problems,
    _v4_exclusions,
    _v5_vector_log,
    _v6_description_version,
    _v7_settings,
    _v8_folder_drive,
    _v9_camel_case_words,
    _v10_ids_never_reused,
    _v11_errors_tried_again,
    _v12_which_drive,
    _v13_photo_rules,
    _v14_moved_away,
    _v15_palette_photos_tried_again,
    _v16_numbered_name_words,
    _v17_change_times,
    _v18_rule_identities,
    _v19_read_again_checks,
    _v20_stash,
]
