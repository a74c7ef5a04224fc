"""``photoscope finetune``: tune a trained bundle's decoder for CIDEr (self-critical), resumable."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from photoscope.commands.common import add_model_option
from photoscope.config import default_model_dir
from photoscope.training.cider_tuning import CiderTuner, CiderTuningConfig


def finetune(args: argparse.Namespace) -> int:
    if args.threads:
        torch.set_num_threads(args.threads)
    chosen = {"epochs": args.epochs, "xe_weight": args.xe_weight, "lr": args.lr, "seed": args.seed}
    config = dataclasses.replace(CiderTuningConfig(), **{k: v for k, v in chosen.items() if v is not None})
    tuner = CiderTuner(args.data, args.model or default_model_dir(), args.out, config)
    if tuner.resume():
        print(f"resuming after epoch {tuner.start_epoch} from {args.out}")
    tuner.features(args.cache)
    steps = tuner.steps_per_epoch()
    with tqdm(total=steps * config.epochs, initial=tuner.start_epoch * steps, unit="step") as bar:

        def stepped(step: int, _total: int, reward: float) -> None:
            bar.n = step
            bar.set_postfix(epoch=1 + (step - 1) // steps, reward=f"{reward:.3f}")

        history = tuner.run(progress=stepped, log=bar.write)
    best = max(history, key=lambda h: h.metrics["cider"])
    print(f"best at epoch {best.epoch:.2f}: {best.metrics}; bundle in {args.out / 'bundle'}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("finetune", help="tune a trained model's captions for CIDEr (self-critical training)")
    p.add_argument("--data", type=Path, required=True, help="dataset folder (Flickr8k layout)")
    p.add_argument("--out", type=Path, required=True, help="output folder (checkpoint, bundle)")
    add_model_option(p)
    p.add_argument("--cache", type=Path, help="feature cache folder (default: OUT/cache)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--xe-weight", type=float, default=None, help="weight of cross-entropy on human captions")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--threads", type=int, default=None, help="CPU threads for PyTorch")
    p.set_defaults(handler=finetune)
