"""How many of a combined query's matches are called likely, and how many of those are relevant.

    python benchmarks/combined_likely.py --data ../shared/datasets/flickr8k [--per-type 200]
        [--texts-judged] [--plain-cap]

The #17 audit of stop 44: in a library of 84 photos, "a dog" had 14 likely matches, and "a dog" +
a dog's photo - a snowy mountain's photo 42 (a wedding party, a cheetah, the Taj Mahal among them):
the score curve's rule (``api.scoring.relevance``) calls up to half the pool likely when no cliff
stands out, and a sum of terms makes a smooth curve. A combined query asks for more than each of its
added terms, never less, so this measures a cap: no more likely matches than the fewest any of its
added terms has alone (plain search by that text, or by that photo).

On ``combined_queries.py``'s queries (Flickr8k val, its relevance rule), for the app's combined
ranking with its default options: the mean count of likely matches, the share of them that are
relevant (precision) and the share of the relevant photos they hold (recall), for the rule alone
and with three caps: each added term's plain search (a text's full ranking, a photo's features);
the rows the combined ranking already has (a text's latent cosine plus its concept row, a photo's
features); the same with a photo's latent (what the app ships: no search more, no feature pass);
and plain search by each query's first term.

On 2026-12-03 (200 queries a kind; likely / precision % / recall %): photo + word 40.9 / 10.8 /
35.3 by the rule, 8.8 / 17.5 / 14.3 capped by plain searches, 22.8 / 14.2 / 24.6 as shipped;
text - word 41.0 / 34.8 / 30.1, 8.6 / 46.7 / 10.4, 27.4 / 37.6 / 23.2; photo - word 38.0 / 39.1 /
12.6, 27.8 / 39.9 / 9.8, 27.6 / 40.8 / 9.8; word + word 39.6 / 14.2 / 37.6, 6.7 / 23.5 / 13.4,
21.9 / 18.3 / 25.5. Plain searches would bound best but cost a search each (a text's: its
inversion and re-rank, about a single query's time): the 3-term query would pass twice a text
query's. As shipped it costs ``benchmarks/search.py --terms`` x1.60 -> x1.85 (text + text - word)
and x1.20 -> x1.43 (photo + text - word) at 100,000 photos.

Since stop 50 an added photo also bounds them by the photos that look like it (feature cosine from
``results.ADDED_PHOTO_LOOKS_ALIKE``; the last columns): on 2026-12-03, photo + word 22.8 / 14.2 /
24.6 -> 12.0 / 15.9 / 15.0, photo - word 27.6 / 41.2 / 10.0 -> 15.0 / 42.4 / 5.7; the kinds
without a photo unchanged.

``--texts-judged`` adds what the app does since stop 58 (``api.combining.Combining._read_as_its_texts``):
the shipped cap, then every added text judged over the answer's first 20 photos (``LISTED``, the
command line's default) as plain search judges it: none likely when no listed photo clearly shows
its words, else cut through the shortest run of photos that show them. The app judged a lone added
text so since stop 50 (text - word), no other. On 2026-12-04 (200 queries a kind; likely / precision
/ recall %), shipped -> judged: photo + word 12.0 / 16.0 / 15.2 -> 7.8 / 15.6 / 11.7, text - word
27.0 / 37.7 / 22.9 -> 14.7 / 39.9 / 15.7, word + word 21.9 / 18.3 / 25.5 -> 9.5 / 22.3 / 15.5;
photo - word (no added text) unchanged. It says less, at the same precision or better.

``--plain-cap`` (audit 92: "a bridge" - "snow" called 5 photos likely where "a bridge" alone
had 3): ``--texts-judged``'s, with each added text bounded by what plain search of it calls
likely (its ranking's knee cut through its judges' run), not by its latent cosine and concept row's
knee, as the app does since (``Combining._likely_within_texts_alone``). 100 queries a kind, judged
-> plain cap (likely / precision / recall %): photo + word 7.8 / 12.4 / 10.6 -> 4.5 / 12.6 / 7.7,
text - word 13.8 / 41.2 / 14.3 -> 6.3 / 47.8 / 8.6, word + word 10.7 / 21.5 / 17.3 -> 4.9 / 24.1
/ 10.4; photo - word (no added text) unchanged.

Since audit 94 (``--plain-cap`` prints it for text - word, "kept"): "a bridge" - "snow" calls as
many photos likely as "a bridge" alone, but a windmill among them in place of Pont du Gard (the
taken-away word, which no photo shows, reshuffled the order). Three rules that would call likely
only photos the text alone does were measured on the same 100 text - word queries (likely /
precision / recall %, against the plain cap's 6.3 / 47.8 / 8.6) and not shipped: where neither
list's likely photos show the word by its detectors, the text's own likely matches 6.5 / 43.6 /
8.3 (the column); the capped likely photos the text alone calls likely too, 2.5 / 37.0 / 3.5; and
those up to the first it does not, 1.0 / 28.2 / 1.8. The detectors miss the taken-away word in
many photos whose captions have it, so the text's own likely matches are less often without it
than the combined query's.

``--members`` adds a stricter rule, measured and not shipped (stop 45, after a window showed
20x "an animal" - 2.5x "a dog" calling scissors and a frying pan likely under the count cap): the
shipped cap's likely matches only up to the first that no added term calls likely alone. 200
queries a kind, shipped -> members: photo + word 22.8 / 14.2 / 24.6 -> 3.4 / 14.9 / 7.1, text -
word 27.0 / 37.7 / 22.9 -> 4.6 / 35.4 / 6.8, photo - word 27.6 / 41.2 / 10.0 -> 2.3 / 28.7 / 1.3,
word + word 21.9 / 18.3 / 25.5 -> 3.6 / 22.3 / 8.9: it says far less for no better precision.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
import combined_queries as cq  # benchmarks/combined_queries.py

from photoscope.api.scoring import POOL, looking_alike, relevance
from photoscope.network.model import PhotoscopeModel
from photoscope.network.word_probes import caption_words
from photoscope.search.combine import CombineOptions, showing
from photoscope.search.ranking import SearchEngine, TextRanker, TextSearchOptions
from photoscope.search.results import ADDED_PHOTO_LOOKS_ALIKE, likely_count
from photoscope.search.vectors import VectorStore
from photoscope.training.retrieval import store_with_concepts


def likely(scores: torch.Tensor, leave_out: int | None) -> list[int]:
    """The rows the app would call likely for these scores (its pool, its rule)."""
    scores = scores.clone()
    if leave_out is not None:
        scores[leave_out] = float("-inf")
    top = scores.topk(POOL)
    count, _ = relevance(top.values.tolist())
    return top.indices[:count].tolist()


# The photos an answer lists, which its texts are judged over: the command line's default (``-n``;
# the window lists 1,000, over which a word is less often unseen).
LISTED = 20


def _listing(scores: torch.Tensor, leave_out: int | None, limit: int = LISTED) -> list[int]:
    """The rows an answer lists, best first."""
    scores = scores.clone()
    if leave_out is not None:
        scores[leave_out] = float("-inf")
    return scores.topk(limit).indices.tolist()


def figures(found: list[list[int]], queries: list[cq.Query]) -> tuple[float, float, float]:
    """Mean likely count, precision of the likely matches, recall within them (percent)."""
    counts = [len(f) for f in found]
    precision = [
        sum(i in q.relevant for i in f) / max(1, len(f)) for f, q in zip(found, queries, strict=True)
    ]
    recall = [sum(i in q.relevant for i in f) / len(q.relevant) for f, q in zip(found, queries, strict=True)]
    return statistics.fmean(counts), 100 * statistics.fmean(precision), 100 * statistics.fmean(recall)


def _members(rows: list[int], alone: list[list[int]]) -> list[int]:
    """The shipped cap's likely rows, up to the first that no added term calls likely alone."""
    cap, union = min(len(a) for a in alone), {r for a in alone for r in a}
    kept = []
    for row in rows[: max(1, cap)]:
        if row not in union:
            break
        kept.append(row)
    return kept


