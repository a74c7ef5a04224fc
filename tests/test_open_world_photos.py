"""The open-world dev set's label table (tools/open_world_photos.py); needs none of its packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "open_world_photos.py"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("open_world_photos", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_label_table_structure() -> None:
    tool = script()
    photos = tool.PHOTOS
    assert len(photos) >= 60
    names = set()
    for (package, rcc, inner), label in photos.items():
        assert package and rcc.endswith(".rcc") and inner.endswith((".webp", ".jpg", ".jpeg", ".png"))
        assert label.query.strip() and label.query == label.query.lower()
        assert len(label.words) >= 1 and all(word and word == word.strip().lower() for word in label.words)
        assert set(label.present) <= set(tool.PRESENCE)
        names.add(tool.output_name(rcc, inner))
    assert len(names) == len(photos)  # no two photos write the same file


def test_no_forbidden_sources() -> None:
    tool = script()
    forbidden = ("skimage", "scikit-image", "sklearn", "scikit-learn", "matplotlib", "opencv", "darknet")
    for key in tool.PHOTOS:
        assert not any(word in " ".join(key).lower() for word in forbidden), key
