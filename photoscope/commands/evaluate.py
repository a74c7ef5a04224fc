"""``photoscope evaluate``: the model's figures on a dataset split."""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path
from typing import Any

import torch

from photoscope.commands.common import add_model_option
from photoscope.config import cache_dir
from photoscope.model import PhotoscopeModel
from photoscope.training.evaluate import evaluate_captions
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset


def evaluate(args: argparse.Namespace) -> int:
    data = CaptionDataset.load(args.data)
    names = data.split(args.split)
    if not names:
        print(f"{args.data} has no {args.split}.txt split")
        return 2
    model = PhotoscopeModel(args.model)
    key = hashlib.sha1(str(data.root.resolve()).encode()).hexdigest()[:10]
    features = cached_features(names, data.root / "images", args.cache or cache_dir() / "datasets" / key)
    net = model.bundle.network
    with torch.inference_mode():
        both = net.latent(torch.from_numpy(features.astype("float32")))
        latents = both.mean(1) if args.mirror else both[:, 0]
    refs = [data.captions[n] for n in names]
    started = time.perf_counter()
    metrics, _ = evaluate_captions(net, model.bundle.vocab, latents, refs, args.beam, args.length_penalty)
    seconds = time.perf_counter() - started
    print(
        f"model {model.version} on {args.split} ({len(names)} photos), beam {args.beam}, "
        f"length penalty {args.length_penalty}, mirror {'on' if args.mirror else 'off'}"
    )
    print(
        " ".join(f"BLEU-{i} {metrics[f'bleu{i}']:.4f}" for i in range(1, 5))
        + f" CIDEr {metrics['cider']:.4f}"
    )
    print(f"decoding: {len(names) / seconds:.0f} photos/s")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="measure the model on a dataset split")
    p.add_argument("what", choices=["captions"], help="what to evaluate")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--split", default="val")
    p.add_argument("--beam", type=int, default=3)
    p.add_argument("--length-penalty", type=float, default=0.5)
    p.add_argument("--mirror", action="store_true", help="average latents with mirror images")
    p.add_argument("--cache", type=Path, help="feature cache folder (default: user cache)")
    add_model_option(p)
    p.set_defaults(handler=evaluate)
