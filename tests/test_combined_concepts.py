"""Combined queries and the encoder head's concepts (issue #17): a text term's concept words count in
the combined score (added terms lift, taken-away ones lower), a term only the concepts know
("espresso") ranks by them, and a query with nothing known to add lists nothing and says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from photoscope.api import Photoscope, QueryTerm
from photoscope.network.model import PhotoscopeModel
from photoscope.search.combine import CombinedRanker, CombineOptions, Term, known_term
from photoscope.search.vectors import VectorStore

ESPRESSO, BALD_EAGLE, GERMAN_SHEPHERD = 967, 22, 235


@pytest.fixture(scope="module")
def model(shipped_model_dir: Path) -> PhotoscopeModel:
    return PhotoscopeModel(shipped_model_dir)


def _store(model: PhotoscopeModel) -> VectorStore:
    """Twelve photos with random vectors: 0 an espresso, 1 a bald eagle, the rest dogs."""
    g = torch.Generator().manual_seed(0)
    n = 12
    classes = torch.full((n, 5), -1, dtype=torch.int64)
    probs = torch.zeros(n, 5)
    classes[:, 0], probs[:, 0] = GERMAN_SHEPHERD, 0.9
    classes[0, 0], classes[1, 0] = ESPRESSO, BALD_EAGLE
    store = VectorStore(model.latent_dim)
    latents, features = torch.randn(n, model.latent_dim, generator=g), torch.randn(n, 1280, generator=g)
    store.upsert(range(100, 100 + n), latents, features, (classes, probs))
    return store


def _photo(store: VectorStore, photo_id: int) -> Term:
    return Term(feature=store.vector_of(photo_id, "feature"), latent=store.vector_of(photo_id, "latent"))


def test_a_photo_plus_a_word_only_the_concepts_know_finds_that_photo(model: PhotoscopeModel) -> None:
    store = _store(model)
    assert not model.knows_any("espresso") and known_term(model, "espresso")
    scores = CombinedRanker(model, store).scores([_photo(store, 105), Term(text="espresso")])
    assert int(scores.argmax()) == 0  # the espresso, not the dogs like photo 105
    # As plain search lists only the photos the head sees an espresso in, so does the term.
    assert torch.isfinite(scores).tolist() == [True] + [False] * 11
    # Taken away, it lowers the espresso and keeps every photo.
    minus = CombinedRanker(model, store).scores([_photo(store, 105), Term(text="espresso", negative=True)])
    assert torch.isfinite(minus).all() and int(minus.argmin()) == 0


def test_concept_words_of_text_terms_lift_and_lower(model: PhotoscopeModel) -> None:
    store = _store(model)
    ranker = CombinedRanker(model, store)
    terms = [Term(text="a dog on the grass"), Term(text="bird", negative=True)]
    # The features are random: the word detectors (tests/test_word_probes.py) would say noise here.
    no_words = {"words": 0.0, "negative_words": 0.0, "photo_words": 0.0}
    bare = ranker.scores(terms, CombineOptions(concepts=0.0, negative_concepts=0.0, **no_words))
    added = ranker.scores(terms, CombineOptions(concepts=1.0, negative_concepts=0.0, **no_words))
    both = ranker.scores(terms, CombineOptions(concepts=1.0, negative_concepts=1.0, **no_words))
    dogs = list(range(2, 12))
    # The added "dog" lifts the ten dogs over the espresso and the eagle ...
    assert (added[dogs] - bare[dogs]).min() > (added[[0, 1]] - bare[[0, 1]]).max()
    assert set(added.topk(10).indices.tolist()) == set(dogs)
    # ... and the taken-away "bird" lowers the eagle below every other photo.
    assert both[1] - added[1] < min(both[i] - added[i] for i in [0, *dogs])
    assert int(both.argmin()) == 1


def test_function_words_and_numbers_alone_are_not_a_term(model: PhotoscopeModel) -> None:
    assert model.knows_any("a blorf") and not known_term(model, "a blorf")
    assert not known_term(model, "two qwxz") and not known_term(model, "the")
    assert known_term(model, "a dog") and known_term(model, "a cathedral")  # a stand-in counts


@pytest.fixture(scope="module")
def app(shapes_library_db: tuple[Path, Path], trained_tiny: Path) -> Iterator[Photoscope]:
    db, _ = shapes_library_db
    with Photoscope(db, trained_tiny) as app:
        yield app


def test_a_combined_query_with_nothing_known_to_add_lists_nothing_and_says_why(app: Photoscope) -> None:
    # Unknown words after a function word: before, "a" was enough to rank every photo.
    result = app.search_terms([QueryTerm(text="a blorf"), QueryTerm(text="the qwxz", negative=True)], 5)
    assert result.matches == [] and [u.word for u in result.unknown_words] == ["blorf", "qwxz"]
    # What is taken away alone is not what the user asked for.
    result = app.search_terms([QueryTerm(text="a blorf"), QueryTerm(text="red", negative=True)], 5)
    assert result.matches == [] and [u.word for u in result.unknown_words] == ["blorf"]
    # One known added term is enough; the unknown word is still reported.
    result = app.search_terms([QueryTerm(text="a blorf"), QueryTerm(text="red")], 5)
    assert result.matches and [u.word for u in result.unknown_words] == ["blorf"]


def test_a_photo_term_says_what_it_was_searched_as(
    shipped_model_dir: Path, shapes_library_db: tuple[Path, Path], tmp_path: Path
) -> None:
    # "This photo + snow" counts the photo by the content words the network sees in it (not the
    # query's own "snow"); the results say which, so that "this photo" is not a guess to the user.
    from photoscope.gui.wording import photo_words_message
    from photoscope.network.word_probes import load_word_probes

    _, folder = shapes_library_db
    # red, where the detectors are sure of its colour (of a blue one, no word reaches PHOTO_WORD_MIN)
    photo = folder / "red circle 0.jpg"
    with Photoscope(tmp_path / "empty.db", shipped_model_dir) as app:
        terms = [QueryTerm(photo=photo), QueryTerm(text="snow"), QueryTerm(photo=photo, weight=0)]
        words = app.search_terms(terms, 5).photo_words
        # without a detector for a text ("espresso"), the query counts without the words
        unworded = app.search_terms([QueryTerm(photo=photo), QueryTerm(text="espresso")], 5).photo_words
    assert len(words) == 1 and 0 < len(words[0]) <= CombineOptions().photo_word_count
    content = load_word_probes().content
    assert content is not None and set(words[0]) <= content and "snow" not in words[0]
    assert unworded == ((),)
    assert photo_words_message(words) == f"The photo counts as what it shows: {', '.join(words[0])}."
    assert photo_words_message(((), ("dog",), ("beach", "sand"))) == (
        "The photos count as what they show — the second: dog; the third: beach, sand."
    )  # each named by its place among the photo chips, the first counted by no words
    assert photo_words_message(((),)) == ""


def test_the_cli_says_what_a_photo_term_was_searched_as(
    shapes_library_db: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from photoscope.cli import main

    _, folder = shapes_library_db
    photo = folder / "red circle 0.jpg"  # one its detectors are sure of (``PHOTO_WORD_MIN``)
    (tmp_path / "nothing").mkdir()
    assert main(["folders", "add", str(tmp_path / "nothing"), "--db", str(tmp_path / "empty.db")]) == 0
    code = main(["search", "snow", "--add-photo", str(photo), "--db", str(tmp_path / "empty.db")])
    err = capsys.readouterr().err
    assert code == 1 and "no matching photos" in err  # an empty library
    assert f"note: {photo} counts as what it shows: " in err


def test_a_combined_query_no_photo_clearly_answers_says_which_word_none_shows(app: Photoscope) -> None:
    """The GUI walk of stop 43: chips “a dog” + “espresso” (a word only the concepts know, and no photo
    shows one) said "No photos found / Try describing it in other words", the command line "no
    matching photos"; plain "espresso" says that no photo clearly shows one."""
    results = app.search_terms([QueryTerm(text="something white"), QueryTerm(text="koala")])  # no name
    assert not results.matches and results.unsure == ("koala",)
    assert app.search_text("koala").unsure == ("koala",)


