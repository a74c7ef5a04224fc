"""Search latency with a library of synthetic vectors (the network and the queries are real).

    python benchmarks/search.py [--sizes 10000 100000] [--queries 15] [--model DIR]

Text queries run the shipped pipeline (text encoder, inversion refinement, cosine ranking over
all latents, top 50); example-photo queries include encoding the photo. Prints p50 and p90.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from PIL import Image
from skimage import data

from photoscope.network.model import PhotoscopeModel
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=15)
    parser.add_argument("--model")
    args = parser.parse_args()
    model = PhotoscopeModel(args.model)
    photos = [
        Image.fromarray(getattr(data, n)()).convert("RGB")
        for n in ("astronaut", "coffee", "chelsea", "rocket")
    ]
    for size in args.sizes:
        engine = SearchEngine(model, synthetic_store(model, size))
        engine.search_text(QUERIES[0])  # warm-up (first call loads and traces)
        engine.search_vector(model.embed(photos[:1])[0].feature)
        text, example = [], []
        for i in range(args.queries):
            started = time.perf_counter()
            engine.search_text(QUERIES[i % len(QUERIES)], k=50)
            text.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            feature = model.embed([photos[i % len(photos)]])[0].feature
            engine.search_vector(feature, k=50)
            example.append((time.perf_counter() - started) * 1000)
        print(
            f"{size:>7,} photos  text query: {percentiles(text)}   example photo (encoding included): "
            f"{percentiles(example)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
