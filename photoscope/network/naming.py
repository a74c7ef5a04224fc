"""What the encoder's ImageNet head supports: the word that names a photo, and the caption words it
does not back.

The caption decoder learned its words from Flickr8k, where nearly every photo shows people or dogs:
shown an espresso or an eagle it writes a dog, a man or a ball all the same. The frozen encoder's
ImageNet head knows 1000 classes, and ``concepts.json`` the words above them ("eagle", "bird",
"animal"). This module turns the head's probabilities into

- a *name*: the most specific plain word (a class's own name, or a hypernym the decoder also knows)
  whose classes together have probability >= ``threshold``;
- the words Flickr8k taught the decoder to invent (people, dogs, balls: ``RISKY_WORDS``), whose
  support ``caption_check`` weighs from the head (dogs, balls) and the presence probes
  (``presence.py``);
- the phrases a caption is cut to or built from ("a large building", "a bison in a field").

Plain NumPy: the model (``model.py``) feeds it the head's probabilities.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from photoscope.network.concepts import Concepts, class_index

# The objects Flickr8k taught the decoder to put in every photo, and the caption words that name them.
RISKY_WORDS: dict[str, frozenset[str]] = {
    "dog": frozenset(["dog", "dogs", "puppy", "puppies", "pup"]),
    "person": frozenset(
        [
            "man",
            "men",
            "woman",
            "women",
            "boy",
            "boys",
            "girl",
            "girls",
            "person",
            "people",
            "child",
            "children",
            "kid",
            "kids",
            "baby",
            "babies",
            "toddler",
            "toddlers",
            "lady",
            "ladies",
            "guy",
            "guys",
            "teenager",
            "teenagers",
            "teen",
            "teens",
            "adult",
            "adults",
            "player",
            "players",
            "biker",
            "bikers",
            "bicyclist",
            "cyclist",
            "rider",
            "riders",
            "skier",
            "skiers",
            "snowboarder",
            "surfer",
            "surfers",
            "skateboarder",
            "swimmer",
            "swimmers",
            "climber",
            "climbers",
            "hiker",
            "hikers",
            "runner",
            "runners",
            "crowd",
            "couple",
            "family",
            "friends",
            "gentleman",
            "worker",
            "workers",
            "dancer",
            "dancers",
            "performer",
            "musician",
            "musicians",
            "he",
            "she",
            "his",
            "her",
            "they",
            "someone",
            "group",
            "men",
        ]
    ),
    "ball": frozenset(["ball", "balls"]),
}
# The decoder's words for kinds of people and dogs. Banned from "man" or "dog" on a photo that
# does not support one, the decoder names them by their kind instead: "a rollerblader is doing a
# trick on a ramp", "a black poodle is jumping into a pool" (Flickr8k val), "a rollerblader in the air
# on a skateboard" for an igloo (the open-world dev set). The rule treats these words as their
# group's (``VETOED_WORDS``); search does not, so "groom" and "greyhound" stay concept words there.
# Chosen from the decoder's vocabulary: the words WordNet 3.0 puts under person.n.01 or dog.n.01 in
# every sense, then those it does in their Flickr8k sense ("mother", "racer", "lab"), checked by hand.
KIND_WORDS: dict[str, frozenset[str]] = {
    "person": frozenset(
        [
            "athlete",
            "athletes",
            "audience",
            "backpacker",
            "batman",
            "batsman",
            "batter",
            "bicycler",
            "bicyclists",
            "boarder",
            "bowler",
            "boxer",
            "bride",
            "bridesmaids",
            "brother",
            "cameraman",
            "catcher",
            "cheerleader",
            "cheerleaders",
            "clown",
            "clowns",
            "coach",
            "cop",
            "cowboy",
            "cowgirl",
            "cyclists",
            "daughter",
            "diver",
            "dj",
            "drummer",
            "fans",
            "father",
            "fencers",
            "firefighter",
            "fisherman",
            "footballer",
            "footballers",
            "friend",
            "goalie",
            "groom",
            "guitarist",
            "gymnast",
            "individuals",
            "infant",
            "instructor",
            "jockey",
            "jockeys",
            "jogger",
            "kayaker",
            "member",
            "members",
            "mom",
            "mother",
            "motorcyclist",
            "motorcyclists",
            "newborn",
            "ninja",
            "officer",
            "officers",
            "onlookers",
            "opponent",
            "owner",
            "owners",
            "parent",
            "parents",
            "passengers",
            "pedestrian",
            "pedestrians",
            "photographer",
            "photographers",
            "pirate",
            "pitcher",
            "police",
            "policeman",
            "policemen",
            "quarterback",
            "racer",
            "racers",
            "referee",
            "rival",
            "rollerblader",
            "santa",
            "singer",
            "sister",
            "skateboarders",
            "skater",
            "skaters",
            "snowboarders",
            "soldier",
            "son",
            "spectators",
            "students",
            "superman",
            "swimmer",
            "team",
            "teammate",
            "teams",
            "trainer",
            "vendor",
            "waiter",
            "wrestler",
            "wrestlers",
            "youth",
        ]
    ),
    "dog": frozenset(
        [
            "beagle",
            "collie",
            "dachshund",
            "dalmatian",
            "doberman",
            "greyhound",
            "greyhounds",
            "hound",
            "husky",
            "lab",
            "labrador",
            "pitbull",
            "poodle",
            "poodles",
            "pugs",
            "retriever",
            "shepherd",
            "terrier",
            "terriers",
        ]
    ),
}
VETOED_WORDS: dict[str, frozenset[str]] = {
    group: words | KIND_WORDS.get(group, frozenset()) for group, words in RISKY_WORDS.items()
}
# A group's general names: taken away ("- people", "without dogs"), they take away every word of
# the group (``PhotoscopeModel.taken_away_kin``). Flickr8k says "people" of groups only, and "-
# people" left a man alone high (the #17 audit of stop 44); "- man" still leaves the women.
GROUP_NAMES: dict[str, frozenset[str]] = {
    "person": frozenset(["people", "person", "persons", "human", "humans"]),
    "dog": frozenset(["dog", "dogs"]),
}


def taken_away_kin(word: str, detector_word: Callable[[str], str | None]) -> list[str]:
    """The detector words a taken-away ``word`` stands for (``detector_word``: the model's): its own,
    and for a group's general name ("people", "dogs": ``GROUP_NAMES``) every detector word of that
    group; [] when no detector answers for it."""
    own = detector_word(word)
    groups = [g for g, names in GROUP_NAMES.items() if word.lower() in names or own in names]
    kin = [d for g in groups for w in sorted(VETOED_WORDS[g]) if (d := detector_word(w)) is not None]
    return list(dict.fromkeys([*([own] if own is not None else []), *kin]))  # ("humans": no own)


# Hypernyms the decoder knows but that make poor names for a photo.
_NOT_NAMES = frozenset(
    [
        "covering",
        "wear",
        "wears",
        "clothing",
        "wind",
        "winds",
        "arm",
        "arms",
        "piece",
        "pieces",
        "formation",
        "formations",
        "construction",
        "creature",
        "creatures",
        "structure",
        "structures",
        "device",
        "devices",
        "equipment",
        "game",
        "games",
        "barrier",
        "barriers",
        "instrument",
        "instruments",
        "headdress",
        "dish",
        "matter",
        "object",
        "objects",
        "thing",
        "things",
        "whole",
        # WordNet senses that are not the photo's: above two or more classes unlike each other
        # ("a surface" for a stage and a wing, "a course" for a plate and a trifle, "a top" for a
        # bottle cap and a manhole cover, "a bar" for a space bar and a sandbar, "a string" for a
        # cello, "a racer" for a whippet), or above one whose own name says it better
        "area",
        "bar",
        "bars",
        "control",
        "course",
        "figure",
        "head",
        "jack",
        "landing",
        "litter",
        "match",
        "medium",
        "mini",
        "pattern",
        "pirate",
        "point",
        "racer",
        "round",
        "site",
        "someone",
        "spot",
        "stand",
        "string",
        "surface",
        "top",
        "vertical",
        "work",
        "works",
    ]
)
# Places and surfaces the decoder names well: what a caption keeps when its subject was invented
# ("a man is standing in front of a large building" -> "a large building").
SCENE_WORDS = frozenset(
    [
        "beach",
        "bench",
        "bridge",
        "building",
        "buildings",
        "cliff",
        "city",
        "couch",
        "desert",
        "dirt",
        "fence",
        "field",
        "fields",
        "flowers",
        "forest",
        "fountain",
        "garden",
        "grass",
        "hill",
        "hills",
        "lake",
        "leaves",
        "mountain",
        "mountains",
        "mud",
        "ocean",
        "park",
        "path",
        "pool",
        "river",
        "road",
        "rock",
        "rocks",
        "sand",
        "sea",
        "shore",
        "sidewalk",
        "sky",
        "snow",
        "stage",
        "street",
        "track",
        "trail",
        "tree",
        "trees",
        "wall",
        "water",
        "waterfall",
        "waves",
        "woods",
        "yard",
    ]
)
# What a caption says when its subject was invented and nothing else it saw is there either, or
# when the head recognises nothing at all (``CaptionRule.blank_below``): short and true rather than
# "the snow" for a pencil on a white table.
SAY_NOTHING = "a photo"
# Where a photo's named subject is, said after the name ("a bison in a field", "a castle by the
# water"; ``CaptionRule.place_support``): the word detectors' place words, each with its phrase
# after an animal's name and after anything else's. Only places the detectors see from afar and a
# named thing stands in; not trees, walls or streets (seen behind everything), nor flowers.
PLACE_PHRASES: dict[str, tuple[str, str]] = {
    "water": ("in the water", "by the water"),
    "grass": ("in the grass", "on the grass"),
    "snow": ("in the snow", "in the snow"),
    "sand": ("on the sand", "on the sand"),
    "beach": ("on the beach", "on the beach"),
    "field": ("in a field", "in a field"),
    "mountain": ("in the mountains", "in the mountains"),
    "rock": ("on the rocks", "by the rocks"),
    "forest": ("in the forest", "in the forest"),
    "wood": ("in the woods", "in the woods"),
    "desert": ("in the desert", "in the desert"),
    "ocean": ("in the ocean", "by the ocean"),
    "lake": ("in a lake", "by a lake"),
    "river": ("in a river", "by a river"),
    "shore": ("on the shore", "on the shore"),
}
# The places a boat is on rather than by ("a catamaran on the water").
AFLOAT = frozenset(["water", "ocean", "lake", "river"])
# The names a caption may give (a class's own name or a word above it) that take no "a": found
# among the namer's 263 candidate words when a threshold sweep called a chair "a furniture".
MASS_NOUNS = frozenset(
    [
        "attire",
        "beverage",
        "bread",
        "cloth",
        "clothes",
        "denim",
        "fabric",
        "food",
        "furniture",
        "garb",
        "gear",
        "jewelry",
        "liquid",
        "makeup",
        "rubber",
    ]
)
# Kind words that tell a reader nothing the name does not: "a television", not "a television
# system" (WordNet's lemma for the broadcasting system the class's synset also names); "a church".
_EMPTY_KINDS = frozenset(["building", "system"])
# Things that come in pairs, by their concept word, and the plural a caption names them by: "a
# pair of sunglasses", not "a sunglasses"; WordNet's "jean" and the "sunglass" class's photos are
# jeans and sunglasses.
PAIRS: dict[str, str] = {
    "bathing trunks": "bathing trunks",
    "binoculars": "binoculars",
    "blue jean": "jeans",
    "dark glasses": "dark glasses",
    "jean": "jeans",
    "jeans": "jeans",  # the class's everyday name
    "sunglass": "sunglasses",
    "sunglasses": "sunglasses",
    "swimming trunks": "swimming trunks",
}
_A_PAIR_OF = "a pair of "
_PHRASE_STARTS = frozenset(["a", "an", "the", "some"])
_VOWEL = re.compile(r"^(?:[aeio]|u(?!ni|se|su|ke|ro)|hour|honest)")


@dataclass(frozen=True)
class Name:
    word: str  # a concept word ("espresso", "bird")
    p: float  # the head's probability summed over the classes it covers


def _spells_out(lemma: str, name: str) -> bool:
    """Whether ``lemma`` holds ``name`` or a word of its stem: "monarch butterfly" spells out
    "monarch", "race car" "racer", "thatched roof" "thatch"; "coach dog" does not "dalmatian"."""
    if f" {name} " in f" {lemma} ":
        return True
    return " " not in name and any(_same_stem(word, name) for word in lemma.split())


def _same_stem(word: str, other: str) -> bool:
    """ "race" and "racer", "thatched" and "thatch": one the other and at most two letters more."""
    short, long = sorted((word, other), key=len)
    return len(short) >= 4 and len(long) - len(short) <= 2 and long.startswith(short)


def article(word: str) -> str:
    """``word`` with its indefinite article: "an eagle", "a cup"; a mass noun with "some" ("some
    furniture", not "a furniture"); a thing that comes in pairs as one ("a pair of sunglasses")."""
    if word in PAIRS:
        return f"{_A_PAIR_OF}{PAIRS[word]}"
    if word in MASS_NOUNS:
        return f"some {word}"
    return f"{'an' if _VOWEL.match(word.lower()) else 'a'} {word}"


# A class the head gives less is noise to a reader, not something it sees. On the open-world dev
# set (benchmarks/shown_tags.py) a top-5 class at 3-5 % named what the photo shows 20 % of the time,
# at 5-10 % 25 % ("a papillon (9 %)" for a cat: the honest-results walk of stop 48), at 10-20 %
# 39 %, from 30 % 69 %. 0.05 showed the 5-10 % band; 0.10 shows none of it.
SHOWN_FROM = 0.10


class Namer:
    """Names photos from the head's probabilities with the words of ``concepts`` the caption may use."""

    def __init__(self, concepts: Concepts, decoder_words: Iterable[str]) -> None:
        self.concepts = concepts
        known = frozenset(decoder_words) - _NOT_NAMES
        self._candidates: list[list[str]] = []
        self._shown: list[str] = []  # each class as the app shows it: "Egyptian cat", "monarch butterfly"
        for i, name in enumerate(concepts.names):
            self._shown.append(self._kind_name(i, name))
            own = self._shown[-1].lower()
            words = [own] if concepts.is_concept(own) else []
            words += [w for w in concepts.covering_words(i) if w in known and w not in words]
            self._candidates.append(words)
        self._shown_as = {word.lower(): word for word in self._shown}
        self._classes: dict[str, npt.NDArray[np.int64]] = {}

    def _kind_name(self, index: int, name: str) -> str:
        """The class's lemma that names its kind where the readable name alone could be something
        else ("monarch butterfly" rather than "monarch", "pirate ship" rather than "pirate") or is
        something else ("ring-tailed lemur" rather than "Madagascar cat"), else its readable name.
        A synonym that merely ends in a word above the class is not its kind: a dalmatian stays a
        dalmatian, not "a coach dog", sunglasses are not "dark glasses". As WordNet writes it. A
        name chosen by hand stays ("washing machine" was "automatic washer": audit 78)."""
        if index in self.concepts.chosen:
            return name
        above = set(self.concepts.covering_words(index))
        lowered = name.lower()
        last = lowered.rsplit(" ", 1)[-1]
        misleads = " " in lowered and self.concepts.is_concept(last) and last not in above
        for lemma in self.concepts.lemmas[index]:
            word = lemma.lower()
            kind = word.rsplit(" ", 1)[-1]
            if " " not in word or kind not in above or not self.concepts.is_concept(word):
                continue
            if misleads or (_spells_out(word, lowered) and kind not in _EMPTY_KINDS):
                return lemma
        return name

    def as_written(self, word: str) -> str:
        """A concept word as a caption writes it: a class's name as the app shows it where that
        capitalises a word ("African crocodile", "Arabian camel"), else as it is."""
        shown = self._shown_as.get(word.lower())
        return shown if shown is not None and shown != shown.lower() else word

    def _written(self, word: str) -> str:
        """A name as the app shows it: a class's own name as WordNet writes it ("German shepherd
        dog"), and a word for one class as that class is shown ("crocodile" is the head's one, the
        "African crocodile")."""
        classes = self.classes(word)
        return self._shown[int(classes[0])] if len(classes) == 1 else self._shown_as.get(word, word)

    def classes(self, word: str) -> npt.NDArray[np.int64]:
        found = self._classes.get(word)
        if found is None:
            found = self._classes[word] = np.asarray(self.concepts.classes_for(word), dtype=np.int64)
        return found

    def group_p(self, probs: npt.NDArray[np.floating], word: str) -> float:
        classes = self.classes(word)
        return float(probs[classes].sum()) if len(classes) else 0.0

    def name(self, probs: npt.NDArray[np.floating], threshold: float, top: int = 5) -> Name | None:
        """The most specific candidate word of the ``top`` likeliest classes whose classes have
        probability >= ``threshold`` together (ties: the likelier); None when there is none."""
        best: tuple[int, float, str] | None = None
        for i in np.argsort(-probs)[:top]:
            for word in self._candidates[int(i)]:
                p = self.group_p(probs, word)
                if p >= threshold:
                    key = (len(self.classes(word)), -p, word)
                    if best is None or key < best:
                        best = key
                    break  # the words above it cover more classes
        return None if best is None else Name(best[2], -best[1])

    def words_shown(self, probs: npt.NDArray[np.floating], threshold: float, limit: int = 5) -> list[Name]:
        """What the app shows as a photo's concepts: its name (if any), then its likeliest classes
        in plain words, down to a tenth of the top one's probability and never below
        ``SHOWN_FROM`` ("Indian cobra (4 %), bikini (4 %)" beside a man playing a didgeridoo: the #14
        audit of stop 44)."""
        out: list[Name] = []
        named = self.name(probs, threshold)
        if named is not None:
            out.append(Name(self._written(named.word), named.p))
        order = np.argsort(-probs)[:limit]
        floor = max(float(probs[order[0]]) / 10, SHOWN_FROM)
        for i in order:
            p = float(probs[int(i)])
            word = self._shown[int(i)]
            if p < floor or len(out) >= limit or any(n.word.lower() == word.lower() for n in out):
                continue
            out.append(Name(word, p))
        return out


def bare_name(caption: str, concepts: Concepts) -> str | None:
    """The concept word of a caption that is only a name ("a polar bear" -> "polar bear", "a pair of
    jeans" -> "jean"), else None."""
    if caption.startswith(_A_PAIR_OF):
        plural = caption.removeprefix(_A_PAIR_OF)
        names = (word for word, shown in PAIRS.items() if shown == plural and concepts.is_concept(word))
        return next(names, None)
    start, _, word = caption.partition(" ")
    return word if start in ("a", "an", "some") and concepts.is_concept(word) else None


def scene_phrase(caption: str, shown: Callable[[str], bool] | None = None) -> str | None:
    """The caption's last noun phrase that names a scene word ``shown`` allows (default: any), as
    written ("a large building", "the snow", "a field of flowers"), or None; never one with a risky
    word in it."""
    words = caption.split()
    risky = frozenset().union(*VETOED_WORDS.values())
    for end in range(len(words) - 1, -1, -1):
        if words[end] not in SCENE_WORDS or (shown is not None and not shown(words[end])):
            continue
        start = _phrase_start(words, end, end)
        phrase = words[start : end + 1]
        # "a field of flowers": keep the "of ..." the decoder wrote after the scene word
        if end + 2 < len(words) and words[end + 1] == "of" and words[end + 2] in SCENE_WORDS:
            phrase = words[start : end + 3]
        if not set(phrase) & risky and all(w.isalpha() for w in phrase):
            return " ".join(phrase)
    return None


# The words that lead to an object in a caption ("playing with a ball", "jumping up to catch a
# ball"): they go with it when it is cut (``without_object``).
_OBJECT_LEADS = frozenset(
    ["with", "and", "to", "for", "after", "at"]
    + [f"{verb}{ending}" for verb in ("catch", "fetch") for ending in ("", "es", "ing")]
    + [f"{verb}{ending}" for verb in ("hold", "kick", "lick", "chew") for ending in ("", "s", "ing")]
    + ["chase", "chases", "chasing", "carry", "carries", "carrying", "throw", "throws", "throwing"]
    + ["hit", "hits", "hitting", "bite", "bites", "biting"]
)
_MOUTH = ({"in"}, {"its", "his", "her", "their"}, {"mouth", "mouths"})
# Words a cut caption does not end on ("a brown dog is" -> "a brown dog").
_DANGLING = frozenset(["is", "are", "a", "an", "the", "and", "with", "to", "of", "in", "on"])


def repeats_a_thing(caption: str) -> bool:
    """Whether the caption brings in the same thing twice with "a" or "an" ("a boat on a boat in the
    water", "a dog is playing with a dog"): a re-write banned from its subject's usual words falls
    back on it, where the decoder's own captions say "two dogs" or "another"."""
    words = caption.split()
    things = [after for word, after in itertools.pairwise(words) if word in ("a", "an")]
    return len(things) != len(set(things))


def without_object(caption: str, words: frozenset[str]) -> str | None:
    """``caption`` without the noun phrase that names one of ``words``, the words that lead to it
    and the "in its mouth" that follows it ("a dog is playing with a ball in the grass" -> "a dog
    is playing in the grass"); None when the caption names none or the phrase is its subject."""
    tokens = caption.split()
    at = next((i for i, w in enumerate(tokens) if w in words), None)
    if at is None:
        return None
    start = _phrase_start(tokens, at, at)
    while start > 0 and tokens[start - 1] in _OBJECT_LEADS:
        start -= 1
    if start == 0:
        return None
    end = at + 1
    if all(tokens[end + k] in options for k, options in enumerate(_MOUTH) if end + k < len(tokens)):
        end = min(end + len(_MOUTH), len(tokens))
    kept = tokens[:start] + tokens[end:]
    while kept and kept[-1] in _DANGLING:
        kept.pop()
    return " ".join(kept) or None


def name_the_kind(
    caption: str, name: str, concepts: Concepts, avoid: frozenset[int] = frozenset(), beside: int = 0
) -> str:
    """``caption`` with its vaguer word for what the head names replaced by the name: "a man
    stands in front of a large building" -> "a man stands in front of a castle" when the head is
    sure of the castle. The noun phrase goes whole ("a large building" -> "a castle": an adjective
    the decoder wrote for a building may not fit the castle); plurals stay ("two birds" is not
    "two eagles"). Names inside ``avoid`` (dog breeds: people say "a dog") change nothing."""
    named = set(concepts.classes_for(name))
    if not named or named <= avoid:
        return caption
    words = caption.split()
    for end in range(len(words) - 1, -1, -1):
        for size in (2, 1):
            start = end - size + 1
            gram = " ".join(words[max(start, 0) : end + 1])
            if start < 0 or gram == name or not _vaguer(concepts, gram, named, beside):
                continue
            if words[end].endswith("s") and concepts.is_concept(words[end][:-1]):
                return caption  # a plural: "two birds" is not "two eagles"
            phrase = _phrase_start(words, start, end)
            if words[phrase] in _PHRASE_STARTS:
                return " ".join([*words[:phrase], article(name), *words[end + 1 :]])
            return " ".join([*words[:start], name, *words[end + 1 :]])
    return caption


def _phrase_start(words: Sequence[str], start: int, end: int) -> int:
    """Where the noun phrase ending at ``words[end]`` begins: at its article ("a", "the", "some")
    if one stands within three words before ``words[start]``, else as far back as that looked."""
    while start > 0 and words[start - 1] not in _PHRASE_STARTS and end - start < 3:
        start -= 1
    if start > 0 and words[start - 1] in _PHRASE_STARTS:
        start -= 1
    return start


def _vaguer(concepts: Concepts, word: str, named: set[int], beside: int) -> bool:
    """Whether ``word`` is a concept word above the name (it covers its classes and more), or
    beside it: a concept of at most ``beside`` classes covers both ("building" and "castle" are
    both structures)."""
    covered = set(concepts.classes_for(word))
    if not covered:
        return False
    if named < covered:
        return True
    if beside <= 0 or covered & named:
        return False
    first = min(named)
    for above in concepts.hypernyms(first):
        both = set(concepts.classes_for(above))
        if first in both and covered <= both:
            return len(both) <= beside
    return False


# Person words that only point back to someone already named: in a caption about a dog and no
# one else ("a dog is playing with a stick in his mouth") they are the dog's.
PRONOUNS = frozenset(["he", "she", "his", "her", "they"])


def risky_groups(words: Sequence[str]) -> set[str]:
    """The risky groups a caption's words name (by their kinds too: "a rollerblader")."""
    named = {group for group, names in VETOED_WORDS.items() if any(w in names for w in words)}
    if "dog" in named and all(w in PRONOUNS for w in words if w in VETOED_WORDS["person"]):
        named.discard("person")
    return named


def decoder_words(model_dir: Path | str) -> tuple[str, ...]:
    """The caption decoder's words, read from a bundle's ``bundle.json`` (no PyTorch)."""
    meta = json.loads((Path(model_dir) / "bundle.json").read_text(encoding="utf-8"))
    return tuple(str(w) for w in meta["vocabulary"]["words"])


@functools.lru_cache(maxsize=2)
def bundle_namer(model_dir: str | None = None) -> Namer:
    """The namer of a bundle's decoder words (default: the shipped bundle's) and the concepts, read
    without PyTorch and kept: the app names stored tags with it before the network is loaded."""
    from photoscope.config import default_model_dir
    from photoscope.network.concepts import load_concepts

    return Namer(load_concepts(), decoder_words(model_dir or default_model_dir()))


def concepts_from_tags(
    tags: Sequence[tuple[str, float]], namer: Namer, threshold: float = 0.5
) -> list[tuple[str, float]]:
    """A photo's concepts in plain words from its stored "Looks like" tags (the head's top classes
    by their ImageNet names, with probabilities): what the app shows, without the network."""
    index = class_index()
    probs = np.zeros(len(index), dtype=np.float32)
    for label, p in tags:
        if label in index:
            probs[index[label]] = p
    if not probs.any():
        return []
    return [(n.word, round(n.p, 4)) for n in namer.words_shown(probs, threshold)]
