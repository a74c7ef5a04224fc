"""``photoscope finetune``: tune a trained bundle's decoder for CIDEr (self-critical), resumable."""

from __future__ import annotations

import argparse
from typing import Any

from photoscope.commands.common import add_model_option, add_run_options, configured, plain_path, step_bar


def finetune(args: argparse.Namespace) -> int:
    import torch

    from photoscope.config import default_model_dir
    from photoscope.training.cider_tuning import CiderTuner, CiderTuningConfig

    if args.threads:
        torch.set_num_threads(args.threads)
    config = configured(CiderTuningConfig(), args, "epochs", "seed", "lr", "xe_weight")
    tuner = CiderTuner(args.data, args.model or default_model_dir(), args.out, config)
    if tuner.resume():
        print(f"resuming after epoch {tuner.start_epoch} from {args.out}")
    tuner.features(args.cache)
    with step_bar(tuner.steps_per_epoch(), config.epochs, tuner.start_epoch, "reward") as (stepped, log):
        history = tuner.run(progress=stepped, log=log)
    best = max(history, key=lambda h: h.metrics["cider"])
    print(f"best at epoch {best.epoch:.2f}: {best.metrics}; bundle in {args.out / 'bundle'}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("finetune", help="tune a trained model's captions for CIDEr (self-critical training)")
    add_run_options(p, "checkpoint, bundle")
    add_model_option(p)
    p.add_argument("--cache", type=plain_path, help="feature cache folder (default: OUT/cache)")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--xe-weight", type=float, default=None, help="weight of cross-entropy on human captions")
    p.set_defaults(handler=finetune)
