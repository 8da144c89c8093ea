#!/usr/bin/env bash
# Makes linux/arm64 buildable here, idempotently: qemu's aarch64 handler
# registered with binfmt_misc (with the F flag, so it works in containers),
# and a two-platform debian:bookworm-slim in the test registry (amd64 from
# Docker's store, arm64 debootstrapped under emulation, about 3 minutes the
# first time; the root file system is kept for the next run).
# Runs scripts/channels.sh first, for its registry; without one (no
# buildkitd binaries), it does nothing.
set -euo pipefail

log() { echo "[emulation] $*" >&2; }

STATE=/var/lib/metacall-test
REGISTRY=127.0.0.1:5000
BASE=$REGISTRY/library/debian:bookworm-slim

bash "$(dirname "$0")/channels.sh"  # the registry
if ! (echo >"/dev/tcp/127.0.0.1/5000") 2>/dev/null; then
  log "no registry on $REGISTRY (scripts/channels.sh starts one): multi-platform tests will SKIP"
  exit 0
fi

if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if ! command -v qemu-aarch64-static >/dev/null || ! command -v update-binfmts >/dev/null; then
  log "installing qemu-user-static and binfmt-support"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    qemu-user-static binfmt-support >/dev/null
fi
handler=/proc/sys/fs/binfmt_misc/qemu-aarch64
if [ ! -e "$handler" ] || ! grep -q '^flags:.*F' "$handler"; then
  [ -e "$handler" ] && echo -1 > "$handler"
  magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
  mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  echo ":qemu-aarch64:M::$magic:$mask:/usr/bin/qemu-aarch64-static:F" \
    > /proc/sys/fs/binfmt_misc/register
  log "registered qemu-aarch64 with the F flag"
fi

if docker buildx imagetools inspect "$BASE" 2>/dev/null | grep -q 'linux/arm64'; then
  log "$BASE has linux/amd64 and linux/arm64"
  exit 0
fi

rootfs=$STATE/debian-bookworm-arm64.tar
mkdir -p "$STATE"  # run alone, before any other script made it
if [ ! -s "$rootfs" ]; then
  command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  root=$(mktemp -d)
  log "debootstrapping bookworm for arm64 from $mirror (under emulation: minutes)"
  debootstrap --arch=arm64 --foreign --variant=minbase bookworm "$root" "$mirror" >/dev/null
  cp /usr/bin/qemu-aarch64-static "$root/usr/bin/"
  chroot "$root" /debootstrap/debootstrap --second-stage >/dev/null
  rm -f "$root/usr/bin/qemu-aarch64-static"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$rootfs.partial" .
  mv "$rootfs.partial" "$rootfs"
  rm -rf "$root"
fi
docker import --platform linux/arm64 "$rootfs" "$BASE-arm64" >/dev/null
docker tag debian:bookworm-slim "$BASE-amd64"
docker push -q "$BASE-arm64" >/dev/null
docker push -q "$BASE-amd64" >/dev/null
docker buildx imagetools create -t "$BASE" "$BASE-amd64" "$BASE-arm64" >/dev/null
log "pushed $BASE for linux/amd64 and linux/arm64"
