#!/usr/bin/env bash
# Installs and starts a Docker engine whose BuildKit supports MergeOp/DiffOp
# (containerd image store), on Debian bookworm without systemd. Idempotent:
# does nothing when an engine with the containerd store already answers.
set -euo pipefail

log() { echo "[engine] $*" >&2; }

engine_ready() {
  docker info --format '{{.DriverStatus}}' 2>/dev/null | grep -q 'io.containerd.snapshotter'
}

if engine_ready; then
  log "a Docker engine with the containerd image store is running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing dockerd, containerd and buildx from Debian trixie (pinned low)"
  sources=/etc/apt/sources.list.d/debian.sources
  trixie=/etc/apt/sources.list.d/trixie.sources
  if [ ! -f "$trixie" ]; then
    # Reuse the configured mirror; only the suite changes.
    awk '/^Types:/ && seen {exit} /^Types:/ {seen=1} {print}' "$sources" \
      | sed -E 's/^Suites:.*/Suites: trixie/' > "$trixie"
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' \
      > /etc/apt/preferences.d/trixie-low
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # bookworm's runc: trixie's needs glibc 2.38.
  apt-get install -y -qq runc iptables >/dev/null
  apt-get install -y -qq --no-install-recommends \
    docker.io/trixie containerd/trixie docker-cli/trixie docker-buildx/trixie tini >/dev/null
fi

# The containerd image store (MergeOp/DiffOp need it) and a build cache large
# enough for several MetaCall core builds (the default GC evicts them).
daemon_json='{"features": {"containerd-snapshotter": true}, "builder": {"gc": {"enabled": true, "defaultKeepStorage": "60GB"}}}'
mkdir -p /etc/docker
if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$daemon_json" ]; then
  echo "$daemon_json" > /etc/docker/daemon.json
fi

# This engine's dockerd, by its pidfile (the classic engine the tests start
# is another dockerd). One killed uncleanly may linger as a zombie or leave
# its pidfile: only a live one counts.
live_dockerd() {
  pid=$(cat /var/run/docker.pid 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(ps -o stat= -p "$pid" | cut -c1)" != Z ]
}
if ! live_dockerd; then
  log "starting dockerd (log: /var/log/dockerd.log)"
  nohup dockerd >>/var/log/dockerd.log 2>&1 &
fi

# An engine killed uncleanly can take minutes to recover its state.
for _ in $(seq 1 240); do
  if engine_ready; then
    log "ready: $(docker version --format 'engine {{.Server.Version}}')"
    exit 0
  fi
  sleep 1
done
log "dockerd did not come up with the containerd image store; see /var/log/dockerd.log"
tail -n 20 /var/log/dockerd.log >&2 || true
exit 1
