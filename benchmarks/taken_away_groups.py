"""A taken-away group name ("- people", "- dogs") on Flickr8k val: precision@10 of combined queries
that take it away, with the name standing for its whole group (the app: ``CombineOptions.negative_kin``)
and for its own word alone.

    python benchmarks/taken_away_groups.py --data ../shared/datasets/flickr8k [--per-group 100]

Flickr8k says "people" of groups only: a man alone has a caption without the word. The #17 audit of
stop 44 found "- people" left single men high. Two relevance rules are reported for each query:

- *group*: relevant photos have A and no caption naming any member of the group (``naming``'s
  person or dog words: man, girl, skier …; dog, puppy, poodle …), what a user who takes people
  away means;
- *word*: relevant photos have A and no caption with the name itself ("people"), the rule of
  ``benchmarks/combined_queries.py``'s text - word.

Queries (words and the "has"/"about" rule as in ``combined_queries.py``, fixed seed):
- text - group: a common word A (30 or more photos, not a group word) minus "people" or "dogs",
  where a quarter or more of A's photos show the group; at least 5 relevant.
- photo - group: a photo about A that shows the group, minus its name; the photo never counts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from combined_queries import MIN_RELEVANT, K, Query, Scorer, encoded_split

from photoscope.network.naming import GROUP_NAMES, VETOED_WORDS
from photoscope.network.word_probes import caption_words
from photoscope.search.combine import CombineOptions
from photoscope.training.retrieval import store_with_concepts

NAMES = {"person": "people", "dog": "dogs"}


def group_queries(
    has: list[set[str]], about: list[set[str]], per_group: int, seed: int = 0
) -> list[tuple[Query, frozenset[int]]]:
    """(query with its word relevance, its group relevance) for each group and kind."""
    rng = np.random.default_rng(seed)
    photos_with: dict[str, set[int]] = {}
    for i, words in enumerate(has):
        for w in words:
            photos_with.setdefault(w, set()).add(i)
    out: list[tuple[Query, frozenset[int]]] = []
    for group, name in NAMES.items():
        members = VETOED_WORDS[group] | GROUP_NAMES[group]
        shown = {i for i, words in enumerate(has) if words & members}
        named = set().union(*(photos_with.get(w, set()) for w in GROUP_NAMES[group]))
        common = sorted(w for w, p in photos_with.items() if len(p) >= 30 and w not in members)
        texts, photos = [], []
        for a in common:
            with_a = photos_with[a]
            if len(with_a & shown) >= 0.25 * len(with_a) and len(with_a - shown) >= MIN_RELEVANT:
                q = Query("text - group", (a,), None, name, frozenset(with_a - named), (a,))
                texts.append((q, frozenset(with_a - shown)))
        for p in range(len(has)):
            anchors = sorted(
                w for w in about[p] if w in common and len(photos_with[w] - shown) >= MIN_RELEVANT
            )
            if p in shown and anchors:
                a = anchors[rng.integers(len(anchors))]
                q = Query("photo - group", (), p, name, frozenset(photos_with[a] - named - {p}), ("photo",))
                photos.append((q, frozenset(photos_with[a] - shown - {p})))
        for kind in (texts, photos):
            order = sorted(rng.permutation(len(kind))[:per_group])
            out += [kind[i] for i in order]
    return out


def precision(scores: torch.Tensor, q: Query, relevant: frozenset[int]) -> float:
    if q.photo is not None:
        scores = scores.clone()
        scores[q.photo] = float("-inf")
    return sum(i in relevant for i in scores.topk(K).indices.tolist()) / K


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="val")
    parser.add_argument("--per-group", type=int, default=100)
    parser.add_argument("--model")
    args = parser.parse_args()
    data, names, model, features, latents = encoded_split(args)
    store = store_with_concepts(model, torch.from_numpy(features.astype("float32")), latents)
    has, about = caption_words([data.captions[n] for n in names], set(model.bundle.vocab.words))
    queries = group_queries(has, about, args.per_group)
    scorer = Scorer(model, store, [q for q, _ in queries], torch.from_numpy(features.astype("float32")))
    print(
        f"model {model.version}, {args.split}: {len(names)} photos; precision@{K} (%), group / word relevance"
    )
    for kind in ("text - group", "photo - group"):
        for name in NAMES.values():
            qs = [(q, g) for q, g in queries if q.kind == kind and q.negative == name]
            if not qs:
                continue
            plain = [scorer.plain(q, q.plain[0]) for q, _ in qs]
            line = [f"{kind.replace('group', name):18s} {len(qs):3d} queries"]
            line.append("plain {:5.1f} / {:5.1f}".format(*_both(plain, qs)))
            for label, kin in (("own word", False), ("group (app)", True)):
                scores = [scorer.combined(q, CombineOptions(negative_kin=kin)) for q, _ in qs]
                line.append(f"{label} {{:5.1f}} / {{:5.1f}}".format(*_both(scores, qs)))
            print("  ".join(line))


def _both(scores: list[torch.Tensor], qs: list[tuple[Query, frozenset[int]]]) -> tuple[float, float]:
    group = 100 * statistics.fmean(precision(s, q, g) for s, (q, g) in zip(scores, qs, strict=True))
    word = 100 * statistics.fmean(precision(s, q, q.relevant) for s, (q, _) in zip(scores, qs, strict=True))
    return group, word


if __name__ == "__main__":
    main()
