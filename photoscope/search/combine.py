"""Combined queries: weighted terms, each a text or a photo, each positive or negative.

"this photo, but at night" is a photo term plus a text term; "a dog on the beach - people" a text
term minus another. A text's latent is the one plain text search ranks by (the text encoder's
guess refined by inversion), a photo's its own latent (the projection of its encoder feature).

Two ways to combine, both kept and measured (``benchmarks/combined_queries.py``):

- ``latent`` (the default): the weighted sum of the terms' unit latents, negatives times
  ``negative_weight``, photos times ``photo_weight``; photos are ranked by cosine to it.
- ``scores``: each term scores every photo in its own space (texts by latent cosine, photos by
  encoder-feature cosine, as search by example), the rows are standardised over the library
  (z-scores: the spaces' cosines differ in scale) and summed with the same signed weights.

Either may then re-score its best ``rerank`` photos by the positive texts' caption likelihood.

Text terms also bring the encoder head's evidence, as plain text search does (``TextRanker``): a
term's concept words ("dog", "espresso") score each photo by log(floor + p(photo shows it)), and
that row is added with the term's signed weight times ``concepts`` (added terms) or
``negative_concepts`` (taken-away ones): an added "dog" lifts the photos the head sees a dog in,
a taken-away one lowers them. A term whose words only the concepts know ("espresso": the decoder
never saw it) has no latent worth summing: it counts by its concepts alone (at plain search's
weight), and when added it keeps only the photos the head sees it in (``concept_min``), as plain
search does. A term with nothing
known (unknown words, or function words alone) is not a term (``known_term``).

Every term also brings the word detectors' evidence (``PhotoscopeModel.word_log_odds``: one logistic
probe per caption word on the photo's encoder feature), which says "with W" and "without W" outright
where the latent sum only leans: an added text's detector words add ``words`` x mean log p(word |
photo), a taken-away text's take ``negative_words`` x mean -log(1 - p) away, and a photo term adds
``photo_words`` x log of its likeliest words' probability in each photo (the photo's words, the
latent's "about what" made explicit: content words only, those captions introduce with a
determiner, "dog", "beach", "black", not "running"; the words the query's texts name are left out,
so that in "this photo - dog" the photo's own dog does not count for it). A text with no word a detector
knows ("square", "espresso") turns the detectors off for the whole query: the query counts as
before, rather than be decided by the other terms' detectors alone.

A taken-away text's latent may be the text encoder's guess alone, without the inversion that
refines a searched text (``invert_negatives=False``): faster, but measured less precise, so not
the default (figures in ``CombineOptions``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

from photoscope.network import PhotoscopeModel, QueryWords
from photoscope.search.quick import concepts_alone_weight
from photoscope.search.ranking import (
    DETECTOR_CANDIDATES,
    TextRanker,
    TextSearchOptions,
    detector_words,
    lift_best,
    rescore_top,
)
from photoscope.search.results import SHOWS_WORD, names_animals
from photoscope.search.stored import class_cover
from photoscope.search.vectors import VectorStore
from photoscope.wordlists import NUMBERS

Method = Literal["scores", "latent"]


@dataclass(frozen=True)
class Term:
    """One resolved term: a text, or a photo's encoder feature and latent."""

    text: str | None = None
    feature: torch.Tensor | None = None  # 1280-d encoder feature of a photo term
    latent: torch.Tensor | None = None  # its latent (the projection of the feature)
    weight: float = 1.0
    negative: bool = False

    def __post_init__(self) -> None:
        if (self.text is None) == (self.feature is None):
            raise ValueError("a term is either a text or a photo")
        if not self.weight >= 0:  # nan too
            raise ValueError("a term's weight is not negative: mark the term negative instead")


