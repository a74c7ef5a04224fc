"""Fine-tuning a trained caption network for CIDEr (self-critical sequence training).

Cross-entropy training teaches the decoder each next word of human captions; what users read is
the caption beam search writes. Self-critical training (Rennie et al. 2017, with the baseline of
Luo 2020: the mean reward of the other samples of the same photo) samples several captions per
photo, rewards each by its CIDEr-D against the photo's references and raises the log-probability
of the better-than-average ones.

Only the decoder (word embeddings, recurrent layer, output layer) learns. The projection to the
latent and the text encoder stay frozen, so the latent space of stored photos and the text
encoder's first guesses do not move. A small cross-entropy term on the human captions keeps the
decoder's likelihood of ordinary sentences (which text search inverts and re-ranks by) calibrated.
The bundle kept is the one with the best validation CIDEr.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from photoscope.network.bundle import load_bundle
from photoscope.network.caption_network import CaptionNetwork
from photoscope.network.decoding import pad_batch, teacher_inputs
from photoscope.network.encoder import ImageEncoder
from photoscope.network.model import DecodeOptions
from photoscope.network.vocab import Vocabulary
from photoscope.training.checkpoint import load_checkpoint, restore, save_checkpoint, save_run_bundle
from photoscope.training.cider_reward import CiderD
from photoscope.training.evaluate import evaluate_captions
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset

CHECKPOINT = "cider-checkpoint.pt"


@dataclass(frozen=True)
class CiderTuningConfig:
    epochs: int = 3
    photos_per_step: int = 50
    samples: int = 5  # captions sampled per photo; each one's baseline is the others' mean reward
    lr: float = 5e-5
    xe_weight: float = 0.1  # weight of the cross-entropy on human captions
    max_words: int = 20
    evals_per_epoch: int = 2
    # Validation decodes with the app's beam and length penalty (as TrainConfig).
    beam: int = DecodeOptions.beam
    length_penalty: float = DecodeOptions.length_penalty
    seed: int = 0


@dataclass(frozen=True)
class TuningReport:
    """One validation point of the CIDEr tuning, as the run's history records it."""

    epoch: float  # fractional: validation runs ``evals_per_epoch`` times an epoch
    reward: float  # the mean CIDEr reward of the sampled captions since the last report
    seconds: float  # of training since the last report
    metrics: dict[str, float]  # val BLEU-4 and CIDEr with the tuning's beam and length penalty


def sample_captions(
    net: CaptionNetwork,
    vocab: Vocabulary,
    latents: torch.Tensor,
    samples: int,
    max_words: int,
    generator: torch.Generator,
) -> tuple[list[list[int]], torch.Tensor]:
    """``samples`` captions per latent drawn from the decoder, and their summed log-probabilities.

    Rows are photo-major (photo 0's samples first). Log-probabilities carry gradients.
    """
    state = net.start_state(latents.repeat_interleave(samples, 0))
    rows = latents.shape[0] * samples
    tokens = torch.full((rows,), vocab.start, dtype=torch.long)
    banned = torch.tensor([vocab.pad, vocab.start, vocab.unk])
    finished = torch.zeros(rows, dtype=torch.bool)
    total = torch.zeros(rows)
    words: list[list[int]] = [[] for _ in range(rows)]
    for t in range(max_words + 1):
        log_probs, state = net.step(tokens, state)
        log_probs = log_probs.index_fill(1, banned, float("-inf"))
        if t == max_words:  # out of room: only <end> may follow
            log_probs = torch.full_like(log_probs, float("-inf")).index_fill(
                1, torch.tensor([vocab.end]), 0.0
            )
        log_probs = log_probs.log_softmax(-1)
        tokens = torch.multinomial(log_probs.detach().exp(), 1, generator=generator).squeeze(1)
        total = total + log_probs.gather(1, tokens.unsqueeze(1)).squeeze(1).masked_fill(finished, 0.0)
        for row in torch.nonzero(~finished & (tokens != vocab.end)).squeeze(1).tolist():
            words[row].append(int(tokens[row]))
        finished = finished | (tokens == vocab.end)
        if bool(finished.all()):
            break
    return words, total


