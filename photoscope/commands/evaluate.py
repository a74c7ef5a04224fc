"""``photoscope evaluate``: the model's figures on a dataset split."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photoscope.commands.common import add_model_option, add_rerank_option

if TYPE_CHECKING:
    import torch

    from photoscope.network import PhotoscopeModel


def evaluate(args: argparse.Namespace) -> int:
    import torch

    from photoscope.config import cache_dir
    from photoscope.network import PhotoscopeModel
    from photoscope.training.features import cached_features
    from photoscope.training.flickr8k import CaptionDataset

    data = CaptionDataset.load(args.data)
    names = data.split(args.split)
    if not names:
        print(f"{args.data} has no {args.split}.txt split")
        return 2
    model = PhotoscopeModel(args.model)
    key = hashlib.sha1(str(data.root.resolve()).encode()).hexdigest()[:10]
    features = cached_features(names, data.root / "images", args.cache or cache_dir() / "datasets" / key)
    with torch.inference_mode():
        both = model.bundle.network.latent(torch.from_numpy(features.astype("float32")))
        latents = both.mean(1) if args.mirror else both[:, 0]
    refs = [data.captions[n] for n in names]
    mirror = "on" if args.mirror else "off"
    print(f"model {model.version} on {args.split} ({len(names)} photos), mirror {mirror}")
    if args.what == "captions":
        return _captions(args, model, latents, refs)
    return _retrieval(args, model, latents, refs)


def _retrieval(
    args: argparse.Namespace, model: PhotoscopeModel, latents: torch.Tensor, refs: list[list[str]]
) -> int:
    from photoscope.api import TextSearchOptions
    from photoscope.training.retrieval import evaluate_retrieval

    methods = {  # --methods name: (printed name, options)
        "plain": ("plain inversion", TextSearchOptions(method="plain")),
        "encoder": ("text encoder", TextSearchOptions(method="encoder", rerank=0)),
        "encoder-rerank": ("encoder + re-rank", TextSearchOptions(method="encoder")),
        "shipped": ("shipped", TextSearchOptions()),
    }
    chosen = dict(v for k, v in methods.items() if not args.methods or k in args.methods)
    for report in evaluate_retrieval(model, latents, refs, chosen, max_queries=args.queries):
        m = report.metrics
        print(
            f"{report.method:16s} R@1 {m['r1']:5.1f}  R@5 {m['r5']:5.1f}  R@10 {m['r10']:5.1f}  "
            f"median rank {m['median_rank']:.0f}  {report.batched_ms:.1f} ms/query batched, "
            f"{report.single_ms:.0f} ms single (p50)"
        )
    return 0


def _captions(
    args: argparse.Namespace, model: PhotoscopeModel, latents: torch.Tensor, refs: list[list[str]]
) -> int:
    from photoscope.training.evaluate import evaluate_captions

    net = model.bundle.network
    metrics, _ = evaluate_captions(
        net, model.bundle.vocab, latents, refs, args.beam, args.length_penalty, rerank=args.rerank
    )
    print(f"beam {args.beam}, length penalty {args.length_penalty}, re-rank weight {args.rerank}")
    print(
        " ".join(f"BLEU-{i} {metrics[f'bleu{i}']:.4f}" for i in range(1, 5))
        + f" CIDEr {metrics['cider']:.4f}"
    )
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="measure the model on a dataset split")
    p.add_argument("what", choices=["captions", "retrieval"], help="what to evaluate")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--split", default="val")
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--length-penalty", type=float, default=0.5)
    add_rerank_option(p)
    p.add_argument(
        "--methods",
        nargs="*",
        choices=["plain", "encoder", "encoder-rerank", "shipped"],
        help="retrieval methods (default: all)",
    )
    p.add_argument("--queries", type=int, help="evaluate retrieval on a random sample of this many queries")
    p.add_argument("--mirror", action="store_true", help="average latents with mirror images")
    p.add_argument("--cache", type=Path, help="feature cache folder (default: user cache)")
    add_model_option(p)
    p.set_defaults(handler=evaluate)
