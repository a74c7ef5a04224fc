"""The model bundle: one versioned folder format for the trained network.

Layout: ``model.safetensors`` (weights; no pickle) and ``bundle.json`` (format version, network
configuration, vocabulary, training data, validation metrics and the weights' SHA-256, which
is verified at load so a truncated or altered file is refused with a clear message).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safetensors.torch import load_file, save_file

from photoscope.network.caption_network import CaptionNetwork, NetworkConfig
from photoscope.network.vocab import Vocabulary

FORMAT_VERSION = 1
WEIGHTS_FILE = "model.safetensors"
META_FILE = "bundle.json"


class BundleError(Exception):
    """The bundle is missing, of an unknown format, or does not match its checksum."""


@dataclass
class Bundle:
    network: CaptionNetwork
    vocab: Vocabulary
    name: str = "photoscope-caption"
    training_data: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """A short identity for what the index stores: vectors from different bundles differ."""
        return str(self.extra.get("sha256", "unsaved"))[:12]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_bundle(bundle: Bundle, directory: str | Path) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / WEIGHTS_FILE
    state = {k: v.detach().contiguous() for k, v in bundle.network.state_dict().items()}
    save_file(state, str(weights))
    sha = _sha256(weights)
    bundle.extra["sha256"] = sha
    meta = {
        "format_version": FORMAT_VERSION,
        "name": bundle.name,
        "network": bundle.network.config.to_dict(),
        "vocabulary": {"words": list(bundle.vocab.words), "counts": list(bundle.vocab.counts)},
        "training_data": bundle.training_data,
        "metrics": bundle.metrics,
        "extra": bundle.extra,
        "weights_sha256": sha,
    }
    tmp = directory / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1))
    os.replace(tmp, directory / META_FILE)
    return directory


def load_bundle(directory: str | Path) -> Bundle:
    directory = Path(directory)
    meta_path, weights = directory / META_FILE, directory / WEIGHTS_FILE
    if not meta_path.is_file() or not weights.is_file():
        raise BundleError(f"{directory} is not a model bundle (needs {META_FILE} and {WEIGHTS_FILE})")
    meta = json.loads(meta_path.read_text())
    if meta.get("format_version") != FORMAT_VERSION:
        raise BundleError(
            f"{directory}: bundle format {meta.get('format_version')} is not supported "
            f"(this Photoscope reads format {FORMAT_VERSION})"
        )
    if _sha256(weights) != meta["weights_sha256"]:
        raise BundleError(f"{weights} does not match its checksum: the file is damaged")
    vocab = Vocabulary(tuple(meta["vocabulary"]["words"]), tuple(meta["vocabulary"]["counts"]))
    network = CaptionNetwork(NetworkConfig(**meta["network"]))
    # assign: the loaded tensors become the parameters, instead of being copied into the freshly
    # initialised ones (a tenth of a second of a cold search; GRUs re-point their flat weights).
    network.load_state_dict(load_file(str(weights)), assign=True)
    network.eval().requires_grad_(False)
    extra = dict(meta.get("extra", {}))
    extra["sha256"] = meta["weights_sha256"]
    return Bundle(network, vocab, meta["name"], meta["training_data"], meta["metrics"], extra)
