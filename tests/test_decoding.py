from __future__ import annotations

import collections
import math
from pathlib import Path

import pytest
import torch

from photoscope.network.bundle import load_bundle
from photoscope.network.decoding import (
    Choice,
    _consensus,
    _Finished,
    _repeats_a_gram,
    beam_search,
    caption_log_prob,
    pad_batch,
    teacher_inputs,
)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path):
    return load_bundle(tiny_model_dir)


def _greedy_reference(net, vocab, latent: torch.Tensor, max_len: int) -> list[int]:
    """Plain step-by-step argmax decoding, written independently of beam_search."""
    state = net.start_state(latent.unsqueeze(0))
    token, out = vocab.start, []
    for _ in range(max_len):
        log_probs, state = net.step(torch.tensor([token]), state)
        log_probs[0, [vocab.pad, vocab.start, vocab.unk]] = float("-inf")
        token = int(log_probs.argmax())
        if token == vocab.end:
            break
        out.append(token)
    return out


def test_beam_one_is_greedy_decoding(tiny) -> None:
    torch.manual_seed(1)
    latents = torch.randn(6, tiny.network.config.latent_dim) * 3
    captions = beam_search(tiny.network, tiny.vocab, latents, beam=1, max_len=8)
    for latent, caption in zip(latents, captions, strict=True):
        words = _greedy_reference(tiny.network, tiny.vocab, latent, 8)
        assert caption.text == tiny.vocab.decode(words)


def test_beam_search_is_deterministic_and_respects_max_length(tiny) -> None:
    torch.manual_seed(2)
    latents = torch.randn(5, tiny.network.config.latent_dim) * 3
    first = beam_search(tiny.network, tiny.vocab, latents, beam=4, max_len=5)
    second = beam_search(tiny.network, tiny.vocab, latents, beam=4, max_len=5)
    assert first == second
    assert all(len(c.text.split()) <= 5 for c in first)
    assert all(c.score <= 0 for c in first)


def test_reported_log_prob_is_the_exact_caption_likelihood(tiny) -> None:
    torch.manual_seed(3)
    latents = torch.randn(4, tiny.network.config.latent_dim) * 3
    captions = beam_search(tiny.network, tiny.vocab, latents, beam=3, max_len=6, length_penalty=0.0)
    targets, lengths = pad_batch([tiny.vocab.encode(c.text) for c in captions], tiny.vocab.pad)
    with torch.no_grad():
        exact = caption_log_prob(tiny.network, latents, targets, lengths, tiny.vocab.start)
    assert torch.allclose(exact, torch.tensor([c.log_prob for c in captions]), atol=1e-4)
    # With no length penalty the score is the plain log-probability.
    assert [c.score for c in captions] == pytest.approx([c.log_prob for c in captions], abs=1e-5)