def library_photo_term(store: VectorStore, photo_id: int, raw_feature: np.ndarray | None = None) -> Term:
    """A library photo as a term, from its stored vectors: its latent, and its encoder feature as
    the encoder gave it (``raw_feature``, from the library) where there is one, else the store's,
    which is scaled to unit length. The head and the caption rule's probes read raw features (a
    photo term's words are vetted by them: ``PhotoscopeModel.likeliest_words``); everything else
    here reads either alike."""
    feature = (
        torch.from_numpy(np.asarray(raw_feature, np.float32))
        if raw_feature is not None
        else store.vector_of(photo_id, "feature")
    )
    return Term(feature=feature, latent=store.vector_of(photo_id, "latent"))


@dataclass(frozen=True)
class CombineOptions:
    # Measured on Flickr8k val, weights tuned on half the queries and reported on the other half
    # (benchmarks/combined_queries.py; figures in the README): the latent sum was as good as the
    # score sum where there is no photo to take from (text - word, photo + word) and far better
    # taking a word from a photo; the likelihood re-rank did not help any combination.
    method: Method = "latent"
    negative_weight: float = 0.5  # a negative term counts this much of a positive one
    photo_weight: float = 1.0  # a photo term's weight relative to a text term of the same weight
    rerank: int = 0  # re-score this many best photos by the positive texts' likelihood (0: off)
    rerank_weight: float = 1.0  # per-word log p added to the combined score
    # True: a taken-away text is inverted like an added one, all texts in one batch. False: its
    # latent is the text encoder's guess alone, and only the added texts are inverted (20 decoder
    # steps on a batch one row smaller). Measured (issue #17; benchmarks/search.py --terms --queries
    # 10 and benchmarks/combined_queries.py --per-type 200 --defaults, loaded 2-core machine), the
    # median query's time over one text query's, 10,000 photos: photo + text - word x1.15 -> x0.73,
    # text + text - word x1.54 -> x1.15 (100,000: x1.19 -> x0.75, x1.50 -> x1.16); but precision@10
    # on Flickr8k val text - word 29.2 -> 27.8 (the 100 shown queries; 31.6 -> 30.4 on all 200, and
    # lower at every taken-away weight swept), photo - word 28.4 -> 28.2. Inverted, both shapes are
    # within twice one text query, so the precision is kept. Ignored by the plain-inversion text
    # method, which has no encoder guess.
    invert_negatives: bool = True
    # The text terms' concept evidence, in multiples of plain text search's (``TextSearchOptions``:
    # 0.05 x the mean log(0.01 + p) of the concept words), times the term's signed weight. (The
    # multiples were swept when plain search's weight was 0.1; they doubled when it halved, so the
    # evidence combined queries add is the one measured.) Swept on
    # Flickr8k val (benchmarks/combined_queries.py --per-type 200 --defaults --concepts: weights
    # 0-8 each, the pair best summed over the kinds' tuning halves, precision@10 on the other
    # halves; 20 of its 106 query words are concepts, in 15-31 % of the queries): without -> with,
    # photo + word 9.2 -> 9.0, text - word 29.2 -> 29.1, photo - word 28.4 -> 28.9, word + word
    # 14.1 -> 14.7. Within noise: the head's classes often mean other things than Flickr8k's
    # words ("hat", "bike"); a taken-away "dog" helped most. A higher floor (0.05-0.5) changed
    # nothing. What the concepts add is the words the decoder does not know ("espresso").
    concepts: float = 0.5
    negative_concepts: float = 4.0
    # The word detectors' evidence (module docstring), in multiples of each term's signed weight.
    # Swept with the photo weight on Flickr8k val (benchmarks/combined_queries.py --per-type 200
    # --defaults --words: 0-8 each, 1/3/5 words a photo, photo weight 0.5/1; the options best
    # summed over the kinds' tuning halves, precision@10 on the other halves), without -> with:
    # photo + word 9.0 -> 15.9 (the word alone 6.3), text - word 29.1 -> 42.0 (plain 25.2),
    # photo - word 28.9 -> 30.1 (plain 22.1), word + word 14.7 -> 22.5 (plain "A W" 15.4).
    # With the detectors a photo term's latent counts as much as a text's (0.5 before them).
    # (The plain figures are from before plain text search had the detectors too: now the word
    # alone 7.2, text A alone 27.5, "A W" 17.2; the combined ones are unchanged.)
    # Their cost (benchmarks/search.py --terms --sizes 10000 100000 --queries 10, quiet), scoring
    # the best ``DETECTOR_CANDIDATES``: photo + text - word x1.35 / x1.36 one text query at 10,000 /
    # 100,000 photos, text + text - word x1.78 / x1.71 (within twice; on every photo, x2.40 and
    # x2.77 at 100,000).
    words: float = 2.0
    negative_words: float = 4.0
    # A taken-away group name counts as its group's likeliest detector word ("- people": a man
    # alone is left out too; ``PhotoscopeModel.taken_away_kin``). On Flickr8k val
    # (benchmarks/taken_away_groups.py --per-group 100), precision@10 with relevant = no person
    # in any caption, own word -> group: text - people 24.6 -> 34.9 (41 queries), photo - people
    # 10.8 -> 26.6 (100; 20.4 before the photo's own person words were left out of what the photo
    # counts as, ``text_detectors``); with relevant = no caption says "people", 49.8 -> 48.5 and
    # 31.6 -> 37.8; "- dogs" 51.0 -> 51.0 and 35.3 -> 35.4 (the dog detector sees puppies).
    # combined_queries.py --per-type 200 --defaults: text - word 46.4 -> 46.2, photo - word 46.0
    # -> 46.5.
    negative_kin: bool = True
    photo_words: float = 2.0
    # A photo term's likeliest content detector words (``WordProbes.likeliest``). Its three likeliest
    # words of any kind gave photo + word +6.7 points over plain search (all 3,531 val queries,
    # benchmarks/combined_queries.py --photo-word-all); content words only, +7.1 with 3, +7.6 with
    # 5, +7.7 with 8 and 12 at weight 2 (the even and odd halves of the queries agree: +7.73 /
    # +7.66 at 8); photo - word 44.6 -> 46.8 (--per-type 200 --defaults). Verbs ("running") are
    # likely in many photos and say little about which.
    photo_word_count: int = 8
    # An added or taken-away text's words that name animals alone ("dog", "animal", "bird") are
    # judged by the head's classes, not by their detectors (``head_words``), as the likely matches
    # judge them (``results.names_animals``): Flickr8k's captions call a dog "a dog", never "an
    # animal", so the "animal" detector sank the dog of "an animal" + "a dog" to 13th under a horse
    # and a bison, and every Flickr8k animal being a dog, "dog" fired on a horse in the grass
    # (audit 73, repro_1).
    animals_by_head: bool = True
    text: TextSearchOptions = field(default_factory=TextSearchOptions)


