"""Prebuilt layers: `examples/polyglot-app` built cold (an emptied
buildkitd) through the frontend with its layers published, beside
bench/prebuilt-app.Dockerfile, which starts FROM a prebuilt MetaCall CLI
image and runs the same pip and npm installs. Wall time of each, side by
side, and their ratio (goal: at most 1.5).

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/prebuilt.py [--runs 1]

First, not timed: `python -m frontend publish` pushes the app's layers to
the test registry through buildx's remote driver on the root buildkitd, and
the app's `cli` target is pushed as the prebuilt MetaCall image. Needs
scripts/channels.sh's registry and root buildkitd and the frontend image
pushed as 127.0.0.1:5000/metacall/frontend.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

from common_compile import ADDRESS, ROOT, cold
from contexts import CA_BUNDLE, core_build_args

APP = ROOT / "examples" / "polyglot-app"
REGISTRY = "127.0.0.1:5000"
BUILDER = "metacall-bench"


def docker(*args: str) -> None:
    done = subprocess.run(["docker", *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"docker {args[0]} {args[1]} failed:\n{done.stderr[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    buildx_args = core_build_args()
    if buildx_args is None:
        return 1
    run = uuid.uuid4().hex[:8]
    layers, cli = f"{REGISTRY}/bench/layers-{run}", f"{REGISTRY}/bench/metacall-cli-{run}:latest"
    subprocess.run(["docker", "buildx", "rm", BUILDER], capture_output=True)
    docker("buildx", "create", "--name", BUILDER, "--driver", "remote", ADDRESS)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "frontend", "publish", str(APP / "metacall.yaml"),
             "--repository", layers, "--builder", BUILDER, *buildx_args], cwd=ROOT)
        if done.returncode != 0:
            return 1
        docker("buildx", "build", "--builder", BUILDER, "-f", str(APP / "metacall.yaml"),
               "--target", "cli", *buildx_args,
               "--output", f"type=image,name={cli},push=true", str(APP))
    finally:
        subprocess.run(["docker", "buildx", "rm", BUILDER], capture_output=True)
    secret = ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"] if Path(CA_BUNDLE).exists() else []
    contexts = [value for flag, value in zip(buildx_args[::2], buildx_args[1::2], strict=True)
                if flag == "--build-context"]
    core_locals = [arg for context in contexts for arg in ("--local", context)]
    core_opts = [arg for context in contexts for arg in
                 ("--opt", f"context:{context.split('=')[0]}=local:{context.split('=')[0]}")]
    cases = {
        "frontend, layers published": [
            "build", "--frontend", "gateway.v0",
            "--opt", f"source={REGISTRY}/metacall/frontend:latest",
            "--opt", f"build-arg:METACALL_PREBUILT={layers}",
            "--local", f"dockerfile={APP}", "--local", f"context={APP}",
            *core_locals, *core_opts, *secret, "--output", "type=image,name=bench/prebuilt-app"],
        "prebuilt-app.Dockerfile": [
            "build", "--frontend", "dockerfile.v0",
            "--local", f"dockerfile={ROOT / 'bench'}", "--opt", "filename=prebuilt-app.Dockerfile",
            "--local", f"context={APP}", "--opt", f"build-arg:METACALL_CLI={cli}",
            *secret, "--output", "type=image,name=bench/dockerfile-app"],
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(options.runs):  # interleaved
        for name, args in cases.items():
            runs[name].append(cold(args))
    print(f"{'cold examples/polyglot-app':<30}{'wall':>10}{'CPU':>10}")
    medians = {name: (statistics.median(w for w, _ in measured),
                      statistics.median(c for _, c in measured))
               for name, measured in runs.items()}
    for name, (wall, cpu) in medians.items():
        print(f"{name:<30}{wall:>9.1f}s{cpu:>9.1f}s")
    (wall, cpu), (ref_wall, ref_cpu) = medians.values()
    print(f"ratio frontend/Dockerfile: wall {wall / ref_wall:.2f} (goal: at most 1.5), "
          f"CPU {cpu / ref_cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
