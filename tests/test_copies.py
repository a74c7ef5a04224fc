"""Near-duplicate photos (File > Find copies): the groups, and a pass that stops when no longer
wanted (the speed audit of stop 46: at 100,000 photos a pass took about 30 s, and a query typed
meanwhile, a search from the command line and quitting all waited for it)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from photoscope.search.duplicates import StoppedEarly, duplicate_groups


def _features() -> tuple[torch.Tensor, np.ndarray]:
    """Ten unit features: 2 and 7 copies of 0 (a slight change), 5 a copy of 4, the rest apart."""
    rows = torch.eye(10, 16)
    rows[2] = rows[0] + 0.05 * rows[9]
    rows[7] = rows[0] - 0.05 * rows[8]
    rows[5] = rows[4] + 0.05 * rows[3]
    return torch.nn.functional.normalize(rows, dim=1), np.arange(100, 110)


@pytest.mark.parametrize("block", [1, 3, 256])
def test_copies_are_grouped_whatever_the_block(block: int) -> None:
    features, ids = _features()
    assert duplicate_groups(features, ids, block=block) == [[100, 102, 107], [104, 105]]


def test_a_pass_no_longer_wanted_stops_between_blocks() -> None:
    features, ids = _features()
    asked = []

    def keep_going() -> bool:
        asked.append(1)
        return len(asked) < 3

    with pytest.raises(StoppedEarly):
        duplicate_groups(features, ids, block=2, keep_going=keep_going)
    assert len(asked) == 3  # asked before each block: it stopped at the third of five
