"""The word detectors (issue #17): the shipped probe resource, what a probe says of real Flickr8k val
photos, and what an added, a taken-away and an unknown word do to a combined query's ranking."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from photoscope.config import resources_dir
from photoscope.network.model import PhotoscopeModel
from photoscope.network.word_probes import (
    WORD_PROBES_RESOURCE,
    WordProbes,
    caption_words,
    content_words,
    load_word_probes,
)
from photoscope.search.combine import CombinedRanker, CombineOptions, Term, word_rows
from photoscope.search.ranking import TextRanker, TextSearchOptions
from photoscope.search.vectors import VectorStore

VAL_CACHE = Path(__file__).resolve().parents[1] / "runs" / "cache" / "flickr8k"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "flickr8k"
NO_WORDS = CombineOptions(words=0.0, negative_words=0.0, photo_words=0.0)


@pytest.fixture(scope="module")
def model(shipped_model_dir: Path) -> PhotoscopeModel:
    return PhotoscopeModel(shipped_model_dir)


def test_the_resource_holds_one_small_probe_a_word() -> None:
    path = resources_dir() / WORD_PROBES_RESOURCE
    probes = load_word_probes()
    assert path.stat().st_size < 4_000_000
    assert len(probes.words) > 300 and list(probes.words) == sorted(set(probes.words))
    assert probes.weight.shape == (len(probes.words), 1280) and probes.bias.shape == (len(probes.words),)
    assert np.isfinite(probes.weight).all() and np.isfinite(probes.bias).all()
    assert {"dog", "beach", "water", "snow", "hat", "shirt", "red"} <= set(probes.words)
    assert "the" not in probes.words and "dogs" not in probes.words  # function words, plurals folded


def test_a_query_word_finds_its_detector_and_scale_does_not_matter() -> None:
    probes = load_word_probes()
    assert probes.word_of("dogs") == "dog" and probes.word_of("Dog") == "dog"
    assert probes.word_of("blorf") is None and probes.word_of("the") is None
    features = torch.randn(4, 1280, generator=torch.Generator().manual_seed(0))
    unit = torch.nn.functional.normalize(features, dim=1)
    # The store keeps unit float16 rows; the encoder gives raw float32 ones: the same log-odds.
    torch.testing.assert_close(
        probes.logits(["dog", "water"], 7 * features),
        probes.logits(["dog", "water"], unit.half()),
        atol=0.05,
        rtol=0,
    )


def test_the_word_rule_folds_plurals_and_keeps_content_words() -> None:
    captions = [
        ["Two dogs run on the beach .", "A dog at the beach"] + ["A dog ."] * 3,
        ["A man walks across a street ."] * 5,
    ]
    has, about = caption_words(captions, {"dog", "beach", "man", "street", "across", "run"})
    assert has == [{"dog", "beach"}, {"man", "street"}] and about == [{"dog"}, {"man", "street"}]


def test_content_words_are_those_a_determiner_introduces() -> None:
    # "a shirt" is rarer than "a red shirt": an adjective usually comes between, so "shirt" is
    # not one, "red" is; "blue" here follows "in", and a verb never follows a determiner.
    captions = [["A dog in a red shirt .", "The dog wears a red shirt ."], ["Two men run in blue shirts ."]]
    known = {"dog", "men", "shirt", "red", "blue", "wears", "run", "in"}
    assert content_words(captions, known) == {"dog", "men", "red"}


def test_a_photo_s_likeliest_words_are_content_words() -> None:
    # A photo term stands for what captions introduce with a determiner ("a dog", "the beach"),
    # not for what its subjects do ("running"), however likely.
    probes = WordProbes(
        words=("beach", "dog", "running"),
        weight=np.eye(3, 1280, dtype=np.float32),
        bias=np.zeros(3, dtype=np.float32),
        info={},
        content=frozenset({"beach", "dog"}),
    )
    feature = torch.zeros(1280)
    feature[:3] = torch.tensor([0.2, 0.5, 0.8])
    assert [w for w, _ in probes.likeliest(feature, 2)] == ["dog", "beach"]
    assert [w for w, _ in probes.likeliest(feature, 2, leave_out=["dog"])] == ["beach"]
    # Without the content list (an older resource) every word counts.
    assert [w for w, _ in replace(probes, content=None).likeliest(feature, 1)] == ["running"]


def test_the_shipped_detectors_know_their_content_words(tmp_path: Path) -> None:
    probes = load_word_probes()
    assert probes.content is not None and probes.content <= set(probes.words)
    assert {"dog", "beach", "water", "snow", "man", "black"} <= probes.content
    assert not {"playing", "running", "jumping", "shirt", "through"} & probes.content
    path = tmp_path / "probes.json"
    path.write_text(probes.to_json(), encoding="utf-8")
    assert load_word_probes(path).content == probes.content


def test_a_word_ending_in_s_is_not_folded_onto_a_typo() -> None:
    # Flickr8k's captions once write "gras": folding "grass" onto it left "grass" without a
    # detector, since the decoder does not know the typo.
    captions = [["A dog runs on the grass ."] * 4 + ["A dog on the gras ."], ["Two dogs in grass ."] * 5]
    has, _ = caption_words(captions, {"dog", "grass"})
    assert has == [{"dog", "grass"}, {"dog", "grass"}]


def test_the_shipped_detectors_know_grass() -> None:
    assert load_word_probes().word_of("grass") == "grass"


def _val_features() -> tuple[list[str], np.ndarray]:
    """Flickr8k val photos' cached features (first view), when this checkout has them."""
    index = VAL_CACHE / "features.json"
    if not (SHARED_DATA / "val.txt").is_file() or not index.is_file():
        pytest.skip("Flickr8k val (../shared) or its feature cache is not here")
    names = json.loads(index.read_text())["names"]
    return names, np.load(VAL_CACHE / "features.npy")[:, 0].astype(np.float32)


