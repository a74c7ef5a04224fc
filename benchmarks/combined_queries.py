"""Combined queries on Flickr8k val: precision@10 of combined search against plain search.

    python benchmarks/combined_queries.py --data ../shared/datasets/flickr8k [--per-type 300]
    python benchmarks/combined_queries.py --data ../shared/datasets/flickr8k --per-type 200 --defaults
    python benchmarks/combined_queries.py --data ../shared/datasets/flickr8k --per-type 200 --defaults --words
    python benchmarks/combined_queries.py --latency [--sizes 10000 100000]
    python benchmarks/combined_queries.py --data ../shared/datasets/flickr8k --path-words --per-type 120

The README's figures: ``--per-type 200`` (about 50 minutes on a loaded 2-core machine).

The library is the split's photos (latent and feature of each photo as the indexer stores them);
words are lowercase ``[a-z]+`` tokens of the reference captions, plurals folded to the singular
("dogs" -> "dog"), kept if the network knows them and they are content words: those that follow
a determiner or a number at least a quarter of the time ("a dog", "the water"; not "across").
A photo *has* a word if any of its five captions has it, and it is *about* a word if three or
more do. Queries, drawn with a fixed seed:

- photo + word: a photo P about a word A, plus a word W none of P's captions has; relevant: the
  other photos that have both A and W. Plain search: P alone (by example), and W alone (text).
- text - word: text A minus a word N that at least a quarter of A's photos also have; relevant:
  photos that have A and not N. Plain search: A alone.
- photo - word: P (about A and about N) minus N; relevant: other photos with A and without N.
  Plain search: P alone.
- word + word: A + W; relevant: photos with both. Plain search: the text "A W".

Each query needs at least 5 relevant photos. The query photo never counts (the app leaves it out).
Weights are swept on the even-numbered queries of each type and reported on the odd ones, so the
figures are not tuned on the queries they are reported on. Latent arithmetic (sum of unit latents,
photos by their own latent) and score sums (z-scored cosines, photos by their features) are
both measured, with and without the likelihood re-rank; the app's defaults are printed last, and
again with each taken-away word's latent the text encoder's guess alone instead of inverted
(``CombineOptions(invert_negatives=False)``: less time, see ``benchmarks/search.py --terms``).
``--defaults`` prints only the plain searches and those two (a minute instead of most of an hour:
no sweep), and the app's defaults without the text terms' concept evidence.

The library's photos carry the encoder head's top classes as the app stores them, so plain text
search and the combined terms' concept words ("dog", "ball") use the head as in the app.
``--concepts`` sweeps the concept weights of added and taken-away text terms
(``CombineOptions.concepts``, ``negative_concepts``) on the even queries: the best per kind, and one
pair for all kinds (the best summed over the kinds' tuning halves, what the app ships), each shown
on the odd queries.

Combined queries also bring the word detectors (``photoscope.network.word_probes``: one probe per
caption word on the photo's feature, trained on Flickr8k train with this benchmark's word rule);
"app defaults, no word detectors" is the app without them. ``--words`` sweeps their weights
(``CombineOptions.words``, ``negative_words``, ``photo_words``) on the even queries: the triple best
summed over the kinds' tuning halves (what the app ships), shown on the odd queries.

``--photo-word-all`` measures photo + word on every such query of val instead of 100: each photo
about a common word with its drawn anchor A and word W, for ``--seeds`` seeds (another A and W
each), duplicates once; the gain over the better plain search with a 95 % bootstrap interval over
the queries, and a small grid of the photo terms' detector options (``photo_words``,
``photo_word_count``) on the app's other defaults. On the 100 shown queries of ``--per-type 200``
the figure moves by points with the sample (before plain text search had the detectors, the even
half gave +11.3 where the odd half, the one reported, gave +9.6). On 3,531 queries (4 seeds; about
a minute) the app's defaults give +7.7, 95 % interval +7.2 to +8.3 (plain: the word alone 9.2, with
plain search's own detectors; the photo alone 4.0; app 16.9, 9.9 without the detectors; the photo
term's three likeliest words of any kind, the defaults before 2026-12-01, gave +6.7). The grid
prints each cell's gain on the even and the odd queries too: choose on one half, read the other.

``--latency`` is ``benchmarks/search.py --terms``: three-term queries against one text query.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np
import torch
import torch.nn.functional as F

from photoscope.config import cache_dir
from photoscope.network import PhotoscopeModel
from photoscope.network.word_probes import caption_words  # the detectors' word rule: the words queried
from photoscope.search.combine import (
    CombineOptions,
    Term,
    add_concepts,
    add_words,
    alone_weight,
    combine_latents,
    combine_scores,
    concepts_only,
    head_words,
    signed_weights,
    text_detectors,
    uses_words,
    word_rows,
)
from photoscope.search.ranking import TextRanker, TextSearchOptions, rescore_top
from photoscope.search.vectors import VectorStore
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset
from photoscope.training.retrieval import store_with_concepts

MIN_RELEVANT = 5
K = 10


@dataclass(frozen=True)
class Query:
    kind: str
    texts: tuple[str, ...]  # text terms
    photo: int | None  # photo term (row of the store), also left out of the results
    negative: str | None  # the negative word (the last term)
    relevant: frozenset[int]
    plain: tuple[str, ...]  # plain search baselines: "photo" or a text


# --- building the queries ----------------------------------------------------------------------------


def build_queries(has: list[set[str]], about: list[set[str]], per_type: int, seed: int = 0) -> list[Query]:
    rng = np.random.default_rng(seed)
    photos_with: dict[str, set[int]] = defaultdict(set)
    for i, photo_words in enumerate(has):
        for w in photo_words:
            photos_with[w].add(i)
    common = sorted(w for w, p in photos_with.items() if len(p) >= 15)
    queries: list[Query] = []

    def pick(options: list[Query]) -> list[Query]:
        order = rng.permutation(len(options))[:per_type]
        return [options[i] for i in sorted(order)]

    photo_word, photo_minus = [], []
    for p in range(len(has)):
        anchors = sorted(w for w in about[p] if w in common)
        if not anchors:
            continue
        a = anchors[rng.integers(len(anchors))]
        words = [
            w
            for w in common
            if w not in has[p] and len(photos_with[a] & photos_with[w] - {p}) >= MIN_RELEVANT
        ]
        if words:
            w = words[rng.integers(len(words))]
            rel = frozenset(photos_with[a] & photos_with[w] - {p})
            photo_word.append(Query("photo + word", (w,), p, None, rel, ("photo", w)))
        others = [n for n in anchors if n != a and len(photos_with[a] - photos_with[n] - {p}) >= MIN_RELEVANT]
        if others:
            n = others[rng.integers(len(others))]
            rel = frozenset(photos_with[a] - photos_with[n] - {p})
            photo_minus.append(Query("photo - word", (), p, n, rel, ("photo",)))
    text_minus, word_word = [], []
    for a, n in itertools.permutations([w for w in common if len(photos_with[w]) >= 30], 2):
        both = photos_with[a] & photos_with[n]
        if len(both) >= 0.25 * len(photos_with[a]) and len(photos_with[a] - both) >= MIN_RELEVANT:
            text_minus.append(Query("text - word", (a,), None, n, frozenset(photos_with[a] - both), (a,)))
        if a < n and len(both) >= MIN_RELEVANT:
            word_word.append(Query("word + word", (a, n), None, None, frozenset(both), (f"{a} {n}",)))
    for group in (photo_word, text_minus, photo_minus, word_word):
        queries += pick(group)
    return queries


# --- scoring -----------------------------------------------------------------------------------------


class Scorer:
    """Score rows of every text and photo the queries use, computed once; then any combination."""

    def __init__(
        self,
        model: PhotoscopeModel,
        store: VectorStore,
        queries: list[Query],
        raw: torch.Tensor | None = None,
    ) -> None:
        """``raw``: the photos' features as the encoder gave them, for the photo terms (the app's
        are: ``search.combine.library_photo_term``); None: the store's unit-length ones."""
        self.model, self.store = model, store
        texts = sorted({t for q in queries for t in (*q.texts, *([q.negative] if q.negative else []))})
        plain = sorted({t for q in queries for t in q.plain if t != "photo"})
        ranker, options = TextRanker(model, store), TextSearchOptions()
        started = time.perf_counter()
        self.latent = dict(zip(texts, ranker.latents(texts, options), strict=True))
        self.cos = dict(
            zip(texts, store.scores(torch.stack(list(self.latent.values())), "latent"), strict=True)
        )
        # The text encoder's guess alone: what a taken-away text is ranked by unless inverted.
        self.guess = dict(zip(texts, model.encode_text(texts), strict=True))
        self.guess_cos = dict(
            zip(texts, store.scores(torch.stack(list(self.guess.values())), "latent"), strict=True)
        )
        # Each text's concept row as plain search weighs it, and whether only the concepts know it.
        words = {t: model.query_words(t) for t in texts}
        rows = ranker.concept_scores([words[t] for t in texts], options)
        self.concept = dict(zip(texts, rows, strict=True))
        self.only = {t: concepts_only(words[t]) for t in texts}
        self.alone = {t: alone_weight(words[t], options) for t in texts}
        self.shipped: dict[str, torch.Tensor] = {}
        for lo in range(0, len(plain), 100):
            chunk = plain[lo : lo + 100]
            self.shipped.update(zip(chunk, ranker.scores(chunk, options), strict=True))
        self.raw = store.raw_latents(torch.arange(len(store)))
        self.log_p: dict[str, torch.Tensor] = {}  # per-word log p, filled for the candidates asked
        self.features = store.vectors("feature").float()
        self.raw_features = self.features if raw is None else raw
        self.latents = store.vectors("latent")
        self.detector_rows: dict[tuple[Query, int, bool, bool], torch.Tensor] = {}
        self.without_words: dict[tuple[Query, CombineOptions], torch.Tensor] = {}
        print(
            f"term rows for {len(texts)} words, {len(plain)} plain texts:"
            f" {time.perf_counter() - started:.0f} s"
        )

    def text_log_p(self, text: str, rows: torch.Tensor) -> torch.Tensor:
        """Per-word log p(text | photo) for store rows, computed once per (text, photo)."""
        known = self.log_p.setdefault(text, torch.full((len(self.raw),), float("nan")))
        missing = rows[torch.isnan(known[rows])]
        if len(missing):
            known[missing] = self.model.text_log_prob(self.raw[missing], [text])[0]
        return known[rows]

    def word_rows(self, q: Query, terms: list[Term], o: CombineOptions) -> torch.Tensor:
        """The terms' detector rows (as ``CombinedRanker`` makes them), once per query."""
        key = (q, o.photo_word_count, o.negative_kin, o.animals_by_head)
        if key not in self.detector_rows:
            words = [None if t.text is None else self.model.query_words(t.text) for t in terms]
            every = torch.arange(len(self.store))
            texts = text_detectors(self.model, terms, words, o)
            head = head_words(self.model, self.store, texts, every, o)  # as CombinedRanker
            self.detector_rows[key] = word_rows(
                self.model, self.features, terms, words, o, photos=None, head=head, texts=texts
            )
        return self.detector_rows[key]

    def plain(self, q: Query, what: str) -> torch.Tensor:
        if what == "photo":
            assert q.photo is not None
            return torch.mv(self.features, self.features[q.photo])
        return self.shipped[what].clone()

    def terms(self, q: Query) -> list[Term]:
        terms = [Term(text=t) for t in q.texts]
        if q.photo is not None:
            terms.insert(0, Term(feature=self.raw_features[q.photo], latent=self.latents[q.photo]))
        if q.negative is not None:
            terms.append(Term(text=q.negative, negative=True))
        return terms

    def combined(self, q: Query, o: CombineOptions) -> torch.Tensor:
        terms = self.terms(q)
        weights = signed_weights(terms, o)
        if o.rerank == 0 and uses_words(o):
            # The detectors come last (no re-rank after them): their sweep adds rows to scores
            # computed once, as CombinedRanker adds them to the same scores.
            bare = replace(o, words=0.0, negative_words=0.0, photo_words=0.0)
            if (q, bare) not in self.without_words:
                self.without_words[q, bare] = self.combined(q, bare)
            return add_words(self.without_words[q, bare], self.word_rows(q, terms, o), terms, weights, o)
        only = [bool(t.text and self.only[t.text]) for t in terms]
        summed = weights.masked_fill(torch.tensor(only), 0.0)  # concept-only texts: no latent (app)
        guessed = not o.invert_negatives and o.text.method != "plain"  # as CombinedRanker does
        latent = {True: self.guess, False: self.latent}
        cos = {True: self.guess_cos, False: self.cos}
        if o.method == "latent":
            rows = [
                latent[guessed and t.negative][t.text] if t.text else self.latents[q.photo] for t in terms
            ]
            # the cosine to the sum, as the store scores it (the scale counts beside the concepts)
            scores = self.latents @ F.normalize(combine_latents(torch.stack(rows), summed), dim=0)
        else:
            rows = [cos[guessed and t.negative][t.text] if t.text else self.plain(q, "photo") for t in terms]
            scores = combine_scores(torch.stack(rows), summed)
        concept_rows = torch.stack(
            [self.concept[t.text] if t.text else torch.zeros(len(self.raw)) for t in terms]
        )
        alone = [self.alone[t.text] if t.text else 0.0 for t in terms]
        scores = add_concepts(scores, concept_rows, terms, weights, alone, o)
        if uses_words(o):  # with a re-rank: the words before it, as in CombinedRanker
            scores = add_words(scores, self.word_rows(q, terms, o), terms, weights, o)
        if o.rerank > 0 and q.texts:
            top, idx = scores.topk(o.rerank)
            per_word = torch.stack([self.text_log_p(t, idx) for t in q.texts]).mean(0)
            scores = rescore_top(scores[None], top[None], idx[None], per_word[None], o.rerank_weight)[0]
        return scores


