"""The concept resource (resources/concepts.json): ImageNet classes named and covered by English words."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from photoscope import config
from photoscope.network.concepts import load_concepts

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


@pytest.mark.skipif(
    not (Path("/usr/share/wordnet/data.noun").is_file() and os.environ.get("PHOTOSCOPE_TIMM")),
    reason="a full rebuild needs wordnet-base and PHOTOSCOPE_TIMM=<timm wheel>",
)
def test_a_rebuild_matches_the_committed_resource() -> None:
    assert build_script().main(["--timm", os.environ["PHOTOSCOPE_TIMM"], "--check"]) == 0
