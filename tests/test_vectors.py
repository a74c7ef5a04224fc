from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from photos import indexed_row

from photoscope.library.db import Library
from photoscope.search import sidecar
from photoscope.search.stored import class_cover
from photoscope.search.vectors import VectorStore, best_hits, load_store


def _store(n: int = 6, dim: int = 4) -> tuple[VectorStore, torch.Tensor]:
    torch.manual_seed(0)
    latents = torch.randn(n, dim)
    store = VectorStore(dim, feature_dim=3)
    store.upsert(range(10, 10 + n), latents, torch.randn(n, 3))
    return store, latents


def test_ranks_by_cosine_and_returns_ids() -> None:
    store, latents = _store()
    hits = store.top_k(store.scores(latents[2] * 5, "latent"), k=3)
    assert hits[0].photo_id == 12 and abs(hits[0].score - 1.0) < 1e-5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_matches_a_full_sort() -> None:
    store, latents = _store(n=200, dim=8)
    query = torch.randn(8)
    hits = store.top_k(store.scores(query, "latent"), k=10)
    cos = torch.nn.functional.cosine_similarity(latents, query.unsqueeze(0))
    expected = (cos.argsort(descending=True)[:10] + 10).tolist()
    assert [h.photo_id for h in hits] == expected


def test_tied_scores_keep_one_order_whatever_the_number_asked() -> None:
    """Audit: `search paris -n 3` was not the first 3 of `-n 6` (all six scored 0.300, the names'
    lift): a script paging through results saw photos twice and missed others."""
    scores = np.array([0.1, 0.3, 0.3, 0.9, 0.3, 0.3, 0.3, 0.3, 0.2], np.float32)
    ids = np.arange(100, 109)
    full = [h.photo_id for h in best_hits(scores, ids, 9, None, [])]
    assert full == [103, 101, 102, 104, 105, 106, 107, 108, 100]  # ties in row order
    for k in range(1, 10):
        assert [h.photo_id for h in best_hits(scores, ids, k, None, [])] == full[:k]
    assert [h.photo_id for h in best_hits(torch.from_numpy(scores), ids, 4, None, [2])] == [
        103,
        101,
        104,
        105,
    ]


def test_filters_and_exclusions() -> None:
    store, latents = _store()
    scores = store.scores(latents[0], "latent")
    hits = store.top_k(scores, k=10, allowed=np.array([11, 13, 99]))
    assert {h.photo_id for h in hits} == {11, 13}
    assert 10 not in {h.photo_id for h in store.top_k(scores, k=10, exclude=[10])}


def test_updates_removals_and_growth_stay_consistent() -> None:
    store, latents = _store()
    store.remove([10, 12, 404])
    assert len(store) == 4 and 10 not in store and 15 in store
    # the last row moved into a hole keeps its vector
    assert torch.allclose(store.vector_of(15, "latent"), torch.nn.functional.normalize(latents[5], dim=0))
    store.upsert([11], -latents[1:2], torch.zeros(1, 3))  # re-indexed photo: replaced in place
    assert len(store) == 4
    assert store.top_k(store.scores(-latents[1], "latent"), 1)[0].photo_id == 11
    many = torch.randn(3000, 4)
    store.upsert(range(1000, 4000), many, torch.randn(3000, 3))
    assert len(store) == 3004
    assert store.top_k(store.scores(many[1234], "latent"), 1)[0].photo_id == 2234


def test_mean_latent_is_at_the_original_scale() -> None:
    store, latents = _store()
    assert torch.allclose(store.mean_latent(), latents.mean(0), atol=1e-5)
    store.remove([10])
    assert torch.allclose(store.mean_latent(), latents[1:].mean(0), atol=1e-5)


def test_features_are_kept_in_half_precision() -> None:
    store, _ = _store()
    assert store.vectors("feature").dtype == torch.float16
    assert store.vectors("latent").dtype == torch.float32


# the memory-mapped vectors (search/sidecar.py)


