"""Photoscope: offline photo-library search built on one small caption network."""

import os
import sys

__version__ = "0.1.0"

# PyTorch's OpenMP threads sleep between parallel regions instead of spinning. A search runs thousands
# of small ones (the decoder's GRU steps); with a core taken by anything else (the app's own indexer,
# another program) the spinning threads wait on each other at every region: measured on a busy 2-core
# machine, one text query took 1.5 s of CPU on two threads instead of 0.12 s. libgomp reads this when
# PyTorch loads, so it is set here, before any module of the package imports PyTorch; a value the
# user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class _LoadTorchLibrariesFirst:
    """A finder on ``sys.meta_path`` that finds nothing: it sees the first ``import torch``, wherever
    it comes from (the network, the vector store, a benchmark), has PyTorch's libraries loaded with
    the GIL released (``torch_loading``: the window's thread keeps turning while another thread
    imports PyTorch), and takes itself off the path. Defined here, with no imports, because every
    command imports this package; the loading code is imported only when PyTorch is."""

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        if name != "torch" or cls not in sys.meta_path:
            return
        try:
            sys.meta_path.remove(cls)
        except ValueError:  # another thread's import took it off meanwhile
            return
        from photoscope.torch_loading import load_torch_libraries

        load_torch_libraries()


sys.meta_path.insert(0, _LoadTorchLibrariesFirst)