def known_term(model: PhotoscopeModel, text: str) -> bool:
    """Whether a text term has something to rank by: a content word the decoder knows (not a
    number alone) or a concept word (stand-ins included). "a blorf" has not: its "a" would rank
    every photo by a latent that means nothing."""
    query = model.query_words(text)
    return bool(query.concepts) or any(w not in NUMBERS for w in query.decoder_words)


def concepts_only(query: QueryWords | None) -> bool:
    """A text term only the concepts know ("espresso"): its decoder latent is of "<unknown>"."""
    return query is not None and bool(query.concepts) and not query.decoder_words


def alone_weight(query: QueryWords | None, options: TextSearchOptions) -> float:
    """The weight a concept-only term's concept row carries, 0 for any other term."""
    if query is None or not concepts_only(query):
        return 0.0
    return concepts_alone_weight(options, len(query.content))


def add_concepts(
    scores: torch.Tensor,
    rows: torch.Tensor,
    terms: Sequence[Term],
    weights: torch.Tensor,
    alone: Sequence[float],
    options: CombineOptions,
) -> torch.Tensor:
    """N combined scores with the text terms' concept evidence added: ``rows`` (T x N) are the
    terms' concept rows as ``TextRanker.concept_scores`` gives them (0 for photos and texts
    without concepts), ``weights`` the terms' signed weights, ``alone`` for each term the concepts
    alone know the weight its row carries (``alone_weight``; 0 for the others). An added
    concept-only term keeps only the photos the head sees it in."""
    if not options.text.concepts:
        return scores
    out = scores.clone()
    floor = math.log(options.text.concept_floor + options.text.concept_min)
    for i, term in enumerate(terms):
        if term.text is None:
            continue
        # A concept-only term's evidence is all it has: it counts as plain search weighs it.
        factor = 1.0 if alone[i] else options.negative_concepts if term.negative else options.concepts
        out += float(weights[i]) * factor * rows[i]
        if alone[i] and not term.negative:
            unweighted = rows[i] / alone[i]  # as plain search
            out[unweighted < floor] = float("-inf")
    return out


