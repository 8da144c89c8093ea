#!/usr/bin/env bash
# Starts what the BuildKit channel tests need besides Docker, idempotently:
#   - a registry on 127.0.0.1:5000 (Debian's docker-registry, no auth);
#   - a standalone buildkitd as root, and one rootless (rootlesskit, as the
#     user metacall-rootless), each mirroring docker.io to that registry, so
#     `debian:bookworm-slim` and `# syntax=metacall/frontend` resolve there.
# buildkitd comes from PATH or BUILDKIT_BIN_DIR. Without it this says so and
# the channel tests skip, saying why.
set -euo pipefail

log() { echo "[channels] $*" >&2; }

# Docker's engine and debian:bookworm-slim, which goes to the registry below.
bash "$(dirname "$0")/base-images.sh"

STATE=/var/lib/metacall-test
RUN=/run/metacall-test
ROOTLESS_USER=metacall-rootless
REGISTRY=127.0.0.1:5000

if [ -n "${BUILDKIT_BIN_DIR:-}" ]; then
  PATH="$BUILDKIT_BIN_DIR:$PATH"
fi
if ! command -v buildkitd >/dev/null || ! command -v buildctl >/dev/null; then
  log "no buildkitd/buildctl on PATH or in BUILDKIT_BIN_DIR: the channel tests will SKIP"
  exit 0
fi
bin_dir=$(dirname "$(command -v buildkitd)")

missing=""
command -v docker-registry >/dev/null || missing="$missing docker-registry"
command -v rootlesskit >/dev/null || missing="$missing rootlesskit"
command -v newuidmap >/dev/null || missing="$missing uidmap"
if [ -n "$missing" ]; then
  log "installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

mkdir -p "$STATE/registry" "$RUN"

# The registry: Debian's packaged config asks for htpasswd auth; this one has none.
cat > "$STATE/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
registry_answers() { (echo >"/dev/tcp/${REGISTRY%:*}/${REGISTRY#*:}") 2>/dev/null; }
if ! registry_answers; then
  log "starting the registry on $REGISTRY (log: $STATE/registry.log)"
  nohup docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 &
  for _ in $(seq 1 30); do registry_answers && break; sleep 0.5; done
fi

# What both buildkitds share: plain http to the registry, which mirrors docker.io.
cat > "$STATE/buildkitd.toml" <<EOF
[registry."$REGISTRY"]
  http = true
[registry."docker.io"]
  mirrors = ["$REGISTRY"]
EOF
chmod 644 "$STATE/buildkitd.toml"

wait_for() {  # $1 = address, $2 = log
  for _ in $(seq 1 60); do
    buildctl --addr "$1" debug workers >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "buildkitd at $1 did not answer; see $2"
  tail -n 20 "$2" >&2 || true
  return 1
}

start_root() {  # $1 = name, then buildkitd flags; one state folder and socket each
  local name=$1 addr="unix://$RUN/$1/buildkitd.sock"
  shift
  mkdir -p "$RUN/$name"
  if ! buildctl --addr "$addr" debug workers >/dev/null 2>&1; then
    log "starting buildkitd $name (root) at $addr $*"
    nohup buildkitd --root "$STATE/$name" --addr "$addr" --config "$STATE/buildkitd.toml" \
      --oci-worker=true --containerd-worker=false "$@" >"$STATE/$name.log" 2>&1 &
    wait_for "$addr" "$STATE/$name.log"
  fi
}
# The channels' own buildkitd; two nodes of one multi-node builder (an amd64
# one and one whose worker offers only linux/arm64, run under
# scripts/emulation.sh's qemu); and one the fault tests kill and restart.
start_root buildkitd
start_root node-amd64 --oci-worker-platform linux/amd64
start_root node-arm64 --oci-worker-platform linux/arm64
start_root faults

# Rootless: a user with subordinate ids; slirp4netns cannot make its tap
# device here, so the host network.
if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
  useradd --create-home "$ROOTLESS_USER"
fi
uid=$(id -u "$ROOTLESS_USER")
rootless_run="$RUN/rootless"
install -d -o "$ROOTLESS_USER" -m 700 "$rootless_run"
rootless_addr="unix://$rootless_run/buildkitd.sock"
if ! buildctl --addr "$rootless_addr" debug workers >/dev/null 2>&1; then
  log "starting rootless buildkitd as $ROOTLESS_USER at $rootless_addr"
  su "$ROOTLESS_USER" -s /bin/sh -c "cd && XDG_RUNTIME_DIR=$rootless_run PATH=$bin_dir:\$PATH \
    nohup rootlesskit --net=host --copy-up=/etc --state-dir=$rootless_run/rootlesskit \
    buildkitd --oci-worker-no-process-sandbox --config $STATE/buildkitd.toml \
    --root \$HOME/.local/share/buildkit --addr $rootless_addr \
    >$rootless_run/buildkitd.log 2>&1 &"
  wait_for "$rootless_addr" "$rootless_run/buildkitd.log"
  chmod 666 "$rootless_run/buildkitd.sock"
fi
# The base image, for buildkitds that cannot read Docker's image store
# (scripts/emulation.sh makes it a two-platform index).
base=$REGISTRY/library/debian:bookworm-slim
if ! docker buildx imagetools inspect "$base" >/dev/null 2>&1; then
  docker tag debian:bookworm-slim "$base"
  docker push -q "$base" >/dev/null
fi
log "ready: registry $REGISTRY; buildkitds (root) $RUN/{buildkitd,node-amd64,node-arm64,faults}/buildkitd.sock; rootless (uid $uid) $rootless_addr"
