"""The open-world evaluation: everyday photos Flickr8k never showed the network.

A folder made by ``tools/open_world_photos.py`` holds photos and ``labels.json``: per photo its plain
query ("a cat"), the words a caption may rightly use for it and which of the objects Flickr8k taught
the decoder to invent are really there. Measured, as ``photoscope evaluate open-world`` prints:

- captions that name a right word (a label word, or a two- or three-word label phrase);
- captions that invent an object: "dog", "boy", "girl", "man", "woman" or "ball" (or their plurals)
  written for a photo without it;
- each photo's rank for its own query in a library of the open-world photos, plus (if given) the
  Flickr8k val photos, searched as the app searches (a query nothing knows ranks its photo last);
- how often the first answer shows what was asked, whichever photo it is: the photo itself, or
  another whose label words (open-world) or captions (Flickr8k, if their captions are given) use
  the query's phrase. Own-photo ranks count a castle found first among six castles, or a chicken
  of Flickr8k's first for "chickens", as misses; this says how often the answer was right;
- each photo's own-query rank among the others: not counting the photos above it that show what was
  asked (the other castles; Flickr8k's dogs, by their captions, above a dog);
- category queries ("a bird", "an animal", "a building"): each word of the concepts that covers
  several ImageNet classes and that the labels of at least three photos use, searched among the
  open-world photos alone (their labels say which show one; Flickr8k's captions do not call a dog
  "an animal"): mean average precision and precision at 10.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from photoscope.library.photos import load_photo
from photoscope.network.caption_check import DescribedCaption
from photoscope.network.encoder import ImageEncoder
from photoscope.network.model import DecodeOptions, PhotoscopeModel
from photoscope.network.naming import article
from photoscope.network.vocab import phrases, tokenize
from photoscope.search.ranking import SearchEngine, TextRanker, TextSearchOptions
from photoscope.search.vectors import VectorStore
from photoscope.training.retrieval import store_with_concepts

# The invented objects counted, each with the caption words that name it.
INVENTED: dict[str, frozenset[str]] = {
    "dog": frozenset({"dog", "dogs"}),
    "boy": frozenset({"boy", "boys"}),
    "girl": frozenset({"girl", "girls"}),
    "man": frozenset({"man", "men"}),
    "woman": frozenset({"woman", "women"}),
    "ball": frozenset({"ball", "balls"}),
}


@dataclass(frozen=True)
class OpenWorldPhoto:
    file: str
    query: str
    words: tuple[str, ...]
    present: frozenset[str]


@dataclass(frozen=True)
class CategoryResult:
    query: str  # "a bird"
    relevant: int  # photos whose labels use the word
    average_precision: float
    precision10: float


@dataclass(frozen=True)
class PhotoResult:
    photo: OpenWorldPhoto
    caption: str
    decoder_caption: str
    right_word: bool
    invented: tuple[str, ...]
    rank: int  # 0-based rank of the photo for its own query (the library's size when not found)
    concepts: list[tuple[str, float]]
    first_shows_it: bool = False  # the first answer to its query shows what it asks (module docstring)
    # The answer to its query calls itself the closest guesses (a concept word no listed photo
    # clearly shows: ``SearchEngine.unclear_concepts``), so none is a likely match.
    unsure: bool = False
    # With every photo that shows what its query asks taken out of the library, the answer to it
    # still lists likely matches: what the audit of stop 44 called dishonest ("rocket": 9 likely).
    likely_when_absent: bool = False
    # ``rank`` not counting the photos above it that also show what its query asks (the six castles
    # above a seventh, Flickr8k's dogs above a dog): the photos a user would take for wrong answers.
    rank_among_others: int = 0


def load_labels(folder: Path) -> list[OpenWorldPhoto]:
    out = []
    for entry in json.loads((folder / "labels.json").read_text(encoding="utf-8")):
        present = entry.get("present", {})
        if isinstance(present, dict):
            there = frozenset(k for k, v in present.items() if v)
        else:
            there = frozenset(present)
        out.append(
            OpenWorldPhoto(entry["file"], entry["query"], tuple(w.lower() for w in entry["words"]), there)
        )
    return out


def cached_features(
    folder: Path, photos: Sequence[OpenWorldPhoto], cache: Path, encoder: ImageEncoder | None = None
) -> np.ndarray:
    """N x 1280 float16 features of the photos as the indexer encodes them (no mirror image), by
    ``encoder`` (default: the shipped Lite0 at 224 px); ``cache`` must be that encoder's."""
    path = cache / "open-world-features.npz"
    names = [p.file for p in photos]
    if path.is_file():
        stored = np.load(path)
        if [str(n) for n in stored["files"]] == names:
            return np.asarray(stored["features"])
    encoder = encoder or ImageEncoder()
    chunks = []
    for lo in range(0, len(photos), 16):
        images = [load_photo(folder / p.file) for p in photos[lo : lo + 16]]
        chunks.append(encoder.encode_images(images).features.numpy().astype(np.float16))
    features = np.concatenate(chunks)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, files=np.asarray(names), features=features)
    return features


def right_word(caption: str, photo: OpenWorldPhoto) -> bool:
    return bool(phrases(tokenize(caption)) & set(photo.words))


