"""``photoscope words similar WORD`` and ``photoscope words analogy A B C``."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from photoscope.commands.common import EXIT_USAGE, add_debug_option, add_model_option, as_typed, positive_int
from photoscope.wording import safe_text

ANALOGY_USAGE = (
    "photoscope words analogy: give three words (A is to B as C is to ?), "
    "e.g. `photoscope words analogy man woman boy`"
)


def register(sub: Any) -> None:
    words = sub.add_parser("words", help="the network's words: similar words and analogies")
    add_model_option(words)
    jobs = words.add_subparsers(title="jobs", metavar="JOB", required=True)
    similar = _add_job(jobs, "similar", "words the network uses alike")
    similar.add_argument("word", type=one_word, help="a word the network knows, e.g. dog")
    similar.add_argument("-n", "--limit", type=positive_int, default=10, help="how many words (default 10)")
    analogy = _add_job(jobs, "analogy", "A is to B as C is to ?")
    # Three words in one argument, counted here: argparse said "the following arguments are
    # required: c" for two (the fresh-seat audit of stop 53), naming what no user knows of.
    analogy.add_argument(
        "words",
        type=a_word,
        nargs="*",
        metavar="WORD",
        help="A B C: A is to B as C is to ?, e.g. man woman boy",
    )
    analogy.add_argument("-n", "--limit", type=positive_int, default=5, help="how many answers (default 5)")


def a_word(text: str) -> str:
    """A word to look up: not empty, not punctuation alone (a usage error, not an unknown word)."""
    if not re.search(r"\w", text):
        raise argparse.ArgumentTypeError(f"give a word, not {text!r}")  # (repr escapes controls)
    return as_typed(text)


def one_word(text: str) -> str:
    """``a_word``, one of them: "black dog" is two words the network may know each (the fresh-seat
    audit of stop 56: it was "a word the model does not know")."""
    word = a_word(text)
    if len(word.split()) > 1:
        raise argparse.ArgumentTypeError(f"give one word, not {word!r}")
    return word


def _add_job(jobs: Any, name: str, help: str) -> argparse.ArgumentParser:
    """A job with the options it takes after its name as before it (``--model``, ``--debug``)."""
    job: argparse.ArgumentParser = jobs.add_parser(name, help=help)
    add_model_option(job, of_a_job=True)
    add_debug_option(job)
    job.set_defaults(handler=run)
    return job


def run(args: argparse.Namespace) -> int:
    from photoscope.api import Photoscope, UnknownWordError

    if not hasattr(args, "word") and len(args.words) != 3:
        print(ANALOGY_USAGE, file=sys.stderr)
        return EXIT_USAGE
    app = Photoscope(model_dir=args.model)
    try:
        if hasattr(args, "word"):
            found = app.similar_words(args.word, args.limit)
        else:
            a, b, c = args.words
            found = app.analogy(a, b, c, args.limit)
    except UnknownWordError as error:
        print(f"photoscope: {safe_text(str(error))}", file=sys.stderr)
        return 1
    for item in found:
        print(f"{item.score:6.3f}  {item.word}")
    return 0
