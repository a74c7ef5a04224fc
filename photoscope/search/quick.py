"""The first answer to a description, given before PyTorch is loaded (issue #18).

Importing PyTorch and building the network takes seconds; the app should answer a query typed at
launch sooner. The shipped text search (``ranking``) starts from the text encoder's latent, refines it
by inversion and re-scores its best photos by the caption likelihood, all of which need PyTorch. The
quick answer takes the first step alone: the text encoder's latent, computed in NumPy by the network's
own weights (``TextModel``), ranked by cosine against the vectors' memory-mapped file, plus the
concept scores exactly as the shipped search adds them (not the word detectors, which the shipped
search adds to its best photos). The app shows it at once and replaces it with the shipped ranking
when the network is ready.

``QuickStore`` is the mapped file with the photos changed since it was written (read from SQLite):
the same photos the full store holds, as NumPy arrays.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from photoscope.search.path_words import tokens
from photoscope.search.results import (
    Hit,
    ListedJudges,
    SearchResult,
    judged_unclear,
    library_curve,
    likely_through,
    people_seen,
    seen_nowhere,
    unknown_words,
)
from photoscope.search.stored import (
    CONCEPTS_PER_PHOTO,
    Sidecar,
    class_cover,
    probability_of_concept,
    read_concepts,
    read_sidecar,
    same_photos,
)
from photoscope.wordlists import fold

if TYPE_CHECKING:
    from photoscope.library.db import Library
    from photoscope.network import QueryWords, TextModel

Array = npt.NDArray[np.float32]
CATCH_UP_LIMIT = 20_000  # photos changed since the file was written above which no quick answer is given
BLOCK = 1024  # mapped rows converted to float32 at a time (they stay in the CPU's cache)
# ``prepare`` keeps the latents whole in float32 up to this size (100,000 photos' 256-d: 100 MB): one
# product per query, which needs the GIL once (while PyTorch is imported it is held for long spells).
PREPARED_BYTES = 128 << 20


@dataclass(frozen=True)
class ConceptFusion:
    """How the concept scores join the latent's cosine, in the quick answer and in text search
    (``TextSearchOptions`` extends it)."""

    # The encoder head's word: a query's concept words ("eagle", "espresso", "dog") add
    # ``concept_weight`` times the mean over them of log(concept_floor + p(photo shows it)).
    # With the detectors weighed by rarity (below), 0.1 -> 0.05 lifted Flickr8k val (two samples
    # of 1,500 queries, runs/exp/search_sweep.py: R@1 +0.9 and +0.1, R@10 +0.8 and +0.6; 0.03 and
    # 0.02 no better on both) and cost the open-world dev set one photo out of its own top 10.
    concept_weight: float = 0.05
    concept_floor: float = 0.01
    # ... and a concept word the decoder saw fewer than ``rare_count`` times in training ("cow",
    # "cat": Flickr8k hardly shows them) weighs ``rare_concept_weight``. Raising it to 1.0 lifted the
    # open-world dev set's own query first 28.7 -> 33.8 % and top 10 55.9 -> 60.3 %, but cost
    # Flickr8k val R@1 about 3.7 points (runs/exp/retr_delta.py on 500 of the 1,831 queries it
    # changes): it stays at the general weight.
    rare_concept_weight: float = 0.1
    rare_count: int = 100
    # ... except in a short query (at most ``short_query`` content words: "a cow", "a tape
    # measure", "drums", "a bird"), where the concept is what the user looks for rather than one
    # detail of a scene, and the head, which knows it, is trusted more: a rare word at
    # ``short_rare_concept_weight``, a common one at ``short_concept_weight``. Rare words, on the
    # open-world dev set (photoscope evaluate open-world): own query first 30.9 -> 33.8 %, top 10
    # 56.6 -> 59.6 % (0.2: 33.1 / 58.8 %; 1.0 as 0.3; up to 3 words as 2); raising
    # ``rare_concept_weight`` for every query instead gave the dev set as much at 0.3 but cost val
    # R@1/R@5/R@10 -0.30/-0.96/-0.78 (0.2: +0.14/-0.38/-0.24; benchmarks/retrieval_delta.py on all
    # 1,782 queries it changes). Common words (at the general 0.05 the decoder's Flickr8k sense of
    # "a bird" listed a lemur and a moose above a kingfisher): the dev set's 13 category queries'
    # mean AP 78.6 -> 80.1 / 82.0 / 82.1 / 82.2 % at 0.1 / 0.2 / 0.3 / 0.5 ("a bird" 0.64 -> 0.88
    # at 0.2); Flickr8k val's single-word queries "a W" for its 85 content words that are concepts
    # (relevant: a caption has W; runs/exp/single_word.py, not committed) P@10 / mean AP 33.4 / 30.9
    # -> 34.0 / 31.3 at 0.1 and 0.2, 32.8 / 31.0 at 0.3 ("hat", "head", "light": WordNet senses
    # that are not Flickr8k's). At 0.2, dev own query top 10 63.2 -> 64.0 % (a baseball 10 -> 6,
    # tower bridge 12 -> 4), first 33.8 % both. Only 13 of Flickr8k val's 5,000 retrieval queries
    # are that short with a concept word (R@1 / R@5 / R@10 of those 13: 1 / 4 / 5 -> 0 / 3 / 5).
    # The combined-query benchmark's plain one- and two-word searches on val (100 queries each,
    # benchmarks/combined_queries.py --per-type 200 --defaults; other relevance rules) moved down:
    # the word alone 7.9 -> 7.5, text alone 33.3 -> 32.1, "A W" 15.0 -> 14.2 (at 0.1: 7.6, 33.1,
    # 14.6, with the dev category mean AP 80.1); the app's combined queries 15.0 / 46.1 / 46.8 /
    # 19.6 -> 15.2 / 46.4 / 46.8 / 19.5. 0.2 for the open world's categories, where the head knows.
    short_query: int = 2
    short_concept_weight: float = 0.2
    short_rare_concept_weight: float = 0.3
    # A query only the concepts know ("espresso") lists only photos whose stored top classes give it
    # at least this probability: a library without an espresso says so instead of listing photos.
    concept_min: float = 0.02
    # A concept word also reaches the photos the head calls by a class it finds alike (its
    # classifier rows' cosine above 0.1: "duck" the ducks it takes for geese, "monkey" its gibbons;
    # ``network.concepts.NearClasses``), counting up to ``near_classes`` of a photo of the word's
    # own classes. On the open-world dev set (photoscope evaluate open-world) own query top 10
    # 60.3 -> 63.2 %, first 33.8 % both ways (0.5 or 1.0 with cosines from 0.1 or 0.15 gave 62.5-63.2
    # and 33.1-33.8 %; from 0.05, 64.0 and 32.4 %). Flickr8k val: on 1,500 of the 3,946 queries
    # with a concept word (benchmarks/retrieval_delta.py '[{"near_classes": 0.0}]' --all-concepts
    # --sample 1500), R@1/5/10 +0.05/+0.74/+0.42 over 0; all 5,000, R@1/5/10 23.46/52.02/65.32.
    # 0 turns it off.
    near_classes: float = 0.5
    # Words neither the decoder nor the concepts know are read as the decoder's "<unk>", which it
    # learned from Flickr8k's rare words, while they are under this share of the query's content
    # words; at or above it they are left out of what the network reads ("dog rexie bolly", names or
    # typos: "<unk> <unk>" outweighed "dog" and listed a windmill first). The results say the words
    # are unknown either way (and the query is weighed by its known words: "dog" is a short query).
    # On all 1,017 Flickr8k val queries with such a word, against reading them in every query
    # (benchmarks/retrieval_delta.py '[{}]' --unknown-words --base '{"read_unknown_below": 1.01}'):
    # R@1/5/10 -0.04/+0.02/+0.00 at 0.5; leaving them out of every query (0.0) -0.14/-0.10/-0.18.
    read_unknown_below: float = 0.5


def as_read(text: str, query: QueryWords, fusion: ConceptFusion) -> tuple[str, QueryWords]:
    """The text as the network reads it, and its words: without its unknown words when they are
    too many (``ConceptFusion.read_unknown_below``; the query is then weighed by its known words:
    "dog rexie bolly" is a short query), else as they are (the unknown ones read as "<unk>")."""
    share = len(query.unknown) / max(1, len(query.content))
    if not query.unknown or share < fusion.read_unknown_below:
        return text, query
    left_out = set(query.unknown)
    return without_words(text, query.unknown), replace(
        query, content=[w for w in query.content if w not in left_out]
    )


def without_words(text: str, words: Sequence[str]) -> str:
    """The text without these words' tokens (as the full-text index splits and folds them: the
    "rexie" of "dog-rexie" goes, the "dog" stays)."""
    if not words:
        return text
    drop = {t for w in words for t in tokens(w)}
    kept = re.sub(r"[^\W_]+", lambda m: "" if fold(m.group()) in drop else m.group(), text)
    return " ".join(kept.split())


def concept_word_weight(weights: ConceptFusion, uses: int, content_words: int) -> float:
    """How much a concept word's evidence counts in a query (``ConceptFusion`` gives the
    reasons): ``uses``, how often the decoder saw the word (its rarest word's count), and
    ``content_words``, how many content words the query has."""
    short = content_words <= weights.short_query
    if uses >= weights.rare_count:
        return weights.short_concept_weight if short else weights.concept_weight
    return weights.short_rare_concept_weight if short else weights.rare_concept_weight


def concepts_alone_weight(weights: ConceptFusion, content_words: int) -> float:
    """The weight a query's concept row carries when the decoder knows none of its words
    ("espresso"): what the row is divided by to read the concepts alone, unweighted."""
    return max(concept_word_weight(weights, 0, content_words), 1e-6)


class QuickStore:
    """The photos' unit latents and top classes: the mapped file's rows still current, then those
    changed since it was written."""

    def __init__(
        self,
        base: Sidecar,
        alive: npt.NDArray[np.bool_] | None,
        tail_ids: npt.NDArray[np.int64],
        tail_latents: Array,
        tail_concepts: tuple[np.ndarray, np.ndarray],
        generation: int,
    ) -> None:
        self.base, self.alive, self.generation = base, alive, generation
        self.tail_ids, self.tail_latents, self.tail_concepts = tail_ids, tail_latents, tail_concepts
        base_ids = base.ids if alive is None else base.ids[alive]
        self.ids: npt.NDArray[np.int64] = np.concatenate([base_ids, tail_ids])
        self._whole: Array | None = None  # the mapped latents in float32 (``prepare``)

    @classmethod
    def open(cls, library: Library, model_version: str, latent_dim: int, path: Path) -> QuickStore | None:
        """The store over the file at ``path``; None when there is no usable file (missing, another
        model's, or too far behind the database: the full store rebuilds it)."""
        base = read_sidecar(path, model_version, latent_dim)
        if base is None:
            return None
        generation, changed = library.vector_changes(base.generation)
        if changed is None or len(changed) > CATCH_UP_LIMIT:
            return None
        if not same_photos(base, library, model_version, set(changed)):
            return None  # another library's file: the full store rebuilds it
        alive = None
        if changed:
            alive = ~np.isin(base.ids, np.asarray(changed, np.int64))
        ids, latents = np.zeros(0, np.int64), np.zeros((0, latent_dim), np.float32)
        if changed:  # (given no ids, load_vectors would read every photo's)
            ids, latents = library.load_vectors("latent", ids=changed, model_version=model_version)
        unit = np.asarray(latents, np.float32)
        unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
        concepts = read_concepts(library, ids, model_version, changed) if len(ids) else _no_concepts()
        return cls(base, alive, ids, unit, concepts, generation)

    def __len__(self) -> int:
        return len(self.ids)

    def prepare(self) -> None:
        """Get ready for queries ahead of the first: the latents in float32 if they are small enough
        (``PREPARED_BYTES``), read from the file now."""
        mapped = self.base.latents
        if self._whole is None and mapped.size * 4 <= PREPARED_BYTES:
            self._whole = _half_table().take(mapped.view(np.uint16))

    def cosines(self, query: Array) -> Array:
        """Cosine similarity of every photo (in ``ids``' order) to one query latent."""
        q = np.asarray(query, np.float32).reshape(-1)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        if self._whole is not None:
            base: Array = self._whole @ q
        else:
            mapped = self.base.latents.view(np.uint16)
            base = np.empty(len(mapped), np.float32)
            block = np.empty((min(BLOCK, len(mapped)), mapped.shape[1]), np.float32)
            table = _half_table()
            for lo in range(0, len(mapped), BLOCK):
                rows = block[: len(mapped[lo : lo + BLOCK])]
                np.take(table, mapped[lo : lo + BLOCK], out=rows)  # float16 -> float32 (see _half_table)
                base[lo : lo + BLOCK] = rows @ q
        if self.alive is not None:
            base = base[self.alive]
        out: Array = np.concatenate([base, self.tail_latents @ q]).astype(np.float32)
        return out

    def listed_features(
        self, library: Library, rows: npt.NDArray[np.int64]
    ) -> list[tuple[Array, Array | None]]:
        """The encoder features of some of the store's ``rows``, as (N x width, basis) parts: the
        mapped file's rows (unit float16; reduced on its ``basis`` in a large library), then those
        changed since it was written (whole, from the database: a few rows, read when asked)."""
        in_base = len(self.ids) - len(self.tail_ids)
        base_rows = rows[rows < in_base]
        if self.alive is not None:
            base_rows = np.flatnonzero(self.alive)[base_rows]
        parts: list[tuple[Array, Array | None]] = []
        if len(base_rows):
            parts.append(
                (_half_table().take(self.base.features[np.sort(base_rows)].view(np.uint16)), self.base.basis)
            )
        tail_ids = self.ids[rows[rows >= in_base]]
        if len(tail_ids):
            _, whole = library.load_vectors(
                "feature", ids=tail_ids.tolist(), model_version=self.base.model_version
            )
            parts.append((np.asarray(whole, np.float32), None))
        return parts

    def concept_probability(self, cover: Array) -> Array:
        """Each photo's probability that it shows a concept (as ``VectorStore.concept_scores``)."""
        base = probability_of_concept(cover, self.base.classes, self.base.class_probs)
        if self.alive is not None:
            base = base[self.alive]
        tail = probability_of_concept(cover, *self.tail_concepts)
        out: Array = np.concatenate([base, tail]).astype(np.float32)
        return out


@functools.cache
def _half_table() -> Array:
    """Every float16 bit pattern's float32 value: NumPy converts float16 arrays one value at a time
    (100,000 latents: ~75 ms here), a lookup in this 256 KB table takes ~45 ms; exact either way."""
    table: Array = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)
    return table


def _no_concepts() -> tuple[np.ndarray, np.ndarray]:
    return np.full((0, CONCEPTS_PER_PHOTO), -1, np.int16), np.zeros((0, CONCEPTS_PER_PHOTO), np.float32)


def quick_text_search(
    model: TextModel,
    store: QuickStore,
    text: str,
    k: int = 50,
    allowed: np.ndarray | None = None,
    fusion: ConceptFusion | None = None,
) -> SearchResult:
    """The best photos for a description by the text encoder's latent and the concepts (no inversion,
    no re-scoring by the caption likelihood), with the words that neither the decoder nor the
    concepts know, as ``SearchEngine.search_text`` reports them."""
    query = model.query_words(text)
    unknown = unknown_words(query, model.suggest)
    if not (query.decoder_words or query.concepts) or len(store) == 0:
        return SearchResult([], unknown)
    scores = quick_scores(model, store, text, fusion)
    curve = library_curve(lambda s, n, among: top_hits(s, store.ids, n, among), scores, allowed is not None)
    return SearchResult(top_hits(scores, store.ids, k, allowed), unknown, library_best=curve)


def quick_unclear_words(
    model: TextModel,
    store: QuickStore,
    library: Library,
    text: str,
    photo_ids: Sequence[int],
    people: Mapping[int, bool] | None = None,
    fusion: ConceptFusion | None = None,
) -> tuple[str, ...]:
    """The words of ``text`` that no listed photo shows clearly, as ``SearchEngine.unclear_concepts``
    finds them (``results.judged_unclear``), run in NumPy on the listed photos' features. The first
    answer to "a laptop", or to "a car" over animals, calls its photos closest guesses as the
    network's answer does, not "16 likely matches" until it replaces them."""
    if not len(store):
        return ()
    f = fusion or ConceptFusion()
    judges = _listed_judges(model, store, library, photo_ids, f, people)
    query = model.query_words(text)
    return judged_unclear(query, model.word_count, f.rare_count, model.detector_sight, judges)


def quick_likely_through(
    model: TextModel,
    store: QuickStore,
    library: Library,
    text: str,
    photo_ids: Sequence[int],
    people: Mapping[int, bool] | None = None,
    fusion: ConceptFusion | None = None,
) -> int | None:
    """How far down the listed photos (best first) a short query's likely matches may reach, as
    ``SearchEngine.likely_through`` finds it, in NumPy on the listed photos' features."""
    if not len(store) or not photo_ids:
        return None
    f = fusion or ConceptFusion()
    judges = _listed_judges(model, store, library, photo_ids, f, people)
    query = model.query_words(text)
    return likely_through(
        query,
        model.word_count,
        f.rare_count,
        model.detector_sight,
        judges.seen,
        judges.shown,
        model.names_people,
    )


def quick_seen_nowhere(model: TextModel, store: QuickStore, text: str) -> frozenset[str]:
    """``results.seen_nowhere`` in NumPy, as ``TextRanker.seen_nowhere`` reads it."""
    if not len(store.ids):
        return frozenset()
    f = ConceptFusion()

    def library_best(classes: Sequence[int]) -> float:
        cover = class_cover(classes, f.near_classes, model.encoder_name)
        return float(store.concept_probability(cover).max())

    return seen_nowhere(model.query_words(text), model.word_count, f.rare_count, library_best)


def _listed_judges(
    model: TextModel,
    store: QuickStore,
    library: Library,
    photo_ids: Sequence[int],
    f: ConceptFusion,
    people: Mapping[int, bool] | None,
) -> ListedJudges:
    """``results.ListedJudges`` of the listed photos, in NumPy on the mapped file's rows (a word
    that names people seen only where ``people`` says a photo shows some: ``results.people_seen``)."""
    rows = np.flatnonzero(np.isin(store.ids, np.asarray(photo_ids, np.int64)))  # in the store's order
    order = {int(i): at for at, i in enumerate(store.ids[rows])}
    listed = [order[i] for i in photo_ids if i in order]  # the listed order, as places in ``rows``
    held = [int(i) for i in store.ids[rows][listed]]
    shows = None if people is None else [people.get(i, True) for i in held]

    def shown(classes: Sequence[int]) -> list[float]:
        cover = class_cover(classes, f.near_classes, model.encoder_name)
        return [float(p) for p in store.concept_probability(cover)[rows][listed]]

    def seen(words: Sequence[str]) -> list[list[float]]:
        detectors = [model.detector_word(w) or w for w in words]
        parts = store.listed_features(library, rows)  # the base rows, then the tail's: ``rows``' order
        probabilities = np.concatenate([model.word_probabilities(detectors, x, basis) for x, basis in parts])
        found = [[float(p) for p in row] for row in probabilities[listed]]
        return people_seen(words, found, shows, model.names_people)

    return ListedJudges(len(listed), shown, seen)


def quick_scores(
    model: TextModel, store: QuickStore, text: str, fusion: ConceptFusion | None = None
) -> Array:
    """Every photo's score (in ``store.ids``' order) for ``text``: the cosine to the text encoder's
    latent plus the concept scores, as ``TextRanker.scores`` fuses them (-inf: not an answer)."""
    f = fusion or ConceptFusion()
    query = model.query_words(text)
    text, query = as_read(text, query, f)  # as ``TextRanker`` reads the query
    scores = store.cosines(model.encode_text([text])[0])
    if not (query.decoder_words or query.concepts):
        return np.full(len(store), -np.inf, np.float32)
    concept = np.zeros(len(store), np.float32)
    if query.concepts:
        logs = []
        for word, classes in query.concepts:
            uses = min(model.word_count(w) for w in word.split())
            weight = concept_word_weight(f, uses, len(query.content))
            cover = class_cover(classes, f.near_classes, model.encoder_name)
            logs.append(weight * np.log(f.concept_floor + store.concept_probability(cover)))
        concept = np.mean(logs, axis=0).astype(np.float32)
    scores = scores + concept
    if not query.decoder_words:  # the concepts alone rank; the latent breaks ties (as ``TextRanker``)
        alone = concept / concepts_alone_weight(f, len(query.content))
        scores = alone + 1e-3 * scores
        scores[alone < math.log(f.concept_floor + f.concept_min)] = -np.inf
    out: Array = scores.astype(np.float32)
    return out


def top_hits(scores: Array, ids: npt.NDArray[np.int64], k: int, allowed: np.ndarray | None) -> list[Hit]:
    """The best ``k`` photos by ``scores``, among ``allowed`` ids (``vectors.best_hits`` in NumPy)."""
    scores = np.array(scores, np.float32)
    scores[np.isnan(scores)] = -np.inf  # NaN ranks nowhere, as -inf
    if allowed is not None:
        scores[~np.isin(ids, allowed)] = -np.inf
    k = min(k, len(scores))
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    last = scores[best].min()
    rows = np.concatenate([best[scores[best] > last], np.flatnonzero(scores == last)])[:k]
    rows = rows[np.lexsort((rows, -scores[rows]))]  # ties in row order, as ``vectors.best_hits``
    return [Hit(int(ids[r]), float(scores[r])) for r in rows if np.isfinite(scores[r])]
