"""What one more op costs a warm build, through BuildKit's Go Dockerfile
frontend as a gateway image (../shared/tools/build-buildkit.sh builds it;
GO_FRONTEND names another): two Dockerfiles whose last RUN mounts the same
N files, each file from a stage of its own in one (N ops more) and all from
one stage in the other (by `source=`), built once, then warm, interleaved.

    .venv/bin/python bench/op_cost.py [--files 40] [--runs 15]

Prints each one's median, the steps its progress output shows, and the
difference per step shown: what the frontend saves a warm build for each
op it does not emit (its programs and tools, say).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from contexts import steps_shown, timed_build
from warm_build import GO_FRONTEND, has_image


def dockerfiles(files: int) -> dict[str, str]:
    base = f"# syntax={GO_FRONTEND}\nFROM debian:bookworm-slim AS base\n"
    stages = "".join(f"FROM scratch AS s{i}\nCOPY f{i} /\n" for i in range(files))
    apart = " ".join(f"--mount=from=s{i},target=/m{i}" for i in range(files))
    together = " ".join(f"--mount=from=s,source=f{i},target=/m{i}" for i in range(files))
    return {
        f"{files} stages, a file each": f"{base}{stages}FROM base\nRUN {apart} true\n",
        "one stage, all the files": f"{base}FROM scratch AS s\nCOPY f* /\nFROM base\n"
                                    f"RUN {together} true\n",
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    if not has_image(GO_FRONTEND):
        print(f"{GO_FRONTEND} is missing (../shared/tools/build-buildkit.sh builds it)")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        context = Path(folder)
        for i in range(options.files):
            (context / f"f{i}").write_text(f"{i}\n")
        builds = {}
        for number, (name, text) in enumerate(dockerfiles(options.files).items()):
            (context / f"{number}.Dockerfile").write_text(text)
            builds[name] = ["-f", str(context / f"{number}.Dockerfile"),
                            "-t", f"bench-op-cost-{number}", str(context)]
        steps = {name: steps_shown(timed_build(args)[1])
                 for name, args in builds.items()}
        times: dict[str, list[float]] = {name: [] for name in builds}
        for _ in range(options.runs):
            for name, args in builds.items():
                times[name].append(timed_build(args)[0])
    medians = {name: statistics.median(each) for name, each in times.items()}
    for name, median in medians.items():
        print(f"  {name:<28}{median:6.3f} s   {steps[name]} steps shown")
    (many, few) = builds
    each = (medians[many] - medians[few]) / (steps[many] - steps[few])
    print(f"per step shown: {each * 1000:.2f} ms (warm, medians of {options.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
