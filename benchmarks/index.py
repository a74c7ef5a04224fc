"""End-to-end indexing speed on camera-size photos, against the bare encoder in the same run.

    .venv/bin/python benchmarks/index.py [--photos 200] [--batch-size 16] [--decode-threads 2]
        [--model BUNDLE ...] [--decoding beam=5,candidates=0,consensus=0 ...] [--copies]

Makes N ~12 MP (4000 x 3000) JPEGs, then times ``IndexWorker.run`` over them: decode (draft mode),
EXIF, thumbnail (written to a temporary cache), encode, caption and the database writes. Then it
times ``ImageEncoder.predict`` alone on already-preprocessed 224 px tensors. Targets on the 2-core
machine: >= 15 photos/s end to end, and >= 0.7 of the bare encoder's rate. To compare with an
older version of the decoding itself (its stopping rule too), run this script from a checkout of
that version in turn with this one. Uses the shipped model bundle if present, else a tiny random
caption network (captioning is then cheaper: it says which).

``--copies``: then the photos' folder is copied into a second watched folder and indexed again, as
a folder copied in from a drive is: each copy takes its original's entry and thumbnail, nothing is
decoded or encoded (``IndexWorker``'s copies).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from photoscope.config import default_model_dir
from photoscope.library.db import Library
from photoscope.library.indexer import IndexOptions, IndexWorker
from photoscope.library.scanner import Scanner
from photoscope.network.model import DecodeOptions, PhotoscopeModel
from photoscope.network.preprocess import preprocess

SIZE = (4000, 3000)


def camera_jpeg_bytes(seed: int) -> bytes:
    """A photo-like 12 MP JPEG: smooth shapes of colour plus sensor-like noise (~3-5 MB at q=90)."""
    rng = np.random.default_rng(seed)
    low = Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).resize(
        SIZE, Image.Resampling.BICUBIC
    )
    pixels = np.asarray(low, dtype=np.int16) + rng.integers(-12, 12, (SIZE[1], SIZE[0], 1), dtype=np.int16)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    path = Path(tempfile.mkstemp(suffix=".jpg")[1])
    image.save(path, quality=90)
    data = path.read_bytes()
    path.unlink()
    return data


def make_photos(root: Path, count: int, bases: int = 6) -> None:
    """Encoding 12 MP JPEGs is slow, so a few are made and each copy gets a unique comment segment
    right after the SOI marker: the same decode cost, but a different partial hash (not a "move")."""
    datas = [camera_jpeg_bytes(s) for s in range(min(bases, count))]
    root.mkdir(parents=True)
    for i in range(count):
        data = datas[i % len(datas)]
        comment = f"photo {i}".encode()
        segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
        (root / f"IMG_{i:04d}.jpg").write_bytes(data[:2] + segment + data[2:])
    print(f"made {count} JPEGs of {SIZE[0]}x{SIZE[1]}, {np.mean([len(d) for d in datas]) / 1e6:.1f} MB each")


def load_model(tmp: Path) -> tuple[PhotoscopeModel, str]:
    shipped = default_model_dir()
    if (shipped / "bundle.json").is_file():
        return PhotoscopeModel(shipped), f"shipped model ({shipped})"
    from photoscope.network.bundle import Bundle, save_bundle
    from photoscope.network.caption_network import CaptionNetwork, NetworkConfig
    from photoscope.network.vocab import Vocabulary

    vocab = Vocabulary.build(
        ["a dog runs on the grass", "a red square", "two dogs play in snow"], min_count=1
    )
    network = CaptionNetwork(
        NetworkConfig(vocab_size=len(vocab), latent_dim=32, hidden_dim=48, text_hidden_dim=16)
    ).eval()
    directory = save_bundle(Bundle(network, vocab, name="tiny-bench"), tmp / "tiny-model")
    return PhotoscopeModel(
        directory
    ), "TINY random caption network (shipped bundle not found; captions cheaper)"


def bare_encoder_rate(model: PhotoscopeModel, count: int, batch_size: int) -> float:
    images = [
        Image.fromarray(np.random.default_rng(i).integers(0, 255, (224, 224, 3), dtype=np.uint8))
        for i in range(batch_size)
    ]
    batch = preprocess(images, model.bundle.encoder.input_size)
    model.encoder.predict(batch)  # warm-up
    start = time.perf_counter()
    done = 0
    while done < count:
        model.encoder.predict(batch)
        done += batch_size
    return done / (time.perf_counter() - start)


def index_rate(model: PhotoscopeModel, photos: Path, tmp: Path, args: argparse.Namespace) -> float:
    """Photos/s of ``IndexWorker.run`` over ``photos`` with ``model`` (a fresh library each time)."""
    start = time.perf_counter()
    model.embed([Image.new("RGB", (224, 224))])  # load and trace outside the timing
    model.caption(model.embed([Image.new("RGB", (224, 224))])[0].latent[None])
    print(f"model load + warm-up: {time.perf_counter() - start:.1f} s")
    with Library(tmp / "library.db") as library:
        library.add_folder(photos)
        start = time.perf_counter()
        Scanner(library).scan()
        print(f"scan: {time.perf_counter() - start:.2f} s")
        options = IndexOptions(
            batch_size=args.batch_size,
            decode_threads=args.decode_threads or None,
            torch_threads=args.torch_threads or None,
            thumbnail_root=tmp / "thumbnails",
        )
        worker = IndexWorker(library, model, options)
        print(f"indexer: {worker.torch_threads} PyTorch threads, {worker.decode_threads} decode threads")
        start = time.perf_counter()
        result = worker.run()
        elapsed = time.perf_counter() - start
    e2e = result.indexed / elapsed
    print(f"end to end: {result.indexed} photos in {elapsed:.1f} s = {e2e:.1f} photos/s", end="")
    print(f" ({result.errors} errors)")
    return e2e


def copies_rate(model: PhotoscopeModel, photos: Path, tmp: Path, args: argparse.Namespace) -> None:
    """Photos/s of indexing a copy of ``photos`` in the library of the run that indexed them."""
    import shutil

    copy = tmp / "Copied in"
    shutil.copytree(photos, copy)
    with Library(tmp / "library.db") as library:
        library.add_folder(copy)
        Scanner(library).scan()
        options = IndexOptions(batch_size=args.batch_size, thumbnail_root=tmp / "thumbnails")
        worker = IndexWorker(library, model, options)
        start = time.perf_counter()
        result = worker.run()
        elapsed = time.perf_counter() - start
    print(f"copies: {result.indexed} photos in {elapsed:.2f} s = {result.indexed / elapsed:.0f} photos/s")


def decoding(spec: str) -> DecodeOptions:
    """The app's decoding with ``spec``'s changes ("beam=5,consensus=0")."""
    fields = {f.name: f.type for f in dataclasses.fields(DecodeOptions)}
    changes: dict[str, float | int] = {}
    for item in filter(None, spec.split(",")):
        name, value = item.split("=")
        changes[name] = int(value) if fields[name] in (int, "int") else float(value)
    return dataclasses.replace(DecodeOptions(), **changes)  # type: ignore[arg-type]


def with_decoding(model: PhotoscopeModel, options: DecodeOptions) -> PhotoscopeModel:
    """``model``, describing photos with ``options`` (the indexer uses the defaults)."""
    describe = model.describe
    model.describe = lambda photos, _=None: describe(photos, options)  # type: ignore[method-assign]
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--decode-threads", type=int, default=0, help="0: the indexer's default")
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="the indexer's PyTorch threads (0: its default)"
    )
    parser.add_argument(
        "--model",
        type=Path,
        action="append",
        help="a model bundle to index with (repeat to compare models on the same photos in one run; "
        "default: the shipped one)",
    )
    parser.add_argument(
        "--decoding",
        action="append",
        help="index again with the shipped model decoding with these changes to the app's "
        "DecodeOptions, e.g. beam=5,consensus=0 (repeat to compare)",
    )
    parser.add_argument("--copies", action="store_true", help="then index a copy of the photos too")
    args = parser.parse_args()
    runs: list[tuple[Path | None, str | None]] = [(bundle, None) for bundle in args.model or [None]]
    runs += [(None, spec) for spec in args.decoding or []]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        make_photos(tmp / "Pictures", args.photos)
        rates = []
        for i, (bundle, spec_text) in enumerate(runs):
            model, which = (PhotoscopeModel(bundle), str(bundle)) if bundle else load_model(tmp)
            if spec_text is not None:
                model, which = with_decoding(model, decoding(spec_text)), f"{which}, decoding {spec_text}"
            spec = model.bundle.encoder
            print(f"model: {which} (encoder {spec.name} at {spec.input_size} px)")
            e2e = index_rate(model, tmp / "Pictures", tmp / f"run{i}", args)
            rates.append(e2e)
            if args.copies:
                copies_rate(model, tmp / "Pictures", tmp / f"run{i}", args)
            bare = bare_encoder_rate(model, max(64, min(args.photos, 256)), args.batch_size)
            print(
                f"bare encoder ({model.bundle.encoder.input_size} px tensors, batches of {args.batch_size}, "
                f"{torch.get_num_threads()} PyTorch threads): {bare:.1f} photos/s"
            )
            print(f"ratio e2e / bare encoder: {e2e / bare:.2f}   (targets: >= 15 photos/s, >= 0.7)")
        for (bundle, spec_text), rate in zip(runs, rates, strict=True):
            name = f"decoding {spec_text}" if spec_text else str(bundle or "shipped")
            print(f"{name}: {rate:.1f} photos/s, {rates[0] / rate:.2f}x the first run's time per photo")


if __name__ == "__main__":
    main()
