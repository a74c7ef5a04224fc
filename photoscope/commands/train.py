"""``photoscope train``: train the caption network, with a progress bar, resumable."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from photoscope.training.trainer import TrainConfig, Trainer


def train(args: argparse.Namespace) -> int:
    if args.threads:
        torch.set_num_threads(args.threads)
    chosen = {
        "epochs": args.epochs,
        "seed": args.seed,
        "dropout": args.dropout,
        "weight_decay": args.weight_decay,
    }
    overrides = {k: v for k, v in chosen.items() if v is not None}
    config = dataclasses.replace(TrainConfig(), **overrides)
    trainer = Trainer(args.data, args.out, config)
    if trainer.resume():
        print(f"resuming after epoch {trainer.start_epoch} from {args.out}")
    with tqdm(desc="encoding photos", unit="photo", leave=False) as bar:

        def encoded(done: int, total: int, _loss: float) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        trainer.features(progress=encoded)
    total_steps = trainer.steps_per_epoch * config.epochs
    with tqdm(total=total_steps, initial=trainer.start_epoch * trainer.steps_per_epoch, unit="step") as bar:

        def stepped(step: int, total: int, loss: float) -> None:
            bar.n = step
            bar.set_postfix(epoch=1 + (step - 1) // trainer.steps_per_epoch, loss=f"{loss:.3f}")

        trainer.run(progress=stepped, log=bar.write)
    best = max(trainer.history, key=lambda h: h.metrics["cider"])
    print(f"best epoch {best.epoch}: {best.metrics}; bundle in {args.out / 'bundle'}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("train", help="train the caption network on a caption dataset")
    p.add_argument("--data", type=Path, required=True, help="dataset folder (Flickr8k layout)")
    p.add_argument("--out", type=Path, required=True, help="output folder (checkpoints, bundle)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--dropout", type=float, default=None, help="dropout on the decoder's inputs and outputs")
    p.add_argument("--weight-decay", type=float, default=None, help="AdamW weight decay")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for PyTorch")
    p.set_defaults(handler=train)