def test_a_word_no_photo_shows_beside_a_name_lists_nothing_as_beside_any_other_term(app: Photoscope) -> None:
    """Audit 85, repro_3: `search castle --add espresso` listed only the two photos whose file names
    say "Castle" (and "a dog" + espresso the one named dog, where "a bird" + espresso listed nothing),
    and said it could not see the castle either. An added term only the concepts know lists only the
    photos the head sees it in (the README), whatever the other terms' words name: here "koala" (no
    photo shows one) + "red" (the names of the red shapes say it) lists nothing, as "koala" + "something
    white" (no name) does, and the note names the koala alone. (The fresh-seat audit of stop 50 had
    `search espresso --add dog` list 11 arbitrary photos at 0.000 after the named one, and say nothing
    of the espresso.)"""
    named = app.search_terms([QueryTerm(text="koala"), QueryTerm(text="red")], 20)
    unnamed = app.search_terms([QueryTerm(text="koala"), QueryTerm(text="something white")], 20)
    assert [m.photo.path for m in named.matches] == [m.photo.path for m in unnamed.matches] == []
    assert named.unsure == unnamed.unsure == ("koala",)


def test_a_name_that_holds_the_word_no_photo_shows_still_vouches_for_it(
    trained_tiny: Path, tmp_path: Path
) -> None:
    """A photo whose name says the word the head sees in no photo ("tower": eiffelTower.jpg, the audit
    of stop 59) is still listed for it beside another term its name holds: the name vouches for both
    words, where "red square.jpg" vouches for "red" alone (audit 85, repro_3)."""
    from synthetic import shape_photo

    from photoscope.api import IndexOptions

    photos = tmp_path / "Photos"
    photos.mkdir()
    for name, shape in (("red koala", "square"), ("red square", "square"), ("blue circle", "circle")):
        shape_photo(name.split()[0], shape, seed=10).save(photos / f"{name}.jpg")
    with Photoscope(tmp_path / "library.db", trained_tiny) as app:
        app.add_folder(photos)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
        found = app.search_terms([QueryTerm(text="koala"), QueryTerm(text="red")], 20)
    assert [Path(m.photo.path).name for m in found.matches] == ["red koala.jpg"]


