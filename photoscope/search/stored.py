"""What the library stores for search, read with NumPy alone: the vectors' memory-mapped file (its
format; ``sidecar`` writes it and keeps it current) and the rows SQLite holds.

No PyTorch here: the app's first searches (``quick``) read the file while PyTorch is still loading.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from photoscope.network import class_index, load_near_classes

if TYPE_CHECKING:
    from photoscope.library.db import Library

CONCEPTS_PER_PHOTO = 5  # the head's top classes kept per photo (the "Looks like" tags the index stores)
MAGIC = b"PHOTOSCOPE-VECTORS\n"
FORMAT = 1
HEADER = 4096
FEATURE_DIM = 1280
IMAGENET_CLASSES = 1000
CHECK_ROWS = 8192  # rows checked at a time (``all_finite``): a few MB, not the whole mapped file


def sidecar_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.vectors")


@dataclass(frozen=True)
class Sidecar:
    """An opened file: its header and its mapped sections (read-only, copy-on-write mapped)."""

    path: Path
    model_version: str
    generation: int
    basis_rows: int  # photos the feature directions were fitted on (0: features kept whole)
    ids: npt.NDArray[np.int64]
    latents: npt.NDArray[np.float16]  # unit rows
    norms: npt.NDArray[np.float32]
    features: npt.NDArray[np.float16]  # unit rows, whole or reduced
    classes: npt.NDArray[np.int16]
    class_probs: npt.NDArray[np.float32]
    basis: npt.NDArray[np.float32] | None  # 1280 x reduced, or None
    full_offset: int = 0  # where the whole unit features start (reduced files only)

    @property
    def count(self) -> int:
        return len(self.ids)

    def full_features(self, rows: np.ndarray) -> npt.NDArray[np.float16]:
        """The whole unit features of some rows, read from the file (not mapped: search reads a few
        hundred rows per query, and mapped pages would stay resident)."""
        size = FEATURE_DIM * 2
        out = np.empty((len(rows), FEATURE_DIM), np.float16)
        with self.path.open("rb", buffering=0) as f:
            fd = f.fileno()
            order = np.argsort(rows)
            for i in order.tolist():
                out[i] = np.frombuffer(os.pread(fd, size, self.full_offset + int(rows[i]) * size), np.float16)
        return out

    def full_range(self, lo: int, hi: int) -> npt.NDArray[np.float16]:
        size = FEATURE_DIM * 2
        with self.path.open("rb", buffering=0) as f:
            data = os.pread(f.fileno(), size * (hi - lo), self.full_offset + lo * size)
        return np.frombuffer(data, np.float16).reshape(hi - lo, FEATURE_DIM)


def _sections(
    count: int, latent_dim: int, feature_width: int, reduced: bool
) -> dict[str, tuple[str, tuple[int, ...]]]:
    sections: dict[str, tuple[str, tuple[int, ...]]] = {
        "ids": ("<i8", (count,)),
        "latents": ("<f2", (count, latent_dim)),
        "norms": ("<f4", (count,)),
        "features": ("<f2", (count, feature_width)),
        "classes": ("<i2", (count, CONCEPTS_PER_PHOTO)),
        "class_probs": ("<f4", (count, CONCEPTS_PER_PHOTO)),
    }
    if reduced:
        sections["basis"] = ("<f4", (FEATURE_DIM, feature_width))
        sections["full"] = ("<f2", (count, FEATURE_DIM))  # read row by row (pread), never mapped
    return sections


def _layout(sections: dict[str, tuple[str, tuple[int, ...]]]) -> tuple[dict[str, int], int]:
    offsets, at = {}, HEADER
    for name, (dtype, shape) in sections.items():
        offsets[name] = at
        at += -(-int(np.dtype(dtype).itemsize * np.prod(shape)) // HEADER) * HEADER
    return offsets, at


def read_sidecar(path: Path, model_version: str, latent_dim: int) -> Sidecar | None:
    """The mapped file, or None if it is missing, damaged, of another format or of another model."""
    side = map_sidecar(path, model_version, latent_dim)
    if side is None or written_over(side) is not None:
        return None  # rebuilt: written over by a bad sector or a stray write (the CLI audit of stop 47)
    return side


def map_sidecar(path: Path, model_version: str, latent_dim: int) -> Sidecar | None:
    """The file mapped as its header says, its contents unchecked (``read_sidecar`` checks them);
    None if it is missing, of another format or model, or shorter than its header says."""
    try:
        with path.open("rb") as f:
            head = f.read(HEADER)
            size = os.fstat(f.fileno()).st_size
        if not head.startswith(MAGIC):
            return None
        meta = json.loads(head[len(MAGIC) :].rstrip(b"\0 \n"))
        if (
            meta.get("format") != FORMAT
            or meta.get("model_version") != model_version
            or meta.get("latent_dim") != latent_dim
        ):
            return None
        count, width, reduced = int(meta["count"]), int(meta["feature_width"]), bool(meta["basis_rows"])
        capacity = int(meta["capacity"])
        sections = _sections(capacity, latent_dim, width, reduced)
        offsets, end = _layout(sections)
        if size < end:
            return None
        mapped: dict[str, Any] = {}
        for name, (dtype, shape) in sections.items():
            if name == "full":
                continue
            array = np.memmap(path, dtype=dtype, mode="c", offset=offsets[name], shape=shape)
            mapped[name] = array if name == "basis" else array[:count]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Sidecar(
        path,
        model_version,
        int(meta["generation"]),
        int(meta["basis_rows"]),
        mapped["ids"],
        mapped["latents"],
        mapped["norms"],
        mapped["features"],
        mapped["classes"],
        mapped["class_probs"],
        np.asarray(mapped["basis"]) if reduced else None,
        offsets.get("full", 0),
    )


def written_over(side: Sidecar, whole: bool = False) -> str | None:
    """The section of the file that holds what its writer never writes (finite numbers, ids in
    order, ImageNet's classes or -1), or None; ``whole``: the whole features of a reduced file too
    (search reads a few rows of them: doctor reads them all). 4 KiB of bad bytes among the features
    had made every search find nothing, for good, and doctor said "all good" (the CLI audit of
    stop 47): random half floats are often infinite or NaN, and a NaN scores no photo. 10-23 ms
    at 100,000 photos without ``whole``, 0.3 s with it (the file cached)."""
    if side.count and (side.ids[0] <= 0 or (np.diff(side.ids) <= 0).any()):
        return "ids"
    if ((side.classes < -1) | (side.classes >= IMAGENET_CLASSES)).any():
        return "classes"
    numbers: dict[str, np.ndarray] = {
        "latents": side.latents,
        "norms": side.norms,
        "features": side.features,
        "class probabilities": side.class_probs,
    }
    if side.basis is not None:
        numbers["feature directions"] = side.basis
    for name, values in numbers.items():
        if not all_finite(values):
            return name
    if whole and side.basis is not None:
        for lo in range(0, side.count, CHECK_ROWS):
            if not all_finite(side.full_range(lo, min(side.count, lo + CHECK_ROWS))):
                return "whole features"
    return None


def all_finite(values: np.ndarray) -> bool:
    """Whether an array holds no infinity or NaN, a chunk of rows at a time (half floats by their
    exponent bits: five times faster than ``np.isfinite``)."""
    if not values.size:  # an empty library's sections
        return True
    flat = values.reshape(len(values), -1) if values.ndim else values.reshape(1, 1)
    for lo in range(0, len(flat), CHECK_ROWS):
        part = flat[lo : lo + CHECK_ROWS]
        if part.dtype == np.float16:
            if ((part.view(np.uint16) & 0x7C00) == 0x7C00).any():
                return False
        elif not np.isfinite(part).all():
            return False
    return True


def class_cover(classes: Sequence[int], near_weight: float, encoder: str) -> npt.NDArray[np.float32]:
    """How much each class counts for a concept covering ``classes`` (``NearClasses.cover``: 1 for
    those, up to ``near_weight`` for the classes the head finds alike; 1001 entries, the last for
    an empty slot). The alike classes are those of one encoder's head: for a model on another
    ``encoder`` the classes count alone."""
    near = load_near_classes()
    return near.cover(classes, near_weight if near.encoder == encoder else 0.0)


def probability_of_concept(
    cover: np.ndarray, photo_classes: np.ndarray, photo_probs: np.ndarray
) -> np.ndarray:
    """Each photo's probability of its stored top classes (``photo_classes``, N x k, -1 in an empty
    slot), each weighed by how much it counts (``cover``, from ``class_cover``; one rule for the
    in-memory and the mapped stores)."""
    # NumPy's take and einsum: ~1 ms for 100,000 photos, where indexing a tensor by the class
    # matrix took tens of milliseconds.
    hits = np.asarray(cover, dtype=np.float32).take(photo_classes)
    summed: np.ndarray = np.einsum("ij,ij->i", photo_probs, hits)
    return summed


def read_vectors(
    library: Library, model_version: str, ids: Sequence[int] | None = None
) -> tuple[list[int], np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Photo ids with their latents, features and concepts (the head's top classes and their
    probabilities, from the stored tags), row for row (all photos, or those of ``ids``)."""
    wanted = None if ids is None else list(ids)
    lat_ids, latents = library.load_vectors("latent", ids=wanted, model_version=model_version)
    feat_ids, features = library.load_vectors("feature", ids=wanted, model_version=model_version)
    if not np.array_equal(lat_ids, feat_ids):  # both kinds are written together; guard anyway
        features = features[np.isin(feat_ids, lat_ids)]
        keep = np.isin(lat_ids, feat_ids)
        lat_ids, latents = lat_ids[keep], latents[keep]
    return lat_ids.tolist(), latents, features, read_concepts(library, lat_ids, model_version, wanted)


