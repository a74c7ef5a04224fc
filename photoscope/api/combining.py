"""Combined queries: texts and photos, each added or taken away, with weights; a description with
words taken away ("a dog without a ball") is one. Their steps (the terms resolved, named by folder
and file names, ranked together, their likely matches bounded by each added term's own) are a module
of their own, over ``searching``'s single searches, which one term alone is."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.api.query_terms import (
    cancel_out,
    negations_apart,
    one_term,
    repeats,
    without_next_to_nothing,
)
from photoscope.api.scoring import (
    POOL,
    cut,
    likely_at_most,
    likely_through_names,
    looking_alike,
    pool,
    relevance,
)
from photoscope.api.searching import Searching, likely_before_taken_away, not_searched, pixels
from photoscope.api.types import Filters, QueryTerm, Results

if TYPE_CHECKING:
    import numpy as np

    from photoscope.network import PhotoscopeModel
    from photoscope.search.combine import Ranked, Term
    from photoscope.search.ranking import TextSearchOptions
    from photoscope.search.results import Hit, SearchResult, UnknownWord
    from photoscope.search.vectors import VectorStore

# Plain searches' likely counts kept for combined queries' bounds (``Combining._plain_likely``): the
# texts of a few queries' chips.
PLAIN_COUNTS_KEPT = 64


class Combining(Searching):
    def search_text(
        self,
        text: str,
        limit: int = 50,
        filters: Filters | None = None,
        options: TextSearchOptions | None = None,
    ) -> Results:
        """Photos for a description, searched by the network (``Searching._search_words``); one with
        words taken away ("a dog without a ball") is a combined query, "a dog" - "ball": the reason
        it is here, beside ``search_terms``."""
        terms, taken_away = negations_apart([QueryTerm(text=text)])
        if taken_away:  # "a dog without a ball": "a dog" - "ball"
            return cut(self._search_what_is_left(terms, taken_away, pool(limit), filters), limit, filters)
        wanted = terms[0].text or text  # as read: "photos of dogs" asks for dogs
        found = self._search_words(wanted, pool(limit), filters, options)
        if options is None and not (filters is not None and filters.active):
            self._keep_plain_likely(wanted, found)
        return cut(found, limit, filters)

    def search_terms(
        self, terms: Sequence[QueryTerm], limit: int = 50, filters: Filters | None = None
    ) -> Results:
        """Photos for a combined query: texts and photos, each added or taken away, with weights
        (``photoscope.search.combine``). One added text alone is ``search_text``, one photo alone
        ``search_photo``; the query's own library photos are left out."""
        terms, taken_away = negations_apart(without_next_to_nothing(terms))
        found = self._search_what_is_left(terms, taken_away, pool(limit), filters)
        return cut(replace(found, repeated=repeats(terms, self._path_of)), limit, filters)

    def _search_what_is_left(
        self, terms: Sequence[QueryTerm], taken_away: tuple[str, ...], limit: int, filters: Filters | None
    ) -> Results:
        """``_search_combined`` of the terms that do not cancel out (``query_terms.cancel_out``): nothing when
        no added term is left."""
        kept, cancelled = cancel_out(terms, self._path_of)
        if not cancelled:
            return self._search_combined(terms, taken_away, limit, filters)
        if not any(not t.negative and t.weight > 0 for t in kept):
            return Results([], [], cancelled=cancelled, nothing_left=True)
        left = tuple(p for p in taken_away if any(t.negative and t.text == p for t in kept))
        found = self._search_combined(kept, left, limit, filters)
        # What each photo term counted as, in the terms' order: a cancelled photo counted as nothing
        # (the words had moved up onto it: the review of stop 47).
        words, unlike, searched = iter(found.photo_words), iter(found.photo_unlike), {id(t) for t in kept}
        photos = [t for t in terms if t.photo is not None and t.weight > 0]
        photo_words = tuple(next(words, ()) if id(t) in searched else () for t in photos)
        photo_unlike = tuple(next(unlike, False) if id(t) in searched else False for t in photos)
        return replace(found, cancelled=cancelled, photo_words=photo_words, photo_unlike=photo_unlike)

    def _path_of(self, photo_id: int) -> str | None:
        """Where a library photo given by its id is (``query_terms.cancel_out`` reads its bytes)."""
        found = self.library.photos_by_ids([photo_id])
        return found[0].path if found else None

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
        one = self._one_that_counts(kept, said, names)
        if one is not None:  # the others count for nothing: plain search, its unknown words said
            found = self._search_one(one, limit, filters)
            own = {u.word for u in found.unknown_words}
            photos = [t for t in terms if t.photo is not None and t.weight > 0]
            also = [u for u in unknown if u.word not in own]
            return replace(
                found, unknown_words=[*found.unknown_words, *also], photo_words=((),) * len(photos)
            )
        resolved = self._resolve(terms, names.words, unknown_of)
        # what was taken away as the note says it: not a phrase of words nobody knows ("without blorf")
        taken_away = tuple(p for p in taken_away if not _only_unknown(p, unknown_of.get(p, []), names.words))
        if all(t.negative for t in resolved.terms) and not all(t.negative for t in kept) and not names.added:
            resolved.terms.clear()  # nothing known to add: what is taken away alone would rank every photo
        # "-cat", "without paris": nothing asked for, something taken away (a name alone, maybe)
        takes_away_only = all(t.negative for t in kept) and bool(names.taken or names.lowered)
        ranked, photo_words, bound = self._rank_combined(resolved, limit, filters, names, takes_away_only)
        hits = ranked.hits
        words = tuple(
            self.model.words_as_shown(photo_words[resolved.places[p]])
            if p in resolved.places and photo_words
            else ()
            for p, t in enumerate(terms)
            if t.photo is not None and t.weight > 0
        )
        # the copies of added photos are marked, and count as nothing more (``_copies_of_added_photos``)
        unmarked = replace(ranked, unknown_words=unknown, near_duplicates=frozenset())
        results = _marked_as_copies(self._results(unmarked, filters, likely_at_most=bound.at_most), ranked)
        if bound.no_look_alike:  # likely: only the photos named (``hits_relevance`` keeps one of the rest)
            results = replace(results, relevant=min(results.relevant, results.by_name))
        results = self._likely_through_names(resolved.terms, ranked, results, bound.alike)
        narrowed = filters is not None and filters.active  # nothing listed there says nothing of the rest
        results = self._read_as_its_texts(resolved.terms, results, narrowed)
        results = self._likely_before_taken_away(resolved.terms, results)
        results = self._likely_within_texts_alone(resolved.terms, results)
        by_network = any(h.photo_id not in ranked.named for h in hits)  # else by names alone, or none
        if not by_network and not narrowed:
            results = replace(results, unsure=self._unseen_in_any(resolved.terms))
        if takes_away_only or (
            resolved.terms and all(t.negative for t in resolved.terms) and not names.added
        ):
            # what is taken away alone asks for nothing: the photos least like it are listed, and none
            # is called likely ("-cat": 19 of 20, the curve of a query that asks nothing; audit 68)
            results = replace(results, relevant=0)
        no_look_alike = bound.no_look_alike and bool(hits) and not results.relevant
        return replace(
            results,
            no_look_alike=no_look_alike,
            photo_unlike=_photos_unlike(terms, resolved, bound) if no_look_alike else (),
            searched_by=tuple(p.path for p in self.library.photos_by_ids(sorted(set(resolved.exclude)))),
            photo_words=words,
            taken_away=taken_away,
            left_out_by_name=len(names.taken),
        )

    def _likely_through_names(
        self, terms: Sequence[Term], ranked: SearchResult, results: Results, alike: frozenset[int] | None
    ) -> Results:
        """The likely matches ending at the first photo put first by its name that the name does not
        vouch for (``scoring.likely_through_names``): a dog + "paris" called 8 photos with no dog
        likely, a dog photo + "paris" the Paris buildings (the audit of stop 59)."""
        from photoscope.search.path_words import judged_rule

        if not results.by_name:
            return results
        texts = " ".join(t.text for t in terms if not t.negative and t.text is not None)
        listed = [m.photo.id for m in results.matches]
        people = self.people_in(texts, listed) if texts else None

        def through(words: str, ids: list[int]) -> int | None:
            with self._store_lock:
                return self.engine.likely_through(words, ids, people=people)

        return likely_through_names(results, ranked.name_lacks, judged_rule(self.model), through, alike)

    def _read_as_its_texts(self, terms: Sequence[Term], results: Results, narrowed: bool) -> Results:
        """A combined query's listing read as plain search reads each of its added texts
        (``Searching._search_words``): its closest guesses when no listed photo shows a text's words
        clearly (``SearchEngine.unclear_concepts``; "a girl without a hammer" over no girl called a
        dam and a tower likely), else its likely matches the run of photos from the first that show
        every text's words (``SearchEngine.likely_through``: they called a jaguar, giraffes, camels
        and a hammer likely, the second fresh-seat audit of stop 50). Every added text, beside others
        or a photo: "beach" + "sunset" called an opera house by day, a dog and the Louvre likely
        where "sunset" alone had no likely match (the CLI audit of stop 58); after photos put
        first by their names, the rest (stop 59). On Flickr8k val
        (``benchmarks/combined_likely.py --texts-judged``; likely / precision %): word + word 21.9
        / 18.3 -> 9.5 / 22.3, photo + word 12.0 / 16.0 -> 7.8 / 15.6."""
        texts = [t.text for t in terms if not t.negative and t.text is not None]
        listed = [m.photo.id for m in results.matches]
        unnamed = listed[results.by_name :]
        if not texts or not unnamed or narrowed or results.relevant < results.by_name:
            return results  # (a photo put first by name that its name does not vouch for ends them)
        people = {text: self.people_in(text, listed) for text in texts}  # read from the library
        unsure: dict[str, None] = {}
        throughs: list[int] = []
        with self._store_lock:
            for text in texts:
                if not results.by_name:  # photos named are what was asked for: no closest guesses
                    unclear = self.engine.unclear_concepts(text, listed, people=people[text])
                    unsure.update(dict.fromkeys(unclear))
                if not unsure:
                    through = self.engine.likely_through(text, unnamed, people=people[text])
                    throughs += [] if through is None else [through]
        if unsure:
            return likely_at_most(replace(results, unsure=tuple(unsure)), None)
        return likely_at_most(results, min(throughs, default=None))

    def _likely_before_taken_away(self, terms: Sequence[Term], results: Results) -> Results:
        """The likely matches up to the first that shows a taken-away text's word by its detectors
        (``combine.showing``, as the names' lift leaves such photos out): "a beach" - "people"
        called people running on the beach likely (the fresh-seat audit of stop 51). On Flickr8k
        val (``benchmarks/combined_likely.py --shown-cut``, 200 queries a kind; likely / precision
        / recall %), text - word 27.0 / 37.7 / 22.9 -> 17.5 / 39.2 / 16.4, photo - word 15.0 / 42.4
        / 5.7 -> 14.3 / 42.6 / 5.3. A photo whose stored caption names the word (or its kin) shows
        it too (``searching.likely_before_taken_away``: not in those figures, which have no stored
        captions)."""
        from photoscope.search.combine import showing

        taken = [t.text for t in terms if t.negative and t.text is not None]

        def shown(ids: list[int]) -> set[int]:
            with self._store_lock:
                return showing(self.model, self.store, ids, taken)

        return likely_before_taken_away(self.model, taken, results, shown)

    def _likely_within_texts_alone(self, terms: Sequence[Term], results: Results) -> Results:
        """No more likely matches, after the photos put first by their names, than plain search of
        any added text calls likely after its own (``Searching._search_words``: its ranking, its
        score curve, its judges' short-query cut), over the whole library. The knee of a text's
        latent cosine and concept row bounded them before: "a bridge" had 3 likely matches, "a
        bridge" - "snow" 5, a crane and Chichen Itza among them (audit 92, repro_2). Each text's
        inversion is kept from the ranking: plain search asked again costs its re-rank and detectors."""
        texts = dict.fromkeys(t.text for t in terms if not t.negative and t.text is not None)
        fewest = results.relevant - results.by_name
        for text in texts:
            if fewest <= 0:  # nothing left to cut: no search more
                break
            fewest = min(fewest, self._plain_likely(text))
        return replace(results, relevant=min(results.relevant, results.by_name + max(0, fewest)))

    def _plain_likely(self, text: str) -> int:
        """How many photos plain search of ``text`` calls likely after those its names put first, over
        the whole library: kept from a search of it a moment ago while the vectors are the same (a
        chip made of a text just typed, searched as it was typed), else searched now."""
        generation = self.library.vector_generation()
        known = self._plain_counts.get((text, generation))
        if known is not None:
            return known
        return self._keep_plain_likely(text, self._search_words(text, POOL, None), generation)

    def _keep_plain_likely(self, text: str, found: Results, generation: int | None = None) -> int:
        """Keep the likely count of a plain search of the whole library (``_plain_likely``), under
        the vectors' ``generation`` it was searched at (read now when not given)."""
        count = found.relevant - found.by_name
        counts = self._plain_counts
        if len(counts) >= PLAIN_COUNTS_KEPT:
            counts.pop(next(iter(counts)))  # the oldest: a dict keeps its order
        key = generation if generation is not None else self.library.vector_generation()
        counts[text, key] = count
        return count

    @cached_property
    def _plain_counts(self) -> dict[tuple[str, int], int]:
        return {}

    def _one_that_counts(
        self, kept: Sequence[QueryTerm], said: AbstractSet[str], names: _Names
    ) -> QueryTerm | None:
        """The one added term of ``kept`` when the others count for nothing (texts of words neither
        the network nor a name knows, "xyzzyq") or say it again (the same words, the same photo):
        the term alone, at weight 1 (weights count only against each other), as plain search ranks
        it. "an animal" + "xyzzyq" went through the combined ranker, said the same yet ranked
        otherwise, and with fewer likely matches (audit 73). None when two terms count."""
        from photoscope.search.combine import known_term

        counting = [
            t for t in kept if t.text is None or known_term(self.model, t.text) or set(_tokens(t.text)) & said
        ]
        if not counting or names.taken or not one_term(counting, self._path_of):
            return None
        # a photo given twice too: ranked as by example, it was judged by an added photo's looser
        # bar and called photos likely that the photo alone did not (audit 100, repro_3)
        return replace(counting[0], weight=1.0)

    def _unseen_in_any(self, terms: Sequence[Term]) -> tuple[str, ...]:
        """Why a combined query listed nothing, when an added text's words are concepts alone that no
        photo shows clearly ("a dog" + "espresso" said only "no matching photos": the GUI walk of
        stop 43): those words alone, read over the whole library ("castle" + "espresso" said no
        photo showed a castle either: audit 85, repro_3)."""
        added = [t.text for t in terms if t.text is not None and not t.negative]
        with self._store_lock:
            unseen = [w for text in added for w in self.engine.unseen_anywhere(text)]
        return tuple(dict.fromkeys(unseen))

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
        rules = path_words.name_rule(self.model), path_words.judged_rule(self.model)
        for negative in (False, True):
            given = [t for t in terms if t.text is not None and t.negative == negative]
            if not given:
                continue
            text = " ".join(str(t.text) for t in given)
            # which added photos go first reads the words as a plain search would (audit 80)
            judged = (
                rules[1] if negative else path_words.judged_where_seen(rules[1], self._seen_nowhere(text))
            )
            matches, named, by_names, lacks = path_words.path_matches(
                self.library, text, roots, rules[0], judged
            )
            names.words |= named
            if not negative:
                names.added, names.by_names, names.lacks = matches, by_names, lacks
                continue
            names.taken, names.lowered = self._named_away(given, roots, rules[0])
        return names

    def _named_away(
        self, given: Sequence[QueryTerm], roots: list[str], is_name: Callable[[str], bool]
    ) -> tuple[list[int], dict[int, float]]:
        """The photos the taken-away texts ``given`` name: those left out, and those lowered, each
        by how much. A name says what is taken away when it holds every word of one text: "- wild
        animals" left out the farm dog of explore_farm_animals_dog.jpg, and texts joined into one
        let a word of either do (audit 92, repro_1). Taken away at full weight, a text leaves its
        photos out; at less, it lowers them by its weight ("- 0.01 x cat" left cat.jpg out outright:
        audit 73, repro_7)."""
        from photoscope.search import path_words

        taken: set[int] = set()
        lowered: dict[int, float] = {}
        for term in given:
            shares = path_words.path_matches(self.library, str(term.text), roots, is_name)[0]
            named = [pid for pid, share in shares.items() if share >= 1.0]
            if term.weight >= 1.0:
                taken.update(named)
            for pid in named:
                lowered[pid] = max(lowered.get(pid, 0.0), term.weight)
        return sorted(taken), {pid: weight for pid, weight in lowered.items() if pid not in taken}

    def _seen_nowhere(self, text: str) -> Callable[[], frozenset[str]]:
        """The text's words the head alone judges and sees clearly in no photo, when asked
        (``SearchEngine.seen_nowhere``)."""

        def seen_nowhere() -> frozenset[str]:
            with self._store_lock:
                return self.engine.seen_nowhere(text)

        return seen_nowhere

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
            embedding = self.model.embed([pixels(term.photo)])[0]
            found = Term(feature=embedding.feature, latent=embedding.latent)
        return replace(found, weight=term.weight, negative=term.negative), known

    def _rank_combined(
        self,
        resolved: _Resolved,
        limit: int,
        filters: Filters | None,
        names: _Names | None = None,
        takes_away_only: bool = False,
    ) -> tuple[SearchResult, list[tuple[str, ...]], _Bound]:
        """The best ``limit`` photos for the resolved terms, with the photos the added terms name
        lifted (``path_words.lift_named``: those it put first are ``named``) and those a taken-away
        term names left out; per term the words a photo term counted as; and what bounds the
        query's likely matches (``_likely_bound``). A query that ``takes_away_only`` lists every
        photo its names do not leave out, in the store's order, where no term is left to rank by
        ("without paris": audit 85, repro_5)."""
        import numpy as np

        from photoscope.search import path_words
        from photoscope.search.combine import CombinedRanker
        from photoscope.search.results import SearchResult, library_curve

        names = names or _Names()
        if not resolved.terms and not names.added and not takes_away_only:
            return SearchResult([]), [], _Bound()
        only_words = _concept_only_words(self.model, resolved.terms)
        allowed = self._allowed(filters)
        filtered, among = allowed is not None, None
        exclude = [*resolved.exclude, *names.taken]
        first: frozenset[int] = frozenset()
        with self._store_lock:
            store = self.store  # once: the scores are for its rows as they are now
            ranked = CombinedRanker(self.model, store).rank(resolved.terms) if resolved.terms else None
            scores = None if ranked is None else ranked.scores.numpy()
            if scores is None and takes_away_only:  # names alone take away: every other photo alike
                scores = np.zeros(len(store.ids), np.float32)
            words = [] if ranked is None else ranked.photo_words
            if names.added:
                if all(t.negative for t in resolved.terms):  # names alone add: among what they name
                    among = np.fromiter(names.added, dtype=np.int64, count=len(names.added))
                    allowed = among if allowed is None else np.intersect1d(allowed, among)
                lifted = _not_taken_away(self.model, store, names.added, resolved.terms)
                lifted = _vouched_where_left_out(scores, store.ids, lifted, names.lacks, only_words)
                scores, first = path_words.lift_named(scores, store.ids, lifted, promotable=names.by_names)
            assert scores is not None
            scores = _lowered(scores, store.ids, names.lowered)
            # the bound of the whole library's answer (``among``: what names alone rank among), which
            # a filtered answer's likely matches are read from too (``_results``)
            bound = _likely_bound(store, ranked, among, exclude)

            def best(s: np.ndarray, n: int, only: np.ndarray | None) -> list[Hit]:
                return store.top_k(s, n, only, exclude)

            curve = library_curve(best, scores, filtered, among)
            hits = store.top_k(scores, limit, allowed, exclude)
            lacks = {i: names.lacks.get(i, ()) for i in first}
            copies = _copies_of_added_photos(store, ranked, hits)
            found = SearchResult(hits, named=first, library_best=curve, name_lacks=lacks)
            return replace(found, near_duplicates=copies), words, bound


