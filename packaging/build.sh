#!/usr/bin/env bash
# Build the one-folder app with PyInstaller, trim it, smoke-test it (--version, a caption, a t-SNE map,
# the GUI offscreen), then wrap it in a Debian package:
#   bash packaging/build.sh            (dist/photoscope/ and dist/photoscope_<version>_amd64.deb;
#                                       build venv in build/app-venv)
#   sudo bash packaging/deb/smoke_test.sh   installs the .deb into a clean Debian chroot and runs it
#
# The app runs on the CPU, so it is built against PyTorch's CPU-only wheel: the default wheel on
# Linux links CUDA libraries (over 3 GB) that the app would have to carry without ever using them.
# TORCH_SPEC names that wheel; pip must be able to find it (PyTorch publishes the "+cpu" builds in
# its own CPU wheel index: point PIP_EXTRA_INDEX_URL at it, or have the wheel in a find-links folder).
# NO_DEB=1 skips the .deb (on a machine without dpkg-deb).
set -euo pipefail
cd "$(dirname "$0")/.."
torch_spec=${TORCH_SPEC:-torch==2.13.0+cpu}
venv=${APP_VENV:-build/app-venv}  # the build venv (APP_VENV: another one)
if [ -z "${SKIP_PYINSTALLER:-}" ]; then  # SKIP_PYINSTALLER=1: trim and test the dist/photoscope there is
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "$torch_spec"
  "$venv/bin/pip" install -q . "pyinstaller>=6.10"
  "$venv/bin/python" -c "import torch; assert not torch.backends.cuda.is_built(), 'a CUDA build of PyTorch'"
  "$venv/bin/python" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
      packaging/photoscope.spec
fi
app=dist/photoscope/photoscope
echo "bundle as PyInstaller made it: $(du -sh dist/photoscope | cut -f1)"

# Symbol tables and debug sections are never read at run time (libtorch_cpu.so's alone are 89 MB).
# Libraries repaired by auditwheel (in *.libs/ folders or with a hash in their name) are left as they
# are: patchelf rewrote their layout, and strip breaks them (OpenBLAS).
find dist/photoscope/_internal -name '*.so*' -type f ! -path '*.libs/*' | grep -vE -- '-[0-9a-f]{8}[.-]' \
  | while read -r lib; do
      if readelf -S -W "$lib" 2>/dev/null | grep -qE ' \.(symtab|debug_info) '; then strip --strip-unneeded "$lib"; fi
    done
echo "bundle: $(du -sh dist/photoscope | cut -f1) in $(find dist/photoscope -type f | wc -l) files; largest parts (MB):"
du -sm dist/photoscope/_internal/* | sort -rn | head -12 | sed 's|dist/photoscope/_internal/||; s/^/  /'

start=$(date +%s.%N)
"$app" --version
echo "start-up (--version): $(echo "$(date +%s.%N) - $start" | bc) s"
photo=$(mktemp --suffix=.png)  # the app icon: any PNG does for a smoke test
cp resources/icons/photoscope-256.png "$photo"
start=$(date +%s.%N)
caption=$("$app" caption "$photo")
echo "$caption"
[ -n "$caption" ]
echo "caption one photo (first run: traces and caches the encoder): $(echo "$(date +%s.%N) - $start" | bc) s"
start=$(date +%s.%N)
"$app" caption "$photo" > /dev/null
echo "caption one photo (later runs): $(echo "$(date +%s.%N) - $start" | bc) s"
map=$(mktemp --suffix=.png)
QT_QPA_PLATFORM=offscreen "$app" map words --words 100 --out "$map" > /dev/null  # t-SNE (photoscope.search.tsne)
[ -s "$map" ] && echo "t-SNE word map drawn"
set +e
QT_QPA_PLATFORM=offscreen timeout 20 "$app" gui > "$map.log" 2>&1  # the GUI must still run after 20 s
code=$?
set -e
[ "$code" -eq 124 ] || { echo "the offscreen GUI exited with $code:" >&2; cat "$map.log" >&2; exit 1; }
echo "GUI ran offscreen for 20 s"
rm -f "$photo" "$map" "$map.log"
echo "smoke test passed"
if [ -z "${NO_DEB:-}" ]; then
  bash packaging/deb/build_deb.sh
fi
