"""Resumable training state: one file per run, written atomically, refused under another configuration."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from photoscope.network.bundle import Bundle, EncoderSpec, save_bundle
from photoscope.network.caption_network import CaptionNetwork
from photoscope.network.vocab import Vocabulary

BUNDLE_DIR = "bundle"


def config_key(config: Any) -> str:
    """A dataclass configuration as canonical JSON: a checkpoint resumes only under the same one."""
    return json.dumps(asdict(config), sort_keys=True)


def save_checkpoint(path: Path, config: Any, history: list[Any], **state: Any) -> None:
    """Save ``state`` (state dicts, generator states...) with the configuration and the history.

    Written to a temporary file and renamed, so a kill mid-write leaves the previous checkpoint intact.
    """
    full = {
        **state,
        "config": config_key(config),
        "torch_rng": torch.get_rng_state(),
        "history": json.dumps([asdict(h) for h in history]),
    }
    tmp = path.with_name(path.name + ".tmp")
    torch.save(full, tmp)
    tmp.replace(path)


def load_checkpoint(path: Path, config: Any) -> dict[str, Any] | None:
    """The saved state (``history`` as a list of dicts), None if there is none; restores torch's RNG."""
    if not path.is_file():
        return None
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    if state["config"] != config_key(config):
        raise ValueError(f"{path} was made with another configuration; use a new --out")
    torch.set_rng_state(state["torch_rng"])
    state["history"] = json.loads(state["history"])
    return state


def restore(state: dict[str, Any], **targets: Any) -> None:
    """Load each saved entry into the object of the same name: modules, optimizers and schedulers
    through ``load_state_dict``, random generators through ``set_state``."""
    for name, target in targets.items():
        if isinstance(target, torch.Generator):
            target.set_state(state[name])
        else:
            target.load_state_dict(state[name])


def save_run_bundle(
    out: Path,
    net: CaptionNetwork,
    vocab: Vocabulary,
    training_data: str,
    metrics: Any,
    extra: dict[str, Any],
    *,
    encoder: EncoderSpec,
) -> Path:
    """Save a run's best network as the model bundle ``out/bundle`` (training and CIDEr tuning alike),
    with the spec of the encoder whose features it was trained on (the bundle's ``encoder``)."""
    bundle = Bundle(net, vocab, training_data=training_data, metrics=metrics, extra=extra, encoder=encoder)
    return save_bundle(bundle, out / BUNDLE_DIR)
