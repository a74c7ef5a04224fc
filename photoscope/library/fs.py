"""Finding photos on disk: which files count, walking folders, and the partial content hash.

Pure filesystem code (no database, no model) so the scanner and the watcher agree on what a photo is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat as stat_module
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from typing import IO, NamedTuple

log = logging.getLogger(__name__)

PHOTO_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"}
)

# rclip's trick: size plus the first and last 64 KiB identify a photo well enough to recognise it after a
# move or rename, while reading 128 KiB instead of the whole (multi-megabyte) file.
HASH_CHUNK = 64 * 1024


class FileStat(NamedTuple):
    path: str
    size: int
    mtime: float
    ctime: float  # the inode's change time: moves when bytes are written, whatever the mtime says


# Windows marks hidden files and folders with an attribute rather than a leading dot.
_FILE_ATTRIBUTE_HIDDEN = getattr(stat_module, "FILE_ATTRIBUTE_HIDDEN", 2)
HIDDEN_ATTRIBUTES = os.name == "nt"


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def hidden_by_attribute(st: os.stat_result) -> bool:
    """Whether a stat says hidden by the Windows attribute (always False elsewhere)."""
    return HIDDEN_ATTRIBUTES and bool(getattr(st, "st_file_attributes", 0) & _FILE_ATTRIBUTE_HIDDEN)


def is_photo_name(name: str, hidden: bool = False) -> bool:
    """A photo's file name: a photo extension, not hidden unless ``hidden`` (the library's setting),
    and never macOS's ``._`` companion files (the Finder's metadata beside a copied photo)."""
    if name.startswith("._") or (is_hidden(name) and not hidden):
        return False
    # os.path.splitext's rule (leading dots are not an extension), without its cost: a scan asks
    # this of every file, a million of them in a large library.
    stem = name.lstrip(".")
    dot = stem.rfind(".")
    return dot >= 0 and stem[dot:].lower() in PHOTO_EXTENSIONS


def storable(path: str) -> bool:
    """Whether SQLite can hold this path: names that are not valid UTF-8 decode to lone surrogates."""
    if path.isascii():  # most paths, checked without encoding a copy
        return True
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_path(path: str) -> str:
    """A path as text that can be stored and printed: bytes that are not UTF-8 shown as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def normalize_path(path: str | os.PathLike[str]) -> str:
    """The one spelling of a path the index uses: absolute, user-expanded, no ``..`` or trailing slash.

    Symlinks are not resolved here (a photo path is the one the walk found); watched folders are
    stored resolved (``folder_path``) so the watcher's events and the walks name the same files.
    """
    return os.path.normpath(os.path.abspath(os.path.expanduser(os.fspath(path))))


def folder_path(path: str | os.PathLike[str]) -> str:
    """A watched folder's one spelling: ``normalize_path`` with symlinks resolved. Filesystem events
    name real paths, so a folder kept under a link's path would be walked and watched under two names."""
    return os.path.realpath(normalize_path(path))


def spelled_as_watched(path: str | os.PathLike[str], folders: Iterable[str]) -> str:
    """``path`` as the library spells it (``normalize_path``), or, where that is in no watched
    folder of ``folders`` (kept resolved: ``folder_path``), reached through a link to one (or a
    link above it): ~/Pictures a link to the photo disk, `folders exclude ~/Pictures/Screenshots`
    said "not inside a watched folder" (the reliability audit of stop 60). The last name is kept as
    it is: a photo that is itself a link is named by its own path, as the walk names it."""
    target = normalize_path(path)
    watched = list(folders)

    def inside(candidate: str) -> bool:
        return any(is_under(candidate, f) for f in watched)

    if inside(target):
        return target
    parent, name = os.path.split(target)
    for candidate in (os.path.join(os.path.realpath(parent), name), os.path.realpath(target)):
        if inside(candidate):
            return candidate
    return target


class NotAFile(ValueError):
    """A photo name on something that is not a regular file (a FIFO, a device): never read from."""


