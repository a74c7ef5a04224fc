"""The concept resource (resources/concepts.json): ImageNet classes named and covered by English words."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from photoscope import config
from photoscope.network.concepts import NEAR_RESOURCE_NAME, load_concepts, load_near_classes, stand_in

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tools" / "build_concepts.py"


def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_concepts", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def class_of(name: str) -> int:
    return load_concepts().names.index(name)


def test_one_entry_per_class_in_the_apps_class_order() -> None:
    concepts = load_concepts()
    shown = (config.resources_dir() / "imagenet-classes.txt").read_text(encoding="utf-8").splitlines()
    assert len(concepts) == len(shown) == 1000
    assert len(set(concepts.wnids)) == 1000
    assert all(wnid.startswith("n") and len(wnid) == 9 for wnid in concepts.wnids)
    # the app's names are lemmas of the same synsets (two are disambiguated by hand there)
    for i, name in enumerate(shown):
        lemmas = [lemma.lower() for lemma in concepts.lemmas[i]]
        assert name.lower() in lemmas or any(name.lower().startswith(lemma + " ") for lemma in lemmas), i


def test_names_are_readable() -> None:
    names = load_concepts().names
    assert all(name and "_" not in name and name == name.strip() for name in names)
    assert len(set(names)) == 1000
    for name in ("Egyptian cat", "espresso", "bald eagle", "golden retriever", "laptop", "tabby"):
        assert name in names


def test_a_hypernym_covers_the_classes_below_it() -> None:
    concepts = load_concepts()
    eagle, tabby = class_of("bald eagle"), class_of("tabby")
    assert eagle in concepts.classes_for("bird")
    assert tabby not in concepts.classes_for("bird")
    dogs = concepts.classes_for("dog")
    assert 115 <= len(dogs) <= 121
    assert class_of("golden retriever") in dogs and tabby not in dogs
    fruit = concepts.classes_for("fruit")
    assert {class_of("orange"), class_of("lemon"), class_of("banana")} <= set(fruit)
    cats = concepts.classes_for("cat")
    assert {tabby, class_of("Egyptian cat"), class_of("Persian cat"), class_of("Siamese cat")} <= set(cats)
    assert concepts.classes_for("eagle") == (eagle,)
    assert class_of("laptop") in concepts.classes_for("laptop")


def test_class_lemmas_are_concepts() -> None:
    concepts = load_concepts()
    for word in ("espresso", "laptop", "squirrel", "golden retriever", "hot dog"):
        assert concepts.is_concept(word), word
    assert concepts.classes_for("espresso") == (class_of("espresso"),)
    assert concepts.is_class_lemma("espresso") and not concepts.is_class_lemma("bird")


def test_case_and_plurals() -> None:
    concepts = load_concepts()
    assert concepts.classes_for("dogs") == concepts.classes_for("dog")
    assert concepts.classes_for("Birds") == concepts.classes_for("bird")
    assert concepts.classes_for("  CATS ") == concepts.classes_for("cat")
    assert concepts.classes_for("geese") == concepts.classes_for("goose")


def test_over_general_and_unknown_words_are_not_concepts() -> None:
    concepts = load_concepts()
    for word in ("entity", "object", "whole", "artifact", "organism", "physical entity", "instrumentality",
                 "abstraction", "matter", "thing"):  # fmt: skip
        assert not concepts.is_concept(word), word
        assert concepts.classes_for(word) == ()
    assert concepts.classes_for("flibbertigibbet") == ()
    assert concepts.classes_for("") == ()
    assert all(len(concepts.classes_for(word)) <= 400 for word in ("animal", "device", "bird"))


def test_hypernyms_and_covering_words() -> None:
    concepts = load_concepts()
    eagle = class_of("bald eagle")
    chain = concepts.hypernyms(eagle)
    assert chain[0] == "eagle" and chain[-1] == "entity" and "bird" in chain
    words = concepts.covering_words(eagle)
    assert words[0] == "bald eagle"
    assert words.index("eagle") < words.index("bird of prey") < words.index("bird") < words.index("animal")
    assert "entity" not in words and "organism" not in words
    assert all(eagle in concepts.classes_for(word) for word in words)
    assert "dog" in concepts.covering_words(class_of("golden retriever"))


def test_the_resource_is_in_step_with_its_script() -> None:
    script = build_script()
    path = config.resources_dir() / "concepts.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["max_cover"] == script.MAX_COVER
    dropped = {wnid for wnid, _lemmas, flag in data["synsets"] if flag}
    assert set(script.STOP_SYNSETS) & {wnid for wnid, _l, _f in data["synsets"]} <= dropped
    assert path.stat().st_size < 1_500_000
    assert load_concepts() is load_concepts()  # cached


def test_stand_ins_are_named_in_everyday_words() -> None:
    """The honest-results walk of stop 48: "a sparrow" said it was searched by 'passerine', "a moth"
    by 'lepidopterous insect': WordNet's names for the classes that stand in, which the user asked
    in plain words and cannot read back."""
    for word, shown in (
        ("sparrow", "songbird"),
        ("moth", "moth or butterfly"),
        ("accentor", "songbird"),
        ("hornet", "bee or wasp"),
        ("mite", "mite or tick"),
        ("adobo", "dish"),  # a plain name stays
    ):
        found = stand_in(word)
        assert found is not None and found.name == shown, (word, found)
    jargon = {"passerine", "oscine", "lepidopterous insect", "nutriment", "flavorer", "gallinaceous bird"}
    related = json.loads((config.resources_dir() / "related-words.json").read_text(encoding="utf-8"))
    assert not jargon & {name for name, _classes in related["stand_ins"]}


def test_related_words_stand_in_by_their_nearest_covering_ancestor() -> None:
    concepts = load_concepts()
    church = concepts.names.index("church")
    cathedral = stand_in("cathedral")
    assert cathedral is not None and cathedral.name == "church" and cathedral.classes == (church,)
    giraffe = stand_in("Giraffes")  # case and plurals
    assert giraffe is not None and giraffe.name == "hoofed animal"  # WordNet's "ruminant"
    assert set(giraffe.classes) <= set(concepts.classes_for("animal")) and 1 < len(giraffe.classes) <= 20
    kitten = stand_in("kitten")  # WordNet files young animals under "young mammal": the YOUNG table
    assert kitten is not None and set(kitten.classes) <= set(concepts.classes_for("cat"))
    eiffel = stand_in("eiffel tower")  # a named instance
    assert eiffel is not None and eiffel.name == "tower"
    # none for concept words, people, words whose main sense is too broad, or made-up words
    for word in ("dog", "espresso", "boy", "woman", "caterpillar", "blorf"):
        assert stand_in(word) is None, word


def test_the_related_words_are_in_step_with_their_script() -> None:
    script = build_script()
    path = config.resources_dir() / "related-words.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert all(classes for _name, classes in data["stand_ins"])
    young = {data["words"][word] for word in script.YOUNG}  # "puppy" stands for every dog
    # each sense's stand-in covers at most MAX_RELATED classes; a word unites its few senses
    assert all(
        len(classes) <= 3 * script.MAX_RELATED
        for at, (_name, classes) in enumerate(data["stand_ins"])
        if at not in young
    )
    assert not set(data["words"]) & set(load_concepts()._words)
    assert path.stat().st_size < 1_500_000


def test_the_head_finds_alike_what_looks_alike() -> None:
    concepts, near = load_concepts(), load_near_classes()
    drake, goose, espresso = (concepts.names.index(n) for n in ("drake", "goose", "espresso"))
    gibbon, siamang = concepts.names.index("gibbon"), concepts.names.index("siamang")
    assert near.cosines.shape == (1000, 1000) and near.threshold == pytest.approx(0.1)
    assert near.cosines[drake, goose] > 0.2 and near.cosines[gibbon, siamang] > 0.3
    assert near.cosines[drake, espresso] == 0.0 and near.cosines[drake, drake] == 0.0
    cover = near.cover([drake], 0.5)
    assert len(cover) == 1001 and cover[drake] == 1.0 and cover[-1] == 0.0  # the last: an empty slot
    assert 0.0 < cover[goose] <= 0.5 and cover[espresso] == 0.0
    off = near.cover([drake], 0.0)  # off: the classes alone
    assert off[drake] == 1.0 and off.sum() == 1.0
    assert (config.resources_dir() / NEAR_RESOURCE_NAME).stat().st_size < 400_000


def test_the_near_classes_are_in_step_with_their_script(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_near_classes", REPO / "tools" / "build_near_classes.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "near.json"
    assert script.main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (config.resources_dir() / NEAR_RESOURCE_NAME).read_text(
        encoding="utf-8"
    )


@pytest.mark.skipif(
    not (Path("/usr/share/wordnet/data.noun").is_file() and os.environ.get("PHOTOSCOPE_TIMM")),
    reason="a full rebuild needs wordnet-base and PHOTOSCOPE_TIMM=<timm wheel>",
)
def test_a_rebuild_matches_the_committed_resource() -> None:
    assert build_script().main(["--timm", os.environ["PHOTOSCOPE_TIMM"], "--check"]) == 0