def precision(scores: torch.Tensor, q: Query) -> float:
    if q.photo is not None:
        scores = scores.clone()
        scores[q.photo] = float("-inf")
    top = scores.topk(K).indices.tolist()
    return sum(i in q.relevant for i in top) / K


def mean_precision(queries: list[Query], score: object) -> float:
    return 100 * statistics.fmean(precision(score(q), q) for q in queries)  # type: ignore[operator]


def encoded_split(
    args: argparse.Namespace,
) -> tuple[CaptionDataset, list[str], PhotoscopeModel, np.ndarray, torch.Tensor]:
    """The split's photos as the app indexes them: features (cached, no mirror view) and latents."""
    data = CaptionDataset.load(args.data)
    names = data.split(args.split)
    model = PhotoscopeModel(args.model)
    key = hashlib.sha1(str(data.root.resolve()).encode()).hexdigest()[:10]
    features = cached_features(names, data.root / "images", cache_dir() / "datasets" / key)[:, 0]
    with torch.inference_mode():
        latents = model.bundle.network.latent(torch.from_numpy(features.astype("float32")))
    return data, list(names), model, features, latents


def evaluate(args: argparse.Namespace) -> None:
    data, names, model, features, latents = encoded_split(args)
    store = store_with_concepts(model, torch.from_numpy(features.astype("float32")), latents)
    known = {w for w in model.bundle.vocab.words}
    has, about = caption_words([data.captions[n] for n in names], known)
    queries = build_queries(has, about, args.per_type)
    scorer = Scorer(model, store, queries, torch.from_numpy(features.astype("float32")))
    kinds = list(dict.fromkeys(q.kind for q in queries))
    print(
        f"model {model.version}, {args.split}: {len(names)} photos;"
        f" precision@{K} (%), tuned on even queries, shown on odd"
    )
    grid = [
        CombineOptions(method=m, photo_weight=pw, negative_weight=nw, rerank=r, rerank_weight=rw)
        for m in ("latent", "scores")
        for pw in (0.5, 1.0, 2.0)
        for nw in (0.25, 0.5, 1.0)
        for r, rw in ((0, 0.0), (50, 1.0), (50, 4.0))
    ]
    methods = (("latent", False), ("latent", True), ("scores", False), ("scores", True))
    for kind in kinds:
        qs = [q for q in queries if q.kind == kind]
        tune, test = qs[0::2], qs[1::2]
        chance = 100 * statistics.fmean(len(q.relevant) / len(names) for q in test)
        print(
            f"\n{kind}: {len(qs)} queries ({len(test)} shown),"
            f" e.g. {_example(qs[0], names)}; chance {chance:.1f}"
        )
        for i, what in enumerate(test[0].plain):
            label = "photo alone" if what == "photo" else ("text alone" if i == 0 else "word alone")
            if kind == "word + word":
                label = 'text "A W"'
            print(
                f"  plain: {label:24s}"
                f" {mean_precision(test, lambda q, i=i: scorer.plain(q, q.plain[i])):5.1f}"
            )
        for method, rerank in () if args.defaults else methods:
            options = [o for o in grid if o.method == method and (o.rerank > 0) == rerank]
            if kind in ("photo + word", "word + word"):  # no negatives: one negative weight is enough
                options = [o for o in options if o.negative_weight == 0.5]
            if kind in ("text - word", "word + word"):  # no photos
                options = [o for o in options if o.photo_weight == 1.0]
            best = max(options, key=lambda o: mean_precision(tune, lambda q, o=o: scorer.combined(q, o)))
            shown = mean_precision(test, lambda q, best=best: scorer.combined(q, best))
            print(
                f"  {method} sum{' + re-rank' if rerank else '':11s} {shown:5.1f}  "
                f"(photo weight {best.photo_weight}, negative weight {best.negative_weight}, "
                f"re-rank weight {best.rerank_weight})"
            )
        shown = mean_precision(test, lambda q: scorer.combined(q, CombineOptions()))
        print(f"  {'app defaults':31s} {shown:5.1f}")
        bare = CombineOptions(concepts=0.0, negative_concepts=0.0)
        shown = mean_precision(test, lambda q, o=bare: scorer.combined(q, o))
        print(f"  {'app defaults, no concepts':31s} {shown:5.1f}")
        bare = CombineOptions(words=0.0, negative_words=0.0, photo_words=0.0)
        shown = mean_precision(test, lambda q, o=bare: scorer.combined(q, o))
        print(f"  {'app defaults, no word detectors':31s} {shown:5.1f}")
        bare = CombineOptions(animals_by_head=False)
        shown = mean_precision(test, lambda q, o=bare: scorer.combined(q, o))
        print(f"  {'app defaults, animals by detectors':31s} {shown:5.1f}")
        if any(q.negative for q in test):
            guessed = CombineOptions(invert_negatives=False)
            shown = mean_precision(test, lambda q, o=guessed: scorer.combined(q, o))
            print(f"  {'app defaults, taken-away guessed':31s} {shown:5.1f}")
    if args.concepts:
        concept_sweep(scorer, queries)
    if args.words:
        words_sweep(scorer, queries)


