"""Build ``resources/word-sight.json``: for each content word with a detector ("car", "beach",
"pool"), the probability its detector (``resources/word-probes.json``) gives all but a tenth of the
Flickr8k train photos that show it (development time only; the app reads the file).

Usage::

    python tools/build_word_sight.py --data ../shared/datasets/flickr8k [--cache runs/cache/flickr8k]

A train photo shows a word when at least ``--min-captions`` of its five captions use it (as a whole
word). Words at least ``--min-photos`` train photos show get a sight: the ``--share`` quantile of
their detector's probabilities over those photos (each photo's feature as the indexer stores it, no
mirror image). Search reads the absence of any listed photo reaching a word's sight as "no photo
clearly shows it" (``SearchEngine.unclear_concepts``): "car" in a library of animals and tools had
"16 likely matches", a cheetah first (the honest-results walk of stop 48). The detectors were fitted
on these photos, so the quantiles are a little high for new photos; the rule also asks the encoder's
head, for a word that names its classes. Val figures are ``benchmarks/unseen_words.py``'s, never
used here.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from photoscope.network.model import PhotoscopeModel
from photoscope.network.word_probes import WORD_SIGHT_RESOURCE, load_word_probes
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset


def shown_words(captions: list[str], least: int) -> set[str]:
    """The words at least ``least`` of a photo's captions use."""
    counts = Counter(w for c in captions for w in set(re.findall(r"[a-z]+", c.lower())))
    return {w for w, n in counts.items() if n >= least}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path("runs/cache/flickr8k"))
    p.add_argument("--min-captions", type=int, default=2)
    p.add_argument("--min-photos", type=int, default=20)
    p.add_argument("--share", type=float, default=0.1)
    p.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / WORD_SIGHT_RESOURCE
    )
    args = p.parse_args(argv)
    model, probes = PhotoscopeModel(), load_word_probes()
    data = CaptionDataset.load(args.data)
    train = data.split("train")
    features = torch.from_numpy(
        cached_features(train, data.root / "images", args.cache)[:, 0].astype(np.float32)
    )
    shows = [shown_words(data.captions[n], args.min_captions) for n in train]
    words = sorted(w for w in probes.content or () if w in probes.index)
    probs = torch.sigmoid(model.word_log_odds(words, features)).numpy()
    sight: dict[str, float] = {}
    for j, word in enumerate(words):
        rows = [i for i, s in enumerate(shows) if word in s]
        if len(rows) >= args.min_photos:
            sight[word] = round(float(np.quantile(probs[rows, j], args.share)), 4)
    out = {
        "about": f"per content word: its detector's probability all but {args.share:.0%} of the "
        "Flickr8k train photos that show it reach",
        "dataset": probes.dataset,
        "shows": f">= {args.min_captions} of the 5 captions use the word",
        "min_photos": args.min_photos,
        "sight": sight,
    }
    args.out.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(sight)} words (car {sight.get('car')}, dog {sight.get('dog')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
