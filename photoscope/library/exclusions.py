"""What the index leaves out of a watched folder: excluded subfolders, glob patterns, ignore files.

- A *folder* rule names a subfolder of a watched folder (stored relative to it): everything below
  it is left out.
- A *pattern* rule is a glob matched case-insensitively: one without ``/`` against the file's
  name (``*.png`` leaves out PNGs), one with ``/`` against its path below the watched folder
  (``Screenshots/*``: the Screenshots folder at its top; ``*`` also crosses ``/``, so ``*/*`` is
  every photo in a subfolder). A leading ``*/`` before a folder's name also matches at the top:
  ``*/Screenshots/*`` leaves out every Screenshots folder at any depth.
- A *photo* rule names one photo by its path below the watched folder, as written
  (``folders exclude PHOTO``; before schema v13 it was that path as a glob, which any case matched).
- A folder holding a ``.nomedia`` (Android's convention) or ``.photoscopeignore`` file is left out
  with everything below it; not a watched folder itself, which the user named (a ``.nomedia`` synced
  to a phone folder's top took all its photos out, the CLI audit of stop 58): ``unfollowed_ignore_files``
  lists those, for the scan to say.
- Hidden files and folders below a watched folder (a name starting with ``.``; on Windows also the
  hidden attribute) are left out unless the library's setting says to index them
  (``indexes_hidden``; off by default). A watched folder that is itself hidden (``~/.photos``) is
  indexed: the user named it.

Rules are kept in the library (``Library.exclusion_rules``). Every scan applies them (the
scanner drops excluded files from what it saw, so their rows, vectors and thumbnails leave the
index like deleted photos'; walks skip hidden folders while the setting is off, and the stored
photos below them are stashed as they leave); the watcher rescans a folder whose ignore file
appears or goes, and scans hidden paths only while the setting is on. A ``Stash`` keeps the index
entries of the photos a rule took out in the library (a month at most), so that when the rule goes
they come back without being encoded again, whichever process brings them back.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import stat as stat_module
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from photoscope.library.fs import (
    HIDDEN_ATTRIBUTES,
    PHOTO_EXTENSIONS,
    directory_identity,
    display_path,
    hidden_by_attribute,
    is_under,
    normalize_path,
    partial_hash,
    stat_photo,
    storable,
    walk_photos,
)
from photoscope.library.records import Stashing

if TYPE_CHECKING:
    from photoscope.library.connection import LibraryFile
    from photoscope.library.db import Library
    from photoscope.library.folder_rows import FolderRows
    from photoscope.library.fs import FileStat
    from photoscope.library.records import StoredFile

Kind = Literal["folder", "pattern", "photo"]
IGNORE_FILES = (".nomedia", ".photoscopeignore")


def ignored_because(name: str) -> str:
    """Why a folder holding the ignore file ``name`` is not indexed (a problem ``status`` lists)."""
    return f"left out by its {name} file: delete the file to index its photos"


def ignore_file_said(reason: str) -> str | None:
    """The ignore file a problem's ``reason`` says leaves its folder out (``ignored_because``), if any."""
    return next((name for name in IGNORE_FILES if reason == ignored_because(name)), None)


HIDDEN_SETTING = "index_hidden"  # the library setting (``Library.setting``): "on" indexes hidden ones


def indexes_hidden(library: LibraryFile) -> bool:
    """Whether the library indexes hidden folders and files below its watched folders (default no)."""
    return library.setting(HIDDEN_SETTING) == "on"


def set_indexes_hidden(library: Library, on: bool) -> bool:
    """Turn the hidden-folders setting on or off; returns whether that changed it."""
    return library.set_setting(HIDDEN_SETTING, "on" if on else None)


def hidden_below(path: str, root: str) -> bool:
    """Whether ``path`` is, or is inside, a hidden entry below the watched folder ``root`` (by name;
    the root itself and the folders above it do not count)."""
    return "/." in _relative(path, root)


@dataclass(frozen=True)
class ExclusionRule:
    folder: str  # the watched folder's path
    kind: Kind
    # folder rules: the subfolder relative to ``folder``; pattern rules: the glob; photo rules: the
    # photo's path relative to ``folder``, matched as written (not as a glob, not in any case)
    pattern: str

    def describe(self) -> str:
        return self.pattern if self.kind == "pattern" else os.path.join(self.folder, self.pattern)


