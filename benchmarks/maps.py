"""How long the photo map takes: t-SNE layout of N photos' latents (target: 5,000 in <= 60 s).

    python benchmarks/maps.py [--photos 5000] [--features runs/shipped/cache/features.npy]

With --features (a feature cache from ``photoscope train``), the latents are real photos' (through
the shipped model's projection); otherwise random latents of the same size.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from photoscope.network.model import PhotoscopeModel
from photoscope.search.maps import photo_layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=5000)
    parser.add_argument("--features", help="an N x 2 x 1280 feature cache (.npy)")
    args = parser.parse_args()
    if args.features:
        net = PhotoscopeModel().bundle.network
        features = np.load(args.features)[: args.photos, 0].astype(np.float32)
        with torch.inference_mode():
            latents = net.latent(torch.from_numpy(features)).numpy()
    else:
        latents = np.random.default_rng(0).normal(size=(args.photos, 256)).astype(np.float32)
    ids = np.arange(len(latents), dtype=np.int64)
    started = time.perf_counter()
    layout = photo_layout(ids, latents, limit=args.photos)
    print(
        f"{len(layout.keys):,} photos laid out in {time.perf_counter() - started:.1f} s "
        f"(torch threads {torch.get_num_threads()})"
    )


if __name__ == "__main__":
    main()