def _indexed_library(
    tmp_path: Path, n: int, seed: int = 0
) -> tuple[Library, list[int], np.ndarray, np.ndarray]:
    from photoscope.library.db import NewFile

    library = Library(tmp_path / "library.db")
    folder = library.add_folder(str(tmp_path))
    new = [NewFile(folder.id, f"{tmp_path}/p{i}.jpg", 100 + i, 1.0 + i, f"{i:032x}") for i in range(n)]
    ids = library.add_photos(new)
    rng = np.random.default_rng(seed)
    latents = rng.standard_normal((n, 8), dtype=np.float32)
    features = rng.random((n, 1280), dtype=np.float32)
    _write(library, ids, new, latents, features, range(n))
    return library, ids, latents, features


def _write(
    library: Library, ids: list[int], new: list[Any], latents: np.ndarray, features: np.ndarray, rows: Any
) -> None:
    library.write_results(
        [
            indexed_row(
                ids[j],
                size=100 + j,
                mtime=1.0 + j,
                latent=latents[j],
                feature=features[j].astype(np.float16),
            )
            for j in rows
        ]
    )


def test_the_mapped_store_ranks_as_the_in_memory_one(tmp_path: Path) -> None:
    library, ids, latents, features = _indexed_library(tmp_path, 60)
    path = sidecar.sidecar_path(tmp_path / "library.db")
    store = sidecar.open_store(library, "m@1", 8, path)
    assert path.is_file() and isinstance(store, sidecar.MappedStore) and store.base.basis is None
    assert path.stat().st_mode & 0o777 == 0o600
    memory = load_store(library, "m@1", 8)
    for q in torch.randn(5, 8):
        # The same ranking up to the file's half precision: photos whose scores tie there keep row
        # order, so compare each place's score as the in-memory store gives it.
        exact = {h.photo_id: h.score for h in memory.top_k(memory.scores(q, "latent"), 60)}
        mapped = [exact[h.photo_id] for h in store.top_k(store.scores(q, "latent"), 10)]
        assert mapped == pytest.approx(
            [h.score for h in memory.top_k(memory.scores(q, "latent"), 10)], abs=2e-3
        )
    feature = torch.from_numpy(features[7])
    hits = store.top_k(store.scores(feature, "feature"), 3)
    assert hits[0].photo_id == ids[7] and hits[0].score > 0.999
    assert torch.allclose(store.raw_latents(torch.tensor([7])), torch.from_numpy(latents[7:8]), atol=1e-2)
    assert torch.allclose(store.mean_latent(), memory.mean_latent(), atol=1e-3)


def test_the_file_catches_up_with_the_database_at_open(tmp_path: Path) -> None:
    library, ids, latents, features = _indexed_library(tmp_path, 40)
    path = sidecar.sidecar_path(tmp_path / "library.db")
    sidecar.open_store(library, "m@1", 8, path)
    stamp = path.stat().st_mtime_ns
    latents[3] = -latents[3]  # re-indexed: new vectors
    _write(library, ids, [], latents, features, [3])
    library.delete_photos(ids[10:12])
    store = sidecar.open_store(library, "m@1", 8, path)
    assert path.stat().st_mtime_ns == stamp  # patched in memory, not rewritten
    assert len(store) == 38 and ids[10] not in store and ids[3] in store
    assert store.scores(torch.randn(8), "latent").shape == (1, 38)
    assert len(store.concept_scores(class_cover([1], 0.5, "efficientnet-lite0"))) == 38
    assert sorted(store.ids.tolist()) == sorted(set(ids) - {ids[10], ids[11]})
    hit = store.top_k(store.scores(torch.from_numpy(latents[3]), "latent"), 1)[0]
    assert hit.photo_id == ids[3] and hit.score > 0.999
    assert store.top_k(store.scores(torch.randn(8), "latent"), 40, exclude=[ids[3]])[-1].photo_id != ids[3]
    assert all(
        h.photo_id not in (ids[10], ids[11]) for h in store.top_k(store.scores(torch.randn(8), "latent"), 40)
    )


def test_the_indexer_s_refresh_rewrites_the_file_and_prunes_the_log(tmp_path: Path) -> None:
    library, ids, _, _ = _indexed_library(tmp_path, 30)
    path = sidecar.sidecar_path(tmp_path / "library.db")
    store = sidecar.open_store(library, "m@1", 8, path)
    library.delete_photos(ids[:5])
    assert sidecar.refresh_sidecar(library, "m@1", 8, path, store, threshold=100) is None  # too few changes
    fresh = sidecar.refresh_sidecar(library, "m@1", 8, path, store, threshold=1)
    assert fresh is not None and fresh.changed == 0 and fresh.base.count == 25
    assert library.vector_changes(fresh.generation) == (library.vector_generation(), [])
    reopened = sidecar.open_store(library, "m@1", 8, path)
    assert sorted(reopened.ids.tolist()) == ids[5:]


