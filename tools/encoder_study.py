"""Model v2 study (issue #21): the shipped training recipe on each EfficientNet-Lite encoder's features.

Run at development time, not by the app. Two steps, because the training runs where a GPU is and
the photos stay here:

1. ``pack`` (here): the flip-view features of every Flickr8k photo, as ``photoscope train``
   caches them for one encoder (``runs/study/<encoder>/features.npy``, made by
   ``runs/study/encode.py`` or by ``photoscope train --encoder``), quantised to 8 bits per value
   with a per-dimension offset and scale, so that three encoders' features travel in 55 MB.
   The rounding error is at most half a step (1/510 of each dimension's range); the Lite0
   control run says what it costs (its figures against the shipped model's).
2. ``run`` (on the GPU machine): for each variant (an encoder and a change to ``TrainConfig``)
   the features are unpacked into a training folder's feature cache and ``Trainer`` runs the
   recipe on the GPU, one process per variant, all at once. Each variant's best epoch (by val
   CIDEr, as the recipe keeps it) is then scored as the app writes captions (``DecodeOptions``:
   beam 5, length penalty 0.5, re-rank 8; no caption rule, which was fitted to Lite0) and by
   its text encoder's retrieval. A deadline stops training runs that would not finish in time;
   what they reached is reported with how many epochs they ran.

``results.json`` holds every variant's history and final figures; the bundles come back as a
tar file for the shipped-method retrieval here (``photoscope evaluate retrieval``).
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

import numpy as np

ENCODERS = ("efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2")
# The shipped recipe, longer, and a stronger contrastive term (changes to TrainConfig).
_CHANGES: dict[str, dict[str, object]] = {
    "recipe": {},
    "e24": {"epochs": 24},
    "c1": {"contrastive_weight": 1.0},
}
# name -> (encoder, TrainConfig changes)
VARIANTS: dict[str, tuple[str, dict[str, object]]] = {
    f"{short}-{kind}": (f"efficientnet-{short}", changes)
    for short in ("lite0", "lite1", "lite2")
    for kind, changes in _CHANGES.items()
}


def pack(cache_root: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in ENCODERS:
        meta = json.loads((cache_root / name / "features.json").read_text())
        features = np.load(cache_root / name / "features.npy").astype(np.float32)
        low = features.min(axis=(0, 1))
        scale = np.maximum(features.max(axis=(0, 1)) - low, 1e-6) / 255.0
        codes = np.clip(np.rint((features - low) / scale), 0, 255).astype(np.uint8)
        error = np.abs(codes * scale + low - features).max()
        np.savez(out / f"{name}.npz", codes=codes, low=low, scale=scale, names=np.asarray(meta["names"]))
        (out / f"{name}.json").write_text(json.dumps({"encoder": meta["encoder"], "spec": _spec(name)}))
        print(f"{name}: {codes.shape}, largest rounding error {error:.5f}")


def _spec(name: str) -> dict[str, object]:
    from photoscope.network.encoder import installed_encoder

    return installed_encoder(name).to_dict()


def _unpack(payload: Path, encoder: str, cache_dir: Path) -> dict[str, object]:
    """Write the encoder's features as ``Trainer``'s cache; returns the encoder's spec."""
    meta = json.loads((payload / f"{encoder}.json").read_text())
    packed = np.load(payload / f"{encoder}.npz")
    features = (packed["codes"] * packed["scale"] + packed["low"]).astype(np.float16)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(cache_dir / "features.npy", features)
    names = [str(n) for n in packed["names"]]
    (cache_dir / "features.json").write_text(json.dumps({"encoder": meta["encoder"], "names": names}))
    spec: dict[str, object] = meta["spec"]
    return spec


def train_one(variant: str, payload: Path, data: Path, out: Path, device: str) -> None:
    import torch

    from photoscope.network.bundle import EncoderSpec
    from photoscope.network.encoder import ImageEncoder
    from photoscope.training.trainer import TrainConfig, Trainer

    torch.set_num_threads(1)
    encoder, changes = VARIANTS[variant]
    folder = out / variant
    spec = EncoderSpec.from_dict(_unpack(payload, encoder, folder / "cache"))
    config = dataclasses.replace(TrainConfig(), **changes)  # type: ignore[arg-type]
    trainer = Trainer(data, folder, config, device=device)
    trainer.features(ImageEncoder(spec=spec))  # every photo is in the cache: nothing is encoded
    started = time.time()
    trainer.run(log=lambda line: print(f"{variant} {line} ({time.time() - started:.0f} s)", flush=True))


def final_scores(variant: str, out: Path, data: Path, device: str) -> dict[str, object]:
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
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
        report["history"] = state["history"]
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
        net, bundle.vocab, latents, refs, d.beam, d.length_penalty, rerank=d.rerank
    )
    with torch.inference_mode():
        metrics.update(text_encoder_retrieval(net, bundle.vocab, latents, refs))
    report.update(kept_epoch=bundle.extra["epoch"], app_decoding=metrics, examples=captions[:8])
    return report


def run(payload: Path, data: Path, out: Path, variants: list[str], deadline: float, device: str) -> None:
    """Train ``variants`` at once (one process each) until done or ``deadline`` (epoch seconds,
    less a minute for the scoring), then score each; ``results-<first variant>.json`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    jobs = {
        v: subprocess.Popen(
            [sys.executable, __file__, "train-one", v, str(payload), str(data), str(out), device],
            stdout=open(out / f"{v}.log", "w"),  # noqa: SIM115 - closed when the process ends
            stderr=subprocess.STDOUT,
            env=env,
        )
        for v in variants
    }
    while any(j.poll() is None for j in jobs.values()) and time.time() < deadline - 60:
        time.sleep(2)
    for v, job in jobs.items():
        if job.poll() is None:
            print(f"{v}: stopped at the deadline", flush=True)
            job.send_signal(signal.SIGKILL)
            job.wait()
    results = []
    for v in variants:
        try:
            results.append(final_scores(v, out, data, device))
        except Exception as error:  # one variant's failure must not lose the others' figures
            results.append({"variant": v, "error": repr(error)})
        print(json.dumps(results[-1])[:600], flush=True)
    (out / f"results-{variants[0]}.json").write_text(json.dumps(results, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--cache", type=Path, default=Path("runs/study"))
    p.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("run")
    r.add_argument("--payload", type=Path, required=True)
    r.add_argument("--data", type=Path, required=True, help="Flickr8k captions and split lists")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--variants", nargs="+", default=list(VARIANTS))
    r.add_argument("--deadline", type=float, required=True, help="epoch seconds")
    r.add_argument("--device", default="cuda")
    t = sub.add_parser("train-one")
    for name in ("variant", "payload", "data", "out", "device"):
        t.add_argument(name)
    args = parser.parse_args()
    if args.step == "pack":
        pack(args.cache, args.out)
    elif args.step == "run":
        run(args.payload, args.data, args.out, args.variants, args.deadline, args.device)
    else:
        train_one(args.variant, Path(args.payload), Path(args.data), Path(args.out), args.device)


if __name__ == "__main__":
    main()
