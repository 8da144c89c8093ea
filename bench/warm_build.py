"""Warm-build benchmark: the calc example through the frontend beside the
same build as a plain Dockerfile (bench/calc.Dockerfile), on one daemon,
through Docker's built-in Dockerfile frontend and through BuildKit's Go
Dockerfile frontend as a gateway image (the reference for a gateway
frontend's overhead; ../shared/tools/build-buildkit.sh builds it as
local/dockerfile-frontend:v0.26, GO_FRONTEND names another). Warm runs are
interleaved, one of each in turn, so load on the machine hits them alike.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
        .venv/bin/python bench/warm_build.py [--runs 5]

Each build runs once to warm the cache (timed as "first"), then --runs more
times; the table prints the median and the spread of the warm runs and
`docker image inspect` sizes of both images.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from contexts import core_build_args, timed_build

ROOT = Path(__file__).resolve().parent.parent
GO_FRONTEND = os.environ.get("GO_FRONTEND", "local/dockerfile-frontend:v0.26")
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
    dockerfile = [*common, "-f", str(ROOT / "bench" / "calc.Dockerfile")]
    cases = {
        "metacall/frontend": [*common, "-f", str(EXAMPLE / "metacall.yaml"), "--target", "cli",
                              "-t", "bench-calc-frontend", str(EXAMPLE)],
        "Dockerfile, built-in": [*dockerfile, "-t", "bench-calc-dockerfile", str(EXAMPLE)],
    }
    if subprocess.run(["docker", "image", "inspect", GO_FRONTEND],
                      capture_output=True).returncode == 0:
        cases["Dockerfile, Go gateway"] = [*dockerfile, "--build-arg",
                                           f"BUILDKIT_SYNTAX={GO_FRONTEND}",
                                           "-t", "bench-calc-go", str(EXAMPLE)]
    else:
        print(f"{GO_FRONTEND} is missing (../shared/tools/build-buildkit.sh builds it): "
              "the Go gateway is left out")
    first = {name: timed_build(args)[0] for name, args in cases.items()}
    warm: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(options.runs):
        for name, args in cases.items():
            warm[name].append(timed_build(args)[0])
    print(f"{'build':<24}{'first':>10}{'warm median':>14}{'warm min-max':>16}{'image':>10}")
    for name, args in cases.items():
        tag = args[args.index("-t") + 1]
        print(f"{name:<24}{first[name]:>9.2f}s{statistics.median(warm[name]):>13.2f}s"
              f"{min(warm[name]):>8.2f}-{max(warm[name]):.2f}s{image_size(tag):>10}")
    ours = statistics.median(warm["metacall/frontend"])
    for reference in ("Dockerfile, Go gateway", "Dockerfile, built-in"):
        if reference in warm:
            ratios = [a / b for a, b in zip(warm["metacall/frontend"], warm[reference],
                                            strict=True)]
            print(f"warm ratio to {reference}: {ours / statistics.median(warm[reference]):.2f}"
                  f" (pair by pair {min(ratios):.2f}-{max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
