"""Two frontend images side by side: warm builds of one example through
each, interleaved, so a change to the gateway or the planner shows what it
costs a warm build. Build the images first, e.g. the checkout before a
change and after it:

    git worktree add /tmp/before REV && docker build -t metacall/frontend:before /tmp/before
    docker build -t metacall/frontend:after .
    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
        .venv/bin/python bench/frontend_ab.py metacall/frontend:before metacall/frontend:after \\
        [--example polyglot-app] [--runs 9]

(`docker build` of the frontend needs `--secret id=ca-certificates,…` behind
a TLS-inspecting proxy.) Each image builds once to warm the cache; then the
warm runs alternate; the table prints each one's median, spread, and the
ratio of the second to the first, with the medians of the frontend's own
timings lines (each phase's wall and CPU ms, from Docker's engine's log).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from contexts import (
    ENGINE_LOG,
    core_build_args,
    log_size,
    median_timings,
    timed_build,
    timings_since,
)

ROOT = Path(__file__).resolve().parent.parent


def build_args(image: str, example: Path, sources: list[str]) -> list[str]:
    return ["-f", str(example / "metacall.yaml"), "--build-arg", f"BUILDKIT_SYNTAX={image}",
            *sources, str(example)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--example", default="polyglot-app")
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    sources = core_build_args()
    if sources is None:
        return 1
    example = ROOT / "examples" / options.example
    images = [options.first, options.second]
    for image in images:
        subprocess.run(["docker", "image", "inspect", image], check=True, capture_output=True)
        seconds, _ = timed_build(build_args(image, example, sources))
        print(f"{image}: first build {seconds:.1f} s", flush=True)
    times: dict[str, list[float]] = {image: [] for image in images}
    timings: dict[str, list[str]] = {image: [] for image in images}
    for _ in range(options.runs):
        for image in images:
            offset = log_size(ENGINE_LOG)
            seconds, _ = timed_build(build_args(image, example, sources))
            times[image].append(seconds)
            timings[image] += timings_since(ENGINE_LOG, offset)
    print(f"\nwarm builds of examples/{options.example}, {options.runs} interleaved runs each")
    print(f"{'frontend':40} {'median':>8} {'min':>7} {'max':>7}  median timings")
    for image in images:
        runs = times[image]
        print(f"{image:40} {statistics.median(runs):7.2f}s {min(runs):6.2f}s "
              f"{max(runs):6.2f}s  {median_timings(timings[image])}")
    ratio = statistics.median(times[options.second]) / statistics.median(times[options.first])
    pairs = [b / a for a, b in zip(times[options.first], times[options.second], strict=True)]
    print(f"\nratio {options.second} / {options.first}: {ratio:.2f} "
          f"(pair by pair {min(pairs):.2f} to {max(pairs):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
