"""Model v2 study (issue #21): the shipped training recipe on each EfficientNet-Lite encoder.

Run at development time, on a machine with a CUDA GPU (the photos travel there; nothing here is
the app's). For each encoder (Lite0 at 224 px, Lite1 at 240, Lite2 at 260: their native sizes;
the dataset's 224 px photos are resized up, as the app resizes every photo to the encoder's input)
the photos' flip views and crop views are encoded once on the GPU, then every variant (an encoder
and a change to ``TrainConfig``) trains with ``Trainer`` on the GPU, one process per variant, all
at once. Each variant's kept epoch (best val CIDEr, as the recipe keeps it) is then scored as the
app writes captions (``DecodeOptions``: beam 5, length penalty 0.5, re-rank 8; without the caption
rule, which was fitted to Lite0's features) and by its text encoder's retrieval. A deadline stops
training runs that would not finish in time; their figures say how many epochs they ran.

``results.json`` holds every variant's history and final figures. The shipped search method's
retrieval needs the bundles back here (``photoscope evaluate retrieval --model``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ENCODERS = ("efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2")
# The shipped recipe; with the crop views; with the crop views and half as many epochs again.
_CHANGES: dict[str, dict[str, object]] = {
    "recipe": {},
    "crops": {"crop_views": True},
    "crops-e24": {"crop_views": True, "epochs": 24},
}
# name -> (encoder, TrainConfig changes)
VARIANTS: dict[str, tuple[str, dict[str, object]]] = {
    f"{short}-{kind}": (f"efficientnet-{short}", changes)
    for short in ("lite0", "lite1", "lite2")
    for kind, changes in _CHANGES.items()
}


def encode(encoder: str, data: Path, cache: Path, device: str) -> None:
    """Every photo's flip views and the training photos' crop views, cached for ``Trainer``."""
    from photoscope.network.encoder import ImageEncoder, installed_encoder
    from photoscope.training.features import cached_features
    from photoscope.training.flickr8k import CaptionDataset

    dataset = CaptionDataset.load(data)
    train = [n for s in ("train", "unsplit") for n in dataset.split(s)]
    model = ImageEncoder(micro_batch=256, spec=installed_encoder(encoder), device=device)
    started = time.time()
    cached_features(train + dataset.split("val"), data / "images", cache, model)
    cached_features(train, data / "images", cache, model, kind="crops")
    print(f"{encoder}: {model.spec}, encoded in {time.time() - started:.0f} s", flush=True)


def train_one(variant: str, data: Path, out: Path, device: str) -> None:
    import torch

    from photoscope.training.trainer import TrainConfig, Trainer, installed_image_encoder

    torch.set_num_threads(1)
    encoder, changes = VARIANTS[variant]
    config = dataclasses.replace(TrainConfig(), **changes)  # type: ignore[arg-type]
    trainer = Trainer(data, out / variant, config, device=device)
    trainer.features(installed_image_encoder(encoder))  # all cached: nothing is encoded
    started = time.time()
    trainer.run(log=lambda line: print(f"{variant} {line} ({time.time() - started:.0f} s)", flush=True))


def final_scores(variant: str, data: Path, out: Path, device: str) -> dict[str, object]:
    """The variant's kept epoch, scored as the app decodes; its per-epoch history."""
    import torch

    from photoscope.network.bundle import load_bundle
    from photoscope.network.encoder import ImageEncoder
    from photoscope.network.model import DecodeOptions
    from photoscope.training.evaluate import evaluate_captions, photo_latents, text_encoder_retrieval
    from photoscope.training.features import cached_features
    from photoscope.training.flickr8k import CaptionDataset

    folder = out / variant
    report: dict[str, object] = {"variant": variant, "changes": VARIANTS[variant][1]}
    checkpoint = folder / "checkpoint.pt"
    if checkpoint.is_file():
        history = torch.load(checkpoint, map_location="cpu", weights_only=True)["history"]
        report["history"] = json.loads(history) if isinstance(history, str) else history
    if not (folder / "bundle").is_dir():
        return report
    bundle = load_bundle(folder / "bundle")
    net = bundle.network.to(device).eval()
    dataset = CaptionDataset.load(data)
    names = dataset.split("val")
    features = cached_features(names, data / "images", folder / "cache", ImageEncoder(spec=bundle.encoder))
    refs = [dataset.captions[n] for n in names]
    latents = photo_latents(net, features)
    d = DecodeOptions()
    metrics, captions = evaluate_captions(
        net, bundle.vocab, latents, refs, d.beam, d.length_penalty, choice=d.choice
    )
    with torch.inference_mode():
        metrics.update(text_encoder_retrieval(net, bundle.vocab, latents, refs))
    report.update(kept_epoch=bundle.extra["epoch"], app_decoding=metrics, examples=captions[:8])
    return report


def _processes(argvs: dict[str, list[str]], logs: Path) -> dict[str, subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return {
        name: subprocess.Popen(
            [sys.executable, __file__, *argv],
            stdout=open(logs / f"{name}.log", "w"),
            stderr=subprocess.STDOUT,
            env=env,
        )
        for name, argv in argvs.items()
    }


def _wait(jobs: dict[str, subprocess.Popen[bytes]], deadline: float) -> None:
    """Until every job ends or ``deadline`` (epoch seconds) passes; then kill what still runs."""
    while any(j.poll() is None for j in jobs.values()) and time.time() < deadline:
        time.sleep(2)
    for name, job in jobs.items():
        if job.poll() is None:
            print(f"{name}: stopped at the deadline", flush=True)
            job.send_signal(signal.SIGKILL)
            job.wait()


def run(data: Path, out: Path, variants: list[str], deadline: float, device: str) -> None:
    """Encode, train ``variants`` at once until done or a minute before ``deadline``, score each:
    ``out/results.json``."""
    out.mkdir(parents=True, exist_ok=True)
    encoders = sorted({VARIANTS[v][0] for v in variants})
    caches = {e: out / "cache" / e for e in encoders}
    _wait(_processes({e: ["encode", e, str(data), str(caches[e]), device] for e in encoders}, out), deadline)
    for v in variants:
        (out / v).mkdir(parents=True, exist_ok=True)
        link = out / v / "cache"
        if not link.exists():
            link.symlink_to(caches[VARIANTS[v][0]].resolve())
    jobs = _processes({v: ["train-one", v, str(data), str(out), device] for v in variants}, out)
    _wait(jobs, deadline - 60)
    results = []
    for v in variants:
        try:
            results.append(final_scores(v, data, out, device))
        except Exception as error:  # one variant's failure must not lose the others' figures
            results.append({"variant": v, "error": repr(error)})
        print(
            json.dumps({k: results[-1].get(k) for k in ("variant", "kept_epoch", "app_decoding")}), flush=True
        )
    (out / "results.json").write_text(json.dumps(results, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data", type=Path, required=True, help="Flickr8k: images, captions, split lists")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--variants", nargs="+", default=list(VARIANTS))
    r.add_argument("--deadline", type=float, required=True, help="epoch seconds")
    r.add_argument("--device", default="cuda")
    e = sub.add_parser("encode")
    for name in ("encoder", "data", "cache", "device"):
        e.add_argument(name)
    t = sub.add_parser("train-one")
    for name in ("variant", "data", "out", "device"):
        t.add_argument(name)
    args = parser.parse_args()
    if args.step == "run":
        run(args.data, args.out, args.variants, args.deadline, args.device)
    elif args.step == "encode":
        encode(args.encoder, Path(args.data), Path(args.cache), args.device)
    else:
        train_one(args.variant, Path(args.data), Path(args.out), args.device)


if __name__ == "__main__":
    main()