def _relative(path: str, root: str) -> str:
    return path[len(root.rstrip(os.sep)) :].replace(os.sep, "/")  # "/sub/photo.jpg"


def _folded(text: str) -> str:
    """A glob or a name as patterns match them: lower case, and accents written one way (NFC):
    "ç*" left out "ça.jpg" as Linux writes it, not as macOS does, "c" and a combining cedilla (the
    fresh-seat audit of stop 59)."""
    return unicodedata.normalize("NFC", text).lower()


def _matches(pattern: str, relative: str, name: str) -> bool:
    """Whether a folded glob (``_folded``) matches a photo (``relative``: its path below the watched
    folder)."""
    if "/" not in pattern:
        return fnmatch.fnmatchcase(_folded(name), pattern)
    rest = pattern[2:] if pattern.startswith("*/") else ""
    below = _folded(relative)
    return fnmatch.fnmatchcase(below, pattern) or (
        "/" in rest and fnmatch.fnmatchcase(below, rest)  # "*/Screenshots/*" at the top too
    )


def refuse_unclosed_bracket(pattern: str) -> None:
    """Raise ``ValueError`` when a ``[`` of the glob opens a set that never closes: fnmatch then
    matches that ``[`` as itself, so a typo ("IMG_[0-9.jpg", a lone "[") made a rule that left out
    nothing meant, listed forever (the fresh-seat audit). For new rules only: one a library already
    holds must still be dropped by naming it."""
    if _unclosed_bracket(pattern):
        raise ValueError(
            f"pattern {pattern!r} has an unclosed '[': close it (IMG_[0-9]*.jpg), or write [[] for a"
            " bracket itself"
        )


def _unclosed_bracket(pattern: str) -> bool:
    """Whether a ``[`` opens a set with no ``]`` after it, read as ``fnmatch.translate`` reads sets
    (a ``!`` first negates; a ``]`` first, or after that ``!``, is a member, not the end)."""
    start = pattern.find("[")
    while start != -1:
        end = start + 1
        if pattern.startswith("!", end):
            end += 1  # "[!…]": a set negated
        if pattern.startswith("]", end):
            end += 1  # a "]" first is a member of the set, not its end
        close = pattern.find("]", end)
        if close == -1:
            return True
        start = pattern.find("[", close + 1)
    return False


def rule_for(
    folders: Sequence[str],
    path: str | None = None,
    pattern: str | None = None,
    folder: str | None = None,
    indexed: Callable[[str], bool] | None = None,
) -> list[ExclusionRule]:
    """The rules a user means: a subfolder ``path`` (of the watched folder that holds it), or a
    photo's (a file there, or one the library holds: ``indexed``, as on an unplugged drive), or a
    glob ``pattern`` for the watched ``folder`` (every watched folder when None). Raises
    ``ValueError``."""
    if (path is None) == (pattern is None):
        raise ValueError("give a subfolder or a pattern")
    named = normalize_path(path) if path is not None else pattern
    if named is not None and not storable(named):  # the library holds UTF-8 text (an encoding error)
        raise ValueError(
            f"{display_path(named)}: the name is not valid UTF-8, so a rule cannot name it: rename it,"
            " or give a --pattern with a wildcard in place of those characters"
        )
    if path is not None:
        target = normalize_path(path)
        owner = max((f for f in folders if is_under(target, f) and target != f), key=len, default=None)
        if owner is None and target in folders:  # for include and exclude alike
            raise RuleOnWatchedFolder(target)
        if owner is None:
            raise ValueError(f"{target} is not inside a watched folder")
        relative = _relative(target, owner).strip("/")
        link = os.path.islink(target) and not os.path.isdir(target)  # to a photo, or to nothing now
        if os.path.isfile(target) or link or (indexed is not None and indexed(target)):
            return [ExclusionRule(owner, "photo", relative)]  # a photo: its own path
        return [ExclusionRule(owner, "folder", relative)]
    assert pattern is not None
    if not pattern.strip():
        raise ValueError("an empty pattern")
    if pattern.startswith("/") or ".." in pattern.split("/"):
        raise ValueError(
            f"{pattern!r} would never match: a pattern names files below the watched folder "
            "(*.png, */Screenshots/*), with no leading / or .."
        )
    if folder is None:
        return [ExclusionRule(f, "pattern", pattern) for f in folders]
    key = normalize_path(folder)
    if key not in folders:
        raise ValueError(f"{key} is not a watched folder")
    return [ExclusionRule(key, "pattern", pattern)]


