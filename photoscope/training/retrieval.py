"""Text-to-photo retrieval on a dataset split: each caption queries the split's photos."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import TextRanker, TextSearchOptions
from photoscope.search.vectors import CONCEPTS_PER_PHOTO, VectorStore
from photoscope.training.evaluate import ranks_of, recall_at
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset


def store_with_concepts(model: PhotoscopeModel, features: torch.Tensor, latents: torch.Tensor) -> VectorStore:
    """A vector store as the app's library fills it: the latents, the features, and the head's top
    classes as the stored tags (what the concept words of search read)."""
    store = VectorStore(latents.shape[1])
    top = model.concept_probs(features).topk(CONCEPTS_PER_PHOTO, dim=1)
    store.upsert(range(len(latents)), latents, features, (top.indices, top.values))
    return store


def split_library(
    model: PhotoscopeModel, data: CaptionDataset, split: str, cache: Path
) -> tuple[list[str], VectorStore, np.ndarray]:
    """A split's photos (their names) as the app's library stores them (``store_with_concepts``),
    from the feature cache: each photo as the indexer encodes it (no mirror image); and those
    features as the encoder gave them (N x 1280, float32: what the presence probes read)."""
    names = data.split(split)
    raw = cached_features(names, data.root / "images", cache)[:, 0].astype(np.float32)
    with torch.inference_mode():
        features = torch.from_numpy(raw)
        return names, store_with_concepts(model, features, model.bundle.network.latent(features)), raw


@dataclass(frozen=True)
class RetrievalReport:
    method: str
    metrics: dict[str, float]  # r1, r5, r10 (percent), median_rank
    batched_ms: float  # per query, queries run in batches
    single_ms: float  # median latency of one query on its own


def evaluate_retrieval(
    model: PhotoscopeModel,
    latents: torch.Tensor,
    captions: Sequence[Sequence[str]],
    methods: dict[str, TextSearchOptions],
    batch: int = 250,
    max_queries: int | None = None,
    latency_queries: int = 20,
    features: torch.Tensor | None = None,
) -> list[RetrievalReport]:
    """``features`` (the photos' 1280-d encoder features) give the store the head's top classes,
    as the app's library has them (the concept words of search); without them concepts score 0."""
    if features is None:
        store = VectorStore(latents.shape[1])
        store.upsert(range(len(latents)), latents, torch.zeros(len(latents), 1280))
    else:
        store = store_with_concepts(model, features, latents)
    queries = [(i, c) for i, caps in enumerate(captions) for c in caps]
    if max_queries and max_queries < len(queries):
        pick = np.random.default_rng(0).choice(len(queries), max_queries, replace=False)
        queries = [queries[i] for i in sorted(pick)]
    truth = torch.tensor([i for i, _ in queries])
    ranker = TextRanker(model, store)
    reports = []
    for name, options in methods.items():
        ranks, started = [], time.perf_counter()
        for lo in range(0, len(queries), batch):
            chunk = queries[lo : lo + batch]
            scores = ranker.scores([c for _, c in chunk], options)
            ranks.append(ranks_of(scores, truth[lo : lo + len(chunk)]))
        batched = (time.perf_counter() - started) * 1000 / len(queries)
        single = []
        for _, text in queries[:latency_queries]:
            t0 = time.perf_counter()
            store.top_k(ranker.scores([text], options), 50)
            single.append((time.perf_counter() - t0) * 1000)
        reports.append(
            RetrievalReport(name, recall_at(np.concatenate(ranks)), batched, statistics.median(single))
        )
    return reports
