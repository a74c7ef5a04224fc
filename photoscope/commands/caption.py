"""``photoscope caption PHOTO...``: one line per photo: its caption (and with ``--scores`` the
decoder's score), then what the encoder's ImageNet head sees, as the library stores them."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from photoscope.commands.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    MAX_CAPTION_WORDS,
    add_decoding_options,
    add_model_option,
    at_most,
    photo_path,
    positive_int,
    wrong_photo_path,
)
from photoscope.wording import concepts_in_words, safe_text
from photoscope.wordlists import caption_within

if TYPE_CHECKING:
    from PIL.Image import Image

    from photoscope.api import DecodeOptions, Photoscope


def caption(args: argparse.Namespace) -> int:
    # Wrong paths are said before anything loads: a missing file took 3 s (PyTorch and the network)
    # to be called missing (the honest-results walk of stop 48).
    problems = {path: wrong_photo_path(path) for path in args.photos}
    if all(problems.values()):  # the same wrong path twice too
        for problem in dict.fromkeys(problems.values()):
            print(f"photoscope: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from photoscope.api import DecodeOptions, Photoscope, describe_error, load_photo

    app = Photoscope(model_dir=args.model)
    options = DecodeOptions(
        1 if args.greedy else args.beam,
        args.max_len or DecodeOptions().max_len,
        args.length_penalty,
        args.rerank,
        consensus=args.consensus,
    )
    failed = wrong = 0
    for path in args.photos:
        problem = problems.get(path)  # a folder, no file, a link to nothing: a wrong path
        if problem is not None:
            print(f"photoscope: {problem}", file=sys.stderr)
            wrong += 1
            continue
        try:
            photo = load_photo(path)  # regular files only (a FIFO would block), bombs refused
        except (OSError, ValueError) as error:
            print(f"photoscope: {safe_text(str(path))}: {describe_error(error)}", file=sys.stderr)
            failed += 1
            continue
        result = app.caption([photo], options)[0]
        score = f"\t{result.score:.3f}" if args.scores else ""
        # What the library stores as the photo's description: the caption and what the encoder's
        # ImageNet head sees, in words.
        seen = concepts_in_words(result.concepts)
        text = result.caption if args.max_len is None else _fitted(app, photo, options, result.caption)
        print(f"{safe_text(str(path))}\t{text}{score}" + (f"\tlooks like: {seen}" if seen else ""))
    return EXIT_USAGE if wrong else EXIT_FAILED if failed else 0


def _fitted(app: Photoscope, photo: Image, options: DecodeOptions, caption: str) -> str:
    """The caption in at most ``--max-len`` words (``options.max_len``), ended where a phrase ends
    (``caption_within``): the caption rule added words after the decoder's ("a dog in the grass"
    for 2), and the beam's captions cut at the limit stopped mid phrase (audit 74, repro_9). One with
    no word that ends a phrase ("a", in 1 word) gives way to the first such word of the caption
    written at the default length. Without --max-len the caption is the one the index stores, word
    for word (its BLEU and CIDEr are measured), and this is not called."""
    fitted = caption_within(caption, options.max_len)
    if fitted:
        return fitted
    default_length = type(options)().max_len  # (the class comes with PyTorch: imported by ``caption``)
    whole = app.caption([photo], replace(options, max_len=default_length))[0].caption
    return caption_within(whole, options.max_len) or caption


def register(sub: Any) -> None:
    p = sub.add_parser("caption", help="print a caption for each photo")
    p.add_argument("photos", nargs="+", type=photo_path, metavar="PHOTO", help="photo files to caption")
    p.add_argument("--greedy", action="store_true", help="greedy decoding (same as --beam 1)")
    p.add_argument(
        "--max-len",
        type=at_most(positive_int, MAX_CAPTION_WORDS),
        help=f"longest caption in words (at most {MAX_CAPTION_WORDS}; default: the caption the index stores)",
    )
    add_decoding_options(p)
    p.add_argument("--scores", action="store_true", help="print each caption's score too")
    add_model_option(p)
    p.set_defaults(handler=caption)