class RuleOnWatchedFolder(ValueError):
    """A rule asked for a watched folder itself: removing the folder is what drops all its photos
    (each interface says how; the CLI audit: include heard "remove it")."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        super().__init__(
            f"{folder} is a watched folder itself: a rule names a subfolder or a pattern below it"
            f" (to drop all its photos from the index: photoscope folders remove {folder})"
        )


def photo_rule_before(rule: ExclusionRule) -> ExclusionRule:
    """The glob a photo's own rule was made as before it had a kind of its own (``schema``'s v13):
    what `folders include PHOTO` drops too, as such a rule is still in libraries made then."""
    return ExclusionRule(rule.folder, "pattern", glob.escape(rule.pattern))


class Rules:
    """The rules of a library at one moment, with a cache of which directories hold an ignore file."""

    def __init__(
        self,
        rules: Iterable[ExclusionRule],
        folders: Iterable[str],
        hidden: bool = False,
        follow_ignore_files: bool = True,
    ) -> None:
        self.folders = sorted(folders, key=len, reverse=True)
        self.hidden = hidden  # index hidden folders and files (the library's setting)
        # whether a .nomedia or .photoscopeignore file leaves its folder out (off: what the rules
        # alone leave out, as a dropped rule's count of its own photos asks)
        self.follow_ignore_files = follow_ignore_files
        self.by_folder: dict[str, list[ExclusionRule]] = {}
        for rule in rules:
            self.by_folder.setdefault(rule.folder, []).append(rule)
        self._patterns = {  # each watched folder's glob rules, folded as they are matched
            folder: [_folded(r.pattern) for r in folder_rules if r.kind == "pattern"]
            for folder, folder_rules in self.by_folder.items()
        }
        self._photos = {  # each watched folder's photo rules: paths below it, as written
            folder: {r.pattern for r in folder_rules if r.kind == "photo"}
            for folder, folder_rules in self.by_folder.items()
        }
        self._ignore_files: dict[str, str | None] = {}  # per directory: the ignore file leaving it out
        self._hidden_paths: dict[str, bool] = {}
        # Per directory (``_verdict``): its watched folder, its path below it ("/sub"), whether the
        # folder itself is left out, and whether names can be. A scan asks about every photo, a
        # million in a large library; all but the file-name rules are the same for a directory's
        # photos, so they are decided once.
        self._directories: dict[str, tuple[str | None, str, bool, bool]] = {}

    @classmethod
    def load(cls, library: FolderRows) -> Rules:
        return cls(library.exclusion_rules(), [f.path for f in library.folders()], indexes_hidden(library))

    def excludes(self, path: str) -> bool:
        """Whether a photo at ``path`` is left out of the index."""
        return bool(self.excluded([path]))

    def excluded(self, paths: Iterable[str]) -> list[str]:
        """The photos among ``paths`` that are left out of the index (one loop: a scan asks this of
        every photo it saw, a million in a large library; a scan's paths come a directory at a time,
        and most directories have no rule about names, so most photos cost a string search)."""
        left_out: list[str] = []
        last_directory: str | None = None
        verdict: tuple[str | None, str, bool, bool] = (None, "", False, False)
        for path in paths:
            cut = path.rfind(os.sep)  # os.path.split's answer for the absolute paths asked here
            directory = path[: cut if cut > 0 else cut + 1]
            if directory != last_directory:
                last_directory, verdict = directory, self._verdict(directory)
            root, below, excluded, names_matter = verdict
            if root is None:
                continue
            if excluded or (
                (names_matter or path.startswith(".", cut + 1))
                and self._name_excluded(path, root, below, path[cut + 1 :])
            ):
                left_out.append(path)
        return left_out

    def left_out_because(self, directory: str) -> str | None:
        """Why every photo in ``directory`` (a folder below a watched one) is left out, in words
        that say what brings them back; None when they are not all left out."""
        root, below, excluded = self._directory(directory)
        if root is None:
            return None
        if excluded:
            return self._excluded_because(directory, root, below)
        pattern = next(
            (
                r.pattern
                for r in self.by_folder.get(root, ())
                if r.kind == "pattern" and _leaves_out_all(r, below)
            ),
            None,
        )
        if pattern is None:
            return None
        return (
            f"{directory} is left out by the pattern {pattern!r} of the watched folder {root}: drop the"
            f" rule (photoscope folders include --pattern {pattern!r} {root}) to index its photos"
        )

    def _excluded_because(self, directory: str, root: str, below: str) -> str:
        """``left_out_because`` for a directory ``_directory`` leaves out whole."""
        if self._folder_rule(root, below) is not None:
            return (
                f"{directory} is excluded from the watched folder {root}:"
                " include it there again to index its photos"
            )
        ignore = self._ignore_file(directory, root)
        if ignore is not None:
            return (
                f"{directory} is left out of the watched folder {root}, as {os.path.dirname(ignore)}"
                f" holds a {os.path.basename(ignore)} file: delete {ignore} to index its photos"
            )
        return (
            f'{directory} is hidden, left out of the watched folder {root}: turn on "Index hidden'
            ' folders and files" (photoscope folders hidden on) to index its photos'
        )

    def _verdict(self, directory: str) -> tuple[str | None, str, bool, bool]:
        """Per directory, decided once: its watched folder, its path below it, whether all in it is
        left out, and whether a photo's own name can be (glob rules, or Windows's hidden attribute;
        a leading dot is checked per name anyway)."""
        known = self._directories.get(directory)
        if known is None:
            root, below, excluded = self._directory(directory)
            names_matter = HIDDEN_ATTRIBUTES or bool(
                root is not None and (self._patterns.get(root) or self._photos.get(root))
            )
            known = self._directories[directory] = (root, below, excluded, names_matter)
        return known

    def _name_excluded(self, path: str, root: str, below: str, name: str) -> bool:
        """What only the photo's own name decides: hidden, or a glob rule."""
        if not self.hidden and (name.startswith(".") or self._hidden_attribute(path, root)):
            return True
        relative = f"{below}/{name}"[1:]  # "Screenshots/s.jpg": below the watched folder
        if relative in self._photos.get(root, ()):
            return True
        return any(_matches(p, relative, name) for p in self._patterns.get(root, ()))

    def _directory(self, directory: str) -> tuple[str | None, str, bool]:
        """The watched folder that holds ``directory`` (None: none), its path below it, and
        whether everything in it is left out: hidden, under a subfolder rule, or ignored."""
        root = next((f for f in self.folders if is_under(directory, f)), None)
        if root is None:
            return None, "", False
        below = _relative(directory, root).rstrip("/")  # "" for the watched folder itself
        if not self.hidden and ("/." in below or self._hidden_attribute(directory, root)):
            return root, below, True
        if self._folder_rule(root, below) is not None:
            return root, below, True
        return root, below, self.follow_ignore_files and self._ignore_file(directory, root) is not None

    def _folder_rule(self, root: str, below: str) -> ExclusionRule | None:
        """The subfolder rule of the watched folder ``root`` that leaves out the directory ``below``
        it ("/sub"), if any."""
        return next(
            (
                rule
                for rule in self.by_folder.get(root, ())
                if rule.kind == "folder" and f"{below}/".startswith(f"/{rule.pattern}/")
            ),
            None,
        )

    def _hidden_attribute(self, path: str, root: str) -> bool:
        """Whether ``path`` or a folder above it, below the watched folder, has Windows's hidden
        attribute (never elsewhere)."""
        if not HIDDEN_ATTRIBUTES or path == root or not is_under(path, root):
            return False
        known = self._hidden_paths.get(path)
        if known is None:
            try:
                here = hidden_by_attribute(os.stat(path, follow_symlinks=False))
            except OSError:
                here = False
            known = here or self._hidden_attribute(os.path.dirname(path), root)
            self._hidden_paths[path] = known
        return known

    def ignore_files(self) -> list[str]:
        """The ignore files the questions asked so far found (each leaves its folder out)."""
        return sorted({found for found in self._ignore_files.values() if found is not None})

    def _ignore_file(self, directory: str, root: str) -> str | None:
        """The ignore file in ``directory`` or one above it, below the watched folder, if any."""
        if directory in self._ignore_files:
            return self._ignore_files[directory]
        if directory == root:
            return None
        here = (os.path.join(directory, name) for name in IGNORE_FILES)
        found = next((path for path in here if os.path.lexists(path)), None)
        parent = os.path.dirname(directory)
        if found is None and is_under(parent, root):
            found = self._ignore_file(parent, root)
        self._ignore_files[directory] = found
        return found


