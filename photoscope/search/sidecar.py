"""The search's vectors in a memory-mapped file next to the library database (``library.db.vectors``).

Loading a million photos' vectors from SQLite takes half a minute; mapping this file takes
milliseconds, and the operating system pages it in as search touches it (and shares it between
processes). SQLite stays the source of truth: the file records the database's vector generation (a
counter kept by triggers, ``Library.vector_changes``), and at open the few photos changed since are
read from SQLite and kept in memory on top of the mapped rows. A missing, damaged, foreign or too
stale file is rebuilt from SQLite, a chunk at a time.

What the file holds per photo, sorted by photo id:
- the unit latent as float16 and its norm (float32): text search and the decoder's re-ranking;
- the 1280-d encoder feature for example search: kept whole (float16) below ``REDUCE_FROM`` photos,
  above it projected on the library's own principal directions (``REDUCED_DIM``, uncentred PCA fitted
  on a sample) and renormalised, float16: a million photos' features take 384 MB, not 2.6 GB. On
  Flickr8k val (``benchmarks/feature_precision.py``) precision@10 of example search moved +0.0025
  (directions fitted on the same photos) and +0.0017 (fitted on the other half): no loss. The whole
  unit features stay in the file, unmapped: the best ``RESCORE`` photos of an example search are
  read back (pread) and scored exactly, so the top results and their copy marks are the whole
  features' own (reduced cosines run high: 85-99 % of mirror images passed the 0.97 copy mark, 16 %
  with the whole features);
- the encoder head's top classes and their probabilities (concept search), when the store has them.

Layout: a 4,096-byte header (magic line, then JSON: format, model version, generation, count,
dimensions, section offsets), then each section at a 4,096-byte boundary.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import torch

from photoscope.search.stored import (
    CONCEPTS_PER_PHOTO,
    FEATURE_DIM,
    FORMAT,
    HEADER,
    IMAGENET_CLASSES,
    MAGIC,
    Sidecar,
    _layout,
    _sections,
    read_sidecar,
    same_photos,
    sidecar_path,
)
from photoscope.search.vectors import Kind, VectorStore, probability_of_concept, read_vectors

if TYPE_CHECKING:
    from photoscope.library.db import Library

__all__ = [  # the file's format and reading live in ``stored`` (no PyTorch); importable from here too
    "MappedStore",
    "Sidecar",
    "build_sidecar",
    "fit_basis",
    "open_store",
    "read_sidecar",
    "reduce_features",
    "refresh_sidecar",
    "sidecar_path",
]

REDUCE_FROM = 20_000  # photos from which features are stored reduced
REDUCED_DIM = 192  # principal directions kept: P@10 within 0.003 of the whole features (module notes)
FIT_SAMPLE = 4_096  # features the directions are fitted on (500 already hold P@10, see the notes)
REFIT_GROWTH = 2  # refit (rebuild) once the library has grown this many times since the fit
CATCH_UP_LIMIT = 50_000  # changed photos above which the file is rebuilt rather than patched at open
CHUNK = 20_000  # photos read from SQLite or written at a time
RESCORE = 256  # best photos of an example search scored again on their whole features


class _Writer:
    """Writes a new file beside the old one (rows in id order, a chunk at a time), then swaps it in."""

    def __init__(
        self,
        path: Path,
        capacity: int,
        latent_dim: int,
        basis: npt.NDArray[np.float32] | None,
        basis_rows: int,
    ) -> None:
        self.path, self.capacity, self.latent_dim = path, capacity, latent_dim
        self.basis, self.basis_rows = basis, basis_rows
        width = FEATURE_DIM if basis is None else basis.shape[1]
        self.sections = _sections(capacity, latent_dim, width, basis is not None)
        self.offsets, end = _layout(self.sections)
        self.tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        _allocate(self.tmp, end)
        self.maps = {
            name: np.memmap(self.tmp, dtype=dtype, mode="r+", offset=self.offsets[name], shape=shape)
            for name, (dtype, shape) in self.sections.items()
            if name != "full"
        }
        if basis is not None:
            self.maps["basis"][:] = basis
        self.count = 0
        self.width = width

    def put(
        self,
        ids: npt.NDArray[np.int64],
        latents: np.ndarray,
        norms: np.ndarray,
        features: np.ndarray,
        classes: np.ndarray | None = None,
        class_probs: np.ndarray | None = None,
        full: np.ndarray | None = None,
    ) -> None:
        """Rows already normalised (and features reduced) as the file keeps them; ``full``: the
        whole unit features, for a reduced file."""
        lo, hi = self.count, self.count + len(ids)
        if "full" in self.offsets and full is not None:
            with self.tmp.open("r+b") as f:
                f.seek(self.offsets["full"] + lo * FEATURE_DIM * 2)
                f.write(np.ascontiguousarray(_finite(full), np.float16).tobytes())
        self.maps["ids"][lo:hi] = ids
        self.maps["latents"][lo:hi] = _finite(latents)
        self.maps["norms"][lo:hi] = _finite(np.asarray(norms).reshape(-1))
        self.maps["features"][lo:hi] = _finite(features)
        self.maps["classes"][lo:hi] = -1 if classes is None else np.where(_a_class(classes), classes, -1)
        self.maps["class_probs"][lo:hi] = 0 if class_probs is None else _finite(class_probs)
        self.count = hi

    def finish(self, model_version: str, generation: int) -> Path:
        for array in self.maps.values():
            array.flush()
        meta = {
            "format": FORMAT,
            "model_version": model_version,
            "generation": generation,
            "count": self.count,
            "capacity": self.capacity,
            "latent_dim": self.latent_dim,
            "feature_width": self.width,
            "basis_rows": self.basis_rows,
        }
        head = MAGIC + json.dumps(meta).encode()
        with self.tmp.open("r+b") as f:
            f.write(head.ljust(HEADER, b"\0"))
            f.flush()
            os.fsync(f.fileno())
        self.maps.clear()
        os.replace(self.tmp, self.path)  # readers keep the old file mapped until they let it go
        return self.path

    def abandon(self) -> None:
        self.maps.clear()
        self.tmp.unlink(missing_ok=True)


def _finite(values: np.ndarray) -> np.ndarray:
    """Rows as the file holds them, always finite (a damaged vector in the database scores 0, and a
    file with a NaN is one written over: ``stored.written_over``)."""
    finite: np.ndarray = np.nan_to_num(np.asarray(values), nan=0.0, posinf=0.0, neginf=0.0)
    return finite


def _a_class(classes: np.ndarray) -> np.ndarray:
    known: np.ndarray = (classes >= 0) & (classes < IMAGENET_CLASSES)
    return known


def _allocate(path: Path, size: int) -> None:
    """A new file (private, as the database) whose ``size`` bytes the disk really holds. A sparse file
    written through a memory map kills the process with SIGBUS when the disk fills: reserved up front,
    a full disk is an ``OSError`` here, and the search loads its vectors into memory instead."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        try:
            os.posix_fallocate(fd, 0, max(size, 1))
        except (AttributeError, OSError) as error:  # macOS and Windows have none; ZFS refuses it
            if isinstance(error, OSError) and error.errno not in (errno.EINVAL, errno.EOPNOTSUPP):
                raise
            os.ftruncate(fd, size)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def fit_basis(features: np.ndarray, dims: int | None = None) -> npt.NDArray[np.float32]:
    """The ``dims`` principal directions of unit features (uncentred: cosine is about directions
    from the origin), 1280 x dims, strongest first."""
    unit = _unit(np.asarray(features, np.float32))
    gram = (unit.T @ unit).astype(np.float64)  # 1280 x 1280: float32 products, float64 eigensolver
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1][: dims or REDUCED_DIM]
    basis: npt.NDArray[np.float32] = np.ascontiguousarray(vectors[:, order], dtype=np.float32)
    return basis


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, np.float32)
    unit: np.ndarray = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return unit


