"""The open-world sets' label tables (tools/open_world_photos.py); need none of their packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

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
        assert_label(tool, label)
        names.add(tool.output_name(rcc, inner))
    assert len(names) == len(photos)  # no two photos write the same file


def assert_label(tool: ModuleType, label: Any) -> None:
    assert label.query.strip() and label.query == label.query.lower()
    assert len(label.words) >= 1 and all(word and word == word.strip().lower() for word in label.words)
    assert len(set(label.words)) == len(label.words)
    assert set(label.present) <= set(tool.PRESENCE)


def test_check_table_structure() -> None:
    tool = script()
    photos = tool.CHECK_PHOTOS
    assert len(photos) >= 40
    names = set()
    for (package, path), label in photos.items():
        # Photos of other packages than the dev set's, read as plain installed files.
        assert package != tool.GCOMPRIS and path.startswith("/usr/share/")
        assert path.endswith((".jpg", ".png"))
        assert_label(tool, label)
        names.add(tool.check_output_name(package, path))
    assert len(names) == len(photos)
    assert len({package for package, _ in photos}) >= 4  # several packages, not one artist's style
    kite = tool.check_output_name(tool.PLASMA, tool.kde("Kite"))
    assert kite == "plasma_workspace_wallpapers_Kite.jpg"  # named by its folder, not "2560x1600"


def test_check_names_missing_packages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tool = script()
    there = tmp_path / "there.jpg"
    there.write_bytes(b"")
    table = {("some-wallpapers", str(tmp_path / "gone.jpg")): tool.L("a lake", "lake")}
    table[("other-wallpapers", str(there))] = tool.L("a lake", "lake")
    monkeypatch.setattr(tool, "CHECK_PHOTOS", table)
    with pytest.raises(SystemExit, match=r"apt-get install some-wallpapers$"):
        tool.check_sources("check")
    assert not (tmp_path / "out").exists()
    with pytest.raises(SystemExit):
        tool.main(["--set", "check", str(tmp_path / "out")])
    assert not (tmp_path / "out").exists()  # nothing is written before the sources are there


def test_arguments() -> None:
    tool = script()
    assert tool.parse_args(["out"]) == ("dev", Path("out"))
    assert tool.parse_args(["--set", "check", "out"]) == ("check", Path("out"))
    assert tool.parse_args(["--set", "dev", "out"]) == ("dev", Path("out"))
    for wrong in ([], ["--set", "test", "out"], ["--set", "check"], ["-o"], ["a", "b"]):
        assert tool.parse_args(wrong) is None
    assert tool.main(["--set", "other", "out"]) == 2


def test_no_forbidden_sources() -> None:
    tool = script()
    forbidden = ("skimage", "scikit-image", "sklearn", "scikit-learn", "matplotlib", "opencv", "darknet")
    for key in [*tool.PHOTOS, *tool.CHECK_PHOTOS]:
        assert not any(word in " ".join(key).lower() for word in forbidden), key