def sought(query: str) -> set[str]:
    """The phrase a query asks for, without its article, in the singular and the plural ("a
    castle": castle, castles; "chickens": chickens, chicken)."""
    words = tokenize(query)
    if words and words[0] in {"a", "an", "the"}:
        words = words[1:]
    phrase = " ".join(words)
    return {phrase, phrase[:-1] if phrase.endswith("s") else phrase + "s"}


def invented(caption: str, photo: OpenWorldPhoto) -> tuple[str, ...]:
    words = set(tokenize(caption))
    return tuple(obj for obj, names in INVENTED.items() if words & names and obj not in photo.present)


LISTED = 200  # the photos an answer is judged on, as the app reads its pool (``api.scoring.POOL``)


def query_ranks(
    model: PhotoscopeModel,
    store: VectorStore,
    queries: Sequence[str],
    options: TextSearchOptions,
    showing: Sequence[Sequence[int]] = (),
    people: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bool], list[bool]]:
    """0-based rank of photo i (store row i) for query i (ties and unanswerable queries count
    against), the same rank not counting the rows above it that show what it asks (``showing[i]``),
    each query's first answer (its store row; -1 when nothing answers), whether the
    app's answer calls itself the closest guesses (judged on the photos it lists, as the app), and
    whether, with the photos that show it (``showing[i]``, store rows) taken out of the library,
    the answer still lists likely matches (it lists some and does not call them guesses).
    ``people``: per store row, whether the person probe sees people (``PhotoscopeModel.shows_people``),
    as the app reads a word that names people."""
    ranker, engine = TextRanker(model, store), SearchEngine(model, store)
    ranks, among_others, firsts, unsure, absent_likely = [], [], [], [], []

    def shows(ids: Sequence[int]) -> dict[int, bool] | None:
        return None if people is None else {i: bool(people[i]) for i in ids}

    for lo in range(0, len(queries), 50):
        chunk = list(queries[lo : lo + 50])
        scores = ranker.scores(chunk, options)
        truth = torch.arange(lo, lo + len(chunk))
        true_scores = scores.gather(1, truth.unsqueeze(1))
        ahead = (scores >= true_scores).sum(1) - 1
        ahead[~torch.isfinite(true_scores.squeeze(1))] = scores.shape[1]
        ranks.append(ahead.numpy())
        among_others.append(_ahead_of_others(ahead, scores, true_scores, showing, lo))
        best = scores.max(dim=1)
        firsts.append(torch.where(torch.isfinite(best.values), best.indices, -1).numpy())

        for i, (text, row) in enumerate(zip(chunk, scores, strict=True)):
            listed = [h.photo_id for h in store.top_k(row, LISTED)]
            unsure.append(bool(engine.unclear_concepts(text, listed, options, shows(listed))))
            if showing:
                left = [h for h in store.top_k(row, LISTED, exclude=showing[lo + i]) if np.isfinite(h.score)]
                ids = [h.photo_id for h in left]
                guesses = engine.unclear_concepts(text, ids, options, shows(ids))
                absent_likely.append(bool(left) and not guesses)
    return np.concatenate(ranks), np.concatenate(among_others), np.concatenate(firsts), unsure, absent_likely


def _ahead_of_others(
    ahead: torch.Tensor,
    scores: torch.Tensor,
    true_scores: torch.Tensor,
    showing: Sequence[Sequence[int]],
    lo: int,
) -> np.ndarray:
    """``ahead`` (a chunk of queries' ranks, its first query photo ``lo``) less the rows above each
    photo that show what its query asks; an unanswerable query keeps the library's size."""
    out = ahead.clone()
    for i in range(len(ahead)):
        also = [r for r in (showing[lo + i] if showing else ()) if r != lo + i]
        if also and torch.isfinite(true_scores[i, 0]):
            out[i] -= int((scores[i, also] >= true_scores[i, 0]).sum())
    return out.numpy()


def _shows(row: int, query: str, photos: Sequence[OpenWorldPhoto], captions: Sequence[Sequence[str]]) -> bool:
    """Whether store row ``row`` (the open-world photos, then the distractors) shows what ``query`` asks."""
    if row < 0:
        return False
    if row < len(photos):
        return bool(sought(query) & set(photos[row].words))
    extra = row - len(photos)
    return extra < len(captions) and any(sought(query) & phrases(tokenize(c)) for c in captions[extra])


def _singular_labels(photo: OpenWorldPhoto) -> set[str]:
    """A photo's label words, a plural ("birds") as its singular."""
    return {w[:-1] if w.endswith("s") else w for w in photo.words}


def category_words(photos: Sequence[OpenWorldPhoto], model: PhotoscopeModel, least: int = 3) -> list[str]:
    """The label words that name a category: concept words covering two or more classes that at
    least ``least`` photos' labels use (singular forms; a plural label counts for its singular)."""
    counts: dict[str, int] = {}
    for photo in photos:
        for word in _singular_labels(photo):
            counts[word] = counts.get(word, 0) + 1
    concepts = model.concepts
    return sorted(
        w
        for w, n in counts.items()
        if n >= least and concepts.is_concept(w) and len(concepts.classes_for(w)) >= 2
    )


