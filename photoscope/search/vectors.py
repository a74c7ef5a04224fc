"""The library's vectors in memory: one matrix per kind, kept in step with the index.

Rows are L2-normalised once on the way in, so a query costs one matrix-vector product and a
partial sort. Latents stay float32 (they are small); the 1280-d encoder features are float16,
which halves memory and, being memory-bound, also halves the product's time (100,000 photos:
about 250 MB and 25 ms on one core here).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import torch

from photoscope.search.results import Hit
from photoscope.search.stored import (
    CONCEPTS_PER_PHOTO,
    probability_of_concept,
    read_concepts,
    read_vectors,
)

_BLOCK = 8192  # rows normalised at a time

Kind = Literal["latent", "feature"]


if TYPE_CHECKING:
    from photoscope.library.db import Library

__all__ = [  # what is read without PyTorch lives in ``stored``; these names stay importable from here
    "CONCEPTS_PER_PHOTO",
    "Hit",
    "Kind",
    "VectorStore",
    "best_hits",
    "load_store",
    "probability_of_concept",
    "read_concepts",
    "read_vectors",
]


class _Matrix:
    """A growable row store with amortised O(1) appends and O(1) swap-removes."""

    def __init__(self, dim: int, dtype: torch.dtype) -> None:
        self.data = torch.zeros((0, dim), dtype=dtype)
        self.size = 0

    def append(self, rows: torch.Tensor) -> None:
        if self.size == 0 and rows.dtype == self.data.dtype and len(rows) > len(self.data):
            self.data, self.size = rows, len(rows)  # the first load: adopt the rows, no copy
            return
        need = self.size + len(rows)
        if need > len(self.data):
            grown = torch.zeros(
                (max(need, 2 * len(self.data), 1024), self.data.shape[1]), dtype=self.data.dtype
            )
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = rows.to(self.data.dtype)
        self.size = need

    def view(self) -> torch.Tensor:
        return self.data[: self.size]


def cosines(matrix: torch.Tensor, unit_queries: torch.Tensor) -> torch.Tensor:
    """Q x N dot products of unit query rows with a unit N x D matrix, in float32.

    Float32 (the latents): as N x Q, with at least two columns. PyTorch's CPU matrix-vector
    product runs on one thread: one query row over 100,000 latents took 6.5 ms, two rows as a
    matrix product 1.9 ms, three rows as ``q @ matrix.T`` 17 ms and as ``matrix @ q.T`` 2.4 ms
    (``benchmarks/search.py --scores``). Float16 (the features): ``q @ matrix.T``, whose one-row
    product is the faster there (4.8 ms against 11.7 at 100,000 x 1280).
    """
    if matrix.dtype != torch.float32:
        return (unit_queries.to(matrix.dtype) @ matrix.T).float()
    columns = unit_queries if len(unit_queries) > 1 else unit_queries.repeat(2, 1)
    return (matrix @ columns.T).T[: len(unit_queries)].contiguous()


def _normalise(rows: np.ndarray | torch.Tensor, dtype: torch.dtype, copy: bool = True) -> torch.Tensor:
    """Unit rows in ``dtype``, a block at a time: 100,000 features in float32 would take half a
    gigabyte at once for what is kept in float16. With ``copy=False`` the rows (if already of
    ``dtype``) are normalised in place, so loading a library holds its vectors once, not twice."""
    tensor = torch.as_tensor(rows)
    out = tensor if not copy and tensor.dtype == dtype else torch.empty(tensor.shape, dtype=dtype)
    for lo in range(0, len(tensor), _BLOCK):
        out[lo : lo + _BLOCK] = torch.nn.functional.normalize(tensor[lo : lo + _BLOCK].float(), dim=-1)
    return out


class VectorStore:
    def __init__(self, latent_dim: int, feature_dim: int = 1280) -> None:
        self._ids: list[int] = []
        self._row: dict[int, int] = {}
        self._latents = _Matrix(latent_dim, torch.float32)
        self._latent_norms = _Matrix(1, torch.float32)  # to recover raw latents (the decoder's scale)
        self._features = _Matrix(feature_dim, torch.float16)
        # The encoder head's likeliest classes per photo and their probabilities (class -1: none),
        # so a concept word scores 100,000 photos with a gather and a sum (see ``concept_scores``).
        self._classes = _Matrix(CONCEPTS_PER_PHOTO, torch.int64)  # NumPy takes int64 without a copy
        self._class_probs = _Matrix(CONCEPTS_PER_PHOTO, torch.float32)

    @property
    def _matrices(self) -> tuple[_Matrix, ...]:
        return (self._latents, self._latent_norms, self._features, self._classes, self._class_probs)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, photo_id: object) -> bool:
        return photo_id in self._row

    @property
    def ids(self) -> np.ndarray:
        return np.asarray(self._ids, dtype=np.int64)

    def upsert(
        self,
        ids: Iterable[int],
        latents: np.ndarray | torch.Tensor,
        features: np.ndarray | torch.Tensor,
        concepts: tuple[np.ndarray | torch.Tensor, np.ndarray | torch.Tensor] | None = None,
        copy: bool = True,
    ) -> None:
        """Add or replace photos' vectors. ``copy=False`` hands the arrays over: they are normalised
        in place and may be kept, so the caller must not use them afterwards. ``concepts`` are the
        head's top classes (N x k class indices, -1 for none) and their probabilities (N x k)."""
        ids = list(ids)
        classes, class_probs = _concept_rows(len(ids), concepts)
        raw = torch.as_tensor(latents, dtype=torch.float32)
        norms = raw.norm(dim=-1, keepdim=True)
        lat, feat = _normalise(raw, torch.float32, copy), _normalise(features, torch.float16, copy)
        fresh = [i for i, pid in enumerate(ids) if pid not in self._row]
        for i, pid in enumerate(ids):
            if pid in self._row:  # re-indexed photo: overwrite in place
                row = self._row[pid]
                self._latents.data[row] = lat[i]
                self._latent_norms.data[row] = norms[i]
                self._features.data[row] = feat[i]
                self._classes.data[row] = classes[i]
                self._class_probs.data[row] = class_probs[i]
        if fresh:
            # All new (the first load): take the normalised matrices as they are, without a gather copy.
            index = torch.tensor(fresh) if len(fresh) < len(ids) else slice(None)
            for i in fresh:
                self._row[ids[i]] = len(self._ids)
                self._ids.append(ids[i])
            self._latents.append(lat[index])
            self._latent_norms.append(norms[index])
            self._features.append(feat[index])
            self._classes.append(classes[index])
            self._class_probs.append(class_probs[index])

    def remove(self, ids: Iterable[int]) -> None:
        for pid in ids:
            row = self._row.pop(pid, None)
            if row is None:
                continue
            last = len(self._ids) - 1
            if row != last:  # move the last row into the hole
                moved = self._ids[last]
                self._ids[row] = moved
                self._row[moved] = row
                for matrix in self._matrices:
                    matrix.data[row] = matrix.data[last]
            self._ids.pop()
            for matrix in self._matrices:
                matrix.size -= 1

    @property
    def feature_basis(self) -> npt.NDArray[np.float32] | None:
        """The directions ``vectors("feature")`` are projected on (1280 x D), None when the rows are
        the whole 1280-d features (the memory-mapped store reduces a large library's)."""
        return None

    def rows_of(self, kind: Kind, rows: torch.Tensor) -> torch.Tensor:
        """The normalised vectors of some rows (numbered as ``ids``), in float32 (``index_select``: the
        4,096 candidates of the detectors in 1.2 ms, indexing them took 3.2)."""
        return self.vectors(kind).index_select(0, rows).float()

    def vectors(self, kind: Kind) -> torch.Tensor:
        """The normalised N x D matrix of one kind (a view: do not modify)."""
        return (self._latents if kind == "latent" else self._features).view()

    def vectors_copy(self, kind: Kind) -> torch.Tensor:
        """``vectors`` as a matrix of its own, to read outside the store's lock (the indexer's
        removals swap the rows in place)."""
        return self.vectors(kind).clone()

    def mean_latent(self) -> torch.Tensor:
        """The mean of the stored latents at their original scale (the decoder's input scale)."""
        return (self._latents.view() * self._latent_norms.view()).mean(0)

    def raw_latents(self, rows: torch.Tensor) -> torch.Tensor:
        """Latents at their original scale for store rows (as the decoder takes them)."""
        return self._latents.view()[rows] * self._latent_norms.view()[rows]

    def concept_scores(self, cover: np.ndarray, rows: torch.Tensor | None = None) -> torch.Tensor:
        """Each photo's probability (N, or one per store row of ``rows``) that it shows a concept,
        summed over its stored top classes, each weighed by how much it counts (``cover``:
        ``stored.class_cover``); the probability beyond them counts as none."""
        classes, probs = self._classes.view().numpy(), self._class_probs.view().numpy()
        if rows is not None:  # a combined query's candidates: not a pass over the whole library
            picked = rows.numpy()
            classes, probs = classes[picked], probs[picked]
        return torch.from_numpy(probability_of_concept(cover, classes, probs))

    def vector_of(self, photo_id: int, kind: Kind) -> torch.Tensor:
        return self.vectors(kind)[self._row[photo_id]].float()

    def scores(self, query: torch.Tensor, kind: Kind) -> torch.Tensor:
        """Cosine similarity of every stored photo to each query row (Q x D -> Q x N)."""
        matrix = self.vectors(kind)
        q = torch.nn.functional.normalize(query.float().reshape(-1, matrix.shape[1]), dim=-1)
        return cosines(matrix, q)

    def top_k(
        self,
        scores: torch.Tensor | np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        exclude: Iterable[int] = (),
    ) -> list[Hit]:
        """The best ``k`` photos by a row of scores, among ``allowed`` ids, without ``exclude``."""
        return best_hits(scores, self.ids, k, allowed, self.rows_of_ids(exclude))

    def rows_of_ids(self, photo_ids: Iterable[int]) -> list[int]:
        """The row numbers (as ``ids`` and ``scores`` number them) of those photos the store holds."""
        return [self._row[p] for p in photo_ids if p in self._row]