def test_a_damaged_foreign_or_unreachable_file_is_rebuilt(tmp_path: Path) -> None:
    library, ids, _, _ = _indexed_library(tmp_path, 20)
    path = sidecar.sidecar_path(tmp_path / "library.db")
    sidecar.open_store(library, "m@1", 8, path)
    assert sidecar.read_sidecar(path, "other@2", 8) is None  # another model's vectors
    path.write_bytes(b"junk")
    assert sidecar.read_sidecar(path, "m@1", 8) is None
    assert sorted(sidecar.open_store(library, "m@1", 8, path).ids.tolist()) == ids
    library.delete_photos(ids[:2])
    library.prune_vector_log(library.vector_generation())  # the log no longer reaches the file's stamp
    assert sorted(sidecar.open_store(library, "m@1", 8, path).ids.tolist()) == ids[2:]


def _write_over(path: Path, section: str, count: int, offset_in: int = 0) -> None:
    """4 KiB of 0xFF (half floats' NaN) into one section of the file, its header left whole."""
    from photoscope.search.stored import map_sidecar

    side = map_sidecar(path, "m@1", 8)
    assert side is not None
    where = getattr(side, section).offset + offset_in
    del side
    with path.open("r+b") as f:
        f.seek(where)
        f.write(b"\xff" * min(4096, count))


def test_a_file_written_over_is_rebuilt_and_a_nan_in_the_database_scores_nothing(tmp_path: Path) -> None:
    """The CLI audit of stop 47: 4 KiB of bad bytes among the file's features (its header whole)
    made every search find nothing, for good: NaN scores no photo, and the file was trusted."""
    from photoscope.search.stored import map_sidecar, written_over

    library, ids, latents, _ = _indexed_library(tmp_path, 40)
    path = sidecar.sidecar_path(tmp_path / "library.db")
    sidecar.open_store(library, "m@1", 8, path)
    for section in ("features", "latents", "ids"):
        _write_over(path, section, 4096, 64)
        mapped = map_sidecar(path, "m@1", 8)
        assert mapped is not None and written_over(mapped) == section
        assert sidecar.read_sidecar(path, "m@1", 8) is None  # so open_store writes it again
        store = sidecar.open_store(library, "m@1", 8, path)
        assert written_over(store.base) is None and sorted(store.ids.tolist()) == ids
        scores = store.scores(torch.from_numpy(latents[:1]), "latent")
        assert torch.isfinite(scores).all() and store.top_k(scores, 1)[0].photo_id == ids[0]
    # A NaN the database holds is written as 0: the file stays one that is not rebuilt at each open.
    nan = np.full(8, np.nan, np.float32)
    library.write_results(
        [indexed_row(ids[3], size=103, mtime=4.0, latent=nan, feature=np.zeros(1280, np.float16))]
    )
    library.prune_vector_log(library.vector_generation())
    store = sidecar.open_store(library, "m@1", 8, path)
    assert written_over(store.base) is None and sidecar.read_sidecar(path, "m@1", 8) is not None


def test_a_file_left_by_a_deleted_library_is_not_taken_for_the_new_one_s(tmp_path: Path) -> None:
    """The #14 audit of stop 44: library.db deleted and made again with other photos left
    library.db.vectors beside it, and the new library searched the old photos' vectors under its
    own photos' ids ("a panda" found no panda; "squirrel" a man and a woman)."""
    old, _, _, _ = _indexed_library(tmp_path, 20, seed=1)
    path = sidecar.sidecar_path(tmp_path / "library.db")
    sidecar.open_store(old, "m@1", 8, path)
    old.close()
    for leftover in tmp_path.glob("library.db*"):
        if leftover != path:
            leftover.unlink()
    new, ids, latents, _ = _indexed_library(tmp_path, 20, seed=2)  # the same ids, other photos
    from photoscope.search.quick import QuickStore

    assert QuickStore.open(new, "m@1", 8, path) is None  # the first answer does not read it either
    store = sidecar.open_store(new, "m@1", 8, path)
    hit = store.top_k(store.scores(torch.from_numpy(latents[5]), "latent"), 1)[0]
    assert hit.photo_id == ids[5] and hit.score > 0.999


