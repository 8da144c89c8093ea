"""The committed protobuf modules are exactly what scripts/gen-proto.sh makes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_modules_are_fresh(tmp_path: Path) -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "gen-proto.sh"), str(tmp_path)],
        check=True, env={**os.environ, "PYTHON": sys.executable},
    )
    generated = sorted(p.name for p in (tmp_path / "frontend" / "pb").glob("*_pb2*.py*"))
    committed = sorted(p.name for p in (ROOT / "frontend" / "pb").glob("*_pb2*.py*"))
    assert generated == committed
    for name in generated:
        fresh = (tmp_path / "frontend" / "pb" / name).read_text()
        assert fresh == (ROOT / "frontend" / "pb" / name).read_text(), (
            f"frontend/pb/{name} is stale: run scripts/gen-proto.sh"
        )
