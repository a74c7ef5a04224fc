"""The encoder head's concepts: the resource's mapping, naming, search fusion, the unknown-word
behaviour and the caption rule (shipped bundle; no ../shared data)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from photoscope.network.caption_check import CaptionRule
from photoscope.network.concepts import class_index, load_concepts, load_near_classes
from photoscope.network.decoding import Caption
from photoscope.network.encoder import imagenet_head
from photoscope.network.model import DecodeOptions, PhotoscopeModel
from photoscope.network.naming import (
    RISKY_WORDS,
    SAY_NOTHING,
    Namer,
    article,
    bare_name,
    concepts_from_tags,
    name_the_kind,
    risky_groups,
    scene_phrase,
    without_object,
)
from photoscope.network.presence import Familiarity, load_presence
from photoscope.network.text_model import TextModel
from photoscope.search.ranking import SearchEngine, TextRanker, TextSearchOptions
from photoscope.search.stored import class_cover
from photoscope.search.vectors import VectorStore

ESPRESSO, BALD_EAGLE, EGYPTIAN_CAT, TABBY, LAPTOP, GERMAN_SHEPHERD, CHURCH = 967, 22, 285, 281, 620, 235, 497
PALACE = 698
JACAMAR, LEMUR = 95, 383  # the head's words for the dev set's kingfisher and ring-tailed lemur
GOOSE = 99


@pytest.fixture(scope="module")
def model(shipped_model_dir: Path) -> PhotoscopeModel:
    return PhotoscopeModel(shipped_model_dir)


def probs_of(**classes: float) -> np.ndarray:
    names = {"espresso": ESPRESSO, "eagle": BALD_EAGLE, "egyptian": EGYPTIAN_CAT, "tabby": TABBY}
    names["palace"] = PALACE
    p = np.zeros(1000, dtype=np.float32)
    for key, value in classes.items():
        p[names[key]] = value
    return p


def test_concept_words_cover_the_classes_below_them() -> None:
    c = load_concepts()
    assert c.classes_for("espresso") == (ESPRESSO,)
    assert BALD_EAGLE in c.classes_for("eagle") and BALD_EAGLE in c.classes_for("bird")
    assert GERMAN_SHEPHERD in c.classes_for("dog") and len(c.classes_for("dog")) > 100
    assert LAPTOP in c.classes_for("laptop")
    assert not c.is_concept("beach") and not c.is_concept("giraffe")


def test_chickens_are_the_head_s_hens_and_cocks() -> None:
    """WordNet files ImageNet's hen and cock under "bird", not "chicken": a search for chickens
    did not reach the head's hens (the dev set's chickens ranked 13th)."""
    c = load_concepts()
    hen, cock = c.wnids.index("n01514859"), c.wnids.index("n01514668")
    assert set(c.classes_for("chickens")) == set(c.classes_for("chicken")) == {hen, cock}
    assert not c.is_class_lemma("chicken")  # a word for them, not their name


def test_everyday_words_wordnet_files_elsewhere_reach_the_head_s_classes() -> None:
    """ "cow" (a sibling of ImageNet's ox under "cattle"), "tv" (whose first sense is the medium),
    "smartphone", "bunny", "kitty": words people search with, which named no class."""
    c = load_concepts()

    def named(word: str) -> set[str]:
        return {c.names[i] for i in c.classes_for(word)}

    assert named("cows") == named("bull") == {"ox"}
    assert named("tv") == {"television"} and named("smartphones") == {"mobile phone"}
    assert named("bunny") == named("rabbit") and named("kitty") == named("domestic cat")


def test_namer_picks_the_most_specific_confident_word(model: PhotoscopeModel) -> None:
    namer = model.namer
    assert namer.name(probs_of(espresso=0.9), 0.5).word == "espresso"  # type: ignore[union-attr]
    assert namer.name(probs_of(eagle=0.8), 0.5).word == "bald eagle"  # type: ignore[union-attr]
    cat = namer.name(probs_of(egyptian=0.3, tabby=0.3), 0.5)  # neither class alone, together a cat
    assert cat is not None and cat.word == "cat" and cat.p == pytest.approx(0.6)
    assert namer.name(probs_of(espresso=0.2), 0.5) is None
    assert [article(w) for w in ("eagle", "cup", "unicycle", "espresso")] == [
        "an eagle",
        "a cup",
        "a unicycle",
        "an espresso",
    ]
    # no name from a WordNet sense that is not the photo's: a stage and a wing are not "a surface"
    stage, wing = class_index()["stage"], class_index()["wing"]  # the stored tags' names
    probs = np.zeros(1000, dtype=np.float32)
    probs[stage], probs[wing] = 0.3, 0.25
    assert set(load_concepts().classes_for("surface")) == {stage, wing}
    assert namer.name(probs, 0.5) is None
    # a name that takes no "a": a chair and a table together are "some furniture", not "a furniture"
    assert article("furniture") == "some furniture" and article("clothes") == "some clothes"


def test_concepts_from_stored_tags_are_plain_words() -> None:
    namer = Namer(load_concepts(), ["cat", "bird", "dog", "animal"])
    shown = concepts_from_tags([("Egyptian cat", 0.35), ("tabby", 0.3), ("lynx", 0.01)], namer)
    assert shown[0] == ("cat", pytest.approx(0.66, abs=1e-3))  # "cat" covers the lynx too
    assert ("Egyptian cat", pytest.approx(0.35)) in shown and all(w != "lynx" for w, _ in shown)
    assert concepts_from_tags([], namer) == []
    # one class, one entry: a photo of a German shepherd "looked like" a "german shepherd dog" (its
    # name) and a "German shepherd" (its class); a class is shown by the lemma its name uses
    shown = concepts_from_tags([("German shepherd", 0.97), ("malinois", 0.01)], namer)
    assert [w for w, _ in shown] == ["German shepherd dog"]  # as WordNet writes it
    shown = concepts_from_tags([("monarch", 0.3), ("lycaenid", 0.2), ("ringlet", 0.1)], namer)
    assert [w for w, _ in shown] == ["animal", "monarch butterfly", "lycaenid butterfly", "ringlet butterfly"]


def _store(model: PhotoscopeModel) -> VectorStore:
    """Twelve photos: 0 an espresso, 1 a bald eagle, the rest dogs (German shepherds)."""
    g = torch.Generator().manual_seed(0)
    n = 12
    latents = torch.randn(n, model.latent_dim, generator=g)
    classes = torch.full((n, 5), -1, dtype=torch.int64)
    probs = torch.zeros(n, 5)
    classes[:, 0] = GERMAN_SHEPHERD
    probs[:, 0] = 0.9
    classes[0, 0], classes[1, 0] = ESPRESSO, BALD_EAGLE
    store = VectorStore(model.latent_dim)
    store.upsert(range(100, 100 + n), latents, torch.randn(n, 1280, generator=g), (classes, probs))
    return store


@pytest.mark.parametrize(("query", "first"), [("espresso", 100), ("an eagle", 101), ("bird", 101)])
def test_a_concept_word_finds_its_photo(model: PhotoscopeModel, query: str, first: int) -> None:
    result = SearchEngine(model, _store(model)).search_text(query, k=5)
    assert result.hits[0].photo_id == first and not result.unknown_words


def test_a_short_query_trusts_the_head_for_a_common_word(model: PhotoscopeModel) -> None:
    """ "a bird": Flickr8k taught the decoder the word ("bird" is in 154 of its captions) on its own
    photos; on a library of everyday photos its latent preferred a lemur to the kingfisher the head
    called a bird (a jacamar). In a query of two content words at most, the head's word is what is
    sought, however common the word."""
    options = replace(TextSearchOptions(), words=0.0, rerank=0)  # the latent and the head alone
    assert model.word_count("bird") >= options.rare_count
    latents = torch.randn(6, model.latent_dim, generator=torch.Generator().manual_seed(1))
    wanted = TextRanker(model, VectorStore(model.latent_dim)).latents(["a bird"], options)[0]
    latents[1] = wanted / wanted.norm() + latents[1] / latents[1].norm()  # near what "a bird" inverts to
    classes = torch.full((6, 5), -1, dtype=torch.int64)
    probs = torch.zeros(6, 5)
    classes[:, 0], probs[:, 0] = GERMAN_SHEPHERD, 0.9
    classes[0, 0], probs[0, 0] = JACAMAR, 0.6  # the bird; the lemur has the latent "a bird" inverts to
    classes[1, 0], probs[1, 0] = LEMUR, 0.9
    store = VectorStore(model.latent_dim)
    store.upsert(range(6), latents, torch.zeros(6, 1280), (classes, probs))
    ranker = TextRanker(model, store)
    assert int(ranker.scores(["a bird"], options)[0].argmax()) == 0
    before = replace(options, short_concept_weight=options.concept_weight)  # the general weight
    assert int(ranker.scores(["a bird"], before)[0].argmax()) == 1


def test_concepts_fuse_with_the_decoders_words(model: PhotoscopeModel) -> None:
    store = _store(model)
    engine = SearchEngine(model, store)
    result = engine.search_text("a dog running on the grass", k=12)
    assert not result.unknown_words and len(result.hits) == 12
    assert {h.photo_id for h in result.hits[:10]} <= set(range(102, 112)) | {100, 101}
    assert {100, 101} & {h.photo_id for h in result.hits[-2:]}  # neither dog sits in front
    # Off: the decoder's words alone (the ranking before the concepts), still answering.
    off = engine.search_text("a dog", k=12, options=TextSearchOptions(concepts=False))
    assert len(off.hits) == 12


def test_a_query_nothing_knows_returns_nothing_and_says_so(model: PhotoscopeModel) -> None:
    engine = SearchEngine(model, _store(model))
    result = engine.search_text("a blorf", k=5)
    assert result.hits == [] and [u.word for u in result.unknown_words] == ["blorf"]
    assert not result.unknown_words[0].searched_as
    partly = engine.search_text("a blorf on the grass", k=5)
    assert partly.hits and [u.word for u in partly.unknown_words] == ["blorf"]
    assert engine.search_text("eagle", k=5).unknown_words == []  # no "did you mean beagle?"


def test_an_unknown_word_is_said_as_it_was_typed(model: PhotoscopeModel) -> None:
    """Audit 74 (repro_3): "d0g" was said as the unknown words 'd' and 'g', words nobody typed (the
    network reads letters alone). The note names what was typed, and offers its known look-alike."""
    engine = SearchEngine(model, _store(model))
    said = {u.word: u.suggestions for u in engine.search_text("d0g", k=5).unknown_words}
    assert list(said) == ["d0g"] and "dog" in said["d0g"]
    assert [u.word for u in engine.search_text("a cat on a zz9 mat", k=5).unknown_words] == ["zz9"]


def test_a_name_typed_with_capitals_is_offered_no_spelling(model: PhotoscopeModel) -> None:
    """The honest-results walk of stop 48: "the Taj Mahal" answered "did you mean 'tan'?". A word
    typed with a capital inside a query (or leading another) is a name, not a slip of a known word."""
    engine = SearchEngine(model, _store(model))

    def offered(text: str) -> dict[str, tuple[str, ...]]:
        return {u.word: u.suggestions for u in engine.search_text(text, k=5).unknown_words}

    assert offered("the Taj Mahal") == {"taj": (), "mahal": ()}
    at_dawn = offered("Taj Mahal at dawn")
    assert at_dawn["taj"] == at_dawn["mahal"] == () and at_dawn.get("dawn")  # "dawn": a slip of "down"?
    assert offered("a dog at Taj") == {"taj": ()}
    # a slip is still offered its word: lower case, or a sentence's capital on the first word alone
    assert "tan" in offered("the taj mahal")["taj"]
    assert "dog" in offered("Dgo on the grass")["dgo"]
    assert "dog" in offered("a DGO")["dgo"]  # capitals throughout are shouting, not a name


def test_a_word_below_or_beside_the_classes_is_searched_by_its_stand_in(model: PhotoscopeModel) -> None:
    """ "cathedral" names no ImageNet class; WordNet files it under "church" (a class): the church
    photo comes first, and the result says which concept stood in."""
    store = _store(model)
    classes = torch.tensor([[CHURCH, -1, -1, -1, -1]])
    store.upsert(
        [200],
        torch.randn(1, model.latent_dim),
        torch.randn(1, 1280),
        (classes, torch.tensor([[0.9, 0, 0, 0, 0.0]])),
    )
    engine = SearchEngine(model, store)
    result = engine.search_text("a cathedral", k=5)
    assert result.hits[0].photo_id == 200
    assert [(u.word, u.searched_as) for u in result.unknown_words] == [("cathedral", "church")]
    assert model.query_words("a giraffe").stand_ins == [("giraffe", "hoofed animal")]
    # never for words the decoder or the concepts know, nor for people
    assert model.query_words("a dog on the grass").stand_ins == []
    assert model.query_words("a boy").stand_ins == [] and model.query_words("a blorf").unknown == ["blorf"]
    # What stands in finds guesses at what was asked, never likely matches: "giraffe" (by
    # "ruminant") listed a bison, an ibex and a ram as "5 likely", "rhinoceros" (by "odd-toed
    # ungulate") two men riding a horse (the #14 audit of stop 44). The church seen at 0.9 too.
    assert engine.unclear_concepts("a cathedral", [200]) == ("cathedral",)
    assert engine.unclear_concepts("a cathedral at night", [200]) == ("cathedral",)  # the review of stop 44
    assert engine.unclear_concepts("a church", [200]) == ()


def _feature_for(class_index: int, scale: float = 0.5) -> torch.Tensor:
    """A 1280-d feature the head reads as ``class_index`` (its classifier row, scaled)."""
    weight, _ = imagenet_head()
    return (scale * weight[class_index] / weight[class_index].norm() * 40).unsqueeze(0)


def test_the_caption_names_what_the_head_sees_and_invents_nothing(model: PhotoscopeModel) -> None:
    feature = _feature_for(ESPRESSO)
    assert float(model.concept_probs(feature)[0, ESPRESSO]) > 0.9
    with torch.inference_mode():
        latent = model.bundle.network.latent(feature)
    # Whatever the decoder says of this latent, the rule may not keep a person, a dog or a ball.
    described = model.describe_vectors(feature, latent)[0]
    words = set(described.text.split())
    assert not words & (RISKY_WORDS["dog"] | RISKY_WORDS["ball"] | RISKY_WORDS["person"]), described
    assert described.concepts[0][0] == "espresso"
    off = model.describe_vectors(feature, latent, DecodeOptions(rule=CaptionRule(enabled=False)))[0]
    assert off.text == off.decoder_text == described.decoder_text


def test_a_photo_the_encoder_recognises_nothing_in_is_not_given_a_story(model: PhotoscopeModel) -> None:
    """Plain white and plain grey: the decoder wrote "a young boy in a green shirt is standing in
    the grass" and "a person in a black and white uniform is playing with a blue ball" for them."""
    from PIL import Image

    blank = [Image.new("RGB", (400, 300), colour) for colour in ("white", "gray")]
    features = torch.from_numpy(model.features_of(blank))
    with torch.inference_mode():
        latents = model.bundle.network.latent(features)
    assert float(model.concept_probs(features).max()) < CaptionRule().blank_below
    described = model.describe_vectors(features, latents)
    assert [d.text for d in described] == [SAY_NOTHING, SAY_NOTHING]
    assert all(d.decoder_text != SAY_NOTHING for d in described)  # the decoder did write something
    espresso = _feature_for(ESPRESSO)
    with torch.inference_mode():
        text = model.describe_vectors(espresso, model.bundle.network.latent(espresso))[0].text
    assert text != SAY_NOTHING


def test_presence_probes_ship_with_their_provenance() -> None:
    presence = load_presence()
    assert presence.groups == tuple(RISKY_WORDS) and presence.weight.shape == (3, 1280)
    assert "trained_on" in presence.info and presence.familiar.centroids.shape[1] == 1280


def test_a_caption_writes_a_name_as_the_concepts_show_it(model: PhotoscopeModel) -> None:
    """The fresh-seat audit of stop 59: captions wrote "an african crocodile", "an arabian camel"
    where the photo's concepts show "African crocodile"."""
    names = load_concepts().names
    probs = np.zeros(1000, dtype=np.float32)
    probs[names.index("African crocodile")] = 0.9
    said = model.caption_check.say_less("a dog is running in the grass", "a dog", probs, CaptionRule())
    assert said == "an African crocodile"
    assert model.namer.as_written("african crocodile") == "African crocodile"
    assert model.namer.as_written("espresso") == "espresso" and model.namer.as_written("bird") == "bird"


def test_a_caption_that_invented_its_subject_says_less(model: PhotoscopeModel) -> None:
    """On a photo unlike Flickr8k's, a caption whose person or dog the photo does not support is
    replaced by what is true: the head's name, else the scene the decoder saw; never a sentence
    re-written around a new invention."""
    rule = CaptionRule()
    named = model.caption_check.say_less(
        "a dog is running in the grass", "a bird is running", probs_of(espresso=0.9), rule
    )
    assert named == "an espresso"
    unsure = probs_of(espresso=0.2, eagle=0.2)  # no word of the head is likely enough to say
    caption = "a man is standing in front of a large building"
    assert (
        model.caption_check.say_less(caption, "a large bird stands in front of a building", unsure, rule)
        == "a large building"
    )
    assert (
        model.caption_check.say_less("a dog with a ball in its mouth", "a bird in the water", unsure, rule)
        == "the water"
    )


def test_a_name_as_broad_as_animal_must_be_surer(model: PhotoscopeModel) -> None:
    """The honest-results walk: a surfer was "an animal in the water", a bicyclist "an animal": the
    head's probability over the 398 animal classes gathers many weak ones (69 %, 51 %). A caption
    that had to change falls back to so broad a name only at ``general_fallback``."""
    rule = CaptionRule()
    animals = model.namer.classes("animal")
    spread = np.zeros(1000, dtype=np.float32)
    spread[animals[:40]] = 0.55 / 40  # 55 % over forty kinds of animal, none of them likely
    caption = "a man is riding a bike"
    assert model.caption_check.say_less(caption, "a dog is riding a bike", spread, rule) == SAY_NOTHING
    sure = spread * (0.7 / 0.55)
    assert model.caption_check.say_less(caption, "a dog is riding a bike", sure, rule) == "an animal"
    goose = probs_of(eagle=0.55)  # a narrow name needs no more than before
    assert model.caption_check.say_less(caption, "a dog is riding a bike", goose, rule) != SAY_NOTHING


def test_a_sure_name_does_not_replace_people_the_probes_see(model: PhotoscopeModel) -> None:
    """The honest-results walk: boys in a mud puddle (an unfamiliar photo; the presence probe sees
    people at 0.98) were "an animal": the head's sure name replaced the decoder's true sentence."""
    rule = CaptionRule()
    animals = model.namer.classes("animal")
    probs = np.zeros(1000, dtype=np.float32)
    probs[animals[:40]] = 0.84 / 40
    unfamiliar = np.array([0.2], dtype=np.float32)
    children = ["three children are playing in the grass"]
    seen = model.caption_check._sure_names(children, probs[None], unfamiliar, rule, [set()])
    assert seen == children
    unseen = model.caption_check._sure_names(children, probs[None], unfamiliar, rule, [{"person"}])
    assert unseen == ["an animal"]


def test_a_scene_the_word_detectors_do_not_see_is_not_said(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pencil on a white table: the decoder wrote a skier in the snow, and the snow is as
    invented as the skier. The caption keeps only a scene the detectors see, else says nothing."""
    log_odds = {"snow": -4.0, "building": 2.0}  # p(snow) 0.02, p(building) 0.88

    def word_log_odds(words, features, basis=None):
        return torch.tensor([[log_odds[w] for w in words]] * len(features))

    monkeypatch.setattr(model, "word_log_odds", word_log_odds)
    unsure, rule, feature = probs_of(espresso=0.2, eagle=0.2), CaptionRule(), torch.zeros(1280)
    skier = "a man is skiing in the snow"
    assert model.caption_check.say_less(skier, "a red and white snow", unsure, rule, feature) == SAY_NOTHING
    assert (
        model.caption_check.say_less(skier, "a big building in the snow", unsure, rule, feature)
        == "a big building"
    )
    assert (
        model.caption_check.say_less(skier, "a red and white snow", unsure, rule) == "the snow"
    )  # no feature: unchecked
    # A subject the decoder invents with no scene at all is not kept either.
    assert (
        model.caption_check.say_less("a man is playing with a toy", "a red toy", unsure, rule) == SAY_NOTHING
    )


def test_a_scene_the_detectors_barely_see_is_not_said_unless_the_head_sees_it(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pillow on a white bed was "the sand" and a plate "the water" (their detectors gave 0.10 and
    0.15): a scene that weakly seen is not said. A cathedral whose building the detector sees as
    weakly (0.12) is "a large building" still: the head sees a building in it (a palace here)."""
    seen = {"sand": 0.13, "building": 0.12, "water": 0.9}

    def word_log_odds(words, features, basis=None):
        return torch.logit(torch.tensor([[seen[w] for w in words]] * len(features)))

    monkeypatch.setattr(model, "word_log_odds", word_log_odds)
    rule, feature = CaptionRule(), torch.zeros(1280)
    unsure = probs_of(espresso=0.2, eagle=0.2)
    digging = "a dog is digging in the sand"
    assert (
        model.caption_check.say_less(digging, "a brown and white sand", unsure, rule, feature) == SAY_NOTHING
    )
    assert model.caption_check.say_less(digging, "a bird in the water", unsure, rule, feature) == "the water"
    crowd = "a man is standing in front of a large building"
    assert model.caption_check.say_less(crowd, "a bird", unsure, rule, feature) == SAY_NOTHING
    a_palace_maybe = probs_of(palace=0.45, espresso=0.1)  # under the name threshold, a building still
    assert model.caption_check.say_less(crowd, "a bird", a_palace_maybe, rule, feature) == "a large building"


def test_a_scene_is_said_only_where_its_detector_sees_it_as_on_photos_that_show_it(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A white teacup was "the grass" and an African drum "the grass": the decoder wrote a dog
    running through the grass, and the grass detector gave 0.29 and 0.28, over the flat bar but
    under what it gives all but a tenth of the Flickr8k photos that show grass (its sight, 0.35).
    A scene is said only where its detector reaches that too; water, seen at 0.29 (its sight
    0.20), is still said."""
    grass, water = model.detector_sight("grass"), model.detector_sight("water")
    assert grass is not None and water is not None and water < 0.29 < grass
    seen = {"grass": 0.29, "water": 0.29}

    def word_log_odds(words, features, basis=None):
        return torch.logit(torch.tensor([[seen[w] for w in words]] * len(features)))

    monkeypatch.setattr(model, "word_log_odds", word_log_odds)
    rule, feature, unsure = CaptionRule(), torch.zeros(1280), probs_of(espresso=0.2, eagle=0.2)
    running = "a brown and white dog is running through the grass"
    said = model.caption_check.say_less(running, "a brown and white grass", unsure, rule, feature)
    assert said == SAY_NOTHING
    swimming = "a brown dog is swimming in the water"
    assert model.caption_check.say_less(swimming, "a bird in the water", unsure, rule, feature) == "the water"


def test_a_caption_that_is_only_a_name_says_where_the_thing_is(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "a polar bear" becomes "a polar bear in the snow" where the word detectors see the snow;
    nothing is added where they see no place surely, to a sentence, or to a name that is a place."""
    seen: dict[str, float] = {}

    def word_log_odds(words, features, basis=None):
        return torch.tensor([[seen.get(w, -4.0) for w in words]] * len(features))

    monkeypatch.setattr(model, "word_log_odds", word_log_odds)
    rule, feature = CaptionRule(), torch.zeros(1280)
    seen.update(snow=2.0, grass=-1.0)  # p 0.88 and 0.27
    assert model.caption_check.say_where("a polar bear", feature, rule) == "a polar bear in the snow"
    assert model.caption_check.say_where("an animal", feature, rule) == "an animal in the snow"
    assert (
        model.caption_check.say_where("a dog is running in the snow", feature, rule)
        == "a dog is running in the snow"
    )
    assert (
        model.caption_check.say_where(SAY_NOTHING, feature, rule) == SAY_NOTHING
    )  # a photo of nothing known
    assert (
        model.caption_check.say_where("a polar bear", feature, replace(rule, place_support=1.5))
        == "a polar bear"
    )
    seen.clear()
    seen.update(water=1.0)  # an animal is in the water; a building by it
    assert model.caption_check.say_where("a swan", feature, rule) == "a swan in the water"
    assert model.caption_check.say_where("a castle", feature, rule) == "a castle by the water"
    assert (
        model.caption_check.say_where("a catamaran", feature, rule) == "a catamaran on the water"
    )  # a boat is on it
    seen.update(water=-0.5)  # p 0.38: not sure enough to say
    assert model.caption_check.say_where("a castle", feature, rule) == "a castle"
    seen.update(rock=3.0)
    assert model.caption_check.say_where("a cliff", feature, rule) == "a cliff"  # a place already


def test_scene_phrases_keep_the_place_and_drop_the_invented_subject() -> None:
    assert scene_phrase("a man is standing in front of a large building") == "a large building"
    assert scene_phrase("a woman in a red jacket is sitting in a field of flowers") == "a field of flowers"
    assert scene_phrase("a brown dog is running through the grass") == "the grass"
    assert scene_phrase("a boy in a red shirt is standing in front of a large crowd") is None
    assert scene_phrase("a dog with a ball in its mouth") is None


def test_familiarity_is_the_mean_cosine_to_the_nearest_centroids() -> None:
    centroids = np.eye(4, dtype=np.float32)[:3]  # three unit directions around the origin
    familiar = Familiarity(np.zeros(4, dtype=np.float32), centroids, top=2)
    near = np.array([[1.0, 1.0, 0.0, 0.0]], dtype=np.float32)  # between the first two
    far = np.array([[0.0, 0.0, 0.0, 1.0]], dtype=np.float32)  # orthogonal to all three
    assert familiar.of(near)[0] == pytest.approx(np.sqrt(0.5)) and familiar.of(far)[0] == pytest.approx(0.0)
    again = Familiarity.from_json(familiar.to_json())  # float16 in the resource
    assert np.allclose(again.centroids, centroids) and again.top == 2
    shipped = load_presence().familiar
    assert shipped.centroids.shape[0] >= 64
    # The classifier row of "espresso" is nothing like a Flickr8k photo.
    assert shipped.of(_feature_for(ESPRESSO).numpy())[0] < CaptionRule().familiar


def test_a_forced_rewrite_says_less_instead(model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even on a familiar photo, a sentence the decoder had to twist far off its own ("a black and
    white snow is running") is not kept: the caption says less."""
    from photoscope.network.decoding import Caption

    def caption(latents, options=None, word_bias=None):
        if word_bias is None or not torch.isinf(word_bias).any():  # not banned: the first caption
            return [Caption("a man is standing in front of a large building", -2.0, -18.0)]
        return [Caption(rewritten[0], rewritten[1], rewritten[1] * 9)]

    monkeypatch.setattr(model, "caption", caption)
    feature = _feature_for(ESPRESSO)
    latent = torch.zeros(1, model.latent_dim)
    everywhere = CaptionRule(  # all familiar
        familiar=-1.0, say_less_below=-1.0, name_below=-1.0, support=(("person", 1.01),)
    )
    rewritten = ("a white building with a large window", -2.5)  # a small drop: kept, unless ...
    # (the detectors see no window in an espresso: that check is off here, tested on its own)
    unnamed = replace(everywhere, name_over_rewrite=False, rewrite_support=0.0)
    assert model.describe_vectors(feature, latent, DecodeOptions(rule=unnamed))[0].text == rewritten[0]
    # ... the head names the photo (an espresso) and the sentence does not use the name
    assert model.describe_vectors(feature, latent, DecodeOptions(rule=everywhere))[0].text == "an espresso"
    everywhere = unnamed
    rewritten = ("a black and white snow is standing in front of a building", -5.0)  # forced: says less
    assert model.describe_vectors(feature, latent, DecodeOptions(rule=everywhere))[0].text == "an espresso"


def test_a_rewrite_that_says_the_same_thing_twice_says_less_instead(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept from "a group of people are sitting on a boat in the water" without its people, the
    decoder's re-write was "a boat on a boat in the water" (a wallpaper of a canoe at sunset: the
    check set's notes of stop 63). A re-write that brings in a second of something the decoder's
    own caption had once is not kept: the caption says less."""
    from photoscope.network.decoding import Caption
    from photoscope.network.naming import repeats_a_thing

    assert repeats_a_thing("a boat on a boat in the water") and repeats_a_thing("a dog is playing with a dog")
    assert not repeats_a_thing("a group of people are sitting on a boat in the water")
    assert not repeats_a_thing("a man and a woman on a bench")
    first = "a group of people are sitting on a boat in the water"

    def caption(latents, options=None, word_bias=None):
        if word_bias is None or not torch.isinf(word_bias).any():  # not banned: the first caption
            return [Caption(first, -2.0, -18.0)]
        return [Caption(rewritten, -2.2, -18.0)]

    monkeypatch.setattr(model, "caption", caption)
    feature, latent = _feature_for(ESPRESSO), torch.zeros(1, model.latent_dim)
    rule = CaptionRule(  # all familiar, no other check of the re-write
        familiar=-1.0,
        say_less_below=-1.0,
        name_below=-1.0,
        support=(("person", 1.01),),
        name_over_rewrite=False,
        rewrite_support=0.0,
    )
    rewritten = "a boat in the water"
    assert model.describe_vectors(feature, latent, DecodeOptions(rule=rule))[0].text == rewritten
    rewritten = "a boat on a boat in the water"
    assert model.describe_vectors(feature, latent, DecodeOptions(rule=rule))[0].text == "an espresso"


def test_a_class_is_named_by_the_lemma_that_names_its_kind(model: PhotoscopeModel) -> None:
    names, stored = model.concepts.names, class_index()  # stored: the tags' names, WordNet's first
    assert model.namer._candidates[stored["monarch"]][0] == "monarch butterfly"
    assert model.namer._candidates[stored["Madagascar cat"]][0] == "ring-tailed lemur"
    assert model.namer._candidates[names.index("bald eagle")][0] == "bald eagle"  # already its kind
    # the kind lemma that spells out the name: "a pirate" would be a person, "a tank" a container
    assert model.namer._candidates[stored["pirate"]][0] == "pirate ship"
    assert model.namer._candidates[names.index("tank")][0] == "army tank"
    assert model.namer._candidates[stored["racer"]][0] == "race car"  # a racer is a person


def test_a_class_keeps_its_everyday_name_over_a_rarer_synonym(model: PhotoscopeModel) -> None:
    """A synonym that happens to end in a word above the class is not its kind: the namer called a
    dalmatian "a coach dog", sunglasses "dark glasses", a television "a television system", a
    coyote "a prairie wolf", a bathtub "a bathing tub" and a harmonica "a mouth harp"."""
    names = model.concepts.names
    everyday = ["dalmatian", "sunglasses", "television", "coyote", "bathtub", "harmonica", "mailbox"]
    assert [model.namer._candidates[names.index(n)][0] for n in everyday] == everyday


def test_a_thing_that_comes_in_pairs_is_a_pair(model: PhotoscopeModel) -> None:
    """ "a sunglasses", "a binoculars" and "a blue jean" were the captions' grammar."""
    assert article("sunglasses") == "a pair of sunglasses"
    assert article("binoculars") == "a pair of binoculars"
    assert article("swimming trunks") == "a pair of swimming trunks"
    jean = model.namer._candidates[class_index()["jean"]][0]
    assert article(jean) == "a pair of jeans"
    # a caption that is only such a name is still a name (it may say where the thing is)
    named = bare_name("a pair of jeans", model.concepts)
    assert named is not None and model.concepts.classes_for(named) == model.concepts.classes_for("jean")
    assert bare_name("a pair of shoes", model.concepts) is None


def test_classes_are_named_in_everyday_english_not_latin(model: PhotoscopeModel) -> None:
    """The open-world dev set's gorilla was "a gorilla gorilla", its ibex "a capra ibex" (WordNet's
    scientific names, lemmas of the class like any other), its polar bear "an ice bear" and its
    red panda "a lesser panda"."""
    concepts, namer = model.concepts, model.namer

    def name_of(wnid: str) -> str:
        return namer._candidates[concepts.wnids.index(wnid)][0]

    assert name_of("n02480855") == "gorilla" and name_of("n02417914") == "ibex"
    assert name_of("n02134084") == "polar bear" and name_of("n02509815") == "red panda"
    everyday = [lemma for lemmas in concepts.lemmas for lemma in lemmas]
    assert not {"Gorilla gorilla", "Capra ibex", "Ursus Maritimus", "Lycaon pictus"} & set(everyday)
    # Search still reads the scientific names, should anyone type one.
    assert concepts.classes_for("gorilla gorilla") == concepts.classes_for("gorilla")


def test_a_concept_no_photo_shows_finds_nothing(model: PhotoscopeModel) -> None:
    """ "koala" is a concept the decoder never learned: only photos the head saw a koala in are
    answers; in a library of an espresso, an eagle and dogs there are none."""
    engine = SearchEngine(model, _store(model))
    assert engine.search_text("a koala", k=5).hits == []
    assert [h.photo_id for h in engine.search_text("espresso", k=5).hits] == [100]


def test_a_word_the_decoder_reads_that_no_photo_shows_gives_closest_guesses(model: PhotoscopeModel) -> None:
    """The honest-results walk of stop 48: "car" in a library of animals and tools listed "16 likely
    matches", a cheetah first. The decoder reads "car", so the head alone never judged it; its word
    detector does: no listed photo reaching what it gives nearly every car of Flickr8k (its sight),
    none shows a car."""
    from photoscope.network.word_probes import load_word_probes

    probes = load_word_probes()

    def reads_as(word: str) -> torch.Tensor:  # a feature the word's detector is sure of
        row = torch.from_numpy(probes.weight[probes.index[word]]).float()
        return 30 * row / row.norm()

    store = VectorStore(model.latent_dim)
    features = torch.stack([reads_as("dog"), reads_as("dog"), reads_as("car")])
    classes, probs = torch.full((3, 5), -1, dtype=torch.int64), torch.zeros(3, 5)
    store.upsert([1, 2, 3], torch.randn(3, model.latent_dim), features, (classes, probs))
    engine = SearchEngine(model, store)
    assert engine.unclear_concepts("a car", [1, 2]) == ("car",)  # two dogs listed
    assert "car" in engine.unclear_concepts("a red car on the road", [1, 2])
    assert engine.unclear_concepts("a car", [1, 2, 3]) == ()  # the car listed too
    # an animal is the head's to judge (the fresh-seat audit of stop 49: the cow the detector of
    # "dog" was sure of); here it sees no dog in any of them, and then a dog in the second
    assert engine.unclear_concepts("a dog", [1, 2]) == ("dog",)
    shepherd = model.query_words("a german shepherd").concepts[0][1][0]
    seen = classes.clone()
    seen[1, 0] = shepherd
    store.upsert(
        [2], torch.randn(1, model.latent_dim), features[1:2], (seen[1:2], torch.tensor([[0.9, 0, 0, 0, 0.0]]))
    )
    assert engine.unclear_concepts("a dog", [1, 2]) == ()
    car = model.detector_sight("car")
    assert car is not None and model.detector_sight("cars") == car
    assert model.detector_sight("running") is None  # no content word: never judged so
    # The review of stop 48: the words of a concept phrase are the head's, not their detectors':
    # "dog" of "a hot dog" was judged by the animal's detector over the head's hot dogs at 0.95.
    hot_dog = model.query_words("a hot dog").concepts[0][1][0]
    classes[:2, 0], probs[:2, 0] = hot_dog, 0.95
    sausages = features[2:].repeat(2, 1)  # what the dog's detector sees no dog in
    store.upsert([1, 2], torch.randn(2, model.latent_dim), sausages, (classes[:2], probs[:2]))
    assert engine.unclear_concepts("a hot dog", [1, 2]) == ()


def test_an_animal_the_head_does_not_see_is_not_seen_whatever_its_detector_says(
    model: PhotoscopeModel,
) -> None:
    """The fresh-seat audit of stop 49: in a library of animals without a dog, "a dog" listed
    "7 likely matches", a cow first: the detector of "dog" (every animal of Flickr8k is a dog) gave
    the cow 0.87, above its sight, while the head saw an ox there and a dog nowhere (0.02)."""
    from photoscope.network.word_probes import load_word_probes

    probes = load_word_probes()
    dog_like = torch.from_numpy(probes.weight[probes.index["dog"]]).float()
    ox = model.query_words("an ox").concepts[0][1][0]
    store = VectorStore(model.latent_dim)
    classes = torch.tensor([[ox, -1, -1, -1, -1]])
    store.upsert(
        [7],
        torch.randn(1, model.latent_dim),
        30 * dog_like[None] / dog_like.norm(),
        (classes, torch.tensor([[0.65, 0, 0, 0, 0.0]])),
    )
    engine = SearchEngine(model, store)
    assert engine.unclear_concepts("a dog", [7]) == ("dog",)
    assert engine.unclear_concepts("a dog in a field", [7]) == ("dog",)
    assert engine.unclear_concepts("an ox", [7]) == ()


def test_a_word_the_decoder_barely_saw_gives_closest_guesses(model: PhotoscopeModel) -> None:
    """The fresh-seat audit of stop 49: "a pyramid" listed "12 likely matches", a chair, a skate ramp
    and a cockpit first: the decoder saw "pyramid" 7 times (too few for its embedding to mean much,
    as `words` says), no detector and no class of the head judge it, and the score curve always has
    a top."""
    engine = SearchEngine(model, _store(model))
    assert model.word_count("pyramid") < 20 and model.detector_sight("pyramid") is None
    assert engine.unclear_concepts("a pyramid", [100, 101]) == ("pyramid",)
    assert engine.unclear_concepts("a pyramid in the desert", [100, 101]) == ("pyramid",)
    assert "kayak" not in engine.unclear_concepts("a kayak", [100, 101])  # 64 captions: it reads it


def test_a_concept_word_reaches_the_photos_the_head_calls_by_a_near_class(model: PhotoscopeModel) -> None:
    """The head often takes a duck for a goose: "a duck" (drake and merganser classes) finds the
    photo it called a goose before the palace and the dogs, and with the near classes off it
    cannot tell the goose from the palace."""
    store = _store(model)
    classes = torch.tensor([[GOOSE, -1, -1, -1, -1], [PALACE, -1, -1, -1, -1]])
    probs = torch.tensor([[0.9, 0, 0, 0, 0.0], [0.9, 0, 0, 0, 0.0]])
    g = torch.Generator().manual_seed(1)
    store.upsert(
        [300, 301], torch.randn(2, model.latent_dim, generator=g), torch.randn(2, 1280), (classes, probs)
    )
    engine = SearchEngine(model, store)
    assert engine.search_text("a duck", k=3).hits[0].photo_id == 300
    ranker = TextRanker(model, store)
    goose, palace = 12, 13  # store rows, in the order upserted after the twelve
    near = ranker.concept_scores([model.query_words("a duck")], TextSearchOptions())[0]
    off = ranker.concept_scores([model.query_words("a duck")], TextSearchOptions(near_classes=0.0))[0]
    assert near[goose] > near[palace] == off[palace] == off[goose]


def test_the_near_classes_count_only_for_the_head_they_were_measured_on(model: PhotoscopeModel) -> None:
    """``near-classes.json`` holds the cosines of EfficientNet-Lite0's classifier rows: a bundle
    trained on another encoder (``photoscope train --encoder``) has another head, whose alike
    classes those are not. For it a concept word counts its own classes alone."""
    names = load_concepts().names
    drake, goose = names.index("drake"), names.index("goose")
    assert model.encoder_name == "efficientnet-lite0" == load_near_classes().encoder
    shipped = class_cover([drake], 0.5, model.encoder_name)
    other = class_cover([drake], 0.5, "efficientnet-lite2")
    assert shipped[goose] > 0.0 and other[goose] == 0.0 and other[drake] == 1.0 and other.sum() == 1.0
    assert TextModel().encoder_name == model.encoder_name  # the quick answer reads the same


def test_a_vaguer_word_for_what_the_head_is_sure_of_becomes_its_name() -> None:
    concepts = load_concepts()
    dogs = frozenset(concepts.classes_for("dog"))
    caption = "a man is standing in front of a large building"
    assert name_the_kind(caption, "palace", concepts) == "a man is standing in front of a palace"
    assert name_the_kind("a bird sits on a branch", "bald eagle", concepts) == "a bald eagle sits on a branch"
    ball = "a dog plays with a ball"
    assert name_the_kind(ball, "tennis ball", concepts) == "a dog plays with a tennis ball"
    # unchanged: people say "a dog", not its breed; plurals; words beside the name, not above it
    assert name_the_kind("a dog runs", "golden retriever", concepts, dogs) == "a dog runs"
    assert name_the_kind("two birds fly", "bald eagle", concepts) == "two birds fly"
    assert name_the_kind("a palace by a lake", "mosque", concepts) == "a palace by a lake"
    assert name_the_kind("a palace by a lake", "palace", concepts) == "a palace by a lake"
    # beside it: a building and a castle are both structures (58 classes), a dog and a cat are not
    caption = "people stand in front of a white building"
    assert name_the_kind(caption, "castle", concepts) == caption
    assert name_the_kind(caption, "castle", concepts, beside=58) == "people stand in front of a castle"
    assert name_the_kind("a dog on a sofa", "tabby", concepts, beside=58) == "a dog on a sofa"


def test_the_caption_calls_a_sure_thing_by_its_name(model: PhotoscopeModel) -> None:
    """The head sure of a palace: a decoder caption with "a building" in it names the palace."""
    probs = probs_of(palace=0.9)
    rule = CaptionRule()
    said = model.caption_check._name_the_kind("a man is standing in front of a large building", probs, rule)
    assert said == "a man is standing in front of a palace"
    unsure = probs_of(palace=0.5)
    assert model.caption_check._name_the_kind("a building", unsure, rule) == "a building"


def test_an_unfamiliar_photo_the_head_is_sure_of_is_called_by_its_name(model: PhotoscopeModel) -> None:
    rule = CaptionRule()
    caption = "a boy in a red shirt is standing in front of a large crowd"
    assert model.caption_check._say_the_name(caption, probs_of(espresso=0.9), rule) == "an espresso"
    assert (
        model.caption_check._say_the_name(caption, probs_of(espresso=0.5), rule) == caption
    )  # not sure enough
    already = "a cup of espresso on a table"
    assert model.caption_check._say_the_name(already, probs_of(espresso=0.9), rule) == already


def test_a_concept_phrase_the_decoder_cannot_read_is_searched_by_the_concepts(model: PhotoscopeModel) -> None:
    """ "a red panda": the decoder never saw "panda", so its latent is of something red. The phrase
    names one ImageNet class; its words are read by the concepts alone, not as the decoder's "red"."""
    panda = load_concepts().wnids.index("n02509815")  # the red panda
    query = model.query_words("a red panda")
    assert query.decoder_words == [] and [word for word, _ in query.concepts] == ["red panda"]
    assert model.query_words("a red panda on the grass").decoder_words == ["grass"]
    assert model.query_words("a red car").decoder_words == ["red", "car"]  # no phrase: as before
    assert model.query_words("a tennis ball").decoder_words == ["tennis", "ball"]  # both well known
    store = _store(model)
    red = model.encode_text(["a man in a red shirt", "a girl in a red dress", "a red car"])
    classes = torch.tensor([[panda, -1, -1, -1, -1]] + [[-1] * 5] * 3)
    probs = torch.tensor([[0.78, 0, 0, 0, 0.0]] + [[0.0] * 5] * 3)
    latents = torch.cat([torch.randn(1, model.latent_dim, generator=torch.Generator().manual_seed(1)), red])
    store.upsert([300, 301, 302, 303], latents, torch.randn(4, 1280), (classes, probs))
    hits = SearchEngine(model, store).search_text("a red panda", k=5).hits
    assert [h.photo_id for h in hits] == [300]  # and not the red shirts the decoder would call red


def test_a_dog_probe_is_discounted_where_the_head_sees_another_animal(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cow in a field made the Flickr8k dog probe fire ("a black and white dog is running in a
    field"): where the head sees another animal, the probe's dog counts less."""
    from photoscope.network.presence import Presence

    ox, espresso = _feature_for(345), _feature_for(ESPRESSO)  # ImageNet's ox, and no animal
    features = torch.cat([ox, espresso])
    probs = model.concept_probs(features).numpy()
    assert model.namer.group_p(probs[0], "animal") > 0.8 > 0.5 > model.namer.group_p(probs[0], "dog")
    groups = model.presence.groups
    monkeypatch.setattr(
        Presence, "probs", lambda self, v: np.array([[0.9 if g == "dog" else 0.1 for g in groups]] * len(v))
    )
    familiar = np.array([True, True])
    support = model.caption_check.support(features, probs, CaptionRule(), familiar)
    animal = model.namer.group_p(probs[0], "animal") - model.namer.group_p(probs[0], "dog")
    assert support[0]["dog"] == pytest.approx(0.9 * (1 - animal / CaptionRule().other_animals), abs=1e-4)
    assert support[0]["dog"] < 0.5 <= support[1]["dog"] == pytest.approx(0.9)
    off = model.caption_check.support(features, probs, replace(CaptionRule(), other_animals=0.0), familiar)
    assert off[0]["dog"] == pytest.approx(0.9)


def test_a_person_probe_on_a_landscape_is_trusted_only_when_very_sure(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Machu Picchu, the Great Wall and a wallpaper's empty Alps were "a man is standing on top of a
    mountain": the person probe, learned where every mountain has a hiker, fired at 0.55-0.94 on
    photos the head sees as a mountain (stop 63's check set). There it must be 0.95 sure."""
    from photoscope.network.presence import Presence

    alp, espresso = _feature_for(970), _feature_for(ESPRESSO)  # ImageNet's alp, and no scene
    features = torch.cat([alp, espresso])
    probs = model.concept_probs(features).numpy()
    assert model.namer.group_p(probs[0], "geological formation") >= CaptionRule().scene_share
    groups = model.presence.groups
    familiar = np.array([True, True])
    for person, kept in ((0.9, False), (0.97, True)):
        monkeypatch.setattr(
            Presence,
            "probs",
            lambda self, v, p=person: np.array([[p if g == "person" else 0.1 for g in groups]] * len(v)),
        )
        support = model.caption_check.support(features, probs, CaptionRule(), familiar)
        assert (support[0]["person"] == pytest.approx(person)) is kept, support[0]
        assert support[1]["person"] == pytest.approx(person)  # no scene: as the probe says
    off = model.caption_check.support(features, probs, replace(CaptionRule(), scene_people=0.0), familiar)
    assert off[0]["person"] == pytest.approx(0.97)


def test_a_dog_s_pronoun_is_the_dog_s_not_a_person_s() -> None:
    """ "a black and brown dog is playing with a stick in his mouth" (Flickr8k val) names no person:
    the rule took "his" for one and, on a photo without people, re-wrote the sentence."""

    def named(caption: str) -> set[str]:
        return risky_groups(caption.split())

    assert named("a black and brown dog is playing with a stick in his mouth") == {"dog"}
    assert named("two dogs play with their toy as they run") == {"dog"}
    assert named("a man and his dog") == {"person", "dog"}
    assert named("a boy throws a stick") == {"person"}
    assert named("he is running in the park") == {"person"}


def test_a_person_or_dog_the_photo_does_not_show_is_not_renamed_by_its_kind(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Banned from "man" on a photo whose person the probes did not trust, the decoder wrote "a
    rollerblader is doing a trick on a ramp" (Flickr8k val) and "a rollerblader in the air on a
    skateboard" for an igloo (open-world dev set); banned from "dog", "a black poodle is jumping
    into a pool". A person's or a dog's kind names them as surely as "man" or "dog" does."""

    def named(caption: str) -> set[str]:
        return risky_groups(caption.split())

    assert named("a rollerblader is doing a trick on a ramp") == {"person"}
    assert named("a black poodle is jumping into a pool") == {"dog"}
    assert named("a group of spectators watch a race") == {"person"}
    assert not named("a red boat in the water")
    vocab = model.bundle.vocab
    decoded: list[torch.Tensor] = []

    def caption(latents, options=None, word_bias=None):  # records what the rewrite may not say
        decoded.append(word_bias)
        return [Caption("a red boat in the water", -1.0, -6.0)] * len(latents)

    monkeypatch.setattr(model, "caption", caption)
    model.caption_check._caption_without(
        torch.zeros(1, model.latent_dim), [0], [{"person", "dog"}], DecodeOptions(), None
    )
    for kind in ("rollerblader", "spectators", "bride", "poodle", "greyhound"):
        assert decoded[0][0, vocab.index(kind)] == float("-inf"), kind
    assert decoded[0][0, vocab.index("boat")] == 0.0


def test_a_rewritten_caption_that_brings_in_what_the_detectors_do_not_see_is_not_kept(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People the probes did not trust, re-written: "a group of people are standing on a beach"
    became "a flock of birds on the beach", "a man in a black shirt is playing with a child" "a
    young cat is jumping in the air on a bed" (Flickr8k val). A new word the detectors do not see
    makes the rule say less instead; words the decoder had written, or that the photo shows, pass."""
    log_odds = {"flock": -4.0, "bird": -3.0, "beach": 2.0, "water": 1.0}  # p 0.02, 0.05, 0.88, 0.73

    def word_log_odds(words, features, basis=None):
        return torch.tensor([[log_odds[w] for w in words]] * len(features))

    monkeypatch.setattr(model, "word_log_odds", word_log_odds)
    rule, feature, head = CaptionRule(), torch.zeros(1280), probs_of()
    people = "a group of people are standing on a beach"
    assert model.caption_check._brings_unseen_words(
        "a flock of birds on the beach", people, feature, head, rule
    )
    assert not model.caption_check._brings_unseen_words("the water on a beach", people, feature, head, rule)
    off = replace(rule, rewrite_support=0.0)
    assert not model.caption_check._brings_unseen_words(
        "a flock of birds on the beach", people, feature, head, off
    )


def test_a_rewritten_caption_that_brings_in_what_the_head_does_not_see_is_not_kept(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drum kit (the open-world dev set): "a man is playing a guitar", re-written without the
    man the probes did not trust, became "a cat is playing with a guitar". Flickr8k has too few
    cats for the word detectors to have one, so a new word without a detector is checked by the
    head's classes for it instead."""
    assert model.detector_word("cat") is None and model.detector_word("guitar") is not None

    def word_log_odds(words, features, basis=None):
        return torch.tensor([[1.0 for _ in words]] * len(features))  # the detectors see the guitar

    monkeypatch.setattr(model, "word_log_odds", word_log_odds)
    rule, feature = CaptionRule(), torch.zeros(1280)
    before, again = "a man is playing a guitar", "a cat is playing with a guitar"
    assert model.caption_check._brings_unseen_words(again, before, feature, probs_of(), rule)
    assert not model.caption_check._brings_unseen_words(again, before, feature, probs_of(tabby=0.6), rule)


def test_a_ball_the_photo_does_not_support_is_cut_from_the_caption() -> None:
    """Banned from "ball" on a photo whose ball the head did not see, the decoder re-wrote "a brown
    and white dog is playing with a ball" as "a brown and white dog is playing with a brown and
    white dog" (Flickr8k val, three times). Saying less: the sentence without the ball."""
    ball = frozenset(["ball", "balls"])
    assert without_object("a brown and white dog is playing with a ball", ball) == (
        "a brown and white dog is playing"
    )
    assert without_object("two young boys playing with a ball in the water", ball) == (
        "two young boys playing in the water"
    )
    assert without_object("a black dog is jumping up to catch a ball", ball) == "a black dog is jumping up"
    assert without_object("a dog with a red ball in its mouth runs on the grass", ball) == (
        "a dog runs on the grass"
    )
    assert without_object("a brown dog is licking a ball in its mouth", ball) == "a brown dog"
    assert without_object("a ball is on the grass", ball) is None  # the ball is the subject
    assert without_object("a dog runs on the grass", ball) is None  # no ball to cut


def test_a_caption_keeps_its_dog_and_loses_the_ball_the_head_does_not_see(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from photoscope.network.decoding import Caption

    calls: list[torch.Tensor | None] = []

    def caption(latents, options=None, word_bias=None):
        calls.append(word_bias)
        if word_bias is None or not torch.isinf(word_bias).any():  # not banned: the first caption
            return [Caption("a brown and white dog is playing with a ball in the grass", -1.0, -9.0)]
        return [Caption("a brown and white dog is playing with a brown and white dog", -1.5, -13.0)]

    monkeypatch.setattr(model, "caption", caption)
    feature = _feature_for(GERMAN_SHEPHERD)  # the head sees a dog, and no ball
    unfamiliar = CaptionRule(familiar=2.0, say_less_below=2.0, name_below=-1.0, kind_threshold=2.0)
    latent = torch.zeros(1, model.latent_dim)
    text = model.describe_vectors(feature, latent, DecodeOptions(rule=unfamiliar))[0].text
    assert text == "a brown and white dog is playing in the grass"
    assert len(calls) == 1  # cut, not written again
    rewritten = model.describe_vectors(
        feature, latent, DecodeOptions(rule=replace(unfamiliar, cut_ball=False))
    )
    assert rewritten[0].text == "a brown and white dog is playing with a brown and white dog"


def test_a_short_query_trusts_the_head_for_a_word_the_decoder_hardly_knows(model: PhotoscopeModel) -> None:
    """ "a cat": the decoder saw "cat" 42 times, the head knows five kinds of cat. In a query that
    short the cat is what the user looks for, and the head's cat outranks a photo the decoder
    alone would call a cat; in a long description the cat is one detail and the decoder leads."""
    assert 0 < model.word_count("cat") < TextSearchOptions().rare_count
    cat_latent = model.encode_text(["a cat"])  # the decoder's idea of a cat, with no cat the head sees
    seen = torch.randn(
        1, model.latent_dim, generator=torch.Generator().manual_seed(3)
    )  # the head sees a tabby
    store = VectorStore(model.latent_dim)
    classes = torch.tensor([[TABBY, -1, -1, -1, -1], [-1] * 5])
    probs = torch.tensor([[0.6, 0, 0, 0, 0], [0.0] * 5])
    store.upsert([1, 2], torch.cat([seen, cat_latent]), torch.zeros(2, 1280), (classes, probs))
    options = TextSearchOptions(words=0.0, rerank=0)  # the latent and the concepts alone
    engine = SearchEngine(model, store)

    def first(text: str, o: TextSearchOptions = options) -> int:
        return engine.search_text(text, k=2, options=o).hits[0].photo_id

    assert first("a cat") == 1
    assert first("a cat", replace(options, short_query=0)) == 2  # weighed as in a long query
    assert model.query_words("a cat sitting on a red chair next to a window").content[:1] == ["cat"]
    assert first("a cat sitting on a red chair next to a window") == 2


def test_a_concept_no_listed_photo_clearly_shows_is_said(model: PhotoscopeModel) -> None:
    """Audit: "a banana" listed a roller coaster, "a submarine" a street, with no word said: the
    head gave them a banana or a submarine at a few percent. The answer stays (the closest guesses),
    with the words no listed photo clearly shows (p >= ``CLEARLY``)."""
    from photoscope.search.ranking import CLEARLY

    store = _store(model)
    engine = SearchEngine(model, store)
    assert engine.unclear_concepts("espresso", [100]) == ()  # p 0.9
    assert engine.unclear_concepts("a dog", [102]) == ()  # the decoder knows dogs: not the head's say
    classes = torch.tensor([[ESPRESSO, -1, -1, -1, -1]])
    unsure = torch.tensor([[CLEARLY / 2, 0, 0, 0, 0.0]])
    store.upsert([400], torch.randn(1, model.latent_dim), torch.randn(1, 1280), (classes, unsure))
    assert engine.unclear_concepts("an espresso", [400, 101]) == ("espresso",)
    assert engine.unclear_concepts("an espresso", [400, 100]) == ()
    # Nothing listed: said too (the CLI audit: "espresso" answered "no matching photos", no why).
    assert engine.unclear_concepts("a koala", []) == ("koala",)
    assert engine.unclear_concepts("a dog", []) == ()
    # No photo searchable at all (all waiting, or another model's): that is the reason, not the head
    # (the review of stop 38: it hid "photos wait to be indexed").
    assert SearchEngine(model, VectorStore(model.latent_dim)).unclear_concepts("a koala", []) == ()


def test_the_words_no_photo_of_the_library_shows_are_those_alone(model: PhotoscopeModel) -> None:
    """Audit 85, repro_3: `search castle --add espresso` said "Photoscope cannot clearly see 'castle'
    or 'espresso' in any photo", though plain "castle" has 7 likely matches: every head-judged word
    of the combined query was named, as over no photo listed. Over the whole library, only the words
    no photo shows clearly are (as typed: "espressos")."""
    store = _store(model)  # photo 100 an espresso, 101 a bald eagle, the rest German shepherds
    engine = SearchEngine(model, store)
    assert engine.unseen_anywhere("espresso") == ()
    assert engine.unseen_anywhere("a koala") == ("koala",)
    assert engine.unseen_anywhere("a bald eagle") == ()
    assert engine.unseen_anywhere("koalas and espressos") == ("koalas",)
    assert SearchEngine(model, VectorStore(model.latent_dim)).unseen_anywhere("a koala") == ()


def test_a_weak_guess_of_the_head_is_no_likely_match(model: PhotoscopeModel) -> None:
    """The fresh-seat audit of stop 51: in a library without monkeys, "a monkey" called a squirrel
    its one likely match, the head giving it spider monkey 0.217 (fox squirrel more). A share that
    low is the closest guess, as often there when the photos are not as when they are."""
    fox_squirrel, spider_monkey = 335, 381
    store = _store(model)
    engine = SearchEngine(model, store)
    classes = torch.tensor([[fox_squirrel, spider_monkey, -1, -1, -1]])
    store.upsert(
        [400],
        torch.randn(1, model.latent_dim),
        torch.randn(1, 1280),
        (classes, torch.tensor([[0.6, 0.217, 0, 0, 0.0]])),
    )
    assert engine.unclear_concepts("a monkey", [400, 102]) == ("monkey",)
    assert engine.unclear_concepts("a squirrel", [400, 102]) == ()


def test_a_word_the_decoder_saw_rarely_is_judged_by_the_head(model: PhotoscopeModel) -> None:
    """The #14 audit of stop 44: "rocket", "laptop", "snake" (words the decoder saw 9, 11 and 6
    times in training) listed meerkats, a dolphin and a chameleon as "9 likely matches", where
    "eagle", which only the concepts know, said it could not clearly see one. A concept word the
    decoder saw under ``rare_count`` times is the head's to judge; a common one ("dog") is not."""
    rare = TextSearchOptions().rare_count
    assert 0 < model.word_count("laptop") < rare <= model.word_count("dog")
    store = _store(model)
    engine = SearchEngine(model, store)
    assert engine.unclear_concepts("a laptop", [102, 103]) == ("laptop",)  # dogs listed
    assert engine.unclear_concepts("a dog with a laptop", [102, 103]) == ("laptop",)
    classes = torch.tensor([[LAPTOP, -1, -1, -1, -1]])
    store.upsert(
        [400],
        torch.randn(1, model.latent_dim),
        torch.randn(1, 1280),
        (classes, torch.tensor([[0.7, 0, 0, 0, 0.0]])),
    )
    assert engine.unclear_concepts("a laptop", [400, 102]) == ()
    # An espresso listed: the decoder reads "dog", and since stop 48 its detector judges it too
    # (``results.unseen_by_sight``): neither it nor the head sees a dog there.
    assert engine.unclear_concepts("a dog", [100]) == ("dog",)
    assert engine.unclear_concepts("a dog", [100, 102]) == ()  # a German shepherd listed too


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("dgo", "dog"),
        ("cta", "cat"),
        ("peguin", "penguin"),
        ("giraff", "giraffe"),
        ("bicylce", "bicycle"),
        ("bycicle", "bicycle"),  # the CLI audit (stop 38): "circle?"; two letters swapped, not next ones
    ],
)
def test_a_misspelt_word_is_offered_the_word_meant(model: PhotoscopeModel, typo: str, meant: str) -> None:
    """Audit: `dgo` was offered "go, do", `peguin` and `giraff` nothing: a swap, a missing or an
    extra letter is one slip from the word meant, and the concepts' words count ("penguin")."""
    from photoscope.network.text_model import TextModel

    offered = model.suggest(typo)
    assert offered and offered[0] == meant, offered
    assert TextModel().suggest(typo) == offered  # the quick answer offers the same


def test_suggestions_stay_within_what_a_tool_knows(model: PhotoscopeModel) -> None:
    assert model.suggest("dgo", among=["dog", "door"]) == ("dog",)
    assert model.suggest("xyzzyq") == ()


def test_the_heads_run_of_a_word_it_alone_judges_goes_past_the_curves_knee(model: PhotoscopeModel) -> None:
    """The fresh-seat audit of stop 59: "hammer" called the first of two hammers likely, the head
    seeing both (89 %, 63 %): the score curve's knee fell after the first. Where the head alone
    judges every word, its run of photos at ``CLEARLY`` is the likely matches (Flickr8k val's one-word
    queries, ``benchmarks/likely_through.py``: precision 51.9 -> 55.7 %, recall 13.5 -> 13.8 %)."""
    from photoscope.search.ranking import TextSearchOptions
    from photoscope.search.results import head_alone, likely_count

    rare = TextSearchOptions().rare_count

    def alone(text: str) -> bool:
        return head_alone(model.query_words(text), model.word_count, rare, model.detector_sight)

    assert alone("hammer") and alone("a hammer") and alone("an espresso")
    assert not alone("a dog on the beach") and not alone("beach") and not alone("a man")
    assert likely_count(1, 0, 2, head_alone=True) == 2 and likely_count(1, 0, 2) == 1
    assert likely_count(5, 0, -1, head_alone=True) == likely_count(5, 0, -1) == 0  # none shown at the top


# Words WordNet gives a class (or a synset above it) that a reader takes for something else: the
# word, the class it named (by its stored tag) and a word that still searches for that class.
MISREAD = [
    ("kite", "kite", "hawk"),  # the toy
    ("mice", "mouse", "computer mouse"),  # the animal
    ("notebook", "notebook", "notebook computer"),  # paper
    ("nipple", "nipple", "baby bottle"),
    ("cap", "nipple", "baby bottle"),  # WordNet's class is the bottle's teat, its photos bottles
    ("ear", "ear", "ear of corn"),
    ("wings", "wing", "airplane wing"),
    ("cricket", "cricket", "insect"),  # the game
    ("toy", "toy terrier", "toy terrier"),  # WordNet's "toy dog"
    ("dress", "jean", "jeans"),  # WordNet's "dress", clothing in general
    ("car", "freight car", "freight car"),  # WordNet's railcar
    ("plane", "plane", "carpenter's plane"),  # an aircraft
    ("head", "promontory", "headland"),
    ("jacket", "book jacket", "book jacket"),
    ("arm", "rifle", "rifle"),  # WordNet's weapon
    ("painter", "cougar", "puma"),
]


@pytest.mark.parametrize(("word", "stored", "still"), MISREAD)
def test_a_word_a_reader_takes_for_something_else_does_not_search_for_the_class(
    shipped_model_dir: Path, word: str, stored: str, still: str
) -> None:
    """Audit 78 of stop 62 (minor #1): "a kite" gave the northern harrier the head calls a kite
    (WordNet's hawk) as a likely match, where the user means the toy; "mouse" covered only the
    computer mouse, "notebook" the laptop, "ear" the ear of corn. The class keeps its everyday
    name and its other words."""
    text = TextModel(shipped_model_dir)

    def covered(query: str) -> set[int]:
        return {c for _word, classes in text.query_words(query).concepts for c in classes}

    assert class_index()[stored] not in covered(f"a {word}")
    assert class_index()[stored] in covered(f"a {still}")


def test_a_word_the_concepts_no_longer_misread_is_the_decoders_or_unknown(shipped_model_dir: Path) -> None:
    """ "a kite" is then the decoder's alone, which learned the toy from Flickr8k's captions; a word
    it does not know either is said to be unknown rather than searched as the class."""
    text = TextModel(shipped_model_dir)
    kite = text.query_words("a kite")
    assert kite.decoder_words == ["kite"] and not kite.concepts
    assert text.word_count("nipple") == 0 and text.query_words("a nipple").unknown == ["nipple"]


@pytest.mark.parametrize(("word", "stored", "_still"), MISREAD)
def test_a_photo_is_not_named_by_a_word_a_reader_takes_for_something_else(
    word: str, stored: str, _still: str
) -> None:
    """The caption names a photo by a class's word the decoder knows: a harrier the head called a
    kite was "a kite", a ski "a runner"."""
    from photoscope.network.naming import bundle_namer

    namer = bundle_namer()
    index = class_index()[stored]
    singular = word.removesuffix("s") if word != "mice" else "mouse"
    assert singular not in namer._candidates[index]
    probs = np.zeros(1000, dtype=np.float32)
    probs[index] = 0.9
    named = namer.name(probs, 0.5)
    assert named is None or named.word != singular


def test_a_name_with_an_apostrophe_searches_for_its_class(model: PhotoscopeModel) -> None:
    """A query reads "carpenter's plane" as the words "carpenter s plane": the name shown for the
    class found it only by "plane" (which no longer covers it), "jack-o'-lantern" by "jack", the
    jackfruit. A note on it says it as it was typed."""
    for typed, stored in [
        ("carpenter's plane", "plane"),
        ("jack-o'-lantern", "jack-o'-lantern"),
        ("potter's wheel", "potter's wheel"),
    ]:
        assert [classes for _word, classes in model.query_words(f"a {typed}").concepts] == [
            (class_index()[stored],)
        ], typed
    engine = SearchEngine(model, _store(model))  # an espresso, an eagle and dogs
    assert engine.unclear_concepts("a carpenter's plane", [100, 101]) == ("carpenter's plane",)


def test_search_reads_people_on_a_landscape_as_the_captions_do(
    model: PhotoscopeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit 77 (#3): "a man standing on a mountain" called an empty Machu Picchu a likely match,
    the person probe at 0.91, after its caption had stopped saying "a man". Search reads the probe
    as the caption rule does: on a photo whose stored tags say landscape or building (0.7), only
    from 0.95; the network's answer from the head, the quick one from the tags, alike."""
    from photoscope.network import TextModel
    from photoscope.network.concepts import scene_share
    from photoscope.network.presence import SCENE_SHARE, Familiarity, Presence

    monkeypatch.setattr(Familiarity, "of", lambda self, v: np.ones(len(v), np.float32))  # both familiar
    concepts = model.concepts
    assert scene_share(concepts, [("alp", 0.6), ("cliff", 0.2), ("espresso", 0.1)]) == pytest.approx(0.8)
    assert scene_share(concepts, [("espresso", 0.9)]) == 0.0
    alp, espresso = _feature_for(970), _feature_for(ESPRESSO)
    features = torch.cat([alp, espresso]).numpy()
    groups = model.presence.groups
    for person, on_the_alp in ((0.91, False), (0.97, True)):
        monkeypatch.setattr(
            Presence,
            "probs",
            lambda self, v, p=person: np.array([[p if g == "person" else 0.1 for g in groups]] * len(v)),
        )
        assert model.shows_people(features).tolist() == [on_the_alp, True]  # the head's top classes
        tags = [[("alp", SCENE_SHARE)], [("espresso", 0.9)]]  # as the stored tags would say
        assert TextModel().shows_people(features, tags).tolist() == [on_the_alp, True]
        assert model.shows_people(features, tags).tolist() == [on_the_alp, True]
