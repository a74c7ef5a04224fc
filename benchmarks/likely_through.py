"""How many of a short text query's answer are called likely, and how many of those are right: the
score curve's rule alone, and cut through the last listed photo that shows the query's words to
their judges (``search.results.likely_through``): as the app cuts ("through": a word that names
people seen only where the person probe sees people), and by the detectors alone ("detectors").

    python benchmarks/likely_through.py --data ../shared/datasets/flickr8k [--cache runs/cache/flickr8k]
        [--pairs 300] [--seed 0] [--long 0] [--unjudged]

The library is Flickr8k val's 1,000 photos as the app stores them (features, latents, the head's
top classes). Queries:

- every content word with a word detector that the captions of at least 5 val photos use ("dog",
  "snow", "bike"), as typed alone;
- ``--pairs`` two-word queries drawn with a fixed seed from one caption's content words ("dog
  snow");
- ``--long`` whole captions (the rule is off for more than ``SHORT_QUERY`` content words;
  ``--any-length`` turns it on for them, to see what it would do there);
- with ``--unjudged``, instead: every word the decoder reads that the captions of at least 5 val
  photos use and that no judge can check ("guy", "statue", "running": no detector's sight, no head
  class), as typed alone.

A photo is relevant when one of its five captions uses every word of the query (plurals folded).
For each rule: the mean count of likely matches, their precision (the share relevant), their recall
(the share of the relevant photos among them), and the answers with no relevant likely match.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch

from photoscope.api.scoring import POOL, relevance
from photoscope.network.model import PhotoscopeModel
from photoscope.network.word_probes import load_word_probes
from photoscope.search import results
from photoscope.search.ranking import SearchEngine, TextRanker, TextSearchOptions
from photoscope.search.results import judged_words
from photoscope.training.flickr8k import CaptionDataset
from photoscope.training.retrieval import split_library


def in_order(text: str) -> list[str]:
    """The words of a text, lowercase, plurals folded ("dogs" -> "dog"), in their order."""
    return [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in re.findall(r"[a-z]+", text.lower())]


def folded(text: str) -> set[str]:
    return set(in_order(text))


def queries(model: PhotoscopeModel, captions: list[list[str]], pairs: int, long: int, seed: int) -> list[str]:
    """Single detector words used by 5 or more photos, drawn pairs, drawn whole captions."""
    per_photo = [set().union(*(folded(c) for c in caps)) for caps in captions]
    counts: dict[str, int] = {}
    for words in per_photo:
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    content = load_word_probes().content or set()
    sighted = sorted(w for w, n in counts.items() if n >= 5 and model.detector_sight(w) and w in content)
    rng = np.random.default_rng(seed)
    two: list[str] = []
    while len(two) < pairs:
        caption = captions[int(rng.integers(len(captions)))][int(rng.integers(5))]
        words = [w for w in dict.fromkeys(in_order(caption)) if w in sighted]  # not a set's order
        if len(words) >= 2:
            a, b = rng.choice(len(words), 2, replace=False)
            two.append(f"{words[a]} {words[b]}")
    whole = [captions[int(i)][int(rng.integers(5))] for i in rng.choice(len(captions), long, replace=False)]
    return sighted + two + whole


def unjudged(model: PhotoscopeModel, captions: list[list[str]]) -> list[str]:
    """The words the decoder reads that 5 or more val photos' captions use and no judge checks."""
    counts: dict[str, int] = {}
    for caps in captions:
        for w in set().union(*(folded(c) for c in caps)):
            counts[w] = counts.get(w, 0) + 1
    rare = TextSearchOptions().rare_count

    def unchecked(word: str) -> bool:
        query = model.query_words(word)
        judged = judged_words(query, model.word_count, rare, model.detector_sight)
        return bool(query.decoder_words) and not judged

    return [w for w, n in sorted(counts.items()) if n >= 5 and unchecked(w)]


