#!/usr/bin/env bash
# Build the one-folder app with PyInstaller, then smoke-test it: --version, and a caption of a photo.
#   bash packaging/build.sh            (uses .venv; output in dist/photoscope/)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
$py -m pip install -q "pyinstaller>=6.10"
$py -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/photoscope.spec
app=dist/photoscope/photoscope
echo "bundle: $(du -sh dist/photoscope | cut -f1)"
start=$(date +%s.%N)
"$app" --version
echo "start-up (--version): $(echo "$(date +%s.%N) - $start" | bc) s"
photo=$(mktemp --suffix=.png)
$py -c "from PIL import Image; from skimage import data; Image.fromarray(data.astronaut()).save('$photo')"
start=$(date +%s.%N)
"$app" caption "$photo" | tee /dev/stderr | grep -q .
echo "caption one photo (cold): $(echo "$(date +%s.%N) - $start" | bc) s"
rm -f "$photo"
echo "smoke test passed"
