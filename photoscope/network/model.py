"""The network's one door: every use of the trained bundle, as task-level calls.

Photos -> features, latents, tags and captions; text -> latent (encoded or inverted); the exact
likelihood of a text given latents; the decoder's words. Everything outside ``photoscope.network``
(search, the indexer through its protocol, the API, the CLI) runs the network only through
``PhotoscopeModel``; tensors cross this door, the modules that make them do not. No training here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from PIL import Image, ImageOps

from photoscope.config import default_model_dir
from photoscope.network.bundle import Bundle, load_bundle
from photoscope.network.decoding import Caption, beam_search, caption_log_prob, pad_batch
from photoscope.network.encoder import ImageEncoder, top_classes
from photoscope.network.inversion import InversionOptions, invert
from photoscope.network.lexicon import WORD_MIN_COUNT, suggest_words
from photoscope.network.preprocess import INPUT_SIZE, preprocess
from photoscope.network.vocab import SPECIALS


@dataclass(frozen=True)
class PhotoEmbedding:
    """What the encoder and the projection say of one photo."""

    feature: torch.Tensor  # 1280-d encoder feature (search by example photo)
    latent: torch.Tensor  # the network's latent (captions, search by description)
    tags: list[tuple[str, float]]  # top ImageNet classes and probabilities


@dataclass(frozen=True)
class PhotoDescription:
    """Everything the index stores for one photo, computed in one pass, as plain arrays."""

    feature: npt.NDArray[np.float16]
    latent: npt.NDArray[np.float32]
    tags: list[tuple[str, float]]
    caption: str
    caption_score: float


@dataclass(frozen=True)
class DecodeOptions:
    # Beam 5 with length penalty 0.5 measured best on Flickr8k val (closing notes of the caption issue).
    beam: int = 5
    max_len: int = 20
    length_penalty: float = 0.5
    # Re-rank finished hypotheses by the text encoder (see decoding.py): CIDEr rose steadily up to a
    # weight of 8 on both halves of Flickr8k val, then fell (captions grow long).
    rerank: float = 8.0


@dataclass(frozen=True)
class WordEmbeddings:
    words: list[str]  # frequent words, most frequent first
    vectors: torch.Tensor  # len(words) x D decoder input embeddings


class PhotoscopeModel:
    """The encoder and the trained caption network, loaded lazily and used on the CPU."""

    input_size = INPUT_SIZE

    def __init__(self, model_dir: str | Path | None = None, encoder: ImageEncoder | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        self.encoder = encoder or ImageEncoder()
        self._bundle: Bundle | None = None

    @property
    def bundle(self) -> Bundle:
        if self._bundle is None:
            # Parameters made under inference mode could never take part in autograd (inversion).
            with torch.inference_mode(False):
                self._bundle = load_bundle(self.model_dir)
        return self._bundle

    @property
    def version(self) -> str:
        return f"{self.bundle.name}@{self.bundle.version}"

    @property
    def latent_dim(self) -> int:
        return self.bundle.network.config.latent_dim

    def threads(self, count: int) -> contextlib.AbstractContextManager[None]:
        """Run the network on ``count`` threads in the calling thread (the indexer's CPU split)."""
        return torch_threads(count)

    # photos

    def embed(
        self, photos: Sequence[Image.Image], tags: int = 5, mirror: bool = False
    ) -> list[PhotoEmbedding]:
        """Encode upright RGB photos.

        ``mirror`` averages each latent with its mirror image's: slightly better captions for
        twice the encoder time, so indexing leaves it off (see the closing notes' figures).
        """
        if not photos:
            return []
        n = len(photos)
        batch = [*photos, *(ImageOps.mirror(p) for p in photos)] if mirror else list(photos)
        out = self.encoder.predict(preprocess(batch))
        with torch.inference_mode():
            all_latents = self.bundle.network.latent(out.features)
            latents = all_latents.reshape(-1, n, all_latents.shape[1]).mean(0)
        classes = top_classes(out.logits[:n], tags)
        return [PhotoEmbedding(out.features[i], latents[i], classes[i]) for i in range(n)]

    def caption(self, latents: torch.Tensor, options: DecodeOptions | None = None) -> list[Caption]:
        o = options or DecodeOptions()
        net, vocab = self.bundle.network, self.bundle.vocab
        return beam_search(net, vocab, latents, o.beam, o.max_len, o.length_penalty, o.rerank)

    def describe(
        self, photos: Sequence[Image.Image], options: DecodeOptions | None = None
    ) -> list[PhotoDescription]:
        """Embed and caption photos: what the index stores for each."""
        embeddings = self.embed(photos)
        if not embeddings:
            return []
        captions = self.caption(torch.stack([e.latent for e in embeddings]), options)
        return [
            PhotoDescription(
                feature=e.feature.float().numpy().astype(np.float16),
                latent=e.latent.float().numpy().astype(np.float32),
                tags=e.tags,
                caption=c.text,
                caption_score=c.score,
            )
            for e, c in zip(embeddings, captions, strict=True)
        ]

    # text

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """The text encoder's latent for each text (the first guess of search by description)."""
        vocab = self.bundle.vocab
        tokens, lengths = pad_batch([vocab.encode(t, add_end=False) for t in texts], vocab.pad)
        with torch.inference_mode():
            return self.bundle.network.encode_text(tokens, lengths)

    def invert_text(
        self, texts: Sequence[str], starts: torch.Tensor, options: InversionOptions | None = None
    ) -> torch.Tensor:
        """Latents refined from ``starts`` (one row per text) until the decoder would write each text."""
        vocab = self.bundle.vocab
        targets, lengths = pad_batch([vocab.encode(t) for t in texts], vocab.pad)
        return invert(self.bundle.network, starts, targets, lengths, vocab.start, options).latents

    def text_log_prob(self, latents: torch.Tensor, texts: Sequence[str]) -> torch.Tensor:
        """Per-word log-likelihood of each text under each latent: a T x K tensor for K latents per text
        (``latents`` holds T*K rows, each text's K rows together)."""
        vocab = self.bundle.vocab
        targets, lengths = pad_batch([vocab.encode(t) for t in texts], vocab.pad)
        k = len(latents) // max(1, len(texts))
        lengths_k = lengths.repeat_interleave(k, 0)
        with torch.inference_mode():
            log_p = caption_log_prob(
                self.bundle.network, latents, targets.repeat_interleave(k, 0), lengths_k, vocab.start
            )
        return (log_p / lengths_k).reshape(-1, k)

    # words

    def knows_any(self, text: str) -> bool:
        vocab = self.bundle.vocab
        return any(t != vocab.unk for t in vocab.encode(text, add_end=False))

    def unknown_words(self, text: str) -> list[str]:
        return self.bundle.vocab.unknown_words(text)

    def suggest(self, word: str, among: Sequence[str] | None = None) -> tuple[str, ...]:
        """Known words spelled like ``word`` (the one suggestion rule of search and the words tools)."""
        known = among if among is not None else [w for w in self.bundle.vocab.words if w not in SPECIALS]
        return suggest_words(word, known)

    def word_embeddings(self, min_count: int = WORD_MIN_COUNT) -> WordEmbeddings:
        """The decoder's embeddings of the words seen at least ``min_count`` times in training."""
        vocab = self.bundle.vocab
        keep = [
            i
            for i, (w, c) in enumerate(zip(vocab.words, vocab.counts, strict=True))
            if c >= min_count and w not in SPECIALS
        ]
        weights = self.bundle.network.embed.weight.detach()[keep]
        return WordEmbeddings([vocab.words[i] for i in keep], weights)


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run PyTorch on ``count`` threads in the calling thread only, restoring its setting after."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
