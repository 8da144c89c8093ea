"""Warm rebuilds of an app: after a change to main.py only, and after a change
to package.json only, with which dependency steps BuildKit ran or cached.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
        .venv/bin/python bench/app_rebuild.py [--runs 3]

Builds a copy of examples/polyglot-app (py and node dependencies) once to
warm the cache, then times each edit-and-rebuild --runs times.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from contexts import core_build_args, timed_build

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("[py] install the app's dependencies with `pip install`",
         "[node] install the app's dependencies with `npm ci`",
         "[app] smoke check: load every script with MetaCall")


def build(app: Path, args: list[str]) -> tuple[float, str]:
    return timed_build([*args, "-f", str(app / "metacall.yaml"), "-t", "bench-app", str(app)])


def step_states(progress: str) -> str:
    states = []
    for step in STEPS:
        number = re.search(rf"^#(\d+) {re.escape(step)}$", progress, re.M)
        cached = number and re.search(rf"^#{number.group(1)} CACHED$", progress, re.M)
        states.append(f"{step.split(']')[0]}] {'cached' if cached else 'ran'}")
    return ", ".join(states)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    args = core_build_args()
    if args is None:
        return 2
    with tempfile.TemporaryDirectory() as workdir:
        app = Path(workdir) / "app"
        shutil.copytree(ROOT / "examples" / "polyglot-app", app)
        build(app, args)

        def edit_main() -> None:
            with (app / "main.py").open("a") as handle:
                handle.write(f"\n# edit {uuid.uuid4()}\n")

        def edit_package() -> None:
            package = json.loads((app / "package.json").read_text())
            package["description"] = f"edit {uuid.uuid4()}"
            (app / "package.json").write_text(json.dumps(package, indent=2))

        print(f"{'change':<22}{'median':>8}{'min-max':>14}   steps (last run)")
        for name, edit in (("main.py only", edit_main), ("package.json only", edit_package)):
            times, progress = [], ""
            for _ in range(runs):
                edit()
                seconds, progress = build(app, args)
                times.append(seconds)
            print(f"{name:<22}{statistics.median(times):>7.2f}s"
                  f"{min(times):>7.2f}-{max(times):.2f}s   {step_states(progress)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
