"""Latent inversion: find the latent from which the frozen decoder would write the user's text.

Gradient descent on the latent only (the network stays frozen), minimising the teacher-forced
cross-entropy of the text, plus a pull toward the starting latent that keeps the solution near
the photos' manifold (unregularised, more steps drift off it and rank photos worse). Many
queries, or many starts of one query, run as one batch: each row has its own latent and Adam's
per-element updates keep the rows independent, so batching changes nothing but the speed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import torch

from photoscope.network.caption_network import CaptionNetwork
from photoscope.network.decoding import caption_log_prob


@dataclass(frozen=True)
class InversionOptions:
    steps: int = 20
    lr: float = 0.05
    prior_weight: float = 0.01  # weight of ||z - z_start||^2
    tolerance: float = 1e-4  # stop when no row's loss improves by more than this


@dataclass(frozen=True)
class InversionResult:
    latents: torch.Tensor  # B x D
    steps: int  # steps actually taken


def invert(
    net: CaptionNetwork,
    starts: torch.Tensor,
    targets: torch.Tensor,
    lengths: torch.Tensor,
    start_token: int,
    options: InversionOptions | None = None,
) -> InversionResult:
    """Refine each row of ``starts`` (B x D) toward the text in the same row of ``targets``."""
    o = options or InversionOptions()
    net.eval()
    anchor = starts.detach()
    latent = anchor.clone()
    adam = _Adam(latent, o.lr)
    best = torch.full((len(starts),), float("inf"))
    steps = 0
    with torch.enable_grad():
        while steps < o.steps:
            steps += 1
            latent.requires_grad_(True)
            nll = -caption_log_prob(net, latent, targets, lengths, start_token) / lengths
            loss = nll + o.prior_weight * (latent - anchor).pow(2).sum(1)
            (grad,) = torch.autograd.grad(loss.sum(), latent)
            latent = adam.step(latent.detach(), grad)
            improved = best - loss.detach()
            best = torch.minimum(best, loss.detach())
            if bool((improved < o.tolerance).all()):
                break
    # No forward pass for the final latent's loss: search does not use it, and it cost a step's time.
    return InversionResult(latent.detach(), steps)


class _Adam:
    """Adam (Kingma and Ba; the same update as ``torch.optim.Adam``'s defaults) on one tensor.

    Written out because constructing ``torch.optim.Adam`` imports TorchDynamo and SymPy: a second
    of import holding the GIL on the first search, which froze the app's window.
    """

    def __init__(self, like: torch.Tensor, lr: float, betas: tuple[float, float] = (0.9, 0.999)) -> None:
        self.lr, (self.beta1, self.beta2) = lr, betas
        self.eps = 1e-8
        self.m = torch.zeros_like(like)
        self.v = torch.zeros_like(like)
        self.t = 0

    def step(self, value: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
        self.t += 1
        self.m.mul_(self.beta1).add_(grad, alpha=1 - self.beta1)
        self.v.mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        denom = (self.v.sqrt() / (1 - self.beta2**self.t) ** 0.5).add_(self.eps)
        return value.addcdiv(self.m, denom, value=-self.lr / (1 - self.beta1**self.t))


class InversionCache:
    """The latents of the last ``size`` inversions, by what they were inverted from (the texts, the
    starting latents, the options): a refresh (photos came or went), Back, a filter or a photo chip's
    weight changed run the same texts again, and the inversion is most of a text query's time. A
    whole batch is one entry, never its rows alone: when the inversion stops depends on every row of
    its batch, so a row kept from another batch could differ from the same row inverted here."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()  # the search worker and an evaluation's threads alike

    def clear(self) -> None:
        """Keep none (a benchmark times every inversion)."""
        with self._lock:
            self._kept.clear()

    def latents(
        self,
        texts: tuple[str, ...],
        starts: torch.Tensor,
        options: InversionOptions,
        run: Callable[[], torch.Tensor],
    ) -> torch.Tensor:
        """``run()``'s latents for these texts, starts and options: kept ones (a copy), else run now."""
        key = (texts, starts.detach().float().numpy().tobytes(), tuple(starts.shape), options)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept.clone()
        found = run()
        with self._lock:
            self._kept[key] = found.clone()
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return found
