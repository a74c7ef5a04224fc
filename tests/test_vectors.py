from __future__ import annotations

import numpy as np
import torch

from photoscope.search.vectors import VectorStore


def _store(n: int = 6, dim: int = 4) -> tuple[VectorStore, torch.Tensor]:
    torch.manual_seed(0)
    latents = torch.randn(n, dim)
    store = VectorStore(dim, feature_dim=3)
    store.upsert(range(10, 10 + n), latents, torch.randn(n, 3))
    return store, latents


def test_ranks_by_cosine_and_returns_ids() -> None:
    store, latents = _store()
    hits = store.top_k(store.scores(latents[2] * 5, "latent"), k=3)
    assert hits[0].photo_id == 12 and abs(hits[0].score - 1.0) < 1e-5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_matches_a_full_sort() -> None:
    store, latents = _store(n=200, dim=8)
    query = torch.randn(8)
    hits = store.top_k(store.scores(query, "latent"), k=10)
    cos = torch.nn.functional.cosine_similarity(latents, query.unsqueeze(0))
    expected = (cos.argsort(descending=True)[:10] + 10).tolist()
    assert [h.photo_id for h in hits] == expected


def test_filters_and_exclusions() -> None:
    store, latents = _store()
    scores = store.scores(latents[0], "latent")
    hits = store.top_k(scores, k=10, allowed=np.array([11, 13, 99]))
    assert {h.photo_id for h in hits} == {11, 13}
    assert 10 not in {h.photo_id for h in store.top_k(scores, k=10, exclude=[10])}


def test_updates_removals_and_growth_stay_consistent() -> None:
    store, latents = _store()
    store.remove([10, 12, 404])
    assert len(store) == 4 and 10 not in store and 15 in store
    # the last row moved into a hole keeps its vector
    assert torch.allclose(store.vector_of(15, "latent"), torch.nn.functional.normalize(latents[5], dim=0))
    store.upsert([11], -latents[1:2], torch.zeros(1, 3))  # re-indexed photo: replaced in place
    assert len(store) == 4
    assert store.top_k(store.scores(-latents[1], "latent"), 1)[0].photo_id == 11
    many = torch.randn(3000, 4)
    store.upsert(range(1000, 4000), many, torch.randn(3000, 3))
    assert len(store) == 3004
    assert store.top_k(store.scores(many[1234], "latent"), 1)[0].photo_id == 2234


def test_mean_latent_is_at_the_original_scale() -> None:
    store, latents = _store()
    assert torch.allclose(store.mean_latent(), latents.mean(0), atol=1e-5)
    store.remove([10])
    assert torch.allclose(store.mean_latent(), latents[1:].mean(0), atol=1e-5)


def test_features_are_kept_in_half_precision() -> None:
    store, _ = _store()
    assert store.vectors("feature").dtype == torch.float16
    assert store.vectors("latent").dtype == torch.float32