def text_detectors(
    model: PhotoscopeModel,
    terms: Sequence[Term],
    queries: Sequence[QueryWords | None],
    options: CombineOptions,
) -> list[list[list[str]]]:
    """Each text term's words that a detector answers for, each as the detector words that stand
    for it: its own; for a taken-away group name the whole group's ("- people": a man alone too;
    "- humans", which has no detector of its own: ``PhotoscopeModel.taken_away_kin``). [] for a
    photo term, and for a text none of them knows."""
    out: list[list[list[str]]] = []
    for term, query in zip(terms, queries, strict=True):
        if query is None:
            out.append([])
        elif term.negative and options.negative_kin:
            sets = [kin for w in query.content if (kin := model.taken_away_kin(w))]
            out.append(list({tuple(k): k for k in sets}.values()))
        else:
            out.append([[w] for w in detector_words(model, query)])
    return out


def photo_term_words(
    model: PhotoscopeModel,
    terms: Sequence[Term],
    queries: Sequence[QueryWords | None],
    options: CombineOptions,
    texts: list[list[list[str]]] | None = None,
) -> list[list[tuple[str, float]]] | None:
    """Each term's detector words and their probabilities in the photo: a photo term's likeliest
    content words (without the words the texts name), [] for a text term; None when the query
    counts without the detectors (a text none of them knows: ``word_rows``). ``texts``: the terms'
    ``text_detectors`` when the caller has them."""
    texts = texts if texts is not None else text_detectors(model, terms, queries, options)
    if any(q is not None and not sets for q, sets in zip(queries, texts, strict=True)):
        return None
    named = sorted({w for sets in texts for words in sets for w in words})
    return [
        model.likeliest_words(t.feature, options.photo_word_count, named) if t.feature is not None else []
        for t in terms
    ]


def word_rows(
    model: PhotoscopeModel,
    features: torch.Tensor,
    terms: Sequence[Term],
    queries: Sequence[QueryWords | None],
    options: CombineOptions,
    basis: npt.NDArray[np.float32] | None = None,
    photos: list[list[tuple[str, float]]] | None = None,
    head: Mapping[str, torch.Tensor] | None = None,
    texts: list[list[list[str]]] | None = None,
) -> torch.Tensor:
    """T x N: each term's detector evidence for N photos' features (module docstring), before its
    weight; 0 for a term without detector words. One pass over the features for all the words.
    ``basis``: the features are projected on it (``VectorStore.feature_basis``); ``photos``: the
    terms' ``photo_term_words`` when the caller has them; ``head``: the texts' words the head
    judges, each with the N photos' probability that they show it (``head_words``), in place of
    their detectors'; ``texts``: the terms' ``text_detectors`` when the caller has them."""
    texts = texts if texts is not None else text_detectors(model, terms, queries, options)
    rows = torch.zeros(len(terms), len(features))
    if any(q is not None and not sets for q, sets in zip(queries, texts, strict=True)):
        # A text no detector knows would be outvoted by the others' detectors, whose log p spans
        # several units where latent cosines span a fraction of one: on a library of drawn shapes
        # "red" + "square" ranked red circles first, by how red Flickr8k would call them.
        return rows
    photos = photos or photo_term_words(model, terms, queries, options, texts) or [[] for _ in terms]
    needed = sorted(
        {*(w for sets in texts for words in sets for w in words), *(w for ws in photos for w, _ in ws)}
    )
    if not needed:
        return rows
    log_odds = model.word_log_odds(needed, features, basis)
    column = {w: i for i, w in enumerate(needed)}
    judged = log_odds.clone()  # the texts' words: the head's log-odds for those it judges
    for w, p in (head or {}).items():
        if w in column:
            judged[:, column[w]] = torch.logit(p.float().clamp(1e-4, 1 - 1e-4))
    for i, term in enumerate(terms):
        if texts[i]:
            # a word shown by any of its detectors: the likeliest of them
            z = torch.stack([judged[:, [column[w] for w in words]].amax(1) for words in texts[i]], 1)
            # log p rewards a likely word; -log(1 - p) punishes it without bound as p -> 1.
            rows[i] = (F.softplus(z) if term.negative else F.logsigmoid(z)).mean(1)
        elif photos[i]:
            share = torch.tensor([p for _, p in photos[i]])
            p = torch.sigmoid(log_odds[:, [column[w] for w, _ in photos[i]]]) @ (share / share.sum())
            rows[i] = torch.log(p + 1e-6)
    return rows