class CiderTuner:
    def __init__(
        self, data_dir: str | Path, model_dir: str | Path, out_dir: str | Path, config: CiderTuningConfig
    ) -> None:
        self.config = config
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.data = CaptionDataset.load(data_dir)
        self.source = load_bundle(model_dir)
        self.vocab = self.source.vocab
        self.net = copy.deepcopy(self.source.network)
        trained = ("embed", "rnn", "out")
        for name, param in self.net.named_parameters():
            param.requires_grad_(name.split(".")[0] in trained)
        self.optimizer = torch.optim.Adam([p for p in self.net.parameters() if p.requires_grad], lr=config.lr)
        self.generator = torch.Generator().manual_seed(config.seed)
        torch.manual_seed(config.seed)
        train = self.source.extra.get("train_config", {}).get("train_splits", ["train", "unsplit"])
        self.train_names = [n for s in train for n in self.data.split(s)]
        self.val_names = self.data.split("val")
        refs = [[self._ids(c) for c in self.data.captions[n]] for n in self.train_names]
        self.reward = CiderD(refs)
        self.targets = [[[*ids, self.vocab.end] for ids in caps] for caps in refs]
        self.history: list[TuningReport] = []
        self.start_epoch = 0
        self.best_cider = -1.0

    def _ids(self, caption: str) -> list[int]:
        return self.vocab.encode(caption, add_end=False)[: self.config.max_words]

    def features(self, cache: Path | None = None) -> None:
        """The photos' latents, computed once: the projection is frozen, so they never change."""
        names = self.train_names + self.val_names
        encoder = ImageEncoder(spec=self.source.encoder)  # the features the source bundle was made on
        features = torch.from_numpy(
            cached_features(names, self.data.root / "images", cache or self.out / "cache", encoder).astype(
                np.float32
            )
        )
        with torch.inference_mode():
            latents = self.net.latent(features)
        self.train_latents = latents[: len(self.train_names)].clone()  # N x (photo, mirror image) x D
        self.val_latents = latents[len(self.train_names) :, 0].clone()

    def resume(self) -> bool:
        state = load_checkpoint(self.out / CHECKPOINT, self.config)
        if state is None:
            return False
        restore(state, net=self.net, optimizer=self.optimizer, generator=self.generator)
        self.history = [TuningReport(**h) for h in state["history"]]
        self.start_epoch = state["epoch"]
        self.best_cider = max((h.metrics["cider"] for h in self.history), default=-1.0)
        return True

    def run(
        self, progress: Callable[[int, int, float], None] | None = None, log: Callable[[str], None] = print
    ) -> list[TuningReport]:
        if not self.history:  # the starting point, so tuning can only keep or improve it
            self._validate(0.0, 0.0, time.time(), log)
        for epoch in range(self.start_epoch, self.config.epochs):
            self._epoch(epoch, progress, log)
            self.start_epoch = epoch + 1
            self._save_checkpoint()
        return self.history

    def steps_per_epoch(self) -> int:
        return -(-len(self.train_names) // self.config.photos_per_step)

    def _epoch(
        self, epoch: int, progress: Callable[[int, int, float], None] | None, log: Callable[[str], None]
    ) -> None:
        c, steps = self.config, self.steps_per_epoch()
        order = torch.randperm(len(self.train_names), generator=self.generator)
        mirrored = torch.randint(0, 2, (len(order),), generator=self.generator)
        eval_at = {round(steps * (i + 1) / c.evals_per_epoch) for i in range(c.evals_per_epoch)}
        started, rewards = time.time(), []
        for step, batch in enumerate(order.split(c.photos_per_step), start=1):
            rewards.append(self._step(batch, mirrored[batch]))
            if progress:
                progress(epoch * steps + step, c.epochs * steps, float(np.mean(rewards[-20:])))
            if step in eval_at:
                self._validate(epoch + step / steps, float(np.mean(rewards)), started, log)
                started, rewards = time.time(), []

    def _step(self, photos: torch.Tensor, mirrored: torch.Tensor) -> float:
        c, v = self.config, self.vocab
        self.net.eval()  # sampling explores; dropout would only add noise to the gradient
        latents = self.train_latents[photos, mirrored]
        words, log_p = sample_captions(self.net, v, latents, c.samples, c.max_words, self.generator)
        items = photos.repeat_interleave(c.samples).tolist()
        reward = torch.tensor([self.reward.score(i, w) for i, w in zip(items, words, strict=True)])
        per_photo = reward.view(-1, c.samples)
        baseline = (per_photo.sum(1, keepdim=True) - per_photo) / (c.samples - 1)
        advantage = (per_photo - baseline).view(-1)
        loss = -(advantage * log_p).mean()
        if c.xe_weight > 0:
            loss = loss + c.xe_weight * self._cross_entropy(latents, photos)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.net.parameters(), 5.0)
        self.optimizer.step()
        return float(reward.mean())

    def _cross_entropy(self, latents: torch.Tensor, photos: torch.Tensor) -> torch.Tensor:
        """Teacher-forced cross-entropy of one human caption per photo, picked at random."""
        picks = torch.randint(0, 5, (len(photos),), generator=self.generator).tolist()
        rows = [
            self.targets[p][k % len(self.targets[p])] for p, k in zip(photos.tolist(), picks, strict=True)
        ]
        targets, _ = pad_batch(rows, self.vocab.pad)
        logits = self.net.decoder_logits(latents, teacher_inputs(targets, self.vocab.start))[:, 1:]
        return F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=self.vocab.pad
        )

    def _validate(self, epoch: float, reward: float, started: float, log: Callable[[str], None]) -> None:
        c = self.config
        self.net.eval()
        refs = [self.data.captions[n] for n in self.val_names]
        metrics, _ = evaluate_captions(self.net, self.vocab, self.val_latents, refs, c.beam, c.length_penalty)
        report = TuningReport(epoch, reward, time.time() - started, metrics)
        self.history.append(report)
        if metrics["cider"] > self.best_cider:
            self.best_cider = metrics["cider"]
            self._save_bundle(report)
        log(
            f"epoch {epoch:.2f}: reward {reward:.3f}, {report.seconds:.0f} s, "
            f"BLEU-4 {metrics['bleu4']:.4f}, CIDEr {metrics['cider']:.4f}"
        )

    def _save_bundle(self, report: TuningReport) -> None:
        extra: dict[str, Any] = {
            **self.source.extra,
            "cider_tuning": {**asdict(self.config), "epoch": report.epoch, "from": self.source.version},
        }
        save_run_bundle(
            self.out,
            self.net,
            self.vocab,
            self.source.training_data,
            report.metrics,
            extra,
            encoder=self.source.encoder,
        )

    def _save_checkpoint(self) -> None:
        save_checkpoint(
            self.out / CHECKPOINT,
            self.config,
            self.history,
            epoch=self.start_epoch,
            net=self.net.state_dict(),
            optimizer=self.optimizer.state_dict(),
            generator=self.generator.get_state(),
        )
