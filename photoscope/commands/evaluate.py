"""``photoscope evaluate``: the model's figures on a dataset split."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from photoscope.commands.common import EXIT_USAGE, add_decoding_options, add_model_option, plain_path

if TYPE_CHECKING:
    import numpy as np
    import torch

    from photoscope.network import DecodeOptions, PhotoscopeModel
    from photoscope.training.open_world import CategoryResult, OpenWorldPhoto, PhotoResult


@dataclass(frozen=True)
class _Encoded:
    """A split as the network sees it, what ``captions`` and ``retrieval`` both measure: the model,
    each photo's latent, its reference captions and its encoder features (as the indexer: no mirror)."""

    model: PhotoscopeModel
    latents: torch.Tensor
    refs: list[list[str]]
    features: torch.Tensor


def evaluate(args: argparse.Namespace) -> int:
    import torch

    from photoscope.config import cache_dir
    from photoscope.network import PhotoscopeModel
    from photoscope.training.features import cached_features, encoder_cache
    from photoscope.training.flickr8k import CaptionDataset

    if args.what == "open-world":
        return _open_world(args)
    data = CaptionDataset.load(args.data)
    names = data.split(args.split)
    if not names:  # on stderr, as every error: stdout is for the figures (audit 74, repro_7)
        print(
            f"photoscope: {args.data} has no {args.split}.txt split (give --split a split file's name)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    model = PhotoscopeModel(args.model)
    key = hashlib.sha1(str(data.root.resolve()).encode()).hexdigest()[:10]
    encoder = model.image_encoder()
    cache = encoder_cache(args.cache or cache_dir() / "datasets" / key, model.bundle.encoder)
    features = cached_features(names, data.root / "images", cache, encoder)
    with torch.inference_mode():
        both = model.bundle.network.latent(torch.from_numpy(features.astype("float32")))
        latents = both.mean(1) if args.mirror else both[:, 0]
    refs = [data.captions[n] for n in names]
    mirror = "on" if args.mirror else "off"
    print(f"model {model.version} on {args.split} ({len(names)} photos), mirror {mirror}")
    photo_features = torch.from_numpy(features[:, 0].astype("float32"))  # as the indexer: no mirror
    encoded = _Encoded(model, latents, refs, photo_features)
    return (_captions if args.what == "captions" else _retrieval)(args, encoded)


def _retrieval(args: argparse.Namespace, split: _Encoded) -> int:
    from photoscope.api import TextSearchOptions
    from photoscope.training.retrieval import evaluate_retrieval

    methods = {  # --methods name: (printed name, options)
        "plain": ("plain inversion", TextSearchOptions(method="plain")),
        "encoder": ("text encoder", TextSearchOptions(method="encoder", rerank=0)),
        "encoder-rerank": ("encoder + re-rank", TextSearchOptions(method="encoder")),
        "shipped": ("shipped", TextSearchOptions()),
    }
    chosen = dict(v for k, v in methods.items() if not args.methods or k in args.methods)
    if args.no_word_detectors:
        chosen = {name: replace(o, words=0.0) for name, o in chosen.items()}
    for report in evaluate_retrieval(
        split.model,
        split.latents,
        split.refs,
        chosen,
        max_queries=args.queries,
        features=None if args.no_concepts else split.features,
    ):
        m = report.metrics
        # Two decimals: one of Flickr8k val's 5,000 queries is 0.02 points, and a rounded 65.0 once
        # hid an R@10 of 64.96 under its issue's bar of 65.
        print(
            f"{report.method:16s} R@1 {m['r1']:6.2f}  R@5 {m['r5']:6.2f}  R@10 {m['r10']:6.2f}  "
            f"median rank {m['median_rank']:.0f}  {report.batched_ms:.1f} ms/query batched, "
            f"{report.single_ms:.0f} ms single (p50)"
        )
    return 0


def _open_world(args: argparse.Namespace) -> int:
    """Open-world photos (``tools/open_world_photos.py``): captions that name a right word or invent
    an object, and each photo's rank for its own query among them plus Flickr8k val's photos."""
    from photoscope.api import TextSearchOptions
    from photoscope.network import PhotoscopeModel
    from photoscope.training.open_world import evaluate_open_world, load_labels

    if not (args.data / "labels.json").is_file():
        print(
            f"photoscope: {args.data} has no labels.json (make one with tools/open_world_photos.py)",
            file=sys.stderr,
        )
        return 2
    model = PhotoscopeModel(args.model)
    photos = load_labels(args.data)
    features, distractors, distractor_captions = _open_world_features(args, model, photos)
    search = TextSearchOptions(concepts=not args.no_concepts)
    if args.no_word_detectors:
        search = replace(search, words=0.0)
    metrics, results, categories = evaluate_open_world(
        model,
        photos,
        features,
        distractors,
        _decode_options(args),
        search,
        distractor_captions=distractor_captions,
    )
    if args.show:
        _show_open_world(results, categories)
    _print_open_world(args, model.version, metrics)
    return 0


def _open_world_features(
    args: argparse.Namespace, model: PhotoscopeModel, photos: Sequence[OpenWorldPhoto]
) -> tuple[np.ndarray, np.ndarray | None, list[list[str]]]:
    """The open-world photos' features, and the Flickr8k split's (with its captions) when
    ``--flickr8k`` mixes them in as distractors; each encoded once, then read from its cache."""
    from photoscope.config import cache_dir
    from photoscope.training.features import cached_features, encoder_cache
    from photoscope.training.flickr8k import CaptionDataset
    from photoscope.training.open_world import cached_features as open_world_features

    key = hashlib.sha1(str(args.data.resolve()).encode()).hexdigest()[:10]
    encoder = model.image_encoder()
    cache = encoder_cache(args.cache or cache_dir() / "datasets" / key, model.bundle.encoder)
    features = open_world_features(args.data, photos, cache, encoder)
    if args.flickr8k is None:
        return features, None, []
    data = CaptionDataset.load(args.flickr8k)
    fkey = hashlib.sha1(str(data.root.resolve()).encode()).hexdigest()[:10]
    names = data.split(args.split)
    cache = encoder_cache(args.flickr8k_cache or cache_dir() / "datasets" / fkey, model.bundle.encoder)
    # as the indexer encodes: no mirror image
    distractors = cached_features(names, data.root / "images", cache, encoder)[:, 0]
    return features, distractors, [data.captions[n] for n in names]


def _show_open_world(results: Sequence[PhotoResult], categories: Sequence[CategoryResult]) -> None:
    """``--show``: each photo's marks (right word, invented object, first answer shows it), its own
    query's rank (and its rank among the photos that do not show what was asked) and its
    caption; each category query's AP and P@10."""
    for r in results:
        mark = (
            ("R" if r.right_word else "-") + ("I" if r.invented else "-") + ("S" if r.first_shows_it else "-")
        )
        ranks = f"rank {r.rank + 1:5d} ({r.rank_among_others + 1:5d})"
        print(f"{mark} {ranks}  {r.photo.query!r:30s} {r.caption}")
    for c in categories:
        print(
            f"category {c.query!r:16s} {c.relevant:3d} photos: "
            f"AP {c.average_precision:.2f}, P@10 {c.precision10:.1f}"
        )


def _print_open_world(args: argparse.Namespace, version: str, metrics: dict[str, float]) -> None:
    print(
        f"model {version}, caption rule {'off' if args.no_rule else 'on'}, "
        f"concepts in search {'off' if args.no_concepts else 'on'}"
    )
    print(
        f"{int(metrics['photos'])} photos: captions naming a right word {metrics['right_word']:.1f} %, "
        f"inventing an object {metrics['invented']:.1f} %; own query in a library of "
        f"{int(metrics['library'])}: first {metrics['top1']:.1f} %, top 10 {metrics['top10']:.1f} %; "
        f"the first answer shows what was asked {metrics['first_shows_it']:.1f} %"
    )
    print(
        "own query, not counting the photos above it that also show what was asked: "
        f"first {metrics['top1_among_others']:.1f} %, top 10 {metrics['top10_among_others']:.1f} %"
    )
    print(
        f"own queries answered as closest guesses (no likely match) {metrics['unsure']:.1f} %; of them with"
        f" the photo in the top 10 {metrics['unsure_top10']:.1f} %, first {metrics['unsure_first']:.1f} %;"
        f" the same queries with every photo that shows it left out still list likely matches"
        f" {metrics['likely_when_absent']:.1f} %"
    )
    print(
        f"{int(metrics['categories'])} category queries (a bird, an animal, …) among the "
        f"{int(metrics['photos'])} photos: mean AP {metrics['category_map']:.1f} %, "
        f"P@10 {metrics['category_p10']:.1f} %"
    )


def _captions(args: argparse.Namespace, split: _Encoded) -> int:
    """The captions the app stores: the decoder's, guided by the word detectors and checked by the
    encoder head (``--no-rule``: the decoder's alone; ``--guidance 0``: unguided)."""
    from photoscope.network import CaptionRule
    from photoscope.training.evaluate import stored_caption_metrics

    options = _decode_options(args)
    metrics, _ = stored_caption_metrics(split.model, split.features, split.latents, split.refs, options)
    rule = "off" if args.no_rule else f"on (probes trusted from familiarity {CaptionRule().familiar})"
    print(
        f"beam {args.beam}, length penalty {args.length_penalty}, re-rank weight {args.rerank}, "
        f"consensus {args.consensus}, "
        f"detector guidance {options.guidance}, caption rule {rule}"
    )
    print(
        " ".join(f"BLEU-{i} {metrics[f'bleu{i}']:.4f}" for i in range(1, 5))
        + f" CIDEr {metrics['cider']:.4f}"
    )
    return 0


def _decode_options(args: argparse.Namespace) -> DecodeOptions:
    """The app's decoding, with the options given."""
    from photoscope.network import CaptionRule, DecodeOptions

    guidance = DecodeOptions().guidance if args.guidance is None else args.guidance
    return DecodeOptions(
        args.beam,
        length_penalty=args.length_penalty,
        rerank=args.rerank,
        consensus=args.consensus,
        guidance=guidance,
        rule=CaptionRule(enabled=not args.no_rule),
    )


def register(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="measure the model on a dataset split")
    p.add_argument("what", choices=["captions", "retrieval", "open-world"], help="what to evaluate")
    p.add_argument("--data", type=plain_path, required=True)
    p.add_argument("--split", default="val")
    add_decoding_options(p)
    p.add_argument(
        "--guidance",
        type=float,
        help="weight of the word detectors' guidance of the beam (default: the app's; 0: off)",
    )
    p.add_argument(
        "--methods",
        nargs="*",
        choices=["plain", "encoder", "encoder-rerank", "shipped"],
        help="retrieval methods (default: all)",
    )
    p.add_argument("--queries", type=int, help="evaluate retrieval on a random sample of this many queries")
    p.add_argument("--mirror", action="store_true", help="average latents with mirror images")
    p.add_argument("--cache", type=plain_path, help="feature cache folder (default: user cache)")
    p.add_argument(
        "--flickr8k",
        type=plain_path,
        help="open-world: also put this dataset's --split photos in the search library",
    )
    p.add_argument("--flickr8k-cache", type=plain_path, help="open-world: --flickr8k's feature cache folder")
    p.add_argument("--no-rule", action="store_true", help="captions as the decoder writes them, unchecked")
    p.add_argument("--no-concepts", action="store_true", help="search by the decoder's words only")
    p.add_argument(
        "--no-word-detectors",
        action="store_true",
        help="search without the word detectors' evidence (the app before them)",
    )
    p.add_argument("--show", action="store_true", help="open-world: print each photo's caption and rank")
    add_model_option(p)
    p.set_defaults(handler=evaluate)