WORD_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)
NEGATIVE_WORD_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)
PHOTO_WORD_COUNTS = (1, 3, 5)
PHOTO_WEIGHTS = (0.5, 1.0)


def words_sweep(scorer: Scorer, queries: list[Query]) -> None:
    """The word detectors' weights (added texts, taken-away texts, photos), how many of a photo's
    words count and the photo terms' weight, on the app's other defaults: the options best summed
    over the kinds' tuning halves, shown on the other halves."""
    kinds = list(dict.fromkeys(q.kind for q in queries))
    grid = [
        CombineOptions(words=w, negative_words=n, photo_words=p, photo_word_count=c, photo_weight=pw)
        for w in WORD_WEIGHTS
        for n in NEGATIVE_WORD_WEIGHTS
        for p in WORD_WEIGHTS
        for c in PHOTO_WORD_COUNTS
        for pw in PHOTO_WEIGHTS
    ]
    print(
        f"\nword detector weights (added {WORD_WEIGHTS}, taken away {NEGATIVE_WORD_WEIGHTS}, photos"
        f" {WORD_WEIGHTS}), a photo's words {PHOTO_WORD_COUNTS}, photo weight {PHOTO_WEIGHTS};"
        " tuned on even, shown on odd"
    )
    tuned = {}
    for kind in kinds:
        tune = [q for q in queries if q.kind == kind][0::2]
        tuned[kind] = {o: mean_precision(tune, lambda q, o=o: scorer.combined(q, o)) for o in grid}
    best = max(
        grid, key=lambda o: (sum(t[o] for t in tuned.values()), -o.words, -o.negative_words, -o.photo_words)
    )
    print(
        f"  best summed on the tuning halves: ({best.words}, {best.negative_words}, {best.photo_words}),"
        f" {best.photo_word_count} words a photo, photo weight {best.photo_weight}"
    )
    for kind in kinds:
        test = [q for q in queries if q.kind == kind][1::2]
        shown = mean_precision(test, lambda q, o=best: scorer.combined(q, o))
        print(f"    {kind:14s} {shown:5.1f}  (tuning half {tuned[kind][best]:5.1f})")