def unfollowed_ignore_files(folders: Iterable[str]) -> list[str]:
    """The ignore files at the top of watched ``folders``: not followed (module docstring)."""
    here = (os.path.join(folder, name) for folder in folders for name in IGNORE_FILES)
    return [path for path in here if os.path.lexists(path)]


def _leaves_out_all(rule: ExclusionRule, below: str) -> bool:
    """Whether a glob rule leaves out every photo in the directory ``below`` its watched folder: it
    matches a name no glob names but by wildcards, with each photo extension ("*.*" and
    "Screenshots/*" do; "?" and "*.png" do not)."""
    names = [f"\x01\x02{extension}" for extension in sorted(PHOTO_EXTENSIONS)]
    return all(_matches(_folded(rule.pattern), f"{below}/{name}"[1:], name) for name in names)


# --- keeping what left the index, in the library ---------------------------------------------------


# The entries a stash holds at most: about 4 KB each (the feature is most of it), so 20 MB in the
# library's file; the latest kept, the likeliest to come back.
STASH_ENTRIES = 5000
# Days an entry is kept: a trash's usual time (GNOME's, Windows' storage sense); a photo that comes
# back later is encoded again.
STASH_DAYS = 30


@dataclass
class Stash:
    """Index entries of photos that left the index (rules took them out, or their files went), kept
    in the library's file (``stash_rows``, schema 20) keyed by (partial hash, size, mtime): a photo
    that comes back unchanged (a rule dropped, moved back, a delete undone from the trash) is written
    back as indexed, not encoded again, by whichever process finds it (a `folders exclude` from a
    terminal took them out, the running `index --watch` finds them back: audit 92). The entries
    are taken in the transaction that removes the photos. ``model_version`` says which model's
    entries to keep (None: keep nothing)."""

    model_version: Callable[[], str | None]
    on_restored: Callable[[list[int]], None] | None = None
    capacity: int = STASH_ENTRIES
    days: float = STASH_DAYS

    def keeping(self, files: Sequence[StoredFile]) -> Stashing | None:
        """What to stash of these photos, about to leave the index (the latest ``capacity``); None:
        nothing."""
        version = self.model_version()
        ids = tuple(f.id for f in files[-self.capacity :] if f.hash is not None)
        if version is None or not ids:
            return None
        return Stashing(ids, version, self.capacity, self._since())

    def restore(self, library: Library) -> list[tuple[int, str, str]]:
        """Write back the stashed entries of photos waiting to be indexed (just added again, or by a
        scan that ended before it wrote them back); (id, the path it had, its path now) of each."""
        restored = library.restore_stashed(self._since())
        if restored and self.on_restored is not None:
            self.on_restored([photo_id for photo_id, _, _ in restored])
        return restored

    def _since(self) -> str:
        """The oldest time an entry may have been stashed at to be kept (as ``now_iso`` writes)."""
        return (datetime.now(UTC) - timedelta(days=self.days)).isoformat(timespec="seconds")


