"""Encoder throughput: photos/s of an EfficientNet-Lite on preprocessed input of its native size.

python benchmarks/encoder.py [--seconds 5] [--eager] [--encoder efficientnet-lite0|1|2] [--input-size N]

The app runs a frozen TorchScript graph (cached in the user cache after the first start); --eager
measures plain PyTorch modules instead, for comparison.
"""

from __future__ import annotations

import argparse
import time

import torch

from photoscope.network.encoder import ENCODERS, ImageEncoder, installed_encoder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="time per batch size")
    parser.add_argument("--eager", action="store_true", help="eager PyTorch instead of the frozen graph")
    parser.add_argument("--encoder", choices=list(ENCODERS), default="efficientnet-lite0")
    parser.add_argument("--input-size", type=int, default=None, help="default: the encoder's native size")
    args = parser.parse_args()
    spec = installed_encoder(args.encoder, args.input_size)
    encoder = ImageEncoder(optimize=not args.eager, spec=spec)
    started = time.perf_counter()
    encoder.load()
    mode = "eager" if args.eager else "frozen graph"
    print(
        f"{spec.name} at {spec.input_size} px, {mode}: load {time.perf_counter() - started:.2f} s; "
        f"torch threads {torch.get_num_threads()}"
    )
    batch = torch.rand(32, 3, spec.input_size, spec.input_size) * 2 - 1
    for size in (1, 8, 32):
        encoder.predict(batch[:size])  # warm-up
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            encoder.predict(batch[:size])
            done += size
        print(f"batch {size:2d}: {done / (time.perf_counter() - started):6.1f} photos/s")


if __name__ == "__main__":
    main()
