"""Whether Find similar calls its answer the closest guesses when it should: the feature cosine from
which a photo looks like an example photo (``search.results.LOOKS_ALIKE``, ``scoring.looking_alike``),
calibrated on Flickr8k train and measured on val and on the open-world photos.

    python benchmarks/similar_look_alikes.py --data ../shared/datasets/flickr8k
        [--cache runs/cache/flickr8k] [--open-world runs/cache/openworld/open-world-features.npz
        --labels /tmp/openworld/labels.json] [--false-alarms 1e-4] [--bar 0.626]

Each photo is its encoder feature as the indexer stores it (the photo as it is, no mirror image),
unit length; a photo's words are those of its five captions (``word_probes.caption_words``: content
words, plurals folded): the words any caption uses, and its subject, those three or more use.

Calibration, train's 6,000 photos only: of the pairs of photos whose captions share no word
(unrelated: "a dog on the grass" and "a man climbing a rock"), the cosine that one pair in
``--false-alarms`` reaches; printed with how many pairs that share a subject reach it, and of the
pairs that reach it how many share one and how many share no word.

Measured, the library val's 1,000 photos, each photo of val the query (left out, as Find similar
leaves it out); likely matches as the app counts them (the score curve's knee, ``relevance``,
then ``looking_alike``):

- present: a photo another val photo shares a subject with. An answer with no likely match is a
  miss (there is one like it; a miss only says less: "closest guesses").
- absent: every photo one of whose captions uses one of the query's subject words (or its plural)
  is taken out of the library (a library without dogs for a photo of a dog); and, stricter, every
  photo whose captions share any word with it. An answer still claiming a likely match there
  claims what may not be there; the knee alone claims one always.
- open world: the 136 photos of other kinds (``--open-world``: a cat, windmills, monuments, tools),
  each searched in val's library. Those whose query's words no val caption uses have no look-alike
  there: an answer claiming one is a false claim.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import numpy as np

from photoscope.api.scoring import POOL, looking_alike, relevance
from photoscope.network.model import PhotoscopeModel
from photoscope.network.word_probes import caption_words
from photoscope.search.results import LOOKS_ALIKE
from photoscope.training.features import cached_features
from photoscope.training.flickr8k import CaptionDataset


def unit(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def likely(scores: np.ndarray, bar: float) -> int:
    """How many of a search by example's best-first cosines the app calls likely matches with the
    bar ``bar`` (no copies among them: they are likely however the rule reads)."""
    best = np.sort(scores)[::-1][:POOL].tolist()
    return min(relevance(best)[0], looking_alike(best, bar=bar))


def incidence(sets: list[set[str]], vocab: dict[str, int]) -> np.ndarray:
    out = np.zeros((len(sets), len(vocab)), np.float32)
    for i, words in enumerate(sets):
        out[i, [vocab[w] for w in words]] = 1
    return out


def calibrate(x: np.ndarray, has: list[set[str]], about: list[set[str]], false_alarms: float) -> float:
    """The cosine one unrelated train pair in ``false_alarms`` reaches, with what it means."""
    vocab = {w: i for i, w in enumerate(sorted(set().union(*has)))}
    upper = np.triu_indices(len(x), 1)
    cos = (x @ x.T)[upper]
    unrelated = ((incidence(has, vocab) @ incidence(has, vocab).T) == 0)[upper]
    subject = ((incidence(about, vocab) @ incidence(about, vocab).T) > 0)[upper]
    bar = float(np.quantile(cos[unrelated], 1 - false_alarms))
    reach = cos >= bar
    print(f"Flickr8k train, {len(x):,} photos, {len(cos):,} pairs")
    print(
        f"  unrelated pairs (no caption word shared): {unrelated.sum():,}, cosine median"
        f" {np.median(cos[unrelated]):.3f}; one in {1 / false_alarms:,.0f} reaches {bar:.4f}"
    )
    print(
        f"  pairs sharing a subject: {subject.sum():,}, median {np.median(cos[subject]):.3f};"
        f" {100 * np.mean(cos[subject] >= bar):.2f} % reach it"
    )
    print(
        f"  pairs that reach it: {reach.sum():,}; {100 * subject[reach].mean():.1f} % share a subject,"
        f" {100 * unrelated[reach].mean():.1f} % no word (of all pairs: {100 * subject.mean():.1f} %"
        f" and {100 * unrelated.mean():.1f} %)"
    )
    return bar


def measure(
    data: CaptionDataset,
    names: list[str],
    x: np.ndarray,
    has: list[set[str]],
    about: list[set[str]],
    bar: float,
) -> None:
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)  # the query itself is left out
    said = [set(re.findall(r"[a-z]+", " ".join(data.captions[n]).lower())) for n in names]
    present = [0, 0, 0, 0]  # queries, with a likely match; of those and of all, the first of its kind
    absent = [0, 0, 0]  # queries, still claiming one, library photos left (sum)
    strict = [0, 0, 0]
    for q in range(len(names)):
        row = sims[q]
        kind = np.array([bool(about[q] & about[j]) for j in range(len(names))])
        kind[q] = False
        if kind.any():
            present[0] += 1
            kept, first = likely(row, bar) > 0, bool(kind[int(np.argmax(row))])
            present[1] += kept
            present[2] += kept and first
            present[3] += first
        if about[q]:
            gone = np.array([any(w in s or f"{w}s" in s for w in about[q]) for s in said])
            absent[0] += 1
            absent[1] += likely(row[~gone], bar) > 0
            absent[2] += int((~gone).sum())
        apart = np.array([not (has[q] & h) for h in has])
        apart[q] = False
        if apart.any():
            strict[0] += 1
            strict[1] += likely(row[apart], bar) > 0
            strict[2] += int(apart.sum())
    print(f"Flickr8k val, the library its {len(names):,} photos, each the query, the bar {bar}")
    print(
        f"  present ({present[0]} photos another shares a subject with): a likely match kept"
        f" {100 * present[1] / present[0]:.1f} % (the knee alone: 100 %); the first photo shares its subject"
        f" in {100 * present[2] / max(1, present[1]):.1f} % of those"
        f" (of all: {100 * present[3] / present[0]:.1f} %)"
    )
    print(
        f"  absent, its subject's photos taken out ({absent[0]} queries, {absent[2] / absent[0]:.0f}"
        f" photos left on average): a likely match still claimed {100 * absent[1] / absent[0]:.1f} %"
        " (the knee alone: 100 %)"
    )
    print(
        f"  absent, every photo sharing a caption word taken out ({strict[0]} queries,"
        f" {strict[2] / strict[0]:.0f} photos left on average): claimed {100 * strict[1] / strict[0]:.1f} %"
    )


def open_world(
    features: Path, labels: Path, data: CaptionDataset, names: list[str], x: np.ndarray, bar: float
) -> None:
    found = np.load(features)
    files, queries = [str(f) for f in found["files"]], unit(found["features"]) @ x.T
    by_file = {d["file"]: d for d in json.loads(labels.read_text(encoding="utf-8"))}
    said = " ".join(" ".join(data.captions[n]) for n in names).lower()
    vocab = set(re.findall(r"[a-z]+", said))
    unlike = claimed = 0
    for f, row in zip(files, queries, strict=True):
        words = set(re.findall(r"[a-z]+", by_file[f]["query"])) - {"a", "an", "the", "of", "on", "in", "with"}
        if words & vocab:
            continue
        unlike += 1
        claimed += likely(row, bar) > 0
    print(
        f"open world: {len(files)} photos searched in val's library; {unlike} whose query's words no val"
        f" caption uses: a likely match claimed {100 * claimed / max(1, unlike):.1f} %"
        " (the knee alone: 100 %)"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path("runs/cache/flickr8k"))
    p.add_argument("--open-world", type=Path, default=Path("runs/cache/openworld/open-world-features.npz"))
    p.add_argument("--labels", type=Path, default=Path("/tmp/openworld/labels.json"))
    p.add_argument("--false-alarms", type=float, default=1e-4)
    p.add_argument("--bar", type=float, default=LOOKS_ALIKE, help="measure this bar (default: the app's)")
    args = p.parse_args()
    model, data = PhotoscopeModel(), CaptionDataset.load(args.data)
    known = set(model.bundle.vocab.words)
    for split in ("train", "val"):
        names = data.split(split)
        x = unit(cached_features(names, data.root / "images", args.cache)[:, 0])
        has, about = caption_words([data.captions[n] for n in names], known)
        if split == "train":
            calibrate(x, has, about, args.false_alarms)
            continue
        measure(data, names, x, has, about, args.bar)
        if args.open_world.is_file() and args.labels.is_file():
            open_world(args.open_world, args.labels, data, names, x, args.bar)


if __name__ == "__main__":
    main()
