"""A watched folder moved or renamed as a whole (``~/Pictures`` renamed ``~/Photos``, a drive mounted at
another place): the old folder is offline, and the user adds the new path. If the new folder holds the
old one's photos, under the same names, the library follows the folder (``Library.relocate_folder``)
instead of encoding every photo again under new ids while the old entries stay, offline, found twice by
every search. A watched folder moved *into* another watched folder arrives as new files in that one's
scan: if they hold the offline folder's photos the same way, and it was renamed there on its own drive
(``arrived_in``), the scanner moves its photos' rows there (the old folder stays in the list, offline
and empty, until the user removes it). Not for a folder whose drive is unplugged: there the files are
away, not moved, and a copy of them elsewhere is a copy.

Following wrongly would cost entries: the old folder's photos not in the new one are dropped by the
next scan, and if the old folder came back (the drive plugged in again) they would be gone from the
index. So an added folder must hold every photo of the old one at its place with its size (a stat each:
10,000 photos in a fraction of a second, once, when the folder is added), and a random sample of 50 of
them with their partial hashes (the bytes: same names and sizes with other photos in them are other
photos). A folder moved with a photo deleted on the way is taken for a new one (indexed again, nothing
lost), unless it is the very directory, renamed on its file system: its number there says so
(``_its_directory_renamed``), and then the photos not in it were deleted. A folder that arrived in
another's scan (renamed on its own drive, the only case followed there; or renamed there while an empty
directory was made at its place, which then must be its very directory: ``arrived_in``) must hold the
sample. So must a folder whose photos are kept as moved away (renamed while another directory was made
at its place: ``Scanner.check_folders``) when they arrive in another's scan (``kept_arrived_in``), and
the new place be on the file system its place is on.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Sequence

from photoscope.library.db import Library
from photoscope.library.fs import (
    directory_identity,
    drive_identity,
    drive_of,
    folder_path,
    has_size,
    is_under,
    left_empty,
    mount_points,
    partial_hash,
)
from photoscope.library.records import Folder, NewFile, StoredFile

SAMPLE = 50  # photos of the old folder looked for in the new one: 100 reads of 64 KiB at most


def moved_here(library: Library, path: str) -> Folder | None:
    """The offline folder whose photos are in ``path`` now, under the same names; None if there is
    none, or if ``path`` holds a watched folder or is inside one (adding it means something else)."""
    key = folder_path(path)
    folders = library.folders()
    if any(is_under(key, f.path) or is_under(f.path, key) for f in folders):
        return None
    number = directory_identity(key)  # once: it reads the system's mount table
    for folder in folders:
        if (
            not folder.online
            and _its_directory_renamed(library, folder, key, number)
            and _left_for(folder, key)
        ):
            return folder
    for folder, sample in _offline_samples(library, folders):
        if not _left_for(folder, key):
            continue
        away = _drives_away(library, folder, key)
        if _holds_the_sample(sample, folder.path, key, away) and _holds_all(library, folder, key, away):
            return folder
    return None


def _its_directory_renamed(library: Library, folder: Folder, new_root: str, number: str | None) -> bool:
    """Whether ``new_root`` is the offline folder's very root directory, renamed: its number on the
    file system of the drive that held it (``Folder.root_id``, where numbers tell), and, if the index
    holds photos of it, one of a sample of them at its place with its bytes (a number used again by
    a directory made after the folder was deleted holds none of them). Then the photos not there
    were deleted on the way, and a folder whose every photo a rule left out is known too: without
    this, its rules stayed on the offline path while the new one was indexed whole (the audit of
    stop 60's rules, repro_8). ``number``: ``new_root``'s (``fs.directory_identity``)."""
    if folder.root_id is None or number != folder.root_id:
        return False
    held_by = folder.drive if folder.drive is not None else os.path.dirname(folder.path)
    if not _same_file_system(new_root, held_by):
        return False
    sample = library.sample_files(folder.id, SAMPLE)
    return not sample or any(_there(stored, folder.path, new_root) for stored in sample)


def _drives_away(library: Library, folder: Folder, new_root: str) -> set[str]:
    """Where the drives once mounted inside ``folder`` (``Library.mounts``) would be below
    ``new_root``: their photos, kept while the drive is unplugged, moved with it only as that."""
    return {
        os.path.join(new_root, os.path.relpath(point, folder.path)) for point in library.mounts(folder.id)
    }


def _as_it_was(place: str, away: set[str]) -> bool:
    """Whether a photo's kept entry is, at its new ``place``, as the index kept it while the file
    was not there: a link that leads nowhere, or nothing below a drive's mount point (``away``) that
    is there, empty of it. Such entries moved with the folder: requiring their photos there made a
    renamed folder "a folder of its own", every photo indexed again (the fresh-seat audit of stop 54)."""
    if os.path.islink(place):
        return not os.path.exists(place)
    return not os.path.lexists(place) and any(is_under(place, p) and os.path.isdir(p) for p in away)


def _holds_the_sample(sample: Sequence[StoredFile], old_root: str, new_root: str, away: set[str]) -> bool:
    """Whether the sample's photos are at their places with their partial hashes, but those kept
    as not there (``_as_it_was``); at least one is."""
    present = [s for s in sample if not _as_it_was(_new_place(s.path, old_root, new_root), away)]
    return bool(present) and all(_there(stored, old_root, new_root) for stored in present)


def _new_place(path: str, old_root: str, new_root: str) -> str:
    return os.path.join(new_root, os.path.relpath(path, old_root))


def moved_away_here(library: Library, path: str) -> Folder | None:
    """The folder whose photos kept as moved away are in ``path`` now, under the same names: its
    directory was renamed there while another was made at its place (``Scanner.check_folders``).
    None if there is none, or if ``path`` holds a watched folder or is inside one. The same checks
    as for an offline folder, on those photos: every one at its place with its size, a sample with
    its partial hash, and ``path`` on the file system the folder is on (renamed there: a copy on
    another drive is a folder of its own)."""
    key = folder_path(path)
    folders = library.folders()
    if any(is_under(key, f.path) or is_under(f.path, key) for f in folders):
        return None
    for folder in folders:
        if (
            folder.away
            and _same_file_system(key, folder.path)
            and _holds_these(library.moved_away_files(folder.id), folder.path, key)
        ):
            return folder
    return None


def _holds_these(photos: list[StoredFile], old_root: str, new_root: str) -> bool:
    """Whether every one of ``photos`` is at its place below ``new_root`` with its size, and a
    sample of them with its partial hash (at least one: sizes alone are no photos)."""
    sample = _sample(photos)
    return (
        bool(sample)
        and all(_there(stored, old_root, new_root) for stored in sample)
        and all(has_size(os.path.join(new_root, os.path.relpath(s.path, old_root)), s.size) for s in photos)
    )


def _sample(photos: Sequence[StoredFile]) -> list[StoredFile]:
    """Some of ``photos``, drawn at random (a fixed draw lets a copy lacking a photo outside it pass
    every time), with a partial hash: what tells their bytes are somewhere else."""
    hashed = [stored for stored in photos if stored.hash is not None]
    return random.sample(hashed, min(SAMPLE, len(hashed)))


def _left_for(folder: Folder, new_root: str) -> bool:
    """Whether the folder left its place for ``new_root``: its root is gone (not an unplugged
    drive's empty mount point, not a folder that cannot be read), and ``new_root`` is on the drive
    that held it (renamed there, or the drive mounted at another place). A copy of a folder away
    or unreadable is a folder of its own: taken for it, the original was watched no more, and its
    photos indexed nowhere once back (the audit of stop 45)."""
    try:
        os.lstat(folder.path)
        return False
    except FileNotFoundError:
        pass
    except OSError:
        return False
    points = mount_points()
    place = drive_of(new_root, points)
    if folder.drive_id is not None and folder.drive_id.partition("\t")[0] and place is not None:
        return drive_identity(place) == folder.drive_id  # its volume, wherever it is mounted now
    if folder.drive is not None and points is not None:
        # No volume id (tmpfs, network shares, containers: every drive read as "\t/", the review of
        # stop 45): on the file system of the drive that held it, while that is mounted.
        return folder.drive in points and _same_file_system(new_root, folder.drive)
    return os.path.isdir(os.path.dirname(folder.path))  # its drive not known: renamed where it was


def _same_file_system(path: str, other: str) -> bool:
    try:
        return os.stat(path).st_dev == os.stat(other).st_dev
    except OSError:
        return False


def arrived_in(library: Library, new: Sequence[NewFile], points: set[str] | None) -> list[tuple[Folder, str]]:
    """The offline folders whose photos are among ``new`` files, each under one directory with the
    same names, size and partial hash as a sample of them: each with the directory it is in now.

    Only a folder renamed into another on its own drive: its root is gone from a directory that is
    there, or an empty one was made at its place (``_made_again_empty``: then the new place must be
    its very directory), and the new place is on the drive that held it (``points``: the system's
    mount points now). An unplugged drive's folder, a network share's or a phone's keeps its photos'
    entries and a copy of them elsewhere is new photos (issue #15's item 3); a move across drives is
    a copy first anyway, indexed as new while the original is still there."""
    by_name = _by_name(new)
    found = []
    for folder, sample in _offline_samples(library, library.folders()):
        made_again = _made_again_empty(folder, points)
        if not (made_again or _renamed_away(folder)) or folder.drive is None:
            continue
        for place in _places_of(by_name, sample[0], folder.path):
            if (
                drive_of(place, points) == folder.drive
                and (not made_again or _its_directory(folder, place))
                and all(_there(s, folder.path, place) for s in sample)
            ):
                found.append((folder, place))
                break
    return found


def _made_again_empty(folder: Folder, points: set[str] | None) -> bool:
    """Whether the offline folder's root is an empty directory made again at its place (``mv ~/A
    ~/B/A``, then an app's ``mkdir ~/A``), not its drive's bare mount point: the root is another
    directory than at its last scan (where numbers tell: ``fs.directory_identity``), on the file
    system of the drive that held it, mounted still. An unplugged drive's mount point is the root
    or lies between it and that drive's: not mounted, or the root on the disk below. Its photos
    follow only their own directory (``_its_directory``): a copy, or the folder elsewhere, keeps
    them offline, as before."""
    if folder.root_id is None or folder.drive is None or points is None or folder.drive not in points:
        return False
    now = directory_identity(folder.path)
    return (
        now is not None
        and now != folder.root_id
        and left_empty(folder.path)
        and _same_file_system(folder.path, folder.drive)
    )


def _its_directory(folder: Folder, place: str) -> bool:
    """Whether ``place`` is the very directory that was the folder's root (renamed there: its number
    on the same file system), not a copy of it."""
    return _same_file_system(place, folder.path) and directory_identity(place) == folder.root_id


def kept_arrived_in(library: Library, new: Sequence[NewFile]) -> list[tuple[Folder, str, list[StoredFile]]]:
    """The folders whose photos kept as moved away are among ``new`` files, each under one
    directory with the same names, size and partial hash as a sample of them: each with that
    directory and those photos. The folder's directory was renamed there (into another watched
    folder) while another was made at its place: without this, that folder's scan indexed them
    again under new ids while their rows stayed kept, every photo twice in the index. As for
    ``moved_away_here``, the new place must be on the file system their folder's place is on: a
    copy on another drive is photos of their own, the originals perhaps still elsewhere."""
    by_name = _by_name(new)
    found = []
    for folder in library.folders():
        kept = library.moved_away_files(folder.id) if folder.away else []
        sample = _sample(kept)
        if not sample:
            continue
        # Looked for by every photo of the sample, not the first alone: a watcher's batch may hold
        # a part of the directory (the rest follows in the next batch, by the same checks).
        places = dict.fromkeys(
            place for stored in sample for place in _places_of(by_name, stored, folder.path)
        )
        for place in places:
            if _same_file_system(place, folder.path) and all(_there(s, folder.path, place) for s in sample):
                found.append((folder, place, kept))
                break
    return found


def _by_name(new: Sequence[NewFile]) -> dict[tuple[str, int], list[str]]:
    """The new files' paths by (file name, size)."""
    by_name: dict[tuple[str, int], list[str]] = {}
    for file in new:
        by_name.setdefault((os.path.basename(file.path), file.size), []).append(file.path)
    return by_name


def _places_of(by_name: dict[tuple[str, int], list[str]], stored: StoredFile, old_root: str) -> Iterator[str]:
    """The directories that hold a new file of ``stored``'s name and size at its place below
    ``old_root``: where its folder may be now."""
    inside = os.sep + os.path.relpath(stored.path, old_root)
    for candidate in by_name.get((os.path.basename(stored.path), stored.size), []):
        if candidate.endswith(inside):
            yield candidate[: -len(inside)]


def _offline_samples(
    library: Library, folders: Sequence[Folder]
) -> Iterator[tuple[Folder, list[StoredFile]]]:
    """Each offline folder with photos, with a sample of them to look for elsewhere."""
    for folder in folders:
        if folder.online or folder.photos == 0:
            continue
        sample = library.sample_files(folder.id, SAMPLE)
        if sample:
            yield folder, sample


def _renamed_away(folder: Folder) -> bool:
    """Whether the folder's root is not there (not an empty or unreadable one) in a directory that is."""
    try:
        os.lstat(folder.path)
    except FileNotFoundError:
        return os.path.isdir(os.path.dirname(folder.path))
    except OSError:
        return False
    return False


def _holds_all(library: Library, folder: Folder, new_root: str, away: set[str]) -> bool:
    """Whether every photo of ``folder`` is at its place below ``new_root``, with its size, or as
    it was kept while not there (``_as_it_was``)."""
    places = (
        (_new_place(path, folder.path, new_root), size) for path, size in library.folder_sizes(folder.id)
    )
    return all(has_size(place, size) or _as_it_was(place, away) for place, size in places)


def _there(stored: StoredFile, old_root: str, new_root: str) -> bool:
    """Whether the photo is at the same place in ``new_root``: same size, same partial hash."""
    candidate = _new_place(stored.path, old_root, new_root)
    try:
        if os.stat(candidate).st_size != stored.size:
            return False
        return partial_hash(candidate, stored.size) == stored.hash
    except (OSError, ValueError):  # not there, unreadable, not a regular file
        return False