def _before_shown(model: PhotoscopeModel, store: VectorStore, rows: list[int], q: cq.Query) -> list[int]:
    """The likely rows before the first that shows the query's taken-away word by its detectors
    (``combine.showing``: as the names' lift leaves such photos out)."""
    if q.negative is None or not rows:
        return rows
    shown = showing(model, store, rows, [q.negative])
    return rows[: next((at for at, r in enumerate(rows) if r in shown), len(rows))]


def _shipped_cap(q: cq.Query, alone: list[list[int]], scorer: cq.Scorer) -> int:
    """The app's bound (``api.combining._likely_bound``): the fewest likely rows an added term has
    alone by its latent (at least one), and an added photo's look-alikes by feature cosine
    (``results.ADDED_PHOTO_LOOKS_ALIKE``; none when no photo looks like it)."""
    cap = max(1, min(len(rows) for rows in alone))
    if q.photo is None:
        return cap
    row = scorer.plain(q, "photo").clone()
    row[q.photo] = float("-inf")
    return min(cap, looking_alike(row.topk(POOL).values.tolist(), bar=ADDED_PHOTO_LOOKS_ALIKE))


def _texts_judged(engine: SearchEngine, rows: list[int], listed: list[int], q: cq.Query) -> list[int]:
    """The likely rows as the app reads every added text over the listing since stop 58
    (``api.combining.Combining._read_as_its_texts``): none when no listed photo clearly shows a
    text's words (``unclear_concepts``), else cut through each text's run of photos that show them
    (``likely_through``, the shortest)."""
    if not q.texts or not rows:
        return rows
    if any(engine.unclear_concepts(text, listed) for text in q.texts):
        return []
    throughs = [t for t in (engine.likely_through(text, listed) for text in q.texts) if t is not None]
    return rows[: likely_count(len(rows), 0, min(throughs, default=None))]


