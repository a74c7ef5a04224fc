"""PCA and t-SNE in NumPy alone (the maps' layouts), so the app needs neither scikit-learn nor SciPy.

t-SNE (van der Maaten & Hinton 2008) as scikit-learn runs it by default: affinities from each point's
``3 * perplexity`` nearest neighbours, a PCA start scaled to a standard deviation of 1e-4, 250 steps of
early exaggeration (12) at momentum 0.5, then 500 (as openTSNE) at momentum 0.8, with per-coordinate
gains and a learning rate of n / 12 (Belkina et al. 2019). The attractive forces are summed over the
sparse neighbour affinities; the repulsive forces over all pairs are summed exactly up to
``EXACT_UP_TO`` points and above are interpolated on a grid and convolved by FFT (FIt-SNE, Linderman et
al. 2019), which costs O(n) per step instead of O(n^2), with errors far below what a 2-D map can show
(``repulsion`` is tested against the exact sums).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

EARLY_EXAGGERATION = 12.0
EXAGGERATION_STEPS = 250
STEPS = 750  # in all, early exaggeration included (openTSNE's 250 + 500; scikit-learn runs 1,000)
REPORT_EVERY = 25  # steps between calls of ``tsne``'s ``on_step``
INTERPOLATION_POINTS = 4  # Lagrange nodes per grid box and dimension (3 kept fewer neighbours)
MIN_BOXES = 10  # grid boxes per dimension, at least; and at most one embedding unit wide ...
MAX_BOXES = 200  # ... up to this many
EXACT_UP_TO = 1200  # points whose repulsive forces are summed exactly (faster than the grid up to here)


def pca(rows: npt.NDArray[np.floating[Any]], components: int) -> Floats:
    """The rows projected on their first principal components (by SVD), with a deterministic sign:
    each component's largest loading is positive."""
    centred = np.asarray(rows, np.float64) - np.mean(rows, axis=0, dtype=np.float64)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:components]
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(1)])
    signs[signs == 0] = 1
    projected: Floats = centred @ (vt * signs[:, None]).T
    return projected


def tsne(
    rows: npt.NDArray[np.floating[Any]],
    perplexity: float = 30.0,
    seed: int = 0,
    on_step: Callable[[float], None] | None = None,
) -> Floats:
    """A 2-D t-SNE embedding of the rows (Euclidean distances), n x 2; ``on_step`` is told the
    fraction of the steps done, every ``REPORT_EVERY`` steps (a map of thousands takes seconds)."""
    x = np.asarray(rows, np.float64)
    n = len(x)
    if n < 3:
        return np.zeros((n, 2))
    k = min(n - 1, int(3 * perplexity + 1))
    neighbours, distances = _nearest(x, k)
    affinities = _joint_affinities(neighbours, distances, perplexity)
    start = pca(x, 2) if x.shape[1] >= 2 else np.column_stack([x[:, 0], np.zeros(n)])
    std = float(np.std(start[:, 0]))
    if std < 1e-12:  # all rows alike along the first component: start from a small random cloud
        start = np.random.default_rng(seed).normal(0, 1, (n, 2))
        std = float(np.std(start[:, 0]))
    y = start / std * 1e-4
    learning_rate = max(n / EARLY_EXAGGERATION / 4, 50.0)  # the gradient below carries the factor 4
    update = np.zeros_like(y)
    gains = np.ones_like(y)
    for step in range(STEPS):
        if on_step is not None and step % REPORT_EVERY == 0:
            on_step(step / STEPS)
        early = step < EXAGGERATION_STEPS
        exaggeration = EARLY_EXAGGERATION if early else 1.0
        momentum = 0.5 if early else 0.8
        gradient = 4 * (exaggeration * _attraction(y, affinities) - repulsion(y))
        same = update * gradient >= 0
        gains = np.where(same, gains * 0.8, gains + 0.2)
        np.maximum(gains, 0.01, out=gains)
        update = momentum * update - learning_rate * gains * gradient
        y = y + update
        y -= y.mean(0)
    return y