def best_hits(
    scores: torch.Tensor | np.ndarray,
    ids: Sequence[int] | np.ndarray,
    k: int,
    allowed: np.ndarray | None,
    excluded_rows: Iterable[int],
) -> list[Hit]:
    """The best ``k`` rows of ``scores`` as hits, among ``allowed`` photo ids, without ``excluded_rows``
    (one rule for the in-memory and the memory-mapped stores)."""
    # In NumPy, on this thread: PyTorch's element-wise steps over 100,000 scores on two threads
    # took 8 ms each on a 2-core machine with the other core busy (indexing), 0.1 ms so.
    given = scores.detach().numpy() if isinstance(scores, torch.Tensor) else np.asarray(scores)
    masked = np.array(given, dtype=np.float32).reshape(-1)  # a copy (``path_words.lift_named``'s too)
    masked[np.isnan(masked)] = -np.inf  # NaN ranks nowhere, as -inf
    if allowed is not None:
        masked[~np.isin(np.asarray(ids), allowed)] = -np.inf
    for row in excluded_rows:
        masked[row] = -np.inf
    values, rows = _top_in_row_order(masked, min(k, len(masked)))
    return [Hit(int(ids[int(r)]), float(v)) for v, r in zip(values, rows, strict=True) if v != -np.inf]


