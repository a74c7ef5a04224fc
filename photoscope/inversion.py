"""Latent inversion: find the latent from which the frozen decoder would write the user's text.

Gradient descent on the latent only (the network stays frozen), minimising the teacher-forced
cross-entropy of the text, plus a pull toward the starting latent that keeps the solution near
the photos' manifold (unregularised, more steps drift off it and rank photos worse). Many
queries, or many starts of one query, run as one batch: each row has its own latent and Adam's
per-element updates keep the rows independent, so batching changes nothing but the speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from photoscope.decoding import caption_log_prob
from photoscope.network import CaptionNetwork


@dataclass(frozen=True)
class InversionOptions:
    steps: int = 20
    lr: float = 0.05
    prior_weight: float = 0.01  # weight of ||z - z_start||^2
    tolerance: float = 1e-4  # stop when no row's loss improves by more than this


@dataclass(frozen=True)
class InversionResult:
    latents: torch.Tensor  # B x D
    loss: torch.Tensor  # B, the final per-token cross-entropy of each row's text
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
    latent = anchor.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([latent], lr=o.lr)
    best = torch.full((len(starts),), float("inf"))
    steps = 0
    with torch.enable_grad():
        while steps < o.steps:
            steps += 1
            nll = -caption_log_prob(net, latent, targets, lengths, start_token) / lengths
            loss = nll + o.prior_weight * (latent - anchor).pow(2).sum(1)
            optimizer.zero_grad(set_to_none=True)
            loss.sum().backward()
            optimizer.step()
            improved = best - loss.detach()
            best = torch.minimum(best, loss.detach())
            if bool((improved < o.tolerance).all()):
                break
    with torch.inference_mode():
        final = -caption_log_prob(net, latent.detach(), targets, lengths, start_token) / lengths
    return InversionResult(latent.detach(), final, steps)
