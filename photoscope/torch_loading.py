"""PyTorch's native libraries, loaded without holding Python's GIL.

``import torch`` loads libtorch_cpu (hundreds of megabytes of code, relocated and initialised) inside a
``dlopen`` that Python's import machinery calls with the GIL held, so every other thread stops for as
long: measured here, 0.4-0.8 s in which the window could not paint. A foreign function called through
ctypes runs with the GIL released, so ``dlopen`` called that way loads the same libraries while other
threads go on; the import then finds them loaded and only initialises its Python side (which lets
other threads in every few milliseconds).

Linux only, and only an optimisation: where the libraries are not found (another platform, a
different PyTorch layout), or ``dlopen`` is not reachable, nothing happens and ``import torch`` loads
them as it always does.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

log = logging.getLogger(__name__)

# In the order PyTorch needs them. The first is what ``import torch`` itself loads with RTLD_GLOBAL
# (``torch._load_global_deps``); the others as dependencies of ``torch._C``, with Python's default
# flags (RTLD_NOW, local symbols): the same flags here, so nothing about symbol lookup changes.
_GLOBAL_DEPS = "libtorch_global_deps.so"
LIBRARIES = (_GLOBAL_DEPS, "libc10.so", "libtorch_cpu.so", "libtorch.so")


def load_torch_libraries() -> list[str]:
    """Load PyTorch's libraries with the GIL released; returns the names loaded (none: skipped)."""
    folder = _library_folder()
    dlopen = _dlopen() if folder is not None else None
    if folder is None or dlopen is None:
        return []
    loaded = []
    for name in LIBRARIES:
        path = folder / name
        flags = os.RTLD_NOW | (os.RTLD_GLOBAL if name == _GLOBAL_DEPS else os.RTLD_LOCAL)
        if not path.is_file() or not dlopen(os.fsencode(path), flags):
            log.debug("PyTorch's %s not preloaded: the import will load it", name)
            break  # the rest depend on it: leave them all to the import
        loaded.append(name)
    return loaded


def _library_folder() -> Path | None:
    if sys.platform != "linux" or "torch" in sys.modules:
        return None
    try:
        spec = importlib.util.find_spec("torch")  # finds the package without running it
    except (ImportError, ValueError):
        return None
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(places[0]) / "lib" if places else None


def _dlopen() -> Callable[[bytes, int], int | None] | None:
    try:
        function = ctypes.CDLL(None).dlopen  # glibc's, through the symbols the process already has
    except (AttributeError, OSError):
        return None
    function.restype = ctypes.c_void_p  # the handle; None when it failed
    function.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return cast(Callable[[bytes, int], "int | None"], function)
