"""Whether text search calls its answer the closest guesses when it should: the word detectors'
sight (``resources/word-sight.json``, ``results.unseen_by_sight``) on Flickr8k val.

    python benchmarks/unseen_words.py --data ../shared/datasets/flickr8k [--cache runs/cache/flickr8k]
        [--queries 500] [--seed 0]

The library is val's 1,000 photos as the app stores them. ``--queries`` captions of val photos,
drawn with a fixed seed, are searched as the app searches (``TextRanker``), and the answer's listed
photos (the best ``LISTED``) judged twice, without and with the detectors' sight (the head's rule,
``unclear_words``, is in both):

- present: the caption's own photo is in the library. An answer called the closest guesses there
  is a false alarm (the photo is there, and most of the time among the listed).
- absent: for each caption with a sighted word, every photo one of whose captions uses that word
  is taken out of the library (what a library without cars is for "a car"). An answer still giving
  likely matches there claims what is not there.

The open-world figures (``photoscope evaluate open-world``: closest guesses, likely matches with
every photo that shows it left out) measure the same rule on photos unlike Flickr8k's.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch

from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import SearchEngine, TextRanker, TextSearchOptions
from photoscope.search.results import unclear_words
from photoscope.search.stored import class_cover
from photoscope.training.flickr8k import CaptionDataset
from photoscope.training.open_world import LISTED
from photoscope.training.retrieval import split_library


def judged(
    engine: SearchEngine, text: str, rows: list[int], detectors: bool, people: np.ndarray | None = None
) -> tuple[str, ...]:
    """The words the app would say no listed photo (store ``rows``) clearly shows; without
    ``detectors``, the head's rule alone (the app before the detectors' sight). ``people``: per
    store row, whether the person probe sees people (``PhotoscopeModel.shows_people``), as the app
    reads a word that names people; None: the detectors alone."""
    model, store, options = engine.model, engine.store, TextSearchOptions()
    if detectors:
        ids = [int(store.ids[r]) for r in rows]
        shows = None if people is None else {i: bool(people[i]) for i in ids}
        return engine.unclear_concepts(text, ids, options, shows)
    index = torch.tensor(rows, dtype=torch.long)

    def best_shown(classes: Sequence[int]) -> float:
        cover = class_cover(classes, options.near_classes, model.encoder_name)
        return float(store.concept_scores(cover)[index].max())

    listed = best_shown if rows else None
    return unclear_words(model.query_words(text), model.word_count, options.rare_count, listed)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path("runs/cache/flickr8k"))
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-person-probe", action="store_true", help="person words by their detectors alone")
    args = p.parse_args()
    model, data = PhotoscopeModel(), CaptionDataset.load(args.data)
    names, store, raw = split_library(model, data, "val", args.cache)
    people = None if args.no_person_probe else model.shows_people(raw)
    rng = np.random.default_rng(args.seed)
    photos = rng.choice(len(names), min(args.queries, len(names)), replace=False)
    texts = [data.captions[names[i]][int(rng.integers(5))] for i in photos]
    ranker, options = TextRanker(model, store), TextSearchOptions()
    scores = torch.cat([ranker.scores(texts[i : i + 50], options) for i in range(0, len(texts), 50)])
    engine = SearchEngine(model, store)
    words = [set(re.findall(r"[a-z]+", " ".join(data.captions[n]).lower())) for n in names]
    present = {"without": 0, "with": 0}
    absent = {"without": 0, "with": 0, "queries": 0}
    for text, row in zip(texts, scores, strict=True):
        listed = store.rows_of_ids([h.photo_id for h in store.top_k(row, LISTED)])
        present["without"] += bool(judged(engine, text, listed, False))
        present["with"] += bool(judged(engine, text, listed, True, people))
        content = model.query_words(text).content
        sighted = [d for w in content if model.detector_sight(w) and (d := model.detector_word(w))]
        if not sighted:
            continue
        gone = [i for i, has in enumerate(words) if any(w in has or f"{w}s" in has for w in sighted)]
        left = store.rows_of_ids([h.photo_id for h in store.top_k(row, LISTED, exclude=gone)])
        absent["queries"] += 1
        absent["without"] += not judged(engine, text, left, False)
        absent["with"] += not judged(engine, text, left, True, people)
    n, m = len(texts), max(1, absent["queries"])
    print(f"Flickr8k val, {n} captions as queries, the library val's {len(names)} photos")
    print(
        f"  present: called the closest guesses {100 * present['without'] / n:.1f} % without the sight,"
        f" {100 * present['with'] / n:.1f} % with it (false alarms)"
    )
    print(
        f"  absent ({absent['queries']} queries with a sighted word, its photos taken out): likely matches"
        f" still claimed {100 * absent['without'] / m:.1f} % without, {100 * absent['with'] / m:.1f} % with"
    )


if __name__ == "__main__":
    main()