def _nearest(x: Floats, k: int, chunk: int = 1024) -> tuple[npt.NDArray[np.int64], Floats]:
    """Each row's k nearest other rows and their squared distances, nearest first."""
    n = len(x)
    squares = (x * x).sum(1)
    neighbours = np.empty((n, k), np.int64)
    distances = np.empty((n, k))
    for start in range(0, n, chunk):
        block = slice(start, min(start + chunk, n))
        d = squares[block, None] + squares[None, :] - 2 * (x[block] @ x.T)
        np.maximum(d, 0, out=d)
        d[np.arange(d.shape[0]), np.arange(block.start, block.stop)] = np.inf  # not itself
        nearest = np.argpartition(d, k - 1, axis=1)[:, :k] if k < n - 1 else np.argsort(d, 1)[:, :k]
        nd = np.take_along_axis(d, nearest, 1)
        order = np.argsort(nd, 1, kind="stable")
        neighbours[block] = np.take_along_axis(nearest, order, 1)
        distances[block] = np.take_along_axis(nd, order, 1)
    return neighbours, distances


def _conditional(distances: Floats, perplexity: float, steps: int = 100) -> Floats:
    """P(j | i) over each row's neighbours, with each row's Gaussian precision found by bisection so that
    the row's entropy is log(perplexity)."""
    d = distances - distances[:, :1]  # shift by the nearest: the same distribution, no underflow
    target = math.log(perplexity)
    beta = np.ones(len(d))
    low = np.full(len(d), -np.inf)
    high = np.full(len(d), np.inf)
    for _ in range(steps):
        weights = np.exp(-d * beta[:, None])
        total = weights.sum(1)
        entropy = np.log(total) + beta * (d * weights).sum(1) / total
        too_flat = entropy > target  # raise the precision
        low = np.where(too_flat, beta, low)
        high = np.where(too_flat, high, beta)
        beta = np.where(
            too_flat,
            np.where(np.isinf(high), beta * 2, (beta + high) / 2),
            np.where(np.isinf(low), beta / 2, (beta + low) / 2),
        )
        if np.all(np.abs(entropy - target) < 1e-5):
            break
    weights = np.exp(-d * beta[:, None])
    conditional: Floats = weights / weights.sum(1, keepdims=True)
    return conditional


@dataclass(frozen=True)
class Affinities:
    """The symmetric P = (P(j|i) + P(i|j)) / 2n, sparse: (row, column, value) triples sorted by row; every
    row has some (its nearest neighbours), and starts[i] is where row i's begin."""

    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    values: Floats
    starts: npt.NDArray[np.int64]


def _joint_affinities(neighbours: npt.NDArray[np.int64], distances: Floats, perplexity: float) -> Affinities:
    n, k = neighbours.shape
    conditional = _conditional(distances, perplexity)
    i = np.repeat(np.arange(n), k)
    j = neighbours.ravel()
    v = conditional.ravel()
    keys = np.concatenate([i * n + j, j * n + i])
    unique, inverse = np.unique(keys, return_inverse=True)
    values = np.bincount(inverse, np.concatenate([v, v]), len(unique)) / (2 * n)
    rows = unique // n
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return Affinities(rows, unique % n, values, starts)


def _attraction(y: Floats, affinities: Affinities) -> Floats:
    """sum_j p_ij (1 + |y_i - y_j|^2)^-1 (y_i - y_j), for each i."""
    rows, cols, p = affinities.rows, affinities.cols, affinities.values
    d0 = y[:, 0].take(rows) - y[:, 0].take(cols)  # one axis at a time: gathers of 1-D arrays are fast
    d1 = y[:, 1].take(rows) - y[:, 1].take(cols)
    w = p / (1 + d0 * d0 + d1 * d1)
    starts = affinities.starts
    return np.column_stack([np.add.reduceat(w * d0, starts), np.add.reduceat(w * d1, starts)])


def repulsion(y: Floats) -> Floats:
    """sum_j q_ij^2 Z (y_i - y_j), i.e. sum_j (1 + |y_i - y_j|^2)^-2 (y_i - y_j) / Z over all j != i, with
    Z = sum_{i != j} (1 + |y_i - y_j|^2)^-1. Exact for up to ``EXACT_UP_TO`` points; above, both sums
    are kernels convolved with the points' density, interpolated on a grid and convolved by FFT."""
    if len(y) <= EXACT_UP_TO:
        return _exact_repulsion(y)
    sums = _convolved(y)
    z = max(float(sums[:, 0].sum()) - len(y), 1e-12)  # less the n self-terms, K(0) = 1
    force: Floats = sums[:, 1:] / z
    return force


