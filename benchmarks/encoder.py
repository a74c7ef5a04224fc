"""Encoder throughput: photos/s of EfficientNet-Lite0 on preprocessed 224x224 input.

python benchmarks/encoder.py [--seconds 5] [--eager]

The app runs a frozen TorchScript graph (cached in the user cache after the first start); --eager
measures plain PyTorch modules instead, for comparison.
"""

from __future__ import annotations

import argparse
import time

import torch

from photoscope.network.encoder import ImageEncoder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="time per batch size")
    parser.add_argument("--eager", action="store_true", help="eager PyTorch instead of the frozen graph")
    args = parser.parse_args()
    encoder = ImageEncoder(optimize=not args.eager)
    started = time.perf_counter()
    encoder.load()
    mode = "eager" if args.eager else "frozen graph"
    print(f"{mode}: load {time.perf_counter() - started:.2f} s; torch threads {torch.get_num_threads()}")
    batch = torch.rand(32, 3, 224, 224) * 2 - 1
    for size in (1, 8, 32):
        encoder.predict(batch[:size])  # warm-up
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            encoder.predict(batch[:size])
            done += size
        print(f"batch {size:2d}: {done / (time.perf_counter() - started):6.1f} photos/s")


if __name__ == "__main__":
    main()