def test_what_photo_terms_count_as_stays_with_them_when_one_cancels_out(
    shipped_model_dir: Path, shapes_library_db: tuple[Path, Path], tmp_path: Path
) -> None:
    """The review of stop 47: once a photo added and taken away cancelled out, the words the others
    counted as moved up the list: `search snow --add-photo A --add-photo B --subtract-photo A`
    said "A counts as …" with B's words. And "what it adds, it takes away too" was said of a query
    that still searched B and "snow" (an empty library was why)."""
    from photoscope.api import EmptyAnswer, PhotoCounts, WhyNothing, why_nothing

    _, folder = shapes_library_db
    photos = sorted(folder.rglob("*.jpg"))
    a, b = photos[0], photos[20]
    with Photoscope(tmp_path / "empty.db", shipped_model_dir) as app:
        alone = app.search_terms([QueryTerm(text="snow"), QueryTerm(photo=b)], 5).photo_words
        terms = [QueryTerm(text="snow"), QueryTerm(photo=a), QueryTerm(photo=b)]
        terms.append(QueryTerm(photo=a, negative=True))
        found = app.search_terms(terms, 5)
        nothing_left = app.search_terms([QueryTerm(photo=a), QueryTerm(photo=a, negative=True)], 5)
    assert alone[0] and found.photo_words == ((), alone[0], ())
    assert found.cancelled == (a.name,) and not found.nothing_left and nothing_left.nothing_left
    counts = PhotoCounts()
    assert why_nothing(EmptyAnswer(counts, cancelled=found.nothing_left)) is WhyNothing.NO_PHOTOS
    assert why_nothing(EmptyAnswer(counts, cancelled=nothing_left.nothing_left)) is WhyNothing.CANCELLED


def test_a_photo_s_words_are_shown_as_the_phrases_they_mean(model: PhotoscopeModel) -> None:
    """The fresh-seat audit of stop 50: "The photo counts as what it shows: dog, german, brown": the
    captions the detectors learned say "german" only in "german shepherd"."""
    shown = model.words_as_shown(("dog", "german", "brown", "shepherd", "tank", "grass"))
    assert shown == ("dog", "german shepherd", "brown", "tank top", "grass")
    assert model.words_as_shown(("dog", "grass")) == ("dog", "grass")


def test_words_that_name_animals_are_judged_by_the_head_in_combined_queries(model: PhotoscopeModel) -> None:
    """Audit 73 (repro_1): "an animal" + "a dog" put the dog 13th under a horse and a bison: the
    "animal" detector, which Flickr8k's captions taught (they call a dog "a dog"), sank it. Words
    that name animals alone are judged by the head's classes, as the likely matches judge them; the
    others keep their detectors ("grass")."""
    from photoscope.search.combine import CombineOptions, head_words, text_detectors, word_rows

    store = _store(model)
    terms = [Term(text="an animal"), Term(text="a dog on the grass")]
    queries = [model.query_words(t.text or "") for t in terms]
    every = torch.arange(len(store))
    texts = text_detectors(model, terms, queries, CombineOptions())
    head = head_words(model, store, texts, every, CombineOptions())
    assert set(head) == {"animal", "dog"}
    assert float(head["dog"][2]) > 0.8 and float(head["dog"][0]) < 0.1  # a German shepherd, an espresso
    assert float(head["animal"][1]) > 0.8  # the eagle is an animal to the head
    assert head_words(model, store, texts, every, CombineOptions(animals_by_head=False)) == {}
    features = store.vectors("feature").float()
    judged = word_rows(model, features, terms[:1], queries[:1], CombineOptions(), head=head)[0]
    assert int(judged.argmin()) == 0  # the espresso: no animal to the head, whatever the detector says
    assert float(judged[2]) > float(judged[0])


def test_a_combined_query_reads_its_texts_detector_words_once(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the photo terms count as, the head's animal words and the detectors' rows all stand on
    the texts' detector words: read once a query (the head's words and the detectors' rows read
    them again), the ranking the same."""
    from photoscope.search import combine

    store = _store(model)
    terms = [Term(text="a dog on the grass"), Term(text="an animal"), Term(text="snow", negative=True)]
    before = CombinedRanker(model, store).scores(terms)
    read = combine.text_detectors
    calls: list[int] = []
    monkeypatch.setattr(combine, "text_detectors", lambda *a: calls.append(1) or read(*a))
    assert torch.equal(CombinedRanker(model, store).scores(terms), before)
    assert len(calls) == 1
