"""What the library database hands out and takes in: folders, files as the scanner sees them, and
photos as the worker indexed them. Plain frozen records, no database code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Status = Literal["pending", "indexed", "error"]


@dataclass(frozen=True)
class PhotoCounts:
    """The library's photos by state."""

    indexed: int = 0
    pending: int = 0  # waiting to be indexed (or to be described by this model again)
    error: int = 0  # could not be read or indexed

    @property
    def total(self) -> int:
        return self.indexed + self.pending + self.error


@dataclass(frozen=True)
class Folder:
    id: int
    path: str
    added_at: str
    online: bool
    last_scan_at: str | None
    photos: int = 0  # those that could not be read too
    drive: str | None = None  # the mount point holding it at its last scan while online
    drive_id: str | None = None  # which drive that was (``fs.drive_identity``; None: not known)
    moved_from: str | None = None  # adding it found an offline folder's photos here: that one's path
    absorbed: tuple[str, ...] = ()  # adding it took in these watched folders below it
    already: bool = False  # adding it found it watched already: nothing changed
    unreadable: int = 0  # of its photos, those that could not be read (status 'error')
    # which directory its root was at its last scan while online (``fs.directory_identity``)
    root_id: str | None = None
    away: int = 0  # of its photos, those kept as moved away with the directory that was at its place
    # offline because this user may not read it now (a permission taken away), not away: looked at
    # when the folders are listed (the CLI audit of stop 55: it was "unplugged? plug it in")
    refused: bool = False
    refused_at: str | None = None  # refused: the folder that keeps this user out (it, or one above)
    pending: int = 0  # of its photos, those waiting to be indexed (offline: until it is back)

    @property
    def readable(self) -> int:
        """Its photos indexed or waiting to be: the count the library's "N photos indexed" adds to."""
        return self.photos - self.unreadable

    @property
    def away_keeping_nothing(self) -> bool:
        """Offline (not refused) with no photo in the index: its photos followed it into another
        watched folder, or it held none. Not "photos kept" (the CLI audit of stop 58)."""
        return not self.online and not self.refused and not self.photos

    @property
    def away_keeping_photos(self) -> bool:
        """Offline (not refused) with photos in the index: "photos kept" is said of it."""
        return not self.online and not self.refused and bool(self.photos)


# A stored photo's (path, size, mtime, ctime): equal to the ``FileStat`` of its file while that is
# unchanged.
StoredStat = tuple[str, int, float, float | None]  # path, size, mtime, ctime (None: from before)


class BrowseRow(NamedTuple):
    """A photo as the timeline and the folder filter read it (``Library.browse_rows``): no caption,
    no vectors, so 100,000 of them are read in a third of a second."""

    id: int
    path: str
    folder_id: int
    date_key: str  # the date taken, else the file's time, as local ISO text: the two sort together
    mtime: float
    dated: int  # 1: it has a date taken (the timeline counts those without)


class StoredFile(NamedTuple):
    """What the scanner compares a file's stat with."""

    id: int
    path: str
    size: int
    mtime: float
    hash: str | None
    ctime: float | None = None  # as the last scan saw it (read by ``files_at`` alone)


@dataclass(frozen=True)
class Stashing:
    """What a scan stashes in the transaction that removes the photos (``exclusions.Stash``): the
    index entries of the photos ``ids`` (the latest last) that ``model_version`` described, the
    latest ``capacity`` of all stashed kept, none stashed before ``since`` (ISO time, as ``now_iso``)."""

    ids: tuple[int, ...]
    model_version: str
    capacity: int
    since: str


@dataclass(frozen=True)
class NewFile:
    folder_id: int
    path: str
    size: int
    mtime: float
    hash: str | None
    ctime: float | None = None  # the change time seen (``fs.FileStat.ctime``)


@dataclass(frozen=True)
class Move:
    id: int
    folder_id: int
    path: str
    size: int
    mtime: float


@dataclass(frozen=True)
class PendingPhoto:
    id: int
    path: str
    size: int
    mtime: float


@dataclass(frozen=True)
class IndexedPhoto:
    """One photo's index entry as the worker computed it; ``size``/``mtime`` are the stat it read."""

    id: int
    size: int
    mtime: float
    width: int
    height: int
    taken_at: str | None
    camera: str | None
    caption: str
    caption_score: float
    tags: list[tuple[str, float]]
    latent: npt.NDArray[np.float32]
    feature: npt.NDArray[np.float16] | None
    model_version: str
    description_version: str | None = None  # the caption rule's version (see Library.stale_descriptions)


@dataclass(frozen=True)
class FailedPhoto:
    id: int
    size: int
    mtime: float
    error: str
    # Its bytes were read and are no photo (empty, not an image, corrupt): trying again is no use
    # until the file changes. A file that could not be read (permission, a drive's error) may be
    # read next time.
    not_a_photo: bool = False
    # The file was not there to read (gone, an unplugged drive's error): when its watched folder is
    # away as well, the photo waits for it, pending, instead of asking to be repaired.
    unreachable: bool = False
    path: str = ""  # the file (an unreachable one's folder is looked at)
    # Its bytes are another kind of file (a text file saved over the photo): the vectors an earlier
    # version left describe what is not there, and go. A photo cut short or emptied (a copy or sync
    # that did not finish, a disk's error) keeps them: it is still the photo the user knows, and
    # may come back whole (the CLI audit of stop 55).
    another_file: bool = False


@dataclass(frozen=True)
class PhotoRecord:
    id: int
    path: str
    folder_id: int
    caption: str | None
    caption_score: float | None
    taken_at: str | None
    camera: str | None
    width: int | None
    height: int | None
    size: int
    mtime: float
    tags: list[tuple[str, float]] = field(default_factory=list)
    status: Status = "pending"
    error: str | None = None
