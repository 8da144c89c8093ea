#!/usr/bin/env bash
# Regenerates frontend/pb/*_pb2*.py from proto/. The one documented command:
#   scripts/gen-proto.sh [OUTPUT_ROOT]   (default: the repository root)
# grpcio-tools is pinned (pyproject's dev extra) to a release whose output
# loads on protobuf 4.25 through the newest runtime.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root}
if [ -z "${PYTHON:-}" ]; then
  bash "$root/scripts/venv.sh"  # grpcio-tools, at the pinned release
fi
python="${PYTHON:-$root/.venv/bin/python}"
mkdir -p "$out/frontend/pb"
"$python" -m grpc_tools.protoc -I "$root/proto" \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  "$root"/proto/frontend/pb/*.proto
echo "[gen-proto] wrote $out/frontend/pb from proto/" >&2