def _plain_likely(engine: SearchEngine, text: str, row: torch.Tensor) -> int:
    """How many photos plain search of a text calls likely (``Searching._search_words``): its score
    curve's knee cut through its judges' run over its listing (``likely_count``), the query photo
    not left out, as plain search does not."""
    knee = len(likely(row, None))
    through = engine.likely_through(text, _listing(row, None, POOL))
    return likely_count(knee, 0, through, 0, engine.head_alone(text))


def _text_kept(
    engine: SearchEngine,
    model: PhotoscopeModel,
    store: VectorStore,
    q: cq.Query,
    row: torch.Tensor,
    rows: list[int],
) -> list[int]:
    """One text with a word taken away that neither its likely ``rows`` (the plain cap's) nor the
    text's own likely matches show: those (plain search's, as the app lists them first since audit
    94); else ``rows``."""
    alone = _listing(row, None, POOL)[: _plain_likely(engine, q.texts[0], row)]
    both = list(dict.fromkeys([*alone, *rows]))
    return alone if alone and _before_shown(model, store, both, q) == both else rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--split", default="val")
    parser.add_argument("--model", default=None)
    parser.add_argument("--per-type", type=int, default=200)
    parser.add_argument(
        "--shown-cut",
        action="store_true",
        help="also: the shipped cap, then only the matches before the first that shows the taken-away word",
    )
    parser.add_argument(
        "--texts-judged",
        action="store_true",
        help="also: the shipped cap, then each added text judged over the listing as plain search judges it",
    )
    parser.add_argument(
        "--plain-cap",
        action="store_true",
        help="also: --texts-judged's, no more likely than plain search of any added text calls likely",
    )
    parser.add_argument(
        "--members",
        action="store_true",
        help="also: the shipped cap, then only the matches some added term calls likely alone",
    )
    args = parser.parse_args()
    data, names, model, features, latents = cq.encoded_split(args)
    raw = torch.from_numpy(features.astype("float32"))
    store = store_with_concepts(model, raw, latents)
    has, about = caption_words([data.captions[n] for n in names], set(model.bundle.vocab.words))
    queries = cq.build_queries(has, about, args.per_type)
    scorer = cq.Scorer(model, store, queries, raw)
    engine = SearchEngine(model, store)
    words = sorted({t for q in queries for t in q.texts})
    plain_text = dict(zip(words, TextRanker(model, store).scores(words, TextSearchOptions()), strict=True))

    def alone(q: cq.Query, cheap: bool | str = False) -> list[list[int]]:
        """Each added term's likely rows, searched alone (``cheap``: a text by its latent's cosine
        and its concepts only, the rows the combined ranking already has: no re-rank, no detectors)."""
        texts = [scorer.cos[t] + scorer.concept[t] if cheap else plain_text[t] for t in q.texts]
        rows = [likely(row, q.photo) for row in texts]
        if q.photo is None:
            return rows
        photo = (
            scorer.latents @ F.normalize(scorer.latents[q.photo], dim=0)
            if cheap == "latent"
            else scorer.plain(q, "photo")
        )
        return [*rows, likely(photo, q.photo)]

    print(f"model {model.version}, {args.split}: {len(names)} photos, pool {POOL}")
    print(
        "kind             queries  rule: likely  precision  recall   capped: likely  precision  recall"
        "   cheap cap: likely  precision  recall   latent cap (before stop 50), shipped: likely"
        "  precision  recall"
    )
    for kind in dict.fromkeys(q.kind for q in queries):
        qs = [q for q in queries if q.kind == kind]
        app = [likely(scorer.combined(q, CombineOptions()), q.photo) for q in qs]
        first = [alone(q)[0] for q in qs]
        a, p = figures(app, qs), figures(first, qs)
        shown = [f"{a[0]:12.1f} {a[1]:10.1f} {a[2]:7.1f}"]
        for cheap in (False, True, "latent"):
            caps = [min(len(rows) for rows in alone(q, cheap)) for q in qs]
            c = figures([rows[: max(1, cap)] for rows, cap in zip(app, caps, strict=True)], qs)
            shown.append(f"{c[0]:14.1f} {c[1]:10.1f} {c[2]:7.1f}")
        # as shipped since stop 50: the latent cap, and an added photo's look-alikes (none: none likely)
        caps = [_shipped_cap(q, alone(q, "latent"), scorer) for q in qs]
        s = figures([rows[:cap] for rows, cap in zip(app, caps, strict=True)], qs)
        shown.append(f"{s[0]:14.1f} {s[1]:10.1f} {s[2]:7.1f}")
        if args.shown_cut:
            capped = [rows[:cap] for rows, cap in zip(app, caps, strict=True)]
            cut = [_before_shown(model, store, rows, q) for rows, q in zip(capped, qs, strict=True)]
            c = figures(cut, qs)
            shown.append(f"{c[0]:14.1f} {c[1]:10.1f} {c[2]:7.1f}")
        if args.texts_judged or args.plain_cap:
            capped = [rows[:cap] for rows, cap in zip(app, caps, strict=True)]
            listings = [_listing(scorer.combined(q, CombineOptions()), q.photo) for q in qs]
            found = [
                _texts_judged(engine, rows, listed, q)
                for rows, listed, q in zip(capped, listings, qs, strict=True)
            ]
            j = figures(found, qs)
            shown.append(f"{j[0]:14.1f} {j[1]:10.1f} {j[2]:7.1f}")
        if args.plain_cap:  # since audit 92 a text's own cap is plain search's, not its latent's knee
            photo_caps = [  # an added photo's as before; POOL: no photo, no cap
                _shipped_cap(q, alone(q, "latent")[len(q.texts) :], scorer) if q.photo is not None else POOL
                for q in qs
            ]
            text_caps = [
                min([cap, *(_plain_likely(engine, t, plain_text[t]) for t in q.texts)])
                for cap, q in zip(photo_caps, qs, strict=True)
            ]
            replaced = [
                _texts_judged(engine, rows[:cap], listed, q)
                for rows, cap, listed, q in zip(app, text_caps, listings, qs, strict=True)
            ]
            r = figures(replaced, qs)
            shown.append(f"{r[0]:14.1f} {r[1]:10.1f} {r[2]:7.1f}")
            if kind == "text - word":  # since audit 94: what no listed photo shows
                kept = [
                    _text_kept(engine, model, store, q, plain_text[q.texts[0]], rows)
                    for rows, q in zip(replaced, qs, strict=True)
                ]
                k = figures(kept, qs)
                shown.append(f"  kept: {k[0]:.1f} {k[1]:10.1f} {k[2]:7.1f}")
        if args.members:
            found = [_members(rows, alone(q, "latent")) for rows, q in zip(app, qs, strict=True)]
            m = figures(found, qs)
            shown.append(f"{m[0]:14.1f} {m[1]:10.1f} {m[2]:7.1f}")
        print(f"{kind:16s} {len(qs):7d}  {'   '.join(shown)}")
        print(f"  (first term alone: {p[0]:.1f} likely, precision {p[1]:.1f}, recall {p[2]:.1f})")


if __name__ == "__main__":
    main()
