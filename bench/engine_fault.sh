#!/usr/bin/env bash
# Fault run: the Docker engine killed (SIGKILL, dockerd and containerd) while
# MetaCall core compiles, restarted with scripts/engine.sh, then the same
# build again: it must succeed and its image must run.
#
#   METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c bench/engine_fault.sh
#
# Without METACALL_CORE_SOURCE it uses the fixture core, whose "compile" is
# instant: the engine is then killed during the longest step, an apt install.
# It kills the machine's Docker engine: run it where nothing else builds.
set -euo pipefail
cd "$(dirname "$0")/.."

core=${METACALL_CORE_SOURCE:-$PWD/tests/fixtures/fake-core}
if [ -n "${METACALL_CORE_SOURCE:-}" ]; then
  step="build MetaCall core"
else
  step="install build dependencies"
fi
work=$(mktemp -d)
# A CMake option no cache has seen, so core really builds.
printf '# syntax=metacall/frontend\nlanguages: [py, node]\ncore: {cmake-options: [-DMETACALL_FAULT_RUN=%s]}\n' \
  "$(date +%s)" > "$work/metacall.yaml"
args=(--progress=plain --target cli -t metacall-fault-run -f "$work/metacall.yaml"
      --build-context "metacall-core=$core")
if [ -n "${PLTHOOK_SOURCE:-}" ]; then args+=(--build-context "plthook=$PLTHOOK_SOURCE"); fi
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  args+=(--secret id=ca-certificates,src=/etc/ssl/certs/ca-certificates.crt)
fi

started=$(date +%s)
docker buildx build "${args[@]}" "$work" >"$work/first.log" 2>&1 &
build=$!
until grep -Eq "^#[0-9]+ \[[a-z+]+\] $step\$" "$work/first.log"; do
  kill -0 "$build" 2>/dev/null || { echo "the build ended before \"$step\""; tail "$work/first.log"; exit 1; }
  sleep 0.5
done
sleep 3  # into the step
echo "killing dockerd and containerd $(( $(date +%s) - started )) s into the build, during \"$step\""
pkill -9 -x dockerd || true
pkill -9 -x containerd || true
# As a supervisor would: restart once the killed processes are gone.
while pgrep -x dockerd >/dev/null || pgrep -x containerd >/dev/null; do sleep 0.2; done
wait "$build" && first=0 || first=$?
echo "the interrupted build exited with $first"

restart=$(date +%s)
bash scripts/engine.sh
echo "the engine answered again after $(( $(date +%s) - restart )) s"

again=$(date +%s)
if docker buildx build "${args[@]}" "$work" >"$work/second.log" 2>&1; then
  echo "the same build succeeded in $(( $(date +%s) - again )) s"
else
  echo "the same build FAILED:"; tail -n 30 "$work/second.log"; exit 1
fi
printf 'def add(left, right):\n    return left + right\n' > "$work/calc.py"
output=$(printf 'load py calc.py\ncall add(40, 2)\nexit\n' \
  | docker run --rm -i -v "$work:/usr/local/scripts" metacall-fault-run 2>&1 || true)
if echo "$output" | grep -q '^λ 42$'; then
  echo "its image runs: add(40, 2) answered 42"
else
  echo "its image did not answer:"; echo "$output"; exit 1
fi
docker image rm -f metacall-fault-run >/dev/null
rm -rf "$work"