def _top_in_row_order(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best scores and their rows, ties in row order: the best 3 are the first 3 of the
    best 6 (a partition breaks ties as it likes, and a names' lift gives many photos one score)."""
    if k == 0:
        return scores[:0], np.zeros(0, dtype=np.int64)
    rows = np.argpartition(-scores, k - 1)[:k]
    last = scores[rows].min()
    above = rows[scores[rows] > last]
    tied = np.flatnonzero(scores == last)[: k - len(above)]  # in row order
    rows = np.concatenate([above, tied])
    rows = rows[np.lexsort((rows, -scores[rows]))]  # by score, then by row
    return scores[rows], rows


def _concept_rows(
    n: int, concepts: tuple[np.ndarray | torch.Tensor, np.ndarray | torch.Tensor] | None
) -> tuple[torch.Tensor, torch.Tensor]:
    classes = torch.full((n, CONCEPTS_PER_PHOTO), -1, dtype=torch.int64)
    probs = torch.zeros((n, CONCEPTS_PER_PHOTO), dtype=torch.float32)
    if concepts is not None:
        given_classes = torch.as_tensor(concepts[0]).reshape(n, -1)[:, :CONCEPTS_PER_PHOTO]
        given_probs = torch.as_tensor(concepts[1]).reshape(n, -1)[:, :CONCEPTS_PER_PHOTO]
        k = given_classes.shape[1]
        classes[:, :k] = given_classes.long()
        probs[:, :k] = given_probs.float()
    return classes, probs


def load_store(library: Library, model_version: str, latent_dim: int) -> VectorStore:
    """The in-memory vectors of the photos a model indexed, read from the library."""
    store = VectorStore(latent_dim)
    store.upsert(*read_vectors(library, model_version), copy=False)  # the arrays are ours: no second copy
    return store
