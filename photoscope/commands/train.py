"""``photoscope train``: train the caption network, with a progress bar, resumable."""

from __future__ import annotations

import argparse
from typing import Any

from photoscope.commands.common import add_run_options, configured, step_bar


def train(args: argparse.Namespace) -> int:
    import torch
    from tqdm import tqdm

    from photoscope.training.trainer import TrainConfig, Trainer

    if args.threads:
        torch.set_num_threads(args.threads)
    config = configured(TrainConfig(), args, "epochs", "seed", "dropout", "weight_decay", "crop_views")
    trainer = Trainer(args.data, args.out, config)
    if trainer.resume():
        print(f"resuming after epoch {trainer.start_epoch} from {args.out}")
    with tqdm(desc="encoding photos", unit="photo", leave=False) as bar:

        def encoded(done: int, total: int, _loss: float) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        trainer.features(progress=encoded)
    with step_bar(trainer.steps_per_epoch, config.epochs, trainer.start_epoch, "loss") as (stepped, log):
        trainer.run(progress=stepped, log=log)
    best = max(trainer.history, key=lambda h: h.metrics["cider"])
    print(f"best epoch {best.epoch}: {best.metrics}; bundle in {args.out / 'bundle'}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("train", help="train the caption network on a caption dataset")
    add_run_options(p, "checkpoints, bundle")
    p.add_argument("--dropout", type=float, default=None, help="dropout on the decoder's inputs and outputs")
    p.add_argument("--weight-decay", type=float, default=None, help="AdamW weight decay")
    p.add_argument(
        "--crop-views",
        action="store_true",
        default=None,
        help="also train on four crops of each photo and their mirror images (encoded once, cached)",
    )
    p.set_defaults(handler=train)
