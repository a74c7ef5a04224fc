"""``photoscope map photos|words --out FILE``: the network's maps rendered without a display."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photoscope.commands.common import (
    EXIT_FAILED,
    EXIT_UNWRITABLE,
    EXIT_USAGE,
    add_db_option,
    add_model_option,
    as_typed,
    plain_path,
    positive_int,
)
from photoscope.wording import safe_text

if TYPE_CHECKING:
    from PIL.Image import Image

    from photoscope.api import Layout, Photoscope

# The largest side drawn: 10000x10000 is a 300 MB canvas, more than a print poster or an 8K screen
# (7680 wide) needs; 100000x100000 asked for 30 GB, and the kernel killed Photoscope for memory.
MAX_SIDE = 10_000


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if width < 100 or height < 100:
        raise argparse.ArgumentTypeError("the image must be at least 100x100")
    if width > MAX_SIDE or height > MAX_SIDE:
        raise argparse.ArgumentTypeError(f"the image must be at most {MAX_SIDE}x{MAX_SIDE}")
    return width, height


WORDS = 300  # the words a word map shows by default: the most frequent
WORD_OPTIONS_ONLY = (
    "photoscope map photos: --words and --highlight are for `photoscope map words`:"
    " drop them to map the photos"
)


def register(sub: Any) -> None:
    p = sub.add_parser("map", help="draw a t-SNE map of the library's photos or the network's words")
    p.add_argument("what", choices=["photos", "words"])
    p.add_argument("--out", type=plain_path, required=True, help="image file to write (PNG, JPEG...)")
    p.add_argument(
        "--size",
        type=_size,
        default=(1600, 1200),
        help=f"WIDTHxHEIGHT in pixels (default 1600x1200, at most {MAX_SIDE}x{MAX_SIDE})",
    )
    words = p.add_argument_group("map words only")
    words.add_argument(
        "--words", type=positive_int, help=f"how many of the most frequent words (default {WORDS})"
    )
    words.add_argument("--highlight", nargs="*", type=as_typed, help="words to draw in red")
    add_db_option(p)
    add_model_option(p)
    p.set_defaults(handler=run, reads_library=lambda a: a.what == "photos" and not _word_options(a))


def _word_options(args: argparse.Namespace) -> bool:
    """Whether a word map's options were given (``map photos`` refuses them before its library)."""
    return args.words is not None or args.highlight is not None


def run(args: argparse.Namespace) -> int:
    from photoscope.api import Photoscope

    if args.what == "photos" and _word_options(args):  # once ignored, unsaid (the audit of stop 56)
        print(WORD_OPTIONS_ONLY, file=sys.stderr)
        return EXIT_USAGE
    problem = _output_problem(args.out)  # before the layout: t-SNE takes minutes on a large library
    if problem is not None:
        print(f"photoscope: {problem}", file=sys.stderr)
        return EXIT_USAGE
    refused = _no_file_made(args.out)
    if refused is not None:
        print(f"photoscope: {refused}", file=sys.stderr)
        return EXIT_UNWRITABLE
    with Photoscope(args.db, args.model) as app:
        image = _words_image(app, args) if args.what == "words" else _photos_image(app, args)
    if image is None:
        return EXIT_FAILED
    _save(image, args.out)
    print(f"wrote {safe_text(str(args.out))} ({image.width}x{image.height})")  # "\xe9" as elsewhere
    return 0


def _output_problem(out: Path) -> str | None:
    """Why the map cannot be written to ``out`` (what to do included), or None."""
    if out.is_dir():
        return f"{out} is a folder: give a file name in it, e.g. {out / 'map.png'}"
    if not out.suffix:
        return f"{out} has no image type: end the name in .png or .jpg"
    if not _writes_colour_images(out.suffix):
        return f"{out}: Photoscope cannot write a {out.suffix.lower()} image: end the name in .png or .jpg"
    if not out.parent.is_dir():
        return f"{out}: no such folder {out.parent}: create it, or write the map elsewhere"
    return None


def _no_file_made(out: Path) -> str | None:
    """Why no file can be made at ``out`` (a read-only disk, /proc, no permission), found by making it
    before the layout (the audit of stop 56: "No such file or directory" after it); None: it can be.
    A file made only for this is removed again; one there is left as it is (opened to append)."""
    there = out.exists()
    try:
        with open(out, "ab"):
            pass
    except OSError as error:
        why = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error)).lower()
        return f"{out}: no file can be made there ({why}): write the map elsewhere"
    if not there:
        out.unlink(missing_ok=True)
    return None


def _writes_colour_images(suffix: str) -> bool:
    """Whether Pillow, which saves the map, writes an RGB image as ``suffix``: it knows some types only
    to read, some only in other modes (XBM: black and white) and some only through plugins not
    installed (HDF5); a 1x1 image saved to memory tells them apart at no cost."""
    from io import BytesIO

    from PIL import Image

    kind = Image.registered_extensions().get(suffix.lower())
    if kind is None:
        return False
    try:
        Image.new("RGB", (1, 1)).save(BytesIO(), format=kind)
    except (OSError, ValueError, KeyError):  # KeyError: a type Pillow only reads
        return False
    return True


def _save(image: Image, out: Path) -> None:
    """Write the map; a failed write (a full disk, a read-only folder) names the map's file."""
    try:
        image.save(out)
    except OSError as error:
        error.filename = error.filename or str(out)  # Pillow's write errors name no file
        raise


def _words_image(app: Photoscope, args: argparse.Namespace) -> Image:
    from photoscope.api import render_words

    layout = app.word_map(args.words or WORDS)
    highlight = [word.lower().strip() for word in args.highlight or ()]  # the vocabulary is lower case
    _note_missing_highlights(app, layout, highlight)
    return render_words(layout, args.size, highlight)


def _note_missing_highlights(app: Photoscope, layout: Layout, highlight: list[str]) -> None:
    """On stderr: each word to highlight that the map does not show, and why."""
    from photoscope.api import UnknownWordError

    shown = set(layout.keys)
    for word in (w for w in highlight if w not in shown):
        try:
            app.similar_words(word, 1)  # the network knows the word, or says why not
        except UnknownWordError as error:  # said as `words similar` says it
            print(f"note: not highlighted: {error}", file=sys.stderr)
            continue
        print(
            f"note: not highlighted: '{word}' is not among the {len(layout.keys)} words on the map "
            "(--words N maps more)",
            file=sys.stderr,
        )


def _say_what_starts(message: str, done: float) -> None:
    if done == 0:
        print(message, file=sys.stderr)


def _photos_image(app: Photoscope, args: argparse.Namespace) -> Image | None:
    """The photo map, or None (said on stderr) when the library has no indexed photo."""
    from photoscope.api import render_photos

    layout = app.photo_map(progress=_say_what_starts)
    if not layout.keys:
        print("photoscope: the library has no indexed photos yet (photoscope index FOLDER)", file=sys.stderr)
        return None
    return render_photos(layout, app.thumbnail, args.size)
