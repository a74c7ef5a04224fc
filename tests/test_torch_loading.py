"""PyTorch's libraries load before its import, with the GIL released (``photoscope.torch_loading``).

How long other threads stall during the import is a benchmark's figure (``benchmarks/gui.py``); these
tests hold what makes it short: the libraries are loaded by the time ``import torch`` runs, from any
first importer, and PyTorch works as before.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the libraries are preloaded on Linux only")


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_libraries_load_without_importing_torch_and_torch_then_works() -> None:
    out = _run(
        "import sys\n"
        "from photoscope.torch_loading import LIBRARIES, load_torch_libraries\n"
        "loaded = load_torch_libraries()\n"
        "maps = open('/proc/self/maps').read()\n"
        "print(loaded == list(LIBRARIES), 'torch' in sys.modules, 'libtorch_cpu.so' in maps)\n"
        "import torch\n"
        "print(float(torch.ones(3).sum()), load_torch_libraries())\n"
    )
    assert out.split("\n")[:2] == ["True False True", "3.0 []"]


def test_the_first_import_of_torch_anywhere_loads_them_first_once() -> None:
    # A module that imports torch at its top, like the vector store: the package's finder sees it.
    out = _run(
        "import sys, photoscope\n"
        "finders = [f for f in sys.meta_path if 'LoadTorch' in getattr(f, '__name__', '')]\n"
        "print(len(finders), 'photoscope.torch_loading' in sys.modules)\n"
        "import photoscope.search.vectors\n"
        "print('photoscope.torch_loading' in sys.modules, finders[0] in sys.meta_path)\n"
    )
    assert out.split("\n")[:2] == ["1 False", "True False"]