def head_words(
    model: PhotoscopeModel,
    store: VectorStore,
    texts: list[list[list[str]]],
    rows: torch.Tensor,
    options: CombineOptions,
) -> dict[str, torch.Tensor]:
    """The text terms' detector words (``texts``: their ``text_detectors``) that name animals alone
    (``CombineOptions.animals_by_head``), each with the probability that the store's photos at
    ``rows`` show it, by the head's classes as plain search's concepts read them."""
    if not options.animals_by_head:
        return {}
    words = {w for sets in texts for kin in sets for w in kin}
    out: dict[str, torch.Tensor] = {}
    for word in sorted(words):
        classes = [c for _, found in model.query_words(word).concepts for c in found]
        if classes and names_animals(classes):
            cover = class_cover(classes, options.text.near_classes, model.encoder_name)
            out[word] = store.concept_scores(cover, rows)
    return out


def add_words(
    scores: torch.Tensor,
    rows: torch.Tensor,
    terms: Sequence[Term],
    weights: torch.Tensor,
    options: CombineOptions,
) -> torch.Tensor:
    """N combined scores with the terms' detector rows (``word_rows``) added at their signed
    weights times ``words``, ``negative_words`` (texts) or ``photo_words`` (photos)."""
    factors = [
        options.photo_words if t.text is None else options.negative_words if t.negative else options.words
        for t in terms
    ]
    return scores + (weights * torch.tensor(factors)) @ rows


def uses_words(options: CombineOptions) -> bool:
    return bool(options.words or options.negative_words or options.photo_words)


def signed_weights(terms: Sequence[Term], options: CombineOptions) -> torch.Tensor:
    """Each term's weight in the sum: photo terms scaled by ``photo_weight``, negatives subtracted."""
    out = []
    for t in terms:
        w = t.weight * (options.photo_weight if t.text is None else 1.0)
        out.append(-options.negative_weight * w if t.negative else w)
    return torch.tensor(out, dtype=torch.float32)


def standardise(rows: torch.Tensor) -> torch.Tensor:
    """Each row as z-scores over its columns (a one-photo library: centred only)."""
    centred = rows - rows.mean(dim=-1, keepdim=True)
    if rows.shape[-1] < 2:
        return centred
    return centred / rows.std(dim=-1, keepdim=True).clamp_min(1e-6)