def open_regular(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a regular file for reading, refusing FIFOs and devices without blocking on them."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat_module.S_ISREG(os.fstat(fd).st_mode):
            raise NotAFile(f"{display_path(os.fspath(path))} is not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def nothing_at(path: str) -> bool:
    """Whether no file is at ``path`` (not: one that cannot be looked at, in a folder this user may
    not read: it is kept, and said so)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:  # the file cannot be looked at
        return False
    return False


# A listed photo's file as it is now (``file_state``); None: there to read.
NOT_FOUND, CANNOT_BE_READ, LINK_NOWHERE = "not found", "cannot be read", "link leads nowhere"
NOT_AT_ITS_PATH = frozenset({NOT_FOUND, LINK_NOWHERE})  # the photo is missing: nothing to open


def file_state(path: str) -> str | None:
    """``NOT_FOUND`` when nothing is at ``path`` (``nothing_at``: as a scan decides a photo is gone);
    ``LINK_NOWHERE`` when it, or a folder on its way, is a link to nothing now; ``CANNOT_BE_READ``
    when its folder or the file refuses this user (a `chmod 000` folder's photos were "not found,
    moved or deleted": the fresh-seat audit of stop 52); None when it is there to read. `search`
    marks its listed photos by it, the window its missing results."""
    if os.path.islink(path) and not os.path.exists(path):  # kept by the index: not "cannot be read"
        return LINK_NOWHERE
    if nothing_at(path):
        return LINK_NOWHERE if _behind_a_dead_link(path) else NOT_FOUND
    return None if os.access(path, os.R_OK) else CANNOT_BE_READ


def refusing_folder(path: str) -> str:
    """The folder that keeps this user out of ``path``: the first on the way down from the top that
    may not be entered, else ``path`` itself (it may not be listed). The permission to give back is
    that folder's (audit 98, repro_4: `chmod u+rx` of a watched folder whose parent refused failed)."""
    folder = os.sep
    for name in path.strip(os.sep).split(os.sep)[:-1]:
        folder = os.path.join(folder, name)
        if not os.access(folder, os.X_OK):
            return folder
    return path


def _behind_a_dead_link(path: str) -> bool:
    """Whether a folder on the way to ``path`` is a link to nothing now: an album linked in from a
    drive not plugged in, whose photos the index keeps (the CLI audit of stop 57: "[not found]")."""
    folder = os.path.dirname(path)
    while folder and os.path.dirname(folder) != folder:
        if os.path.islink(folder):
            return not os.path.exists(folder)
        if os.path.isdir(folder):  # a real folder there: the links, if any, are above and lead on
            return False
        folder = os.path.dirname(folder)
    return False


def renamed_unstorably(
    path: str, size: int, mtime: float, names_in: Callable[[str], list[str]] | None = None
) -> str | None:
    """Where a photo not at ``path`` now is, when it was renamed to a name the index cannot hold
    (not UTF-8), as the scan keeps it (``scanner._not_renamed_unstorably``): a file of its size and
    time beside it under such a name, or at its place below a folder so renamed. None: not so.
    ``names_in``: how a folder's such names are read (``unstorable_names``; a caller looking for
    many photos at once lists each folder once)."""
    names_in = names_in or unstorable_names
    directory = os.path.dirname(path)
    if os.path.isdir(directory):
        places = [os.path.join(directory, other) for other in names_in(directory)]
    else:  # a folder on the way renamed: the first one there holds it under its new name
        parent = directory
        while parent and not os.path.isdir(parent) and os.path.dirname(parent) != parent:
            parent = os.path.dirname(parent)
        rest = os.path.relpath(path, parent).split(os.sep, 1)[1:]
        places = [os.path.join(parent, other, *rest) for other in names_in(parent)]
        places += _renamed_in_a_renamed_folder(parent, rest, names_in)
    for place in places:
        try:
            stat = os.stat(place)
        except OSError:
            continue
        if stat.st_size == size and stat.st_mtime == mtime:
            return place
    return None


# The folders beside a renamed one looked in for a photo renamed in it (``renamed_unstorably``): a
# search lists them for each photo not at its path.
RENAMED_FOLDERS_LOOKED_IN = 100


def _renamed_in_a_renamed_folder(
    parent: str, rest: list[str], names_in: Callable[[str], list[str]]
) -> list[str]:
    """Where a photo is when it was renamed to a name the index cannot hold and a folder on the way
    was then renamed to any name ("snow trip" to "snow trip 2": audit 96, repro_1): such names in
    the same place below each folder of ``parent`` (the first ``RENAMED_FOLDERS_LOOKED_IN``)."""
    if not rest:
        return []
    try:
        with os.scandir(parent) as entries:
            folders = [e.name for e in entries if e.is_dir(follow_symlinks=False)][:RENAMED_FOLDERS_LOOKED_IN]
    except OSError:
        return []
    below = os.path.dirname(rest[0])  # the folders between the renamed one and the photo
    places = []
    for folder in folders:
        directory = os.path.join(parent, folder, below)
        places += [os.path.join(directory, name) for name in names_in(directory)]
    return places


def unstorable_names(directory: str) -> list[str]:
    """The names in ``directory`` that the index cannot hold (not UTF-8); none if it cannot be read."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [name for name in names if not storable(name)]


def is_under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def stat_photo(path: str, hidden: bool = False) -> FileStat | None:
    """The stat of a regular photo file, or None if it is missing, not a file or not a photo name
    (a hidden name counts with ``hidden``).

    Raises ``OSError`` when it cannot be looked at (no permission): that is not "missing"."""
    if not is_photo_name(os.path.basename(path), hidden) or not storable(path):
        return None
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat_module.S_ISREG(st.st_mode):
        return None
    return FileStat(path, st.st_size, st.st_mtime, st.st_ctime)


ErrorListener = Callable[[OSError], None]
SkippedListener = Callable[[str, str], None]  # (path as the system gave it, reason)
AwayListener = Callable[[str], None]  # a link whose target is not there (path of the link)
LinkedListener = Callable[[str, str], None]  # a linked-in directory followed: (the link, its real path)
UNSTORABLE = "the file name is not valid UTF-8, so it cannot be indexed: rename the file"
UNSTORABLE_FOLDER = "the folder name is not valid UTF-8, so its photos cannot be indexed: rename the folder"


def walk_photos(
    root: str,
    on_error: ErrorListener | None = None,
    home: str | None = None,
    on_skipped: SkippedListener | None = None,
    hidden: bool = False,
    on_away: AwayListener | None = None,
    watched: Sequence[str] = (),
    elders: Sequence[str] = (),
    never: Sequence[str] = (),
    on_linked: LinkedListener | None = None,
) -> Iterator[FileStat]:
    """Every photo under ``root``, never visiting a directory twice. Hidden entries below ``root``
    (a name starting with ``.``; on Windows also the hidden attribute) are skipped unless ``hidden``;
    ``root`` itself is walked even when it is hidden.

    Symlinked directories are followed (people link albums into their Pictures folder) but each
    directory's (device, inode) is remembered, so a link back up the tree cannot loop. A link to a
    directory inside ``home`` (the watched folder) or inside another ``watched`` folder is not
    followed, nor is a watched folder of ``elders`` (added before ``home``) reached through a bind
    mount: that directory is walked under its own path, so a photo has one path whatever order the
    walk takes. Only the elders': an elder's own subfolder, bind-mounted and watched later, stays the
    elder's (leaving it out of the elder's walk would drop its photos' entries).

    Whatever cannot be looked at (a directory that cannot be listed, an entry that cannot be
    stat'ed) goes to ``on_error`` with its path as ``filename``, never silently counted as absent: the
    scanner keeps the photos it knew there. Photos that cannot be indexed go to ``on_skipped``. A
    link whose target is not there, or a linked directory left empty (an album on a drive that is
    unplugged, or renamed), goes to ``on_away``: the scanner keeps what it knew below it too. The
    folders of ``never`` are not walked (the thumbnail cache: pictures of the photos, not photos).
    Each linked directory followed goes to ``on_linked``, with its real path (a watcher watches it).
    """
    homes = [home, *watched] if home is not None else list(watched)
    roots_real = tuple(os.path.realpath(h) for h in homes)
    # The watched folders added before this one count as visited: one reached through a bind mount
    # (which no realpath sees through) is walked under its own path, not twice.
    visited = _identities(w for w in elders if w != home and not is_under(root, w))
    visited |= _identities(n for n in never if not is_under(root, n))  # a root inside one: walked
    stack = [root]

    def failed(error: OSError, path: str) -> None:
        if error.filename is None:
            error.filename = path
        log.debug("skipping %s: %s", display_path(path), error)
        if on_error is not None:
            on_error(error)

    while stack:
        directory = stack.pop()
        if not storable(directory):  # every photo below would have a path SQLite cannot hold
            if on_skipped is not None:
                on_skipped(directory, UNSTORABLE_FOLDER)
            continue
        try:
            st = os.stat(directory)
            key = (st.st_dev, st.st_ino)
            if key in visited:
                continue
            visited.add(key)
            with os.scandir(directory) as entries:
                yield from _photos_in(
                    entries, stack, roots_real, failed, on_skipped, hidden, on_away, on_linked
                )
        except OSError as error:  # unreadable or vanished directory: skip it, keep walking the rest
            failed(error, directory)


def _identities(paths: Iterable[str]) -> set[tuple[int, int]]:
    """The (device, inode) of each directory there is (one away is left out, and any a filesystem
    numbers 0: some network shares give every directory that inode)."""
    found = set()
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        if st.st_ino:
            found.add((st.st_dev, st.st_ino))
    return found


def _photos_in(
    entries: Iterator[os.DirEntry[str]],
    stack: list[str],
    roots_real: tuple[str, ...],
    failed: Callable[[OSError, str], None],
    on_skipped: SkippedListener | None,
    hidden: bool,
    on_away: AwayListener | None,
    on_linked: LinkedListener | None = None,
) -> list[FileStat]:
    """The photos of one directory's listing; its subdirectories go on ``stack``.

    Most entries of a large library are plain photo files with plain names: those take the short
    road below (a million of them in a re-scan, where every step per file shows). Anything else (a
    directory, a leading dot, a name that is not ASCII) takes ``_visit``, which knows every rule.
    """
    photos = []
    for entry in entries:
        name = entry.name
        dot = name.rfind(".")
        if (
            dot <= 0
            or name.startswith(".")
            or HIDDEN_ATTRIBUTES
            or not name.isascii()
            or name[dot:].lower() not in PHOTO_EXTENSIONS
        ):
            found = _visit(entry, stack, roots_real, failed, on_skipped, hidden, on_away, on_linked)
            if found is not None:
                photos.append(found)
            continue
        try:  # a photo's name, not hidden (no leading dot), storable (ASCII): is it a file, and its stat
            if not entry.is_file():
                if entry.is_dir() or entry.is_symlink():  # "trip.jpg/", or a link to nothing
                    _visit(entry, stack, roots_real, failed, on_skipped, hidden, on_away, on_linked)
                continue
            st = entry.stat()
        except FileNotFoundError:  # deleted while we walk (or a broken symlink)
            continue
        except OSError as error:  # no permission to look: unknown, not absent
            failed(error, entry.path)
            continue
        photos.append(_new_stat(FileStat, (entry.path, st.st_size, st.st_mtime, st.st_ctime)))
    return photos


# FileStat(path, size, mtime, ctime) runs a NamedTuple's Python-level __new__; this C call builds the same
# tuple in half the time, which shows at a re-scan's million photos.
_new_stat = tuple.__new__


def _visit(
    entry: os.DirEntry[str],
    stack: list[str],
    roots_real: tuple[str, ...],
    failed: Callable[[OSError, str], None],
    on_skipped: SkippedListener | None,
    hidden: bool,
    on_away: AwayListener | None,
    on_linked: LinkedListener | None = None,
) -> FileStat | None:
    if not hidden and (entry.name.startswith(".") or (HIDDEN_ATTRIBUTES and _hidden_entry(entry))):
        return None
    try:
        if entry.is_dir():
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                if any(is_under(real, root) for root in roots_real):
                    return None  # walked under its own path
                if left_empty(entry.path) and on_away is not None:
                    on_away(entry.path)
                    return None
                if on_linked is not None:
                    on_linked(entry.path, real)
            stack.append(entry.path)
            return None
        if entry.is_symlink() and not os.path.exists(entry.path):  # its target is not there now
            if on_away is not None:
                on_away(entry.path)
            return None
        if not is_photo_name(entry.name, hidden) or not entry.is_file():
            return None
        st = entry.stat()
    except FileNotFoundError:  # a file deleted while we walk (or a broken symlink)
        return None
    except OSError as error:  # no permission to look: unknown, not absent
        failed(error, entry.path)
        return None
    if not storable(entry.path):
        if on_skipped is not None:
            on_skipped(entry.path, UNSTORABLE)
        return None
    return FileStat(entry.path, st.st_size, st.st_mtime, st.st_ctime)


def left_empty(directory: str) -> bool:
    """Nothing but hidden entries: the bare mount point of an unplugged drive looks like this (as
    ``scanner.root_present`` reasons for a watched root)."""
    try:
        return not any(not name.startswith(".") for name in os.listdir(directory))
    except OSError:
        return False  # the walk will say why it cannot look


def _hidden_entry(entry: os.DirEntry[str]) -> bool:
    if is_hidden(entry.name):
        return True
    if not HIDDEN_ATTRIBUTES:
        return False
    try:  # on Windows the listing already holds the attributes: no system call
        return hidden_by_attribute(entry.stat(follow_symlinks=False))
    except OSError:
        return False


# JPEG alone: what the index reads of a file's metadata (orientation, date taken) is in its EXIF
# segment at the head, at most 64 KiB long, and an edit of its pixels re-encodes the stream to its
# end. Other formats keep metadata where an edit in place changes neither end: an uncompressed BMP or
# TIFF's middle, a PNG's eXIf chunk after a large XMP one (audit 88, repro_2: its orientation
# changed by exiftool was read as a touch).
_HASH_TELLS_EDITS = (".jpg", ".jpeg")


def hash_tells_edits(path: str) -> bool:
    """Whether a same-size file's partial hash (``partial_hash``: its first and last 64 KiB) tells
    it from an edit of it, or from another photo."""
    return path.lower().endswith(_HASH_TELLS_EDITS)


def partial_hash(path: str, size: int | None = None) -> str:
    """Hash of the size and the first and last 64 KiB: cheap, and stable across moves and renames."""
    digest = hashlib.blake2b(digest_size=16)
    with open_regular(path) as f:
        if size is None:
            size = os.fstat(f.fileno()).st_size
        digest.update(size.to_bytes(8, "little"))
        digest.update(f.read(HASH_CHUNK))
        if size > 2 * HASH_CHUNK:
            f.seek(size - HASH_CHUNK)
            digest.update(f.read(HASH_CHUNK))
        elif size > HASH_CHUNK:
            digest.update(f.read())
    return digest.hexdigest()


def same_bytes(path: str, other: str, chunk: int = 1 << 20) -> bool:
    """Whether two regular files hold the same bytes, read whole (up to the first difference);
    False when either cannot be read. The partial hash says two files begin and end alike: scans
    of one size with white margins do, and are different photos."""
    try:
        with open_regular(path) as f, open_regular(other) as g:
            while True:
                a, b = f.read(chunk), g.read(chunk)
                if a != b:
                    return False
                if not a:
                    return True
    except (OSError, NotAFile):  # a folder or a pipe took a name: no copy of anything (stop 60's audit)
        return False


# --- mount points ------------------------------------------------------------------------------------


def mount_points() -> set[str] | None:
    """Every mount point of this system (Linux: ``/proc/self/mountinfo``, bind mounts included);
    None where the system does not say (then ``os.path.ismount`` is asked about single paths)."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    points = set()
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            points.add(_unescape_mount(fields[4]))
    return points


def drive_identity(mount_point: str) -> str | None:
    """Which drive is mounted at ``mount_point`` (Linux): its volume's UUID where the system names
    one (``/dev/disk/by-uuid``), and the directory of its file system the mount shows (a bind
    mount's source), as "UUID<tab>root"; None where the system does not say. Two cards of one
    camera mount at the same place: only this tells them apart."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    found = None
    for line in lines:  # the last entry for a place is the mount on top, the one seen
        fields = line.split(" ")
        if len(fields) > 4 and _unescape_mount(fields[4]) == mount_point:
            found = (fields[2], _unescape_mount(fields[3]))
    if found is None:
        return None
    numbers, root = found
    return f"{_volume_uuids().get(numbers, '')}\t{root}"


# File systems whose directories keep their inode number for as long as they exist, across mounts
# and restarts: there a watched folder's number tells whether the directory at its place is still
# the one its photos were indexed from. FAT and exFAT (cameras' cards) make the numbers up at each
# mount, and so do FUSE file systems and shares mounted without the server's numbers: there a
# number tells nothing, and ``directory_identity`` says None.
STABLE_INODES = frozenset(
    {
        "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "jfs", "reiserfs", "nilfs2",
        "bcachefs", "ntfs3", "tmpfs", "overlay", "nfs", "nfs4", "apfs", "hfs", "hfsplus",
    }
)  # fmt: skip


def file_system_type(path: str) -> str | None:
    """The type of the file system holding ``path`` ("ext4", "vfat"; Linux: ``/proc/self/mountinfo``,
    the mount on top at the deepest mount point holding it); None where the system does not say."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    found: tuple[str, str] | None = None  # (mount point, type)
    for line in lines:
        fields, _, rest = line.partition(" - ")  # optional fields come before the separator
        head, tail = fields.split(" "), rest.split(" ")
        if len(head) < 5 or not tail[0]:
            continue
        point = _unescape_mount(head[4])
        if is_under(path, point) and (found is None or len(point) >= len(found[0])):
            found = (point, tail[0])  # a later entry at the same place is mounted on top
    return None if found is None else found[1]


def directory_identity(path: str) -> str | None:
    """Which directory is at ``path``: its inode number, where its file system keeps those
    (``STABLE_INODES``); None where it does not, where the system does not say which it is, or where
    the directory cannot be looked at. Another directory put at the place (the folder renamed and
    one made again by an app, a backup restored) has another number."""
    try:
        number = os.stat(path).st_ino
    except OSError:
        return None
    if file_system_type(path) not in STABLE_INODES or not number:
        return None
    return str(number)


def has_size(path: str, size: int) -> bool:
    """Whether a file of this size is at ``path`` (a restore or a move may not keep the files' times)."""
    try:
        return os.stat(path).st_size == size
    except (OSError, ValueError):
        return False


def _volume_uuids() -> dict[str, str]:
    """ "major:minor" of each block device the system names by its volume's UUID -> that UUID."""
    uuids = {}
    with suppress(OSError), os.scandir("/dev/disk/by-uuid") as entries:
        for entry in entries:
            with suppress(OSError):
                device = os.stat(entry.path).st_rdev
                uuids[f"{os.major(device)}:{os.minor(device)}"] = entry.name
    return uuids


def same_drive(recorded: str, now: str) -> bool:
    """Whether two ``drive_identity`` values are one drive: the same part of it mounted, and the same
    UUID when both have one (a drive without one is known by that part alone: its device numbers
    change from one plug to the next)."""
    uuid_then, _, root_then = recorded.partition("\t")
    uuid_now, _, root_now = now.partition("\t")
    return root_then == root_now and (not uuid_then or not uuid_now or uuid_then == uuid_now)


def _unescape_mount(text: str) -> str:
    # mountinfo writes space, tab, newline and backslash as octal escapes (\040 ...)
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 4].isdigit() and len(text[i + 1 : i + 4]) == 3:
            out.append(chr(int(text[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def drive_of(path: str, points: set[str] | None) -> str | None:
    """The deepest of the mount points ``points`` holding ``path`` (None: none, or no list)."""
    if points is None:
        return None
    return max((p for p in points if is_under(path, p)), key=len, default=None)


def unmounted(known: Iterable[str], points: set[str] | None = None) -> list[str]:
    """Of the mount points a library knows inside its folders (``Library.mounts``), those with no
    drive mounted now: their photos are kept, offline."""
    return sorted(point for point in known if point not in mounts_under(point, points))


def mounts_under(directory: str, points: set[str] | None = None) -> set[str]:
    """The mount points at or below ``directory`` (where the system cannot list them: the directory
    itself, if it is one)."""
    points = mount_points() if points is None else points
    if points is None:
        return {directory} if os.path.ismount(directory) else set()
    return {p for p in points if is_under(p, directory)}