def reduce_features(features: np.ndarray | torch.Tensor, basis: npt.NDArray[np.float32] | None) -> np.ndarray:
    """Features as the file keeps them: unit, projected on ``basis`` (if any) and renormalised."""
    rows = _unit(np.asarray(features, np.float32).reshape(-1, FEATURE_DIM))
    if basis is not None:
        rows = _unit(rows @ basis)
    return rows.astype(np.float16)


def build_sidecar(library: Library, model_version: str, latent_dim: int, path: Path) -> Sidecar:
    """Write the file afresh from SQLite (a chunk at a time: memory stays at a chunk and a sample)."""
    generation = library.vector_generation()  # first: what changes while this reads is caught up at open
    ids = np.asarray(library.photo_ids(), np.int64)
    basis, basis_rows = None, 0
    if len(ids) >= REDUCE_FROM:
        sample = ids[np.linspace(0, len(ids) - 1, min(len(ids), FIT_SAMPLE)).astype(np.int64)]
        found = read_vectors(library, model_version, sample.tolist())
        if len(found[0]) >= min(FIT_SAMPLE, REDUCE_FROM // 2):
            basis, basis_rows = fit_basis(found[2]), len(ids)
    writer = _Writer(path, len(ids), latent_dim, basis, basis_rows)
    try:
        for lo in range(0, len(ids), CHUNK):
            found = read_vectors(library, model_version, ids[lo : lo + CHUNK].tolist())
            if not found[0]:
                continue
            latents = np.asarray(found[1], np.float32)
            norms = np.linalg.norm(latents, axis=1)
            concepts: Any = cast(Any, found)[3] if len(found) > 3 else None
            writer.put(
                np.asarray(found[0], np.int64),
                (latents / np.maximum(norms[:, None], 1e-12)).astype(np.float16),
                norms,
                reduce_features(found[2], basis),
                None if concepts is None else concepts[0],
                None if concepts is None else concepts[1],
                full=reduce_features(found[2], None) if basis is not None else None,
            )
        writer.finish(model_version, generation)
    except BaseException:
        writer.abandon()
        raise
    opened = read_sidecar(path, model_version, latent_dim)
    assert opened is not None
    return opened  # the log is pruned by the indexer (refresh_sidecar): a search writes no database


class MappedStore(VectorStore):
    """The vector store over a mapped file (``base``) plus the photos changed since, in memory.

    Rows number the base's rows first, then the in-memory ones; a base row replaced or removed since
    is dead (it scores -inf). Latents of the base are float16; example search compares features in
    the file's space (reduced above ``REDUCE_FROM`` photos): query features are projected on the way in.
    """

    def __init__(self, base: Sidecar, latent_dim: int) -> None:
        width = base.features.shape[1]
        super().__init__(latent_dim, feature_dim=width)
        self.base = base
        self.generation = base.generation
        self._tail = VectorStore(latent_dim, feature_dim=width)
        self._tail_full: dict[int, npt.NDArray[np.float16]] = {}  # whole unit features, reduced files
        self._tail_concepts: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # classes, probabilities
        self._alive = torch.ones(base.count, dtype=torch.bool)
        self._dead = 0
        self._live: torch.Tensor | None = None  # base rows still live, once some are dead
        # Photos upserted or removed here since the last catch-up (this process's indexer): the change
        # log lists them too, and reading them back from the database would be work done twice.
        self._taken_in: set[int] = set()
        self._b_ids = base.ids
        self._b_latents = torch.from_numpy(base.latents)
        self._b_norms = torch.from_numpy(base.norms)
        self._b_features = torch.from_numpy(base.features)
        self._b_classes = torch.from_numpy(base.classes)
        self._b_class_probs = torch.from_numpy(base.class_probs)

    # rows

    def _base_row(self, photo_id: int) -> int | None:
        i = int(np.searchsorted(self._b_ids, photo_id))
        if i < len(self._b_ids) and int(self._b_ids[i]) == photo_id and bool(self._alive[i]):
            return i
        return None

    def _kill(self, ids: Iterable[int]) -> None:
        wanted = np.asarray(list(ids), np.int64)
        if not len(wanted) or not len(self._b_ids):
            return
        at = np.minimum(np.searchsorted(self._b_ids, wanted), len(self._b_ids) - 1)
        rows = torch.from_numpy(at[self._b_ids[at] == wanted])
        self._dead += int(self._alive[rows].sum())
        self._alive[rows] = False
        self._live = torch.from_numpy(np.flatnonzero(self._alive.numpy())) if self._dead else None

    def __len__(self) -> int:
        return len(self._b_ids) - self._dead + len(self._tail)

    def __contains__(self, photo_id: object) -> bool:
        return photo_id in self._tail or (isinstance(photo_id, int) and self._base_row(photo_id) is not None)

    # Rows number the live base rows first, then the in-memory ones (as ``ids``, ``scores``).

    def _base_rows(self, rows: torch.Tensor) -> torch.Tensor:
        """Base file rows of row numbers below the live base count."""
        return rows if self._live is None else self._live[rows]

    def _base_part(self, values: torch.Tensor) -> torch.Tensor:
        """The live base rows' values of a per-base-row tensor (last dimension)."""
        return values if self._live is None else values[..., self._live]

    @property
    def ids(self) -> np.ndarray:
        alive = self._b_ids if not self._dead else self._b_ids[self._alive.numpy()]
        return np.concatenate([alive, self._tail.ids])

    @property
    def changed(self) -> int:
        """Photos changed since the file was written (kept in memory on top of it)."""
        return self._dead + len(self._tail)

    def upsert(
        self,
        ids: Iterable[int],
        latents: np.ndarray | torch.Tensor,
        features: np.ndarray | torch.Tensor,
        *args: Any,
        copy: bool = True,
        **kwargs: Any,
    ) -> None:
        ids = list(ids)
        self._taken_in.update(ids)
        self._kill(ids)
        if self.base.basis is not None:
            whole = reduce_features(features, None)
            self._tail_full.update(zip(ids, whole, strict=True))
        if args and args[0] is not None:  # the head's top classes and their probabilities
            classes, probs = (np.asarray(a) for a in args[0])
            self._tail_concepts.update(zip(ids, zip(classes, probs, strict=True), strict=True))
        reduced = torch.from_numpy(reduce_features(features, self.base.basis))
        cast(Any, self._tail).upsert(ids, latents, reduced, *args, copy=copy, **kwargs)

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        self._taken_in.update(ids)
        self._kill(ids)
        self._tail.remove(ids)
        for pid in ids:
            self._tail_full.pop(pid, None)
            self._tail_concepts.pop(pid, None)

    # vectors

    def _base(self, kind: Kind) -> torch.Tensor:
        return self._b_latents if kind == "latent" else self._b_features

    @property
    def feature_basis(self) -> npt.NDArray[np.float32] | None:
        return self.base.basis

    def rows_of(self, kind: Kind, rows: torch.Tensor) -> torch.Tensor:
        """Some rows' vectors, read where they are (``vectors`` copies every row: a million)."""
        live_base = len(self._b_ids) - self._dead
        in_base = rows < live_base
        out = torch.empty(len(rows), self._base(kind).shape[1])
        out[in_base] = self._base(kind)[self._base_rows(rows[in_base])].float()
        out[~in_base] = self._tail.vectors(kind)[rows[~in_base] - live_base].float()
        return out

    def vectors(self, kind: Kind) -> torch.Tensor:
        """The live rows' normalised matrix, in the order of ``ids`` (a copy: the rows are in two parts)."""
        base = self._base(kind)
        if self._dead:
            base = base[self._alive]
        return torch.cat([base.float(), self._tail.vectors(kind).float()])

    def vectors_copy(self, kind: Kind) -> torch.Tensor:
        return self.vectors(kind)  # a matrix of its own already

    def _query(self, query: torch.Tensor, kind: Kind) -> torch.Tensor:
        q = query.float()
        if kind == "feature" and self.base.basis is not None and q.shape[-1] == FEATURE_DIM:
            q = torch.from_numpy(reduce_features(q.reshape(-1, FEATURE_DIM).numpy(), self.base.basis)).float()
        return torch.nn.functional.normalize(q.reshape(-1, self._base(kind).shape[1]), dim=-1)

    def scores(self, query: torch.Tensor, kind: Kind) -> torch.Tensor:
        """Cosine similarities (Q x rows). With reduced features, the best ``RESCORE`` photos of a
        whole 1280-d query are scored again exactly on their whole features (read from the file), and
        the rest kept in their order below them: the top results and their copy marks are exact."""
        q = self._query(query, kind)
        base = self._base_part((q.to(self._base(kind).dtype) @ self._base(kind).T).float())
        tail = self._tail.scores(q, kind) if len(self._tail) else torch.zeros((len(q), 0))
        scores = torch.cat([base, tail], dim=1)
        whole = query.float().reshape(-1, query.shape[-1])
        if kind == "feature" and self.base.basis is not None and whole.shape[1] == FEATURE_DIM:
            scores = self._rescore(scores, torch.nn.functional.normalize(whole, dim=-1))
        return scores

    def _rescore(self, scores: torch.Tensor, whole: torch.Tensor) -> torch.Tensor:
        k = min(RESCORE, scores.shape[1])
        top, rows = scores.topk(k, dim=1)
        out = scores - 2.0  # below every exact cosine, in the same order
        for i in range(len(scores)):
            live = torch.isfinite(top[i])
            r = rows[i][live]
            exact = torch.from_numpy(self._full_rows(r.numpy()).astype(np.float32)) @ whole[i]
            out[i, r] = exact
        return out

    def _full_rows(self, rows: np.ndarray) -> npt.NDArray[np.float16]:
        nb = len(self._b_ids) - self._dead
        out = np.empty((len(rows), FEATURE_DIM), np.float16)
        in_base = rows < nb
        if in_base.any():
            out[in_base] = self.base.full_features(self._base_rows(torch.from_numpy(rows[in_base])).numpy())
        tail_ids = self._tail.ids
        for i in np.flatnonzero(~in_base).tolist():
            out[i] = self._tail_full[int(tail_ids[rows[i] - nb])]
        return out

    def mean_latent(self) -> torch.Tensor:
        total = torch.zeros(self._b_latents.shape[1], dtype=torch.float64)
        for lo in range(0, len(self._b_ids), CHUNK):
            rows = self._b_latents[lo : lo + CHUNK].float() * self._b_norms[lo : lo + CHUNK, None]
            total += (rows * self._alive[lo : lo + CHUNK, None]).sum(0).double()
        n = len(self)
        if len(self._tail):
            total += self._tail.mean_latent().double() * len(self._tail)
        return (total / max(n, 1)).float()

    def raw_latents(self, rows: torch.Tensor) -> torch.Tensor:
        rows = rows.reshape(-1).long()
        out = torch.empty((len(rows), self._b_latents.shape[1]), dtype=torch.float32)
        nb = len(self._b_ids) - self._dead
        in_base = rows < nb
        if in_base.any():
            r = self._base_rows(rows[in_base])
            out[in_base] = self._b_latents[r].float() * self._b_norms[r, None]
        if (~in_base).any():
            out[~in_base] = self._tail.raw_latents(rows[~in_base] - nb)
        return out

    def vector_of(self, photo_id: int, kind: Kind) -> torch.Tensor:
        """A photo's unit vector; for features the whole 1280-d one (read from the file if reduced)."""
        if kind == "feature" and self.base.basis is not None:
            if photo_id in self._tail_full:
                return torch.from_numpy(self._tail_full[photo_id].astype(np.float32))
            row = self._base_row(photo_id)
            if row is None:
                raise KeyError(photo_id)
            return torch.from_numpy(self.base.full_features(np.array([row]))[0].astype(np.float32))
        if photo_id in self._tail:
            return self._tail.vector_of(photo_id, kind)
        row = self._base_row(photo_id)
        if row is None:
            raise KeyError(photo_id)
        return self._base(kind)[row].float()

    def concept_scores(self, cover: np.ndarray, rows: torch.Tensor | None = None) -> torch.Tensor:
        if rows is not None:  # the mapped base's rows in the live order: read whole, then picked
            return self.concept_scores(cover)[rows]
        base = self._base_part(
            torch.from_numpy(probability_of_concept(cover, self.base.classes, self.base.class_probs))
        )
        tail_scores = getattr(self._tail, "concept_scores", None)
        tail = tail_scores(cover) if tail_scores is not None and len(self._tail) else torch.zeros(0)
        return torch.cat([base, tail])

    def rows_of_ids(self, photo_ids: Iterable[int]) -> list[int]:
        nb = len(self._b_ids) - self._dead
        rows: list[int] = []
        for pid in photo_ids:
            row = self._base_row(pid)
            if row is not None:
                rows.append(row if self._live is None else int(np.searchsorted(self._live.numpy(), row)))
            if pid in self._tail:
                rows.append(nb + int(np.flatnonzero(self._tail.ids == pid)[0]))
        return rows

    # keeping the file current

    def catch_up(self, library: Library, model_version: str) -> bool:
        """Take in the photos changed in the database since this store's generation (another
        process's, or this one's not handed over here); False when the log no longer reaches back
        that far (the store must be reopened)."""
        now, changed = library.vector_changes(self.generation)
        if changed is None:
            return False
        known, self._taken_in = self._taken_in, set()
        changed = [photo for photo in changed if photo not in known]
        if changed:
            found = read_vectors(library, model_version, changed)
            gone = set(changed) - set(found[0])
            if found[0]:
                self.upsert(*found, copy=False)
            if gone:
                self.remove(gone)
        self.generation, self._taken_in = now, set()
        return True

    def write(self, model_version: str) -> Sidecar:
        """A new file of this store's rows, stamped with its generation (call it with the store's
        changes caught up and no writer in between: under the API's store lock)."""
        source = self._merged_order()
        tail = self._tail_rows()
        writer = _Writer(
            self.base.path, len(source), self._b_latents.shape[1], self.base.basis, self.base.basis_rows
        )
        try:
            for lo in range(0, len(source), CHUNK):
                writer.put(*self._merged_chunk(source[lo : lo + CHUNK], tail))
            writer.finish(model_version, self.generation)
        except BaseException:
            writer.abandon()
            raise
        opened = read_sidecar(self.base.path, model_version, self._b_latents.shape[1])
        assert opened is not None
        return opened

    def _merged_order(self) -> np.ndarray:
        """The rows to write in photo id order: a live base row's index, or the base's length plus
        a tail row's."""
        base_rows = np.flatnonzero(self._alive.numpy())
        tail_ids = self._tail.ids
        order = np.argsort(np.concatenate([self._b_ids[base_rows], tail_ids]), kind="stable")
        return np.concatenate([base_rows, len(self._b_ids) + np.arange(len(tail_ids))])[order]

    def _tail_rows(self) -> _TailRows:
        ids = self._tail.ids
        norms = (
            self._tail.raw_latents(torch.arange(len(ids))).norm(dim=-1).numpy()
            if len(ids)
            else np.zeros(0, np.float32)
        )
        return _TailRows(
            ids,
            self._tail.vectors("latent").to(torch.float16).numpy(),
            norms,
            self._tail.vectors("feature").to(torch.float16).numpy(),
        )

    def _merged_chunk(self, rows: np.ndarray, tail: _TailRows) -> _Chunk:
        """One chunk of ``_merged_order``'s rows, each from the base or the tail, in that order."""
        nb = len(self._b_ids)
        from_base = rows < nb  # keep the merged id order: fill by position
        b, t = rows[from_base], rows[~from_base] - nb
        n, base = len(rows), self.base
        ids = np.empty(n, np.int64)
        lat = np.empty((n, self._b_latents.shape[1]), np.float16)
        norms = np.empty(n, np.float32)
        feats = np.empty((n, self._b_features.shape[1]), np.float16)
        ids[from_base], ids[~from_base] = self._b_ids[b], tail.ids[t]
        lat[from_base], lat[~from_base] = base.latents[b], tail.latents[t]
        norms[from_base], norms[~from_base] = base.norms[b], tail.norms[t]
        feats[from_base], feats[~from_base] = base.features[b], tail.features[t]
        classes = np.full((n, CONCEPTS_PER_PHOTO), -1, np.int16)
        probs = np.zeros((n, CONCEPTS_PER_PHOTO), np.float32)
        classes[from_base], probs[from_base] = base.classes[b], base.class_probs[b]
        for i, pid in zip(np.flatnonzero(~from_base).tolist(), tail.ids[t].tolist(), strict=True):
            if pid in self._tail_concepts:
                k = min(CONCEPTS_PER_PHOTO, len(self._tail_concepts[pid][0]))
                classes[i, :k] = self._tail_concepts[pid][0][:k]
                probs[i, :k] = self._tail_concepts[pid][1][:k]
        full = None
        if base.basis is not None:
            full = np.empty((n, FEATURE_DIM), np.float16)
            if len(b):
                full[from_base] = base.full_range(int(b.min()), int(b.max()) + 1)[b - b.min()]
            full[~from_base] = [self._tail_full[int(i)] for i in tail.ids[t]] if len(t) else 0
        return ids, lat, norms, feats, classes, probs, full


@dataclass(frozen=True)
class _TailRows:
    """The rows added since the file was written, as the file stores them."""

    ids: np.ndarray
    latents: np.ndarray  # float16
    norms: np.ndarray  # the latents' norms before they were made unit
    features: np.ndarray  # float16


# One chunk of a file's rows: ids, latents, norms, features, top classes, their probabilities, and
# the full features where the file keeps a reduced copy (None: it does not).
_Chunk = tuple[
    npt.NDArray[np.int64], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None
]


def open_store(library: Library, model_version: str, latent_dim: int, path: Path) -> MappedStore:
    """The search's store: the file mapped (rebuilt first if missing, foreign or too stale) and
    the database's changes since it was written taken in."""
    side = read_sidecar(path, model_version, latent_dim)
    if side is not None:
        _, changed = library.vector_changes(side.generation)
        if changed is None or len(changed) > max(CATCH_UP_LIMIT, side.count // 4) or _needs_refit(side):
            side = None
        elif not same_photos(side, library, model_version, set(changed)):
            side = None  # another library's file (its database deleted and made again)
    if side is None:
        side = build_sidecar(library, model_version, latent_dim, path)
    store = MappedStore(side, latent_dim)
    if not store.catch_up(library, model_version):  # pruned meanwhile by another process: start over
        store = MappedStore(build_sidecar(library, model_version, latent_dim, path), latent_dim)
        store.catch_up(library, model_version)
    return store


def _needs_refit(side: Sidecar) -> bool:
    """Features kept whole and the library now big enough to reduce, or fitted on a much smaller one."""
    if side.basis is None:
        return side.count >= REDUCE_FROM
    return side.count >= REFIT_GROWTH * side.basis_rows and side.basis_rows < 10 * FIT_SAMPLE


def refresh_sidecar(
    library: Library,
    model_version: str,
    latent_dim: int,
    path: Path,
    store: MappedStore | None = None,
    threshold: int = 2_000,
) -> MappedStore | None:
    """Rewrite the file when enough has changed since it was written (the indexer calls this when it
    goes idle): from ``store`` if given (caught up first), else from the file and the database.
    Returns the store over the new file, or None when nothing needed writing.

    Only here, in the indexer, is the database's change log pruned up to the file it wrote. A search
    that rebuilds the file leaves the log: a reading command writes nothing to the library (one that
    is damaged would fail later in the same search, after a write into it)."""
    fresh = _rewritten(library, model_version, latent_dim, path, store, threshold)
    if fresh is not None:
        library.prune_vector_log(fresh.base.generation)
    return fresh


def _rewritten(
    library: Library,
    model_version: str,
    latent_dim: int,
    path: Path,
    store: MappedStore | None,
    threshold: int,
) -> MappedStore | None:
    if store is None:
        side = read_sidecar(path, model_version, latent_dim)
        if side is None:
            if library.vector_generation() == 0:
                return None  # nothing indexed yet
            return MappedStore(build_sidecar(library, model_version, latent_dim, path), latent_dim)
        store = MappedStore(side, latent_dim)
        if not store.catch_up(library, model_version):
            return MappedStore(build_sidecar(library, model_version, latent_dim, path), latent_dim)
    elif not store.catch_up(library, model_version):
        return MappedStore(build_sidecar(library, model_version, latent_dim, path), latent_dim)
    if store.changed < max(threshold, store.base.count // 20) and not _needs_refit(store.base):
        return None
    if _needs_refit(store.base):
        return MappedStore(build_sidecar(library, model_version, latent_dim, path), latent_dim)
    return MappedStore(store.write(model_version), latent_dim)