def test_a_probe_scores_val_photos_with_its_word_above_those_without() -> None:
    from photoscope.training.flickr8k import CaptionDataset

    names, features = _val_features()
    data = CaptionDataset.load(SHARED_DATA)
    probes = load_word_probes()
    has, _ = caption_words([data.captions[n] for n in names], set(probes.words))
    words = ["dog", "beach", "snow", "water", "bike"]
    log_odds = probes.logits(words, torch.from_numpy(features)).numpy()
    for j, word in enumerate(words):
        with_word = np.array([word in h for h in has])
        # Val photos are not what the probes learned from: those with the word rank well above.
        assert log_odds[with_word, j].mean() > log_odds[~with_word, j].mean() + 2.0, word
        best = np.argsort(-log_odds[:, j])[:20]
        assert with_word[best].mean() >= 0.6, word


def _store(model: PhotoscopeModel) -> tuple[VectorStore, list[int]]:
    """Sixteen photos with random latents; the first eight's features lean towards the "dog"
    detector, the others' away from it. Returns the store and the dog photos' rows."""
    g = torch.Generator().manual_seed(0)
    dog = torch.from_numpy(load_word_probes().weight[load_word_probes().index["dog"]])
    dog = torch.nn.functional.normalize(dog, dim=0)
    sign = torch.tensor([1.0] * 8 + [-1.0] * 8)[:, None]
    features = torch.nn.functional.normalize(torch.randn(16, 1280, generator=g), dim=1) + 0.5 * sign * dog
    store = VectorStore(model.latent_dim)
    store.upsert(range(16), torch.randn(16, model.latent_dim, generator=g), features)
    return store, list(range(8))


def test_an_added_word_lifts_and_a_taken_away_word_lowers_the_photos_its_detector_sees(
    model: PhotoscopeModel,
) -> None:
    store, dogs = _store(model)
    others = list(range(8, 16))
    ranker = CombinedRanker(model, store)
    # the detectors themselves: "dog" names animals, which the app judges by the head's classes
    # (``CombineOptions.animals_by_head``, tested in test_combined_concepts.py)
    detectors = CombineOptions(animals_by_head=False)
    added = [Term(text="beach"), Term(text="dogs")]
    lift = ranker.scores(added, detectors) - ranker.scores(added, NO_WORDS)
    assert lift[dogs].min() > lift[others].max()
    taken = [Term(text="beach"), Term(text="dog", negative=True)]
    drop = ranker.scores(taken, detectors) - ranker.scores(taken, NO_WORDS)
    assert drop[dogs].max() < drop[others].min()


def test_a_photo_term_lifts_photos_with_its_likeliest_words(model: PhotoscopeModel) -> None:
    store, dogs = _store(model)
    feature = store.vector_of(0, "feature")
    photo = Term(feature=feature, latent=store.vector_of(0, "latent"))
    assert "dog" in [w for w, _ in model.likeliest_words(feature, 3)]
    ranker = CombinedRanker(model, store)
    lift = ranker.scores([photo, Term(text="beach")]) - ranker.scores([photo, Term(text="beach")], NO_WORDS)
    assert lift[dogs[1:]].mean() > lift[8:].mean()
    # A word the query's texts name is not the photo's to add: "dog" taken away stays taken away.
    words = model.likeliest_words(feature, 3, leave_out=["dog"])
    assert "dog" not in [w for w, _ in words]


