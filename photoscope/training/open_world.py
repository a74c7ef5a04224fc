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
  of Flickr8k's first for "chickens", as misses; this says how often the answer was right.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from photoscope.library.photos import load_photo
from photoscope.network.encoder import ImageEncoder
from photoscope.network.model import DecodeOptions, DescribedCaption, PhotoscopeModel
from photoscope.network.vocab import tokenize
from photoscope.search.ranking import TextRanker, TextSearchOptions
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
class PhotoResult:
    photo: OpenWorldPhoto
    caption: str
    decoder_caption: str
    right_word: bool
    invented: tuple[str, ...]
    rank: int  # 0-based rank of the photo for its own query (the library's size when not found)
    concepts: list[tuple[str, float]]
    first_shows_it: bool = False  # the first answer to its query shows what it asks (module docstring)


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


def phrases(words: Sequence[str]) -> set[str]:
    return {" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}


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


def query_ranks(
    model: PhotoscopeModel, store: VectorStore, queries: Sequence[str], options: TextSearchOptions
) -> tuple[np.ndarray, np.ndarray]:
    """0-based rank of photo i (store row i) for query i (ties and unanswerable queries count
    against), and each query's first answer (its store row; -1 when nothing answers)."""
    ranker = TextRanker(model, store)
    ranks, firsts = [], []
    for lo in range(0, len(queries), 50):
        chunk = list(queries[lo : lo + 50])
        scores = ranker.scores(chunk, options)
        truth = torch.arange(lo, lo + len(chunk))
        true_scores = scores.gather(1, truth.unsqueeze(1))
        ahead = (scores >= true_scores).sum(1) - 1
        ahead[~torch.isfinite(true_scores.squeeze(1))] = scores.shape[1]
        ranks.append(ahead.numpy())
        best = scores.max(dim=1)
        firsts.append(torch.where(torch.isfinite(best.values), best.indices, -1).numpy())
    return np.concatenate(ranks), np.concatenate(firsts)


def _shows(row: int, query: str, photos: Sequence[OpenWorldPhoto], captions: Sequence[Sequence[str]]) -> bool:
    """Whether store row ``row`` (the open-world photos, then the distractors) shows what ``query`` asks."""
    if row < 0:
        return False
    if row < len(photos):
        return bool(sought(query) & set(photos[row].words))
    extra = row - len(photos)
    return extra < len(captions) and any(sought(query) & phrases(tokenize(c)) for c in captions[extra])


def evaluate_open_world(
    model: PhotoscopeModel,
    photos: Sequence[OpenWorldPhoto],
    features: np.ndarray,
    distractors: np.ndarray | None = None,
    decode: DecodeOptions | None = None,
    search: TextSearchOptions | None = None,
    captions: bool = True,
    distractor_captions: Sequence[Sequence[str]] = (),
) -> tuple[dict[str, float], list[PhotoResult]]:
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
    all_features = own
    all_latents = latents
    if distractors is not None and len(distractors):
        extra = torch.from_numpy(distractors.astype(np.float32))
        with torch.inference_mode():
            all_latents = torch.cat([latents, model.bundle.network.latent(extra)])
        all_features = torch.cat([own, extra])
    store = store_with_concepts(model, all_features, all_latents)
    ranks, firsts = query_ranks(model, store, [p.query for p in photos], search or TextSearchOptions())
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
        )
        for i, (p, d, r, first) in enumerate(zip(photos, described, ranks, firsts, strict=True))
    ]
    n = max(1, len(results))
    metrics = {
        "photos": float(len(results)),
        "library": float(len(store)),
        "right_word": 100 * sum(r.right_word for r in results) / n,
        "invented": 100 * sum(bool(r.invented) for r in results) / n,
        "top1": 100 * sum(r.rank < 1 for r in results) / n,
        "top10": 100 * sum(r.rank < 10 for r in results) / n,
        "first_shows_it": 100 * sum(r.first_shows_it for r in results) / n,
    }
    return metrics, results
