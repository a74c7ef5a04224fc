"""Build ``resources/english-words.txt.gz``: the one-word English words WordNet 3.0 knows (lemmas of
nouns, verbs, adjectives and adverbs, and the irregular forms of its exception lists), lower case,
one a line (development time only: Debian's ``wordnet-base``; the app reads the file, not WordNet).

Usage::

    python tools/build_english_words.py [--wordnet /usr/share/wordnet]

Search offers spelling suggestions for a word it does not know ("dgo": "dog"). A real word it does
not know is no misspelling: "oak" was offered "jak", "oar" and "yak", one letter away. With this
list, such a word is offered only a word the captions use often one slip away ("tress": "trees"),
else it is said to be unknown (``network.lexicon.is_english_word``). Abbreviations ("WTO"), two-letter
words and names but places' are left out: they hid typos ("wto" for "two", "fo" for "for"). Places'
names of four letters or more are in: "paris" had been offered "pairs", a rare caption word.
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

from photoscope.network.lexicon import ENGLISH_WORDS_RESOURCE

POSES = ("noun", "verb", "adj", "adv")
WORD = re.compile(r"[a-z]+")
SHORTEST = 3  # two letters are mostly abbreviations ("ca", "gm") and slips of common words ("fo", "si")
PLACES = "15"  # WordNet's lexicographer file noun.location: cities, countries, rivers, mountains
PLACE_NAME = re.compile(r"[A-Z][a-z]{3,}")  # "Paris", not "Ur" or "USA" (abbreviations hid typos)


def wordnet_words(folder: Path) -> set[str]:
    """The word forms WordNet writes in lower case in some synset (not only as a name, "Paris", or
    an abbreviation, "WTO"), and the irregular forms of its exception lists, of ``SHORTEST`` letters
    or more."""
    words: set[str] = set()
    for pos in POSES:
        for line in (folder / f"data.{pos}").read_text(encoding="utf-8").splitlines():
            if line.startswith(" "):  # the licence's lines start with spaces
                continue
            fields = line.split(" ")
            count = int(fields[3], 16)
            words.update(fields[4 + 2 * i].split("(")[0] for i in range(count))  # "ace(a)": its marker off
        for line in (folder / f"{pos}.exc").read_text(encoding="utf-8").splitlines():
            words.update(line.split())  # "geese goose": both
    return {w for w in words if WORD.fullmatch(w) and len(w) >= SHORTEST}


def place_names(folder: Path) -> set[str]:
    """The one-word names of places WordNet knows ("Paris", "Kenya"), lower case."""
    names: set[str] = set()
    for line in (folder / "data.noun").read_text(encoding="utf-8").splitlines():
        fields = line.split(" ")
        if line.startswith(" ") or fields[1] != PLACES:
            continue
        count = int(fields[3], 16)
        lemmas = (fields[4 + 2 * i] for i in range(count))
        names.update(lemma.lower() for lemma in lemmas if PLACE_NAME.fullmatch(lemma))
    return names


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    p.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / ENGLISH_WORDS_RESOURCE
    )
    args = p.parse_args(argv)
    words = sorted(wordnet_words(args.wordnet) | place_names(args.wordnet))
    # mtime=0: the same words give the same bytes (a rebuild changes nothing in git).
    args.out.write_bytes(gzip.compress(("\n".join(words) + "\n").encode("ascii"), 9, mtime=0))
    print(f"{len(words)} words -> {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
