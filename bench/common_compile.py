"""A cold [py, node, rb] CLI image through the frontend beside the same image
from bench/pynoderb.Dockerfile (core compiled once with the three loaders),
each on the standalone buildkitd emptied first: wall time and the machine's
CPU time (user + system, from /proc/stat) of each build, side by side.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/common_compile.py [--runs 1]

Needs scripts/channels.sh's registry and root buildkitd and the frontend
image pushed as 127.0.0.1:5000/metacall/frontend (run nothing else meanwhile:
CPU time is the whole machine's).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from contexts import buildctl, buildctl_sources, core_sources, frontend_build

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system = (int(value) for value in fields[:3])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def cold(build: list[str]) -> tuple[float, float]:
    buildctl("prune", "--all")
    cpu, started = cpu_seconds(), time.monotonic()
    buildctl(*build)
    return time.monotonic() - started, cpu_seconds() - cpu


def compare_cold(title: str, cases: dict[str, list[str]], runs: int, goal: str = "") -> None:
    """Builds each case cold `runs` times, interleaved, and prints the
    medians and the first case's ratio to the second."""
    measured: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, args in cases.items():
            measured[name].append(cold(args))
    medians = {name: (statistics.median(w for w, _ in one), statistics.median(c for _, c in one))
               for name, one in measured.items()}
    print(f"{title:<30}{'wall':>10}{'CPU':>10}")
    for name, (wall, cpu) in medians.items():
        print(f"{name:<30}{wall:>9.1f}s{cpu:>9.1f}s")
    (wall, cpu), (ref_wall, ref_cpu) = medians.values()
    print(f"ratio frontend/Dockerfile: wall {wall / ref_wall:.2f}{goal}, CPU {cpu / ref_cpu:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    sources = core_sources()
    if sources is None:
        return 1
    contexts = buildctl_sources(*sources)
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "metacall.yaml").write_text(
            "# syntax=metacall/frontend\nlanguages: [py, node, rb]\n")
        cases = {
            "metacall/frontend": [*frontend_build(Path(work)), "--opt", "target=cli",
                                  *contexts],
            "pynoderb.Dockerfile": [
                "build", "--frontend", "dockerfile.v0",
                "--local", f"dockerfile={ROOT / 'bench'}", "--opt", "filename=pynoderb.Dockerfile",
                "--local", f"context={work}", *contexts],
        }
        compare_cold("cold [py, node, rb] cli", cases, options.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
