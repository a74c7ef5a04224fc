"""Where things live: the shipped model bundle, the user's database and caches."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "photoscope"
SHIPPED_MODEL = "photoscope-caption"


def resources_dir() -> Path:
    """``resources/`` inside an installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "resources", package.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("Photoscope's resources folder is missing; reinstall the package")


def default_model_dir() -> Path:
    return resources_dir() / "models" / SHIPPED_MODEL


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "library.db"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