def _lowered(scores: np.ndarray, ids: np.ndarray, lowered: Mapping[int, float]) -> np.ndarray:
    """Scores with the photos a light taken-away name names (``_Names.lowered``) lowered by the
    names' lift (``path_words.PATH_BONUS``) times the term's weight and share of words."""
    import numpy as np

    from photoscope.search.path_words import PATH_BONUS

    if not lowered:
        return scores
    rows = np.nonzero(np.isin(ids, np.fromiter(lowered, dtype=np.int64, count=len(lowered))))[0]
    out = np.array(scores, np.float32)
    out[rows] -= PATH_BONUS * np.array([lowered[int(i)] for i in ids[rows]], np.float32)
    return out


def _marked_as_copies(results: Results, ranked: SearchResult) -> Results:
    """``results`` with the photos that are copies of an added photo marked so (``Match.near_duplicate``)."""
    copies = ranked.near_duplicates
    if not copies:
        return results
    matches = [
        replace(m, near_duplicate=True, copy_of=None) if m.photo.id in copies else m for m in results.matches
    ]
    return replace(results, matches=matches)


def _copies_of_added_photos(store: VectorStore, ranked: Ranked | None, hits: Sequence[Hit]) -> frozenset[int]:
    """The listed photos that are copies of an added photo (``NEAR_DUPLICATE``, its feature cosine
    in ``Ranked.examples``), marked so as search by example marks them (stop 59's Left list: `similar
    a.jpg --add "grass"` listed a.jpg's copy unmarked). Marked only: whether one is a likely
    match is the combined query's to say, not its copy's of the photo (by example, copies are)."""
    import numpy as np

    from photoscope.search.duplicates import NEAR_DUPLICATE

    if ranked is None or not ranked.examples or not hits:
        return frozenset()
    rows = store.rows_of_ids([h.photo_id for h in hits])
    best = np.max([row[rows] for row in ranked.examples], axis=0)
    return frozenset(h.photo_id for h, cosine in zip(hits, best, strict=True) if cosine >= NEAR_DUPLICATE)


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


