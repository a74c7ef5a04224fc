"""The architecture's doors, held by a test: who may import what inside the ``photoscope`` package.

- The GUI and the commands reach the core only through ``photoscope.api`` itself, not its modules (the
  development commands ``train``, ``evaluate`` and ``finetune`` also use ``photoscope.training`` and the
  network's door).
- The network's modules are imported only inside ``photoscope.network`` and by ``photoscope.training``
  (which builds the network); everyone else uses the package itself: ``PhotoscopeModel`` and its types.
- The library index knows nothing of the network, search or the API; the network knows nothing of the
  library, search or the API; search knows nothing of the API.
Every import counts, also those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "photoscope"
DEV_COMMANDS = {"photoscope.commands.train", "photoscope.commands.evaluate", "photoscope.commands.finetune"}
SHARED = (
    "photoscope",
    "photoscope.config",
    "photoscope.threads",
    "photoscope.wordlists",
)  # leaves anyone may use


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str, root: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.append((node.lineno, base))
            # "from photoscope.search import ranking" names a submodule: count it as imported too
            folder = root.parent.joinpath(*base.split("."))
            found += [
                (node.lineno, f"{base}.{a.name}")
                for a in node.names
                if (folder / f"{a.name}.py").exists() or (folder / a.name).is_dir()
            ]
    return [(line, name) for line, name in found if name == "photoscope" or name.startswith("photoscope.")]


def _within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _allowed(importer: str, target: str) -> bool:
    if target in SHARED or _within(target, importer.rpartition(".")[0] or importer):
        return _network_rule(importer, target)
    if _within(importer, "photoscope.gui", "photoscope.commands") or importer == "photoscope.cli":
        ok = target == "photoscope.api" or _within(target, "photoscope.gui", "photoscope.commands")
        if importer in DEV_COMMANDS:
            ok = ok or _within(target, "photoscope.training") or target == "photoscope.network"
        return ok
    if _within(importer, "photoscope.library"):
        return not _within(target, "photoscope.network", "photoscope.search", "photoscope.api")
    if _within(importer, "photoscope.network"):
        return _within(target, "photoscope.network")
    if _within(importer, "photoscope.search"):
        return not _within(target, "photoscope.api") and _network_rule(importer, target)
    return _network_rule(importer, target)


def _network_rule(importer: str, target: str) -> bool:
    """Only the network package and training import the network's modules."""
    if not _within(target, "photoscope.network") or target == "photoscope.network":
        return True
    return _within(importer, "photoscope.network", "photoscope.training")


def violations(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        for line, target in sorted(set(_imports(path, module, root))):
            if target != module and not _allowed(module, target):
                found.append(f"{path.relative_to(root.parent)}:{line}: {module} imports {target}")
    return found


def test_the_package_keeps_its_doors() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("where", "bad_import"),
    [
        ("gui/bad.py", "from photoscope.library.db import Library"),
        ("commands/bad.py", "from photoscope.search.ranking import SearchEngine"),
        ("search/bad.py", "from photoscope.network.decoding import beam_search"),
        ("gui/inner.py", "from photoscope.api.searching import Searching"),
        ("api/searching.py", "from photoscope.network.model import PhotoscopeModel"),
        ("library/bad.py", "from photoscope.network import PhotoscopeModel"),
        ("library/lazy.py", "def f():\n    from photoscope.search import ranking"),
        ("network/bad.py", "from photoscope.library.db import Library"),
    ],
)
def test_a_deliberately_bad_import_is_caught(tmp_path: Path, where: str, bad_import: str) -> None:
    root = tmp_path / "photoscope"
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    (root / where).write_text(bad_import + "\n")
    assert len(violations(root)) == 1


def test_the_doors_themselves_are_allowed(tmp_path: Path) -> None:
    root = tmp_path / "photoscope"
    for where, good in [
        ("gui/ok.py", "from photoscope.api import Photoscope"),
        ("commands/ok.py", "from photoscope import api"),
        ("api/ok.py", "from photoscope.api.core import Core"),
        ("search/ok.py", "from photoscope.network import PhotoscopeModel"),
        ("network/ok.py", "from photoscope.network.decoding import beam_search"),
        ("training/ok.py", "from photoscope.network.caption_network import CaptionNetwork"),
        ("library/ok.py", "from photoscope.library.db import Library"),
    ]:
        (root / where).parent.mkdir(parents=True, exist_ok=True)
        (root / where).write_text(good + "\n")
    assert violations(root) == []


# The app's first answer to a description (issue #18) is given while PyTorch is still loading: what it
# runs must not import PyTorch when it is imported. Imports inside functions and under TYPE_CHECKING
# run later (or never), so only a module's top-level imports count, followed from module to module.
QUICK_PATH = (
    "photoscope.api",
    "photoscope.api.searching",
    "photoscope.network.text_model",
    "photoscope.search.quick",
    "photoscope.search.path_words",
)
NOT_ON_THE_QUICK_PATH = ("torch", "torchvision", "PySide6")


def _top_level_imports(path: Path, module: str, root: Path) -> list[str]:
    """Every module the file imports when it is imported (not in functions, not for type checking)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[str] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                found.append(base)
                folder = root.parent.joinpath(*base.split("."))
                found.extend(
                    f"{base}.{a.name}"
                    for a in node.names
                    if (folder / f"{a.name}.py").exists() or (folder / a.name).is_dir()
                )
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return found


def imported_when_loaded(module: str, root: Path = PACKAGE) -> dict[str, str]:
    """Every module (ours and others) that importing ``module`` imports, each with the one of ours
    that imports it first found."""
    seen: dict[str, str] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for package_end in range(1, len(parts)):  # importing a.b.c imports a and a.b first
            parent = ".".join(parts[:package_end])
            if parent not in seen and parent.startswith("photoscope"):
                seen[parent] = name
                todo.append(parent)
        base = root.parent.joinpath(*parts)
        path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if not path.is_file():
            continue
        for target in _top_level_imports(path, name, root):
            if target not in seen:
                seen[target] = name
                if target == "photoscope" or target.startswith("photoscope."):
                    todo.append(target)
    return seen


@pytest.mark.parametrize("module", QUICK_PATH)
def test_the_quick_answer_s_modules_import_no_pytorch_when_loaded(module: str) -> None:
    heavy = {
        name: by
        for name, by in imported_when_loaded(module).items()
        if name.split(".")[0] in NOT_ON_THE_QUICK_PATH
    }
    assert heavy == {}


def test_a_pytorch_import_on_the_quick_path_is_caught(tmp_path: Path) -> None:
    root = tmp_path / "photoscope"
    (root / "search").mkdir(parents=True)
    (root / "search" / "quick.py").write_text("from photoscope.search import helper\n")
    (root / "search" / "helper.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import PySide6\n"
        "def f():\n    import torchvision\n"
        "import torch\n"
    )
    found = imported_when_loaded("photoscope.search.quick", root)
    assert found.get("torch") == "photoscope.search.helper"
    assert "PySide6" not in found and "torchvision" not in found
