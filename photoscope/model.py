"""Inference with the trained bundle: photos -> features, latents, tags and captions; text -> latent.

The one entry point the indexer, search and the CLI use to run the network. No training here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image, ImageOps

from photoscope.bundle import Bundle, load_bundle
from photoscope.config import default_model_dir
from photoscope.decoding import Caption, beam_search, pad_batch
from photoscope.encoder import ImageEncoder, top_classes
from photoscope.imaging import preprocess


@dataclass(frozen=True)
class PhotoEmbedding:
    """Everything the index stores for one photo, computed in one pass."""

    feature: torch.Tensor  # 1280-d encoder feature (search by example photo)
    latent: torch.Tensor  # the network's latent (captions, search by description)
    tags: list[tuple[str, float]]  # top ImageNet classes and probabilities


@dataclass(frozen=True)
class DecodeOptions:
    # Beam 5 with length penalty 0.5 measured best on Flickr8k val (closing notes of the caption issue).
    beam: int = 5
    max_len: int = 20
    length_penalty: float = 0.5
    # Re-rank finished hypotheses by the text encoder (see decoding.py): CIDEr rose steadily up to a
    # weight of 8 on both halves of Flickr8k val, then fell (captions grow long).
    rerank: float = 8.0


class PhotoscopeModel:
    """The encoder and the trained caption network, loaded lazily and used on the CPU."""

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

    def text_latents(self, texts: Sequence[str]) -> torch.Tensor:
        """The text encoder's latent for each text (the first guess of search by description)."""
        vocab = self.bundle.vocab
        tokens, lengths = pad_batch([vocab.encode(t, add_end=False) for t in texts], vocab.pad)
        with torch.inference_mode():
            return self.bundle.network.encode_text(tokens, lengths)
