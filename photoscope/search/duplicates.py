"""Near-duplicate photos: resized, recompressed or lightly edited copies, by their encoder features."""

from __future__ import annotations

import numpy as np
import torch

# Feature cosine above which two photos are copies (resized, recompressed): File > Find copies, and
# the "copy" mark on search results.
NEAR_DUPLICATE = 0.97


def duplicate_groups(
    features: torch.Tensor, ids: np.ndarray, threshold: float = NEAR_DUPLICATE, block: int = 1024
) -> list[list[int]]:
    """Groups of photo ids whose unit features (one row each) have cosine >= ``threshold``, largest
    first. Compares every pair a block at a time: about N^2 x 1280 multiply-adds (a few seconds at
    20,000 photos on a laptop); pairs join groups by union-find."""
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for lo in range(0, len(ids), block):
        sims = features[lo : lo + block].float() @ features[lo:].float().T
        for a, b in torch.nonzero(sims >= threshold).tolist():
            i, j = lo + a, lo + b
            if i < j:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(ids)):
        groups.setdefault(find(i), []).append(int(ids[i]))
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