CONCEPT_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


def concept_sweep(scorer: Scorer, queries: list[Query]) -> None:
    """The concept weights of added and taken-away text terms, on the app's other defaults."""
    kinds = list(dict.fromkeys(q.kind for q in queries))
    grid = [CombineOptions(concepts=c, negative_concepts=n) for c in CONCEPT_WEIGHTS for n in CONCEPT_WEIGHTS]
    tuned: dict[str, dict[CombineOptions, float]] = {}
    print(f"\nconcept weights (added, taken away) swept over {CONCEPT_WEIGHTS}; tuned on even, shown on odd")
    for kind in kinds:
        qs = [q for q in queries if q.kind == kind]
        tune, test = qs[0::2], qs[1::2]
        tuned[kind] = {o: mean_precision(tune, lambda q, o=o: scorer.combined(q, o)) for o in grid}
        best = max(grid, key=lambda o: (tuned[kind][o], -o.concepts, -o.negative_concepts))
        none = CombineOptions(concepts=0.0, negative_concepts=0.0)
        shown = mean_precision(test, lambda q, o=best: scorer.combined(q, o))
        without = mean_precision(test, lambda q, o=none: scorer.combined(q, o))
        print(
            f"  {kind:14s} best ({best.concepts}, {best.negative_concepts}): {shown:5.1f}"
            f"  (tuning half {tuned[kind][best]:5.1f}; without concepts {without:5.1f})"
        )
    overall = max(grid, key=lambda o: (sum(t[o] for t in tuned.values()), -o.concepts, -o.negative_concepts))
    pair = f"({overall.concepts}, {overall.negative_concepts})"
    print(f"  one pair for all kinds, best summed on the tuning halves: {pair}")
    for kind in kinds:
        test = [q for q in queries if q.kind == kind][1::2]
        shown = mean_precision(test, lambda q, o=overall: scorer.combined(q, o))
        print(f"    {kind:14s} {shown:5.1f}")


