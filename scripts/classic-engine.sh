#!/usr/bin/env bash
# Starts a second Docker engine with the classic (overlay2) image store, whose
# BuildKit reports MergeOp/DiffOp disabled: the fallback tests build against it.
# It runs in its own network namespace (so it cannot touch the main engine's
# docker0 bridge or iptables chains), reaching the package mirror through a
# veth pair and NAT. Idempotent. Prints the DOCKER_HOST to use.
set -euo pipefail

ns=metacall-classic
sock=/var/run/docker-classic.sock
host_if=mc-classic0
ns_if=mc-classic1
subnet=10.231.77
log() { echo "[classic-engine] $*" >&2; }

if DOCKER_HOST=unix://$sock docker info >/dev/null 2>&1; then
  echo "unix://$sock"
  exit 0
fi
command -v dockerd >/dev/null || bash "$(dirname "$0")/engine.sh"  # installs dockerd

command -v ip >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
}
if ! ip netns list | grep -qw "$ns"; then
  ip netns add "$ns"
  ip link add "$host_if" type veth peer name "$ns_if"
  ip link set "$ns_if" netns "$ns"
  ip addr add "$subnet.1/30" dev "$host_if"
  ip link set "$host_if" up
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip addr add "$subnet.2/30" dev "$ns_if"
  ip netns exec "$ns" ip link set "$ns_if" up
  ip netns exec "$ns" ip route add default via "$subnet.1"
fi
sysctl -qw net.ipv4.ip_forward=1
iptables -t nat -C POSTROUTING -s "$subnet.0/30" -j MASQUERADE 2>/dev/null \
  || iptables -t nat -A POSTROUTING -s "$subnet.0/30" -j MASQUERADE
for chain in "-i $host_if" "-o $host_if"; do
  # shellcheck disable=SC2086
  iptables -C FORWARD $chain -j ACCEPT 2>/dev/null || iptables -I FORWARD $chain -j ACCEPT
done

mkdir -p /etc/docker-classic
echo '{"features": {"containerd-snapshotter": false}, "storage-driver": "overlay2"}' \
  > /etc/docker-classic/daemon.json
log "starting a classic-store dockerd in netns $ns (log: /var/log/dockerd-classic.log)"
# nsenter, not `ip netns exec`: that remounts /sys and hides the cgroups.
nohup nsenter --net=/var/run/netns/"$ns" dockerd \
  --config-file /etc/docker-classic/daemon.json \
  --data-root /var/lib/docker-classic --exec-root /var/run/docker-classic \
  --pidfile /var/run/docker-classic.pid --host "unix://$sock" \
  >/var/log/dockerd-classic.log 2>&1 &

for _ in $(seq 1 60); do
  if DOCKER_HOST=unix://$sock docker info >/dev/null 2>&1; then
    echo "unix://$sock"
    exit 0
  fi
  sleep 1
done
log "the classic-store dockerd did not start; see /var/log/dockerd-classic.log"
tail -n 20 /var/log/dockerd-classic.log >&2
exit 1
