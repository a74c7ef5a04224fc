"""Latent inversion: find the latent from which the frozen decoder would write the user's text.

Gradient descent on the latent only (the network stays frozen), minimising the teacher-forced
cross-entropy of the text, plus a pull toward the starting latent that keeps the solution near
the photos' manifold (unregularised, more steps drift off it and rank photos worse). Many
queries, or many starts of one query, run as one batch: each row has its own latent, Adam's
per-element updates and its own stopping step (a row whose loss stops improving leaves the batch),
so batching changes nothing but the speed. Evaluation inverts its queries 250 at a time, the app a
search's one text alone: the figures are the app's. (Until stop 64 the batch stopped when every
row had, so a row in a batch took more steps than alone.)
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import torch

from photoscope.network.caption_network import CaptionNetwork
from photoscope.network.decoding import caption_log_prob

T = TypeVar("T")

# Texts inverted at once on as many threads (``thread_groups``, ``side_by_side``), each running
# PyTorch on one thread of its own: the decoder's products for a few texts are too small to share
# among cores, which then wait on each other. Three texts (two sentences and "- people") took
# 126-130 ms as one batch on the caller's two PyTorch threads, 103 ms side by side (2-core machine,
# 2026-12-05, medians of 18); a combined query of them x2.14-2.18 one text query, x1.73 so
# (``benchmarks/search.py --terms``). One text stays on the caller's thread, as it is: handed to
# another, the rest of its search ran 10 ms slower.
INVERSION_THREADS = 2


def thread_groups(rows: list[int], lengths: Sequence[int], groups: int) -> list[list[int]]:
    """``rows`` split into at most ``groups`` batches of about the same work, the work of a row its
    token count (``lengths``, in the order of ``rows``): the longest first, each to the batch with the
    fewest tokens so far. Each batch keeps the rows' order."""
    order = sorted(range(len(rows)), key=lambda i: -lengths[i])
    batches: list[list[int]] = [[] for _ in range(min(groups, len(rows)))]
    tokens = [0] * len(batches)
    for i in order:
        lightest = tokens.index(min(tokens))
        batches[lightest].append(i)
        tokens[lightest] += lengths[i]
    return [[rows[i] for i in sorted(batch)] for batch in batches if batch]


def side_by_side(batches: Sequence[Callable[[], T]]) -> list[T]:
    """Each inversion batch's result: one alone on the caller's thread as it is; two or more at once,
    the first on the caller's thread and the others on the inversion threads, each with PyTorch on
    one thread (``INVERSION_THREADS``)."""
    if len(batches) < 2:
        return [batch() for batch in batches]
    pending = [_inversion_threads().submit(batch) for batch in batches[1:]]
    with torch_threads(1):
        first = batches[0]()
    return [first, *(p.result() for p in pending)]


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run PyTorch on ``count`` threads in the calling thread only, restoring its setting after."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@cache
def _inversion_threads() -> ThreadPoolExecutor:
    """The inversion threads, each with PyTorch on one thread: set as each starts, while the caller
    waits, then set back on the caller, as PyTorch also keeps the last count for threads it starts
    later (the indexer's)."""
    count = torch.get_num_threads()
    started = threading.Barrier(INVERSION_THREADS)

    def one_thread_each() -> None:
        torch.get_num_threads()  # PyTorch sets up this thread's count on first use: before ours
        torch.set_num_threads(1)
        started.wait()

    pool = ThreadPoolExecutor(INVERSION_THREADS - 1, "inversion", initializer=one_thread_each)
    for _ in range(INVERSION_THREADS - 1):
        pool.submit(lambda: None)  # each waits in its start: the next submit starts another
    started.wait()
    torch.set_num_threads(count)
    return pool


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
    active = torch.arange(len(starts))  # the rows still improving
    steps = 0
    with torch.enable_grad():
        while steps < o.steps and len(active):
            steps += 1
            rows = latent[active].requires_grad_(True)
            nll = (
                -caption_log_prob(net, rows, targets[active], lengths[active], start_token) / lengths[active]
            )
            loss = nll + o.prior_weight * (rows - anchor[active]).pow(2).sum(1)
            (grad,) = torch.autograd.grad(loss.sum(), rows)
            loss = loss.detach()
            latent[active] = adam.step(active, rows.detach(), grad)
            improved = best[active] - loss
            best[active] = torch.minimum(best[active], loss)
            active = active[improved >= o.tolerance]
    # No forward pass for the final latent's loss: search does not use it, and it cost a step's time.
    return InversionResult(latent, steps)


