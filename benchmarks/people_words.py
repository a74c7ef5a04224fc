"""Whether a query for people claims likely matches in a library without people: the open-world dev
set's photos alone (``tools/open_world_photos.py``: animals, monuments, objects; its labels say
which show a person), searched for person words, with a word that names people seen by its word
detector alone ("detectors") and, as the app reads it, only where the person probe sees people
("probe", ``PhotoscopeModel.shows_people``).

    python benchmarks/people_words.py --data /tmp/openworld [--cache runs/cache/openworld] [--long]

``--long``: longer descriptions that name people ("a man standing on top of a mountain"), whose
likely matches end where the person words stop being seen (``results.likely_through``).

Per query and rule: the likely matches, and how many of them show no person by their labels; an
answer whose words no listed photo shows is the closest guesses (0 likely).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch

from photoscope.api.scoring import POOL, relevance
from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import SearchEngine, TextRanker, TextSearchOptions
from photoscope.search.results import likely_count
from photoscope.training.features import encoder_cache
from photoscope.training.open_world import cached_features, load_labels
from photoscope.training.retrieval import store_with_concepts

QUERIES = ("a man", "a woman", "a boy", "a girl", "a child", "people", "a person", "a little girl")
LONG_QUERIES = (
    "a man standing on top of a mountain",
    "a woman sitting on a bench",
    "two children playing in the water",
    "a boy riding a bike",
    "a girl in a red dress",
    "people walking down a busy street",
    "a man in a blue shirt",
    "a group of people standing in front of a building",
    "a guy standing on top of a mountain",  # person words whose detectors have no sight
    "a lady sitting on a bench",
    "a kid playing in the snow",
)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path("runs/cache/openworld"))
    p.add_argument("--long", action="store_true", help="longer descriptions that name people")
    args = p.parse_args()
    queries = LONG_QUERIES if args.long else QUERIES
    model, photos = PhotoscopeModel(), load_labels(args.data)
    cache = encoder_cache(args.cache, model.bundle.encoder)
    raw = cached_features(args.data, photos, cache).astype(np.float32)
    with torch.inference_mode():
        features = torch.from_numpy(raw)
        store = store_with_concepts(model, features, model.bundle.network.latent(features))
    engine, people = SearchEngine(model, store), model.shows_people(raw)
    scores = TextRanker(model, store).scores(list(queries), TextSearchOptions())
    nobody = {i for i, photo in enumerate(photos) if "person" not in photo.present}
    print(f"{len(photos)} open-world photos, {len(photos) - len(nobody)} with a person by their labels")
    totals = {"detectors": [0, 0], "probe": [0, 0]}
    for text, row in zip(queries, scores, strict=True):
        hits = store.top_k(row, POOL)
        ids = [h.photo_id for h in hits]
        knee = relevance([h.score for h in hits])[0]
        line = []
        for rule, shows in (("detectors", None), ("probe", {i: bool(people[i]) for i in ids})):
            unsure = engine.unclear_concepts(text, ids, people=shows)
            through = None if unsure else engine.likely_through(text, ids, people=shows)
            likely = 0 if unsure else likely_count(knee, 0, through)
            wrong = sum(1 for i in ids[:likely] if i in nobody)
            totals[rule][0] += likely
            totals[rule][1] += wrong
            line.append(f"{rule} {likely:2d} likely ({wrong} without a person)")
        print(f"  {text!r:52s} " + ", ".join(line))
    for rule, (likely, wrong) in totals.items():
        print(f"{rule}: {likely} likely matches over {len(queries)} queries, {wrong} without a person")


if __name__ == "__main__":
    main()
