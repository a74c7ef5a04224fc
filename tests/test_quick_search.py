"""A description's quick answer while the network loads (issue #18): the text encoder in NumPy over the
vectors' mapped file, fused with the concepts as the shipped search fuses them, without PyTorch."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from photoscope.api import Filters, Photoscope

QUERIES = ["a red circle", "a blue square on the grass", "green triangle", "a balloon", "a qwxzy"]


@pytest.fixture
def shapes_db(shapes_library_db: tuple[Path, Path], tmp_path: Path) -> Path:
    """A copy of the indexed shapes library, with its vectors' mapped file written (as the app's first
    load of the vectors writes it)."""
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    return db


def _map_vectors(db: Path, model_dir: Path) -> None:
    with Photoscope(db, model_dir) as app:
        assert len(app.store) > 0


def test_the_quick_answer_is_the_shipped_search_from_the_encoder_s_first_guess(
    trained_tiny: Path, shapes_db: Path
) -> None:
    """Without inversion, the likelihood re-score and the word detectors, the shipped search ranks by
    the text encoder's latent and the concepts: the quick answer ranks the same (folder and file
    names lifted alike)."""
    from photoscope.api import TextSearchOptions

    _map_vectors(shapes_db, trained_tiny)
    with Photoscope(shapes_db, trained_tiny) as app:
        quick = {text: app.search_text_quick(text, 12) for text in QUERIES}
        assert not app.model_ready
        first_guess = TextSearchOptions(method="encoder", rerank=0, words=0.0)
        for text, answer in quick.items():
            assert answer is not None
            full = app.search_text(text, 12, options=first_guess)
            assert [u.word for u in answer.unknown_words] == [u.word for u in full.unknown_words]
            assert len(answer.matches) == len(full.matches), text
            # latents are float16 in the file: scores agree to its precision, the ranking where they differ
            np.testing.assert_allclose(
                [m.score for m in answer.matches], [m.score for m in full.matches], atol=2e-3
            )
            assert {m.photo.id for m in answer.matches[:5]} == {m.photo.id for m in full.matches[:5]}, text
            assert answer.relevant == full.relevant
    red_circles = quick["a red circle"]
    assert red_circles is not None
    assert all("red circle" in Path(m.photo.path).name for m in red_circles.matches[:3])


def test_photos_changed_since_the_file_was_written_are_answered_as_they_are_now(
    trained_tiny: Path, shapes_db: Path
) -> None:
    """A photo removed since is not an answer; one indexed since is."""
    from photos import indexed_row

    from photoscope.library.records import NewFile
    from photoscope.network import TextModel

    _map_vectors(shapes_db, trained_tiny)
    with Photoscope(shapes_db, trained_tiny) as app:
        before = app.search_text_quick("a red circle", 5)
        assert before is not None and before.matches
        gone = before.matches[0].photo.id
        app.library.delete_photos([gone])
        folder = app.library.folders()[0]
        [new] = app.library.add_photos([NewFile(folder.id, f"{folder.path}/x/new.jpg", 10, 1.0, "f" * 32)])
        model = TextModel(trained_tiny)
        latent = model.encode_text(["a red circle"])[0]
        app.library.write_results(
            [
                indexed_row(
                    new,
                    "a red circle",
                    latent=latent,
                    feature=np.ones(1280, np.float16),
                    model_version=model.version,
                )
            ]
        )
        after = app.search_text_quick("a red circle", 100)
        assert after is not None
        ids = [m.photo.id for m in after.matches]
        assert new in ids and gone not in ids
        only = app.search_text_quick("a red circle", 5, Filters(folder=f"{folder.path}/x"))
        assert only is not None and [m.photo.id for m in only.matches] == [new]


def test_no_quick_answer_without_the_mapped_file(trained_tiny: Path, shapes_db: Path) -> None:
    """Before the vectors were ever loaded the app shows the caption index's answer instead."""
    with Photoscope(shapes_db, trained_tiny) as app:
        assert app.search_text_quick("a red circle") is None
    with Photoscope(shapes_db, trained_tiny / "missing") as app:
        _map_vectors(shapes_db, trained_tiny)
        assert app.search_text_quick("a red circle") is None  # no bundle: the full search says why


def test_prepared_or_not_the_answer_is_the_same(trained_tiny: Path, shapes_db: Path) -> None:
    """The app prepares the quick answer (the latents whole in float32) while the network loads, and
    lets it go once the network is in."""
    _map_vectors(shapes_db, trained_tiny)
    with Photoscope(shapes_db, trained_tiny) as app:
        plain = app.search_text_quick("a green triangle", 10)
        assert app.prepare_quick_search()
        prepared = app.search_text_quick("a green triangle", 10)
        app.release_quick_search()
        again = app.search_text_quick("a green triangle", 10)
    assert plain is not None and prepared is not None and again is not None
    for answer in (prepared, again):
        assert [m.photo.id for m in answer.matches] == [m.photo.id for m in plain.matches]
        np.testing.assert_allclose(
            [m.score for m in answer.matches], [m.score for m in plain.matches], atol=1e-6
        )
    with Photoscope(shapes_db, trained_tiny / "missing") as app:
        assert not app.prepare_quick_search()


