#!/usr/bin/env bash
# Install the .deb into a clean, minimal Debian (a debootstrap chroot: no X, no Qt libraries, no
# Python) with apt, which brings exactly the packages it declares, then run it there:
#   sudo bash packaging/deb/smoke_test.sh [dist/photoscope_*.deb]
# Needs root, debootstrap and a Debian mirror (MIRROR, default deb.debian.org). The pristine root is
# made once and kept in build/debian-<suite>-minbase (or PRISTINE); each run works on a fresh copy.
set -euo pipefail
cd "$(dirname "$0")/../.."
deb=$(realpath "${1:-$(ls -t dist/photoscope_*.deb | head -1)}")
suite=${SUITE:-bookworm}
mirror=${MIRROR:-http://deb.debian.org/debian}
pristine=${PRISTINE:-build/debian-$suite-minbase}
if [ ! -x "$pristine/bin/sh" ]; then
  rm -rf "$pristine.tmp"
  debootstrap --variant=minbase "$suite" "$pristine.tmp" "$mirror" >/dev/null
  mv "$pristine.tmp" "$pristine"
fi
root=$(mktemp -d /tmp/photoscope-smoke.XXXXXX)
cleanup() {
  for m in proc dev; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
cp -a "$pristine/." "$root/"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/photoscope.deb"
cp resources/icons/photoscope-256.png "$root/tmp/photo.png"
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

before=$(in_root dpkg-query -W -f='${Installed-Size}\n' | awk '{s+=$1} END {print s}')
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends /tmp/photoscope.deb >/dev/null
after=$(in_root dpkg-query -W -f='${Installed-Size}\n' | awk '{s+=$1} END {print s}')
echo "installed with its dependencies: $(( (after - before) / 1024 )) MB ($(in_root dpkg-query -W | wc -l) packages in the root)"

# Every library the bundle links resolves (the bundle's own, or a declared dependency's). The
# bootloader puts the bundle's top folder (_internal) on LD_LIBRARY_PATH, and so does this check.
missing=$(in_root sh -c 'find /opt/photoscope -name "*.so*" -type f | LD_LIBRARY_PATH=/opt/photoscope/_internal \
  xargs ldd 2>/dev/null | grep "not found" | sort -u' || true)
[ -z "$missing" ] || { echo "unresolved libraries:"; echo "$missing"; exit 1; }
echo "ok: every bundled library resolves"

in_root photoscope --version
caption=$(in_root photoscope caption /tmp/photo.png)
echo "$caption"
[ -n "$caption" ] || { echo "no caption" >&2; exit 1; }
echo "ok: caption"
in_root photoscope gui --help >/dev/null
# The GUI, offscreen: it must come up and keep running (timeout stops it: exit 124).
set +e
in_root sh -c 'QT_QPA_PLATFORM=offscreen timeout 30 photoscope gui >/tmp/gui.log 2>&1'
code=$?
set -e
if [ "$code" -ne 124 ] || grep -qiE "traceback|error|could not" "$root/tmp/gui.log"; then
  echo "the offscreen GUI failed (exit $code):" >&2; cat "$root/tmp/gui.log" >&2; exit 1
fi
echo "ok: the GUI ran offscreen for 30 s"
# Take the X11 client library away (the bundle carries the xcb-util libraries but not libxcb itself):
# `photoscope gui` on X11 must name what is missing and how to install it, and exit 2, before Qt starts.
in_root dpkg --remove --force-depends libxcb1 >/dev/null 2>&1
set +e
message=$(in_root sh -c 'DISPLAY=:0 photoscope gui' 2>&1)
code=$?
set -e
echo "$message"
[ "$code" -eq 2 ] && echo "$message" | grep -q "sudo apt install .*libxcb1" \
  || { echo "expected exit 2 naming libxcb1, got $code" >&2; exit 1; }
echo "ok: a missing X11 library is named, exit 2"
echo "deb smoke test passed: $(basename "$deb")"
