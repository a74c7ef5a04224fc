"""Exact R@k deltas on all Flickr8k val queries between search options, ranking only the queries an
option can change (those with concept words the decoder rarely saw, or with stand-ins).

    python benchmarks/retrieval_delta.py '[{"rare_concept_weight": 1.0}]' [--rare-count 100]
        [--sample 500] [--data ../shared/datasets/flickr8k] [--cache runs/cache/flickr8k]
    python benchmarks/retrieval_delta.py '[{"near_classes": 0.0}]' --all-concepts
    python benchmarks/retrieval_delta.py '[{}]' --unknown-words --base '{"read_unknown_below": 1.01}'

Prints the stand-ins' delta against the search without them, then each option's against that
baseline. With --sample, only that many of the affected queries are ranked and the deltas are
scaled up to all of them. ``--all-concepts`` ranks every query with a concept word (an option
such as ``near_classes`` changes them all). ``--unknown-words`` ranks the queries with a word
neither the decoder nor the concepts know, against ``--base`` (the baseline's options, stand-ins on).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from pathlib import Path
from unittest import mock

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch

import photoscope.network.text_model as text_model_module
from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import TextRanker, TextSearchOptions
from photoscope.search.vectors import CONCEPTS_PER_PHOTO, VectorStore
from photoscope.training.evaluate import ranks_of
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("options", help="a JSON list of TextSearchOptions keyword sets")
    parser.add_argument("--rare-count", type=int, default=100)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--all-concepts", action="store_true", help="every query with a concept word")
    parser.add_argument("--unknown-words", action="store_true", help="the queries with unknown words")
    parser.add_argument("--base", default=None, help="the baseline's options (JSON; stand-ins on)")
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/flickr8k"))
    parser.add_argument("--cache", type=Path, default=Path("runs/cache/flickr8k"))
    args = parser.parse_args()
    model = PhotoscopeModel()
    data = CaptionDataset.load(args.data)
    names = data.split("val")
    features = torch.from_numpy(
        cached_features(names, data.root / "images", args.cache)[:, 0].astype(np.float32)
    )
    with torch.inference_mode():
        latents = model.bundle.network.latent(features)
    store = VectorStore(latents.shape[1])
    top = model.concept_probs(features).topk(CONCEPTS_PER_PHOTO, dim=1)
    store.upsert(range(len(latents)), latents, features, (top.indices, top.values))
    queries = [(i, c) for i, n in enumerate(names) for c in data.captions[n]]

    def rare(word: str) -> bool:
        return bool(min(model.word_count(w) for w in word.split()) < args.rare_count)

    affected = []
    for i, caption in queries:
        q = model.query_words(caption)
        if args.unknown_words:
            if q.unknown:
                affected.append((i, caption))
        elif q.stand_ins or any(args.all_concepts or rare(word) for word, _ in q.concepts):
            affected.append((i, caption))
    print(f"{len(affected)} of {len(queries)} queries affected", flush=True)
    scale = 1.0
    if 0 < args.sample < len(affected):
        pick = sorted(np.random.default_rng(0).choice(len(affected), args.sample, replace=False))
        scale = len(affected) / args.sample
        affected = [affected[i] for i in pick]
    ranker = TextRanker(model, store)
    truth = torch.tensor([i for i, _ in affected])
    texts = [c for _, c in affected]

    def ranks(options: TextSearchOptions, stand_ins: bool = True) -> np.ndarray:
        # the query words' WordNet stand-ins, switched off for the baseline
        off = mock.patch.object(text_model_module, "stand_in", lambda word, path=None: None)
        with contextlib.nullcontext() if stand_ins else off:
            out = [
                np.asarray(ranks_of(ranker.scores(texts[lo : lo + 100], options), truth[lo : lo + 100]))
                for lo in range(0, len(texts), 100)
            ]
        return np.concatenate(out)

    if args.base is None:
        base = ranks(TextSearchOptions(), stand_ins=False)
    else:
        base = ranks(TextSearchOptions(**json.loads(args.base), rare_count=args.rare_count))

    def report(name: str, r: np.ndarray) -> None:
        deltas = [
            100 * scale * (int(np.sum(r < k)) - int(np.sum(base < k))) / len(queries) for k in (1, 5, 10)
        ]
        print(name, " ".join(f"dR@{k} {d:+.2f}" for k, d in zip((1, 5, 10), deltas, strict=True)), flush=True)

    if args.base is None:
        report("stand-ins", ranks(TextSearchOptions()))
    for options in json.loads(args.options):
        report(json.dumps(options), ranks(TextSearchOptions(**options, rare_count=args.rare_count)))


if __name__ == "__main__":
    main()