def exclude(
    library: Library, seen: dict[str, FileStat], stored: Iterable[str]
) -> tuple[list[str], list[FileStat], set[str]]:
    """A scan's findings with the library's rules applied: excluded files are dropped from what it
    ``seen`` (so ``stored`` ones, the paths the index holds there, leave it, their entries stashed
    as they go: ``Scanner._apply``). So do those of stored photos the walk did not see because a
    rule kept it out (hidden folders: never walked while the setting is off). Returns the ignore
    files found (each leaves its folder out), the photos seen that the rules left out (their
    stats), and every stored photo they leave out (an entry kept while its file is not there, a
    link to nothing, leaves too). The scan has had the rules follow what they name where it moved
    first (``follow_moved_targets``)."""
    rules = Rules.load(library)
    dropped = [seen.pop(path) for path in rules.excluded(seen)]
    unseen = rules.excluded(p for p in stored if p not in seen)  # dropped ones included
    return rules.ignore_files(), dropped, set(unseen)


def files_named_by(rules: Iterable[ExclusionRule]) -> set[tuple[str, int, float]]:
    """(name, size, time) of each photo the folder and photo ``rules`` name now, hidden ones and those
    below included: a photo whose entry the stash keeps under the name its folder had before the
    rule followed it is told by them (``Indexing.forget_excluded``; a pattern names no place)."""
    return {(os.path.basename(s.path), s.size, s.mtime) for rule in rules for s in _photos_named(rule)}


