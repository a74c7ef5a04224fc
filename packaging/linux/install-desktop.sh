#!/usr/bin/env bash
# Install Photoscope's launcher, AppStream metainfo and icons for the current user.
# Run after `pip install` has put `photoscope` on the PATH:  bash packaging/linux/install-desktop.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
icons="$here/../../resources/icons"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
id=io.github.photoscope.Photoscope
install -Dm644 "$here/$id.desktop" "$data/applications/$id.desktop"
install -Dm644 "$here/$id.metainfo.xml" "$data/metainfo/$id.metainfo.xml"
for size in 16 32 48 64 128 256; do
  install -Dm644 "$icons/photoscope-$size.png" "$data/icons/hicolor/${size}x${size}/apps/$id.png"
done
install -Dm644 "$icons/photoscope.svg" "$data/icons/hicolor/scalable/apps/$id.svg"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "installed the Photoscope launcher in $data"
