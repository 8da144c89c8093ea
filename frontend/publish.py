"""`python -m frontend publish`: builds each of the runtime's layers alone
(the `layer` target) with `docker buildx build` and pushes it where builds
naming the repository (`core.prebuilt`) look for it."""

from __future__ import annotations

import itertools
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from frontend.compile import layer_ref
from frontend.plan.prebuilt import LAYER_ARG
from frontend.sources import CORE_CONTEXT

BUILD_CONTEXT_FLAG = "--build-context"
# A layer's build may compile core cold, but may not hang the publish.
LAYER_SECONDS = 2 * 3600


def core_version(buildx_args: Sequence[str], declared: str) -> str:
    """The version the frontend will read: core's VERSION when its source is
    a local directory (`--build-context metacall-core=DIR`), else the
    declared git ref."""
    split = [part for arg in buildx_args for part in
             (arg.split("=", 1) if arg.startswith(f"{BUILD_CONTEXT_FLAG}=") else [arg])]
    for flag, value in itertools.pairwise(split):
        name, _, path = value.partition("=")
        if flag == BUILD_CONTEXT_FLAG and name == CORE_CONTEXT:
            if "://" in path:
                return "unknown"
            version = Path(path, "VERSION")
            # As the frontend reads it: an empty or missing VERSION is "unknown".
            return (version.read_text().strip() if version.is_file() else "") or "unknown"
    return declared


def publish_commands(declaration: Path, context: Path, repository: str, version: str,
                     layers: Sequence[str], buildx_args: Sequence[str]) -> list[list[str]]:
    return [
        ["docker", "buildx", "build", "-f", str(declaration), "--target", "layer",
         "--build-arg", f"{LAYER_ARG}={name}", *buildx_args,
         "--output", f"type=image,name={layer_ref(repository, version, name)},push=true",
         str(context)]
        for name in layers
    ]


def publish(commands: Sequence[Sequence[str]], *, dry_run: bool) -> int:
    for command in commands:
        print(shlex.join(command), file=sys.stderr)
        if dry_run:
            continue
        try:
            if subprocess.run(command, timeout=LAYER_SECONDS).returncode != 0:
                return 1
        except subprocess.TimeoutExpired:
            print(f"stopped: the build above took longer than {LAYER_SECONDS} s", file=sys.stderr)
            return 1
        except FileNotFoundError:
            print("docker is not installed: publishing runs `docker buildx build`",
                  file=sys.stderr)
            return 1
    return 0