def _concept_only_words(model: PhotoscopeModel, terms: Sequence[Term]) -> frozenset[str]:
    """The words (as names are read: ``path_words.query_words``) of the added texts only the concepts
    know ("espresso"), each of which keeps only the photos the head sees it in (``combine.add_concepts``)."""
    from photoscope.search.combine import concepts_only
    from photoscope.search.path_words import query_words

    texts = [t.text for t in terms if t.text is not None and not t.negative]
    return frozenset(w for text in texts if concepts_only(model.query_words(text)) for w in query_words(text))


def _vouched_where_left_out(
    scores: np.ndarray | None,
    ids: np.ndarray,
    named: dict[int, float],
    lacks: Mapping[int, Sequence[str]],
    only_words: AbstractSet[str],
) -> dict[int, float]:
    """The named photos the names may lift: of those the network leaves out (-inf: an added term only
    the concepts know, ``only_words``, is not seen in them), only those whose names say that term's
    words. A name vouches only for the words it holds: "castle" + "espresso" listed the two photos
    named Castle (no espresso in either), and "a dog" + "espresso" dog.jpg, where "a bird" +
    "espresso" listed nothing (audit 85, repro_3); eiffelTower.jpg still goes with "tower"."""
    import numpy as np

    if scores is None or not only_words:
        return named
    left_out = {int(i) for i in ids[~np.isfinite(scores)]}
    return {
        i: share for i, share in named.items() if i not in left_out or not set(lacks.get(i, ())) & only_words
    }


