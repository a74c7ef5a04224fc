"""``photoscope search`` and ``photoscope similar``: find photos, print scores and paths."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from photoscope.commands.common import add_db_option, add_model_option


def register(sub: Any) -> None:
    search = sub.add_parser("search", help="find photos by a description")
    search.add_argument("text", help='what the photo shows, e.g. "two dogs running in the snow"')
    _add_output_options(search)
    search.set_defaults(handler=run_search)
    similar = sub.add_parser("similar", help="find photos that look like a photo")
    similar.add_argument("photo", type=Path, help="a photo, in the library or anywhere else")
    _add_output_options(similar)
    similar.set_defaults(handler=run_similar)


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-n", "--limit", type=int, default=20, help="how many results (default 20)")
    p.add_argument("--json", action="store_true", help="one JSON object per result")
    p.add_argument("--paths-only", action="store_true", help="only the paths, one a line (for pipes)")
    p.add_argument("--folder", help="only photos below this folder")
    p.add_argument("--from", dest="taken_from", help="only photos taken on or after YYYY-MM-DD")
    p.add_argument("--to", dest="taken_to", help="only photos taken on or before YYYY-MM-DD")
    add_db_option(p)
    add_model_option(p)


def _filters(args: argparse.Namespace) -> Any:
    from datetime import date

    from photoscope.api import Filters

    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    return Filters(args.folder, day(args.taken_from), day(args.taken_to))


def _print(results: Any, args: argparse.Namespace) -> int:
    for word in results.unknown_words:
        hint = f" (did you mean: {', '.join(word.suggestions)}?)" if word.suggestions else ""
        print(f"note: the model does not know '{word.word}'{hint}", file=sys.stderr)
    if not results.matches:
        print("no matching photos", file=sys.stderr)
        return 1
    for m in results.matches:
        if args.paths_only:
            print(m.photo.path)
        elif args.json:
            print(
                json.dumps(
                    {
                        "path": m.photo.path,
                        "score": round(m.score, 4),
                        "caption": m.photo.caption,
                        "near_duplicate": m.near_duplicate,
                        "taken_at": m.photo.taken_at,
                    }
                )
            )
        else:
            dup = "  [copy]" if m.near_duplicate else ""
            print(f"{m.score:6.3f}  {m.photo.path}  — {m.photo.caption or ''}{dup}")
    return 0


def run_search(args: argparse.Namespace) -> int:
    from photoscope.api import Photoscope

    with Photoscope(args.db, args.model) as app:
        return _print(app.search_text(args.text, args.limit, _filters(args)), args)


def run_similar(args: argparse.Namespace) -> int:
    from photoscope.api import Photoscope

    if not args.photo.is_file():
        print(f"{args.photo}: no such photo", file=sys.stderr)
        return 2
    with Photoscope(args.db, args.model) as app:
        try:
            results = app.search_photo(args.photo, args.limit, _filters(args))
        except (OSError, ValueError) as error:
            print(f"{args.photo}: cannot read this photo ({error})", file=sys.stderr)
            return 2
        return _print(results, args)
