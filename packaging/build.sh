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
# pillow-heif's libheif links the x265 HEVC *encoder* (23 MB), for writing HEIC, which the app never does
# (it reads HEIC with libde265). It is swapped for a stub of the same name with the only two symbols
# libheif takes from it: x265_api_get_<build>() returns no encoder (libheif then reports HEIC encoding as
# unsupported) and x265_cleanup() does nothing. If libheif ever asks for more, the real one stays.
heif_libs=dist/photoscope/_internal/pillow_heif.libs
for x265 in "$heif_libs"/libx265*.so*; do
  [ -f "$x265" ] && [ "$(stat -c %s "$x265")" -gt 100000 ] || continue
  wanted=$(nm -D --undefined-only "$heif_libs"/libheif*.so* | awk '$2 ~ /^x265_/ {print $2}' | sort -u)
  api=$(echo "$wanted" | grep -E '^x265_api_get_[0-9]+$' || true)
  if [ "$(echo "$wanted" | wc -l)" -ne 2 ] || [ -z "$api" ] || ! echo "$wanted" | grep -qx x265_cleanup \
      || ! command -v cc > /dev/null; then
    echo "libx265 kept: libheif asks for $(echo $wanted), or there is no C compiler" >&2
    continue
  fi
  soname=$(readelf -d "$x265" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  printf 'const void *%s(int depth) { (void)depth; return 0; }\nvoid x265_cleanup(void) {}\n' "$api" \
    | cc -shared -fPIC -O2 -s -Wl,-soname,"$soname" -x c -o "$x265" -
  echo "libx265 replaced by a stub (no HEIC encoder; decoding unchanged)"
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
heic=$(mktemp --suffix=.heic)  # a HEIC photo (written by the build venv's full pillow-heif): read with the stub
"$venv/bin/python" -c 'import sys, pillow_heif; from PIL import Image; pillow_heif.register_heif_opener()
Image.open(sys.argv[1]).convert("RGB").save(sys.argv[2], format="HEIF")' "$photo" "$heic"
caption=$("$app" caption "$heic")
echo "$caption"
[ -n "$caption" ] && echo "caption of a HEIC photo"
rm -f "$heic"
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
