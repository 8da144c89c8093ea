"""Fuzzes the declaration reader and validator (through the compiler) and the
manifest reader with 10,000 generated inputs each, and prints how many ran,
how long they took, and how many crashed: an exception other than the
frontend's own error with a line.

    .venv/bin/python bench/fuzz.py [--cases 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.strategies import (
    declaration_bytes,
    declaration_outcome,
    manifest_bytes,
    manifest_outcome,
)


def fuzz(name: str, strategy: st.SearchStrategy[bytes], outcome: Callable[[bytes], Any],
         cases: int, seed_value: int) -> int:
    ran, crashes = 0, []

    @seed(seed_value)
    @settings(max_examples=cases, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(data: bytes) -> None:
        nonlocal ran
        ran += 1
        try:
            outcome(data)
        except Exception:  # a crash: recorded, and the run goes on
            crashes.append((data, traceback.format_exc(limit=3)))

    started = time.monotonic()
    run()
    elapsed = time.monotonic() - started
    print(f"{name:<13} {ran:>7,} cases  {elapsed:7.1f} s  {len(crashes)} crashes")
    for data, trace in crashes[:3]:
        print(f"  input {data[:80]!r}\n{trace}")
    return len(crashes)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    crashes = fuzz("declarations", declaration_bytes, declaration_outcome, options.cases,
                   options.seed)
    crashes += fuzz("manifests", manifest_bytes, manifest_outcome, options.cases, options.seed)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
