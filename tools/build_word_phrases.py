"""Build ``resources/word-phrases.json``: the detector words that Flickr8k's captions use almost only
as the first word of one phrase ("german" of "german shepherd", "tank" of "tank top"), with that
phrase (development time only; the app reads the file).

Usage::

    python tools/build_word_phrases.py --data ../shared/datasets/flickr8k

What a photo term counts as is its likeliest detector words, shown to the user ("The photo counts
as what it shows: dog, german, brown": the fresh-seat audit of stop 50); a word that means its
phrase is shown as the phrase. Read from the train captions: a content word with a detector, used
at least ``--min-uses`` times, whose most frequent next word follows it at least ``--share`` of the
time and is a word of content itself (not "of", not the caption's end).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from photoscope.network.word_probes import CAPTION_FUNCTION_WORDS, WORD_PHRASES_RESOURCE, load_word_probes
from photoscope.training.flickr8k import CaptionDataset


def phrases(captions: list[str], words: set[str], min_uses: int, share: float) -> dict[str, str]:
    """Each of ``words`` that ``captions`` use as a phrase's first word, with the phrase."""
    following: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for caption in captions:
        tokens = re.findall(r"[a-z]+", caption.lower())
        for word, after in zip(tokens, [*tokens[1:], ""], strict=True):
            if word in words:
                following[word][after] += 1
    out = {}
    for word, counts in sorted(following.items()):
        uses = sum(counts.values())
        after, n = counts.most_common(1)[0]
        if uses >= min_uses and n >= share * uses and after and after not in CAPTION_FUNCTION_WORDS:
            out[word] = f"{word} {after}"
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--min-uses", type=int, default=20)
    p.add_argument("--share", type=float, default=0.7)
    p.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / WORD_PHRASES_RESOURCE
    )
    args = p.parse_args(argv)
    probes = load_word_probes()
    data = CaptionDataset.load(args.data)
    captions = [c for name in data.split("train") for c in data.captions[name]]
    found = phrases(captions, set(probes.content or ()), args.min_uses, args.share)
    about = (
        "detector words Flickr8k's train captions use almost only as a phrase's first word, with the"
        f" phrase (at least {args.min_uses} uses, the next word {args.share:.0%} of them);"
        " built by tools/build_word_phrases.py"
    )
    args.out.write_text(
        json.dumps({"dataset": probes.dataset, "about": about, "phrases": found}, indent=1) + "\n"
    )
    print(f"{len(found)} phrases: {', '.join(found.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