def _example(q: Query, names: list[str]) -> str:
    parts = ([f"photo {names[q.photo]}"] if q.photo is not None else []) + [f'"{t}"' for t in q.texts]
    return " + ".join(parts) + (f' - "{q.negative}"' if q.negative else "") + f" ({len(q.relevant)} relevant)"


PHOTO_WORD_GRID = ((3, 5, 8, 12), (1.0, 2.0, 3.0))  # photo_word_count, photo_words


def photo_word_all(args: argparse.Namespace) -> None:
    """Photo + word on every query the rule draws for ``--seeds`` seeds (module docstring)."""
    data, names, model, features, latents = encoded_split(args)
    store = store_with_concepts(model, torch.from_numpy(features.astype("float32")), latents)
    has, about = caption_words([data.captions[n] for n in names], {w for w in model.bundle.vocab.words})
    drawn = (q for seed in range(args.seeds) for q in build_queries(has, about, len(names), seed))
    queries = list(dict.fromkeys(q for q in drawn if q.kind == "photo + word"))
    scorer = Scorer(model, store, queries, torch.from_numpy(features.astype("float32")))

    def per_query(score: object) -> np.ndarray:
        return 100 * np.array([precision(score(q), q) for q in queries])  # type: ignore[operator]

    word = per_query(lambda q: scorer.plain(q, q.texts[0]))
    photo = per_query(lambda q: scorer.plain(q, "photo"))
    plain = word if word.mean() >= photo.mean() else photo
    print(
        f"photo + word, {len(queries)} queries ({args.seeds} seeds), precision@{K} (%):"
        f" plain: the word alone {word.mean():.1f}, the photo alone {photo.mean():.1f}"
    )
    rng = np.random.default_rng(0)

    even = np.arange(len(queries)) % 2 == 0

    def shown(label: str, o: CombineOptions) -> None:
        gain = per_query(lambda q: scorer.combined(q, o)) - plain
        boots = [gain[rng.integers(len(gain), size=len(gain))].mean() for _ in range(1000)]
        low, high = np.percentile(boots, [2.5, 97.5])
        app = gain.mean() + plain.mean()
        halves = f"even / odd queries {gain[even].mean():+.2f} / {gain[~even].mean():+.2f}"
        print(f"  {label:36s} {app:5.1f}  gain {gain.mean():+.1f} [{low:+.1f}, {high:+.1f}]  {halves}")

    shown("app defaults", CombineOptions())
    shown("app defaults, no word detectors", CombineOptions(words=0.0, negative_words=0.0, photo_words=0.0))
    counts, weights = PHOTO_WORD_GRID
    for c, w in itertools.product(counts, weights):
        shown(f"photo's {c} words, weight {w}", CombineOptions(photo_word_count=c, photo_words=w))