def _only_unknown(phrase: str, unknown: Sequence[UnknownWord], names: AbstractSet[str]) -> bool:
    """Whether every word of a phrase is one the network does not know (and no name): nothing of it
    was searched (a stand-in concept's word was: it is not unknown so)."""
    words = set(_tokens(phrase))
    return bool(words) and words <= not_searched(unknown) and not words & names


@dataclass
class _Names:
    """What a combined query's words name by folder and file names (``Combining._term_names``)."""

    added: dict[int, float] = field(default_factory=dict)  # photo id -> share of the added words
    by_names: frozenset[int] = frozenset()  # of those, the photos a name names (they may go first)
    lacks: dict[int, tuple[str, ...]] = field(default_factory=dict)  # of those, the added words not in it
    taken: list[int] = field(default_factory=list)  # photos a taken-away term names
    lowered: dict[int, float] = field(default_factory=dict)  # by a light one: its weight x share of words
    words: set[str] = field(default_factory=set)  # the query words that name some photo


def _tokens(text: str) -> list[str]:
    from photoscope.search.path_words import tokens

    return tokens(text)


@dataclass(frozen=True)
class _Bound:
    """What bounds a combined query's likely matches (``_likely_bound``)."""

    at_most: int | None = None  # None: no bound
    no_look_alike: bool = False  # an added photo that no photo of the library looks like
    unlike: frozenset[int] = frozenset()  # which: their places among ``Ranked.examples``
    alike: frozenset[int] | None = None  # the photos that look like every added photo (None: none added)