def test_the_first_answers_to_a_description_s_without_leave_out_what_the_captions_say(
    trained_tiny: Path, shapes_db: Path
) -> None:
    """The review of stop 41: the quick answer to "red without square" searched "red" alone and
    showed red squares first, with no note; the caption index cut its answer to the limit before
    dropping the squares (1 photo of 3 asked, 3 red circles there)."""
    _map_vectors(shapes_db, trained_tiny)
    with Photoscope(shapes_db, trained_tiny) as app:
        quick = app.search_text_quick("red without square", 6)
        captions = app.search_captions("red without square", 3)
    assert quick is not None and quick.taken_away == ("square",)
    assert quick.matches and not any("square" in (m.photo.caption or "") for m in quick.matches)
    assert len(captions.matches) == 3 and not any(
        "square" in (m.photo.caption or "") for m in captions.matches
    )


def test_the_first_answer_to_a_description_with_words_taken_away_calls_none_likely(
    trained_tiny: Path, tmp_path: Path
) -> None:
    """Audit 85 (repro_4): the first answer to "a dog without grass" left out the photos whose
    captions say grass (the dog among them) and called a goat the one likely match; the network's
    answer a second later put the dog first, with none likely. Without the network's subtraction the
    first answer cannot tell what is likely: it lists, and says so of none but the photos named."""
    from synthetic import indexed_shapes

    shown = [(c, s) for c in ("red", "green", "blue") for s in ("circle", "square", "triangle")]
    # named so that no name says what they show
    db = indexed_shapes(tmp_path, trained_tiny, shown, lambda at, colour, shape, i: f"photo {at}{i}")
    _map_vectors(db, trained_tiny)
    with Photoscope(db, trained_tiny) as app:
        plain = app.search_text_quick("circle", 9)
        taken = app.search_text_quick("circle without red", 9)
    assert plain is not None and plain.relevant > 0  # what the rule changes: likely matches
    assert taken is not None and taken.matches and taken.relevant == taken.by_name == 0


def test_the_first_answers_to_a_description_that_cancels_out_list_nothing(
    trained_tiny: Path, shapes_db: Path
) -> None:
    """The review of stop 43: the quick answer to "a red circle without a red circle" listed 21
    photos, "15 likely", until the network's answer replaced them with nothing (they cancel out)."""
    _map_vectors(shapes_db, trained_tiny)
    with Photoscope(shapes_db, trained_tiny) as app:
        quick = app.search_text_quick("a red circle without a red circle", 6)
        captions = app.search_captions("a red circle without a red circle", 6)
        full = app.search_text("a red circle without a red circle", 6)
    for answer in (quick, captions, full):
        assert answer is not None and not answer.matches and answer.cancelled == ("a red circle",)


@pytest.mark.parametrize(
    "text", ["koala", "a red koala", "a koala on the grass", "a red circle", "red without koala"]
)
def test_the_first_answer_calls_its_photos_closest_guesses_as_the_network_s_does(
    trained_tiny: Path, shapes_db: Path, text: str
) -> None:
    """Stop 44's Left list: a word only the head judges ("koala", which no shape shows) made the
    network's answer "closest guesses", but the quick answer shown before it called the same photos
    likely matches until the network replaced it. Both now say the same."""
    _map_vectors(shapes_db, trained_tiny)
    with Photoscope(shapes_db, trained_tiny) as app:
        quick = app.search_text_quick(text, 12)
        assert quick is not None and not app.model_ready
        full = app.search_text(text, 12)
    assert quick.unsure == full.unsure, text
    if text == "koala":  # nothing listed: no photo clearly shows one
        assert quick.unsure == ("koala",) and not quick.matches


def test_the_first_answer_judges_listed_photos_as_the_network_does(
    trained_tiny: Path, shapes_db: Path
) -> None:
    """The same words are unclear for the same listed photos (here none lifted by its name)."""
    from photoscope.search.quick import quick_unclear_words

    _map_vectors(shapes_db, trained_tiny)
    with Photoscope(shapes_db, trained_tiny) as app:
        found = app._quick()
        assert found is not None
        some = app.library.photo_ids()[:6]
        for text in ("a red koala", "a red circle", "koala"):
            assert quick_unclear_words(*found, app.library, text, some) == app.engine.unclear_concepts(
                text, some
            ), text
        assert quick_unclear_words(*found, app.library, "a red koala", some) == ("koala",)


