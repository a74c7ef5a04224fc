"""Descriptions that say what to leave out, on Flickr8k val: each val caption with "without", "no"
or "not" (16 of 5,000) as a query for its own photo, searched as typed (the text ranker, as
``photoscope evaluate retrieval``) and as the app reads it (``search.negation``: what it wants
minus what it leaves out, ``search.combine``). Prints each photo's rank both ways.

    python benchmarks/negation.py --data ../shared/datasets/flickr8k [--split val]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import torch
from combined_queries import build_queries, caption_words, encoded_split, precision, store_with_concepts

from photoscope.search.combine import CombinedRanker, Term
from photoscope.search.negation import split_negations
from photoscope.search.ranking import TextRanker, TextSearchOptions

KEPT_WEIGHTS = (0.25, 0.5, 1.0)


def rank(scores: torch.Tensor, row: int) -> int:
    return int((scores > scores[row]).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="val")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    data, names, model, features, latents = encoded_split(args)
    store = store_with_concepts(model, torch.from_numpy(features.astype("float32")), latents)
    row_of = {n: i for i, n in enumerate(names)}
    queries = [
        (c, row_of[n])
        for n in names
        for c in data.captions[n]
        if re.search(r"\b(without|no|not)\b", c.lower()) and split_negations(c).taken_away
    ]
    texts, combined = TextRanker(model, store), CombinedRanker(model, store)
    before, after = [], []
    kept: dict[float, list[int]] = {w: [] for w in KEPT_WEIGHTS}
    for text, row in queries:
        negated = split_negations(text)
        typed = texts.scores([text], TextSearchOptions())[0]
        terms = [Term(text=negated.wanted)] if negated.wanted.strip() else []
        terms += [Term(text=p, negative=True) for p in negated.taken_away]
        read = combined.rank(terms).scores
        before.append(rank(typed, row))
        after.append(rank(read, row))
        for w in KEPT_WEIGHTS:  # the text as typed, what it leaves out taken away at weight w
            both = [Term(text=text), *(Term(text=p, negative=True, weight=w) for p in negated.taken_away)]
            kept[w].append(rank(combined.rank(both).scores, row))
        read_as = f"{negated.wanted!r} - {negated.taken_away}"
        print(f"{before[-1] + 1:5d} -> {after[-1] + 1:5d}  {text!r} as {read_as}")
    n = len(queries)
    rows = [("as typed", before), ("as read", after), *((f"typed - {w:g}x", r) for w, r in kept.items())]
    for name, ranks in rows:
        r1, r5, r10 = (100 * sum(r < k for r in ranks) / max(1, n) for k in (1, 5, 10))
        print(
            f"{name:9s} {n} queries: R@1 {r1:.1f}  R@5 {r5:.1f}  R@10 {r10:.1f}"
            f"  median rank {statistics.median(ranks) + 1:.0f}"
        )

    left_out(model, store, data, names, texts, combined)


def left_out(model, store, data, names, texts: TextRanker, combined: CombinedRanker) -> None:  # type: ignore[no-untyped-def]
    """``combined_queries.py``'s "text - word" queries (A and not N; 200, seed 0) typed as "A without
    N": precision@10 of the text as typed, as the app reads it, and of A alone."""
    known = set(model.bundle.vocab.words)
    has, about = caption_words([data.captions[n] for n in names], known)
    queries = [q for q in build_queries(has, about, 200) if q.kind == "text - word"]
    typed, read, plain = [], [], []
    for q in queries:
        text = f"{q.texts[0]} without {q.negative}"
        negated = split_negations(text)
        typed.append(precision(texts.scores([text], TextSearchOptions())[0], q))
        terms = [Term(text=negated.wanted), *(Term(text=p, negative=True) for p in negated.taken_away)]
        read.append(precision(combined.rank(terms).scores, q))
        plain.append(precision(texts.scores([q.texts[0]], TextSearchOptions())[0], q))
    example = f"{queries[0].texts[0]!r} without {queries[0].negative!r}"
    print(f'\n"A without N" ({len(queries)} text - word queries, e.g. {example}):')
    for name, values in (("as typed", typed), ("as read", read), ("A alone", plain)):
        print(f"{name:9s} precision@10 {100 * statistics.fmean(values):.1f}")


if __name__ == "__main__":
    sys.exit(main())