def _photos_named(rule: ExclusionRule) -> Iterable[FileStat]:
    """The photos a folder or photo rule names where it points now (none for a pattern)."""
    if rule.kind == "folder":
        return walk_photos(rule.describe(), hidden=True)
    one = stat_photo(rule.describe(), hidden=True) if rule.kind == "photo" else None
    return [] if one is None else [one]


def follow_moved_targets(
    library: Library, seen: dict[str, FileStat], stored: Iterable[str]
) -> list[tuple[str, str]]:
    """Folder and photo rules follow what they name when it moves within its watched folder: an
    excluded subfolder renamed ("Private" to "Private (old)"), moved deeper, or an excluded photo
    renamed came back into the index at the next scan (the reliability audit of stop 60). What a
    rule names is known as the last scan saw it (``_Target``: its inode number, and what a folder
    holds, or a photo's size and time); where it is not at its path any more (gone, another folder
    or photo made there, a link left there), the photos this scan found that the index did not hold
    are looked at: the subfolder is one of their folders, the photo one of them. Returns (what
    each rule that followed named, where it is now)."""
    rules = library.rule_identities()
    followed: list[tuple[str, str]] = []
    if not rules:
        return followed
    held = set(stored)
    new = [p for p in seen if p not in held]
    for rule, noted in rules.items():
        target, known = rule.describe(), _Target.read(noted)
        moved = _linked_to(rule, target)
        if (
            moved is None
            and known is not None
            and (not os.path.lexists(target) or _inode(target) != known.inode)
        ):
            # not at its path any more: looked for among the new photos only then (a scan with
            # thousands new stat'ed each for every rule)
            moved = _moved_target(rule, known, [p for p in new if is_under(p, rule.folder)])
        if moved is not None:
            library.note_rule_target(rule, noted, _relative(moved, rule.folder).strip("/"))
            library.move_stashed(target, moved)  # what it took out, for a `--forget` of it
            followed.append((target, moved))
        elif os.path.lexists(target):
            now = _Target.of(rule.kind, target, known)
            if now != known:
                library.note_rule_target(rule, None if now is None else now.written())
        # else gone, and not found moved: what it named is kept (it may be in a hidden folder, or
        # under a name the index cannot hold, for now)
    return followed


def _linked_to(rule: ExclusionRule, target: str) -> str | None:
    """The folder a folder rule's path is a link to, inside its watched folder: moved, and a link
    left at its name ("mv Private Secret; ln -s Secret Private"); the walk takes the folder at its
    own path (the audit of the rules' renames). None for anything else."""
    if rule.kind != "folder" or not os.path.islink(target):
        return None
    real = os.path.realpath(target)
    return real if os.path.isdir(real) and is_under(real, rule.folder) else None


