"""Options several subcommands share."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
StepHook = Callable[[int, int, float], None]  # (step, total steps, running figure)


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model bundle folder (default: the shipped one)")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="library database (default: in the user data folder)")


def add_run_options(parser: argparse.ArgumentParser, out_holds: str) -> None:
    """Options of the commands that run a training: the dataset, the output folder, length, seed, threads."""
    parser.add_argument("--data", type=Path, required=True, help="dataset folder (Flickr8k layout)")
    parser.add_argument("--out", type=Path, required=True, help=f"output folder ({out_holds})")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for PyTorch")


def add_rerank_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rerank",
        type=float,
        default=8.0,  # the app's default (model.DecodeOptions); not imported: that would load PyTorch
        help="weight of the text encoder's match when choosing among the finished captions (0: off)",
    )


def configured(default: T, args: argparse.Namespace, *names: str) -> T:
    """``default`` (a dataclass configuration) with the options among ``names`` that were given."""
    given = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    return dataclasses.replace(default, **given)  # type: ignore[type-var]


@contextmanager
def step_bar(
    steps_per_epoch: int, epochs: int, done_epochs: int, figure: str
) -> Iterator[tuple[StepHook, Callable[[str], None]]]:
    """A progress bar over all steps: yields the step hook (it shows the epoch and a running
    ``figure``) and a ``log`` that prints above the bar."""
    from tqdm import tqdm

    with tqdm(total=steps_per_epoch * epochs, initial=done_epochs * steps_per_epoch, unit="step") as bar:

        def stepped(step: int, _total: int, value: float) -> None:
            bar.n = step
            bar.set_postfix({"epoch": 1 + (step - 1) // steps_per_epoch, figure: f"{value:.3f}"})

        yield stepped, bar.write