def test_big_libraries_keep_reduced_features(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sidecar, "REDUCE_FROM", 50)
    monkeypatch.setattr(sidecar, "REDUCED_DIM", 16)
    library, ids, _, features = _indexed_library(tmp_path, 80)
    store = sidecar.open_store(library, "m@1", 8, sidecar.sidecar_path(tmp_path / "library.db"))
    assert store.base.basis is not None and store.vectors("feature").shape == (80, 16)
    hits = store.top_k(store.scores(torch.from_numpy(features[9]), "feature"), 1)
    assert hits[0].photo_id == ids[9] and hits[0].score > 0.999  # a copy is still a copy
    similar = store.top_k(store.scores(store.vector_of(ids[9], "feature"), "feature"), 2, exclude=[ids[9]])
    assert ids[9] not in [h.photo_id for h in similar]
    # the best photos are scored again on their whole features: exact cosines, exact copy marks
    query = torch.from_numpy(features[3] + np.random.default_rng(1).random(1280, dtype=np.float32))
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    exact = unit @ (query.numpy() / np.linalg.norm(query.numpy()))
    hits = store.top_k(store.scores(query, "feature"), 5)
    assert [h.photo_id for h in hits] == [ids[i] for i in np.argsort(-exact)[:5]]
    assert np.allclose([h.score for h in hits], np.sort(exact)[::-1][:5], atol=2e-3)
    store.upsert([ids[9]], torch.randn(1, 8), torch.from_numpy(features[9:10]))  # in memory: reduced too
    assert store.vector_of(ids[9], "feature").shape == (1280,)
    hits = store.top_k(store.scores(torch.from_numpy(features[9]), "feature"), 1)
    assert hits[0].photo_id == ids[9] and hits[0].score > 0.999
    fresh = sidecar.MappedStore(store.write("m@1"), 8)
    assert fresh.base.count == 80 and fresh.changed == 0
    assert torch.allclose(fresh.vector_of(ids[20], "feature"), store.vector_of(ids[20], "feature"))


def test_some_rows_read_from_the_mapped_store_are_those_rows(tmp_path: Path) -> None:
    library, ids, _, features = _indexed_library(tmp_path, 30)
    store = sidecar.open_store(library, "m@1", 8, sidecar.sidecar_path(tmp_path / "library.db"))
    store.remove(ids[:3])  # dead base rows
    store.upsert([ids[5], 999], torch.randn(2, 8), torch.from_numpy(features[5:7]))  # and a tail
    rows = torch.tensor([0, 4, len(store) - 2, len(store) - 1, 10])
    for kind in ("latent", "feature"):
        assert torch.allclose(store.rows_of(kind, rows), store.vectors(kind)[rows])


def test_the_quick_answer_breaks_ties_as_the_network_s_does() -> None:
    from photoscope.search.quick import top_hits

    scores = np.array([0.1, 0.3, 0.3, 0.9, 0.3, 0.3, 0.3, 0.3, 0.2], np.float32)
    ids = np.arange(100, 109)
    for k in range(1, 10):
        assert top_hits(scores, ids, k, None) == best_hits(scores, ids, k, None, [])
    odd = np.array([0.5, np.nan, 0.2, 0.9, -np.inf], np.float32)  # review: one NaN emptied the answer
    assert [h.photo_id for h in top_hits(odd, ids[:5], 5, None)] == [103, 100, 102]
    assert top_hits(odd, ids[:5], 5, None) == best_hits(odd, ids[:5], 5, None, [])


def test_an_empty_library_s_file_opens(tmp_path: Path) -> None:
    """The check of a file's sections (``stored.written_over``) first failed on an empty library's."""
    library = Library(tmp_path / "library.db")
    path = sidecar.sidecar_path(tmp_path / "library.db")
    assert len(sidecar.open_store(library, "m@1", 8, path)) == 0
    assert sidecar.read_sidecar(path, "m@1", 8) is not None
