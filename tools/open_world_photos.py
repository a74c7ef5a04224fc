"""Extract open-world sets of real, labelled photos from installed Debian packages.

Usage::

    python tools/open_world_photos.py OUT_DIR              # the dev set (gcompris-qt-data)
    python tools/open_world_photos.py --set check OUT_DIR  # the check set (wallpaper packages)

Writes ``OUT_DIR/<name>.jpg`` (JPEG quality 92, long side at most 1024 px) and
``OUT_DIR/labels.json``: a list of ``{"file", "package", "source", "query", "words", "present"}``
where ``query`` is what a person would type for the photo, ``words`` the words a caption may rightly
use for it, and ``present`` says which of person/dog/ball/boy/girl/man/woman is really in the photo
(to count objects a caption invents).

The dev set (``--set dev``, the default): Debian's ``gcompris-qt-data`` (``apt-get install
gcompris-qt-data``), whose activities bundle photographs (animals, monuments, everyday objects, tools,
instruments) inside Qt resource files (``/usr/share/gcompris-qt/rcc/*.rcc``), read here by a small
pure-Python ``.rcc`` reader. The app's caption and search rules were tuned on it.

The check set (``--set check``): photographs (landscapes, flowers, insects, animals, objects) that
other Debian packages install as plain files: the wallpapers of ``lomiri-wallpapers-16.04``,
``lomiri-wallpapers-20.04``, ``mate-backgrounds``, ``lxqt-themes`` and
``plasma-workspace-wallpapers``, and the puzzle photos of ``palapeli-data``. Nothing was tuned on
it: it says whether what was tuned on the dev set holds on photos of another kind (wallpapers are
mostly scenes and close-ups, where the dev set is mostly single animals and monuments).

Each label was written after looking at the photo (the drawings, renders, paintings and textures the
packages also ship are left out). Development-time only; needs Pillow with WebP support (the
project's own).

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


# ---------------------------------------------------------------- the check set

LOMIRI_16 = "lomiri-wallpapers-16.04"  # CC-BY-4.0, CC-BY-SA-4.0 and CC0-1.0 (by photo: its copyright file)
LOMIRI_20 = "lomiri-wallpapers-20.04"  # CC-BY-SA-3.0
MATE = "mate-backgrounds"  # GPL-2+
LXQT = "lxqt-themes"  # CC-BY-SA-3.0 (/usr/share/lxqt/wallpapers/License)
PALAPELI = "palapeli-data"  # public domain, GFDL (by photo: its .desktop file)
PLASMA = "plasma-workspace-wallpapers"  # LGPL-3 (by photo: its metadata.json)

_BACKGROUNDS = "/usr/share/backgrounds"  # the Lomiri wallpapers (both packages)
_MATE = "/usr/share/backgrounds/mate/nature"
_LXQT = "/usr/share/lxqt/wallpapers"
_PALAPELI = "/usr/share/palapeli/collection"


def kde(name: str) -> str:
    """A Plasma wallpaper's largest image: its smaller sizes are links to this one."""
    return f"/usr/share/wallpapers/{name}/contents/images/2560x1600.jpg"


