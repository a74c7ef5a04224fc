"""The NumPy PCA and t-SNE behind the maps (photoscope.search.tsne): the FFT-interpolated repulsion against
the exact all-pairs sums, clusters kept apart, neighbours kept, small inputs."""

from __future__ import annotations

import numpy as np
import pytest

from photoscope.search import tsne as T


def _exact_repulsion(y: np.ndarray) -> np.ndarray:
    d = y[:, None, :] - y[None, :, :]
    k = 1 / (1 + (d * d).sum(2))
    np.fill_diagonal(k, 0)
    return ((k * k)[:, :, None] * d).sum(1) / k.sum()


@pytest.mark.parametrize("scale", [1e-4, 0.3, 3.0, 8.0])
@pytest.mark.parametrize("n", [300, T.EXACT_UP_TO + 300])
def test_repulsion_matches_the_exact_sums(scale: float, n: int) -> None:
    # From the first steps (a tiny cloud) to a spread-out map (boxes one unit wide), two uneven
    # clusters; summed in single precision (up to EXACT_UP_TO points) and on the grid (above).
    rng = np.random.default_rng(1)
    y = rng.normal(0, scale, (n, 2))
    y[: n // 4] += 3 * scale
    exact = _exact_repulsion(y)
    error = np.linalg.norm(T.repulsion(y) - exact) / np.linalg.norm(exact)
    assert error < (1e-4 if n <= T.EXACT_UP_TO else 0.02)


def _clusters(n_per: int, clusters: int, dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (clusters, dim)) * 4
    labels = np.repeat(np.arange(clusters), n_per)
    return centres[labels] + rng.normal(0, 1, (len(labels), dim)), labels


def _neighbours(x: np.ndarray, k: int) -> np.ndarray:
    d = (x * x).sum(1)[:, None] + (x * x).sum(1)[None, :] - 2 * x @ x.T
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, 1)[:, :k]


def test_tsne_separates_clusters_and_keeps_neighbours() -> None:
    x, labels = _clusters(n_per=80, clusters=5, dim=30)
    y = T.tsne(x, perplexity=30)
    assert y.shape == (len(x), 2) and np.isfinite(y).all()
    # Each point's 10 nearest on the map are from its own cluster ...
    near = _neighbours(y, 10)
    assert (labels[near] == labels[:, None]).mean() > 0.99
    # ... every cluster is far from every other, compared with its own spread ...
    centres = np.array([y[labels == c].mean(0) for c in range(5)])
    spread = max(np.linalg.norm(y[labels == c] - centres[c], axis=1).mean() for c in range(5))
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(5) for b in range(a + 1, 5)]
    assert min(gaps) > 2 * spread
    # ... and within clusters (pure noise in 30-D), far more true neighbours are kept than by chance (10/79).
    true = _neighbours(x, 10)
    kept = np.mean([len(set(true[i]) & set(near[i])) / 10 for i in range(len(x))])
    assert kept > 0.3


def test_tsne_is_deterministic() -> None:
    x, _ = _clusters(n_per=30, clusters=3, dim=8)
    assert np.array_equal(T.tsne(x, 10), T.tsne(x, 10))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 7])
def test_tiny_and_degenerate_inputs(n: int) -> None:
    rng = np.random.default_rng(0)
    for x in (rng.normal(size=(n, 5)), np.ones((n, 5))):  # distinct rows, and all rows alike
        y = T.tsne(x, perplexity=max(1.5, (n - 1) / 3))
        assert y.shape == (n, 2) and np.isfinite(y).all()


def test_pca_is_an_orthogonal_projection_with_a_fixed_sign() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6)) * np.array([5, 3, 1, 0.5, 0.2, 0.1])
    projected = T.pca(x, 3)
    assert projected.shape == (200, 3)
    variances = projected.var(0)
    assert variances[0] > variances[1] > variances[2]
    assert np.allclose(np.corrcoef(projected.T), np.eye(3), atol=1e-8)
    # The sign does not depend on the rows' order.
    order = rng.permutation(200)
    assert np.allclose(T.pca(x[order], 3), projected[order])


def test_tsne_reports_the_fraction_of_its_steps_done() -> None:
    x, _ = _clusters(n_per=20, clusters=2, dim=5)
    done: list[float] = []
    T.tsne(x, 10, on_step=done.append)
    assert len(done) == T.STEPS // T.REPORT_EVERY
    assert done[0] == 0 and done == sorted(done) and done[-1] == 1 - T.REPORT_EVERY / T.STEPS
