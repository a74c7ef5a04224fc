"""Validation of the caption network: caption metrics and text-to-photo retrieval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from photoscope.network.caption_network import CaptionNetwork
from photoscope.network.decoding import Choice, beam_search, pad_batch
from photoscope.network.model import DecodeOptions, PhotoscopeModel
from photoscope.network.vocab import Vocabulary
from photoscope.training.metrics import caption_metrics


@torch.inference_mode()
def photo_latents(net: CaptionNetwork, features: np.ndarray) -> torch.Tensor:
    """Latents of N x 2 x 1280 features: the mean of the photo's and its mirror image's."""
    both = torch.from_numpy(features.astype(np.float32)).to(_device(net))
    return net.latent(both).mean(dim=1)


def _device(net: torch.nn.Module) -> torch.device:
    return next(net.parameters()).device


def evaluate_captions(
    net: CaptionNetwork,
    vocab: Vocabulary,
    latents: torch.Tensor,
    references: Sequence[Sequence[str]],
    beam: int = 3,
    length_penalty: float = 0.5,
    batch: int = 250,
    choice: Choice | None = None,
) -> tuple[dict[str, float], list[str]]:
    captions: list[str] = []
    for chunk in latents.split(batch):
        found = beam_search(net, vocab, chunk, beam, length_penalty=length_penalty, choice=choice)
        captions += [c.text for c in found]
    return _scored(captions, references), captions


def _scored(captions: Sequence[str], references: Sequence[Sequence[str]]) -> dict[str, float]:
    """BLEU, CIDEr … of ``captions`` against each photo's ``references``, in order."""
    keys = [str(i) for i in range(len(captions))]
    return caption_metrics(dict(zip(keys, captions, strict=True)), dict(zip(keys, references, strict=True)))


def stored_caption_metrics(
    model: PhotoscopeModel,
    features: torch.Tensor,
    latents: torch.Tensor,
    references: Sequence[Sequence[str]],
    options: DecodeOptions | None = None,
    batch: int = 250,
) -> tuple[dict[str, float], list[str]]:
    """BLEU and CIDEr of the captions the app stores for these photos (``describe_vectors`` of
    their 1280-d features and latents: guided, checked by the head), and the captions."""
    captions: list[str] = []
    for lo in range(0, len(latents), batch):
        found = model.describe_vectors(features[lo : lo + batch], latents[lo : lo + batch], options)
        captions += [d.text for d in found]
    return _scored(captions, references), captions


def recall_at(ranks: np.ndarray) -> dict[str, float]:
    """R@1/5/10 (in percent) and median rank (1-based) from each query's 0-based rank."""
    return {
        "r1": float((ranks < 1).mean() * 100),
        "r5": float((ranks < 5).mean() * 100),
        "r10": float((ranks < 10).mean() * 100),
        "median_rank": float(np.median(ranks) + 1),
    }


def ranks_of(scores: torch.Tensor, truth: torch.Tensor) -> np.ndarray:
    """0-based rank of the true photo for each query row of a Q x N score matrix."""
    true_scores = scores.gather(1, truth.unsqueeze(1))
    return (scores > true_scores).sum(1).cpu().numpy()


@torch.inference_mode()
def text_encoder_retrieval(
    net: CaptionNetwork, vocab: Vocabulary, latents: torch.Tensor, captions: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Retrieval by the text encoder alone: every caption queries all photos by cosine."""
    queries = [(i, vocab.encode(c, add_end=False)) for i, caps in enumerate(captions) for c in caps]
    tokens, lengths = (t.to(latents.device) for t in pad_batch([q for _, q in queries], vocab.pad))
    text = torch.nn.functional.normalize(net.encode_text(tokens, lengths), dim=1)
    photos = torch.nn.functional.normalize(latents, dim=1)
    truth = torch.tensor([i for i, _ in queries], device=latents.device)
    return recall_at(ranks_of(text @ photos.T, truth))