# (package, path of the photo) -> label. Of these packages only photographs were taken; left out:
# renders and drawings (most of Plasma's, Lomiri's analogpattern/umang/Fossa/Infinite-Sea/Painting
# -Colors, LXQt's logos), textures (MATE's Wood), and Plasma's Grey (a facade seen as an abstract
# pattern). gnome-backgrounds, ukui-wallpapers, desktop-base, sway-backgrounds and xfdesktop4-data
# ship no photograph. palapeli-data's bee and chameleon are other photos of what gcompris' show.
CHECK_PHOTOS: dict[tuple[str, str], Label] = {
    # --- lomiri-wallpapers-16.04: Ubuntu Touch's 2018 community wallpapers
    (LOMIRI_16, f"{_BACKGROUNDS}/Bridge_by_Sander_Klootwijk.jpg"): L(
        "a bridge", "bridge, cable, cables, sky, clouds, river, water, estuary, sand, beach"
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/Dragonfly_by_Bolly.jpg"): L(
        "a dragonfly", "dragonfly, insect, bug, tree, leaf, leaves, branch, twig, sky"
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/Picture_0B_by_freespace.jpg"): L(
        "a fig", "fig, figs, fruit, food, bowl, dish, plate, concrete, shadow"
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/Picture_1A_by_freespace.jpg"): L(
        "paint brushes", "paintbrush, paintbrushes, paint brush, paint brushes, brush, brushes, paint"
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/Wine_by_Jakkub_Mede.jpg"): L(
        "a bottle of wine",
        "wine, bottle, wine bottle, glass, wine glass, table, drum, djembe, bean bag, beanbag, speaker,"
        " loudspeaker, coffee grinder, grinder, floor, window, room, living room",
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/aitzgorri_by_Aitzol_Berasategi.jpg"): L(
        "a mountain",
        "mountain, mountains, forest, tree, trees, autumn, fall, hill, hills, grass, field, meadow, sky,"
        " clouds, rock",
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/free_by_Peter_Nerlich.jpg"): L(
        "a toy bird",
        "bird, toy, toy bird, figurine, ornament, wing, wings, lamp, lamps, light, lights, ceiling",
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/friends_by_Aitzol_Berasategi.jpg"): L(
        "dogs",
        "dog, dogs, spaniel, spaniels, cocker spaniel, cocker spaniels, animal, animals, window, house,"
        " wall, wood, fence",
        "dog",
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/greentock_by_Peter_Nerlich.jpg"): L(
        "a clock", "clock, wall clock, clock face, wall, light"
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/life_by_Aitzol_Berasategi.jpg"): L(
        "a stream",
        "stream, creek, brook, river, waterfall, waterfalls, water, rock, rocks, stone, stones, forest,"
        " woods, tree, trees",
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/picosdeeuropa_by_Aitzol_Berasategi.jpg"): L(
        "mountains",
        "mountain, mountains, rock, rocks, cliff, cliffs, snow, path, trail, grass, hill, hillside, meadow,"
        " field, sky, cloud, clouds",
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/seeding_by_Clements_Engelhardt.jpg"): L(
        "dandelions",
        "dandelion, dandelions, flower, flowers, seed, seeds, plant, plants, grass, field, meadow, sun,"
        " sunset, sunlight",
    ),
    (LOMIRI_16, f"{_BACKGROUNDS}/sunset_by_Aitzol_Berasategi.jpg"): L(
        "mountains at sunset",
        "sunset, sunrise, sun, mountain, mountains, hill, hills, valley, sky, grass, snow, rock, rocks",
    ),
    # --- lomiri-wallpapers-20.04 (a blurred blue shape behind the bird may be a walker's jeans: not
    # really visible, so no person)
    (LOMIRI_20, f"{_BACKGROUNDS}/Kleiber_by_Lukas_Baubkus.jpg"): L(
        "a bird", "bird, nuthatch, animal, tree, trunk, tree trunk, bark"
    ),
    # --- mate-backgrounds: nature close-ups
    (MATE, f"{_MATE}/Aqua.jpg"): L(
        "a water drop", "water, drop, drops, water drop, droplet, droplets, splash, raindrop"
    ),
    (MATE, f"{_MATE}/Blinds.jpg"): L("a green leaf", "leaf, leaves, plant, frond"),
    (MATE, f"{_MATE}/Dune.jpg"): L(
        "grass by the sea", "grass, dune, dunes, sand dune, beach, sea, ocean, water, sky, field"
    ),
    (MATE, f"{_MATE}/FreshFlower.jpg"): L("an orange flower", "flower, petal, petals, blossom, bloom, plant"),
    (MATE, f"{_MATE}/Garden.jpg"): L(
        "a red flower", "flower, flowers, marigold, petal, petals, blossom, bloom, plant, garden"
    ),
    (MATE, f"{_MATE}/GreenMeadow.jpg"): L(
        "green grass", "grass, grasses, lawn, meadow, field, plant, plants, sprouts"
    ),
    (MATE, f"{_MATE}/LadyBird.jpg"): L(
        "a ladybug", "ladybug, ladybird, beetle, insect, bug, flower, flowers, grass, leaf, plant"
    ),
    (MATE, f"{_MATE}/RainDrops.jpg"): L(
        "raindrops on leaves",
        "leaf, leaves, grass, plant, plants, water, drop, drops, droplets, raindrop, raindrops,"
        " water drops, rain, dew",
    ),
    (MATE, f"{_MATE}/Storm.jpg"): L(
        "storm clouds",
        "storm, storm clouds, cloud, clouds, sky, rain, road, highway, guardrail, field, fields",
    ),
    (MATE, f"{_MATE}/TwoWings.jpg"): L(
        "dandelion seeds", "dandelion, dandelions, seed, seeds, flower, flowers, plant"
    ),
    (MATE, f"{_MATE}/YellowFlower.jpg"): L("a yellow flower", "flower, petal, petals, blossom, bloom, plant"),
    # --- lxqt-themes: photographs among the wallpapers
    (LXQT, f"{_LXQT}/Butterfly-Kenneth-Wimer.jpg"): L(
        "a butterfly", "butterfly, insect, flower, flowers, plant, plants"
    ),
    (LXQT, f"{_LXQT}/Valendas.png"): L(
        "mountains", "mountain, mountains, peak, peaks, valley, hill, hills, sky, cloud, clouds, sunlight"
    ),
    (LXQT, f"{_LXQT}/after-the-rain.jpg"): L(
        "clouds at sunset", "cloud, clouds, sky, sunset, sunrise, sun, dusk"
    ),
    (LXQT, f"{_LXQT}/appleflower.png"): L(
        "apple blossoms",
        "blossom, blossoms, apple blossom, apple blossoms, flower, flowers, bud, buds, branch, twig,"
        " plant, spring",
    ),
    (LXQT, f"{_LXQT}/beam.png"): L(
        "sunlight through the clouds",
        "sunlight, sun, sunbeam, sunbeams, rays, cloud, clouds, sky, storm, fog, mist, hill, hills,"
        " forest, trees",
    ),
    (LXQT, f"{_LXQT}/butterfly.png"): L("a butterfly", "butterfly, swallowtail, insect, flower, plant"),
    (LXQT, f"{_LXQT}/cloud.png"): L("clouds", "cloud, clouds, sky"),
    (LXQT, f"{_LXQT}/drop.png"): L(
        "a water drop", "drop, water drop, water, droplet, dew, dewdrop, raindrop, grass, leaf, plant"
    ),
    (LXQT, f"{_LXQT}/flowers.png"): L(
        "wildflowers",
        "flower, flowers, wildflower, wildflowers, anemone, anemones, meadow, field, garden, grass,"
        " plant, plants",
    ),
    (LXQT, f"{_LXQT}/fog.jpg"): L(
        "fog", "fog, mist, hill, hills, field, farmland, dirt, forest, trees, sky, cloud, clouds"
    ),
    (LXQT, f"{_LXQT}/this-is-not-windows.jpg"): L(
        "green hills",
        "hill, hills, field, fields, farmland, countryside, dirt, grass, tree, trees, sky, cloud, clouds",
    ),
    # --- palapeli-data: the puzzle collection's photographs
    (PALAPELI, f"{_PALAPELI}/castle-maintenon.jpg"): L(
        "a castle", "castle, chateau, palace, tower, towers, building, garden, grass, lawn, sky, clouds"
    ),
    (PALAPELI, f"{_PALAPELI}/cincinnati-bridge.jpg"): L(
        "a bridge at night",
        "bridge, suspension bridge, river, water, night, lights, tower, city, reflection",
    ),
    (PALAPELI, f"{_PALAPELI}/citrus-fruits.jpg"): L(
        "citrus fruits",
        "citrus, fruit, fruits, orange, oranges, lemon, lemons, lime, limes, grapefruit, slice, slices, food",
    ),
    (PALAPELI, f"{_PALAPELI}/european-honey-bee.jpg"): L(
        "a bee", "bee, honey bee, honeybee, insect, flower, aster, petals, plant"
    ),
    (PALAPELI, f"{_PALAPELI}/panther-chameleon-female.jpg"): L(
        "a chameleon", "chameleon, lizard, reptile, animal, branch, tree, leaves"
    ),
    # --- plasma-workspace-wallpapers: the photographs among KDE's wallpapers
    (PLASMA, kde("BytheWater")): L(
        "a pier",
        "pier, dock, jetty, boardwalk, deck, wood, planks, boards, lake, water, river, sky, clouds, trees",
    ),
    (PLASMA, kde("ColdRipple")): L(
        "a pier", "pier, dock, jetty, ladder, wood, planks, lake, sea, water, fog, mist"
    ),
    (PLASMA, kde("ColorfulCups")): L("cups", "cup, cups"),
    (PLASMA, kde("DarkestHour")): L(
        "a foggy lake",
        "lake, water, fog, mist, tree, trees, island, islands, reflection, sky, dusk, evening, night",
    ),
    (PLASMA, kde("EveningGlow")): L(
        "boats on a lake",
        "boat, boats, rowboat, rowboats, rowing boat, rowing boats, lake, water, shore, beach, pebbles,"
        " gravel, sunset, sky, clouds, mountains, hills",
    ),
    (PLASMA, kde("FallenLeaf")): L("autumn leaves", "leaf, leaves, maple leaf, autumn, fall, ground, grass"),
    (PLASMA, kde("Kite")): L("a kite", "kite, sky, cloud, clouds"),
    (PLASMA, kde("OneStandsOut")): L("moss", "moss, plant, plants, ground, soil"),
    (PLASMA, kde("Path")): L(
        "a forest path",
        "forest, woods, tree, trees, pine, pines, fir, path, trail, moss, grass, ferns",
    ),
    (PLASMA, kde("summer_1am")): L(
        "a lake at sunset",
        "lake, water, shore, reeds, reed, trees, reflection, sky, sunset, dusk, twilight, evening",
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

SETS = ("dev", "check")
USAGE = "usage: python tools/open_world_photos.py [--set dev|check] OUT_DIR"


def check_sources(which: str = "dev") -> None:
    """Refuse a forbidden source, and name the packages to install when photos are missing, before
    anything is written."""
    for key in PHOTOS if which == "dev" else CHECK_PHOTOS:
        if any(word in " ".join(key).lower() for word in FORBIDDEN):
            raise SystemExit(f"forbidden source in the label table: {' '.join(key)}")
    if which == "dev" and not RCC_DIR.is_dir():
        raise SystemExit(f"{RCC_DIR} is missing: apt-get install {GCOMPRIS}")
    if which == "check":
        missing = sorted({package for package, path in CHECK_PHOTOS if not Path(path).is_file()})
        if missing:
            raise SystemExit(f"photos of the check set are missing: apt-get install {' '.join(missing)}")


def output_name(rcc: str, inner: str) -> str:
    return f"{rcc.removesuffix('.rcc')}_{Path(inner).stem}.jpg".replace("-", "_")


def check_output_name(package: str, path: str) -> str:
    """``<package>_<photo>.jpg``; a Plasma wallpaper's file is named by its size, so by its folder."""
    parts = Path(path).parts
    stem = parts[-4] if parts[-3:-1] == ("contents", "images") else Path(path).stem
    return f"{package}_{stem}".replace("-", "_").replace(".", "_") + ".jpg"


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


def entry(name: str, package: str, source: str, label: Label, size: tuple[int, int]) -> dict[str, object]:
    """One photo's ``labels.json`` record."""
    return {
        "file": name,
        "package": package,
        "source": source,
        "query": label.query,
        "words": list(label.words),
        "present": {thing: thing in label.present for thing in PRESENCE},
        "size": list(size),
    }


def write_dev(out: Path) -> tuple[list[dict[str, object]], dict[str, int]]:
    """The dev set's photos, read out of gcompris' .rcc files: records and photos per source."""
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
        size = save_jpeg(archives[rcc][matches[0]], out / name)
        entries.append(entry(name, package, f"{RCC_DIR / rcc}:/{matches[0]}", label, size))
        per_source[f"{package} {rcc}"] = per_source.get(f"{package} {rcc}", 0) + 1
    return entries, per_source


def write_check(out: Path) -> tuple[list[dict[str, object]], dict[str, int]]:
    """The check set's photos, plain files of the packages: records and photos per package."""
    entries = []
    per_source: dict[str, int] = {}
    for (package, path), label in CHECK_PHOTOS.items():
        name = check_output_name(package, path)
        size = save_jpeg(Path(path).read_bytes(), out / name)
        entries.append(entry(name, package, path, label, size))
        per_source[package] = per_source.get(package, 0) + 1
    return entries, per_source


def parse_args(args: list[str]) -> tuple[str, Path] | None:
    """``OUT_DIR`` (the dev set) or ``--set dev|check OUT_DIR``; None when neither."""
    if len(args) == 1 and not args[0].startswith("-"):
        return "dev", Path(args[0])
    if len(args) == 3 and args[0] == "--set" and args[1] in SETS and not args[2].startswith("-"):
        return args[1], Path(args[2])
    return None


def main(argv: list[str] | None = None) -> int:
    parsed = parse_args(sys.argv[1:] if argv is None else argv)
    if parsed is None:
        print(__doc__.strip().splitlines()[0], "\n" + USAGE)
        return 2
    which, out = parsed
    check_sources(which)
    out.mkdir(parents=True, exist_ok=True)
    entries, per_source = write_dev(out) if which == "dev" else write_check(out)
    (out / "labels.json").write_text(
        json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(entries)} photos and labels.json to {out}")
    for source, count in sorted(per_source.items()):
        print(f"  {count:4d}  {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