def test_caption_likelihood_of_a_padded_batch_is_each_caption_s_own(tiny) -> None:
    """The output layer runs only at the words (not after the latent, not on the padding): each row's
    log-likelihood and its gradient are those of the full teacher-forced logits, as written plainly."""
    torch.manual_seed(5)
    texts = ["a dog", "two dogs play in the snow on the grass", "dog"]
    targets, lengths = pad_batch([tiny.vocab.encode(t) for t in texts], tiny.vocab.pad)
    latents = (torch.randn(3, tiny.network.config.latent_dim) * 3).requires_grad_(True)
    tiny.network.eval()
    exact = caption_log_prob(tiny.network, latents, targets, lengths, tiny.vocab.start)
    (fast_grad,) = torch.autograd.grad(exact.sum(), latents)
    logits = tiny.network.decoder_logits(latents, teacher_inputs(targets, tiny.vocab.start))[:, 1:]
    per_token = logits.log_softmax(-1).gather(2, targets.unsqueeze(-1)).squeeze(-1)
    worded = torch.arange(targets.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
    written_plainly = (per_token * worded).sum(1)
    (plain_grad,) = torch.autograd.grad(written_plainly.sum(), latents)
    assert torch.allclose(exact, written_plainly, atol=1e-5)
    assert torch.allclose(fast_grad, plain_grad, atol=1e-5)
    assert len(set(lengths.tolist())) == 3  # three lengths: padding in two rows


def test_wider_beam_finds_at_least_as_likely_captions(tiny) -> None:
    torch.manual_seed(4)
    latents = torch.randn(16, tiny.network.config.latent_dim) * 3
    greedy = beam_search(tiny.network, tiny.vocab, latents, beam=1, max_len=6, length_penalty=0.0)
    wide = beam_search(tiny.network, tiny.vocab, latents, beam=5, max_len=6, length_penalty=0.0)
    better_or_equal = sum(w.log_prob >= g.log_prob - 1e-5 for w, g in zip(wide, greedy, strict=True))
    assert better_or_equal >= 15  # beam search is not exact, but rarely loses to greedy


def test_empty_batch_gives_no_captions(tiny) -> None:
    assert beam_search(tiny.network, tiny.vocab, torch.zeros(0, tiny.network.config.latent_dim)) == []


def _similarity(tiny, latent: torch.Tensor, text: str) -> float:
    tokens = torch.tensor([tiny.vocab.encode(text, add_end=False) or [tiny.vocab.pad]])
    with torch.no_grad():
        encoded = tiny.network.encode_text(tokens, torch.tensor([tokens.shape[1]]))
    return float(torch.nn.functional.cosine_similarity(encoded, latent.unsqueeze(0)))


def test_reranking_chooses_the_best_text_match_among_the_likeliest_captions(tiny) -> None:
    torch.manual_seed(4)
    latents = torch.randn(8, tiny.network.config.latent_dim) * 3
    plain = beam_search(tiny.network, tiny.vocab, latents, beam=4, max_len=6)
    assert (
        beam_search(tiny.network, tiny.vocab, latents, beam=4, max_len=6, choice=Choice(rerank=1e-9)) == plain
    )
    matched = beam_search(tiny.network, tiny.vocab, latents, beam=4, max_len=6, choice=Choice(rerank=1e6))
    assert matched != plain  # the likeliest caption is not always the best match
    for latent, p, m in zip(latents, plain, matched, strict=True):
        # the likeliest caption is a candidate too, so the chosen one matches at least as well
        assert _similarity(tiny, latent, m.text) >= _similarity(tiny, latent, p.text) - 1e-5
        assert m.score <= p.score  # and it is no likelier
    # the figures reported are the chosen caption's own likelihood
    targets, lengths = pad_batch([tiny.vocab.encode(c.text) for c in matched], tiny.vocab.pad)
    with torch.no_grad():
        exact = caption_log_prob(tiny.network, latents, targets, lengths, tiny.vocab.start)
    assert torch.allclose(exact, torch.tensor([c.log_prob for c in matched]), atol=1e-4)


def _agreement_reference(a: list[int], b: list[int]) -> float:
    """The mean over n = 1..4 of the cosine of two word lists' n-gram counts, written plainly."""
    total = 0.0
    for n in range(1, 5):
        ca = collections.Counter(tuple(a[i : i + n]) for i in range(len(a) - n + 1))
        cb = collections.Counter(tuple(b[i : i + n]) for i in range(len(b) - n + 1))
        dot = sum(v * cb[g] for g, v in ca.items())
        norm = math.sqrt(sum(v * v for v in ca.values()) * sum(v * v for v in cb.values()))
        total += dot / norm if norm else 0.0
    return total / 4


def test_consensus_is_each_caption_s_likelihood_weighted_n_gram_agreement_with_the_others() -> None:
    torch.manual_seed(7)
    photos, m, length = 3, 6, 9
    seqs = torch.randint(1, 5, (photos, m, length))  # few words: many shared n-grams
    lengths = torch.randint(0, length + 1, (photos, m))
    scores = torch.randn(photos, m)
    scores[2, 4:] = float("-inf")  # photo 2 finished only four captions
    found = _consensus(seqs, lengths, scores, temperature=2.0)
    for p in range(photos):
        words = [seqs[p, i, : lengths[p, i]].tolist() for i in range(m)]
        weights = (scores[p] / 2.0).softmax(0).tolist()
        for i in range(m):
            expected = sum(w * _agreement_reference(words[i], words[j]) for j, w in enumerate(weights))
            assert found[p, i].item() == pytest.approx(expected, abs=1e-5)


def test_consensus_chooses_among_the_likeliest_captions(tiny) -> None:
    torch.manual_seed(4)
    latents = torch.randn(8, tiny.network.config.latent_dim) * 3
    plain = beam_search(tiny.network, tiny.vocab, latents, beam=4, max_len=6)
    assert beam_search(tiny.network, tiny.vocab, latents, 4, 6, choice=Choice(consensus=1e-9)) == plain
    agreed = beam_search(tiny.network, tiny.vocab, latents, 4, 6, choice=Choice(8, consensus=1e6))
    assert agreed != plain  # the likeliest caption is not always the one the others agree with
    assert all(a.score <= p.score for a, p in zip(agreed, plain, strict=True))


def test_repeated_phrases_are_found_in_each_candidate() -> None:
    seqs = torch.tensor([[[1, 2, 3, 1, 2, 3, 0], [1, 2, 3, 4, 1, 2, 0], [5, 5, 5, 5, 0, 0, 0]]])
    lengths = torch.tensor([[6, 6, 4]])
    assert _repeats_a_gram(seqs, lengths, 3).tolist() == [[True, False, True]]
    assert _repeats_a_gram(seqs, lengths, 2).tolist() == [[True, True, True]]
    assert _repeats_a_gram(seqs, torch.tensor([[5, 5, 2]]), 3).tolist() == [[False, False, False]]


def test_a_caption_that_repeats_a_phrase_is_chosen_only_when_every_candidate_does(tiny) -> None:
    """The consensus rewards shared phrases, and a caption that says one twice shares it twice:
    "a brown and white dog is playing with a brown and white dog" (the open-world dev set)."""
    vocab = tiny.vocab
    sentences = ["a dog runs a dog runs", "a red dog runs on grass", "two dogs play two dogs play"]
    words = torch.tensor([[vocab.encode(s, add_end=False) for s in sentences]])
    latents = torch.zeros(1, tiny.network.config.latent_dim)
    ended = [True, True, True]

    def chosen(no_repeat: int) -> str:
        found = _Finished(1, 3, 6, torch.device("cpu"), Choice(3, no_repeat=no_repeat))
        scores = torch.tensor([[-0.1, -0.5, -0.2]])
        found.add(6, torch.tensor([ended]), scores, torch.zeros(1, 3), words)
        return found.best(tiny.network, vocab, latents)[0].text

    assert chosen(0) == "a dog runs a dog runs"  # the likeliest
    assert chosen(3) == "a red dog runs on grass"
    ended = [True, False, True]
    assert chosen(3) == "a dog runs a dog runs"  # every candidate repeats: the likeliest still


def test_a_photo_s_caption_does_not_depend_on_the_photos_decoded_with_it(shipped_model_dir: Path) -> None:
    """Beam search stops each photo once no live hypothesis can still enter its candidates; when
    the whole batch stopped together, a photo decoded beside slower ones had more candidates than
    alone, and the indexer's batches of 16 wrote other captions than an evaluation's of 250."""
    shipped = load_bundle(shipped_model_dir)
    torch.manual_seed(0)
    with torch.inference_mode():
        latents = shipped.network.latent(torch.rand(8, 1280) * 3)
    choice = Choice(20, rerank=8.0, consensus=4.0)
    net, vocab = shipped.network, shipped.vocab
    together = beam_search(net, vocab, latents, 10, 20, 0.5, choice)
    alone = [beam_search(net, vocab, row[None], 10, 20, 0.5, choice)[0] for row in latents]
    assert [c.text for c in together] == [c.text for c in alone]
    for c, a in zip(together, alone, strict=True):
        assert c.score == pytest.approx(a.score, abs=1e-5)


def test_a_word_bias_bans_or_holds_back_words_and_counts_in_the_score(tiny) -> None:
    torch.manual_seed(5)
    latents = torch.randn(6, tiny.network.config.latent_dim) * 3
    plain = beam_search(tiny.network, tiny.vocab, latents, beam=3, max_len=6)
    assert (
        beam_search(
            tiny.network, tiny.vocab, latents, beam=3, max_len=6, word_bias=torch.zeros(6, len(tiny.vocab))
        )
        == plain
    )
    first_words = {row: tiny.vocab.index(c.text.split()[0]) for row, c in enumerate(plain) if c.text}
    assert 0 in first_words and len(first_words) >= 4
    banned = torch.zeros(6, len(tiny.vocab))
    held_back = torch.zeros(6, len(tiny.vocab))
    for row, word in first_words.items():
        banned[row, word] = float("-inf")
        held_back[row, word] = -1e4
    without = beam_search(tiny.network, tiny.vocab, latents, beam=3, max_len=6, word_bias=banned)
    assert all(tiny.vocab.words[w] not in without[row].text.split() for row, w in first_words.items())
    assert beam_search(tiny.network, tiny.vocab, latents, beam=3, max_len=6, word_bias=held_back) == without
    # A bias on one photo's words leaves the other photos' captions alone.
    one = torch.zeros(6, len(tiny.vocab))
    one[0] = banned[0]
    only_first = beam_search(tiny.network, tiny.vocab, latents, beam=3, max_len=6, word_bias=one)
    assert only_first[0] == without[0] and only_first[1:] == plain[1:]
    # A bias on every word but <end> lowers each caption's score by it, word by word.
    every = torch.full((6, len(tiny.vocab)), -0.5)
    every[:, tiny.vocab.end] = 0.0
    lowered = beam_search(
        tiny.network, tiny.vocab, latents, beam=1, max_len=6, length_penalty=0.0, word_bias=every
    )
    greedy = beam_search(tiny.network, tiny.vocab, latents, beam=1, max_len=6, length_penalty=0.0)
    for low, g in zip(lowered, greedy, strict=True):
        if low.text == g.text:
            assert low.score == pytest.approx(g.score - 0.5 * len(g.text.split()), abs=1e-4)
