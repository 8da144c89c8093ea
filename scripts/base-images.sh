#!/usr/bin/env bash
# Makes the base images the builds use available in the local image store:
# a real pull when a registry answers, else a debootstrap'd equivalent.
# Idempotent: an image already present is left alone.
set -euo pipefail

log() { echo "[base-images] $*" >&2; }

bash "$(dirname "$0")/engine.sh"  # the image store they go to

mirror() {
  awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources
}

bootstrap_debian() {  # $1 = suite, $2 = tag
  local suite=$1 tag=$2 root
  command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  root=$(mktemp -d)
  log "bootstrapping $tag from $(mirror) (no registry answered)"
  debootstrap --variant=minbase "$suite" "$root" "$(mirror)" >/dev/null
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import - "$tag" >/dev/null
  rm -rf "$root"
}

ensure_image() {  # $1 = suite, $2 = tag
  if docker image inspect "$2" >/dev/null 2>&1; then
    log "$2 is present"
  elif timeout 60 docker pull -q "$2" >/dev/null 2>&1; then
    log "pulled $2"
  else
    bootstrap_debian "$1" "$2"
  fi
}

ensure_image bookworm debian:bookworm-slim
