"""``photoscope caption PHOTO...``: one line per photo: its caption (and with ``--scores`` the
decoder's score), then what the encoder's ImageNet head sees, as the library stores them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

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
        args.max_len,
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
        print(f"{safe_text(str(path))}\t{result.caption}{score}" + (f"\tlooks like: {seen}" if seen else ""))
    return EXIT_USAGE if wrong else EXIT_FAILED if failed else 0


def register(sub: Any) -> None:
    p = sub.add_parser("caption", help="print a caption for each photo")
    p.add_argument("photos", nargs="+", type=photo_path, metavar="PHOTO", help="photo files to caption")
    p.add_argument("--greedy", action="store_true", help="greedy decoding (same as --beam 1)")
    p.add_argument(
        "--max-len",
        type=at_most(positive_int, MAX_CAPTION_WORDS),
        default=16,
        help=f"longest caption in words (at most {MAX_CAPTION_WORDS})",
    )
    add_decoding_options(p)
    p.add_argument("--scores", action="store_true", help="print each caption's score too")
    add_model_option(p)
    p.set_defaults(handler=caption)
