"""Search latency with a library of synthetic vectors (the network and the queries are real).

    python benchmarks/search.py [--sizes 10000 100000] [--queries 15] [--model DIR]
    python benchmarks/search.py --terms [--sizes 10000] [--queries 8]
    python benchmarks/search.py --scores [--sizes 10000 100000 1000000]

Text queries run the shipped pipeline (text encoder, inversion refinement, cosine ranking over
all latents, top 50), each text inverted anew (``PhotoscopeModel.inversions`` cleared: the latency of
a new query; "asked again" times the same text at once again, as a refresh or Back asks it);
example-photo queries include encoding the photo; the API then marks which listed photo is a copy
of one above it (``duplicates.listed_copies``), timed apart. Prints p50 and p90.

``--terms`` times combined queries of three terms against one text query (issue #17's goal: at
most twice as long): photo + text - word and text + text - word, as the app ranks them (every
text inverted) and with the taken-away word's latent the text encoder's guess alone
(``CombineOptions(invert_negatives=False)``), and "- word" added to a text searched a moment ago
(its inversion kept, as a chip added in the window finds it), interleaved query by query so the
same load falls on each. Wall and CPU time (the process's, all threads), and the median over queries of
each query's ratio to the one-text query run just before it (steadier than a ratio of medians on a
loaded machine).

``--scores`` times one pass of cosines over the store (``VectorStore.scores``) for 1 and 3 query
rows, latents and features, against the plain ``q @ matrix.T`` product it replaced for latents.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

import photoscope  # noqa: F401  # first: it sets the app's OpenMP wait policy before PyTorch loads

# isort: split
import torch
from PIL import Image
from skimage import data

from photoscope.api.scoring import POOL, looking_alike, relevance
from photoscope.network.model import PhotoscopeModel
from photoscope.search.combine import CombinedRanker, CombineOptions, Term, showing
from photoscope.search.duplicates import listed_copies
from photoscope.search.ranking import SearchEngine
from photoscope.search.vectors import VectorStore

QUERIES = [
    "a dog running on the grass",
    "two children playing in the water",
    "a man riding a bike",
    "a black dog jumps over a log",
    "people walking down a busy street",
    "a girl in a pink dress",
    "a skier in the snow",
    "a boy climbing a rock wall",
    "a brown dog swimming",
    "a crowd at a concert",
    "a woman sitting on a bench",
    "a football player in red",
    "a surfer on a wave",
    "a cat",
    "a baby",
    "an eagle",  # the encoder head's concept words (the decoder knows neither of these two)
    "espresso",
    "a laptop on a desk",
]
TAKEN_AWAY = ["people", "water", "a dog", "snow", "grass", "a man", "the street", "trees"]


def synthetic_store(model: PhotoscopeModel, size: int) -> VectorStore:
    """Random vectors at the scale of real ones (real latents' norm; features are non-negative)."""
    torch.manual_seed(0)
    dim = model.bundle.network.config.latent_dim
    store = VectorStore(dim)
    for lo in range(0, size, 20_000):
        n = min(20_000, size - lo)
        top = torch.rand(n, 5).sort(dim=1, descending=True).values / 5  # the head's top-5 classes
        store.upsert(
            range(lo, lo + n), torch.randn(n, dim), torch.rand(n, 1280), (torch.randint(0, 1000, (n, 5)), top)
        )
    return store


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):6.1f} ms, p90 {ordered[int(0.9 * (len(ordered) - 1))]:6.1f} ms"


