"""Data the tests make themselves: photos of coloured shapes with matching captions."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw

COLOURS = {"red": (220, 30, 30), "green": (30, 180, 40), "blue": (30, 60, 220), "yellow": (240, 220, 20)}
SHAPES = ("circle", "square")


def shape_photo(colour: str, shape: str, size: int = 224, seed: int = 0) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (size, size), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    r = size // 4 + rng.randint(-8, 8)
    cx, cy = size // 2 + rng.randint(-20, 20), size // 2 + rng.randint(-20, 20)
    box = (cx - r, cy - r, cx + r, cy + r)
    (draw.ellipse if shape == "circle" else draw.rectangle)(box, fill=COLOURS[colour])
    return image


def make_caption_dataset(root: Path, per_kind: int = 6) -> Path:
    """A Flickr8k-layout dataset: images/, captions.tsv, train.txt and val.txt."""
    (root / "images").mkdir(parents=True)
    rows, names = ["image\tcaption"], []
    for colour in COLOURS:
        for shape in SHAPES:
            for i in range(per_kind):
                name = f"{colour}_{shape}_{i}.jpg"
                shape_photo(colour, shape, seed=i).save(root / "images" / name, quality=90)
                names.append(name)
                rows += [
                    f"{name}\tA {colour} {shape} .",
                    f"{name}\ta {colour} {shape} on a white background",
                    f"{name}\tThe {shape} is {colour} .",
                ]
    (root / "captions.tsv").write_text("\n".join(rows) + "\n")
    val = [n for n in names if n.endswith("_0.jpg")]
    (root / "train.txt").write_text("\n".join(n for n in names if n not in val) + "\n")
    (root / "val.txt").write_text("\n".join(val) + "\n")
    return root


def indexed_shapes(
    root: Path,
    model_dir: Path,
    shown: Sequence[tuple[str, str]],
    name: Callable[[int, str, str, int], str] = lambda at, colour, shape, i: f"{colour} {shape} {i}",
) -> Path:
    """A library of three photos of each (colour, shape) in ``root / "Photos"``, named by ``name``
    (their place in ``shown``, colour, shape, which of the three), indexed with the real pipeline
    by the model in ``model_dir``; its database."""
    from photoscope.api import IndexOptions, Photoscope

    photos = root / "Photos"
    photos.mkdir()
    for at, (colour, shape) in enumerate(shown):
        for i in range(3):
            shape_photo(colour, shape, seed=10 + i).save(photos / f"{name(at, colour, shape, i)}.jpg")
    db = root / "library.db"
    with Photoscope(db, model_dir) as app:
        app.add_folder(photos)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnails=False)).run()
    return db
