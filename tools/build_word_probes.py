"""Train the word detectors of ``resources/word-probes.json`` on Flickr8k train (development time only).

Usage::

    python tools/build_word_probes.py --data ../shared/datasets/flickr8k \
        --train-features runs/cache/train_full.npz

One logistic probe per word of the train captions (``word_probes.caption_words``: the combined-query
benchmark's rule, but every word but the function words, not only those it queries) that the decoder
knows and at least ``--min-photos`` train photos have, on the unit-length 1280-d encoder feature (the
store keeps unit features); a photo has a word when any of its five captions uses it. The resource
also lists which words are content words in the train captions (``word_probes.content_words``: what
a photo term of a combined query stands for). Fitted together
by ``build_presence.fit`` (full-batch L-BFGS, L2 penalty). Unless ``--l2`` gives it, the penalty
is chosen on train alone: each candidate is fitted on the first ``HOLDOUT`` of the train photos and
scored by mean average precision on the rest; the chosen one is then fitted on all train photos. Val
figures are printed and recorded, never used to choose.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_presence import add_training_data, average_precision, fit  # the presence probes', reused

from photoscope.network.model import PhotoscopeModel
from photoscope.network.word_probes import WORD_PROBES_RESOURCE, WordProbes, caption_words, content_words
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset

HOLDOUT = 5 / 6  # fit on this share of train when choosing the penalty, score on the rest
# Unit features are about 1/17 of the raw ones (1e-5 was best on raw features): scaled down.
L2_CANDIDATES = (1e-8, 3e-8, 1e-7)


def targets(has: list[set[str]], words: list[str]) -> torch.Tensor:
    """N x W: 1 where the photo's captions use the word."""
    return torch.tensor([[w in h for w in words] for h in has], dtype=torch.float32)


def mean_ap(weight: torch.Tensor, bias: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean average precision over the words with at least 5 positives among ``x``."""
    scores = (x @ weight.T + bias).numpy()
    truth = y.numpy()
    aps = [average_precision(scores[:, j], truth[:, j]) for j in range(y.shape[1]) if truth[:, j].sum() >= 5]
    return float(np.mean(aps))


def choose_l2(x: torch.Tensor, y: torch.Tensor) -> tuple[float, dict[str, float]]:
    """The candidate penalty with the best held-out train mean AP, and each candidate's figure."""
    cut = int(HOLDOUT * len(x))
    figures = {}
    for l2 in L2_CANDIDATES:
        w, b = fit(x[:cut], y[:cut], l2)
        figures[f"{l2:g}"] = round(mean_ap(w, b, x[cut:], y[cut:]), 4)
        print(f"l2 {l2:g}: held-out train mean AP {figures[f'{l2:g}']:.3f}")
    best = max(L2_CANDIDATES, key=lambda l2: figures[f"{l2:g}"])
    return best, figures


def train_features(args: argparse.Namespace, data: CaptionDataset) -> tuple[list[str], torch.Tensor, str]:
    """Train photos' names, unit features (one row a view) and how many views each."""
    if args.train_features is not None:
        given = np.load(args.train_features)
        names = [str(n) for n in given["names"]]
        x = torch.from_numpy(given["features"].astype(np.float32).reshape(len(names), -1))
        return names, F.normalize(x, dim=1), "one view each"
    names = list(data.split("train"))
    features = cached_features(names, data.root / "images", args.cache)
    x = torch.from_numpy(features.astype(np.float32).reshape(-1, features.shape[-1]))
    return names, F.normalize(x, dim=1), f"{features.shape[1]} views each"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_training_data(p)
    # 20 keeps every word the benchmark queries (15+ val photos, about 90 train photos) and the
    # resource about 3 MB.
    p.add_argument("--min-photos", type=int, default=20)
    p.add_argument("--l2", type=float, help="this penalty instead of choosing one on held-out train photos")
    p.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / WORD_PROBES_RESOURCE
    )
    args = p.parse_args(argv)
    data = CaptionDataset.load(args.data)
    known = set(PhotoscopeModel().bundle.vocab.words)
    names, x, views = train_features(args, data)
    has, _ = caption_words([data.captions[n] for n in names], known, content_share=0.0)
    counts = Counter(w for h in has for w in h)
    words = sorted(w for w, n in counts.items() if n >= args.min_photos)
    y = targets(has, words).repeat_interleave(len(x) // len(names), dim=0)  # one row a view
    l2, held_out = (args.l2, {}) if args.l2 is not None else choose_l2(x, y)
    w, b = fit(x, y, l2)
    val = list(data.split("val"))
    x_val = F.normalize(
        torch.from_numpy(cached_features(val, data.root / "images", args.cache)[:, 0].astype(np.float32)),
        dim=1,
    )
    val_has, _ = caption_words([data.captions[n] for n in val], known, content_share=0.0)
    val_ap = mean_ap(w, b, x_val, targets(val_has, words))
    print(f"{len(words)} words; l2 {l2:g}; val mean AP {val_ap:.3f}")
    info: dict[str, object] = {
        "dataset": data.root.name.lower(),  # the bundles trained on its captions use the detectors
        "trained_on": f"Flickr8k train ({len(names)} photos, {views}), unit-length features",
        "label": "a photo has a word when any of its 5 captions uses it (word_probes.caption_words)",
        "min_photos": args.min_photos,
        "l2": l2 if held_out else f"{l2:g} (given; chosen on held-out train for the 660 content words)",
        "held_out_train_mean_ap": held_out,
        "val_mean_ap": round(val_ap, 4),
    }
    share = np.asarray([counts[word] / len(names) for word in words], dtype=np.float32)
    # what a photo term stands for (search.combine): the words a determiner introduces
    content = frozenset(content_words([data.captions[n] for n in names], known) & set(words))
    probes = WordProbes(tuple(words), w.numpy(), b.numpy(), info, share, content)
    args.out.write_text(probes.to_json() + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
