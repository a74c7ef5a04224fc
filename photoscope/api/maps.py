"""The network's words (similar words, analogies) and the maps: the library's photos and the words
laid out by t-SNE."""

from __future__ import annotations

import hashlib
import os
from functools import cached_property
from typing import TYPE_CHECKING

from photoscope.api.core import Core
from photoscope.config import cache_dir

if TYPE_CHECKING:  # the maps (NumPy, PIL) are imported when one is drawn: not by `status`
    from photoscope.search.maps import Layout
    from photoscope.search.maps import Progress as MapProgress
    from photoscope.search.words import WordScore, WordSpace


class WordsAndMaps(Core):
    # the network's words

    @cached_property
    def words(self) -> WordSpace:
        from photoscope.search.words import WordSpace

        if "model" in self.__dict__:
            return WordSpace(self.model)
        from photoscope.network import load_lexicon

        return WordSpace(load_lexicon(self._model_dir))  # from the bundle's files: no PyTorch

    def similar_words(self, word: str, limit: int = 10) -> list[WordScore]:
        """Words the network uses like ``word``; raises ``UnknownWordError``."""
        return self.words.similar(word, limit)

    def analogy(self, a: str, b: str, c: str, limit: int = 5) -> list[WordScore]:
        """a is to b as c is to ?; raises ``UnknownWordError``."""
        return self.words.analogy(a, b, c, limit)

    def word_map(self, count: int = 300) -> Layout:
        """The most frequent known words laid out by their embeddings, function words ("a", "is",
        "of") left out: they took the map's room and say nothing of photos."""
        from photoscope.search.maps import word_layout
        from photoscope.wordlists import FUNCTION_WORDS

        space = self.words
        rows = [i for i, w in enumerate(space.words) if w not in FUNCTION_WORDS][:count]  # by frequency
        return word_layout([space.words[i] for i in rows], space.vectors[rows])

    # maps

    def photo_map(self, progress: MapProgress | None = None, limit: int | None = None) -> Layout:
        """The library's photos laid out by their latents (cached; sampled above ``limit``, by default
        ``search.maps.MAX_PHOTOS``)."""
        from photoscope.search.maps import MAX_PHOTOS, PhotoMapCache, photo_layout

        identity = self.model_identity()
        version = identity.version if identity is not None else self.model.version  # the network says why
        ids, latents = self.library.load_vectors("latent", model_version=version)
        cache = PhotoMapCache(
            cache_dir() / "maps" / hashlib.sha1(os.fsencode(self.library.path)).hexdigest()[:10]
        )
        return photo_layout(ids, latents, cache, version, MAX_PHOTOS if limit is None else limit, progress)