def judge(
    engine: SearchEngine,
    scores: torch.Tensor,
    texts: Sequence[str],
    truth: Callable[[str], set[int]],
    people: np.ndarray,
) -> dict[str, list[tuple[int, int, int]]]:
    """Per rule, per query: (likely, relevant among them, relevant in the library). ``people``: per
    store row, whether the person probe sees people there (``PhotoscopeModel.shows_people``)."""
    store = engine.store
    out: dict[str, list[tuple[int, int, int]]] = {"curve": [], "detectors": [], "through": [], "head on": []}
    for text, row in zip(texts, scores, strict=True):
        hits = store.top_k(row, POOL)
        ids = [h.photo_id for h in hits]
        knee = relevance([h.score for h in hits])[0]
        alone = engine.likely_through(text, ids)  # a person word seen wherever its detector sees it
        through = engine.likely_through(text, ids, people={i: bool(people[i]) for i in ids})
        relevant = truth(text)
        for rule, likely in (
            ("curve", knee),
            ("detectors", results.likely_count(knee, 0, alone)),
            ("through", results.likely_count(knee, 0, through)),
            ("head on", results.likely_count(knee, 0, through, head_alone=engine.head_alone(text))),
        ):
            out[rule].append((likely, len(relevant & set(ids[:likely])), len(relevant)))
    return out


def report(name: str, rows: list[tuple[int, int, int]]) -> str:
    kept = [(a, b, c) for a, b, c in rows if c]
    likely = np.mean([a for a, _, _ in kept])
    precision = 100 * sum(b for _, b, _ in kept) / max(1, sum(a for a, _, _ in kept))
    recall = 100 * np.mean([b / c for _, b, c in kept])
    missed = 100 * np.mean([b == 0 for _, b, _ in kept])
    return (
        f"{name:8s} likely {likely:5.1f}  precision {precision:5.1f} %  recall {recall:5.1f} %"
        f"  none right {missed:4.1f} %"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path("runs/cache/flickr8k"))
    p.add_argument("--pairs", type=int, default=300)
    p.add_argument("--long", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--any-length", action="store_true", help="the rule for queries of any length")
    p.add_argument("--unjudged", action="store_true", help="words no judge checks, alone")
    args = p.parse_args()
    if args.any_length:
        results.SHORT_QUERY = 1000
    model, data = PhotoscopeModel(), CaptionDataset.load(args.data)
    names, store, raw = split_library(model, data, "val", args.cache)
    people = model.shows_people(raw)
    captions = [data.captions[n] for n in names]
    photo_words = [[folded(c) for c in caps] for caps in captions]

    def truth(text: str) -> set[int]:
        wanted = folded(text) & set().union(*(w for ws in photo_words for w in ws))
        return {i for i, caps in enumerate(photo_words) if any(wanted <= c for c in caps)}

    if args.unjudged:
        texts = unjudged(model, captions)
    else:
        texts = queries(model, captions, args.pairs, args.long, args.seed)
    ranker, options, engine = TextRanker(model, store), TextSearchOptions(), SearchEngine(model, store)
    scores = torch.cat([ranker.scores(texts[i : i + 50], options) for i in range(0, len(texts), 50)])
    kinds = {"one word": [t for t in texts if " " not in t]}
    if args.unjudged:
        kinds = {"one word no judge checks": texts}
    else:
        kinds["two words"] = [t for t in texts if len(t.split()) == 2 and t not in kinds["one word"]][
            : args.pairs
        ]
        kinds["captions"] = texts[len(texts) - args.long :] if args.long else []
    print(f"Flickr8k val, the library its {len(names)} photos (SHORT_QUERY {results.SHORT_QUERY})")
    for kind, chosen in kinds.items():
        if not chosen:
            continue
        at = [texts.index(t) for t in chosen]
        judged = judge(engine, scores[at], chosen, truth, people)
        print(f"{kind}: {len(chosen)} queries")
        for rule, rows in judged.items():
            print("  " + report(rule, rows))


if __name__ == "__main__":
    main()
