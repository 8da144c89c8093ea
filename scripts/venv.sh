#!/usr/bin/env bash
# Makes .venv with the project and its development tools (pytest, ruff,
# mypy, grpcio-tools), idempotently: pip installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "[venv] creating .venv" >&2
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'
echo "[venv] .venv has the project and its development tools" >&2
