#!/usr/bin/env bash
# Wrap the one-folder app (dist/photoscope, from packaging/build.sh) in a Debian package:
#   bash packaging/deb/build_deb.sh          -> dist/photoscope_<version>_amd64.deb
# It installs the app in /opt/photoscope with /usr/bin/photoscope, the launcher, the AppStream
# metainfo and the hicolor icons, and depends on the system libraries Qt links (the same list
# `photoscope gui` checks before it starts Qt: photoscope/gui/platform_check.py), so that apt brings
# them onto a minimal system. xz-compressed; XZ_LEVEL (default 9) trades build time for size.
set -euo pipefail
cd "$(dirname "$0")/../.."
app=dist/photoscope
[ -x "$app/photoscope" ] || { echo "no $app/photoscope: run packaging/build.sh first" >&2; exit 2; }
version=$(python3 -c 'import re; print(re.search(r"__version__ = \"(.+?)\"", open("photoscope/__init__.py").read())[1])')
arch=$(dpkg --print-architecture)
id=io.github.photoscope.Photoscope
# The Debian packages of the libraries Qt links (see platform_check), plus the xcb GLX integration
# plugin's one extra library and the fonts Qt needs to draw any text (fontconfig pulls a font in).
qt_depends=$(python3 -c '
import sys; sys.path.insert(0, ".")
from photoscope.gui.platform_check import GUI_LIBRARIES, XCB_LIBRARIES
print(", ".join(dict.fromkeys(lib.debian for lib in (*GUI_LIBRARIES, *XCB_LIBRARIES))))')
# Qt's Wayland client (libQt6WaylandClient, the wl-shell integration) links libwayland-client and
# libwayland-cursor, which a minimal system lacks (the smoke test's ldd check).
depends="libc6 (>= 2.36), $qt_depends, libxcb-glx0, libwayland-client0, libwayland-cursor0"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/opt" "$root/usr/bin" "$root/DEBIAN"
cp -a "$app" "$root/opt/photoscope"
ln -s /opt/photoscope/photoscope "$root/usr/bin/photoscope"
install -Dm644 "packaging/linux/$id.desktop" "$root/usr/share/applications/$id.desktop"
install -Dm644 "packaging/linux/$id.metainfo.xml" "$root/usr/share/metainfo/$id.metainfo.xml"
for size in 16 32 48 64 128 256; do
  install -Dm644 "resources/icons/photoscope-$size.png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/$id.png"
done
install -Dm644 resources/icons/photoscope.svg "$root/usr/share/icons/hicolor/scalable/apps/$id.svg"
install -d "$root/usr/share/doc/photoscope"
cat > "$root/usr/share/doc/photoscope/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: photoscope
Source: https://github.com/photoscope/photoscope

Files: *
Copyright: The Photoscope developers
License: MIT
Comment: /opt/photoscope bundles Python, PyTorch (BSD-3-Clause), Qt for Python (LGPL-3.0) and the
 other Python packages the app uses; their licence files are in /opt/photoscope/_internal/*.dist-info.
COPYRIGHT
cat > "$root/DEBIAN/control" <<CONTROL
Package: photoscope
Version: $version
Architecture: $arch
Maintainer: The Photoscope developers <photoscope@users.noreply.github.com>
Installed-Size: $(du -sk --apparent-size "$root" | cut -f1)
Depends: $depends
Section: graphics
Priority: optional
Homepage: https://github.com/photoscope/photoscope
Description: search your photo library offline, by description or by example
 Photoscope captions every photo in your folders and finds photos by what is
 in them ("two dogs running in the snow") or by an example photo, with one
 small neural network that runs on the CPU: no cloud, no GPU.
CONTROL
deb="dist/photoscope_${version}_${arch}.deb"
start=$(date +%s)
dpkg-deb --root-owner-group -Zxz -z"${XZ_LEVEL:-9}" --build "$root" "$deb" >/dev/null
echo "$deb: $(du -h "$deb" | cut -f1) ($(($(date +%s) - start)) s to compress; installed $(du -sh "$root" | cut -f1))"