def test_words_without_a_detector_change_nothing(model: PhotoscopeModel) -> None:
    store, _ = _store(model)
    ranker = CombinedRanker(model, store)
    # "espresso" only the head's concepts know, "blorf" nobody: no detector row, the same scores.
    terms = [Term(text="espresso"), Term(text="a blorf", negative=True)]
    queries = [model.query_words(t.text or "") for t in terms]
    assert not word_rows(model, store.vectors("feature"), terms, queries, CombineOptions()).any()
    torch.testing.assert_close(ranker.scores(terms), ranker.scores(terms, NO_WORDS))
    # Beside a text with a detector, the one without would be outvoted: the query counts as before.
    mixed = [Term(text="dog"), Term(text="espresso")]
    torch.testing.assert_close(ranker.scores(mixed), ranker.scores(mixed, NO_WORDS))


def test_a_big_library_s_reduced_features_get_the_detectors_too(
    model: PhotoscopeModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From sidecar.REDUCE_FROM photos the store keeps features projected on the library's principal
    # directions; the detectors read 1280-d features, so they are projected the same way.
    from photos import indexed_row

    from photoscope.library.db import Library
    from photoscope.library.records import NewFile
    from photoscope.search import sidecar

    monkeypatch.setattr(sidecar, "REDUCE_FROM", 50)
    monkeypatch.setattr(sidecar, "REDUCED_DIM", 32)
    small, dogs = _store(model)
    features = small.vectors("feature").repeat(5, 1)  # 80 photos: 40 lean to "dog", 40 away
    dog_rows = [r for r in range(80) if r % 16 in dogs]
    library = Library(tmp_path / "library.db")
    folder = library.add_folder(str(tmp_path))
    new = [NewFile(folder.id, f"{tmp_path}/p{i}.jpg", 100 + i, 1.0 + i, f"{i:032x}") for i in range(80)]
    ids = library.add_photos(new)
    latent = np.ones(model.latent_dim, np.float32)
    library.write_results(
        [
            indexed_row(
                ids[j],
                size=100 + j,
                mtime=1.0 + j,
                latent=latent,
                feature=features[j].numpy().astype(np.float16),
                model_version=model.version,
            )
            for j in range(80)
        ]
    )
    store = sidecar.open_store(library, model.version, model.latent_dim, tmp_path / "vectors")
    assert store.feature_basis is not None and store.vectors("feature").shape == (80, 32)
    ranker = CombinedRanker(model, store)
    added = [Term(text="beach"), Term(text="dogs")]
    lift = ranker.scores(added) - ranker.scores(added, NO_WORDS)
    others = [r for r in range(80) if r not in dog_rows]
    assert lift[dog_rows].min() > lift[others].max()
    library.close()


def test_the_detectors_score_the_combination_s_best_photos_and_the_rest_stay_below(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from photoscope.search import combine

    store, _ = _store(model)
    ranker = CombinedRanker(model, store)
    terms = [Term(text="beach"), Term(text="dogs")]
    plain = ranker.scores(terms, NO_WORDS)
    everyone = ranker.scores(terms)  # 16 photos: all of them are candidates
    monkeypatch.setattr(combine, "DETECTOR_CANDIDATES", 4)
    some = ranker.scores(terms)
    best = plain.topk(4).indices
    assert torch.allclose(some[best], everyone[best])  # the candidates: as with every photo scored
    rest = torch.ones(16, dtype=torch.bool)
    rest[best] = False
    assert some[rest].max() < some[best].min()
    assert torch.equal(some[rest].argsort(), plain[rest].argsort())  # in the combination's order


# Plain text search brings the detectors too (``TextSearchOptions.words``): each word of the query
# a detector knows adds the log-probability that a photo's captions would use it.
BARE = TextSearchOptions(rerank=0)  # the re-rank lifts its best above the rest: compared without it


def test_plain_text_search_lifts_the_photos_the_query_word_s_detector_sees(model: PhotoscopeModel) -> None:
    store, dogs = _store(model)
    others = list(range(8, 16))
    ranker = TextRanker(model, store)
    lift = ranker.scores(["two dogs"], BARE)[0] - ranker.scores(["two dogs"], replace(BARE, words=0.0))[0]
    assert lift[dogs].min() > lift[others].max()
    # the evidence is the sum over the words: a second word the detectors know adds its own
    beach = model.word_log_odds(["beach"], store.vectors("feature"))[:, 0]
    both = ranker.scores(["dogs on a beach"], BARE)[0] - ranker.scores(["dogs"], BARE)[0]
    moved = both - ranker.scores(["dogs on a beach"], replace(BARE, words=0.0))[0]
    moved += ranker.scores(["dogs"], replace(BARE, words=0.0))[0]
    # ... weighed by how rare the word is among the training photos ("beach": 5 % of them)
    rarity = float(model.word_rarity(["beach"])[0])
    assert rarity == pytest.approx(-np.log(0.0477), abs=0.01)
    torch.testing.assert_close(
        moved, BARE.words * rarity * torch.nn.functional.logsigmoid(beach), atol=1e-4, rtol=0
    )


def test_a_rare_word_s_detector_weighs_more_and_the_shares_survive_the_resource(tmp_path: Path) -> None:
    probes = load_word_probes()
    assert probes.share is not None and len(probes.share) == len(probes.words)
    assert ((probes.share > 0) & (probes.share < 1)).all()
    common, rare = probes.rarity(["man", "frisbee"]).tolist()
    assert 0 < common < 2 < rare  # a man is in 30 % of the photos, a frisbee in 1 %
    path = tmp_path / "probes.json"
    path.write_text(probes.to_json(), encoding="utf-8")
    again = load_word_probes(path)
    torch.testing.assert_close(
        again.rarity(["man", "frisbee"]), probes.rarity(["man", "frisbee"]), atol=1e-3, rtol=0
    )
    # A resource without the shares (an older one) weighs every word alike.
    older = replace(probes, share=None)
    path.write_text(older.to_json(), encoding="utf-8")
    load_word_probes.cache_clear()
    assert load_word_probes(path).rarity(["man", "frisbee"]).tolist() == [1.0, 1.0]


def test_plain_text_search_scores_its_best_photos_by_the_detectors_and_keeps_the_rest_below(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from photoscope.search import ranking

    store, _ = _store(model)
    ranker = TextRanker(model, store)
    plain = ranker.scores(["a dog"], replace(BARE, words=0.0))[0]
    everyone = ranker.scores(["a dog"], BARE)[0]
    monkeypatch.setattr(ranking, "DETECTOR_CANDIDATES", 4)
    some = ranker.scores(["a dog"], BARE)[0]
    best = plain.topk(4).indices
    torch.testing.assert_close(some[best], everyone[best])
    rest = torch.ones(16, dtype=torch.bool)
    rest[best] = False
    assert some[rest].max() < some[best].min()
    assert torch.equal(some[rest].argsort(), plain[rest].argsort())


def test_a_photo_unlike_flickr8k_does_not_count_as_what_the_caption_rule_vetoes(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The honest-results walk: a polar bear "counts as what it shows: dog, snow", a castle "man,
    people". On a photo unlike Flickr8k's (the presence probes' familiarity), a photo term's words
    leave out the groups the caption rule would not let its caption name."""
    from photoscope.network.caption_check import CaptionRule
    from photoscope.network.naming import risky_groups

    probes = load_word_probes()
    dog = torch.nn.functional.normalize(torch.from_numpy(probes.weight[probes.index["dog"]]), dim=0)
    g = torch.Generator().manual_seed(1)
    feature = 20.0 * torch.nn.functional.normalize(
        torch.rand(1280, generator=g) + 2.0 * dog.clamp(min=0), dim=0
    )
    assert model.presence.familiar.of(feature.reshape(1, -1).numpy())[0] < CaptionRule().familiar
    assert "dog" in [w for w, _ in probes.likeliest(feature, 3)]  # what the detectors alone say
    unshown = model.caption_check.unsupported(feature.reshape(1, -1))[0]
    assert "dog" in unshown
    monkeypatch.setattr("photoscope.network.model.PHOTO_WORD_MIN", 0.0)  # the veto alone (not the odds)
    words = [w for w, _ in model.likeliest_words(feature, 3)]
    assert len(words) == 3 and not any(risky_groups([w]) & unshown for w in words), words


def test_a_taken_away_person_is_any_person(model: PhotoscopeModel) -> None:
    """ "beach without people" kept a man alone and the surfers of a folder named Beach lifted by
    the name: Flickr8k says "people" of groups only, so its detector missed them. What shows a
    person or a dog is read by every detector of that group."""
    from photoscope.search.combine import showing

    man = torch.from_numpy(load_word_probes().weight[load_word_probes().index["man"]])
    store = VectorStore(model.latent_dim)
    g = torch.Generator().manual_seed(2)
    features = torch.nn.functional.normalize(torch.randn(2, 1280, generator=g), dim=1)
    features[0] += 2.0 * torch.nn.functional.normalize(man, dim=0)  # a man alone; the other no one
    store.upsert([7, 8], torch.randn(2, model.latent_dim, generator=g), features)
    assert showing(model, store, [7, 8], ["people"]) == {7}
    assert showing(model, store, [7, 8], ["men"]) == {7}
    assert showing(model, store, [7, 8], ["espresso"]) == set()


def test_taking_people_away_takes_a_man_alone_away_and_taking_a_man_away_keeps_women(
    model: PhotoscopeModel,
) -> None:
    """The #17 audit of stop 44: "- people" left single men high, since Flickr8k says "people" of
    groups only. A taken-away group name now counts as its group's likeliest detector; any other
    word as itself ("- man" keeps the women)."""
    people = model.taken_away_kin("people")
    assert people[0] == "people" and {"man", "woman", "girl", "boy"} <= set(people) and "dog" not in people
    assert model.taken_away_kin("man") == ["man"] and model.taken_away_kin("beach") == ["beach"]
    assert "puppy" in model.taken_away_kin("dogs") and model.taken_away_kin("espresso") == []
    assert model.detector_word("humans") is None and "man" in model.taken_away_kin("humans")  # the review
    man = torch.from_numpy(load_word_probes().weight[load_word_probes().index["man"]])
    g = torch.Generator().manual_seed(1)
    # eight photos leaning towards the "man" detector, eight away from it
    sign = torch.tensor([1.0] * 8 + [-1.0] * 8)[:, None]
    features = torch.nn.functional.normalize(torch.randn(16, 1280, generator=g), dim=1)
    features = features + 0.5 * sign * torch.nn.functional.normalize(man, dim=0)
    terms = [Term(text="beach"), Term(text="people", negative=True)]
    queries = [model.query_words("beach"), model.query_words("people")]
    kin = word_rows(model, features, terms, queries, CombineOptions())[1]
    own = word_rows(model, features, terms, queries, CombineOptions(negative_kin=False))[1]
    assert kin[:8].min() > kin[8:].max()  # what "- people" takes away: the men most
    assert (kin - own)[:8].mean() > 5 * (kin - own)[8:].mean().clamp(min=1e-3)
    # "- humans" has no detector of its own: it counts as the group (the review of stop 45: a text
    # no detector knows turned the detectors off for the whole query)
    humans = [Term(text="beach"), Term(text="humans", negative=True)]
    rows = word_rows(
        model, features, humans, [model.query_words("beach"), model.query_words("humans")], CombineOptions()
    )
    assert rows[1][:8].min() > rows[1][8:].max()


def test_the_word_sight_is_of_the_shipped_detectors_content_words() -> None:
    """``resources/word-sight.json`` (``tools/build_word_sight.py``): what each content word's detector
    gives nearly every Flickr8k train photo that shows it, for the detectors that ship; search reads
    a listed photo under it, for all of them, as none showing the word."""
    from photoscope.network.word_probes import load_word_probes, load_word_sight

    probes = load_word_probes()
    sight = load_word_sight(probes.dataset)
    assert len(sight) > 100 and set(sight) <= set(probes.content or ()) <= set(probes.index)
    assert 0.0 < sight["car"] < sight["dog"] < 1.0  # a dog is the detectors' surest word
    assert load_word_sight("another dataset") == {}


def test_an_unfamiliar_photo_counts_only_as_the_words_its_detectors_are_sure_of(
    model: PhotoscopeModel, tmp_path: Path
) -> None:
    """The CLI audit of stop 55: a frying pan "counts as what it shows: white, black, large, water,
    little, blue, young", and "this fish photo, but in the water" put the pan first: on a photo
    unlike Flickr8k's the likeliest words below even odds are Flickr8k's habits, not the photo's."""
    from synthetic import shape_photo

    from photoscope.api.combining import pixels
    from photoscope.network.caption_check import CaptionRule
    from photoscope.network.model import PHOTO_WORD_MIN

    shape_photo("red", "circle", seed=1).save(tmp_path / "circle.jpg")
    feature = torch.as_tensor(model.embed([pixels(tmp_path / "circle.jpg")])[0].feature)
    assert model.presence.familiar.of(feature.reshape(1, -1).float().numpy())[0] < CaptionRule().familiar
    assert [w for w, p in load_word_probes().likeliest(feature, 8) if p < PHOTO_WORD_MIN]  # said before
    words = model.likeliest_words(feature, 8)
    assert words and all(p >= PHOTO_WORD_MIN for _, p in words), words
    assert "red" in [w for w, _ in words] and "young" not in [w for w, _ in words]
