#!/usr/bin/env bash
# Build the one-folder app with PyInstaller, then smoke-test it: --version, and a caption of a photo.
#   bash packaging/build.sh            (output in dist/photoscope/; build venv in build/app-venv)
#
# The app runs on the CPU, so it is built against PyTorch's CPU-only wheel: the default wheel on
# Linux links CUDA libraries (over 3 GB) that the app would have to carry without ever using them.
# TORCH_SPEC names that wheel; pip must be able to find it (PyTorch publishes the "+cpu" builds in
# its own CPU wheel index: point PIP_EXTRA_INDEX_URL at it, or have the wheel in a find-links folder).
set -euo pipefail
cd "$(dirname "$0")/.."
torch_spec=${TORCH_SPEC:-torch==2.13.0+cpu}
venv=build/app-venv
python3 -m venv "$venv"
"$venv/bin/pip" install -q "$torch_spec"
"$venv/bin/pip" install -q . "pyinstaller>=6.10"
"$venv/bin/python" -c "import torch; assert not torch.backends.cuda.is_built(), 'a CUDA build of PyTorch'"
"$venv/bin/python" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
    packaging/photoscope.spec
app=dist/photoscope/photoscope
echo "bundle: $(du -sh dist/photoscope | cut -f1) in $(find dist/photoscope -type f | wc -l) files"
start=$(date +%s.%N)
"$app" --version
echo "start-up (--version): $(echo "$(date +%s.%N) - $start" | bc) s"
photo=$(mktemp --suffix=.png)  # the app icon: any PNG does for a smoke test
cp resources/icons/photoscope-256.png "$photo"
start=$(date +%s.%N)
"$app" caption "$photo" | tee /dev/stderr | grep -q .
echo "caption one photo (first run: traces and caches the encoder): $(echo "$(date +%s.%N) - $start" | bc) s"
start=$(date +%s.%N)
"$app" caption "$photo" > /dev/null
echo "caption one photo (later runs): $(echo "$(date +%s.%N) - $start" | bc) s"
rm -f "$photo"
echo "smoke test passed"
