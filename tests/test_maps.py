from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoscope.cli import main
from photoscope.search import maps
from photoscope.search.maps import PhotoMapCache, photo_layout


def _clusters(n_per: int = 20, dim: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (3, dim)) * 5
    vectors = np.concatenate([c + rng.normal(0, 0.3, (n_per, dim)) for c in centres]).astype(np.float32)
    return np.arange(100, 100 + len(vectors), dtype=np.int64), vectors


def test_layout_is_deterministic_and_keeps_clusters_apart() -> None:
    _, vectors = _clusters()
    first, second = maps.tsne(vectors, seed=0), maps.tsne(vectors, seed=0)
    assert np.array_equal(first, second)
    assert first.min() >= 0 and first.max() <= 1
    centres = [first[i * 20 : (i + 1) * 20].mean(0) for i in range(3)]
    spread = max(
        float(np.linalg.norm(first[i * 20 : (i + 1) * 20] - centres[i], axis=1).mean()) for i in range(3)
    )
    gaps = [float(np.linalg.norm(centres[a] - centres[b])) for a, b in [(0, 1), (0, 2), (1, 2)]]
    assert min(gaps) > 2 * spread


def test_cached_layout_is_reused_until_the_library_changes_enough(tmp_path: Path, monkeypatch) -> None:
    ids, vectors = _clusters()
    calls = []
    real = maps.tsne
    monkeypatch.setattr(maps, "tsne", lambda v, **options: calls.append(len(v)) or real(v, **options))
    cache = PhotoMapCache(tmp_path)
    first = photo_layout(ids, vectors, cache, "model-a")
    again = photo_layout(ids, vectors, cache, "model-a")
    assert calls == [60] and np.array_equal(first.xy, again.xy)

    # One new photo (under 10 % change): placed beside its nearest neighbour, no new t-SNE.
    grown_ids = np.append(ids, 999)
    grown = np.concatenate([vectors, vectors[5:6] + 0.01])
    updated = photo_layout(grown_ids, grown, cache, "model-a")
    assert calls == [60] and updated.keys[-1] == 999
    assert np.linalg.norm(updated.xy[-1] - first.xy[5]) < 0.05

    # A quarter of the photos gone: laid out anew. Another model has its own layout.
    photo_layout(ids[15:], vectors[15:], cache, "model-a")
    photo_layout(ids, vectors, cache, "model-b")
    assert calls == [60, 45, 60]


def test_a_layout_says_how_far_it_is(tmp_path: Path) -> None:
    # The maps window shows a bar that fills: a library of thousands takes tens of seconds.
    ids, vectors = _clusters()
    said: list[tuple[str, float]] = []
    cache = PhotoMapCache(tmp_path)
    photo_layout(ids, vectors, cache, "model-a", progress=lambda message, done: said.append((message, done)))
    assert {message for message, _ in said} == {"laying out 60 photos"}
    fractions = [done for _, done in said]
    assert fractions[0] == 0 and fractions == sorted(fractions) and fractions[-1] > 0.9
    assert all(0 <= done < 1 for done in fractions) and len(fractions) >= 10
    said.clear()  # a cached layout comes back at once, with nothing to say
    photo_layout(ids, vectors, cache, "model-a", progress=lambda message, done: said.append((message, done)))
    assert said == []


def test_large_libraries_are_sampled(tmp_path: Path) -> None:
    ids, vectors = _clusters()
    layout = photo_layout(ids, vectors, None, limit=25)
    assert len(layout.keys) == 25 and layout.total == 60 and layout.sampled
    assert set(layout.keys) <= set(ids.tolist())


def _not_blank(path: Path, size: tuple[int, int]) -> None:
    image = Image.open(path)
    assert image.size == size
    assert len(np.unique(np.asarray(image.convert("L")))) > 5


def test_export_word_and_photo_maps(shapes_library_db, trained_tiny: Path, tmp_path: Path, capsys) -> None:
    db, _ = shapes_library_db
    words = tmp_path / "words.png"
    assert main(["map", "words", "--out", str(words), "--size", "400x300", "--model", str(trained_tiny)]) == 0
    _not_blank(words, (400, 300))
    photos = tmp_path / "photos.png"
    common = ["--db", str(db), "--model", str(trained_tiny)]
    assert main(["map", "photos", "--out", str(photos), "--size", "640x480", *common]) == 0
    _not_blank(photos, (640, 480))
    with pytest.raises(SystemExit):
        main(["map", "photos", "--out", str(photos), "--size", "big"])


def test_a_cache_that_cannot_be_written_or_read_still_gives_the_map(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The CLI audit of stop 55: `map photos` wrote no map when its cache folder could not be made
    ("…/maps/2595e770fc: Not a directory", exit 1): the cache only saves the next layout's time."""
    ids, vectors = _clusters()
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache's folder would be")
    layout = photo_layout(ids, vectors, PhotoMapCache(blocked / "maps"), "model-a")
    assert len(layout.keys) == 60
    assert any("laid out again next time" in r.getMessage() for r in caplog.records)
    damaged = PhotoMapCache(tmp_path / "damaged")
    photo_layout(ids, vectors, damaged, "model-a")
    for kept in (tmp_path / "damaged").iterdir():
        kept.write_bytes(b"not a layout")
    assert len(photo_layout(ids, vectors, damaged, "model-a").keys) == 60  # laid out anew
