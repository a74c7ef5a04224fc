"""Search by description and by example photo, over the in-memory vector store.

Text search (measured on Flickr8k val, see the closing notes and ``photoscope evaluate retrieval``):
1. the jointly trained text encoder gives a first guess of the query's latent (about 2 ms);
2. inversion refines it: a few Adam steps on the latent so the frozen decoder would write the
   query, pulled back toward the first guess so it stays among the photos' latents;
3. photos are ranked by cosine similarity to the mean of the two normalised latents.
Plain inversion (from the library's mean latent, no text encoder) is kept as a method for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from photoscope.network import InversionOptions, PhotoscopeModel, QueryWords
from photoscope.search.duplicates import NEAR_DUPLICATE
from photoscope.search.quick import (
    ConceptFusion,
    as_read,
    concept_word_weight,
    concepts_alone_weight,
)
from photoscope.search.results import (
    CLEARLY,
    ListedJudges,
    SearchResult,
    UnknownWord,
    head_alone,
    judged_unclear,
    library_curve,
    likely_through,
    people_seen,
    seen_nowhere,
    unclear_words,
    unknown_words,
)
from photoscope.search.stored import class_cover
from photoscope.search.vectors import VectorStore

__all__ = [  # the result types live in ``results`` (no PyTorch); they stay importable from here
    "CLEARLY",
    "DETECTOR_CANDIDATES",
    "NEAR_DUPLICATE",
    "PLAIN_INVERSION",
    "SearchEngine",
    "SearchResult",
    "TextMethod",
    "TextRanker",
    "TextSearchOptions",
    "UnknownWord",
    "detector_words",
    "lift_best",
    "rescore_top",
]

TextMethod = Literal["shipped", "encoder", "plain"]
PLAIN_INVERSION = InversionOptions(steps=50, lr=0.1, prior_weight=0.0)
# The photos the word detectors score: the best of the ranking without them. More than a result
# page (the app asks for 1,000), far fewer than a large library.
DETECTOR_CANDIDATES = 4096


@dataclass(frozen=True)
class TextSearchOptions(ConceptFusion):
    """How text search ranks: the latent (the text encoder's guess refined by inversion), the
    caption likelihood's re-rank, the word detectors, and the concepts (``ConceptFusion``'s fields,
    shared with the quick answer)."""

    method: TextMethod = "shipped"
    inversion: InversionOptions = field(default_factory=InversionOptions)
    start_weight: float = 0.5  # share of the first guess in the ranking latent
    # Re-scoring the 50 best by the caption likelihood, swept on all 5,000 Flickr8k val queries
    # (benchmarks/retrieval_fusion.py): weight 0 gives R@1/5/10 18.8/44.1/56.4, 0.1 gives
    # 20.0/45.8/58.6, 0.4 gives 20.5/46.4/60.0 (the best), 1.0 gives 19.5/45.6/60.1.
    rerank: int = 50  # re-score this many best photos by the caption likelihood (0: off)
    rerank_weight: float = 0.4  # weight of log p(text | photo) per word, added to the cosine
    concepts: bool = True  # False: the decoder's words alone (the app before the concepts)
    # The word detectors (``network.word_probes``: a probe per caption word on the photo's feature)
    # add ``words`` x the sum over the query's detector words of rarity x log p(word | photo) to
    # the best ``DETECTOR_CANDIDATES`` photos, before the re-rank; a word's rarity is -log of the
    # share of training photos that have it ("man" 1.2, "frisbee" 4.5): a rare word's detector
    # says more about which photo is meant. All 5,000 Flickr8k val queries (`photoscope evaluate
    # retrieval --split val --methods shipped [--no-word-detectors]`), R@1/5/10: 21.2/47.4/60.9
    # without the detectors, 22.8/50.3/63.9 with them unweighted (0.04 x the sum), 23.4/51.5/64.9
    # weighed by rarity at 0.013 (with the concept weight 0.05). The unweighted weight was swept
    # on three samples of val's queries; the rarity weighting and its weight on two samples of
    # 1,500 (R@10 +1.1 and +1.6 over unweighted; -log p clipped at p = 0.5, the captions' form,
    # and feedback from the best photos' features were lower or level). With the detectors that
    # know "grass" (rebuilt probes): 23.48/51.54/64.96; on 1,500 queries (seed 1) 0.011 and 0.016
    # gave R@10 64.8 and 64.4 against 64.9 at 0.013. With the short-query rule above and "chicken"
    # and "cow", "tv" ... concept words: 23.52/51.60/65.02; with the near classes (below):
    # 23.46/52.02/65.32; with common words trusted in short queries (above): 23.44/52.00/65.34.
    words: float = 0.013


class TextRanker:
    """Scores every stored photo for each text; batched so evaluation can run many queries."""

    def __init__(self, model: PhotoscopeModel, store: VectorStore) -> None:
        self.model = model
        self.store = store

    def scores(self, texts: Sequence[str], options: TextSearchOptions) -> torch.Tensor:
        """Q x N scores (higher is better) of the store's photos for each text.

        A text whose content words the decoder does not know (but the concepts do: "espresso") is
        scored by the concepts alone; one that neither knows scores every photo -inf."""
        queries = [self.model.query_words(t) for t in texts]
        if not options.concepts:
            queries = [replace(q, concepts=[], stand_ins=[]) for q in queries]
        read = [as_read(t, q, options) for t, q in zip(texts, queries, strict=True)]
        texts, queries = [t for t, _ in read], [q for _, q in read]
        concept = self.concept_scores(queries, options)
        scores = self.store.scores(self.latents(texts, options), "latent")
        if options.method != "plain":
            scores = self.add_word_evidence(queries, scores + concept, options)
        if options.rerank > 0 and options.method != "plain":  # plain inversion stays the plain baseline
            scores = self._rerank(texts, scores, options)
        for i, q in enumerate(queries):
            if not q.decoder_words:  # the decoder's latent of "<unknown>" says nothing: concepts alone
                # (all its words are rare to the decoder: undo their weight, the latent breaks ties)
                alone = concept[i] / concepts_alone_weight(options, len(q.content))
                scores[i] = alone + 1e-3 * scores[i] if q.concepts else float("-inf")
                # photos the head does not see it in are not answers, however they rank
                scores[i][alone < math.log(options.concept_floor + options.concept_min)] = float("-inf")
        return scores

    def concept_scores(self, queries: Sequence[QueryWords], options: TextSearchOptions) -> torch.Tensor:
        """Q x N: each query's mean over its concept words of log(floor + p(photo shows it)),
        each weighed by how little the decoder knows the word (``TextSearchOptions``), 0 for a
        query without concept words."""
        out = torch.zeros(len(queries), len(self.store))
        for i, q in enumerate(queries):
            if q.concepts:
                logs = [
                    self._concept_weight(word, q, options)
                    * (
                        options.concept_floor
                        + self.store.concept_scores(
                            class_cover(classes, options.near_classes, self.model.encoder_name)
                        )
                    ).log()
                    for word, classes in q.concepts
                ]
                out[i] = torch.stack(logs).mean(0)
        return out

    def add_word_evidence(
        self, queries: Sequence[QueryWords], scores: torch.Tensor, options: TextSearchOptions
    ) -> torch.Tensor:
        """Q x N scores with each query's detector evidence (``TextSearchOptions.words``) added to
        its best ``DETECTOR_CANDIDATES`` photos, the others kept below them in their order (the
        detectors know only words the decoder knows: "espresso" has none, and ranks as before)."""
        words = [detector_words(self.model, q) for q in queries]
        if not options.words or not any(words):
            return scores
        out, n = scores.clone(), scores.shape[1]
        every = self._every_photo_s_log_odds(words) if n <= DETECTOR_CANDIDATES else None
        for i, mine in enumerate(words):
            if not mine:
                continue
            if every is not None:  # a small library: every photo is a candidate
                best, z = torch.arange(n), torch.stack([every[w] for w in mine], dim=1)
            else:
                best = scores[i].topk(DETECTOR_CANDIDATES).indices
                z = self._word_log_odds(mine, best)
            evidence = (F.logsigmoid(z) * self.model.word_rarity(mine)).sum(1)
            out[i] = lift_best(scores[i], best, scores[i, best] + options.words * evidence)
        return out

    def _every_photo_s_log_odds(self, words: Sequence[Sequence[str]]) -> dict[str, torch.Tensor]:
        """Each word's log-odds for every stored photo: one pass over the features for the batch."""
        needed = sorted({w for mine in words for w in mine})
        z = self._word_log_odds(needed, torch.arange(len(self.store)))
        return {w: z[:, c] for c, w in enumerate(needed)}

    def _word_log_odds(self, words: Sequence[str], rows: torch.Tensor) -> torch.Tensor:
        features = self.store.rows_of("feature", rows)
        return self.model.word_log_odds(words, features, self.store.feature_basis)

    def _concept_weight(self, word: str, query: QueryWords, options: TextSearchOptions) -> float:
        uses = min(self.model.word_count(w) for w in word.split())
        return concept_word_weight(options, uses, len(query.content))

    def _rerank(self, texts: Sequence[str], scores: torch.Tensor, options: TextSearchOptions) -> torch.Tensor:
        """Add the exact caption likelihood to the cosine of each text's best candidates."""
        k = min(options.rerank, scores.shape[1])
        top, rows = scores.topk(k, dim=1)
        per_word = self.model.text_log_prob(self.store.raw_latents(rows.reshape(-1)), texts)
        return rescore_top(scores, top, rows, per_word, options.rerank_weight)

    def latents(self, texts: Sequence[str], options: TextSearchOptions) -> torch.Tensor:
        if options.method == "plain":
            mean = self.store.mean_latent() if len(self.store) else torch.zeros(self.model.latent_dim)
            return self.model.invert_text(texts, mean.expand(len(texts), -1), PLAIN_INVERSION)
        starts = self.model.encode_text(texts)
        if options.method == "encoder":
            return starts
        refined = self.model.invert_text(texts, starts, options.inversion)
        w = options.start_weight
        return w * F.normalize(starts, dim=-1) + (1 - w) * F.normalize(refined, dim=-1)


