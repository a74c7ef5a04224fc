"""``photoscope words similar WORD`` and ``photoscope words analogy A B C``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from photoscope.commands.common import add_debug_option, add_model_option, positive_int


def register(sub: Any) -> None:
    words = sub.add_parser("words", help="the network's words: similar words and analogies")
    add_model_option(words)
    jobs = words.add_subparsers(title="jobs", metavar="JOB", required=True)
    similar = _add_job(jobs, "similar", "words the network uses alike")
    similar.add_argument("word")
    similar.add_argument("-n", "--limit", type=positive_int, default=10)
    analogy = _add_job(jobs, "analogy", "A is to B as C is to ?")
    analogy.add_argument("a")
    analogy.add_argument("b")
    analogy.add_argument("c")
    analogy.add_argument("-n", "--limit", type=positive_int, default=5)


def _add_job(jobs: Any, name: str, help: str) -> argparse.ArgumentParser:
    """A job with the options it takes after its name as before it (``--model``, ``--debug``)."""
    job: argparse.ArgumentParser = jobs.add_parser(name, help=help)
    add_model_option(job, of_a_job=True)
    add_debug_option(job)
    job.set_defaults(handler=run)
    return job


def run(args: argparse.Namespace) -> int:
    from photoscope.api import Photoscope, UnknownWordError

    app = Photoscope(model_dir=args.model)
    try:
        if hasattr(args, "word"):
            found = app.similar_words(args.word, args.limit)
        else:
            found = app.analogy(args.a, args.b, args.c, args.limit)
    except UnknownWordError as error:
        print(error, file=sys.stderr)
        return 1
    for item in found:
        print(f"{item.score:6.3f}  {item.word}")
    return 0