def read_concepts(
    library: Library, photo_ids: np.ndarray, model_version: str, ids: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """N x k class indices (-1: none) and probabilities of ``photo_ids`` (ascending), from their
    stored tags: the concept scores of search need no features through the head."""
    n = len(photo_ids)
    classes = np.full((n, CONCEPTS_PER_PHOTO), -1, dtype=np.int16)
    probs = np.zeros((n, CONCEPTS_PER_PHOTO), dtype=np.float32)
    tag_ids, labels, scores = library.load_tags(ids=ids, model_version=model_version)
    if not n or not len(tag_ids):
        return classes, probs
    # Vectorised: 100,000 photos have 500,000 tags. A tag's slot is its place among its photo's tags
    # (they come ordered by photo id).
    index = class_index()
    label_class = np.fromiter((index.get(label, -1) for label in labels), dtype=np.int64, count=len(labels))
    rows = np.minimum(np.searchsorted(photo_ids, tag_ids), n - 1)
    slot = np.arange(len(tag_ids)) - np.searchsorted(tag_ids, tag_ids)
    keep = (photo_ids[rows] == tag_ids) & (label_class >= 0) & (slot < CONCEPTS_PER_PHOTO)
    classes[rows[keep], slot[keep]] = label_class[keep]
    probs[rows[keep], slot[keep]] = scores[keep]
    return classes, probs


SAMPLE_CHECKED = 8  # rows of the file compared with the database at open


def same_photos(side: Sidecar, library: Library, model_version: str, changed: set[int]) -> bool:
    """Whether a few rows of the file, spread over it and unchanged since it was written, hold the
    database's vectors for their photos. A library deleted and made again (its ids from 1 again)
    left the old file beside it, stamped with a generation the new one also reached: the new
    library searched the old photos' vectors under its own photos' ids (the #14 audit of stop 44).
    Eight rows read by id: well under a millisecond."""
    rows = np.unique(np.linspace(0, side.count - 1, num=min(SAMPLE_CHECKED, side.count)).astype(np.int64))
    wanted = [int(side.ids[r]) for r in rows if int(side.ids[r]) not in changed]
    if not wanted:
        return True
    found_ids, latents, _, _ = read_vectors(library, model_version, wanted)
    if found_ids != wanted:
        return False  # a photo the file holds that the database does not, unlogged
    at = {int(photo): row for photo, row in zip(side.ids[rows], rows, strict=True)}
    mine = np.stack([side.latents[at[p]].astype(np.float32) for p in wanted])
    theirs = latents / np.maximum(np.linalg.norm(latents, axis=1, keepdims=True), 1e-12)
    return bool(np.all(np.sum(mine * theirs, axis=1) > 0.99))
