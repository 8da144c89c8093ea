#!/usr/bin/env bash
# Draws a declaration's build as an SVG: `python -m frontend llb --graph`
# through Graphviz's dot, installed from Debian's archive when missing.
#   scripts/render-graph.sh [DECLARATION] [OUT.svg] [LLB OPTION...]
# e.g. scripts/render-graph.sh examples/py-app/metacall.yaml py-app.svg --target runtime
# Defaults: examples/polyglot-app/metacall.yaml into docs/polyglot-app.svg.
# core and plthook are given as named contexts, so every step shows (with no
# context core is one git source and plthook is fetched inside a step).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "[render-graph] $*" >&2; }

declaration=${1:-$root/examples/polyglot-app/metacall.yaml}
if [ $# -ge 1 ]; then
  out=${2:-$(basename "$(dirname "$(realpath "$declaration")")").svg}
else
  out=$root/docs/polyglot-app.svg
fi
shift $(($# < 2 ? $# : 2))

if ! command -v dot >/dev/null; then
  sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
  log "installing graphviz (dot is missing)"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    graphviz >/dev/null
fi

bash "$root/scripts/venv.sh"
python=$root/.venv/bin/python
mkdir -p "$(dirname "$out")"
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} "$python" -m frontend llb "$declaration" --graph \
  --context metacall-core=local:metacall-core --context plthook=local:plthook "$@" \
  | dot -Tsvg -o "$out"
log "wrote $out"