@dataclass(frozen=True)
class _Target:
    """What a folder or photo rule names, as a scan saw it: its inode number (``fs.directory_identity``:
    only where the file system keeps those), and, as a number is given out again at once (ext4: the
    excluded folder deleted, a new one made got its number, and the rule moved onto it: the audit of
    stop 60's changes), what a folder holds (some of its entries: name, size and time, which a rename
    keeps and a folder of new photos with the same camera names does not) or a photo's size and time,
    and its bytes' partial hash (``fs.partial_hash``: a tool that sets its time in place keeps them)."""

    inode: str
    entries: tuple[tuple[str, int, int], ...] = ()
    size: int = -1
    mtime: float = 0.0
    digest: str = ""  # a photo's partial hash ("" where it could not be read, or noted before it was kept)

    ENTRIES = 64  # a folder's entries kept: enough to know it again, a line of JSON

    @classmethod
    def of(cls, kind: str, path: str, known: _Target | None) -> _Target | None:
        """``path`` now (None where it cannot be told); the file system's type is asked only for a
        number not seen before (it reads the system's mount table)."""
        number = _inode(path)
        if number is None or ((known is None or known.inode != number) and directory_identity(path) is None):
            return None
        try:
            if kind == "folder":  # the first names only stat'ed: an excluded folder may hold thousands
                kept = (_entry(path, name) for name in sorted(os.listdir(path))[: cls.ENTRIES])
                return cls(number, tuple(e for e in kept if e is not None))
            st = os.stat(path)
        except OSError:
            return None
        # read again only when it changed (or was not kept): a scan looks at every rule's target
        noted = known.digest if known is not None and known.stamp == (number, st.st_size, st.st_mtime) else ""
        digest = noted or _digest(path, st.st_size)
        return cls(number, size=st.st_size, mtime=st.st_mtime, digest=digest)

    @property
    def stamp(self) -> tuple[str, int, float]:
        return (self.inode, self.size, self.mtime)

    def is_at(self, kind: str, path: str) -> bool:
        """Whether what is at ``path`` is this target, moved: its number, and at least half the
        entries it held (a folder: the same name, size and time) or its size and time, or else its
        bytes (a photo: renamed, then its time set in place, the audit of stop 60's rules)."""
        if _inode(path) != self.inode:
            return False
        try:
            if kind == "folder":  # each entry kept, looked for there (photos added since do not count)
                shared = sum(_entry(path, name) == (name, size, mtime) for name, size, mtime in self.entries)
                return bool(self.entries) and 2 * shared >= len(self.entries)
            st = os.stat(path)
        except OSError:
            return False
        if (st.st_size, st.st_mtime) == (self.size, self.mtime):
            return True
        return bool(self.digest) and st.st_size == self.size and _digest(path, st.st_size) == self.digest

    def written(self) -> str:
        entries = [list(e) for e in self.entries]
        return json.dumps(
            {
                "inode": self.inode,
                "entries": entries,
                "size": self.size,
                "mtime": self.mtime,
                "digest": self.digest,
            }
        )

    @classmethod
    def read(cls, text: str | None) -> _Target | None:
        try:
            data = json.loads(text or "")
            entries = tuple((str(n), int(z), int(t)) for n, z, t in data["entries"])
            digest = str(data.get("digest", ""))
            return cls(str(data["inode"]), entries, int(data["size"]), float(data["mtime"]), digest)
        except (ValueError, TypeError, KeyError):  # none yet, or written before entries were kept
            return None


def _digest(path: str, size: int) -> str:
    """A photo's partial hash, "" when it cannot be read."""
    try:
        return partial_hash(path, size)
    except (OSError, ValueError):
        return ""


def _entry(folder: str, name: str) -> tuple[str, int, int] | None:
    """One entry of a folder as ``_Target`` keeps it: name, size and whole-second time (a folder's:
    -1, 0); None when it is not there."""
    try:
        st = os.lstat(os.path.join(folder, name))
    except OSError:
        return None
    return (name, -1, 0) if stat_module.S_ISDIR(st.st_mode) else (name, st.st_size, int(st.st_mtime))


def _moved_target(rule: ExclusionRule, known: _Target, found: Sequence[str]) -> str | None:
    """Where what ``rule`` names is now, among the folders of the photos ``found`` (below its watched
    folder) or those photos themselves; None when none is it (``_Target.is_at``)."""
    if rule.kind == "photo":
        candidates: Iterable[str] = found
    else:
        folders: set[str] = set()
        for path in found:
            directory = os.path.dirname(path)
            while directory != rule.folder and is_under(directory, rule.folder) and directory not in folders:
                folders.add(directory)
                directory = os.path.dirname(directory)
        candidates = sorted(folders)
    return next((c for c in candidates if known.is_at(rule.kind, c)), None)


def _inode(path: str) -> str | None:
    """``path``'s inode number as ``fs.directory_identity`` writes it, without asking its file system's
    type (a scan looks at every rule's target: that reads the system's mount table each time)."""
    try:
        return str(os.stat(path).st_ino)
    except OSError:
        return None


def left_out_by_rules(library: Library, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` (photos, or folders: all their photos) the library's rules leave out."""
    if not paths:
        return set()
    rules = Rules.load(library)
    return {p for p in paths if rules.excludes(p) or rules.left_out_because(p) is not None}


def wide_exclusion(taken: int, of: int) -> bool:
    """Whether an exclusion rule takes so much of its folders' photos out (half or more, two or
    more) that the user is asked first: their captions and vectors go with them."""
    return taken >= 2 and 2 * taken >= of
