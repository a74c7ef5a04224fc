"""Extract an open-world dev set of real, labelled photos from installed Debian packages.

Usage::

    python tools/open_world_photos.py OUT_DIR

Writes ``OUT_DIR/<name>.jpg`` (JPEG quality 92, long side at most 1024 px) and
``OUT_DIR/labels.json``: a list of ``{"file", "package", "source", "query", "words", "present"}``
where ``query`` is what a person would type for the photo, ``words`` the words a caption may rightly
use for it, and ``present`` says which of person/dog/ball/boy/girl/man/woman is really in the photo
(to count objects a caption invents).

Source: Debian's ``gcompris-qt-data`` (``apt-get install gcompris-qt-data``), whose activities bundle
photographs (animals, monuments, everyday objects, tools, instruments) inside Qt resource files
(``/usr/share/gcompris-qt/rcc/*.rcc``), read here by a small pure-Python ``.rcc`` reader. Each label
in ``PHOTOS`` was written after looking at the photo (the cartoon drawings and paintings the package
also ships are left out). Development-time only; needs Pillow with WebP support (the project's own).

Never use the sample photos of scikit-image, scikit-learn, matplotlib, OpenCV's documentation or
darknet here: a held-out test set is made of them.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import zlib
from pathlib import Path
from typing import NamedTuple

PRESENCE = ("person", "dog", "ball", "boy", "girl", "man", "woman")
FORBIDDEN = ("skimage", "scikit-image", "sklearn", "scikit-learn", "matplotlib", "opencv", "darknet")
MAX_SIDE = 1024
QUALITY = 92

GCOMPRIS = "gcompris-qt-data"
RCC_DIR = Path("/usr/share/gcompris-qt/rcc")


class Label(NamedTuple):
    query: str
    words: tuple[str, ...]
    present: tuple[str, ...] = ()


def L(query: str, words: str, present: str = "") -> Label:  # a table-building shorthand
    """``words`` and ``present`` are comma-separated."""
    return Label(query, tuple(w.strip() for w in words.split(",")), tuple(present.split()) if present else ())


# (package, .rcc file, path inside it after "resource/") -> label
_ACT = "gcompris/src/activities"
PHOTOS: dict[tuple[str, str, str], Label] = {
    # --- explore_farm_animals: farm animals, 1024 px
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/cat.webp"): L(
        "a cat", "cat, kitten, kitty, animal, yarn, ball", "ball"
    ),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/chicken.webp"): L(
        "chickens", "chicken, chickens, hen, hens, bird, birds, poultry, animal, animals, grass"
    ),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/cow.webp"): L(
        "a cow", "cow, cows, cattle, calf, animal, animals, field, grass"
    ),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/dog.webp"): L(
        "a dog", "dog, german shepherd, shepherd, animal, grass", "dog"
    ),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/duck.webp"): L("a duck", "duck, bird, animal, water"),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/horse.webp"): L(
        "horses", "horse, horses, foal, pony, animal, animals, field, grass"
    ),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/owl.webp"): L(
        "an owl", "owl, bird, animal, branch, tree"
    ),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/pig.webp"): L(
        "a pig", "pig, piglet, hog, boar, animal, grass, field"
    ),
    (GCOMPRIS, "explore_farm_animals.rcc", "animals/sheep.webp"): L(
        "a sheep", "sheep, lamb, animal, grass, field"
    ),
    # --- explore_world_animals: wild animals, 1024 px
    (GCOMPRIS, "explore_world_animals.rcc", "animals/bison.webp"): L(
        "a bison", "bison, buffalo, animal, animals, grass, field"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/crocodile.webp"): L(
        "a crocodile", "crocodile, alligator, reptile, animal"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/dragon.webp"): L(
        "a komodo dragon", "komodo dragon, dragon, lizard, reptile, animal, rock"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/giraffe.webp"): L(
        "giraffes", "giraffe, giraffes, animal, animals, tree, trees"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/hedgehog.webp"): L(
        "a hedgehog", "hedgehog, porcupine, animal, grass"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/jaguar.webp"): L(
        "a jaguar", "jaguar, jaguars, leopard, cat, cats, animal, animals, rock, rocks"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/kangaroo.webp"): L(
        "a kangaroo", "kangaroo, kangaroos, wallaby, animal"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/koala.webp"): L("a koala", "koala, bear, animal, tree"),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/lemur.webp"): L(
        "a lemur", "lemur, lemurs, monkey, monkeys, animal"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/moose.webp"): L("a moose", "moose, elk, deer, animal"),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/narwhal.webp"): L(
        "a narwhal", "narwhal, narwhals, whale, whales, animal, water, sea, ocean"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/panda.webp"): L(
        "a panda", "panda, giant panda, bear, animal"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/polar_bear.webp"): L(
        "a polar bear", "polar bear, bear, animal, snow"
    ),
    (GCOMPRIS, "explore_world_animals.rcc", "animals/scarlet_macaw.webp"): L(
        "a parrot", "parrot, macaw, bird, animal"
    ),
    # --- erase: wildlife photographs, 1920 px
    (GCOMPRIS, "erase.rcc", "alpaca.webp"): L("an alpaca", "alpaca, llama, animal"),
    (GCOMPRIS, "erase.rcc", "bee.webp"): L("a bee", "bee, insect, flower, flowers"),
    (GCOMPRIS, "erase.rcc", "butterfly.webp"): L("a butterfly", "butterfly, insect, flower"),
    (GCOMPRIS, "erase.rcc", "calf.webp"): L("a calf", "calf, cow, cattle, animal"),
    (GCOMPRIS, "erase.rcc", "camels.webp"): L("camels", "camel, camels, animal, animals, desert"),
    (GCOMPRIS, "erase.rcc", "caterpillar.webp"): L("a caterpillar", "caterpillar, insect, worm, leaf, plant"),
    (GCOMPRIS, "erase.rcc", "chamaeleon.webp"): L(
        "a chameleon", "chameleon, lizard, reptile, animal, branch"
    ),
    (GCOMPRIS, "erase.rcc", "cheetah.webp"): L("a cheetah", "cheetah, cat, leopard, animal, grass"),
    (GCOMPRIS, "erase.rcc", "crab.webp"): L("a crab", "crab, animal"),
    (GCOMPRIS, "erase.rcc", "dolphin.webp"): L("a dolphin", "dolphin, animal, water, ocean, sea"),
    (GCOMPRIS, "erase.rcc", "flying_fox.webp"): L("a bat", "bat, flying fox, animal, tree"),
    (GCOMPRIS, "erase.rcc", "gibbon.webp"): L("a monkey", "monkey, gibbon, ape, animal, tree, branch"),
    (GCOMPRIS, "erase.rcc", "goat.webp"): L("a goat", "goat, animal, mountain, mountains"),
    (GCOMPRIS, "erase.rcc", "gorilla.webp"): L("a gorilla", "gorilla, ape, monkey, animal"),
    (GCOMPRIS, "erase.rcc", "gosling.webp"): L(
        "a gosling", "gosling, goose, duckling, duck, chick, bird, animal, grass"
    ),
    (GCOMPRIS, "erase.rcc", "heron.webp"): L("a heron", "heron, bird, animal"),
    (GCOMPRIS, "erase.rcc", "kingfisher.webp"): L("a kingfisher", "kingfisher, bird, animal, branch"),
    (GCOMPRIS, "erase.rcc", "kitten.webp"): L("a kitten", "kitten, cat, kitty, animal"),
    (GCOMPRIS, "erase.rcc", "long_nosed_monkey.webp"): L(
        "a monkey", "monkey, monkeys, proboscis monkey, baby, animal"
    ),
    (GCOMPRIS, "erase.rcc", "macaque.webp"): L("a monkey", "monkey, macaque, animal"),
    (GCOMPRIS, "erase.rcc", "meerkats.webp"): L("meerkats", "meerkat, meerkats, mongoose, animal, animals"),
    (GCOMPRIS, "erase.rcc", "northern_harrier.webp"): L(
        "a hawk", "hawk, harrier, bird, bird of prey, animal"
    ),
    (GCOMPRIS, "erase.rcc", "nubian_ibex.webp"): L("an ibex", "ibex, goat, antelope, animal"),
    (GCOMPRIS, "erase.rcc", "penguin.webp"): L("a penguin", "penguin, bird, animal"),
    (GCOMPRIS, "erase.rcc", "pika.webp"): L("a pika", "pika, rodent, animal, rock"),
    (GCOMPRIS, "erase.rcc", "red_panda.webp"): L("a red panda", "red panda, panda, animal"),
    (GCOMPRIS, "erase.rcc", "rhinoceros.webp"): L("a rhinoceros", "rhinoceros, rhino, animal"),
    (GCOMPRIS, "erase.rcc", "spoonbills.webp"): L(
        "spoonbills", "spoonbill, spoonbills, bird, birds, animal, water"
    ),
    (GCOMPRIS, "erase.rcc", "squirrel.webp"): L("a squirrel", "squirrel, animal, tree"),
    (GCOMPRIS, "erase.rcc", "swans.webp"): L(
        "swans", "swan, swans, cygnet, cygnets, bird, birds, water, lake"
    ),
    (GCOMPRIS, "erase.rcc", "toucan.webp"): L("a toucan", "toucan, aracari, bird, animal, branch"),
    # --- explore_monuments: monuments, 1024 px
    (GCOMPRIS, "explore_monuments.rcc", "egypt/greatPyramidOfGiza.webp"): L(
        "a pyramid", "pyramid, pyramids, egypt, stone"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "egypt/redPyramid.webp"): L(
        "a pyramid", "pyramid, desert, sand, egypt"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/eiffelTower.webp"): L(
        "the eiffel tower", "eiffel tower, tower, paris"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/chateaudeChambord.webp"): L(
        "a castle", "castle, chateau, palace, building, grass"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/chateaudeChenonceau.webp"): L(
        "a castle", "castle, chateau, palace, bridge, river, water"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/citedeCarcassonne.webp"): L(
        "a castle", "castle, fortress, fort, wall, walls, tower, towers"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/montStMichel.webp"): L(
        "mont saint michel", "mont saint michel, abbey, church, castle, island"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/pontduGard.webp"): L(
        "an aqueduct", "aqueduct, bridge, viaduct, river, arches"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/reimsCathedral.webp"): L(
        "a cathedral", "cathedral, church, building"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "france/arlesAmphitheater.webp"): L(
        "an amphitheater", "amphitheater, amphitheatre, arena, colosseum, ruins"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "germany/berlinCathedral.webp"): L(
        "a cathedral", "cathedral, church, dome, building", "person"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "germany/brandenburgGate.webp"): L(
        "the brandenburg gate", "brandenburg gate, gate, monument, night", "person"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "germany/neuschwansteinCastle.webp"): L(
        "a castle", "castle, neuschwanstein, palace"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "germany/schwerinPalace.webp"): L(
        "a palace", "palace, castle, lake, water"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "india/qutubMinar.webp"): L("a tower", "tower, minaret, minar, arch"),
    (GCOMPRIS, "explore_monuments.rcc", "india/hawaMahal.webp"): L(
        "a palace", "palace, hawa mahal, building, facade"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "india/goldenTemple.webp"): L(
        "a temple", "temple, golden temple, water, lake"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "india/gatewayofIndia.webp"): L(
        "the gateway of india", "gateway of india, gateway, gate, arch, monument", "person"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "wonders/colosseum.webp"): L(
        "the colosseum", "colosseum, coliseum, amphitheater, arena, ruins, rome", "person"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "wonders/greatWallofChina.webp"): L(
        "the great wall of china", "great wall, wall, mountain, mountains, hills"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "wonders/tajMahal.webp"): L(
        "the taj mahal", "taj mahal, mausoleum, palace, mosque, temple"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "wonders/christTheRedeemer.webp"): L(
        "a statue", "statue, christ the redeemer, mountain, city"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "wonders/machuPicchu.webp"): L(
        "machu picchu", "machu picchu, ruins, mountain, mountains"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "wonders/petra.webp"): L("petra", "petra, temple, tomb, rock, cliff"),
    (GCOMPRIS, "explore_monuments.rcc", "wonders/chichenItza.webp"): L(
        "a pyramid", "pyramid, temple, chichen itza"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "usa/statueofLiberty.webp"): L(
        "the statue of liberty", "statue of liberty, statue, monument"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "usa/mountRushmore.webp"): L(
        "mount rushmore", "mount rushmore, mountain, rock, faces, sculpture, monument"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "usa/lincolnMemorial.webp"): L(
        "the lincoln memorial", "lincoln memorial, memorial, monument, temple, columns, building"
    ),
    (GCOMPRIS, "explore_monuments.rcc", "usa/canyondeChelly.webp"): L(
        "a canyon", "canyon, valley, river, cliff, cliffs"
    ),
    # --- categorization: monuments, everyday objects, renewable energy, tools, fish (small, 320 px)
    (GCOMPRIS, "categorization.rcc", "images/monuments/leaningTowerOfPisa.webp"): L(
        "the leaning tower of pisa", "leaning tower, tower, pisa", "person"
    ),
    (GCOMPRIS, "categorization.rcc", "images/monuments/operaHouse.webp"): L(
        "the sydney opera house", "sydney opera house, opera house, building, water, harbor"
    ),
    (GCOMPRIS, "categorization.rcc", "images/monuments/parthenon.webp"): L(
        "the parthenon", "parthenon, temple, ruins, columns"
    ),
    (GCOMPRIS, "categorization.rcc", "images/monuments/usCapitol.webp"): L(
        "the capitol", "capitol, dome, building", "person"
    ),
    (GCOMPRIS, "categorization.rcc", "images/monuments/leMusee.webp"): L(
        "the louvre", "louvre, museum, palace, pyramid", "person"
    ),
    (GCOMPRIS, "categorization.rcc", "images/monuments/monument1.webp"): L(
        "a mosque", "mosque, dome, dome of the rock, building", "person"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/chair.webp"): L("a chair", "chair, furniture"),
    (GCOMPRIS, "categorization.rcc", "images/others/bulb.webp"): L(
        "a light bulb", "light bulb, bulb, lightbulb, lamp"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/cup.webp"): L("a cup", "cup, teacup, saucer"),
    (GCOMPRIS, "categorization.rcc", "images/others/buffetset.webp"): L("a teacup", "cup, teacup, saucer"),
    (GCOMPRIS, "categorization.rcc", "images/others/pencil.webp"): L("a pencil", "pencil"),
    (GCOMPRIS, "categorization.rcc", "images/others/pillow.webp"): L("a pillow", "pillow, cushion, bed"),
    (GCOMPRIS, "categorization.rcc", "images/others/pan.webp"): L(
        "a frying pan", "frying pan, pan, skillet, wok"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/plate.webp"): L("a plate", "plate, dish, bowl"),
    (GCOMPRIS, "categorization.rcc", "images/others/spoons.webp"): L(
        "spoons", "spoon, spoons, silverware, cutlery"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/knife.webp"): L(
        "cutlery", "knife, fork, spoon, cutlery, silverware"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/volleyball.webp"): L(
        "a volleyball", "volleyball, ball", "ball"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/baseball.webp"): L(
        "a baseball", "baseball, ball", "ball"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/blackslate.webp"): L(
        "a blackboard", "blackboard, chalkboard, board, slate"
    ),
    (GCOMPRIS, "categorization.rcc", "images/others/bucket.webp"): L("a bucket", "bucket, pail, basket"),
    (GCOMPRIS, "categorization.rcc", "images/others/igloo.webp"): L("an igloo", "igloo, snow, ice"),
    (GCOMPRIS, "categorization.rcc", "images/others/erasers.webp"): L("an eraser", "eraser, rubber"),
    (GCOMPRIS, "categorization.rcc", "images/others/weighingMachine.webp"): L(
        "a scale", "scale, weighing scale, balance"
    ),
    (GCOMPRIS, "categorization.rcc", "images/renewable/windmill13.webp"): L(
        "windmills", "windmill, windmills, river, water"
    ),
    (GCOMPRIS, "categorization.rcc", "images/renewable/windmill5.webp"): L("a windmill", "windmill"),
    (GCOMPRIS, "categorization.rcc", "images/renewable/windmill6.webp"): L(
        "a wind turbine", "wind turbine, turbine, windmill"
    ),
    (GCOMPRIS, "categorization.rcc", "images/renewable/solar7.webp"): L(
        "a solar panel", "solar panel, solar panels, panel"
    ),
    (GCOMPRIS, "categorization.rcc", "images/renewable/solar6.webp"): L(
        "solar panels", "solar panel, solar panels, roof, house"
    ),
    (GCOMPRIS, "categorization.rcc", "images/renewable/dam1.webp"): L("a dam", "dam, water, waterfall"),
    (GCOMPRIS, "categorization.rcc", "images/tools/hammer4.webp"): L("a hammer", "hammer"),
    (GCOMPRIS, "categorization.rcc", "images/tools/hammer5.webp"): L("a hammer", "hammer"),
    (GCOMPRIS, "categorization.rcc", "images/tools/scissors2.webp"): L("scissors", "scissors"),
    (GCOMPRIS, "categorization.rcc", "images/tools/plier1.webp"): L("pliers", "pliers, plier"),
    (GCOMPRIS, "categorization.rcc", "images/tools/screwDriver2.webp"): L("a screwdriver", "screwdriver"),
    (GCOMPRIS, "categorization.rcc", "images/tools/wrench1.webp"): L("a wrench", "wrench, spanner"),
    (GCOMPRIS, "categorization.rcc", "images/tools/measuringTape1.webp"): L(
        "a tape measure", "tape measure, measuring tape, tape, rule"
    ),
    (GCOMPRIS, "categorization.rcc", "images/tools/multimeter1.webp"): L(
        "a multimeter", "multimeter, meter, voltmeter"
    ),
    (GCOMPRIS, "categorization.rcc", "images/tools/spray.webp"): L(
        "a spray bottle", "spray bottle, bottle, spray"
    ),
    (GCOMPRIS, "categorization.rcc", "images/fishes/fish1.webp"): L("a fish", "fish, angelfish"),
    (GCOMPRIS, "categorization.rcc", "images/fishes/fish25.webp"): L("a goldfish", "goldfish, fish"),
    (GCOMPRIS, "categorization.rcc", "images/fishes/fish10.webp"): L("fish", "fish, coral, reef"),
    # --- explore_world_music: instruments, 1024 px
    (GCOMPRIS, "explore_world_music.rcc", "music/africa.webp"): L("drums", "drum, drums, djembe, grass"),
    (GCOMPRIS, "explore_world_music.rcc", "music/america.webp"): L(
        "a drum kit", "drum, drums, drum kit, guitar, electric guitar"
    ),
    (GCOMPRIS, "explore_world_music.rcc", "music/australia.webp"): L(
        "a didgeridoo", "didgeridoo, man, person, rock", "person man"
    ),
    (GCOMPRIS, "explore_world_music.rcc", "music/middleeast.webp"): L(
        "a lute", "lute, instrument, sitar, setar"
    ),
    (GCOMPRIS, "explore_world_music.rcc", "music/orchestra.webp"): L(
        "an orchestra", "orchestra, concert, musicians, people, violin, stage", "person"
    ),
    # --- details: photographs of landmarks (the paintings are left out), 680 px
    (GCOMPRIS, "details.rcc", "image/EgeskovSlotSpejling_background.webp"): L(
        "a castle", "castle, lake, water, reflection"
    ),
    (GCOMPRIS, "details.rcc", "image/EilanDonanCastle_background.webp"): L(
        "a castle", "castle, lake, water, mountains"
    ),
    (GCOMPRIS, "details.rcc", "image/FanoeWindmill_background.webp"): L("a windmill", "windmill"),
    (GCOMPRIS, "details.rcc", "image/GizahPyramids_background.webp"): L(
        "pyramids", "pyramid, pyramids, desert, sand, egypt"
    ),
    (GCOMPRIS, "details.rcc", "image/NDP_background.webp"): L(
        "notre dame", "notre dame, cathedral, church, night"
    ),
    (GCOMPRIS, "details.rcc", "image/Nagoya_background.webp"): L(
        "a japanese castle", "castle, pagoda, temple, palace"
    ),
    (GCOMPRIS, "details.rcc", "image/TowerBridgeLondon_background.webp"): L(
        "tower bridge", "tower bridge, bridge, river, london, night"
    ),
}


# ---------------------------------------------------------------- the .rcc reader


def read_rcc(path: Path) -> dict[str, bytes]:
    """Every file in a Qt resource file (formats 1-3), by its path inside it.

    Header: ``qres``, version, tree/data/names offsets (big-endian u32), then flags (version 3).
    Tree nodes (14 bytes, 22 from version 2): name offset u32, flags u16, then for a directory
    child count u32 + first child u32, else country u16 + language u16 + data offset u32; then
    (version >= 2) a u64 modification time. Names: u16 length, u32 hash, UTF-16BE. Data: u32 length
    then bytes; flag 1 = zlib with a u32 big-endian uncompressed-length prefix, flag 4 = zstd.
    """
    blob = path.read_bytes()
    if blob[:4] != b"qres":
        raise ValueError(f"{path} is not a Qt resource file")
    version, tree, data, names = struct.unpack(">IIII", blob[4:20])
    node_size = 22 if version >= 2 else 14
    files: dict[str, bytes] = {}

    def name_at(offset: int) -> str:
        (length,) = struct.unpack(">H", blob[names + offset : names + offset + 2])
        return blob[names + offset + 6 : names + offset + 6 + 2 * length].decode("utf-16-be")

    def walk(node: int, prefix: str) -> None:
        at = tree + node * node_size
        name_offset, flags = struct.unpack(">IH", blob[at : at + 6])
        name = name_at(name_offset) if node else ""
        if flags & 2:
            count, first = struct.unpack(">II", blob[at + 6 : at + 14])
            for child in range(first, first + count):
                walk(child, f"{prefix}{name}/" if node else "")
            return
        (offset,) = struct.unpack(">I", blob[at + 10 : at + 14])
        (length,) = struct.unpack(">I", blob[data + offset : data + offset + 4])
        raw = blob[data + offset + 4 : data + offset + 4 + length]
        if flags & 4:
            try:
                import zstandard  # type: ignore[import-not-found]
            except ImportError as error:  # pragma: no cover - Debian's Qt 5 files use zlib
                raise SystemExit("this .rcc is zstd-compressed: pip install zstandard") from error
            raw = zstandard.ZstdDecompressor().decompress(raw)
        elif flags & 1:
            raw = zlib.decompress(raw[4:])
        files[prefix + name] = raw

    walk(0, "")
    return files


# ---------------------------------------------------------------- extraction


def check_sources() -> None:
    for package, rcc, inner in PHOTOS:
        if any(word in f"{package} {rcc} {inner}".lower() for word in FORBIDDEN):
            raise SystemExit(f"forbidden source in the label table: {package} {rcc} {inner}")
    if not RCC_DIR.is_dir():
        raise SystemExit(f"{RCC_DIR} is missing: apt-get install {GCOMPRIS}")


def output_name(rcc: str, inner: str) -> str:
    return f"{rcc.removesuffix('.rcc')}_{Path(inner).stem}.jpg".replace("-", "_")


def save_jpeg(raw: bytes, destination: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(raw)) as image:
        image.load()
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = image.convert("RGB")
    if max(flat.size) > MAX_SIDE:
        scale = MAX_SIDE / max(flat.size)
        flat = flat.resize((round(flat.width * scale), round(flat.height * scale)), Image.Resampling.LANCZOS)
    flat.save(destination, "JPEG", quality=QUALITY)
    return flat.size


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.strip().splitlines()[0], "\nusage: python tools/open_world_photos.py OUT_DIR")
        return 2
    out = Path(args[0])
    check_sources()
    out.mkdir(parents=True, exist_ok=True)

    archives: dict[str, dict[str, bytes]] = {}
    entries = []
    per_source: dict[str, int] = {}
    for (package, rcc, inner), label in PHOTOS.items():
        if rcc not in archives:
            path = RCC_DIR / rcc
            if not path.is_file():
                raise SystemExit(f"{path} is missing: apt-get install {package}")
            archives[rcc] = read_rcc(path)
        matches = [key for key in archives[rcc] if key.endswith("/resource/" + inner)]
        if len(matches) != 1:
            raise SystemExit(f"{rcc}: expected one */resource/{inner}, found {matches} (package version?)")
        name = output_name(rcc, inner)
        width, height = save_jpeg(archives[rcc][matches[0]], out / name)
        entries.append(
            {
                "file": name,
                "package": package,
                "source": f"{RCC_DIR / rcc}:/{matches[0]}",
                "query": label.query,
                "words": list(label.words),
                "present": {thing: thing in label.present for thing in PRESENCE},
                "size": [width, height],
            }
        )
        per_source[f"{package} {rcc}"] = per_source.get(f"{package} {rcc}", 0) + 1
    (out / "labels.json").write_text(
        json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(entries)} photos and labels.json to {out}")
    for source, count in sorted(per_source.items()):
        print(f"  {count:4d}  {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
