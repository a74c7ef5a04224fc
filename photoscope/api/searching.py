"""Search: by a description, by an example photo, by a combined query of texts and photos; while the
network loads, by a description's quick answer (no PyTorch) or the caption index; with the folder and
date filters, as ready-to-show results."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.api.core import Core
from photoscope.api.query_terms import cancel_out, cancelled_text, negations_apart
from photoscope.api.scoring import POOL, looking_alike, relevance
from photoscope.api.types import Filters, Match, QueryTerm, Results
from photoscope.library.fs import normalize_path
from photoscope.search.negation import split_negations
from photoscope.wordlists import carry_nothing

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from photoscope.library.db import Library
    from photoscope.network import PhotoscopeModel, TextModel
    from photoscope.search.combine import Ranked, Term
    from photoscope.search.quick import QuickStore
    from photoscope.search.ranking import TextSearchOptions
    from photoscope.search.results import Hit, SearchResult, UnknownWord
    from photoscope.search.vectors import VectorStore


# A query whose known words are all function words or numbers ("a giraffe" with "giraffe" unknown)
# carries nothing the network can rank by: it finds nothing (``photoscope.wordlists``).
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
    ) -> Results:
        """Ready to show: the hits' records (those the index still has), the likely matches (after
        the photos named, at most ``likely_at_most`` of the rest), and with ``leave_out`` not the
        photos whose caption says one of those phrases."""
        records = {p.id: p for p in self.library.photos_by_ids([h.photo_id for h in result.hits])}
        hits = [
            h
            for h in result.hits
            if h.photo_id in records and not _says_any(records[h.photo_id].caption, leave_out)
        ]
        copies = sum(1 for h in hits if h.photo_id in result.near_duplicates)
        if result.library_best is None:
            relevant, strengths = _relevance(hits, copies, result.named, likely_at_most)
        else:  # under a filter: the library's likely matches (with its bound) that it lists
            likely = _likely_ids(result.library_best, result.named, likely_at_most)
            relevant, strengths = _relevance(hits, copies, result.named, likely=likely)
        matches = [
            Match(records[h.photo_id], h.score, h.photo_id in result.near_duplicates, strength)
            for h, strength in zip(hits, strengths, strict=True)
        ]
        undated = _undated(matches, filters)
        by_name = sum(1 for h in hits if h.photo_id in result.named)
        return Results(matches, result.unknown_words, relevant, undated, by_name=by_name)

    def search_captions(self, text: str, limit: int = 50, filters: Filters | None = None) -> Results:
        """Photos whose caption, tags or path hold every word of ``text`` (SQLite's full-text index,
        no network): what the app shows for a query typed while PyTorch is still loading."""
        allowed = self._allowed(filters)
        negated = split_negations(text)
        cancelled = cancelled_text(negated.wanted, negated.taken_away) if negated.taken_away else ()
        if cancelled:  # "a cat without a cat": as the network's answer
            return Results([], [], cancelled=cancelled, nothing_left=True)
        wanted, limit = limit, _pool(limit)
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
            if i in records and not _says_any(records[i].caption, negated.taken_away)
        ][:limit]
        relevant, strengths = relevance([score for _, score in found], 0)
        if allowed is not None:  # likely from the whole library's answer, as the network's
            likely = self._caption_likely(everywhere, negated.taken_away, limit)
            relevant = next((at for at, (p, _) in enumerate(found) if p.id not in likely), len(found))
        matches = [
            Match(p, score, False, strength) for (p, score), strength in zip(found, strengths, strict=True)
        ]
        return _cut(Results(matches, [], relevant, taken_away=negated.taken_away), wanted, filters)

    def _caption_likely(
        self, everywhere: Sequence[tuple[int, float]], taken_away: Sequence[str], limit: int
    ) -> set[int]:
        """The caption index's likely matches in the whole library: its answer there, without the
        photos whose caption says what is taken away (the review of stop 45: among them, they made
        a cliff that called every photo above it likely)."""
        from photoscope.search.results import Hit

        if taken_away:
            records = {p.id: p for p in self.library.photos_by_ids([i for i, _ in everywhere])}
            said = {i for i, p in records.items() if _says_any(p.caption, taken_away)}
            everywhere = [(i, s) for i, s in everywhere if i in records and i not in said]
        return _likely_ids([Hit(i, score) for i, score in everywhere[:limit]], frozenset())

    def search_text_quick(self, text: str, limit: int = 50, filters: Filters | None = None) -> Results | None:
        """A description's quick answer, without PyTorch: the network's text encoder (run in NumPy)
        and the concepts over the vectors' mapped file (``search.quick``), milliseconds where the
        network takes seconds to load; what the app shows first, until ``search_text``'s answer
        replaces it. None when it cannot answer so: no mapped file yet (it is written with the
        vectors' first load), or an unreadable model bundle."""
        from photoscope.search.path_words import Searcher, search_with_names
        from photoscope.search.quick import quick_scores, quick_text_search, top_hits
        from photoscope.search.results import unknown_words

        negated = split_negations(text)
        if negated.taken_away:  # "a dog without a ball": what is wanted first, the network's then
            if not negated.wants_something:
                return None  # nothing wanted ("no people"): the network's subtraction alone answers
            cancelled = cancelled_text(negated.wanted, negated.taken_away)
            if cancelled:  # "a cat without a cat": the network's answer is nothing either
                return Results([], [], cancelled=cancelled, nothing_left=True)
            text = negated.wanted
        found = self._quick()
        if found is None:
            return None
        model, store = found
        allowed = self._allowed(filters)
        wanted, limit = limit, _pool(limit)
        searcher = Searcher(
            plain=lambda: quick_text_search(model, store, text, limit, allowed),
            unknown=lambda: unknown_words(model.query_words(text), model.suggest),
            scores=lambda given: quick_scores(model, store, given),
            top_k=lambda scores, k, among: top_hits(scores, store.ids, k, among),
            word_count=model.word_count,
        )
        result = search_with_names(self.library, text, limit, allowed, store.ids, searcher)
        if result.hits and self._only_function_words_known(text, result.unknown_words):
            return Results([], result.unknown_words)
        # no subtraction here: at least not the photos whose caption says what is left out
        results = self._results(result, filters, leave_out=negated.taken_away)
        narrowed, taken_away = allowed is not None, bool(negated.taken_away)
        unsure = _quick_unsure(model, store, self.library, text, results, narrowed, taken_away)
        # as the network's answer reads its own (what is wanted, when words are taken away)
        through = None if unsure else _quick_through(model, store, self.library, text, results)
        results = _likely_at_most(results, through)
        return _cut(replace(results, taken_away=negated.taken_away, unsure=unsure), wanted, filters)

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

    def search_text(
        self,
        text: str,
        limit: int = 50,
        filters: Filters | None = None,
        options: TextSearchOptions | None = None,
    ) -> Results:
        terms, taken_away = negations_apart([QueryTerm(text=text)])
        if taken_away:  # "a dog without a ball": "a dog" - "ball"
            return _cut(self._search_what_is_left(terms, taken_away, _pool(limit), filters), limit, filters)
        return _cut(self._search_words(text, _pool(limit), filters, options), limit, filters)

    def _search_words(
        self, text: str, limit: int, filters: Filters | None, options: TextSearchOptions | None = None
    ) -> Results:
        """A description that leaves nothing out, searched by the network (``search_text``)."""
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self._search_text(text, limit, allowed, options)
            listed = [h.photo_id for h in result.hits]
            # Photos named by the query are what was asked for, whatever the head sees in them.
            named = any(i in result.named for i in listed)
            # Nothing listed under a filter says nothing of the photos outside it.
            narrowed = not listed and allowed is not None
            unsure = () if named or narrowed else self.engine.unclear_concepts(text, listed, options)
            unnamed = [i for i in listed if i not in result.named]
            through = None if unsure else self.engine.likely_through(text, unnamed, options)
        if result.hits and self._only_function_words_known(text, result.unknown_words):
            return Results([], result.unknown_words)  # "a giraffe": "a" alone would rank every photo
        return _likely_at_most(replace(self._results(result, filters), unsure=unsure), through)

    def _search_text(
        self, text: str, limit: int, allowed: np.ndarray | None, options: TextSearchOptions | None
    ) -> SearchResult:
        """The engine's text search, with the names' lift (``path_words.search_with_names``)."""
        from photoscope.search.path_words import Searcher, search_with_names
        from photoscope.search.ranking import TextRanker, TextSearchOptions

        engine = self.engine  # the store read (and caught up) once: its rows must not move mid-search
        store = engine.store
        ranker, given_options = TextRanker(self.model, store), options or TextSearchOptions()
        searcher = Searcher(
            plain=lambda: engine.search_text(text, limit, allowed, options),
            unknown=lambda: engine.unknown_words(text),
            scores=lambda given: ranker.scores([given], given_options)[0].numpy(),
            top_k=store.top_k,
            word_count=self.model.word_count,
        )
        return search_with_names(self.library, text, limit, allowed, store.ids, searcher)

    @staticmethod
    def _only_function_words_known(text: str, unknown: Sequence[UnknownWord]) -> bool:
        """Whether the query's words the network knows carry nothing to rank by ("a giraffe" with
        "giraffe" unknown; "a"; "two")."""
        missing = _not_searched(unknown)
        return carry_nothing([w for w in re.findall(r"[\w']+", text.lower()) if w not in missing])

    def search_photo(
        self, photo: str | Path | Image.Image, limit: int = 50, filters: Filters | None = None
    ) -> Results:
        """Photos like ``photo`` (a path anywhere, or an image); the photo itself is left out."""
        feature = self.model.embed([_pixels(photo)])[0].feature
        exclude = self._library_ids_of(photo)
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_vector(feature, _pool(limit), allowed, exclude)
        return _cut(_looking_alike(self._results(result, filters), result), limit, filters)

    def similar_to(self, photo_id: int, limit: int = 50, filters: Filters | None = None) -> Results:
        """Photos like a library photo ("Find similar"), without itself."""
        allowed = self._allowed(filters)
        with self._store_lock:
            result = self.engine.search_similar_to(photo_id, _pool(limit), allowed)
        return _cut(_looking_alike(self._results(result, filters), result), limit, filters)

    def search_terms(
        self, terms: Sequence[QueryTerm], limit: int = 50, filters: Filters | None = None
    ) -> Results:
        """Photos for a combined query: texts and photos, each added or taken away, with weights
        (``photoscope.search.combine``). One added text alone is ``search_text``, one photo alone
        ``search_photo``; the query's own library photos are left out."""
        terms, taken_away = negations_apart(terms)
        return _cut(self._search_what_is_left(terms, taken_away, _pool(limit), filters), limit, filters)

    def _search_what_is_left(
        self, terms: Sequence[QueryTerm], taken_away: tuple[str, ...], limit: int, filters: Filters | None
    ) -> Results:
        """``_search_combined`` of the terms that do not cancel out (``query_terms.cancel_out``): nothing when
        no added term is left."""
        kept, cancelled = cancel_out(terms)
        if not cancelled:
            return self._search_combined(terms, taken_away, limit, filters)
        if not any(not t.negative and t.weight > 0 for t in kept):
            return Results([], [], cancelled=cancelled, nothing_left=True)
        left = tuple(p for p in taken_away if any(t.negative and t.text == p for t in kept))
        found = self._search_combined(kept, left, limit, filters)
        # What each photo term counted as, in the terms' order: a cancelled photo counted as nothing
        # (the words had moved up onto it: the review of stop 47).
        words, searched = iter(found.photo_words), {id(t) for t in kept}
        photos = [t for t in terms if t.photo is not None and t.weight > 0]
        photo_words = tuple(next(words, ()) if id(t) in searched else () for t in photos)
        return replace(found, cancelled=cancelled, photo_words=photo_words)

    def _search_combined(
        self, terms: Sequence[QueryTerm], taken_away: tuple[str, ...], limit: int, filters: Filters | None
    ) -> Results:
        """``search_terms`` once its texts' negations are terms of their own (``taken_away``)."""
        kept = [t for t in terms if t.weight > 0]
        if len(kept) == 1 and not kept[0].negative:
            return self._search_one(kept[0], limit, filters)
        engine = self.engine
        names = self._term_names(kept)
        unknown_of = {t.text: engine.unknown_words(t.text) for t in kept if t.text is not None}
        said = names.words | self._file_words_named(unknown_of.values(), names.added.keys())
        unknown = [
            u
            for t in kept
            if t.text is not None
            for u in unknown_of[t.text]
            if not set(_tokens(u.word)) <= said  # a folder's or file's name is not unknown
        ]
        resolved = self._resolve(terms, names.words, unknown_of)
        # what was taken away as the note says it: not a phrase of words nobody knows ("without blorf")
        taken_away = tuple(p for p in taken_away if not _only_unknown(p, unknown_of.get(p, []), names.words))
        if all(t.negative for t in resolved.terms) and not all(t.negative for t in kept) and not names.added:
            resolved.terms.clear()  # nothing known to add: what is taken away alone would rank every photo
        ranked, photo_words, bound = self._rank_combined(resolved, limit, filters, names)
        hits = ranked.hits
        words = tuple(
            self.model.words_as_shown(photo_words[resolved.places[p]])
            if p in resolved.places and photo_words
            else ()
            for p, t in enumerate(terms)
            if t.photo is not None and t.weight > 0
        )
        results = self._results(replace(ranked, unknown_words=unknown), filters, likely_at_most=bound.at_most)
        if bound.no_look_alike:  # likely: only the photos named (``_relevance`` keeps one of the rest)
            results = replace(results, relevant=min(results.relevant, results.by_name))
        results = self._read_as_its_text(resolved.terms, results)
        narrowed = filters is not None and filters.active  # nothing listed there says nothing of the rest
        by_network = any(h.photo_id not in ranked.named for h in hits)  # else by names alone, or none
        unsure = self._unseen_in_any(resolved.terms) if not by_network and not narrowed else ()
        return replace(
            results,
            no_look_alike=bound.no_look_alike and bool(hits) and not results.relevant,
            photo_words=words,
            taken_away=taken_away,
            unsure=unsure,
            left_out_by_name=len(names.taken),
        )

    def _read_as_its_text(self, terms: Sequence[Term], results: Results) -> Results:
        """A combined query of one added text and words taken away ("a cat without a dog") with its
        likely matches read as that text's are in plain search (``SearchEngine.likely_through``):
        they called a jaguar, giraffes, camels and a hammer likely (the second fresh-seat audit of
        stop 50)."""
        added = [t for t in terms if not t.negative]
        if len(added) != 1 or added[0].text is None:
            return results
        unnamed = [m.photo.id for m in results.matches[results.by_name :]]
        with self._store_lock:
            through = self.engine.likely_through(added[0].text, unnamed)
        return _likely_at_most(results, through)

    def _unseen_in_any(self, terms: Sequence[Term]) -> tuple[str, ...]:
        """Why a combined query listed nothing, when an added text's words are concepts alone that no
        photo shows clearly ("a dog" + "espresso" said only "no matching photos": the GUI walk of
        stop 43)."""
        added = [t.text for t in terms if t.text is not None and not t.negative]
        return tuple(w for text in added for w in self.engine.unclear_concepts(text, []))

    def _file_words_named(
        self, unknown: Iterable[Sequence[UnknownWord]], photos: AbstractSet[int]
    ) -> set[str]:
        """``path_words.file_words_named`` of the unknown words' tokens ("img" of "IMG_2041")."""
        from photoscope.search.path_words import file_words_named

        tokens = {w for found in unknown for u in found for w in _tokens(u.word)}
        return file_words_named(self.library, tokens, photos)

    def _search_one(self, term: QueryTerm, limit: int, filters: Filters | None) -> Results:
        """A query of one added term: plain search by its text or its photo."""
        if term.text is not None:  # one that leaves nothing out (``query_terms.negations_apart``)
            return self._search_words(term.text, limit, filters)
        assert term.photo is not None
        if isinstance(term.photo, int):
            return self.similar_to(term.photo, limit, filters)
        if isinstance(term.photo, str | Path) and not os.path.lexists(term.photo):
            away = self._library_ids_of(term.photo)  # its file away (a drive unplugged): by its vectors
            if away:
                return self.similar_to(away[0], limit, filters)
        return self.search_photo(term.photo, limit, filters)

    def _term_names(self, terms: Sequence[QueryTerm]) -> _Names:
        """The photos the text terms' words name by their folder or file names (``search.path_words``):
        those the added terms name, with their share of those terms' words, and those a taken-away
        term names (left out); and the words that name some."""
        from photoscope.search import path_words

        roots = [f.path for f in self.library.folders()]
        names = _Names()
        for negative in (False, True):
            text = " ".join(t.text for t in terms if t.text is not None and t.negative == negative)
            if not text:
                continue
            matches, named, by_names = path_words.path_matches(
                self.library, text, roots, self.model.word_count
            )
            names.words |= named
            if negative:
                names.taken = list(matches)
            else:
                names.added, names.by_names = matches, by_names
        return names

    def _resolve(
        self, terms: Sequence[QueryTerm], named: AbstractSet[str], unknown_of: Mapping[str, list[UnknownWord]]
    ) -> _Resolved:
        """The terms as the ranker takes them: texts that carry something to rank by (not "a
        blorf"; words the network does not know, ``unknown_of`` each text, that name folders or
        files, ``named``, left out), photos by their vectors (``_photo_term``); terms of weight 0
        left out."""
        from photoscope.search.combine import Term, known_term
        from photoscope.search.path_words import network_text

        resolved = _Resolved()
        for place, t in enumerate(terms):
            if t.weight <= 0:
                continue
            if t.text is not None:
                unknown = {u.word for u in unknown_of[t.text]} if named else set()
                text = network_text(t.text, unknown, set(named)) if unknown else t.text
                if text.strip() and known_term(self.model, text):
                    resolved.terms.append(Term(text=text, weight=t.weight, negative=t.negative))
                continue
            term, library_ids = self._photo_term(t)
            resolved.exclude += library_ids
            if term is not None:
                resolved.places[place] = len(resolved.terms)
                resolved.terms.append(term)
        return resolved

    def _photo_term(self, term: QueryTerm) -> tuple[Term | None, list[int]]:
        """A photo term as the ranker takes it, and the library photos it is (left out of the
        results): a library photo by its stored vectors (nothing to encode), another photo encoded
        now; None for a library photo no longer in the index."""
        from photoscope.search.combine import Term, library_photo_term

        assert term.photo is not None
        known = [term.photo] if isinstance(term.photo, int) else self._library_ids_of(term.photo)
        # the feature as the encoder gave it, read before the store's lock (the store's is unit length)
        encoded: dict[int, np.ndarray] = {}
        if known:
            read, raw = self.library.load_vectors("feature", known[:1])
            encoded = {int(i): row for i, row in zip(read, raw, strict=True)}
        with self._store_lock:
            store = self.store  # once: a catch-up between the reads could take the photo out
            known = [i for i in known if i in store]
            if known:
                found = library_photo_term(store, known[0], encoded.get(known[0]))
        if not known:
            if isinstance(term.photo, int):
                return None, []
            embedding = self.model.embed([_pixels(term.photo)])[0]
            found = Term(feature=embedding.feature, latent=embedding.latent)
        return replace(found, weight=term.weight, negative=term.negative), known

    def _rank_combined(
        self, resolved: _Resolved, limit: int, filters: Filters | None, names: _Names | None = None
    ) -> tuple[SearchResult, list[tuple[str, ...]], _Bound]:
        """The best ``limit`` photos for the resolved terms, with the photos the added terms name
        lifted (``path_words.lift_named``: those it put first are ``named``) and those a taken-away
        term names left out; per term the words a photo term counted as; and what bounds the
        query's likely matches (``_likely_bound``)."""
        import numpy as np

        from photoscope.search import path_words
        from photoscope.search.combine import CombinedRanker
        from photoscope.search.results import SearchResult, library_curve

        names = names or _Names()
        if not resolved.terms and not names.added:
            return SearchResult([]), [], _Bound()
        allowed = self._allowed(filters)
        filtered, among = allowed is not None, None
        exclude = [*resolved.exclude, *names.taken]
        first: frozenset[int] = frozenset()
        with self._store_lock:
            store = self.store  # once: the scores are for its rows as they are now
            ranked = CombinedRanker(self.model, store).rank(resolved.terms) if resolved.terms else None
            scores = None if ranked is None else ranked.scores.numpy()
            words = [] if ranked is None else ranked.photo_words
            if names.added:
                if all(t.negative for t in resolved.terms):  # names alone add: among what they name
                    among = np.fromiter(names.added, dtype=np.int64, count=len(names.added))
                    allowed = among if allowed is None else np.intersect1d(allowed, among)
                lifted = _not_taken_away(self.model, store, names.added, resolved.terms)
                scores, first = path_words.lift_named(scores, store.ids, lifted, promotable=names.by_names)
            assert scores is not None
            # the bound of the whole library's answer (``among``: what names alone rank among), which
            # a filtered answer's likely matches are read from too (``_results``)
            bound = _likely_bound(store, ranked, among, exclude)

            def best(s: np.ndarray, n: int, only: np.ndarray | None) -> list[Hit]:
                return store.top_k(s, n, only, exclude)

            curve = library_curve(best, scores, filtered, among)
            hits = store.top_k(scores, limit, allowed, exclude)
            return SearchResult(hits, named=first, library_best=curve), words, bound

    def _library_ids_of(self, photo: str | Path | Image.Image) -> list[int]:
        from PIL import Image

        if isinstance(photo, Image.Image):
            return []
        found = self.library.files_at([normalize_path(photo)])
        return [f.id for f in found.values()]


def _not_taken_away(
    model: PhotoscopeModel, store: VectorStore, named: dict[int, float], terms: Sequence[Term]
) -> dict[int, float]:
    """The named photos the names lift: not those that show a taken-away text's word (its
    detector). "beach - people" with a folder "Beach 2021" put its photos of people first, the
    names' lift above the subtraction (the honest-results walk); they keep their place by the
    network. ``store``: the one the scores were made on (read once: a catch-up grows it)."""
    from photoscope.search.combine import showing

    taken = [t.text for t in terms if t.negative and t.text is not None]
    shown = showing(model, store, list(named), taken) if taken else set()
    return {i: share for i, share in named.items() if i not in shown} if shown else named


def _only_unknown(phrase: str, unknown: Sequence[UnknownWord], names: AbstractSet[str]) -> bool:
    """Whether every word of a phrase is one the network does not know (and no name): nothing of it
    was searched (a stand-in concept's word was: it is not unknown so)."""
    words = set(_tokens(phrase))
    return bool(words) and words <= _not_searched(unknown) and not words & names


def _not_searched(unknown: Sequence[UnknownWord]) -> set[str]:
    """The unknown words nothing stood in for (a stand-in concept's word was searched)."""
    return {u.word.lower() for u in unknown if not u.searched_as}


def _says_any(caption: str | None, phrases: Sequence[str]) -> bool:
    """Whether a caption holds one of the phrases (as whole words)."""
    if not caption or not phrases:
        return False
    padded = f" {' '.join(re.findall(r'[a-z]+', caption.lower()))} "
    return any(f" {p.lower()} " in padded for p in phrases)


@dataclass
class _Names:
    """What a combined query's words name by folder and file names (``Searching._term_names``)."""

    added: dict[int, float] = field(default_factory=dict)  # photo id -> share of the added words
    by_names: frozenset[int] = frozenset()  # of those, the photos a name names (they may go first)
    taken: list[int] = field(default_factory=list)  # photos a taken-away term names
    words: set[str] = field(default_factory=set)  # the query words that name some photo


def _tokens(text: str) -> list[str]:
    from photoscope.search.path_words import tokens

    return tokens(text)


def _pool(limit: int) -> int:
    """How many matches a search reads: ``limit``, and at least ``scoring.POOL``, so which are likely
    and how strongly each matches do not change with how many are listed (``_cut``)."""
    return max(limit, POOL)


def _cut(results: Results, limit: int, filters: Filters | None) -> Results:
    """The first ``limit`` of a search's ``_pool`` of matches, with the counts that describe them."""
    if len(results.matches) <= limit:
        return results
    matches = results.matches[:limit]
    return replace(
        results,
        matches=matches,
        relevant=min(results.relevant, limit),
        undated=_undated(matches, filters),
        by_name=min(results.by_name, limit),
    )


def _looking_alike(results: Results, result: SearchResult) -> Results:
    """A search by example photo's answer (``result``, ready to show as ``results``), its likely
    matches only photos that look like the example (``scoring.looking_alike``: the curve's knee
    always finds a top, and a cat's closest coloured shapes were "likely matches"), its copies
    always. When no photo of the library looks like it (the best listed, or under a filter the
    library's best, ``library_best``), the matches are its closest guesses (``no_look_alike``);
    when only photos outside a filter do, none listed is likely (``Results.none_likely``)."""
    copies = sum(1 for m in results.matches if m.near_duplicate)
    alike = looking_alike([m.score for m in results.matches], copies)
    best = result.hits if result.library_best is None else result.library_best
    unlike = bool(results.matches) and not copies and looking_alike([h.score for h in best[:1]]) == 0
    return replace(results, relevant=min(results.relevant, alike), no_look_alike=unlike)


def _likely_at_most(results: Results, through: int | None) -> Results:
    """``results`` with its likely matches cut through ``through`` (``SearchEngine.likely_through``),
    as ``results.likely_count`` reads it."""
    from photoscope.search.results import likely_count

    copies = sum(1 for m in results.matches if m.near_duplicate)
    return replace(results, relevant=likely_count(results.relevant, results.by_name, through, copies))


def _undated(matches: Sequence[Match], filters: Filters | None) -> int:
    """Under a date filter, how many matches are placed by their file's time (no date taken)."""
    dated = filters is not None and filters.dated
    return sum(1 for m in matches if m.photo.taken_at is None) if dated else 0


def _relevance(
    hits: Sequence[Hit],
    copies: int,
    named: frozenset[int],
    at_most: int | None = None,
    likely: AbstractSet[int] | None = None,
) -> tuple[int, list[float]]:
    """``relevance`` of the hits, the photos asked for by name first counting as likely (a names'
    lift puts them far above the rest: the score curve's knee would be taken at them alone), and
    of the rest at most ``at_most`` (but at least one, and the copies). Under a filter, ``likely``:
    the photos likely in the whole library (``_likely_ids``); the rest's likely matches are those
    of them (none when the filter leaves none)."""
    first = next((at for at, h in enumerate(hits) if h.photo_id not in named), len(hits))
    rest = hits[first:]
    scores = [h.score for h in rest]
    if first and rest and max(scores) - min(scores) <= 1e-9:  # the network ranked none of the rest
        return first + copies, [1.0] * first + [0.0] * len(rest)
    relevant, strengths = relevance(scores, copies)
    if likely is not None:  # (a best-first prefix of the library's order: so of the filter's)
        relevant = max(copies, next((at for at, h in enumerate(rest) if h.photo_id not in likely), len(rest)))
    if at_most is not None:
        relevant = min(relevant, max(1 if likely is None else 0, copies, at_most))
    return first + relevant, [1.0] * first + strengths


def _likely_ids(best: Sequence[Hit], named: frozenset[int], at_most: int | None = None) -> set[int]:
    """The photos likely in the whole library, read from its best photos by the same scores as a
    filtered search's (``SearchResult.library_best``), as an unfiltered search reads them (with
    its bound ``at_most``)."""
    relevant, _ = _relevance(best, 0, named, at_most)
    return {h.photo_id for h in best[:relevant]}


@dataclass(frozen=True)
class _Bound:
    """What bounds a combined query's likely matches (``_likely_bound``)."""

    at_most: int | None = None  # None: no bound
    no_look_alike: bool = False  # an added photo that no photo of the library looks like


def _likely_bound(
    store: VectorStore, ranked: Ranked | None, allowed: np.ndarray | None, exclude: Sequence[int]
) -> _Bound:
    """The fewest likely matches any added term has by itself, among the photos the query may list:
    a term's by its own scores' knee (``Ranked.alone``), an added photo's also by the photos that
    look like it (``Ranked.examples``; ``results.ADDED_PHOTO_LOOKS_ALIKE``)."""
    from photoscope.search.results import ADDED_PHOTO_LOOKS_ALIKE

    if ranked is None:
        return _Bound()

    def best(row: np.ndarray) -> list[float]:
        return [h.score for h in store.top_k(row, POOL, allowed, exclude)]

    knees = [relevance(best(row))[0] for row in ranked.alone]
    alike = [looking_alike(best(row), bar=ADDED_PHOTO_LOOKS_ALIKE) for row in ranked.examples]
    return _Bound(min([*knees, *alike], default=None), 0 in alike)


@dataclass
class _Resolved:
    """A combined query's terms as the ranker takes them, the library photos they are (left out of
    the results), and each given photo term's place among ``terms`` (by its place in the query)."""

    terms: list[Term] = field(default_factory=list)
    exclude: list[int] = field(default_factory=list)
    places: dict[int, int] = field(default_factory=dict)


def _pixels(photo: str | Path | Image.Image) -> Image.Image:
    """An image as it is given; a file decoded (``load_photo``). PIL is imported here, on first use."""
    from PIL import Image

    from photoscope.library.photos import load_photo

    return photo if isinstance(photo, Image.Image) else load_photo(photo)


def _quick_through(
    model: TextModel, store: QuickStore, library: Library, text: str, results: Results
) -> int | None:
    """``quick_likely_through`` of the quick answer's photos after those named."""
    from photoscope.search.quick import quick_likely_through

    unnamed = [m.photo.id for m in results.matches[results.by_name :]]
    return quick_likely_through(model, store, library, text, unnamed)


def _quick_unsure(
    model: TextModel,
    store: QuickStore,
    library: Library,
    text: str,
    results: Results,
    narrowed: bool,
    taken_away: bool,
) -> tuple[str, ...]:
    """The quick answer's closest-guess words, by the rules of the network's answer it stands in
    for: a plain description's (``Searching._search_words``), or when something is taken away, a
    combined query's (only when nothing is listed, ``Searching._unseen_in_any``)."""
    from photoscope.search.quick import quick_unclear_words

    listed = [m.photo.id for m in results.matches]
    if results.by_name or (narrowed and not listed) or (taken_away and listed):
        return ()
    return quick_unclear_words(model, store, library, text, listed)