def detector_words(model: PhotoscopeModel, query: QueryWords) -> list[str]:
    """A text's words that have a detector, folded as the detectors are ("dogs" -> "dog")."""
    return list(dict.fromkeys(w for w in map(model.detector_word, query.content) if w is not None))


def lift_best(scores: torch.Tensor, best: torch.Tensor, lifted: torch.Tensor) -> torch.Tensor:
    """N scores with the candidates ``best`` scored ``lifted`` and every other photo moved below
    them all, in its own order (the detectors score only the candidates)."""
    out = scores.clone()
    shift = scores.max() - lifted.min() + 1.0  # infinite: the rest are all -inf already
    if len(best) < len(scores) and bool(torch.isfinite(shift)):
        out -= shift
    out[best] = lifted
    return out


def rescore_top(
    scores: torch.Tensor, top: torch.Tensor, rows: torch.Tensor, per_word: torch.Tensor, weight: float
) -> torch.Tensor:
    """Scores with each row's candidates (``top`` at columns ``rows``) re-scored as cosine plus
    ``weight`` times their per-word log-likelihood, and lifted above all other photos so the ranking
    below them is kept."""
    fused = top + weight * per_word
    lifted = fused - fused.min(dim=1, keepdim=True).values + top.max(dim=1, keepdim=True).values + 1e-3
    return scores.scatter(1, rows, lifted)


