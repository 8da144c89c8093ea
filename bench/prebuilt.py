"""Prebuilt layers by default: `examples/polyglot-app` built cold (an
emptied buildkitd) through the frontend naming no repository, its layers
published where the default one is found behind a Docker Hub mirror,
beside bench/prebuilt-app.Dockerfile, which starts FROM a prebuilt MetaCall
CLI image and runs the same pip and npm installs. Wall and CPU time of
each, side by side, and their ratios (goal: at most 1.0 for both).

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/prebuilt.py [--runs 1]

First, not timed: `python -m frontend publish` pushes the app's layers to
the test registry's copy of the default repository
(docker.io/metacall/frontend-layers, which the root buildkitd's
buildkitd.toml mirrors there) through buildx's remote driver on the root
buildkitd, and the app's `cli` target is pushed as the prebuilt MetaCall
image. Needs scripts/channels.sh's registry and root buildkitd and the
frontend image pushed as 127.0.0.1:5000/metacall/frontend.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import uuid

from common_compile import ROOT, compare_cold
from contexts import (
    ADDRESS,
    BUILD_SECONDS,
    REGISTRY,
    buildctl_sources,
    buildx_sources,
    core_sources,
    frontend_build,
    secret_args,
    timed_build,
)

from frontend.references import DEFAULT_PREBUILT

APP = ROOT / "examples" / "polyglot-app"
BUILDER = "metacall-bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    sources = core_sources()
    if sources is None:
        return 1
    core, plthook = sources
    buildx_args = buildx_sources(core, plthook)
    run = uuid.uuid4().hex[:8]
    # Where the mirror finds docker.io's repository of the default layers.
    layers = f"{REGISTRY}/{DEFAULT_PREBUILT.removeprefix('docker.io/')}"
    cli = f"{REGISTRY}/bench/metacall-cli-{run}:latest"
    subprocess.run(["docker", "buildx", "rm", BUILDER], capture_output=True)
    subprocess.run(["docker", "buildx", "create", "--name", BUILDER, "--driver", "remote",
                    ADDRESS], capture_output=True, check=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "frontend", "publish", str(APP / "metacall.yaml"),
             "--repository", layers, "--builder", BUILDER, *buildx_args],
            cwd=ROOT, timeout=BUILD_SECONDS)
        if done.returncode != 0:
            return 1
        timed_build(["--builder", BUILDER, "-f", str(APP / "metacall.yaml"), "--target", "cli",
                     *buildx_args, "--output", f"type=image,name={cli},push=true", str(APP)])
    finally:
        subprocess.run(["docker", "buildx", "rm", BUILDER], capture_output=True)
    cases = {
        "frontend, default layers": [
            *frontend_build(APP), *buildctl_sources(core, plthook),
            "--output", "type=image,name=bench/prebuilt-app"],
        "prebuilt-app.Dockerfile": [
            "build", "--frontend", "dockerfile.v0",
            "--local", f"dockerfile={ROOT / 'bench'}", "--opt", "filename=prebuilt-app.Dockerfile",
            "--local", f"context={APP}", "--opt", f"build-arg:METACALL_CLI={cli}",
            *secret_args(), "--output", "type=image,name=bench/dockerfile-app"],
    }
    compare_cold("cold examples/polyglot-app", cases, options.runs, " (goal: at most 1.0 for both)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