def combine_scores(rows: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Score-level combination: the weighted sum of the terms' standardised score rows (T x N -> N)."""
    return (weights[:, None] * standardise(rows)).sum(0)


def combine_latents(latents: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Latent arithmetic: the weighted sum of the terms' unit latents (T x D -> D); photos alone sum
    their unit features so."""
    return (weights[:, None] * F.normalize(latents.float(), dim=-1)).sum(0)


def _one_row_a_term(
    terms: Sequence[Term],
    text_rows: Callable[[list[str]], torch.Tensor],
    photo_row: Callable[[Term], torch.Tensor],
    guess_rows: Callable[[list[str]], torch.Tensor] | None = None,
) -> torch.Tensor:
    """One row a term, in the terms' order: the texts' rows from one batch (``text_rows`` of all
    the texts at once), each photo's from ``photo_row``. With ``guess_rows``, the taken-away
    texts' rows come from it instead (one batch of them), the added texts' from ``text_rows``."""

    def guessed(t: Term) -> bool:
        return guess_rows is not None and t.negative

    texts = [t.text for t in terms if t.text is not None and not guessed(t)]
    guesses = [t.text for t in terms if t.text is not None and guessed(t)]
    batch = iter(list(text_rows(texts)) if texts else [])
    guess = iter(list(guess_rows(guesses)) if guesses and guess_rows is not None else [])
    return torch.stack(
        [photo_row(t) if t.text is None else next(guess) if guessed(t) else next(batch) for t in terms]
    )


def _photo_latent(term: Term) -> torch.Tensor:
    assert term.latent is not None
    return term.latent.float().reshape(-1)


@dataclass(frozen=True)
class Ranked:
    """A combined query's scores (N) and, per term, the words a photo term counted as (its
    ``photo_term_words``; empty for a text, and for every term when the detectors did not count),
    and each added photo's scores by itself (``alone``: what bounds the likely matches)."""

    scores: torch.Tensor
    photo_words: list[tuple[str, ...]]
    # Each added photo's own N scores, from what the ranking already has: its latent's cosine (not
    # its feature as search by example: cheaper, and on Flickr8k val as good). A combined query asks
    # for more than any of its added terms, so it has no more likely matches than the fewest any of
    # them has alone (``benchmarks/combined_likely.py``). An added text's is plain search's own count
    # (``api.combining``): the knee of its latent cosine and concept row, kept here before, called 5
    # photos likely for "a bridge" - "snow" where "a bridge" alone had 3 (audit 92).
    alone: list[npt.NDArray[np.float32]] = field(default_factory=list)
    # Each added photo's feature cosines to the store's photos, as search by example scores them: the
    # photos that look like it (``api.scoring.looking_alike``) bound the likely matches too. "this
    # photo + at night" was "all likely" where the photo alone had no look-alike (the fresh-seat
    # audit of stop 50: pyramids and swans for a dog).
    examples: list[npt.NDArray[np.float32]] = field(default_factory=list)


class CombinedRanker:
    """Scores every stored photo for one combined query (the terms ``known_term`` keeps)."""

    def __init__(self, model: PhotoscopeModel, store: VectorStore) -> None:
        self.model = model
        self.store = store
        self.texts = TextRanker(model, store)

    def term_latents(self, terms: Sequence[Term], options: CombineOptions) -> torch.Tensor:
        """T x D: each text's search latent (one batch for all texts; without ``invert_negatives``
        the added texts' only, the taken-away texts' encoder guess), each photo's own latent."""
        return _one_row_a_term(
            terms,
            lambda texts: self.texts.latents(texts, options.text),
            _photo_latent,
            self._guesses(options),
        )

    def term_scores(self, terms: Sequence[Term], options: CombineOptions) -> torch.Tensor:
        """T x N raw cosines: texts against the latents, photos against the features."""
        guesses = self._guesses(options)
        return _one_row_a_term(
            terms,
            lambda texts: self.store.scores(self.texts.latents(texts, options.text), "latent"),
            self._photo_scores,
            None if guesses is None else lambda texts: self.store.scores(guesses(texts), "latent"),
        )

    def _guesses(self, options: CombineOptions) -> Callable[[list[str]], torch.Tensor] | None:
        """How taken-away texts get their latents when not inverted: the text encoder's guess."""
        if options.invert_negatives or options.text.method == "plain":
            return None
        return self.model.encode_text

    def _photo_scores(self, term: Term) -> torch.Tensor:
        assert term.feature is not None
        return self.store.scores(term.feature, "feature")[0]

    def scores(self, terms: Sequence[Term], options: CombineOptions | None = None) -> torch.Tensor:
        """N scores (higher is better) of the store's photos for the combined query."""
        return self.rank(terms, options).scores

    def rank(self, terms: Sequence[Term], options: CombineOptions | None = None) -> Ranked:
        """The store's photos' scores for the combined query, and what its photo terms counted as."""
        options = options or CombineOptions()
        weights = signed_weights(terms, options)
        if terms and all(t.text is None for t in terms):
            return self._photos_alone(terms, weights)
        queries = [None if t.text is None else self.model.query_words(t.text) for t in terms]
        # read once: what the photo terms count as, the head's words and the detectors' rows need them
        texts = text_detectors(self.model, terms, queries, options) if uses_words(options) else None
        photos = None if texts is None else photo_term_words(self.model, terms, queries, options, texts)
        counted = photos if photos is not None and options.photo_words else [[] for _ in terms]
        photo_words = [tuple(w for w, _ in words) for words in counted]
        if len(self.store) == 0:  # what the photos count as, even with nothing to rank
            return Ranked(torch.zeros(0), photo_words)
        only = [concepts_only(q) for q in queries]
        summed = [t for t, o in zip(terms, only, strict=True) if not o]  # concept-only: no latent
        kept = weights[[i for i, o in enumerate(only) if not o]]
        latents = None
        if not summed:
            combined = torch.zeros(len(self.store))
        elif options.method == "latent":
            latents = self.term_latents(summed, options)
            combined = self.store.scores(combine_latents(latents, kept), "latent")[0]
        else:
            combined = combine_scores(self.term_scores(summed, options), kept)
        alone = [alone_weight(q, options.text) for q in queries]
        concept_rows = self.concept_rows(queries, options)
        combined = add_concepts(combined, concept_rows, terms, weights, alone, options)
        own = self._alone(terms, only, latents)
        if photos is not None and texts is not None:
            combined = self.add_words_to_best(combined, terms, queries, weights, options, photos, texts)
        positives = [t.text for t, o in zip(terms, only, strict=True) if t.text and not t.negative and not o]
        if options.rerank > 0 and positives:
            reranked = self.rerank(combined[None], positives, options.rerank, options.rerank_weight)[0]
            combined = reranked.masked_fill(combined == float("-inf"), float("-inf"))
        return Ranked(combined, photo_words, own, self._examples(terms))

    def _examples(self, terms: Sequence[Term]) -> list[npt.NDArray[np.float32]]:
        """``Ranked.examples``: one pass over the store's features for the added photos."""
        added = [t.feature.float().reshape(-1) for t in terms if t.feature is not None and not t.negative]
        return [row.numpy() for row in self.store.scores(torch.stack(added), "feature")] if added else []

    def _photos_alone(self, terms: Sequence[Term], weights: torch.Tensor) -> Ranked:
        """Photos alone ("photo A + photo B", "this one - that one"): the weighted sum of their unit
        encoder features, the store's photos ranked by cosine to it, as search by example ranks
        them. Their latents and detector words are Flickr8k's reading of a photo: on photos unlike
        Flickr8k's (spoons, a knife: the GUI walk of stop 47) the words were "brown, black, mouth"
        and the sum of those photos with themselves listed dogs."""
        features = torch.stack([t.feature.float().reshape(-1) for t in terms if t.feature is not None])
        if not len(self.store):
            return Ranked(torch.zeros(0), [() for _ in terms])
        added = features[[i for i, t in enumerate(terms) if not t.negative]]
        # one pass over the store: the sum's scores, then each added photo's own (the likely bound)
        rows = self.store.scores(torch.cat([combine_latents(features, weights)[None], added]), "feature")
        own = [row.numpy() for row in rows[1:]]
        return Ranked(rows[0], [() for _ in terms], own, own)

    def _alone(
        self, terms: Sequence[Term], only: Sequence[bool], latents: torch.Tensor | None
    ) -> list[npt.NDArray[np.float32]]:
        """``Ranked.alone``: each added photo's own scores by its latent (``latents``: the summed
        terms', in order, where every photo is; None when the ranking summed none: no photo then)."""
        if latents is None:
            return []
        summed = [i for i, concept_only in enumerate(only) if not concept_only]
        photos = [summed.index(i) for i, t in enumerate(terms) if t.text is None and not t.negative]
        if not photos:
            return []
        return [row.float().numpy() for row in self.store.scores(latents[photos], "latent")]

    def add_words_to_best(
        self,
        combined: torch.Tensor,
        terms: Sequence[Term],
        queries: Sequence[QueryWords | None],
        weights: torch.Tensor,
        options: CombineOptions,
        photos: list[list[tuple[str, float]]],
        texts: list[list[list[str]]],
    ) -> torch.Tensor:
        """The detectors' evidence added to the best ``DETECTOR_CANDIDATES`` photos of the
        combination so far; the others keep their order below them all. At 100,000 photos the
        detectors on every photo took a three-term query to 2.4-2.8 times one text query.
        ``photos`` and ``texts``: the terms' ``photo_term_words`` and ``text_detectors``."""
        best = combined.topk(min(len(combined), DETECTOR_CANDIDATES)).indices
        features = self.store.rows_of("feature", best)
        head = head_words(self.model, self.store, texts, best, options)
        basis = self.store.feature_basis
        rows = word_rows(self.model, features, terms, queries, options, basis, photos, head, texts)
        return lift_best(combined, best, add_words(combined[best], rows, terms, weights, options))

    def concept_rows(self, queries: Sequence[QueryWords | None], options: CombineOptions) -> torch.Tensor:
        """T x N: each text term's concept row (``TextRanker.concept_scores``), 0 for photo terms."""
        rows = torch.zeros(len(queries), len(self.store))
        texts = [(i, q) for i, q in enumerate(queries) if q is not None and q.concepts]
        if texts and options.text.concepts:
            rows[[i for i, _ in texts]] = self.texts.concept_scores([q for _, q in texts], options.text)
        return rows

    def rerank(self, scores: torch.Tensor, texts: Sequence[str], k: int, weight: float) -> torch.Tensor:
        """Q x N scores with each row's ``k`` best re-scored by the mean per-word log-likelihood of
        ``texts`` (the positive texts, the same for every row) and lifted above the rest."""
        k = min(k, scores.shape[1])
        top, rows = scores.topk(k, dim=1)
        latents = self.store.raw_latents(rows.reshape(-1))
        # One decoder pass for all the texts: each text's rows together, as text_log_prob takes them.
        per_word = self.model.text_log_prob(latents.repeat(len(texts), 1), list(texts)).mean(0)
        return rescore_top(scores, top, rows, per_word.reshape(rows.shape), weight)


def showing(
    model: PhotoscopeModel, store: VectorStore, photo_ids: Sequence[int], texts: Sequence[str]
) -> set[int]:
    """The photos among ``photo_ids`` that show a word of one of ``texts`` by its detector
    (``SHOWS_WORD``); for "people" or "dogs", by any of that group's detectors (``taken_away_kin``). One
    pass over the photos' features for all the texts."""
    content = [w for t in texts for w in model.query_words(t).content]
    words = list(dict.fromkeys(kin for w in content for kin in model.taken_away_kin(w)))
    ids = [i for i in photo_ids if i in store]
    if not words or not ids:
        return set()
    features = store.rows_of("feature", torch.tensor(store.rows_of_ids(ids), dtype=torch.long))
    z = model.word_log_odds(words, features, store.feature_basis)
    shown = (torch.sigmoid(z) >= SHOWS_WORD).any(dim=1)
    return {i for i, s in zip(ids, shown.tolist(), strict=True) if s}
