"""``photoscope map photos|words --out FILE``: the network's maps rendered without a display."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from photoscope.commands.common import add_db_option, add_model_option


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if width < 100 or height < 100:
        raise argparse.ArgumentTypeError("the image must be at least 100x100")
    return width, height


def register(sub: Any) -> None:
    p = sub.add_parser("map", help="draw a t-SNE map of the library's photos or the network's words")
    p.add_argument("what", choices=["photos", "words"])
    p.add_argument("--out", type=Path, required=True, help="image file to write (PNG, JPEG...)")
    p.add_argument(
        "--size", type=_size, default=(1600, 1200), help="WIDTHxHEIGHT in pixels (default 1600x1200)"
    )
    p.add_argument("--words", type=int, default=300, help="how many of the most frequent words")
    p.add_argument("--highlight", nargs="*", default=[], help="words to draw in red")
    add_db_option(p)
    add_model_option(p)
    p.set_defaults(handler=run, reads_library=lambda a: a.what == "photos")


def run(args: argparse.Namespace) -> int:
    from photoscope.api import Photoscope, render_photos, render_words

    with Photoscope(args.db, args.model) as app:
        if args.what == "words":
            image = render_words(app.word_map(args.words), args.size, args.highlight)
        else:
            layout = app.photo_map(progress=lambda message: print(message, file=sys.stderr))
            if not layout.keys:
                print("the library has no indexed photos yet (photoscope index FOLDER)", file=sys.stderr)
                return 1
            image = render_photos(layout, app.thumbnail, args.size)
    image.save(args.out)
    print(f"wrote {args.out} ({image.width}x{image.height})")
    return 0
