"""Shared test set-up: headless Qt, generated data, and the shipped model where present."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must be headless before any Qt module is imported (pytest-qt imports it early).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from photoscope.config import default_model_dir
from photoscope.library.db import Library
from photoscope.network.model import PhotoscopeModel

# Fixtures of the GUI tests (the windows, an indexed library); registered here, the one root conftest,
# so pytest rewrites its asserts before any test module imports its helpers.
pytest_plugins = ["gui_support"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "flickr8k"


@pytest.fixture(scope="session")
def shipped_model_dir() -> Path:
    path = default_model_dir()
    if not (path / "bundle.json").is_file():
        pytest.skip("the shipped model bundle is not in this checkout")
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bundle with a small, randomly initialised network: fast, and shipped-model independent.

    Its captions are gibberish, but every code path (encode, latent, caption, text latent,
    bundle loading and checksums) is the real one.
    """
    import torch

    from photoscope.network.bundle import Bundle, save_bundle
    from photoscope.network.caption_network import CaptionNetwork, NetworkConfig
    from photoscope.network.vocab import Vocabulary

    torch.manual_seed(0)
    vocab = Vocabulary.build(
        ["a dog runs on the grass", "a red square", "two dogs play in snow"], min_count=1
    )
    network = CaptionNetwork(
        NetworkConfig(vocab_size=len(vocab), latent_dim=32, hidden_dim=48, text_hidden_dim=16)
    )
    network.eval()
    return save_bundle(Bundle(network, vocab, name="tiny-test"), tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def shapes_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from synthetic import make_caption_dataset

    return make_caption_dataset(tmp_path_factory.mktemp("shapes") / "data")


TINY_TRAINING = dict(
    epochs=12,
    batch_size=8,  # measured: every colour and shape right for seeds 0-3 (16 and 10 epochs: 1 in 8 wrong)
    lr=1e-2,
    min_count=1,
    latent_dim=32,
    hidden_dim=64,
    text_hidden_dim=32,
    ema_decay=0.9,
    dropout=0.1,
)


@pytest.fixture(scope="session")
def trained_tiny(shapes_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small network really trained on the generated shapes (a few seconds): its bundle folder."""
    from photoscope.training.trainer import TrainConfig, Trainer

    out = tmp_path_factory.mktemp("trained")
    trainer = Trainer(shapes_dataset, out, TrainConfig(**TINY_TRAINING))  # type: ignore[arg-type]
    trainer.features()
    trainer.run(log=lambda _: None)
    return out / "bundle"


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """PyTorch on one thread in every test module: the tiny network's ops are microseconds of work,
    and on a busy 2-core machine two OpenMP threads spin-waiting on each other make each take tens
    of milliseconds."""
    from photoscope.network import torch_threads

    with torch_threads(1):
        yield


@pytest.fixture(autouse=True)
def _private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's thumbnail cache, database or settings."""
    home = tmp_path_factory.mktemp("user")
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))


@pytest.fixture(scope="session")
def shapes_library_db(trained_tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder of generated shape photos indexed with the real pipeline: (database, photo folder)."""
    from synthetic import COLOURS, SHAPES, indexed_shapes

    root = tmp_path_factory.mktemp("library")
    db = indexed_shapes(root, trained_tiny, [(colour, shape) for colour in COLOURS for shape in SHAPES])
    return db, root / "Photos"


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    """An empty library database of the test's own."""
    with Library(tmp_path / "library.db") as lib:
        yield lib


@pytest.fixture(scope="module")
def tiny_model(tiny_model_dir: Path) -> PhotoscopeModel:
    """The tiny bundle as ``photos.fast_model`` loads it (no EfficientNet: indexing in milliseconds),
    one a test module."""
    from photos import fast_model

    return fast_model(tiny_model_dir)


@pytest.fixture
def fast_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every ``PhotoscopeModel`` the code under test builds is the small fast one (``photos.fast_model``),
    with a cache of its own: CLI commands run in seconds."""
    from photos import fast_model

    from photoscope.network import model as model_module

    monkeypatch.setattr(model_module, "PhotoscopeModel", lambda model_dir=None: fast_model(model_dir))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def files_there(monkeypatch: pytest.MonkeyPatch) -> None:
    """Results made up by a test name no file: printed as if each were at its path."""
    from photoscope.commands import search as search_command

    monkeypatch.setattr(search_command, "file_states", lambda matches, offline=(): [None] * len(matches))