class _Adam:
    """Adam (Kingma and Ba; the same update as ``torch.optim.Adam``'s defaults) on the rows of one
    tensor, each row with its own step count (a row that stopped takes no more steps).

    Written out because constructing ``torch.optim.Adam`` imports TorchDynamo and SymPy: a second
    of import holding the GIL on the first search, which froze the app's window.
    """

    def __init__(self, like: torch.Tensor, lr: float, betas: tuple[float, float] = (0.9, 0.999)) -> None:
        self.lr, (self.beta1, self.beta2) = lr, betas
        self.eps = 1e-8
        self.m = torch.zeros_like(like)
        self.v = torch.zeros_like(like)
        self.t = torch.zeros(len(like), 1)

    def step(self, rows: torch.Tensor, value: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
        """The next value of ``rows`` (indices) of the tensor, from their ``value`` and ``grad``."""
        self.t[rows] += 1
        t = self.t[rows]
        m = self.m[rows].mul_(self.beta1).add_(grad, alpha=1 - self.beta1)
        v = self.v[rows].mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        self.m[rows], self.v[rows] = m, v
        denom = (v.sqrt() / (1 - self.beta2**t).sqrt()).add_(self.eps)
        return value - (self.lr / (1 - self.beta1**t)) * m / denom


class InversionCache:
    """The latents of the last ``size`` inverted texts, each by what it was inverted from (the text,
    its starting latent, the options): a refresh (photos came or went), Back, a filter or a photo
    chip's weight changed run the same texts again, and a combined query's chips come one at a time
    ("a dog on the beach", then "- people"), while the inversion is most of a text query's time. A
    row's latent does not depend on its batch (``invert``), so each text is kept on its own."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()  # the search worker and an evaluation's threads alike

    def clear(self) -> None:
        """Keep none (a benchmark times every inversion)."""
        with self._lock:
            self._kept.clear()

    def latents(
        self,
        texts: Sequence[str],
        starts: torch.Tensor,
        options: InversionOptions,
        run: Callable[[list[int]], torch.Tensor],
    ) -> torch.Tensor:
        """One latent per text: kept ones (copies), the others from ``run(rows)``, which inverts
        those rows of ``texts`` and ``starts`` as one batch."""
        keys = [(text, _start_key(start), options) for text, start in zip(texts, starts, strict=True)]
        with self._lock:
            kept = [self._kept.get(key) for key in keys]
            for key, latent in zip(keys, kept, strict=True):
                if latent is not None:
                    self._kept.move_to_end(key)
        missing = [i for i, latent in enumerate(kept) if latent is None]
        found = dict(zip(missing, run(missing), strict=True)) if missing else {}
        with self._lock:
            for i, latent in found.items():
                self._kept[keys[i]] = latent.clone()
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return torch.stack([found[i] if latent is None else latent.clone() for i, latent in enumerate(kept)])


def _start_key(start: torch.Tensor) -> bytes:
    """A starting latent as a key, to 4 decimals: the same text's guess encoded alone and in a
    batch differ in the last bits (the matrix products take other paths), which a search of the
    same text must not count as another start."""
    return (torch.round(start.detach().float(), decimals=4) + 0.0).numpy().tobytes()  # + 0.0: no -0.0
