"""Warm-build benchmark: the calc example through the frontend beside the
same build as a plain Dockerfile (bench/calc.Dockerfile), on one daemon.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
        .venv/bin/python bench/warm_build.py [--runs 5]

Each build runs once to warm the cache (timed as "first"), then --runs more
times; the table prints the median and the spread of the warm runs and
`docker image inspect` sizes of both images.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from contexts import core_build_args, timed_build

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "calc"


def image_size(tag: str) -> str:
    size = subprocess.run(["docker", "image", "inspect", tag, "--format", "{{.Size}}"],
                          capture_output=True, text=True, check=True).stdout
    return f"{int(size) / 1e6:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    common = core_build_args()
    if common is None:
        return 2
    cases = {
        "metacall/frontend": [*common, "-f", str(EXAMPLE / "metacall.yaml"), "--target", "cli",
                              "-t", "bench-calc-frontend", str(EXAMPLE)],
        "plain Dockerfile": [*common, "-f", str(ROOT / "bench" / "calc.Dockerfile"),
                             "-t", "bench-calc-dockerfile", str(EXAMPLE)],
    }
    print(f"{'build':<20}{'first':>10}{'warm median':>14}{'warm min-max':>16}{'image':>10}")
    for name, args in cases.items():
        first, _ = timed_build(args)
        warm = [timed_build(args)[0] for _ in range(options.runs)]
        tag = args[args.index("-t") + 1]
        print(f"{name:<20}{first:>9.2f}s{statistics.median(warm):>13.2f}s"
              f"{min(warm):>8.2f}-{max(warm):.2f}s{image_size(tag):>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
