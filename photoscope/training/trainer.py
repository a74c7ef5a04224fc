"""Training the caption network on a caption dataset, with resumable per-epoch checkpoints.

Recipe (starting point: shared/notes/model-study.md, then measured here): frozen encoder features
cached once; each sample takes the feature of one view of its photo at random (the photo or its
mirror image, and with ``crop_views`` also four crops and their mirror images); dropout on the
decoder's inputs and outputs; label smoothing; a symmetric InfoNCE term that trains the text
encoder jointly; AdamW with a one-cycle schedule; an exponential moving average of the weights is
what gets evaluated and shipped; the epoch kept is the one with the best validation CIDEr.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from photoscope.config import BadInputFile
from photoscope.network.bundle import DEFAULT_ENCODER
from photoscope.network.caption_network import CaptionNetwork, NetworkConfig, NetworkShape
from photoscope.network.decoding import Choice, pad_batch, teacher_inputs
from photoscope.network.encoder import ImageEncoder, installed_encoder
from photoscope.network.model import DecodeOptions
from photoscope.network.vocab import Vocabulary
from photoscope.training.checkpoint import load_checkpoint, restore, save_checkpoint, save_run_bundle
from photoscope.training.evaluate import evaluate_captions, photo_latents, text_encoder_retrieval
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset

CHECKPOINT = "checkpoint.pt"


@dataclass(frozen=True)
class TrainConfig(NetworkShape):
    epochs: int = 16
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    contrastive_weight: float = 0.5
    ema_decay: float = 0.998
    min_count: int = 5
    max_words: int = 20
    # Validation keeps the epoch whose captions score best as the app decoded them when this recipe
    # was measured: beam 5, re-rank 8. The app's consensus among a wider beam (concepts-7) chooses
    # among the decoder's captions without changing a weight; as an epoch criterion it is not
    # measured, and it would double validation's decoding time.
    beam: int = 5
    length_penalty: float = DecodeOptions.length_penalty
    rerank: float = DecodeOptions.rerank
    candidates: int = 0  # the beam's width
    consensus: float = 0.0
    seed: int = 0
    train_splits: tuple[str, ...] = ("train", "unsplit")
    crop_views: bool = False


@dataclass
class EpochReport:
    epoch: int
    loss: float
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)


ProgressHook = Callable[[int, int, float], None]  # (step, total steps, running loss)


@dataclass
class _Pairs:
    """Every (photo, caption) training pair as tensors."""

    photo: torch.Tensor  # P photo indices into the feature array
    targets: list[list[int]]  # P token lists ``w1 .. wn <end>``


def _pairs(names: list[str], data: CaptionDataset, vocab: Vocabulary, max_words: int) -> _Pairs:
    photo, targets = [], []
    for i, name in enumerate(names):
        for caption in data.captions[name]:
            ids = vocab.encode(caption, add_end=False)[:max_words]
            photo.append(i)
            targets.append([*ids, vocab.end])
    return _Pairs(torch.tensor(photo), targets)


class Trainer:
    """``device``: where the network trains ("cpu", or "cuda" where PyTorch has one); the random
    streams stay on the CPU, so a run's batches and views are the same on any device."""

    def __init__(
        self, data_dir: str | Path, out_dir: str | Path, config: TrainConfig, device: str = "cpu"
    ) -> None:
        self.config = config
        self.device = torch.device(device)
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.data = CaptionDataset.load(data_dir)
        self.train_names = [n for s in config.train_splits for n in self.data.split(s)]
        self.val_names = self.data.split("val")
        if not self.train_names or not self.val_names:
            raise BadInputFile(
                f"{data_dir} needs train.txt and val.txt split files (photo names, one a line)"
            )
        captions = (c for n in self.train_names for c in self.data.captions[n])
        self.vocab = Vocabulary.build(captions, config.min_count)
        torch.manual_seed(config.seed)
        c = config
        self.net = CaptionNetwork(NetworkConfig(vocab_size=len(self.vocab), **c.shape())).to(self.device)
        self.ema = AveragedModel(self.net, multi_avg_fn=get_ema_multi_avg_fn(c.ema_decay))
        self.pairs = _pairs(self.train_names, self.data, self.vocab, c.max_words)
        self.steps_per_epoch = math.ceil(len(self.pairs.targets) / c.batch_size)
        self.optimizer = torch.optim.AdamW(self.net.parameters(), lr=c.lr, weight_decay=c.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            self.optimizer, max_lr=c.lr, total_steps=self.steps_per_epoch * c.epochs, pct_start=0.15
        )
        self.generator = torch.Generator().manual_seed(c.seed)
        self.history: list[EpochReport] = []
        self.start_epoch = 0
        self.best_cider = -1.0
        self.encoder_spec = DEFAULT_ENCODER  # the features' encoder, which the bundle will name

    def features(self, encoder: ImageEncoder | None = None, progress: ProgressHook | None = None) -> None:
        """Load (or compute once and cache) the train and val photos' encoder features."""
        hook = (lambda d, n: progress(d, n, 0.0)) if progress else None
        encoder = encoder or ImageEncoder()
        self.encoder_spec = encoder.spec
        names = self.train_names + self.val_names
        images, cache_dir = self.data.root / "images", self.out / "cache"
        cache = cached_features(names, images, cache_dir, encoder, hook)
        train = cache[: len(self.train_names)]
        if self.config.crop_views:
            crops = cached_features(self.train_names, images, cache_dir, encoder, hook, kind="crops")
            train = np.concatenate([train, crops], axis=1)
        self.train_features = torch.from_numpy(train.astype(np.float32)).to(self.device)
        self.val_features = cache[len(self.train_names) :]

    def resume(self) -> bool:
        state = load_checkpoint(self.out / CHECKPOINT, self.config)
        if state is None:
            return False
        restore(
            state,
            net=self.net,
            ema=self.ema,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            generator=self.generator,
        )
        self.history = [EpochReport(**h) for h in state["history"]]
        self.start_epoch = len(self.history)
        self.best_cider = max((h.metrics.get("cider", -1.0) for h in self.history), default=-1.0)
        return True

    def run(
        self, progress: ProgressHook | None = None, log: Callable[[str], None] = print
    ) -> list[EpochReport]:
        for epoch in range(self.start_epoch, self.config.epochs):
            started = time.time()
            loss = self._train_epoch(epoch, progress)
            metrics = self.validate()
            report = EpochReport(epoch + 1, loss, time.time() - started, metrics)
            self.history.append(report)
            if metrics["cider"] > self.best_cider:
                self.best_cider = metrics["cider"]
                self._save_bundle(report)
            self._save_checkpoint()
            log(_describe(report))
        return self.history

    def _train_epoch(self, epoch: int, progress: ProgressHook | None) -> float:
        c, v = self.config, self.vocab
        self.net.train()
        order = torch.randperm(len(self.pairs.targets), generator=self.generator)
        view = torch.randint(0, self.train_features.shape[1], (len(order),), generator=self.generator)
        total = 0.0
        for step, batch in enumerate(order.split(c.batch_size)):
            photos = self.pairs.photo[batch].to(self.device)
            features = self.train_features[photos, view[batch].to(self.device)]
            padded = pad_batch([self.pairs.targets[i] for i in batch.tolist()], v.pad)
            targets, lengths = (t.to(self.device) for t in padded)
            latent = self.net.latent(features)
            logits = self.net.decoder_logits(latent, teacher_inputs(targets, v.start))[:, 1:]
            loss = F.cross_entropy(
                logits.reshape(-1, logits.shape[-1]),
                targets.reshape(-1),
                ignore_index=v.pad,
                label_smoothing=c.label_smoothing,
            )
            if c.contrastive_weight > 0:
                text = self.net.encode_text(targets, lengths - 1)  # the words, without <end>
                loss = loss + c.contrastive_weight * self._info_nce(latent, text, photos)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), 5.0)
            self.optimizer.step()
            self.scheduler.step()
            self.ema.update_parameters(self.net)
            total += loss.item()
            if progress:
                progress(
                    epoch * self.steps_per_epoch + step + 1,
                    c.epochs * self.steps_per_epoch,
                    total / (step + 1),
                )
        return total / self.steps_per_epoch

    def _info_nce(self, latent: torch.Tensor, text: torch.Tensor, photos: torch.Tensor) -> torch.Tensor:
        """Symmetric InfoNCE; other captions of the same photo in the batch are not negatives."""
        sim = F.normalize(latent, dim=1) @ F.normalize(text, dim=1).T / self.net.log_temperature.exp()
        same = photos.unsqueeze(0) == photos.unsqueeze(1)
        others = ~torch.eye(len(photos), dtype=torch.bool, device=photos.device)
        sim = sim.masked_fill(same & others, float("-inf"))
        labels = torch.arange(len(photos), device=photos.device)
        return (F.cross_entropy(sim, labels) + F.cross_entropy(sim.T, labels)) / 2

    @property
    def averaged(self) -> CaptionNetwork:
        """The exponential moving average of the weights: what is evaluated and shipped."""
        return cast(CaptionNetwork, self.ema.module)

    def validate(self) -> dict[str, float]:
        net = self.averaged
        net.eval()
        latents = photo_latents(net, self.val_features)
        refs = [self.data.captions[n] for n in self.val_names]
        metrics, _ = evaluate_captions(
            net,
            self.vocab,
            latents,
            refs,
            self.config.beam,
            self.config.length_penalty,
            choice=Choice(self.config.candidates, self.config.rerank, self.config.consensus),
        )
        with torch.inference_mode():
            metrics.update(text_encoder_retrieval(net, self.vocab, latents, refs))
        return metrics

    def _save_bundle(self, report: EpochReport) -> None:
        net = self.averaged
        extra: dict[str, Any] = {"epoch": report.epoch, "train_config": asdict(self.config)}
        save_run_bundle(
            self.out, net, self.vocab, _data_name(self.data), report.metrics, extra, encoder=self.encoder_spec
        )

    def _save_checkpoint(self) -> None:
        save_checkpoint(
            self.out / CHECKPOINT,
            self.config,
            self.history,
            net=self.net.state_dict(),
            ema=self.ema.state_dict(),
            optimizer=self.optimizer.state_dict(),
            scheduler=self.scheduler.state_dict(),
            generator=self.generator.get_state(),
        )


def installed_image_encoder(name: str, input_size: int | None = None) -> ImageEncoder:
    """The encoder ``name`` as its pip package installed it, at ``input_size`` (default: its native
    size): what ``features`` encodes with, and what the bundle will name."""
    return ImageEncoder(spec=installed_encoder(name, input_size))


def _data_name(data: CaptionDataset) -> str:
    return f"{data.root.name} ({len(data.images)} photos)"


def _describe(report: EpochReport) -> str:
    m = report.metrics
    return (
        f"epoch {report.epoch}: loss {report.loss:.3f}, {report.seconds:.0f} s, "
        f"BLEU-4 {m['bleu4']:.4f}, CIDEr {m['cider']:.4f}, "
        f"text R@1/5/10 {m['r1']:.1f}/{m['r5']:.1f}/{m['r10']:.1f}"
    )
