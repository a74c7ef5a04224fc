"""Self-critical fine-tuning for CIDEr: the reward is CIDEr-D exactly, and tuning moves only the decoder."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from photoscope.cli import main
from photoscope.network.bundle import load_bundle
from photoscope.training.cider_reward import CiderD
from photoscope.training.cider_tuning import CiderTuner, CiderTuningConfig, sample_captions

REFS = {
    "0": ["a dog runs on the grass", "a brown dog running", "the dog plays outside on grass"],
    "1": ["a man rides a bike", "a person on a bicycle in the street", "man cycling down a road"],
    "2": ["two children play in the water", "kids splash in a pool", "two kids swim"],
}
CANDIDATES = {"0": "a dog runs on grass", "1": "a man rides a bicycle", "2": "a dog in the water"}


def test_reward_is_pycocoevalcap_cider() -> None:
    from pycocoevalcap.cider.cider import Cider

    ids: dict[str, int] = {}

    def encode(text: str) -> list[int]:
        return [ids.setdefault(w, len(ids)) for w in text.split()]

    reward = CiderD([[encode(r) for r in REFS[k]] for k in sorted(REFS)])
    mine = [reward.score(i, encode(CANDIDATES[k])) for i, k in enumerate(sorted(REFS))]
    _, theirs = Cider().compute_score(REFS, {k: [v] for k, v in CANDIDATES.items()})
    assert mine == pytest.approx(list(theirs), rel=1e-9)
    assert mine[0] > mine[2]  # the right photo's caption scores higher than a wrong one


def test_samples_respect_the_limits(trained_tiny: Path) -> None:
    bundle = load_bundle(trained_tiny)
    net, vocab = bundle.network, bundle.vocab
    net.requires_grad_(True)
    latents = torch.randn(3, net.config.latent_dim)
    words, log_p = sample_captions(net, vocab, latents, 4, 5, torch.Generator().manual_seed(0))
    assert len(words) == 12 and log_p.shape == (12,)
    assert all(len(w) <= 5 for w in words)
    assert not {vocab.pad, vocab.start, vocab.unk, vocab.end} & {t for w in words for t in w}
    assert bool((log_p < 0).all()) and log_p.requires_grad


TINY = CiderTuningConfig(epochs=2, photos_per_step=8, lr=1e-3, evals_per_epoch=1, beam=2)


def test_tuning_moves_only_the_decoder_and_resumes(
    trained_tiny: Path, shapes_dataset: Path, tmp_path: Path
) -> None:
    tuner = CiderTuner(shapes_dataset, trained_tiny, tmp_path, TINY)
    tuner.features(trained_tiny.parent / "cache")
    before = {k: v.clone() for k, v in tuner.net.state_dict().items()}
    history = tuner.run(log=lambda _: None)
    assert [h.epoch for h in history] == [0.0, 1.0, 2.0]  # the starting point, then each epoch
    after = tuner.net.state_dict()
    frozen = [k for k in after if k.split(".")[0] in ("project", "text_embed", "text_rnn", "text_out")]
    assert frozen and all(torch.equal(before[k], after[k]) for k in frozen)
    assert not torch.equal(before["out.weight"], after["out.weight"])
    bundle = load_bundle(tmp_path / "bundle")
    assert bundle.metrics["cider"] == max(h.metrics["cider"] for h in history)
    assert bundle.extra["cider_tuning"]["from"] == load_bundle(trained_tiny).version
    resumed = CiderTuner(shapes_dataset, trained_tiny, tmp_path, TINY)
    assert resumed.resume() and resumed.start_epoch == 2 and len(resumed.history) == 3
    assert torch.equal(resumed.net.state_dict()["out.weight"], after["out.weight"])


def test_finetune_command(
    trained_tiny: Path, shapes_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data", str(shapes_dataset), "--model", str(trained_tiny), "--out", str(tmp_path)]
    cache = ["--cache", str(trained_tiny.parent / "cache")]
    assert main(["finetune", *args, *cache, "--epochs", "1", "--threads", "1"]) == 0
    assert "best at epoch" in capsys.readouterr().out
    assert load_bundle(tmp_path / "bundle").extra["cider_tuning"]["epochs"] == 1
