"""Single searches: by a description, by an example photo; while the network loads, by a description's
quick answer (no PyTorch) or the caption index; with the folder and date filters, as ready-to-show
results. A combined query of texts and photos is ``combining``'s, over these."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.api.core import Core
from photoscope.api.query_terms import cancelled_text
from photoscope.api.scoring import (
    alike_only,
    cut,
    hits_relevance,
    likely_at_most,
    likely_before_shown,
    likely_ids,
    likely_through_names,
    pool,
    relevance,
    undated_count,
)
from photoscope.api.types import Filters, Match, Results
from photoscope.library.fs import normalize_path
from photoscope.search.negation import split_negations
from photoscope.wordlists import carry_nothing

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from photoscope.library.db import Library
    from photoscope.network import PhotoscopeModel, TextModel
    from photoscope.search.quick import QuickStore
    from photoscope.search.ranking import TextSearchOptions
    from photoscope.search.results import SearchResult, UnknownWord


_QUICK_LOCK = threading.Lock()  # the quick answer's model and store, opened once


class Searching(Core):
    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or not filters.active:
            return None
        import numpy as np  # here and below, not at the top: the api package loads without NumPy

        # Dates: the date taken, else the file's time, whole days (20 ms at 100,000 photos in SQL; read
        # into Python and compared there, 180 ms for each search under a date filter).
        ids = self.library.photo_ids(filters.folder, *filters.days)
        return np.asarray(ids, dtype=np.int64)

    def _results(
        self,
        result: SearchResult,
        filters: Filters | None = None,
        leave_out: Sequence[str] = (),
        likely_at_most: int | None = None,
        mark_copies: bool = True,
    ) -> Results:
        """Ready to show: the hits' records (those the index still has), the likely matches (after
        the photos named, at most ``likely_at_most`` of the rest), with ``leave_out`` not the photos
        whose caption says one of those phrases, and with ``mark_copies`` which are copies of one
        listed above (``Match.copy_of``: the network's store is read; the quick answer has none)."""
        records = {p.id: p for p in self.library.photos_by_ids([h.photo_id for h in result.hits])}
        hits = [
            h
            for h in result.hits
            if h.photo_id in records and not says_any(records[h.photo_id].caption, leave_out)
        ]
        copies = sum(1 for h in hits if h.photo_id in result.near_duplicates)
        if result.library_best is None:
            relevant, strengths = hits_relevance(hits, copies, result.named, likely_at_most)
        else:  # under a filter: the library's likely matches (with its bound) that it lists
            likely = likely_ids(result.library_best, result.named, likely_at_most)
            relevant, strengths = hits_relevance(hits, copies, result.named, likely=likely)
        listed = [h.photo_id for h in hits]
        copy_of = self._copies_above(listed, result.near_duplicates) if mark_copies else [None] * len(hits)
        matches = [
            Match(records[h.photo_id], h.score, h.photo_id in result.near_duplicates, strength, copy_of[at])
            for at, (h, strength) in enumerate(zip(hits, strengths, strict=True))
        ]
        undated = undated_count(matches, filters)
        by_name = sum(1 for h in hits if h.photo_id in result.named)
        return Results(matches, result.unknown_words, relevant, undated, by_name=by_name)

    def _copies_above(self, listed: Sequence[int], query_copies: frozenset[int]) -> list[int | None]:
        """Per listed photo, the id of one listed above it that it is a copy of (``listed_copies``;
        None for a copy of the query photo, already marked so)."""
        from photoscope.search.duplicates import listed_copies

        with self._store_lock:  # the rows as the indexer's removals leave them
            copies = listed_copies(self.store, [i for i in listed if i not in query_copies])
        return [copies.get(i) for i in listed]

    def search_captions(self, text: str, limit: int = 50, filters: Filters | None = None) -> Results:
        """Photos whose caption, tags or path hold every word of ``text`` (SQLite's full-text index,
        no network): what the app shows for a query typed while PyTorch is still loading."""
        allowed = self._allowed(filters)
        negated = split_negations(text)
        cancelled = cancelled_text(negated.wanted, negated.taken_away) if negated.taken_away else ()
        if cancelled:  # "a cat without a cat": as the network's answer
            return Results([], [], cancelled=cancelled, nothing_left=True)
        wanted, limit = limit, pool(limit)
        narrowed = allowed is not None or bool(negated.taken_away)  # more read: some are dropped
        hits = everywhere = self.library.text_search(negated.wanted, 20 * limit if narrowed else limit)
        if allowed is not None:
            keep = set(allowed.tolist())
            hits = [h for h in hits if h[0] in keep]
        candidates = hits if negated.taken_away else hits[:limit]  # some are left out below
        records = {p.id: p for p in self.library.photos_by_ids([i for i, _ in candidates])}
        found = [
            (records[i], score)
            for i, score in candidates
            if i in records and not says_any(records[i].caption, negated.taken_away)
        ][:limit]
        relevant, strengths = relevance([score for _, score in found], 0)
        if allowed is not None:  # likely from the whole library's answer, as the network's
            likely = self._caption_likely(everywhere, negated.taken_away, limit)
            relevant = next((at for at, (p, _) in enumerate(found) if p.id not in likely), len(found))
        matches = [
            Match(p, score, False, strength) for (p, score), strength in zip(found, strengths, strict=True)
        ]
        return cut(Results(matches, [], relevant, taken_away=negated.taken_away), wanted, filters)

    def _caption_likely(
        self, everywhere: Sequence[tuple[int, float]], taken_away: Sequence[str], limit: int
    ) -> set[int]:
        """The caption index's likely matches in the whole library: its answer there, without the
        photos whose caption says what is taken away (the review of stop 45: among them, they made
        a cliff that called every photo above it likely)."""
        from photoscope.search.results import Hit

        if taken_away:
            records = {p.id: p for p in self.library.photos_by_ids([i for i, _ in everywhere])}
            said = {i for i, p in records.items() if says_any(p.caption, taken_away)}
            everywhere = [(i, s) for i, s in everywhere if i in records and i not in said]
        return likely_ids([Hit(i, score) for i, score in everywhere[:limit]], frozenset())

    def search_text_quick(self, text: str, limit: int = 50, filters: Filters | None = None) -> Results | None:
        """A description's quick answer, without PyTorch: the network's text encoder (run in NumPy)
        and the concepts over the vectors' mapped file (``search.quick``), milliseconds where the
        network takes seconds to load; what the app shows first, until ``Combining.search_text``'s answer
        replaces it. None when it cannot answer so: no mapped file yet (it is written with the
        vectors' first load), or an unreadable model bundle."""
        from photoscope.search.path_words import Searcher, judged_rule, name_rule, search_with_names
        from photoscope.search.quick import (
            ConceptFusion,
            quick_likely_through,
            quick_scores,
            quick_seen_nowhere,
            quick_text_search,
            top_hits,
        )
        from photoscope.search.results import head_alone, unknown_words

        negated = split_negations(text)
        if negated.taken_away:  # "a dog without a ball": what is wanted first, the network's then
            if not negated.wants_something:
                return None  # nothing wanted ("no people"): the network's subtraction alone answers
            cancelled = cancelled_text(negated.wanted, negated.taken_away)
            if cancelled:  # "a cat without a cat": the network's answer is nothing either
                return Results([], [], cancelled=cancelled, nothing_left=True)
        text = negated.wanted  # as read: "photos of dogs" asks for dogs
        found = self._quick()
        if found is None:
            return None
        model, store = found
        allowed = self._allowed(filters)
        wanted, limit = limit, pool(limit)
        searcher = Searcher(
            plain=lambda: quick_text_search(model, store, text, limit, allowed),
            unknown=lambda: unknown_words(model.query_words(text), model.suggest),
            scores=lambda given: quick_scores(model, store, given),
            top_k=lambda scores, k, among: top_hits(scores, store.ids, k, among),
            is_name=name_rule(model),
            judged=judged_rule(model),
            seen_nowhere=lambda: quick_seen_nowhere(model, store, text),
        )
        result = search_with_names(self.library, text, limit, allowed, store.ids, searcher)
        if result.hits and self._only_function_words_known(text, result.unknown_words):
            return Results([], result.unknown_words)
        # no subtraction here: at least not the photos whose caption says what is left out
        results = self._results(result, filters, leave_out=negated.taken_away, mark_copies=False)
        narrowed, taken_away = allowed is not None, bool(negated.taken_away)
        people = people_shown(model, self.library, text, [m.photo.id for m in results.matches])
        unsure = _quick_unsure(model, store, self.library, text, results, narrowed, taken_away, people)
        # as the network's answer reads its own (what is wanted, when words are taken away)
        # (not read where words are taken away: none but the photos named is likely then, below)
        judged = not unsure and not negated.taken_away
        through = _quick_through(model, store, self.library, text, results, people) if judged else None
        alone = head_alone(
            model.query_words(text), model.word_count, ConceptFusion().rare_count, model.detector_sight
        )
        results = likely_through_names(
            likely_at_most(results, through, alone),
            result.name_lacks,
            judged_rule(model),
            lambda words, ids: quick_likely_through(model, store, self.library, words, ids, people),
        )
        if negated.taken_away:
            # Without the network's subtraction, what is likely is not known: the photos the captions
            # leave out may be the network's first ("a dog without grass": the dog), and what is left
            # called likely was not (audit 85, repro_4: a goat). Only the photos named stay likely.
            results = replace(results, relevant=min(results.relevant, results.by_name))
        return cut(replace(results, taken_away=negated.taken_away, unsure=unsure), wanted, filters)

    def prepare_quick_search(self) -> bool:
        """Open what a description's quick answer needs (the text model, the concept words, the
        mapped vectors) ahead of the first query: the app calls it before it loads the network, whose
        import would slow all of this down. False when there can be no quick answer."""
        found = self._quick()
        if found is None:
            return False
        model, store = found
        model.query_words("a")  # the concept words' index: a JSON file read on first use
        model.detector_sight("a")  # the word detectors' weights: 0.25 s to read, not the first query's
        store.prepare()
        return True

    def release_quick_search(self) -> None:
        """Let go of what quick answers hold (``prepare_quick_search``'s latents: 100 MB at 100,000
        photos): the app calls it once the network is loaded, which answers from then on."""
        with _QUICK_LOCK:
            self.__dict__.pop("_quick_parts", None)

    def _quick(self) -> tuple[TextModel, QuickStore] | None:
        """The text model and the quick store, opened on first use; the store opened again when the
        database's vectors changed since."""
        from photoscope.network import BundleError, TextModel
        from photoscope.search.quick import QuickStore
        from photoscope.search.stored import sidecar_path

        with _QUICK_LOCK:
            quick: tuple[TextModel, QuickStore] | None = self.__dict__.get("_quick_parts")
            try:
                model = quick[0] if quick is not None else TextModel(self._model_dir_for_quick())
                if quick is not None and quick[1].generation == self.library.vector_generation():
                    return quick
                store = QuickStore.open(
                    self.library, model.version, model.latent_dim, sidecar_path(self.library_path)
                )
            except (BundleError, OSError, ValueError, KeyError):
                return None  # the full search says what is wrong with the bundle
            if store is None:
                return None
            self.__dict__["_quick_parts"] = (model, store)
            return model, store

    def _model_dir_for_quick(self) -> Path | str | None:
        """The bundle the network loads (or was built from)."""
        if "model" in self.__dict__:
            return Path(self.model.model_dir)
        return self._model_dir

    def _search_words(
        self, text: str, limit: int, filters: Filters | None, options: TextSearchOptions | None = None
    ) -> Results:
        """A description that leaves nothing out, searched by the network (``Combining.search_text``)."""
        from photoscope.search.path_words import judged_rule

        allowed = self._allowed(filters)
        with self._store_lock:
            result = self._search_text(text, limit, allowed, options)
            listed = [h.photo_id for h in result.hits]
            # Photos named by the query are what was asked for (as far as their names vouch for them:
            # ``likely_through_names``), whatever the head sees in them.
            named = any(i in result.named for i in listed)
            # Nothing listed under a filter says nothing of the photos outside it.
            narrowed = not listed and allowed is not None
            people = self.people_in(text, listed)
            unsure = () if named or narrowed else self.engine.unclear_concepts(text, listed, options, people)
            unnamed = [i for i in listed if i not in result.named]
            through = None if unsure else self.engine.likely_through(text, unnamed, options, people)
            alone = self.engine.head_alone(text, options)
        if result.hits and self._only_function_words_known(text, result.unknown_words):
            return Results([], result.unknown_words)  # "a giraffe": "a" alone would rank every photo

        def seen(words: str, ids: list[int]) -> int | None:  # the records read first, out of the lock
            with self._store_lock:
                return self.engine.likely_through(words, ids, options, people)

        results = likely_at_most(replace(self._results(result, filters), unsure=unsure), through, alone)
        return likely_through_names(results, result.name_lacks, judged_rule(self.model), seen)

    def people_in(self, text: str, photo_ids: Sequence[int]) -> dict[int, bool] | None:
        """``people_shown`` by the network."""
        return people_shown(self.model, self.library, text, photo_ids)

    def _search_text(
        self, text: str, limit: int, allowed: np.ndarray | None, options: TextSearchOptions | None
    ) -> SearchResult:
        """The engine's text search, with the names' lift (``path_words.search_with_names``)."""
        from photoscope.search.path_words import Searcher, judged_rule, name_rule, search_with_names
        from photoscope.search.ranking import TextRanker, TextSearchOptions

        engine = self.engine  # the store read (and caught up) once: its rows must not move mid-search
        store = engine.store
        ranker, given_options = TextRanker(self.model, store), options or TextSearchOptions()
        searcher = Searcher(
            plain=lambda: engine.search_text(text, limit, allowed, options),
            unknown=lambda: engine.unknown_words(text),
            scores=lambda given: ranker.scores([given], given_options)[0].numpy(),
            top_k=store.top_k,
            is_name=name_rule(self.model),
            judged=judged_rule(self.model),
            seen_nowhere=lambda: engine.seen_nowhere(text, given_options),
        )
        return search_with_names(self.library, text, limit, allowed, store.ids, searcher)

    @staticmethod
    def _only_function_words_known(text: str, unknown: Sequence[UnknownWord]) -> bool:
        """Whether the query's words the network knows carry nothing to rank by ("a giraffe" with
        "giraffe" unknown; "a"; "two"): all function words or numbers (``photoscope.wordlists``), so
        the query finds nothing."""
        missing = not_searched(unknown)
        return carry_nothing([w for w in re.findall(r"[\w']+", text.lower()) if w not in missing])

    def search_photo(
        self, photo: str | Path | Image.Image, limit: int = 50, filters: Filters | None = None
    ) -> Results:
        """Photos like ``photo`` (a path anywhere, or an image); the photo itself is left out."""
        feature = self.model.embed([pixels(photo)])[0].feature
        exclude = self._library_ids_of(photo)
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_vector(feature, pool(limit), allowed, exclude)
        return cut(alike_only(self._results(result, filters), result), limit, filters)

    def similar_to(self, photo_id: int, limit: int = 50, filters: Filters | None = None) -> Results:
        """Photos like a library photo ("Find similar"), without itself."""
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_similar_to(photo_id, pool(limit), allowed)
        return cut(alike_only(self._results(result, filters), result), limit, filters)

    def _library_ids_of(self, photo: str | Path | Image.Image) -> list[int]:
        from PIL import Image

        if isinstance(photo, Image.Image):
            return []
        found = self.library.files_at([normalize_path(photo)])
        return [f.id for f in found.values()]


def not_searched(unknown: Sequence[UnknownWord]) -> set[str]:
    """The unknown words nothing stood in for (a stand-in concept's word was searched)."""
    return {u.word.lower() for u in unknown if not u.searched_as}


def likely_before_taken_away(
    model: PhotoscopeModel | TextModel,
    taken: Sequence[str],
    results: Results,
    showing: Callable[[list[int]], set[int]],
) -> Results:
    """The likely matches up to the first that shows a taken-away text's word: by its detectors
    (``showing`` of the likely photos' ids: the network's ``combine.showing``; the quick answer
    calls none likely where words are taken away), or by its stored caption naming the word or its
    kin ("a man is running on the beach" for "people", whose detector gave the man alone under
    ``SHOWS_WORD``)."""
    likely = results.matches[results.by_name : results.relevant]
    if not taken or not likely:
        return results
    content = [w for t in taken for w in model.query_words(t).content]
    kin = list(dict.fromkeys(k for w in content for k in model.taken_away_kin(w)))
    said = {m.photo.id for m in likely if says_any(m.photo.caption, kin)}
    return likely_before_shown(results, showing([m.photo.id for m in likely]) | said)


def says_any(caption: str | None, phrases: Sequence[str]) -> bool:
    """Whether a caption holds one of the phrases (as whole words)."""
    if not caption or not phrases:
        return False
    padded = f" {' '.join(re.findall(r'[a-z]+', caption.lower()))} "
    return any(f" {p.lower()} " in padded for p in phrases)


def pixels(photo: str | Path | Image.Image) -> Image.Image:
    """An image as it is given; a file decoded (``load_photo``). PIL is imported here, on first use."""
    from PIL import Image

    from photoscope.library.photos import load_photo

    return photo if isinstance(photo, Image.Image) else load_photo(photo)


def people_shown(
    model: PhotoscopeModel | TextModel, library: Library, text: str, photo_ids: Sequence[int]
) -> dict[int, bool] | None:
    """When the query names people, whether each photo shows some (``shows_people``, from the
    features as the encoder gave them: the store's and the mapped file's are unit length), read
    once for an answer's judges, the network's and the quick one's alike; else None."""
    import numpy as np

    if not any(map(model.names_people, model.query_words(text).content)):
        return None
    read, raw = library.load_vectors("feature", list(photo_ids), model.version)
    # what the head sees, as the photos' stored tags say it: the network's and the quick answer alike
    tags = library.tags_of(read.tolist())
    shown = model.shows_people(np.asarray(raw, np.float32), [tags.get(i, []) for i in read.tolist()])
    return dict(zip(read.tolist(), shown.tolist(), strict=True))


def _quick_through(
    model: TextModel,
    store: QuickStore,
    library: Library,
    text: str,
    results: Results,
    people: dict[int, bool] | None,
) -> int | None:
    """``quick_likely_through`` of the quick answer's photos after those named."""
    from photoscope.search.quick import quick_likely_through

    unnamed = [m.photo.id for m in results.matches[results.by_name :]]
    return quick_likely_through(model, store, library, text, unnamed, people)


def _quick_unsure(
    model: TextModel,
    store: QuickStore,
    library: Library,
    text: str,
    results: Results,
    narrowed: bool,
    taken_away: bool,
    people: dict[int, bool] | None,
) -> tuple[str, ...]:
    """The quick answer's closest-guess words, by the rules of the network's answer it stands in
    for: a plain description's (``Searching._search_words``), or when something is taken away, a
    combined query's (``Combining._read_as_its_texts``, ``Combining._unseen_in_any``: none under a
    filter)."""
    from photoscope.search.quick import quick_unclear_words

    listed = [m.photo.id for m in results.matches]
    if results.by_name or (narrowed and (taken_away or not listed)):
        return ()
    return quick_unclear_words(model, store, library, text, listed, people)