# --- path words --------------------------------------------------------------------------------------

FOLDER_WORDS = ("paris", "wedding", "holiday", "grandma", "2019", "birthday", "camping", "office")


def path_words_sweep(args: argparse.Namespace) -> None:
    """The path bonus on a library of the split's photos filed at random in folders named by words.

    Queries are "A F": a caption word A (in 30+ photos) and a folder word F; relevant are the
    photos in F that have A. Plain search ranks by the text alone (the folder word unknown or
    meaningless to the network); the app adds ``PATH_BONUS`` x the share of the query's words
    in the photo's path. Also shown: how many of the 10 best have A (content kept)."""
    import tempfile

    from photoscope.library.db import Library
    from photoscope.library.records import IndexedPhoto, NewFile
    from photoscope.search import path_words

    data, names, model, features, latents = encoded_split(args)
    rng = np.random.default_rng(0)
    folder_of = rng.integers(len(FOLDER_WORDS), size=len(names))
    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "library.db") as library:
        root = Path(tmp) / "Pictures"
        root.mkdir()
        folder = library.add_folder(root)
        new = [
            NewFile(folder.id, str(root / f"{FOLDER_WORDS[f]} trip" / n), 1, 0.0, None)
            for n, f in zip(names, folder_of, strict=True)
        ]
        ids = library.add_photos(new)
        library.write_results(
            [
                IndexedPhoto(i, 1, 0.0, 1, 1, None, None, "", 0.0, [], latents[r].numpy(), features[r], "v")
                for r, i in enumerate(ids)
            ]
        )
        store = VectorStore(latents.shape[1])
        store.upsert(ids, latents, features)
        known = set(model.bundle.vocab.words)
        has, _ = caption_words([data.captions[n] for n in names], known)
        common = sorted({w for h in has for w in h if sum(w in x for x in has) >= 30})
        pairs = [(a, f) for a in common for f in range(len(FOLDER_WORDS))]
        pick = sorted(rng.permutation(len(pairs))[: args.per_type])
        queries = [pairs[i] for i in pick]
        texts = [f"{a} {FOLDER_WORDS[f]}" for a, f in queries]
        found = [
            path_words.path_matches(library, t, [folder.path], path_words.name_rule(model)) for t in texts
        ]
        matches = [f.shares for f in found]
        # What the app gives the network: the query without the words that only name folders.
        stripped = [
            path_words.network_text(t, set(model.unknown_words(t)), named)
            for t, named in zip(texts, [f.named for f in found], strict=True)
        ]
        ranker, row_ids = TextRanker(model, store), store.ids
        print(f"{len(texts)} queries 'A F' on {len(names)} photos in {len(FOLDER_WORDS)} folders")
        for label, given in (("whole query to the network", texts), ("folder-only words left out", stripped)):
            scores: list[torch.Tensor] = []
            for lo in range(0, len(given), 50):
                scores += list(ranker.scores(given[lo : lo + 50], TextSearchOptions()))
            print(f" {label}:")
            variants = [(f"bonus {b:4.2f}", b, 0) for b in (0.0, 0.1, 0.3, 1.0, 2.0)]
            variants += [
                (f"named first among the best {n}", path_words.PATH_BONUS, n) for n in (20, 50, 100, 200)
            ]
            for name, bonus, within in variants:
                both, content = [], []
                by_names = [x.by_names for x in found]
                for (a, f), row, m, names in zip(queries, scores, matches, by_names, strict=True):
                    lifted = path_words.lift_named(row.numpy(), row_ids, m, bonus, within, names)[0]
                    top = torch.from_numpy(lifted).topk(K).indices.tolist()
                    both.append(sum(a in has[r] and folder_of[r] == f for r in top) / K)
                    content.append(sum(a in has[r] for r in top) / K)
                print(
                    f"  {name:32s} P@10 (A and in F) {100 * statistics.fmean(both):5.1f}"
                    f"   P@10 (A) {100 * statistics.fmean(content):5.1f}"
                )