def timed(
    run: Callable[[], object], model: PhotoscopeModel, before: Callable[[], object] | None = None
) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call, every text inverted anew (none kept from before) but
    those ``before`` (untimed) inverted."""
    model.inversions.clear()
    if before is not None:
        before()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def terms_latency(model: PhotoscopeModel, sizes: list[int], queries: int) -> None:
    for size in sizes:
        store = synthetic_store(model, size)
        samples = _terms_samples(SearchEngine(model, store), CombinedRanker(model, store), queries)
        one = samples["1 text"]
        print(f"{size:>7,} photos, {queries} queries each, interleaved; p50 wall / CPU ms, ratio to 1 text")
        for name, times in samples.items():
            wall = statistics.median(t[0] for t in times)
            cpu = statistics.median(t[1] for t in times)
            line = f"  {name:34s} wall {wall:7.1f}  CPU {cpu:7.1f}"
            if times is not one:
                ratio_wall = statistics.median(t[0] / o[0] for t, o in zip(times, one, strict=True))
                ratio_cpu = statistics.median(t[1] / o[1] for t, o in zip(times, one, strict=True))
                line += f"   x{ratio_wall:4.2f} wall  x{ratio_cpu:4.2f} CPU"
            print(line, flush=True)


def scores_latency(model: PhotoscopeModel, sizes: list[int], repeats: int = 20) -> None:
    for size in sizes:
        store = synthetic_store(model, size)
        for kind in ("latent", "feature"):
            matrix = store.vectors(kind)
            for rows in (1, 3):
                query = torch.randn(rows, matrix.shape[1])
                unit = torch.nn.functional.normalize(query, dim=-1).to(matrix.dtype)
                ms = {
                    "store": _median_ms(partial(store.scores, query, kind), repeats),
                    "q @ matrix.T": _median_ms(lambda unit=unit, matrix=matrix: unit @ matrix.T, repeats),
                }
                print(
                    f"{size:>9,} {kind:7s} {rows} row(s): "
                    + "   ".join(f"{k} {v:6.2f} ms" for k, v in ms.items())
                )


def _median_ms(run: Callable[[], object], repeats: int) -> float:
    """The median of ``repeats`` calls, in milliseconds, after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _terms_samples(
    engine: SearchEngine, ranker: CombinedRanker, queries: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) ms of each query shape, query by query in turn."""
    store = ranker.store
    photo = Term(feature=store.vector_of(7, "feature"), latent=store.raw_latents(torch.tensor([7]))[0])
    app, guessed = CombineOptions(), CombineOptions(invert_negatives=False)

    def combined(terms: list[Term], options: CombineOptions, searched: tuple[str, ...] = ()) -> None:
        """As the app ranks a combined query: its pool, the likely matches of each added term
        alone, which bound the query's (a text's by plain search asked again, its inversion kept,
        unless ``searched`` a moment ago: ``Combining._plain_likely``; a photo's by ``Ranked.alone``
        and its look-alikes, ``Ranked.examples``), and the taken-away words' detectors on its likely
        matches."""
        ranked = ranker.rank(terms, options)
        best = store.top_k(ranked.scores, POOL, exclude=[7])
        likely = relevance([h.score for h in best])[0]
        taken = [t.text for t in terms if t.negative and t.text is not None]
        if taken:  # the likely matches end before the first that shows it (``Combining``)
            showing(ranker.model, store, [h.photo_id for h in best[:likely]], taken)
        added = [t.text for t in terms if t.text is not None and not t.negative]
        for text in [t for t in added if t not in searched]:
            alone = engine.search_text(text, POOL)
            engine.likely_through(text, [h.photo_id for h in alone.hits])
        for row in ranked.alone:
            relevance([h.score for h in store.top_k(row, POOL, exclude=[7])])
        for row in ranked.examples:
            looking_alike([h.score for h in store.top_k(row, POOL, exclude=[7])])

    engine.search_text(QUERIES[0])  # warm-up
    combined([photo, Term(text=QUERIES[1]), Term(text="people", negative=True)], app)
    samples: dict[str, list[tuple[float, float]]] = {}
    for i in range(queries):
        text, other = QUERIES[i % len(QUERIES)], QUERIES[(i + 5) % len(QUERIES)]
        minus = Term(text=TAKEN_AWAY[i % len(TAKEN_AWAY)], negative=True)
        shapes = {
            "photo + text - word": [photo, Term(text=text), minus],
            "text + text - word": [Term(text=text), Term(text=other), minus],
        }
        samples.setdefault("1 text", []).append(timed(partial(engine.search_text, text, k=50), ranker.model))
        for name, terms in shapes.items():
            for label, options in (("app", app), ("- guessed", guessed)):
                samples.setdefault(f"{name} ({label})", []).append(
                    timed(partial(combined, terms, options), ranker.model)
                )
        # chips come one at a time: the text was searched a moment ago, then "- word" is added
        samples.setdefault("text searched, then - word", []).append(
            timed(
                partial(combined, [Term(text=text), minus], app, (text,)),
                ranker.model,
                partial(engine.search_text, text),
            )
        )
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=15)
    parser.add_argument("--model")
    parser.add_argument("--terms", action="store_true", help="three-term queries against one text query")
    parser.add_argument("--scores", action="store_true", help="one cosine pass over the store")

    args = parser.parse_args()
    model = PhotoscopeModel(args.model)
    if args.terms:
        terms_latency(model, args.sizes, args.queries)
        return
    if args.scores:
        scores_latency(model, args.sizes)
        return
    photos = [
        Image.fromarray(getattr(data, n)()).convert("RGB")
        for n in ("astronaut", "coffee", "chelsea", "rocket")
    ]
    for size in args.sizes:
        engine = SearchEngine(model, synthetic_store(model, size))
        engine.search_text(QUERIES[0])  # warm-up (first call loads and traces)
        engine.search_vector(model.embed(photos[:1])[0].feature)
        text, again, example, copies = [], [], [], []
        for i in range(args.queries):
            text.append(_text_query(engine, QUERIES[i % len(QUERIES)]))
            started = time.perf_counter()  # the same again (a refresh, Back): its inversion kept
            found = engine.search_text(QUERIES[i % len(QUERIES)], k=50)
            again.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()  # which listed photo is a copy of one above (the API's)
            listed_copies(engine.store, [h.photo_id for h in found.hits])
            copies.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            feature = model.embed([photos[i % len(photos)]])[0].feature
            engine.search_vector(feature, k=50)
            example.append((time.perf_counter() - started) * 1000)
        print(
            f"{size:>7,} photos  text query: {percentiles(text)}   asked again: {percentiles(again)}"
            f"   example photo (encoding included): {percentiles(example)}"
            f"   copies marked among 50 listed: {percentiles(copies)}",
            flush=True,
        )


def _text_query(engine: SearchEngine, text: str) -> float:
    """Milliseconds of one text query, its text inverted anew, as a new query's is."""
    engine.model.inversions.clear()
    started = time.perf_counter()
    engine.search_text(text, k=50)
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