def _exact_repulsion(y: Floats) -> Floats:
    """The all-pairs sums in single precision (errors ~1e-5, far below a map's pixel), as matrix
    products: sum_j k_ij^2 (y_i - y_j) = y_i sum_j k_ij^2 - (k^2 y)_i, with |y_i - y_j|^2 from the
    norms (the layout is centred every step, so they cancel little)."""
    y32 = y.astype(np.float32)
    squares = (y32 * y32).sum(1)
    kernel = squares[:, None] + squares[None, :]
    kernel -= 2 * (y32 @ y32.T)
    np.maximum(kernel, 0, out=kernel)
    kernel += 1
    np.reciprocal(kernel, out=kernel)
    np.fill_diagonal(kernel, 0)
    z = max(float(kernel.sum(dtype=np.float64)), 1e-12)
    kernel *= kernel
    force: Floats = (y32 * kernel.sum(1)[:, None] - kernel @ y32).astype(np.float64) / z
    return force


def _convolved(y: Floats) -> Floats:
    """For each point i, sum_j K(y_i - y_j) for the kernels (1 + |d|^2)^-1 and d (1 + |d|^2)^-2 (two
    components): the points are spread onto a uniform grid by Lagrange interpolation, the grid is
    convolved with each kernel by FFT, and the results are read back the same way. The kernels are
    smooth on the scale of one embedding unit, and grid boxes are at most one unit wide."""
    n, p = len(y), INTERPOLATION_POINTS
    low = y.min(0)
    extent = max(float((y.max(0) - low).max()), 1e-9)
    # Box widths come from a ladder (powers of 2^(1/4)) and box counts are FFT-friendly, so the kernels'
    # spectra are reused from one step to the next while the layout's extent changes little. Boxes are
    # one unit wide, narrower while the layout is small, and wider only past MAX_BOXES (a layout that
    # sparse is of few points, whose sums are exact, or a map far more spread out than t-SNE's).
    if extent <= MAX_BOXES:
        width = 2.0 ** (math.floor(4 * math.log2(min(1.0, extent / MIN_BOXES))) / 4)
    else:
        width = 2.0 ** (math.ceil(4 * math.log2(extent / MAX_BOXES)) / 4)
    boxes = _smooth(math.ceil(extent / width * (1 + 1e-9)))
    spectra, m = _kernel_spectra(boxes, width)
    h = width / p  # node spacing; nodes at low + h * (m + 1/2)
    t = (y - low) / h  # in node spacings
    box = np.minimum((t // p).astype(np.int64), boxes - 1)
    local = t - box * p  # in [0, p]
    nodes = np.arange(p) + 0.5
    basis = np.ones((n, 2, p))  # each node's Lagrange polynomial at each point, per dimension
    for a in range(p):
        for b in range(p):
            if a != b:
                basis[:, :, a] *= (local - nodes[b]) / (nodes[a] - nodes[b])
    line = box[:, :, None] * p + np.arange(p)  # n x 2 x p grid lines
    flat = (line[:, 0, :, None] * m + line[:, 1, None, :]).reshape(n, p * p)
    weights = (basis[:, 0, :, None] * basis[:, 1, None, :]).reshape(n, p * p)
    density = np.zeros((2 * m, 2 * m), np.float32)  # single precision: twice as fast, errors ~1e-6
    density[:m, :m] = np.bincount(flat.ravel(), weights.ravel(), m * m).reshape(m, m)
    grid = np.fft.irfft2(spectra * np.fft.rfft2(density), s=density.shape)[:, :m, :m].reshape(3, m * m)
    sums: Floats = np.einsum("nk,cnk->nc", weights, grid[:, flat])
    return sums


@functools.lru_cache(maxsize=4)
def _kernel_spectra(boxes: int, width: float) -> tuple[npt.NDArray[np.complex64], int]:
    """The FFTs of the kernels (1 + |d|^2)^-1, d_x (1 + |d|^2)^-2 and d_y (1 + |d|^2)^-2 at every offset
    of a grid of boxes x boxes boxes, laid out circularly for a linear convolution; and the grid's nodes
    per side."""
    m = boxes * INTERPOLATION_POINTS
    offsets = np.concatenate([np.arange(m), [0], np.arange(-m + 1, 0)]) * (width / INTERPOLATION_POINTS)
    dx, dy = np.meshgrid(offsets, offsets, indexing="ij")
    cauchy = 1 / (1 + dx * dx + dy * dy)
    kernels = np.stack([cauchy, dx * cauchy * cauchy, dy * cauchy * cauchy])
    kernels[:, m, :] = kernels[:, :, m] = 0
    spectra: npt.NDArray[np.complex64] = np.fft.rfft2(kernels.astype(np.float32)).astype(np.complex64)
    return spectra, m


def _smooth(count: int) -> int:
    """The smallest whole number >= count whose primes are 2, 3 and 5 (fast FFT sizes)."""
    while True:
        rest = count
        for prime in (2, 3, 5):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            return count
        count += 1