def _likely_bound(
    store: VectorStore, ranked: Ranked | None, allowed: np.ndarray | None, exclude: Sequence[int]
) -> _Bound:
    """The fewest likely matches any added photo has by itself, among the photos the query may list:
    by its own scores' knee (``Ranked.alone``) and by the photos that look like it
    (``Ranked.examples``; ``results.ADDED_PHOTO_LOOKS_ALIKE``), its copies not counted
    (``NEAR_DUPLICATE``: the photo itself; a cat's two copies called four castles likely for
    "a castle" + the cat, the fresh-seat audit of stop 52). An added text's is plain search's
    (``Combining._likely_within_texts_alone``)."""
    from photoscope.search.duplicates import NEAR_DUPLICATE
    from photoscope.search.results import ADDED_PHOTO_LOOKS_ALIKE

    if ranked is None:
        return _Bound()

    def best(row: np.ndarray) -> list[Hit]:
        return store.top_k(row, POOL, allowed, exclude)

    def beyond_copies(hits: list[Hit]) -> list[float]:
        return [h.score for h in hits if h.score < NEAR_DUPLICATE]

    knees = [relevance([h.score for h in best(row)])[0] for row in ranked.alone]
    examples = [best(row) for row in ranked.examples]
    alike = [looking_alike(beyond_copies(hits), bar=ADDED_PHOTO_LOOKS_ALIKE) for hits in examples]
    unlike = frozenset(at for at, count in enumerate(alike) if count == 0)
    # per added photo, the photos that look like it (its copies too: a named copy of it is likely)
    looks = [{h.photo_id for h in hits if h.score >= ADDED_PHOTO_LOOKS_ALIKE} for hits in examples]
    alike_all = frozenset(set.intersection(*looks)) if looks else None
    return _Bound(min([*knees, *alike], default=None), bool(unlike), unlike, alike_all)


def _photos_unlike(terms: Sequence[QueryTerm], resolved: _Resolved, bound: _Bound) -> tuple[bool, ...]:
    """Per photo term of weight above 0 (as ``Results.photo_words``), whether no photo of the
    library looks like it: ``bound.unlike`` counts the added photos among the ranked terms."""
    added = [r for r, t in enumerate(resolved.terms) if t.feature is not None and not t.negative]
    example_of = {r: at for at, r in enumerate(added)}  # ``Ranked.examples``' order
    places = [p for p, t in enumerate(terms) if t.photo is not None and t.weight > 0]
    return tuple(example_of.get(resolved.places.get(p, -1), -1) in bound.unlike for p in places)


@dataclass
class _Resolved:
    """A combined query's terms as the ranker takes them, the library photos they are (left out of
    the results), and each given photo term's place among ``terms`` (by its place in the query)."""

    terms: list[Term] = field(default_factory=list)
    exclude: list[int] = field(default_factory=list)
    places: dict[int, int] = field(default_factory=dict)