def category_results(
    model: PhotoscopeModel, photos: Sequence[OpenWorldPhoto], store: VectorStore, options: TextSearchOptions
) -> list[CategoryResult]:
    """Each category word searched as "a <word>" in ``store`` (the open-world photos alone)."""
    words = category_words(photos, model)
    if not words:
        return []
    queries = [article(w) for w in words]
    scores = TextRanker(model, store).scores(queries, options).numpy()
    out = []
    for word, query, row in zip(words, queries, scores, strict=True):
        shows = np.array([word in _singular_labels(p) for p in photos])
        order = np.argsort(-row, kind="stable")
        hits = shows[order] & np.isfinite(row[order])  # a photo not listed is not found
        found = np.flatnonzero(hits)
        precision = (np.arange(len(found)) + 1) / (found + 1)
        average = float(precision.sum() / shows.sum())
        out.append(CategoryResult(query, int(shows.sum()), average, float(hits[:10].sum()) / 10))
    return out


def evaluate_open_world(
    model: PhotoscopeModel,
    photos: Sequence[OpenWorldPhoto],
    features: np.ndarray,
    distractors: np.ndarray | None = None,
    decode: DecodeOptions | None = None,
    search: TextSearchOptions | None = None,
    captions: bool = True,
    distractor_captions: Sequence[Sequence[str]] = (),
) -> tuple[dict[str, float], list[PhotoResult], list[CategoryResult]]:
    """Figures (percent of photos) and per-photo results; ``distractors`` are more photos'
    features (Flickr8k val, say) put in the search library after the open-world photos, and
    ``distractor_captions`` their captions (without them no distractor counts as showing a query)."""
    own = torch.from_numpy(features.astype(np.float32))
    with torch.inference_mode():
        latents = model.bundle.network.latent(own)
    if captions:
        described = model.describe_vectors(own, latents, decode)
    else:
        described = [DescribedCaption("", 0.0, [], "") for _ in photos]
    options = search or TextSearchOptions()
    alone = store_with_concepts(model, own, latents)
    store = _with_distractors(model, alone, own, latents, distractors)
    rows = range(len(store))
    showing = [[r for r in rows if _shows(r, p.query, photos, distractor_captions)] for p in photos]
    every = features if distractors is None else np.concatenate([features, distractors])
    people = model.shows_people(every.astype(np.float32))
    queries = [p.query for p in photos]
    ranks, others, firsts, unsure, absent = query_ranks(model, store, queries, options, showing, people)
    categories = category_results(model, photos, alone, options)
    results = [
        PhotoResult(
            p,
            d.text,
            d.decoder_text,
            right_word(d.text, p),
            invented(d.text, p),
            int(r),
            d.concepts,
            int(first) == i or _shows(int(first), p.query, photos, distractor_captions),
            unsure[i],
            absent[i],
            int(others[i]),
        )
        for i, (p, d, r, first) in enumerate(zip(photos, described, ranks, firsts, strict=True))
    ]
    return _figures(results, len(store), categories), results, categories


def _with_distractors(
    model: PhotoscopeModel,
    alone: VectorStore,
    own: torch.Tensor,
    latents: torch.Tensor,
    distractors: np.ndarray | None,
) -> VectorStore:
    """The search library: the open-world photos' vectors (``alone``), then the distractors'."""
    if distractors is None or not len(distractors):
        return alone
    extra = torch.from_numpy(distractors.astype(np.float32))
    with torch.inference_mode():
        extra_latents = model.bundle.network.latent(extra)
    return store_with_concepts(model, torch.cat([own, extra]), torch.cat([latents, extra_latents]))


def _figures(
    results: Sequence[PhotoResult], library: int, categories: Sequence[CategoryResult]
) -> dict[str, float]:
    """The evaluation's figures: percent of photos, and the category queries' mean AP and P@10."""
    n = max(1, len(results))
    return {
        "photos": float(len(results)),
        "library": float(library),
        "right_word": 100 * sum(r.right_word for r in results) / n,
        "invented": 100 * sum(bool(r.invented) for r in results) / n,
        "top1": 100 * sum(r.rank < 1 for r in results) / n,
        "top10": 100 * sum(r.rank < 10 for r in results) / n,
        "first_shows_it": 100 * sum(r.first_shows_it for r in results) / n,
        "top1_among_others": 100 * sum(r.rank_among_others < 1 for r in results) / n,
        "top10_among_others": 100 * sum(r.rank_among_others < 10 for r in results) / n,
        "unsure": 100 * sum(r.unsure for r in results) / n,
        "unsure_top10": 100 * sum(r.unsure and r.rank < 10 for r in results) / n,
        "unsure_first": 100 * sum(r.unsure and r.rank < 1 for r in results) / n,
        "likely_when_absent": 100 * sum(r.likely_when_absent for r in results) / n,
        "categories": float(len(categories)),
        "category_map": 100 * float(np.mean([c.average_precision for c in categories] or [0.0])),
        "category_p10": 100 * float(np.mean([c.precision10 for c in categories] or [0.0])),
    }