# --- latency -----------------------------------------------------------------------------------------


def latency(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from search import terms_latency  # benchmarks/search.py

    terms_latency(PhotoscopeModel(args.model), args.sizes, args.queries)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path)
    parser.add_argument("--split", default="val")
    parser.add_argument("--per-type", type=int, default=300)
    parser.add_argument("--model")
    parser.add_argument("--latency", action="store_true")
    parser.add_argument("--defaults", action="store_true", help="plain search and the app's defaults only")
    parser.add_argument("--path-words", action="store_true", help="sweep the path-word bonus instead")
    parser.add_argument(
        "--concepts", action="store_true", help="also sweep the text terms' concept weights (with --defaults)"
    )
    parser.add_argument(
        "--words", action="store_true", help="also sweep the word detectors' weights (with --defaults)"
    )
    parser.add_argument(
        "--photo-word-all", action="store_true", help="photo + word on every query of --seeds seeds"
    )
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=15)
    args = parser.parse_args()
    if args.latency:
        latency(args)
    elif args.path_words and args.data is not None:
        path_words_sweep(args)
    elif args.photo_word_all and args.data is not None:
        photo_word_all(args)
    elif args.data is None:
        parser.error("--data is needed (or --latency)")
    else:
        evaluate(args)


if __name__ == "__main__":
    main()