@pytest.fixture(scope="module")
def shipped_shapes_db(shipped_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sixteen shape photos indexed by the shipped model (whose word detectors know Flickr8k's words),
    the vectors' mapped file written, and one photo changed after it (the file's tail)."""
    from synthetic import COLOURS, SHAPES, shape_photo

    from photoscope.api import IndexOptions

    root = tmp_path_factory.mktemp("shipped-shapes")
    photos = root / "Photos"
    photos.mkdir()
    for colour in COLOURS:
        for shape in SHAPES:
            for seed in (5, 6):
                shape_photo(colour, shape, seed=seed).save(photos / f"{colour} {shape} {seed}.jpg")
    db = root / "library.db"
    with Photoscope(db, shipped_model_dir) as app:
        app.add_folder(photos)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
        assert len(app.store) == 16  # writes the mapped file
    shape_photo("green", "circle", seed=9).save(photos / "late.jpg")
    with Photoscope(db, shipped_model_dir) as app:
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
    return db


@pytest.mark.parametrize("text", ["a car", "a red car", "a dog on the beach", "a red circle", "a koala"])
def test_the_first_answer_judges_words_the_decoder_reads_by_their_detectors(
    shipped_shapes_db: Path, shipped_model_dir: Path, tmp_path: Path, text: str
) -> None:
    """Stop 48's Left list: "a car" over shapes (or a library of animals) was "16 likely matches"
    in the first answer, and "closest guesses" once the network's answer replaced it: the word
    detectors, which judge the words the decoder reads, ran only in the network's answer."""
    db = tmp_path / "library.db"
    shutil.copy(shipped_shapes_db, db)
    shutil.copy(f"{shipped_shapes_db}.vectors", f"{db}.vectors")  # as written before the late photo
    with Photoscope(db, shipped_model_dir) as app:
        found = app._quick()
        assert found is not None and len(found[1].tail_ids) == 1  # the late photo, read from SQLite
        quick = app.search_text_quick(text, 17)
        assert quick is not None and not app.model_ready
        full = app.search_text(text, 17)
    assert quick.unsure == full.unsure, text
    if text == "a car":  # no shape shows a car: the detector of "car" says so in both
        assert quick.unsure == ("car",)


@pytest.mark.parametrize(
    ("text", "word"), [("a girl", "girl"), ("people", "people"), ("a child without a dog", "child")]
)
def test_words_that_name_people_are_seen_only_where_the_person_probe_sees_people(
    shipped_shapes_db: Path,
    shipped_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    word: str,
) -> None:
    """Stop 50's Left: "a girl" over a dam, a tower, a hammer and a mosque called them 4 likely
    matches, "a child" a tape measure and a bucket: the word detectors, learned on Flickr8k where
    people are everywhere, see them anywhere. Here they see every word in every shape (as they saw
    a girl in the dam); a person word is seen only where the person probe, read as the caption rule
    reads it, sees people, and over shapes both answers are closest guesses."""
    from photoscope.network import PhotoscopeModel, TextModel

    sure = 5.0  # log-odds: every detector word in every photo

    def everywhere(self: object, words: list[str], f: torch.Tensor, basis: object = None) -> torch.Tensor:
        return torch.full((len(f), len(words)), sure)

    monkeypatch.setattr(PhotoscopeModel, "word_log_odds", everywhere)
    monkeypatch.setattr(
        TextModel, "word_probabilities", lambda self, words, f, basis: np.full((len(f), len(words)), 0.99)
    )
    db = tmp_path / "library.db"
    shutil.copy(shipped_shapes_db, db)
    shutil.copy(f"{shipped_shapes_db}.vectors", f"{db}.vectors")  # the late photo in its tail
    with Photoscope(db, shipped_model_dir) as app:
        quick = app.search_text_quick(text, 17)
        assert quick is not None and not app.model_ready
        full = app.search_text(text, 17)
        listed = [m.photo.id for m in full.matches]
        assert app.people_in(text, listed) == dict.fromkeys(listed, False)
        assert app.people_in("a red circle", listed) is None  # no word names people: nothing read
        seen = app.search_text("red", 17)  # a word that names no people: the detectors as they say
    assert full.matches and full.unsure == quick.unsure == (word,), text
    assert full.guesses and quick.guesses
    assert not seen.unsure and seen.relevant


def test_the_first_answer_reaches_as_far_down_for_likely_matches_as_the_network_s(
    shipped_shapes_db: Path, shipped_model_dir: Path, tmp_path: Path
) -> None:
    """The first answer and the network's cut their likely matches at the same listed photo
    (``results.likely_through``), the mapped file's rows and the late photo's (its tail) alike."""
    from photoscope.search.quick import quick_likely_through

    db = tmp_path / "library.db"
    shutil.copy(shipped_shapes_db, db)
    shutil.copy(f"{shipped_shapes_db}.vectors", f"{db}.vectors")
    with Photoscope(db, shipped_model_dir) as app:
        found = app._quick()
        assert found is not None and len(found[1].tail_ids) == 1
        ids = app.library.photo_ids()
        orders = [ids, ids[::-1], [*found[1].tail_ids, *ids[:5]]]
        through = {
            (text, at): quick_likely_through(*found, app.library, text, order)
            for text in ("red", "a red circle", "a dog", "blue")
            for at, order in enumerate(orders)
        }
        assert through == {(text, at): app.engine.likely_through(text, orders[at]) for text, at in through}
    assert any(n is not None for n in through.values())


def test_likely_matches_end_before_the_first_photo_that_does_not_show_the_word(
    shipped_shapes_db: Path, shipped_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh-seat audit of stop 50 ("a cat" among four cats called a giraffe and an owl likely):
    here "blue", whose score curve alone called four blue shapes likely where the detector sees blue
    in the first alone (a colour's name no longer lifts the files named so: the network judges it)."""
    cut, _ = _cut_and_curve("blue", "blue", shipped_shapes_db, shipped_model_dir, tmp_path, monkeypatch)
    assert cut.by_name < cut.relevant


def _cut_and_curve(  # type: ignore[no-untyped-def]
    text: str, word: str, shipped_shapes_db: Path, model_dir: Path, tmp_path: Path, monkeypatch
):
    """``text``'s answer, and the same without the likely cut (the score curve alone): the same
    photos, fewer likely, the last of them showing ``word`` to its detector and the first after
    them not."""
    import photoscope.api.combining as combining
    import photoscope.api.searching as searching

    db = tmp_path / "library.db"
    shutil.copy(shipped_shapes_db, db)
    with Photoscope(db, model_dir) as app:
        cut = app.search_text(text, 17)
        for module in (searching, combining):  # a plain description's, one with words taken away
            monkeypatch.setattr(module, "likely_at_most", lambda results, through, *_: results)
        app.__dict__.pop("_plain_counts", None)  # the added texts' plain counts, kept with the cut
        curve = app.search_text(text, 17)
        store, model = app.engine.store, app.engine.model
        features = store.rows_of(
            "feature", torch.tensor(store.rows_of_ids([m.photo.id for m in cut.matches]))
        )
        seen = torch.sigmoid(model.word_log_odds([word], features))[:, 0].tolist()
        bar = model.detector_sight(word)
    assert [m.photo.id for m in cut.matches] == [m.photo.id for m in curve.matches]
    assert cut.relevant < curve.relevant and bar is not None
    assert seen[cut.relevant - 1] >= bar  # the last likely match shows it
    assert seen[cut.relevant] < bar  # the first after them does not: the likely matches end there
    return cut, curve


def test_a_word_no_judge_reads_is_likely_only_in_the_photos_its_names_name(
    shipped_shapes_db: Path, shipped_model_dir: Path, tmp_path: Path
) -> None:
    """The fresh-seat audit of stop 50: "wedding" over a library with a folder named so listed its 5
    photos, then called 46 others likely (swans, a panda): no detector judges "wedding", and the
    score curve's knee always has a top."""
    from synthetic import shape_photo

    from photoscope.api import IndexOptions

    db = tmp_path / "library.db"
    shutil.copy(shipped_shapes_db, db)
    (tmp_path / "More" / "Wedding").mkdir(parents=True)
    shape_photo("red", "circle", seed=11).save(tmp_path / "More" / "Wedding" / "IMG_1.jpg")
    with Photoscope(db, shipped_model_dir) as app:
        app.add_folder(tmp_path / "More")
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
        assert app.engine.model.detector_sight("wedding") is None and app.engine.model.knows_any("wedding")
        found = app.search_text("wedding", 18)
    assert found.by_name == 1 and Path(found.matches[0].photo.path).name == "IMG_1.jpg"
    assert found.relevant == 1 and len(found.matches) > 1


def test_a_description_with_words_taken_away_reads_its_likely_matches_as_plain_search_does(
    shipped_shapes_db: Path, shipped_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second fresh-seat audit of stop 50: "a cat without a dog" called a jaguar, giraffes,
    camels, a panda and a hammer likely, where "a cat" alone ended its likely matches with the last
    photo that shows a cat. Here "blue without a dog" over coloured shapes (no file is named by "dog")."""
    cut, _ = _cut_and_curve(
        "blue without a dog", "blue", shipped_shapes_db, shipped_model_dir, tmp_path, monkeypatch
    )
    assert cut.matches and not cut.unsure
