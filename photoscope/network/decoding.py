"""Turning latents into captions (batched beam search) and scoring given captions exactly.

Beam search chooses among the hypotheses it finished (``Choice``), not by likelihood alone, which
favours safe, generic captions ("a dog runs through the grass"):
- by how well the network's own text encoder matches each one to the photo's latent (``rerank``):
  the contrastively trained text encoder knows which candidate says most about this photo. On
  Flickr8k val this lifted CIDEr by about 0.03.
- by how much each one agrees with the others (``consensus``): the words and phrases most of the
  likely candidates share are the ones the decoder is sure of, and a candidate that has them and
  little else is a minimum-Bayes-risk choice. The agreement is the cosine of two captions' 1- to
  4-gram counts, averaged over n, each other candidate weighted by its likelihood.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from photoscope.network.caption_network import CaptionNetwork
from photoscope.network.vocab import Vocabulary


@dataclass(frozen=True)
class Choice:
    """How the caption is chosen among the finished hypotheses (see the module's docstring): the
    one with the best ``score + rerank * cos(text encoding, latent) + consensus * agreement``."""

    candidates: int = 0  # the likeliest finished hypotheses to choose among (0: the beam's width)
    rerank: float = 0.0  # weight of the text encoder's match
    consensus: float = 0.0  # weight of the agreement with the other candidates
    # The other candidates weigh softmax(score / temperature): scores are per-word log-probabilities
    temperature: float = 3.0
    # A candidate that repeats a phrase of this many words ("a group of people stand in front of a
    # group of people") is chosen only when every candidate does (0: any may be)
    no_repeat: int = 0

    @property
    def chooses(self) -> bool:
        return self.rerank > 0 or self.consensus > 0

    def pool(self, beam: int) -> int:
        """How many of the likeliest finished hypotheses it chooses among."""
        return self.candidates or beam


@dataclass(frozen=True)
class Caption:
    text: str
    score: float  # length-normalised log-probability (higher is better, <= 0)
    log_prob: float  # total log-probability of the words and <end>


def _repeat_state(state: Any, times: int) -> Any:
    if isinstance(state, tuple):  # LSTM (h, c)
        return tuple(s.repeat_interleave(times, dim=1) for s in state)
    return state.repeat_interleave(times, dim=1)


def _select_state(state: Any, rows: torch.Tensor) -> Any:
    if isinstance(state, tuple):
        return tuple(s[:, rows] for s in state)
    return state[:, rows]


def _step_searching(
    net: CaptionNetwork, tokens: torch.Tensor, state: Any, done: torch.Tensor, k: int
) -> tuple[torch.Tensor, Any]:
    """One decoding step of the photos not ``done`` (their ``k`` rows each); the others' rows get
    -inf log-probabilities and keep their state."""
    if not bool(done.any()):
        return net.step(tokens, state)
    rows = (torch.nonzero(~done) * k + torch.arange(k, device=tokens.device)).reshape(-1)
    stepped, stepped_state = net.step(tokens[rows], _select_state(state, rows))
    log_probs = torch.full((len(tokens), stepped.shape[1]), float("-inf"), device=tokens.device)
    log_probs[rows] = stepped
    return log_probs, _put_state(state, rows, stepped_state)


def _put_state(state: Any, rows: torch.Tensor, part: Any) -> Any:
    """``state`` with its ``rows`` replaced by ``part``."""
    if isinstance(state, tuple):
        return tuple(_put_state(s, rows, p) for s, p in zip(state, part, strict=True))
    whole = state.clone()
    whole[:, rows] = part
    return whole


class _Finished:
    """Every hypothesis that ended during the search (up to ``beam`` per photo and step), and the
    ``choice`` that picks each photo's caption among them."""

    def __init__(self, n: int, k: int, max_len: int, device: torch.device, choice: Choice) -> None:
        self.k = k
        self.choice = choice
        width = (max_len + 1) * k
        self.pool = min(choice.pool(k), width)
        self.scores = torch.full((n, width), float("-inf"), device=device)  # length-normalised log p
        self.raw = torch.zeros(n, width, device=device)
        self.seqs = torch.zeros(n, width, max_len + 1, dtype=torch.long, device=device)
        self.lengths = torch.zeros(n, width, dtype=torch.long, device=device)  # words, without <end>

    def add(
        self, t: int, ended: torch.Tensor, norm: torch.Tensor, raw: torch.Tensor, words: torch.Tensor
    ) -> None:
        """Step ``t``'s top-k candidates (N x k): which ended, their scores, their N x k x t words."""
        cols = slice(t * self.k, (t + 1) * self.k)
        self.scores[:, cols] = torch.where(ended, norm, float("-inf"))
        self.raw[:, cols] = raw
        self.seqs[:, cols, :t] = words
        self.lengths[:, cols] = t

    def last_candidate_score(self) -> torch.Tensor:
        """Each photo's ``pool``-th best finished score (-inf while it has fewer)."""
        return self.scores.topk(self.pool, dim=1).values[:, -1]

    def best(self, net: CaptionNetwork, vocab: Vocabulary, latents: torch.Tensor) -> list[Caption]:
        """Each photo's caption by ``choice`` among its ``pool`` likeliest finished hypotheses
        (more candidates cost text encodings)."""
        choice = self.choice
        scores, cols = self.scores.topk(self.pool, dim=1)  # N x m
        valid = torch.isfinite(scores)
        every = torch.arange(len(scores), device=scores.device).unsqueeze(1)
        seqs, lengths = self.seqs[every, cols], self.lengths[every, cols]  # N x m x L, N x m
        combined = scores.clone()
        if choice.rerank > 0:
            rows, at = valid.nonzero(as_tuple=True)
            similarity = _text_similarity(net, seqs[rows, at], lengths[rows, at], latents[rows])
            combined[rows, at] += choice.rerank * similarity
        if choice.consensus > 0:
            combined += choice.consensus * _consensus(seqs, lengths, scores, choice.temperature)
        allowed = valid
        if choice.no_repeat > 0:
            allowed = valid & ~_repeats_a_gram(seqs, lengths, choice.no_repeat)
            allowed = torch.where(allowed.any(dim=1, keepdim=True), allowed, valid)
        best = combined.masked_fill(~allowed, float("-inf")).argmax(dim=1, keepdim=True)
        chosen = cols.gather(1, best)[:, 0]
        row = every[:, 0]
        seqs_out, lengths_out = self.seqs[row, chosen].tolist(), self.lengths[row, chosen].tolist()
        chosen_scores, raw = self.scores[row, chosen].tolist(), self.raw[row, chosen].tolist()
        return [
            Caption(vocab.decode(words[:length]), score, r)
            for words, length, score, r in zip(seqs_out, lengths_out, chosen_scores, raw, strict=True)
        ]


def _consensus(
    seqs: torch.Tensor, lengths: torch.Tensor, scores: torch.Tensor, temperature: float
) -> torch.Tensor:
    """N x m: each candidate's expected agreement with its photo's candidates (itself included),
    each weighted by softmax(score / temperature); -inf scores are no candidates."""
    agreement = torch.zeros(*scores.shape, scores.shape[1], device=scores.device)
    for n, grams in enumerate(_gram_ids(seqs, MAX_GRAM), start=1):
        counts = _gram_counts(grams, lengths, n)
        dots = counts @ counts.transpose(1, 2)
        norms = dots.diagonal(dim1=1, dim2=2).clamp(min=1.0).sqrt()
        agreement += dots / (norms.unsqueeze(2) * norms.unsqueeze(1))
    weights = (scores / temperature).softmax(dim=1).nan_to_num(0.0)
    return (agreement / MAX_GRAM * weights.unsqueeze(1)).sum(dim=2)


def _text_similarity(
    net: CaptionNetwork, seqs: torch.Tensor, lengths: torch.Tensor, latents: torch.Tensor
) -> torch.Tensor:
    """Cosine between each word sequence's text encoding (as a search query's) and its latent."""
    tokens = seqs[:, : max(1, int(lengths.max()))]
    return F.cosine_similarity(net.encode_texts_alone(tokens, lengths), latents, dim=1)


MAX_GRAM = 4  # the agreement counts 1- to 4-grams, as BLEU and CIDEr do


def _gram_ids(seqs: torch.Tensor, longest: int) -> Iterator[torch.Tensor]:
    """For n = 1 .. ``longest``, N x m x (L - n + 1) ids of the n-gram that starts at each position
    of each candidate (equal ids, equal n-grams; past a candidate's end they mean nothing)."""
    words = int(seqs.max()) + 1 if seqs.numel() else 1
    grams = seqs  # for n = 1 the words themselves
    for n in range(1, longest + 1):
        if n > 1:  # an (n-1)-gram and the word after it, numbered again from 0 (no overflow)
            grams = torch.unique(grams[:, :, :-1] * words + seqs[:, :, n - 1 :], return_inverse=True)[1]
        yield grams


def _inside(grams: torch.Tensor, lengths: torch.Tensor, n: int) -> torch.Tensor:
    """N x m x P: which n-gram positions lie within their candidate's ``lengths`` words."""
    return torch.arange(grams.shape[2], device=grams.device) + n <= lengths.unsqueeze(2)


def _repeats_a_gram(seqs: torch.Tensor, lengths: torch.Tensor, n: int) -> torch.Tensor:
    """N x m: whether a candidate has some n-gram twice."""
    *_, grams = _gram_ids(seqs, n)
    inside = _inside(grams, lengths, n)
    elsewhere = -1 - torch.arange(grams.shape[2], device=grams.device)  # past the end: all different
    ordered = torch.where(inside, grams, elsewhere).sort(dim=2).values
    return (ordered[:, :, 1:] == ordered[:, :, :-1]).any(dim=2)


def _gram_counts(grams: torch.Tensor, lengths: torch.Tensor, n: int) -> torch.Tensor:
    """N x m x G: how often each of a photo's G distinct n-grams occurs in each of its candidates
    (``grams``: N x m x P n-gram ids, one per start position; ``lengths``: the candidates' words)."""
    photos, m, _ = grams.shape
    inside = _inside(grams, lengths, n)
    photo, candidate, _ = inside.nonzero(as_tuple=True)
    # One key per photo and n-gram: sorted, a photo's distinct n-grams are numbered consecutively.
    span = int(grams.max()) + 1 if grams.numel() else 1
    keys = photo * span + grams[inside]
    distinct, which = torch.unique(keys, return_inverse=True)
    first = torch.searchsorted(distinct, torch.arange(photos + 1, device=grams.device) * span)
    size = max(int((first[1:] - first[:-1]).max()), 1) if photos else 1
    counts = torch.zeros(photos * m, size, device=grams.device)
    ones = torch.ones(len(keys), device=grams.device)
    counts.index_put_((photo * m + candidate, which - first[photo]), ones, accumulate=True)
    return counts.view(photos, m, size)


@dataclass(frozen=True)
class _Words:
    """The words of a step's candidates: candidate j of photo i continues live row ``i * k +
    src[i, j]`` of ``seqs`` (N*k x t)."""

    seqs: torch.Tensor
    src: torch.Tensor
    k: int
    end: int

    def of(self, photos: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
        return self.seqs[photos * self.k + self.src[photos, candidates]]

    def top_k(self) -> torch.Tensor:
        """N x k x t: the words of each photo's best k candidates."""
        n, t = self.src.shape[0], self.seqs.shape[1]
        return self.seqs.view(n, self.k, t).gather(1, self.src[:, : self.k, None].expand(n, self.k, t))


class _BestEnded:
    """Each photo's best hypothesis that ended, by its length-normalised score (the caption when no
    ``Choice`` chooses among all that ended)."""

    def __init__(self, n: int, max_len: int, device: torch.device) -> None:
        self.norm = torch.full((n,), float("-inf"), device=device)
        self.raw = torch.zeros(n, device=device)
        self.seqs = torch.zeros(n, max_len + 1, dtype=torch.long, device=device)

    def add(self, t: int, ended: torch.Tensor, norm: torch.Tensor, raw: torch.Tensor, words: _Words) -> None:
        """Step ``t``'s candidates (N x 2k): which ``ended`` and count, their scores, and where
        their words are (read only for the photos whose best this step beats)."""
        step_best, at = torch.where(ended, norm, float("-inf")).max(dim=1)
        better = step_best > self.norm
        if not better.any():
            return
        rows = torch.nonzero(better).squeeze(1)
        self.seqs[rows] = 0
        self.seqs[rows, :t] = words.of(rows, at[rows])
        self.seqs[rows, t] = words.end
        self.norm[rows] = step_best[rows]
        self.raw[rows] = raw[rows, at[rows]]

    def captions(self, vocab: Vocabulary) -> list[Caption]:
        return [
            Caption(vocab.decode(words), norm, raw)
            for words, norm, raw in zip(
                self.seqs.tolist(), self.norm.tolist(), self.raw.tolist(), strict=True
            )
        ]


def _allowed(
    log_probs: torch.Tensor, banned: torch.Tensor, bias: torch.Tensor | None, only: int | None
) -> torch.Tensor:
    """A step's log-probabilities with the ``banned`` tokens at -inf, the photos' word ``bias``
    added, and, when the caption is out of room, every token but ``only`` (<end>) at -inf."""
    log_probs[:, banned] = float("-inf")
    if bias is not None:
        log_probs += bias
    if only is not None:
        keep = log_probs[:, only].clone()
        log_probs.fill_(float("-inf"))
        log_probs[:, only] = keep
    return log_probs


@torch.inference_mode()
def beam_search(
    net: CaptionNetwork,
    vocab: Vocabulary,
    latents: torch.Tensor,
    beam: int = 3,
    max_len: int = 20,
    length_penalty: float = 0.5,
    choice: Choice | None = None,
    word_bias: torch.Tensor | None = None,
) -> list[Caption]:
    """One caption per latent; ``beam=1`` is greedy decoding.

    ``word_bias`` (N x vocabulary) is added to each step's log-probabilities of a photo's words:
    -inf bans a word (one the encoder's ImageNet head does not support: see ``naming.py``), a
    negative value holds back one the word detectors do not see in the photo (``model.py``). The
    scores reported then include it.

    Hypotheses are ranked by ``log p / (words + 1) ** length_penalty``. All photos advance
    together as one (N x beam) batch, on the latents' device. A photo stops once none of its live
    hypotheses can still beat its best finished one; with a ``choice`` that re-ranks or seeks
    consensus, once none can still be among the likeliest finished ones it chooses from
    (``Choice``). So a photo's caption does not depend on the photos decoded with it.
    """
    n, k, v, dev = latents.shape[0], beam, len(vocab), latents.device
    if n == 0:
        return []
    state = _repeat_state(net.start_state(latents), k)
    tokens = torch.full((n * k,), vocab.start, dtype=torch.long, device=dev)
    scores = torch.full((n, k), float("-inf"), device=dev)
    scores[:, 0] = 0.0  # all beams start identical: expand only the first
    seqs = torch.zeros(n * k, 0, dtype=torch.long, device=dev)
    best = _BestEnded(n, max_len, dev)
    banned = torch.tensor([vocab.pad, vocab.start, vocab.unk], device=dev)
    rank = torch.arange(2 * k, device=dev).expand(n, 2 * k)
    in_top_k = rank < k  # a hypothesis counts as ended only if it is among the step's best k
    row_bias = None if word_bias is None else word_bias.to(dev).float().repeat_interleave(k, 0)
    finished = _Finished(n, k, max_len, dev, choice) if choice and choice.chooses and k > 1 else None
    done = torch.zeros(n, dtype=torch.bool, device=dev)
    for t in range(max_len + 1):
        log_probs, state = _step_searching(net, tokens, state, done, k)
        log_probs = _allowed(log_probs, banned, row_bias, vocab.end if t == max_len else None)
        top, idx = (scores.reshape(-1, 1) + log_probs).reshape(n, k * v).topk(2 * k, dim=1)
        src, tok = idx // v, idx % v
        is_end = tok == vocab.end
        norm = top / float(t + 1) ** length_penalty
        words = _Words(seqs, src, k, vocab.end)
        if finished is None:
            best.add(t, is_end & in_top_k, norm, top, words)
        else:  # it chooses among all that ended: the best by score alone is not needed
            finished.add(t, is_end[:, :k], norm[:, :k], top[:, :k], words.top_k())
        # Live hypotheses: the best k candidates that did not end.
        order = (is_end.long() * 2 * k + rank).argsort(dim=1)[:, :k]
        scores = top.gather(1, order).masked_fill(is_end.gather(1, order), float("-inf"))
        beam_rows = (torch.arange(n, device=dev).unsqueeze(1) * k + src.gather(1, order)).reshape(-1)
        tokens = tok.gather(1, order).reshape(-1)
        seqs = torch.cat([seqs[beam_rows], tokens.unsqueeze(1)], dim=1)
        state = _select_state(state, beam_rows)
        # Log-probabilities only fall, so a live score can at best be divided by the longest length.
        bound = scores.max(dim=1).values / float(max_len + 1) ** length_penalty
        done |= bound <= (best.norm if finished is None else finished.last_candidate_score())
        if bool(done.all()):
            break
        scores = scores.masked_fill(done.unsqueeze(1), float("-inf"))
    return best.captions(vocab) if finished is None else finished.best(net, vocab, latents)


def pad_batch(sequences: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded B x T token tensor and the lengths."""
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    batch = torch.full((len(sequences), max(1, *(len(s) for s in sequences))), pad, dtype=torch.long)
    for i, seq in enumerate(sequences):
        batch[i, : len(seq)] = torch.tensor(seq, dtype=torch.long)
    return batch, lengths


def teacher_inputs(targets: torch.Tensor, start: int) -> torch.Tensor:
    """Decoder inputs for targets ``w1 .. wn <end>``: ``<start> w1 .. wn``."""
    return torch.cat([torch.full_like(targets[:, :1], start), targets[:, :-1]], dim=1)


def caption_log_prob(
    net: CaptionNetwork, latents: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor, start: int
) -> torch.Tensor:
    """Exact log p(caption | latent) for each row; differentiable in ``latents``.

    ``targets`` are padded ``w1 .. wn <end>`` rows and ``lengths`` count the <end> too. The output
    layer (most of the work) runs only where a row has a word: not after the latent, whose output
    predicts <start>, nor on the padding of a short text batched with long ones (a combined query's
    "- people" beside two sentences: a third of its inversion's output layer).
    """
    hidden = net.decoder_states(latents, teacher_inputs(targets, start))[:, 1:]
    worded = torch.arange(targets.shape[1], device=targets.device).unsqueeze(0) < lengths.unsqueeze(1)
    rows = worded.nonzero()[:, 0]
    logits = net.out(net.drop(hidden[worded]))
    log_probs = logits.log_softmax(-1).gather(1, targets[worded].unsqueeze(1)).squeeze(1)
    return torch.zeros(len(targets), dtype=log_probs.dtype, device=log_probs.device).index_add(
        0, rows, log_probs
    )
