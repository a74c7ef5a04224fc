"""Measure text-search variants on a dataset split (how the shipped settings were chosen).

    python benchmarks/retrieval_sweep.py --data ../shared/datasets/flickr8k --cache runs/shipped/cache \\
        [--model DIR] [--queries 1000]

Each variant is one TextSearchOptions; all share the same random sample of queries.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from photoscope.network.inversion import InversionOptions
from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import TextSearchOptions
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset
from photoscope.training.retrieval import evaluate_retrieval

VARIANTS = {
    "encoder": TextSearchOptions(method="encoder", rerank=0),
    # Variants without "rerank" in their name turn it off (the shipped default re-ranks the top 50).
    "refine 20 (study)": TextSearchOptions(rerank=0),
    "refine 10": TextSearchOptions(inversion=InversionOptions(steps=10), rerank=0),
    "refine 40": TextSearchOptions(inversion=InversionOptions(steps=40), rerank=0),
    "refine 20, prior 0.1": TextSearchOptions(inversion=InversionOptions(prior_weight=0.1), rerank=0),
    "refine 20, start 0.3": TextSearchOptions(start_weight=0.3, rerank=0),
    "refine 20, start 0.7": TextSearchOptions(start_weight=0.7, rerank=0),
    "refine 20 + rerank 20 w.05": TextSearchOptions(rerank=20, rerank_weight=0.05),
    "refine 20 + rerank 50 w.1": TextSearchOptions(rerank=50, rerank_weight=0.1),
    "refine 20 + rerank 50 w.03": TextSearchOptions(rerank=50, rerank_weight=0.03),
    "refine 20, start 0.3 + rerank 50 w.1": TextSearchOptions(start_weight=0.3, rerank=50, rerank_weight=0.1),
    "refine 20, start 0.3 + rerank 50 w.2": TextSearchOptions(start_weight=0.3, rerank=50, rerank_weight=0.2),
    "refine 10, start 0.3 + rerank 50 w.1": TextSearchOptions(
        inversion=InversionOptions(steps=10), start_weight=0.3, rerank=50, rerank_weight=0.1
    ),
    "encoder + rerank 50 w.1": TextSearchOptions(method="encoder", rerank=50, rerank_weight=0.1),
    "encoder + rerank 50 w.2": TextSearchOptions(method="encoder", rerank=50, rerank_weight=0.2),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True, help="feature cache folder")
    parser.add_argument("--split", default="val")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--only", nargs="*", help="variant names to run")
    args = parser.parse_args()
    data = CaptionDataset.load(args.data)
    names = data.split(args.split)
    model = PhotoscopeModel(args.model)
    features = cached_features(names, data.root / "images", args.cache)
    with torch.inference_mode():
        latents = model.bundle.network.latent(torch.from_numpy(features[:, 0].astype("float32")))
    chosen = {k: v for k, v in VARIANTS.items() if not args.only or k in args.only}
    refs = [data.captions[n] for n in names]
    for r in evaluate_retrieval(model, latents, refs, chosen, max_queries=args.queries, latency_queries=5):
        m = r.metrics
        print(
            f"{r.method:28s} R@1 {m['r1']:5.1f} R@5 {m['r5']:5.1f} R@10 {m['r10']:5.1f} "
            f"medr {m['median_rank']:.0f}  {r.batched_ms:.1f} ms/q batched, {r.single_ms:.0f} ms single",
            flush=True,
        )


if __name__ == "__main__":
    main()
