"""Build ``resources/concepts.json``: the English words that name each ImageNet class.

Development-time tool; the app only reads its output (``photoscope.network.concepts``).

Sources
    * ImageNet-1k's class order as WordNet ids: ``timm/data/_info/imagenet_synsets.txt`` from the
      ``timm`` wheel (``pip download timm --no-deps`` and point ``--timm`` at the wheel, its unpacked
      folder or the ``_info`` folder; an installed ``timm`` is found by itself). timm is NOT a
      dependency of the project.
    * WordNet 3.0 from Debian's ``wordnet-base`` (``apt-get install wordnet-base``), read directly
      from ``/usr/share/wordnet/{data.noun,noun.exc}``. ImageNet ids are WordNet 3.0 noun offsets
      (``n01440764`` is offset 01440764 of ``data.noun``).

The class order is checked against the repo's ``resources/imagenet-classes.txt`` (the names the app
shows): class ``i`` must be the same synset on both sides, i.e. the repo's name is one of the
synset's lemmas, but for the repo's two hand-disambiguated names (``crane bird``, ``maillot tank
suit``), which must at least start with a lemma.

What the resource holds (compact JSON)
    ``classes``: one entry per class, in class order: ``[wnid, name, lemmas, hypernyms]`` where
        ``name`` is the readable name (first lemma, underscores as spaces, a few overrides in
        ``NAME_OVERRIDES`` where the first lemma is ambiguous between two classes), ``lemmas`` the
        synset's lemmas (as spaces) but its scientific names ("Gorilla gorilla"), the everyday one
        first where WordNet's first is not (``EVERYDAY_NAMES``: "polar bear" before "ice bear"; it is
        then the name too), ``hypernyms`` indices into ``synsets``: every ancestor, breadth
        first (nearest first; WordNet has some multiple inheritance), including dropped ones.
    ``synsets``: the ancestor synsets: ``[wnid, lemmas, dropped]``.
    ``words``: ``{word: [class indices]}``: each lower-cased noun lemma of a class synset or of an
        ancestor synset, mapped to every class it covers. A class's own lemma covers that class; an
        ancestor's lemma covers every class below that ancestor. Plurals are added as words of
        their own: WordNet's irregular plurals (``noun.exc``: geese, mice, wolves, ...) and the
        regular -s/-es/-ies rules, for single words and for the last word of a multiword lemma
        ("hot dogs"). A word is the union over every synset it names (``crane`` covers the bird and
        the machine; ``cat`` covers "true cat" and "big cat"), but for the synsets a reader would
        not take it for (``MISLEADING_WORDS``: "kite" is the toy, not the hawk the class is).
    ``own``: the words (and their plurals) that are a lemma of some class synset itself, and cover
        it; every other word in ``words`` is only a hypernym's.
    ``related``: ``{word: [stand-in, [class indices]]}`` for the other WordNet nouns a person may type
        ("cathedral", "giraffe", "scissors"): no class is named by the word or below it, so it
        stands for the classes of its nearest ancestor that covers between 1 and ``MAX_RELATED``
        classes ("church" for a cathedral, "ruminant" for a giraffe), over every sense of the word
        whose ancestor qualifies (``alpaca``: the llama, and the fabric). The stand-in is that
        ancestor's first lemma (of the first sense), which the app names when it searches by it.
        Young animals, which WordNet files under "young mammal" rather than under their kind, come
        from ``YOUNG`` ("kitten" stands in for the domestic cats). A word of ``MISLEADING_WORDS``
        stands in for nothing.

Over-general words are dropped (no word of theirs enters ``words``):
    * any ancestor synset covering more than ``MAX_COVER`` (400) of the 1000 classes ("entity",
      "physical entity", "object", "whole", "artifact", "organism", ...), and
    * the synsets in ``STOP_SYNSETS``: abstract bookkeeping nodes a person never types for a photo,
      or whose lemmas are everyday words in another sense ("instrumentality", "abstraction",
      "matter", "substance", "solid", "commodity"/"good", "part", "causal agent", "plant organ", ...).
    "animal" (398 classes) stays: people do search for "animal".

Usage::

    python tools/build_concepts.py --timm timm-1.0.x-py3-none-any.whl          # writes the resource
    python tools/build_concepts.py --timm timm-1.0.x-py3-none-any.whl --check  # exit 1 if stale
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import zipfile
from collections import deque
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESOURCE = REPO / "resources" / "concepts.json"
RELATED = REPO / "resources" / "related-words.json"
CLASS_NAMES = REPO / "resources" / "imagenet-classes.txt"
WORDNET_DIR = Path("/usr/share/wordnet")
INFO = "timm/data/_info/"

MAX_COVER = 400
STOP_SYNSETS = {
    # the > MAX_COVER rule already drops entity, physical entity, object, whole, artifact, living
    # thing and organism; these are listed too so the rule's threshold can move without surprises
    "n00001740": "entity",
    "n00001930": "physical entity",
    "n00002684": "object, physical object",
    "n00003553": "whole, unit",
    "n00021939": "artifact, artefact",
    "n00004258": "living thing, animate thing",
    "n00004475": "organism, being",
    # abstract bookkeeping nodes (or lemmas that are everyday words in another sense: "good", "part")
    "n03575240": "instrumentality, instrumentation",
    "n00002137": "abstraction, abstract entity",
    "n00020827": "matter",
    "n00020090": "substance",
    "n00019613": "substance",
    "n15046900": "solid",
    "n00019128": "natural object",
    "n03076708": "commodity, trade good, good",
    "n03093574": "consumer goods",
    "n00007347": "causal agent, cause, causal agency",
    "n03892891": "part, portion",
    "n13809207": "part, portion, component part, component, constituent",
    "n00031921": "relation",
    "n00024264": "attribute",
    "n00033020": "communication",
    "n14580897": "material, stuff",
    "n00027167": "location",
    "n11675842": "reproductive structure",
    "n13087625": "plant organ",
    "n13086908": "plant part, plant structure",
}

# A related word stands for its nearest ancestor's classes only when they are this few: "ruminant"
# (9 classes) for a giraffe is a useful guess, "structure" (58) for an amphitheater is not.
MAX_RELATED = 20
# ... and only when it is a kind of those classes, not a broad node that happens to cover one
# ("creation" covers just the crossword puzzle, yet 657 synsets lie below it, "photograph" among
# them): at most this many WordNet synsets below it per class it covers ("church": 13).
MAX_SPREAD = 100
PERSON = "n00007846"  # the head has no class for a person: words for people never stand in
# Ancestors that never stand in: abstract senses ("pyramid" the polyhedron, "orchestra" the seats).
NOT_STAND_INS = {
    "n00027807": "shape, form",
    "n13860793": "shape, form",
    "n00031921": "relation",
    "n14580897": "material, stuff",
    "n00019613": "substance",
    "n00020090": "substance",
    "n00002137": "abstraction",
    "n00001930": "physical entity",
}
# What a stand-in is called where the app says it searched by one: WordNet names many of them in a
# zoologist's or a cataloguer's words, which the user who typed "sparrow" or "moth" cannot read back
# ("searched by the nearest concept it knows, 'lepidopterous insect'": the honest-results walk of
# stop 48). Each everyday name covers what the stand-in's classes are, not a wider kind.
PLAIN_STAND_IN_NAMES = {
    "nutriment": "food",
    "foodstuff": "food",
    "fare": "food",
    "flavorer": "seasoning",
    "oscine": "songbird",
    "passerine": "songbird",
    "corvine bird": "crow",
    "gallinaceous bird": "game bird",
    "piciform bird": "woodpecker or toucan",
    "pelecaniform seabird": "seabird",
    "pelagic bird": "seabird",
    "apodiform bird": "hummingbird",
    "cuculiform bird": "cuckoo",
    "lepidopterous insect": "moth or butterfly",
    "nymphalid": "butterfly",
    "lycaenid": "butterfly",
    "homopterous insect": "insect",
    "hymenopterous insect": "bee or wasp",
    "dipterous insect": "fly",
    "phasmid": "stick insect",
    "lamellicorn beetle": "beetle",
    "scarabaeid beetle": "beetle",
    "acarine": "mite or tick",
    "soft-finned fish": "fish",
    "spiny-finned fish": "fish",
    "cypriniform fish": "fish",
    "cyprinid": "fish",
    "scorpaenoid": "fish",
    "scorpaenid": "fish",
    "plectognath": "fish",
    "teleost fish": "fish",
    "food fish": "fish",
    "bony fish": "fish",
    "ganoid": "fish",
    "salmonid": "fish",
    "aquatic vertebrate": "fish",
    "cartilaginous fish": "shark or ray",
    "requiem shark": "shark",
    "mackerel shark": "shark",
    "coelenterate": "jellyfish or coral",
    "anthozoan": "coral or sea anemone",
    "gastropod": "snail or slug",
    "malacostracan crustacean": "crustacean",
    "decapod crustacean": "crab or lobster",
    "colubrid snake": "snake",
    "elapid": "snake",
    "iguanid": "lizard",
    "agamid": "lizard",
    "anguid lizard": "lizard",
    "teiid lizard": "lizard",
    "lacertid lizard": "lizard",
    "crocodilian reptile": "crocodile",
    "ambystomid": "salamander",
    "ornithischian": "dinosaur",
    "ceratopsian": "dinosaur",
    "ruminant": "hoofed animal",
    "ungulate": "hoofed animal",
    "odd-toed ungulate": "hoofed animal",
    "even-toed ungulate": "hoofed animal",
    "bovid": "hoofed animal",
    "bovine": "cattle",
    "equine": "horse",
    "swine": "pig",
    "proboscidean": "elephant",
    "pinniped mammal": "seal",
    "procyonid": "raccoon",
    "edentate": "armadillo or sloth",
    "musteline mammal": "weasel or otter",
    "viverrine": "mongoose or meerkat",
    "wood rabbit": "rabbit",
    "old world buffalo": "buffalo",
    "baleen whale": "whale",
    "toothed whale": "whale or dolphin",
    "agaric": "mushroom",
    "solanaceous vegetable": "vegetable",
    "cruciferous vegetable": "vegetable",
    "natural depression": "valley",
    "natural elevation": "hill",
    "geological formation": "landform",
    "heavier-than-air craft": "aircraft",
    "source of illumination": "light",
    "electro-acoustic transducer": "speaker or microphone",
    "white goods": "home appliance",
    "correctional institution": "prison",
    "penal institution": "prison",
    "mercantile establishment": "shop",
}
# Young animals: WordNet files them under "young mammal"/"young bird", not under their kind.
YOUNG = {
    "kitten": "n02121808",  # domestic cat
    "kittens": "n02121808",
    "puppy": "n02084071",  # dog
    "puppies": "n02084071",
    "calf": "n02402425",  # cattle
    "calves": "n02402425",
    "foal": "n02374451",  # horse
    "foals": "n02374451",
    "colt": "n02374451",
    "filly": "n02374451",
    "lamb": "n02411705",  # sheep
    "lambs": "n02411705",
    "piglet": "n02395406",  # hog
    "piglets": "n02395406",
    "cub": "n02131653",  # bear
    "cubs": "n02131653",
    "chick": "n01514859",  # hen (ImageNet's chickens are "hen" and "cock", under no "chicken")
    "chicks": "n01514859",
    "duckling": "n01846331",  # duck
    "ducklings": "n01846331",
}

# Words WordNet files under no class that a person uses for some ("chickens" for ImageNet's hen
# and cock, which WordNet calls adult female and male birds of any kind; "cow" for its ox, a
# sibling under "cattle"; "tv", whose first sense is the medium): word -> wnids of classes or of
# synsets above classes. They become concept words (with their plurals), never names.
EXTRA_COVERS = {
    "chicken": ("n01514859", "n01514668"),  # hen, cock
    "cow": ("n02403003",),  # ox, ImageNet's only cattle
    "bull": ("n02403003",),
    "bunny": ("n02324045",),  # rabbit
    "kitty": ("n02121808",),  # domestic cat
    "tv": ("n04404412",),  # television
    "smartphone": ("n02992529",),  # cellular telephone
}

# Words WordNet gives a class, or a synset above classes, that a reader takes for something else
# the photo is not: "a kite" is the toy, not the hawk the head calls a kite (audit 78 of stop 62).
# Word -> the class or ancestor synsets whose classes it does not cover (nor its plurals); the
# class keeps its everyday name and its other words ("computer mouse", "hawk"). A word left with
# no class is the decoder's, if it knows it (Flickr8k's "kite" is the toy), else unknown: none of
# its other senses stands in (``related_words``). Chosen by hand from the lemmas whose first
# WordNet sense (proper names aside) is neither the class nor above it, 669 words: a rule alone
# would also drop "leopard" (whose first sense is the pelt), "banana" (the plant) and "cup" (the
# container, while the class is the drink), where WordNet's order or its taste for pelts, plants
# and food is not a reader's. Kept: words whose other reading is as common as the class's
# ("crane", "boxer", "bow", "pitcher", "coach"), and the class's kind in another's words ("a lion
# is a cat", "bar" for a sandbar).
MISLEADING_WORDS: dict[str, tuple[str, ...]] = {
    # the word's own class, shown by its everyday name
    "kite": ("n01608432",),  # the toy; shown "kite bird"
    "cricket": ("n02229544",),  # the game; shown "cricket insect"
    "admiral": ("n02276258",),  # the naval officer; shown "admiral butterfly"
    "monarch": ("n02279972",),  # a king or queen; shown "monarch butterfly"
    "ringlet": ("n02277742",),  # a curl of hair; shown "ringlet butterfly"
    "mouse": ("n03793489",),  # the animal; shown "computer mouse"
    "notebook": ("n03832673",),  # paper; shown "notebook computer"
    "nipple": ("n03825788",),  # a body part; shown "baby bottle" (WordNet: its teat)
    "ear": ("n13133613",),  # a body part; shown "ear of corn"
    "spike": ("n13133613",),  # a nail or a peak
    "wing": ("n04592741",),  # a bird's; shown "airplane wing"
    "plane": ("n03954731",),  # an aircraft; shown "carpenter's plane"
    "pirate": ("n03947888",),  # a person; shown "pirate ship"
    "passenger car": ("n03895866",),  # an automobile; shown "railway carriage"
    "amphibian": ("n02704792",),  # the animal; shown "amphibious vehicle"
    "convertible": ("n03100346",),  # the car (a class too); shown "sofa bed"
    "file": ("n03337140",),  # a document or a nail file; shown "filing cabinet"
    "slot": ("n04243546",),  # an opening; shown "slot machine"
    "rule": ("n04118776",),  # a regulation; shown "ruler"
    "brass": ("n02892201",),  # the metal or the instruments; shown "plaque"
    "site": ("n06359193",),  # a place; shown "website"
    "bank": ("n04139859",),  # the building or a river's; shown "piggy bank"
    "bullet": ("n02917067",),  # ammunition; shown "bullet train"
    "cardigan": ("n02113186",),  # the sweater (a class too); shown "Cardigan Welsh corgi"
    "lhasa": ("n02098413",),  # the city; shown "Lhasa apso"
    "chopper": ("n03041632",),  # a helicopter; shown "meat cleaver"
    "claw": ("n03532672",),  # an animal's; shown "hook"
    "harp": ("n03494278",),  # the harp (a class too); shown "harmonica"
    "hip": ("n12620546",),  # a body part; shown "rose hip"
    "head": ("n09399592",),  # a body part; shown "promontory"
    "jack": ("n07754684",),  # a car jack or a card; shown "jackfruit"
    "killer": ("n02071294",),  # a murderer; shown "killer whale"
    "painter": ("n02125311",),  # a person; shown "cougar"
    "ounce": ("n02128757",),  # the weight; shown "snow leopard"
    "torpedo": ("n01496331",),  # the weapon; shown "electric ray"
    "monitor": ("n01694709",),  # a screen (a class too); WordNet's monitor lizard, the Komodo dragon
    "rail": ("n02014941",),  # a railing or a track; WordNet's family of the American coot
    "trump": ("n03110669",),  # a card or a person; shown "trumpet"
    "sweet potato": ("n03840681",),  # the vegetable; shown "ocarina"
    "walking stick": ("n02231487",),  # a cane; shown "stick insect"
    "walkingstick": ("n02231487",),
    "sewing needle": ("n02268443",),  # a needle; shown "dragonfly"
    "darning needle": ("n02268443",),
    "devil's darning needle": ("n02268443",),
    "mole": ("n02894605",),  # the animal or a skin mark; shown "breakwater"
    "groin": ("n02894605",),  # a body part
    "napkin": ("n03188531",),  # a table napkin; shown "diaper"
    "litter": ("n03678362",),  # rubbish, or a cat's; shown "stretcher"
    "mail": ("n03000247",),  # letters; shown "chain mail"
    "light": ("n03666591",),  # a lamp; shown "lighter"
    "jacket": ("n03590306",),  # the garment; shown "book jacket"
    "runner": ("n04120093",),  # a person running; shown "ski"
    "board": ("n03201208",),  # a plank or a surfboard; shown "dining table"
    "match": ("n09626238",),  # a game or a matchstick; WordNet's peer, above the groom
    # the word of a synset above classes
    "cap": ("n03825788",),  # the teat's words; the photos show a bottle
    "top": ("n03825788",),
    "cover": ("n03825788",),
    "arm": ("n04565375",),  # a body part; WordNet's weapon ("arms")
    "piece": ("n03343853",),  # a part of something; WordNet's firearm
    "car": ("n02959942",),  # an automobile; WordNet's railcar (freight car, railway carriage)
    "toy": ("n02085374",),  # a plaything; WordNet's toy dog (Chihuahua, papillon, ...)
    "game": ("n02152991",),  # a game played; WordNet's game birds (grouse, quail, peacock)
    "dress": ("n02756098", "n02728440"),  # the garment; WordNet's clothing (jeans, a wig, a mask)
    "course": ("n07556970",),  # a golf or a race course; WordNet's course of a meal
    "house": ("n04417809",),  # a dwelling; WordNet's theater (cinema, home theater)
    "lid": ("n03497657",),  # a pot's; WordNet's hat (sombrero, cowboy hat)
    "plate": ("n03959701", "n03959936"),  # a dinner plate; WordNet's armour plate, metal sheet
    "scale": ("n03959701",),  # a fish's or a weighing scale (a class, kept); WordNet's armour
    "shell": ("n03959701",),  # a seashell; WordNet's armour plate
    "press": ("n06263369", "n04550184"),  # a printing press; WordNet's the press, a wardrobe
    "wind": ("n04586932",),  # the weather; WordNet's wind instruments
    "wood": ("n04598582",),  # the material, "woods" a forest; WordNet's woodwinds
}
# Readable names where the first lemma would be ambiguous or odd (class wnid -> name).
NAME_OVERRIDES = {
    "n02012849": "crane bird",  # "crane" is also class 517, the machine
    "n03710721": "tank suit",  # "maillot" is also class 638
    # The names a reader would not take for what they are, or would take for something else (the
    # fresh-seat audit 75 of stop 61: a harrier "looks like kite (68 %)", 9 buildings "bell cote").
    # Shown only: no lemma is added (the caption names these by the words above them, "a bird").
    "n01608432": "kite bird",  # WordNet: "kite", the toy to a reader
    "n02229544": "cricket insect",  # WordNet: "cricket", the game to a reader
    "n02276258": "admiral butterfly",  # WordNet: "admiral"
    "n03680355": "loafer",  # WordNet: "Loafer"
}
# Where WordNet's first lemma is not the name people use, the one they do (it becomes the class's
# name and its first lemma, which the app's naming takes first): "an ice bear" was a polar bear.
EVERYDAY_NAMES = {
    "n02134084": "polar bear",  # WordNet: "ice bear"
    "n02509815": "red panda",  # WordNet: "lesser panda"
    "n01601694": "dipper",  # WordNet: "water ouzel"
    "n02277742": "ringlet butterfly",  # WordNet: "ringlet"
    "n02279972": "monarch butterfly",  # WordNet: "monarch"
    "n02325366": "cottontail rabbit",  # WordNet: "wood rabbit"
    "n02395406": "pig",  # WordNet: "hog"
    "n02497673": "ring-tailed lemur",  # WordNet: "Madagascar cat"
    "n02655020": "pufferfish",  # WordNet: "puffer"
    "n02704792": "amphibious vehicle",  # WordNet: "amphibian", the animal to a reader
    "n02747177": "trash bin",  # WordNet: "ashcan"; "trash can" would be read as a tin can
    "n02783161": "ballpoint pen",  # WordNet: "ballpoint"
    "n02788148": "banister",  # WordNet: "bannister"
    "n02797295": "wheelbarrow",  # WordNet: "barrow"
    "n02814533": "station wagon",  # WordNet: "beach wagon"
    "n02814860": "lighthouse",  # WordNet: "beacon"
    "n02892201": "plaque",  # WordNet: "brass"
    "n02892767": "bra",  # WordNet: "brassiere"
    "n02930766": "taxi",  # WordNet: "cab"
    "n02939185": "cauldron",  # WordNet: "caldron"
    "n03110669": "trumpet",  # WordNet: "cornet"
    "n03337140": "filing cabinet",  # WordNet: "file"
    "n03445924": "golf cart",  # WordNet: "golfcart"
    "n03483316": "hair dryer",  # WordNet: "hand blower"
    "n03492542": "hard disk",  # WordNet: "hard disc"
    "n03595614": "T-shirt",  # WordNet: "jersey"
    "n03599486": "rickshaw",  # WordNet: "jinrikisha"
    "n03673027": "ocean liner",  # WordNet: "liner"
    "n03697007": "sawmill",  # WordNet: "lumbermill"
    "n03793489": "computer mouse",  # WordNet: "mouse", the animal to a reader
    "n03832673": "notebook computer",  # WordNet: "notebook", paper to a reader
    "n03947888": "pirate ship",  # WordNet: "pirate"
    "n03954731": "carpenter's plane",  # WordNet: "plane", an aircraft to a reader
    "n03991062": "flowerpot",  # WordNet: "pot"
    "n04033901": "quill pen",  # WordNet: "quill"
    "n04037443": "race car",  # WordNet: "racer"
    "n04118776": "ruler",  # WordNet: "rule" (audit 75: a measuring tape "looks like rule")
    "n04141076": "saxophone",  # WordNet: "sax"
    "n04367480": "mop",  # WordNet: "swab"
    "n04399382": "teddy bear",  # WordNet: "teddy"
    "n04417672": "thatched roof",  # WordNet: "thatch"
    "n04428191": "threshing machine",  # WordNet: "thresher"
    "n04515003": "upright piano",  # WordNet: "upright"
    "n04517823": "vacuum cleaner",  # WordNet: "vacuum"
    "n04554684": "washing machine",  # WordNet: "washer"
    "n06359193": "website",  # WordNet: "web site"
    "n07697537": "hot dog",  # WordNet: "hotdog"
    "n09835506": "baseball player",  # WordNet: "ballplayer"
    "n12768682": "horse chestnut",  # WordNet: "buckeye"
    "n15075141": "toilet paper",  # WordNet: "toilet tissue"
    # WordNet's first, kept: the lemma that names the kind ("paper knife", "punching ball") is the
    # rarer word (audit 78 of stop 62).
    "n01798484": "prairie chicken",
    "n01873310": "platypus",
    "n02749479": "assault rifle",
    "n03461385": "grocery store",
    "n03658185": "letter opener",
    "n03743016": "megalith",
    "n03857828": "oscilloscope",
    "n04023962": "punching bag",
    "n12620546": "rose hip",  # WordNet: "hip", a body part to a reader (and no search word)
    # The same for the kind's lemma that is the name in a rarer or a specialist's word (the audit's
    # "transverse flute"), or for WordNet's name a reader does not use (a review of all 1000).
    "n02098413": "Lhasa apso",  # WordNet: "Lhasa", the city to a reader
    "n02102040": "English springer spaniel",  # WordNet: "English springer"
    "n02672831": "accordion",  # kind rule: "piano accordion"
    "n02835271": "tandem bicycle",  # WordNet: "bicycle-built-for-two", a song's words
    "n02869837": "bonnet",  # kind rule: "poke bonnet", one old style of it
    "n02966687": "tool kit",  # WordNet: "carpenter's kit"
    "n02992529": "mobile phone",  # WordNet: "cellular telephone"
    "n03089624": "candy store",  # WordNet: "confectionery", the sweets to a reader
    "n03372029": "flute",  # kind rule: "transverse flute"
    # Not WordNet's lemmas: each becomes one, so that the word searches for the class too.
    "n01514668": "rooster",  # WordNet: "cock" (any adult male bird; ImageNet's photos: roosters)
    "n01817953": "African grey parrot",  # WordNet: "African grey"
    "n02111129": "Leonberger",  # WordNet: "Leonberg", the town the breed is named after
    "n02486261": "patas monkey",  # WordNet: "patas"
    "n03584829": "clothes iron",  # kind rule: "smoothing iron"; "iron" alone is the metal
    "n03594734": "jeans",  # kind rule: "blue jean"; WordNet's "jean" is "usually plural"
    "n03786901": "mortar and pestle",  # WordNet: "mortar", the building paste or the gun
    "n03929660": "guitar pick",  # WordNet: "pick", the pickaxe to a reader
    "n04152593": "display screen",  # kind rule: "CRT screen"; "screen" alone: a fire or window screen
    "n07714571": "cabbage",  # WordNet: "head cabbage"
    "n01871265": "elephant",  # WordNet: "tusker"
    "n02389026": "horse",  # WordNet: "sorrel", ImageNet's one horse
    "n02825657": "bell tower",  # WordNet: "bell cote"
    "n02879718": "archery bow",  # WordNet: "bow"
    "n03016953": "chest of drawers",  # WordNet: "chiffonier"
    "n03424325": "gas mask",  # WordNet: "gasmask"
    "n03710637": "swimsuit",  # WordNet: "maillot"
    "n03825788": "baby bottle",  # WordNet: "nipple", the bottle's teat
    "n03895866": "railway carriage",  # WordNet: "passenger car", a car to a reader
    "n04141975": "weighing scale",  # WordNet: "scale"
    "n04243546": "slot machine",  # WordNet: "slot"
    "n04344873": "sofa bed",  # WordNet: "studio couch"
    "n04523525": "vaulted ceiling",  # WordNet: "vault"
    "n04592741": "airplane wing",  # WordNet: "wing"
    "n04606251": "shipwreck",  # WordNet: "wreck"
    "n04612504": "sailboat",  # WordNet: "yawl"
    "n09193705": "mountain",  # WordNet: "alp"
    "n13133613": "ear of corn",  # WordNet: "ear"
}
# Scientific names WordNet gives as lemmas whose genus it does not list as "genus X" (those it
# does are found by ``scientific``).
SCIENTIFIC = frozenset(["Constrictor constrictor", "Lycaon pictus", "Grifola frondosa"])

_IRREGULAR_OK = re.compile(r"^[a-z][a-z'-]*$")


# ---------------------------------------------------------------- sources


def read_timm_info(timm: str | None) -> dict[str, str]:
    """The text files of ``timm/data/_info`` this tool needs, from a wheel, a folder or an install."""
    wanted = ("imagenet_synsets.txt", "imagenet_synset_to_lemma.txt")
    if timm is None:
        spec = importlib.util.find_spec("timm")
        if spec is None or spec.origin is None:
            sys.exit("timm is not installed here: pass --timm PATH (`pip download timm --no-deps`)")
        timm = str(Path(spec.origin).parent / "data" / "_info")
    path = Path(timm)
    if path.is_file():
        with zipfile.ZipFile(path) as wheel:
            return {name: wheel.read(INFO + name).decode("utf-8") for name in wanted}
    for folder in (path, path / "data" / "_info", path / INFO):
        if (folder / wanted[0]).is_file():
            return {name: (folder / name).read_text(encoding="utf-8") for name in wanted}
    sys.exit(f"no {INFO}{wanted[0]} under {path}")


class WordNet:
    """The noun part of WordNet 3.0, read from Debian's ``wordnet-base`` files."""

    def __init__(self, folder: Path) -> None:
        data = folder / "data.noun"
        if not data.is_file():
            sys.exit(f"{data} is missing: apt-get install wordnet-base")
        self.lemmas: dict[str, list[str]] = {}
        self.hypernyms: dict[str, list[str]] = {}
        self.gloss: dict[str, str] = {}
        self.instances: set[str] = set()  # synsets that are named instances ("Eiffel Tower")
        self.cased: dict[str, str] = {}  # lower-case lemma -> as WordNet writes it
        with open(data, encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("  "):  # licence header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                wnid = "n" + fields[0]
                count = int(fields[3], 16)
                self.lemmas[wnid] = [fields[4 + 2 * k] for k in range(count)]
                for lemma in self.lemmas[wnid]:
                    self.cased.setdefault(
                        re.sub(r"\(.*\)$", "", lemma).lower(), re.sub(r"\(.*\)$", "", lemma)
                    )
                at = 4 + 2 * count
                pointers = int(fields[at])
                ups = []
                for k in range(pointers):
                    symbol, offset, pos = fields[at + 1 + 4 * k : at + 4 + 4 * k]
                    if symbol in ("@", "@i") and pos == "n":
                        ups.append("n" + offset)
                    if symbol == "@i":
                        self.instances.add(wnid)
                self.hypernyms[wnid] = ups
                self.gloss[wnid] = gloss.strip()
        # every noun lemma's senses, most frequent first (index.noun)
        self.senses: dict[str, list[str]] = {}
        with open(folder / "index.noun", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith(" "):
                    continue
                fields = line.split()
                pointer_kinds = int(fields[3])
                self.senses[fields[0]] = ["n" + offset for offset in fields[6 + pointer_kinds :]]
        # irregular plurals: plural -> singulars
        self.plurals: dict[str, list[str]] = {}
        with open(folder / "noun.exc", encoding="utf-8") as lines:
            for line in lines:
                plural, *singulars = line.split()
                for singular in singulars:
                    self.plurals.setdefault(singular, []).append(plural)

    def descendants(self, wnid: str) -> int:
        """How many synsets lie below ``wnid`` (hyponyms and instances, all levels)."""
        if not hasattr(self, "_below"):
            self._below: dict[str, list[str]] = {}
            for synset, ups in self.hypernyms.items():
                for up in ups:
                    self._below.setdefault(up, []).append(synset)
            self._counts: dict[str, int] = {}
        if wnid not in self._counts:
            seen: set[str] = set()
            stack = [wnid]
            while stack:
                for child in self._below.get(stack.pop(), []):
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
            self._counts[wnid] = len(seen)
        return self._counts[wnid]

    def ancestors(self, wnid: str) -> list[str]:
        """Every ancestor, breadth first (nearest first), each once."""
        seen: set[str] = set()
        order: list[str] = []
        queue = deque(self.hypernyms[wnid])
        while queue:
            up = queue.popleft()
            if up in seen:
                continue
            seen.add(up)
            order.append(up)
            queue.extend(self.hypernyms[up])
        return order


# ---------------------------------------------------------------- building


def readable(lemma: str) -> str:
    return lemma.replace("_", " ")


def scientific(lemma: str, wordnet: WordNet) -> bool:
    """Whether a lemma is a Latin binomial ("Gorilla gorilla", "Capra ibex"): its first word is a
    genus WordNet lists ("genus Gorilla"). Search reads these; the app never names a photo by one."""
    name = readable(lemma)
    first, _, rest = name.partition(" ")
    return bool(rest) and (
        name in SCIENTIFIC or (first[:1].isupper() and f"genus_{first.lower()}" in wordnet.senses)
    )


def class_lemmas(wnid: str, wordnet: WordNet) -> list[str]:
    """A class's lemmas as the app names it by: in English (no scientific names), the everyday
    name first (``EVERYDAY_NAMES``)."""
    lemmas = [readable(lemma) for lemma in wordnet.lemmas[wnid] if not scientific(lemma, wordnet)]
    everyday = EVERYDAY_NAMES.get(wnid)
    return lemmas if everyday is None else [everyday, *(lemma for lemma in lemmas if lemma != everyday)]


def plural_forms(word: str, wordnet: WordNet) -> list[str]:
    """Plurals of a lower-case lemma; for a multiword lemma, of its last word."""
    head, _, last = word.rpartition(" ")
    prefix = head + " " if head else ""
    forms = [p for p in wordnet.plurals.get(last, []) if _IRREGULAR_OK.match(p)]
    if not forms and last.isalpha():
        if re.search(r"(s|x|z|ch|sh)$", last):
            forms = [last + "es"]
        elif re.search(r"[^aeiou]y$", last):
            forms = [last[:-1] + "ies"]
        else:
            forms = [last + "s"]
    return [prefix + form for form in forms if form != last]


def check_class_order(synsets: list[str], wordnet: WordNet) -> list[str]:
    """Problems between timm's synset order and the repo's class names (empty: in step)."""
    names = CLASS_NAMES.read_text(encoding="utf-8").splitlines()
    problems = []
    if len(names) != len(synsets):
        problems.append(f"{len(names)} names in {CLASS_NAMES.name} but {len(synsets)} synsets")
    for i, (name, wnid) in enumerate(zip(names, synsets, strict=False)):
        lemmas = [readable(lemma).lower() for lemma in wordnet.lemmas[wnid]]
        if name.lower() in lemmas:
            continue
        if any(name.lower().startswith(lemma + " ") for lemma in lemmas):
            continue  # the repo's disambiguated names: "crane bird", "maillot tank suit"
        problems.append(f"class {i}: {name!r} is not a lemma of {wnid} {lemmas}")
    return problems


def build(timm: str | None, wordnet_dir: Path) -> tuple[dict[str, object], dict[str, object], list[str]]:
    info = read_timm_info(timm)
    class_ids = info["imagenet_synsets.txt"].split()
    if len(class_ids) != 1000:
        sys.exit(f"expected 1000 ImageNet synsets, got {len(class_ids)}")
    wordnet = WordNet(wordnet_dir)

    # timm's lemma file must agree with WordNet 3.0 for the classes (same offsets, same lemmas)
    timm_lemmas = dict(line.split("\t", 1) for line in info["imagenet_synset_to_lemma.txt"].splitlines())
    for wnid in class_ids:
        ours = ", ".join(readable(lemma) for lemma in wordnet.lemmas[wnid])
        if ours.lower() != timm_lemmas[wnid].strip().lower():
            sys.exit(f"{wnid}: WordNet says {ours!r}, timm says {timm_lemmas[wnid]!r}")
    notes = check_class_order(class_ids, wordnet)

    class_set = set(class_ids)
    ancestors = {wnid: wordnet.ancestors(wnid) for wnid in class_ids}
    below: dict[str, set[int]] = {}
    for index, wnid in enumerate(class_ids):
        for up in ancestors[wnid]:
            below.setdefault(up, set()).add(index)

    def dropped(wnid: str) -> bool:
        return wnid in STOP_SYNSETS or len(below.get(wnid, ())) > MAX_COVER

    # the ancestor table, in order of first appearance (classes that are ancestors of other
    # classes, e.g. none in ImageNet-1k, would still appear here as ancestors)
    table: list[str] = []
    position: dict[str, int] = {}
    for wnid in class_ids:
        for up in ancestors[wnid]:
            if up not in position:
                position[up] = len(table)
                table.append(up)

    covers: dict[str, set[int]] = {}
    own_for: dict[str, set[int]] = {}  # a class's lemma -> the classes it is a lemma of

    def add(lemma: str, classes: set[int], is_own: bool) -> None:
        word = readable(lemma).lower()
        for form in [word, *plural_forms(word, wordnet)]:
            covers.setdefault(form, set()).update(classes)
            if is_own:
                own_for.setdefault(form, set()).update(classes)

    def covered(wnid: str) -> set[int]:
        return {class_ids.index(wnid)} if wnid in class_set else set(below[wnid])

    for index, wnid in enumerate(class_ids):
        for lemma in wordnet.lemmas[wnid]:
            add(lemma, {index}, True)
        if wnid in EVERYDAY_NAMES:  # "bell tower" finds the bell cotes it names
            add(EVERYDAY_NAMES[wnid], {index}, True)
    for up in table:
        if dropped(up):
            continue
        classes = set(below[up])
        if up in class_set:
            classes.add(class_ids.index(up))
        for lemma in wordnet.lemmas[up]:
            add(lemma, classes, False)

    for word, wnids in EXTRA_COVERS.items():
        add(word, set().union(*(covered(w) for w in wnids)), False)
    misread = {word: set().union(*(covered(w) for w in wnids)) for word, wnids in MISLEADING_WORDS.items()}
    drop_misread(covers, misread, wordnet)
    # a lemma of a class it no longer covers ("kite") is no class's own word
    own = {word for word, classes in own_for.items() if classes & covers.get(word, set())}

    stand_ins, related = related_words(wordnet, class_ids, below, covers)

    classes_out = []
    for wnid in class_ids:
        lemmas = class_lemmas(wnid, wordnet)
        name = NAME_OVERRIDES.get(wnid, lemmas[0])
        classes_out.append([wnid, name, lemmas, [position[up] for up in ancestors[wnid]]])
    resource: dict[str, object] = {
        "format": 1,
        "about": (
            "ImageNet-1k classes (timm's imagenet_synsets.txt order) named from WordNet 3.0; "
            "built by tools/build_concepts.py; classes: [wnid, name, lemmas, ancestor indices into "
            "synsets, nearest first]; synsets: [wnid, lemmas, dropped as over-general]; "
            "words: word -> covered class indices (but where a reader takes the word for something "
            "else); own: words that are a class's own lemma; "
            "chosen: the classes whose name was chosen by hand (the app shows it as it is)"
        ),
        "max_cover": MAX_COVER,
        "classes": classes_out,
        "synsets": [
            [up, [readable(lemma) for lemma in wordnet.lemmas[up]], int(dropped(up))] for up in table
        ],
        "words": {word: sorted(covers[word]) for word in sorted(covers)},
        "own": sorted(own),
        "chosen": [i for i, wnid in enumerate(class_ids) if wnid in NAME_OVERRIDES or wnid in EVERYDAY_NAMES],
    }
    related_resource: dict[str, object] = {
        "format": 1,
        "about": "WordNet nouns that name no ImageNet class nor one above; built by tools/build_concepts.py",
        "stand_ins": stand_ins,
        "words": {word: related[word] for word in sorted(related)},
    }
    return resource, related_resource, notes


def drop_misread(covers: dict[str, set[int]], misread: dict[str, set[int]], wordnet: WordNet) -> None:
    """Take from each word of ``MISLEADING_WORDS`` (and its plurals) the classes a reader would not
    take it for; a word left with none is no concept word. Exits where the table names a class the
    word does not cover: WordNet or the table changed, and the table would hide nothing."""
    for word, classes in misread.items():
        if not classes or not classes <= covers.get(word, set()):
            sys.exit(f"MISLEADING_WORDS[{word!r}]: the word does not cover those classes")
        for form in [word, *plural_forms(word, wordnet)]:
            left = covers.pop(form, set()) - classes
            if left:
                covers[form] = left


def related_words(
    wordnet: WordNet, class_ids: list[str], below: dict[str, set[int]], covers: dict[str, set[int]]
) -> tuple[list[list[object]], dict[str, int]]:
    """The stand-ins (``[name, classes]``) and ``{word: stand-in index}`` for WordNet nouns that
    are not concept words (see the module docstring).

    A sense's stand-in is its nearest ancestor (or the synset itself) that covers classes, when it
    covers at most ``MAX_RELATED``. Senses are read most frequent first: abstract ones (a shape, a
    material) are passed over, but a word whose first concrete sense is too broad ("caterpillar":
    an animal) or a person ("boy") gets no stand-in: its rarer senses (a tracked vehicle) would
    mislead. Capitalised lemmas count only as named instances ("Eiffel Tower", not "Giraffa")."""
    position = {wnid: i for i, wnid in enumerate(class_ids)}

    def covered(wnid: str) -> set[int]:
        out = set(below.get(wnid, ()))
        if wnid in position:
            out.add(position[wnid])
        return out

    def nearest(sense: str) -> str | None:
        """The sense's stand-in; ``""`` when the sense is abstract; None when too broad."""
        chain = [sense, *wordnet.ancestors(sense)]
        if PERSON in chain:
            return None
        for up in chain:
            if up in NOT_STAND_INS or up in STOP_SYNSETS:
                return ""
            if covered(up):
                few = len(covered(up)) <= MAX_RELATED
                return up if few and wordnet.descendants(up) <= MAX_SPREAD * len(covered(up)) else None
        return ""

    def stand_ins(lemma: str, senses: list[str]) -> list[str]:
        found: list[str] = []
        for sense in senses:
            if lemma[0].isupper() and sense not in wordnet.instances:
                continue
            up = nearest(sense)
            if up is None and not found:
                return []  # its main concrete sense is too broad to guess from
            if up:
                found.append(up)
        return found

    names: list[list[object]] = []
    index: dict[tuple[str, ...], int] = {}
    words: dict[str, int] = {}

    def add(word: str, ups: list[str]) -> None:
        key = tuple(ups)
        if key not in index:
            classes = sorted(set().union(*(covered(up) for up in ups)))
            index[key] = len(names)
            name = readable(wordnet.lemmas[ups[0]][0]).lower()
            names.append([PLAIN_STAND_IN_NAMES.get(name, name), classes])
        words[word] = index[key]

    # A word a reader takes for something else stands in for nothing either: what it means to them
    # is not WordNet's other senses ("a wing" would be searched as a theatre's "stage").
    misread = {form for word in MISLEADING_WORDS for form in [word, *plural_forms(word, wordnet)]}
    plurals: dict[str, list[str]] = {}
    for lemma, senses in wordnet.senses.items():
        word = readable(lemma).lower()
        if word in covers or word in misread or not re.match(r"^[a-z][a-z' -]*$", word):
            continue
        ups = stand_ins(wordnet.cased.get(lemma, lemma), senses)
        if ups:
            add(word, ups)
            for form in plural_forms(word, wordnet):
                plurals.setdefault(form, ups)
    for form, ups in plurals.items():
        if form not in covers and form not in words and form not in misread:
            add(form, ups)
    for word, wnid in YOUNG.items():
        if not covered(wnid):
            sys.exit(f"YOUNG[{word!r}]: {wnid} covers no class")
        add(word, [wnid])
    return names, words


def dump(resource: dict[str, object]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timm", help="timm wheel, unpacked wheel or its data/_info folder")
    parser.add_argument("--wordnet", type=Path, default=WORDNET_DIR, help="WordNet 3.0 dict folder")
    parser.add_argument("--out", type=Path, default=RESOURCE)
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs from a rebuild")
    args = parser.parse_args(argv)

    resource, related, notes = build(args.timm, args.wordnet)
    for note in notes:
        print("class order:", note)
    print(
        "class order: timm's imagenet_synsets.txt "
        + ("MISMATCHES" if notes else "matches")
        + f" {CLASS_NAMES.name}"
    )
    outputs = {args.out: dump(resource), args.out.with_name(RELATED.name): dump(related)}
    stale = 0
    for path, text in outputs.items():
        words = json.loads(text)["words"]
        if args.check:
            current = path.read_text(encoding="utf-8") if path.is_file() else ""
            stale += current != text
            print(f"{path} is {'stale: rerun tools/build_concepts.py' if current != text else 'up to date'}")
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}: {len(text.encode()) / 1e6:.2f} MB, {len(words)} words")
    return 1 if notes or stale else 0


if __name__ == "__main__":
    sys.exit(main())
