"""How often the head's judge sees an animal a photo's captions name, from the photo's stored top-5
classes (as the app stores them and judges listed photos by: ``search.results``, ``CLEARLY``)
against the head's whole distribution (what storing more, or reading the features again, would
give). A group word's probability spreads over its classes ("dog": 120 breeds): a mixed-breed dog
at 5 % each on a dozen breeds is no dog to the top 5.

    python benchmarks/head_top_classes.py --data ../shared/datasets/flickr8k [--cache runs/cache/flickr8k]

Per word: the val photos about it (three or more of its five captions use it) seen as showing it,
and the other photos seen so, each rule at ``CLEARLY``.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch

from photoscope.network.model import PhotoscopeModel
from photoscope.search.quick import ConceptFusion
from photoscope.search.results import CLEARLY
from photoscope.search.stored import class_cover
from photoscope.training.flickr8k import CaptionDataset
from photoscope.training.retrieval import split_library

WORDS = ("dog", "bird", "horse", "cat")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path("runs/cache/flickr8k"))
    args = p.parse_args()
    model, data = PhotoscopeModel(), CaptionDataset.load(args.data)
    names, _, raw = split_library(model, data, "val", args.cache)
    probs = model.concept_probs(torch.from_numpy(raw)).numpy()
    top = np.argsort(-probs, axis=1)[:, :5]
    near = ConceptFusion().near_classes
    print(f"{len(probs)} val photos; a photo shows a word when its classes give it >= {CLEARLY}")
    for word in WORDS:
        cover = class_cover(model.namer.classes(word).tolist(), near, model.encoder_name)[:-1]
        whole = probs @ cover
        stored = (np.take_along_axis(probs, top, 1) * cover[top]).sum(1)
        about = np.array([_about(word, data.captions[name]) for name in names])
        print(
            f"  {word:6s} {about.sum():4d} photos about it: seen by the top 5 {_share(stored[about])},"
            f" by all classes {_share(whole[about])}; of the {(~about).sum()} others"
            f" {_share(stored[~about])} and {_share(whole[~about])}"
        )


def _about(word: str, captions: list[str]) -> bool:
    counts = collections.Counter(
        word in c.lower().split() or f"{word}s" in c.lower().split() for c in captions
    )
    return counts[True] >= 3


def _share(p: np.ndarray) -> str:
    return f"{100 * float((p >= CLEARLY).mean()):5.1f} %" if len(p) else "  -  "


if __name__ == "__main__":
    main()
