"""A fast CIDEr-D on token ids, used as the reward when fine-tuning for CIDEr.

It follows pycocoevalcap's CIDEr-D (tf-idf n-gram vectors for n = 1..4, clipped matches, a
Gaussian length penalty with sigma 6, times 10) but keeps the references' vectors precomputed and
works on token ids, so thousands of sampled captions are scored per second in pure Python.
Reported metrics still come from pycocoevalcap itself (``metrics.py``); this is only a reward.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

MAX_N = 4
SIGMA = 6.0

Ngram = tuple[int, ...]


def ngram_counts(tokens: Sequence[int]) -> list[Counter[Ngram]]:
    """Counts of the 1..4-grams of a token sequence, one Counter per n."""
    return [
        Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)) for n in range(1, MAX_N + 1)
    ]


@dataclass(frozen=True)
class _Vector:
    weights: list[dict[Ngram, float]]  # per n: tf-idf weight of each n-gram
    norms: list[float]
    length: int


class CiderD:
    """CIDEr-D of candidates against per-item references, with document frequencies from a corpus."""

    def __init__(self, references: Sequence[Sequence[Sequence[int]]]) -> None:
        """``references[i]`` are item i's reference captions as token ids (no <start>/<end>)."""
        frequency: Counter[Ngram] = Counter()
        for refs in references:
            frequency.update({g for ref in refs for counts in ngram_counts(ref) for g in counts})
        self._log_items = math.log(float(len(references)))
        self._log_df = {g: math.log(float(c)) for g, c in frequency.items()}
        self._refs = [[self._vector(ngram_counts(r), len(r)) for r in refs] for refs in references]

    def _vector(self, counts: list[Counter[Ngram]], length: int) -> _Vector:
        weights = [
            {g: tf * (self._log_items - self._log_df.get(g, 0.0)) for g, tf in c.items()} for c in counts
        ]
        norms = [math.sqrt(sum(w * w for w in ws.values())) for ws in weights]
        return _Vector(weights, norms, length)

    def score(self, item: int, candidate: Sequence[int]) -> float:
        """CIDEr-D of one candidate against item ``item``'s references."""
        hyp = self._vector(ngram_counts(candidate), len(candidate))
        refs = self._refs[item]
        total = 0.0
        for ref in refs:
            penalty = math.exp(-((hyp.length - ref.length) ** 2) / (2 * SIGMA**2))
            for n in range(MAX_N):
                if hyp.norms[n] == 0 or ref.norms[n] == 0:
                    continue
                ref_w = ref.weights[n]
                dot = sum(min(w, ref_w[g]) * ref_w[g] for g, w in hyp.weights[n].items() if g in ref_w)
                total += penalty * dot / (hyp.norms[n] * ref.norms[n])
        return 10.0 * total / MAX_N / len(refs)