class SearchEngine:
    def __init__(self, model: PhotoscopeModel, store: VectorStore) -> None:
        self.model = model
        self.store = store

    def search_text(
        self,
        text: str,
        k: int = 50,
        allowed: np.ndarray | None = None,
        options: TextSearchOptions | None = None,
    ) -> SearchResult:
        """The best photos for a description. Words that neither the decoder nor the concepts know
        are reported; when no content word is known there are no results (not arbitrary photos)."""
        query = self.model.query_words(text)
        unknown = self._unknown(query)
        if not (query.decoder_words or query.concepts) or len(self.store) == 0:
            return SearchResult([], unknown)
        scores = TextRanker(self.model, self.store).scores([text], options or TextSearchOptions())
        curve = library_curve(self.store.top_k, scores, allowed is not None)
        return SearchResult(self.store.top_k(scores, k, allowed), unknown, library_best=curve)

    def search_vector(
        self,
        feature: torch.Tensor,
        k: int = 50,
        allowed: np.ndarray | None = None,
        exclude: Sequence[int] = (),
    ) -> SearchResult:
        """Photos most like a photo's 1280-d encoder feature; copies of it are flagged."""
        if len(self.store) == 0:
            return SearchResult([])
        scores = self.store.scores(feature, "feature")
        hits = self.store.top_k(scores, k, allowed, exclude)
        filtered = allowed is not None
        curve = library_curve(lambda s, n, among: self.store.top_k(s, n, among, exclude), scores, filtered)
        return SearchResult(
            hits,
            near_duplicates=frozenset(h.photo_id for h in hits if h.score >= NEAR_DUPLICATE),
            library_best=curve,
        )

    def search_similar_to(
        self, photo_id: int, k: int = 50, allowed: np.ndarray | None = None
    ) -> SearchResult:
        """Photos like one already in the library, without itself."""
        return self.search_vector(self.store.vector_of(photo_id, "feature"), k, allowed, exclude=[photo_id])

    def unclear_concepts(
        self,
        text: str,
        photo_ids: Sequence[int],
        options: TextSearchOptions | None = None,
        people: Mapping[int, bool] | None = None,
    ) -> tuple[str, ...]:
        """The words of a query none of the listed photos shows clearly (``results.judged_unclear``;
        ``people``: whether each shows people, ``PhotoscopeModel.shows_people``)."""
        if not len(self.store):  # no photo searchable (waiting, another model's): that is the reason
            return ()
        given, model = options or TextSearchOptions(), self.model
        judges = self._listed_judges(photo_ids, given, people)
        query = model.query_words(text)
        return judged_unclear(query, model.word_count, given.rare_count, model.detector_sight, judges)

    def seen_nowhere(self, text: str, options: TextSearchOptions | None = None) -> frozenset[str]:
        """The query's words the head alone judges and sees clearly in no photo (``results.seen_nowhere``)."""
        if not len(self.store):
            return frozenset()
        given, model = options or TextSearchOptions(), self.model
        library_best = self._library_best(given)
        return seen_nowhere(model.query_words(text), model.word_count, given.rare_count, library_best)

    def unseen_anywhere(self, text: str, options: TextSearchOptions | None = None) -> tuple[str, ...]:
        """The words of a query no photo of the library shows clearly, as typed (``results.unclear_words``
        over the library's best photo): why a combined query listed nothing. Over no photo listed,
        every word the head judges was named: "castle" + "espresso" said no photo clearly showed a
        castle either, where "castle" alone has 7 likely matches (audit 85, repro_3)."""
        if not len(self.store):  # no photo searchable (waiting, another model's): that is the reason
            return ()
        given, model = options or TextSearchOptions(), self.model
        query = model.query_words(text)
        unclear = unclear_words(query, model.word_count, given.rare_count, self._library_best(given))
        return tuple(dict.fromkeys(query.typed.get(w, w) for w in unclear))

    def _library_best(self, given: TextSearchOptions) -> Callable[[Sequence[int]], float]:
        """The best photo's probability over a word's classes (and those the head finds alike), of
        every photo in the store."""

        def library_best(classes: Sequence[int]) -> float:
            cover = class_cover(classes, given.near_classes, self.model.encoder_name)
            return float(self.store.concept_scores(cover).max())

        return library_best

    def likely_through(
        self,
        text: str,
        photo_ids: Sequence[int],
        options: TextSearchOptions | None = None,
        people: Mapping[int, bool] | None = None,
    ) -> int | None:
        """How far down the listed photos (``photo_ids``, best first) a short query's likely matches
        may reach: through the first run that shows its words to their judges (``results.likely_through``;
        ``people``: whether each shows people, ``PhotoscopeModel.shows_people``)."""
        if not len(self.store) or not photo_ids:
            return None
        given = options or TextSearchOptions()
        judges = self._listed_judges(photo_ids, given, people)
        query, model = self.model.query_words(text), self.model
        return likely_through(
            query,
            model.word_count,
            given.rare_count,
            model.detector_sight,
            judges.seen,
            judges.shown,
            model.names_people,
        )

    def head_alone(self, text: str, options: TextSearchOptions | None = None) -> bool:
        """Whether the head alone judges every word of a short query (``results.head_alone``)."""
        given, model = options or TextSearchOptions(), self.model
        return head_alone(model.query_words(text), model.word_count, given.rare_count, model.detector_sight)

    def _listed_judges(
        self, photo_ids: Sequence[int], options: TextSearchOptions, people: Mapping[int, bool] | None = None
    ) -> ListedJudges:
        """``results.ListedJudges`` of the listed photos the store holds, in PyTorch (a word that
        names people seen only where ``people`` says a photo shows some: ``results.people_seen``)."""
        held = [i for i in photo_ids if i in self.store]
        rows = torch.tensor(self.store.rows_of_ids(held), dtype=torch.long)
        shows = None if people is None else [people.get(i, True) for i in held]

        def shown(classes: Sequence[int]) -> list[float]:
            cover = class_cover(classes, options.near_classes, self.model.encoder_name)
            return self.store.concept_scores(cover)[rows].tolist()

        def seen(words: Sequence[str]) -> list[list[float]]:
            detectors = [self.model.detector_word(w) or w for w in words]
            features = self.store.rows_of("feature", rows)
            odds = self.model.word_log_odds(detectors, features, self.store.feature_basis)
            return people_seen(words, torch.sigmoid(odds).tolist(), shows, self.model.names_people)

        return ListedJudges(len(rows), shown, seen)

    def unknown_words(self, text: str) -> list[UnknownWord]:
        """The query's content words that neither the decoder nor the concepts know, with the
        stand-in concept of those searched by one."""
        return self._unknown(self.model.query_words(text))

    def _unknown(self, query: QueryWords) -> list[UnknownWord]:
        return unknown_words(query, self.model.suggest)
