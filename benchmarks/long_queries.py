"""What text search should do with a long description: Flickr8k val photos searched by 2, 3 or 5
of their own captions joined into one text (long, and all of it true).

    python benchmarks/long_queries.py --data ../shared/datasets/flickr8k [--cache runs/cache/flickr8k]
        [--photos 300] [--seed 0] [--part 1/4 --save p1.npz | --load p1.npz p2.npz ...]

The library is val's 1,000 photos as the app stores them (``split_library``). ``--photos`` of them,
drawn with a fixed seed, each take their 5 captions in a random order; the query of k captions is
the first k joined ("A dog runs . A brown dog plays on the grass ."). Every text is ranked as the
app ranks it (``TextRanker.scores`` with ``TextSearchOptions()``: the shipped path of ``photoscope
evaluate retrieval --methods shipped``), and each rule turns a long text into one score per photo:

- full: the text as it is;
- first N: its first N words (punctuation is not a word);
- sentences: each sentence (split at . ! ?) searched on its own, the photos' scores z-scored per
  sentence and averaged (a text of one sentence is searched as it is);
- chunks of C: the words cut into the fewest runs of at most C words, of near-equal length (no
  punctuation needed: a run-on description), then as sentences.

Printed: R@1 / R@10 / median rank of the true photo for each rule and k (k = 1 is one caption, the
baseline), then every query of every k pooled by its word count, for the rules side by side (where
a rule starts to beat the full text).

Measured 2026-12-05 (model as shipped at 21777d0; 300 photos, seed 0, in 4 parts of about 4.5
minutes each on 2 busy cores: ``--part 1/4 --save p1.npz`` ... then ``--load p1.npz p2.npz p3.npz p4.npz``):

    R@1 / R@10 / median rank   k=1 (11 words)  k=2 (22)       k=3 (33)       k=5 (55)
    full                       26.7 65.0 4     31.0 75.0 3    30.3 76.0 3    33.3 78.7 3
    first 15                   24.3 63.7 5     25.0 68.0 5    24.7 67.3 5    24.7 67.3 5
    first 20                   26.3 64.7 4     30.3 71.0 4    29.7 70.7 4    29.7 70.7 4
    first 25                   26.7 65.0 4     29.7 74.0 4    28.7 72.7 4    29.0 72.7 4
    first 30                   26.7 65.0 4     31.0 74.7 3    31.0 74.0 3    30.7 74.0 3
    sentences                  26.7 65.0 4     34.3 74.7 3    34.7 79.0 3    36.7 80.7 2
    chunks of 20               26.3 65.0 4     32.3 74.3 4    33.7 76.7 3    35.0 78.3 3

    R@10 by words (queries)    full  first 15  first 20  first 25  first 30  sentences  chunks 20
    0-15   (284)               63.7  63.7      63.7      63.7      63.7      64.1       63.7
    16-20  (140)               77.1  70.0      77.1      77.1      77.1      76.4       77.1
    21-25  (139)               74.1  67.6      66.2      74.1      74.1      74.8       74.8
    26-30  (133)               75.2  69.2      73.7      72.9      75.2      77.4       73.7
    31-40  (184)               76.6  65.2      69.6      73.9      74.5      79.3       78.3
    41-50  (104)               77.9  68.3      69.2      69.2      69.2      77.9       75.0
    51-60  (134)               76.9  66.4      70.9      73.1      75.4      80.6       76.1
    61+     (82)               81.7  65.9      69.5      70.7      74.4      81.7       82.9

A long text of true captions is not read worse than a short one: the full text gains with length.
Cutting it to its first N words always loses (R@10 -4 to -11 at 55 words). Searching each sentence
and averaging z-scores is best from about 30 words (k=5: R@1 36.7 against 33.3, R@10 80.7 against
78.7); fixed 20-word chunks (no punctuation needed) are level with the full text. The audit-85
sentence (57 words, most of them naming what the photo does not show) is another case: there the
first 15 to 25 words rank its photo 1st, the full text, sentences and chunks 85th to 121st of 135.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np

from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import TextRanker, TextSearchOptions
from photoscope.training.evaluate import recall_at
from photoscope.training.flickr8k import CaptionDataset
from photoscope.training.retrieval import split_library

KS = (1, 2, 3, 5)
CUTS = (15, 20, 25, 30)
CHUNKS = (20,)
BUCKETS = ((0, 15), (16, 20), (21, 25), (26, 30), (31, 40), (41, 50), (51, 60), (61, 999))


def is_word(token: str) -> bool:
    return re.search(r"[^\W_]", token) is not None


def word_count(text: str) -> int:
    return sum(map(is_word, text.split()))


def first_words(text: str, n: int) -> str:
    """The text up to and with its n-th word (its punctuation kept)."""
    kept, seen = [], 0
    for token in text.split():
        seen += is_word(token)
        if seen > n:
            break
        kept.append(token)
    return " ".join(kept)


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"[.!?]+", text)]
    return [p for p in parts if word_count(p)] or [text]


def chunks(text: str, most: int) -> list[str]:
    words = [t for t in text.split() if is_word(t)]
    n = max(1, math.ceil(len(words) / most))
    return [" ".join(part) for part in np.array_split(np.array(words, dtype=object), n) if len(part)]


class Scored:
    """Each distinct text's scores of the library's photos, computed once, in batches."""

    def __init__(self, ranker: TextRanker, options: TextSearchOptions) -> None:
        self.ranker, self.options, self.rows = ranker, options, {}

    def fill(self, texts: Sequence[str], batch: int = 50) -> None:
        # by length: a batch is padded to its longest text (the re-rank's cost is its length x 50)
        todo = sorted(dict.fromkeys(t for t in texts if t not in self.rows), key=len)
        for lo in range(0, len(todo), batch):
            chunk = todo[lo : lo + batch]
            scores = self.ranker.scores(chunk, self.options).detach().numpy().astype(np.float64)
            for text, row in zip(chunk, scores, strict=True):
                self.rows[text] = row

    def __getitem__(self, text: str) -> np.ndarray:
        return self.rows[text]

    def z_mean(self, parts: Sequence[str]) -> np.ndarray:
        """The parts' scores, each z-scored over the photos (a -inf as the part's worst), averaged."""
        if len(parts) == 1:
            return self.rows[parts[0]]
        out = []
        for p in parts:
            row = self.rows[p].copy()
            finite = np.isfinite(row)
            if not finite.any():
                continue
            row[~finite] = row[finite].min() - 1.0
            out.append((row - row.mean()) / (row.std() + 1e-9))
        return np.mean(out, axis=0) if out else self.rows[parts[0]]


def rules() -> dict[str, tuple[Callable[[str], list[str]], bool]]:
    """name: (the texts a query is searched by, whether they are parts to z-average)."""
    out: dict[str, tuple[Callable[[str], list[str]], bool]] = {"full": (lambda t: [t], False)}
    for n in CUTS:
        out[f"first {n}"] = (lambda t, n=n: [first_words(t, n)], False)
    out["sentences"] = (sentences, True)
    for c in CHUNKS:
        out[f"chunks of {c}"] = (lambda t, c=c: chunks(t, c), True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path("runs/cache/flickr8k"))
    p.add_argument("--photos", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--part", default="1/1", help="I/P: search the I-th of P near-equal parts of the photos")
    p.add_argument("--save", type=Path, help="keep this part's ranks in this .npz file")
    p.add_argument("--load", type=Path, nargs="+", help="print the figures of these parts' .npz files")
    args = p.parse_args()
    if args.load:
        got = [np.load(f) for f in args.load]
        report({k: np.concatenate([g[k] for g in got]) for k in got[0].files})
        return
    model, data = PhotoscopeModel(), CaptionDataset.load(args.data)
    names, store, _ = split_library(model, data, "val", args.cache)
    rng = np.random.default_rng(args.seed)
    photos = sorted(rng.choice(len(names), min(args.photos, len(names)), replace=False).tolist())
    queries: list[tuple[int, int, str]] = []  # (photo row, k, text)
    for i in photos:
        caps = [c.strip() if c.strip().endswith(".") else c.strip() + " ." for c in data.captions[names[i]]]
        order = rng.permutation(len(caps))
        for k in KS:
            queries.append((i, k, " ".join(caps[j] for j in order[:k])))
    part, parts = map(int, args.part.split("/"))
    queries = [q for q in queries if photos.index(q[0]) * parts // len(photos) == part - 1]
    every = rules()
    scored = Scored(TextRanker(model, store), TextSearchOptions())
    scored.fill([t for _, _, text in queries for rule, _ in every.values() for t in rule(text)])
    out = {name: [] for name in every}
    for i, _, text in queries:
        for name, (rule, parts_of) in every.items():
            texts = rule(text)
            row = scored.z_mean(texts) if parts_of else scored[texts[0]]
            out[name].append(int((row > row[i]).sum()))
    ranks = {name: np.array(r) for name, r in out.items()}
    ranks["words"] = np.array([word_count(text) for _, _, text in queries])
    ranks["k"] = np.array([k for _, k, _ in queries])
    print(f"Flickr8k val, part {args.part} of {len(photos)} photos (seed {args.seed}), the library val's")
    print(f"{len(names)} photos; {len(scored.rows)} distinct texts searched.")
    if args.save:
        np.savez(args.save, **ranks)
    report(ranks)


def report(ranks: dict[str, np.ndarray]) -> None:
    counts, ks = ranks.pop("words"), ranks.pop("k")
    print(f"{int((ks == 1).sum())} photos. R@1 / R@10 / median rank of the true photo among val's 1,000:")
    print(
        f"{'rule':14s}" + "".join(f"  {f'k={k} ({np.median(counts[ks == k]):.0f} words)':>22s}" for k in KS)
    )
    for name, r in ranks.items():
        cells = [recall_at(r[ks == k]) for k in KS]
        print(
            f"{name:14s}"
            + "".join(f"  {m['r1']:5.1f} {m['r10']:5.1f} {m['median_rank']:5.0f}    " for m in cells)
        )
    print("\nEvery query pooled by its word count, R@10 (median rank):")
    print(f"{'words':8s}{'queries':>8s}" + "".join(f"{name:>16s}" for name in ranks))
    for lo, hi in BUCKETS:
        sel = (counts >= lo) & (counts <= hi)
        if not sel.any():
            continue
        label = f"{lo}-{hi}" if hi < 999 else f"{lo}+"
        cells = [recall_at(r[sel]) for r in ranks.values()]
        print(
            f"{label:8s}{int(sel.sum()):8d}"
            + "".join(f"{m['r10']:10.1f} ({m['median_rank']:3.0f})" for m in cells)
        )


if __name__ == "__main__":
    main()
