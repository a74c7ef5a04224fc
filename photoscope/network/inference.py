"""The shape every inference model in Photoscope takes: configure cheaply, load lazily, predict.

Loading weights costs hundreds of milliseconds, so constructing a model never loads; the first
``predict`` does (or an explicit ``load`` at a moment the caller chooses, such as a worker start).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Generic, TypeVar

InputT = TypeVar("InputT")
OutputT = TypeVar("OutputT")


class InferenceModel(ABC, Generic[InputT, OutputT]):
    """A model with a separate, idempotent, thread-safe load step."""

    def __init__(self) -> None:
        self._loaded = False
        self._load_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> None:
        with self._load_lock:
            if not self._loaded:
                self._load()
                self._loaded = True

    def predict(self, inputs: InputT) -> OutputT:
        self.load()
        return self._predict(inputs)

    @abstractmethod
    def _load(self) -> None: ...

    @abstractmethod
    def _predict(self, inputs: InputT) -> OutputT: ...
