"""Photoscope: offline photo-library search built on one small caption network."""

import os

__version__ = "0.1.0"

# PyTorch's OpenMP threads sleep between parallel regions instead of spinning. A search runs thousands
# of small ones (the decoder's GRU steps); with a core taken by anything else (the app's own indexer,
# another program) the spinning threads wait on each other at every region: measured on a busy 2-core
# machine, one text query took 1.5 s of CPU on two threads instead of 0.12 s. libgomp reads this when
# PyTorch loads, so it is set here, before any module of the package imports PyTorch; a value the
# user set is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
