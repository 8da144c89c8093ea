"""What every benchmark shares: core's and plthook's sources as named
contexts and the machine's CA bundle as the ca-certificates secret, for
`docker buildx build` and for `buildctl` against scripts/channels.sh's root
buildkitd; the timed builds; the pushed layers of an image. Every build has a
time limit: a benchmark stops, showing why, rather than hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
ADDRESS = "unix:///run/metacall-test/buildkitd/buildkitd.sock"
REGISTRY = "127.0.0.1:5000"
FRONTEND_REF = f"{REGISTRY}/metacall/frontend:latest"
BUILD_SECONDS = 3600


def core_sources() -> tuple[str, str] | None:
    """(core, plthook), or None after saying what is missing."""
    core, plthook = os.environ.get("METACALL_CORE_SOURCE"), os.environ.get("PLTHOOK_SOURCE")
    if not core or not plthook:
        print("set METACALL_CORE_SOURCE and PLTHOOK_SOURCE (a plthook_c directory)")
        return None
    return core, plthook


def secret_args() -> list[str]:
    return ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"] if Path(CA_BUNDLE).exists() else []


def buildx_sources(core: str, plthook: str) -> list[str]:
    """`docker buildx build`'s arguments for the sources."""
    return ["--build-context", f"metacall-core={core}", "--build-context", f"plthook={plthook}",
            *secret_args()]


def core_build_args() -> list[str] | None:
    """buildx's arguments for the sources, or None when they are not given."""
    sources = core_sources()
    return None if sources is None else buildx_sources(*sources)


def buildctl_sources(core: str, plthook: str | None) -> list[str]:
    """buildctl's arguments for the same sources."""
    contexts = {"metacall-core": core, **({"plthook": plthook} if plthook else {})}
    return [*(arg for name, path in contexts.items() for arg in (
        "--local", f"{name}={path}", "--opt", f"context:{name}=local:{name}")), *secret_args()]


def frontend_build(app: Path, declaration: Path | None = None) -> list[str]:
    """`buildctl build` through the frontend image in the test registry, the
    declaration from `declaration`'s folder, else the app's."""
    return ["build", "--frontend", "gateway.v0", "--opt", f"source={FRONTEND_REF}",
            "--local", f"dockerfile={declaration or app}", "--local", f"context={app}"]


def _run(command: list[str]) -> tuple[float, str]:
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired:
        sys.exit(f"{' '.join(command[:3])} took longer than {BUILD_SECONDS} s")
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:3])} failed:\n{done.stderr[-3000:]}")
    return time.monotonic() - started, done.stderr


def timed_build(args: list[str]) -> tuple[float, str]:
    """Runs `docker buildx build ARGS`: its wall time and progress output."""
    return _run(["docker", "buildx", "build", "--progress=plain", *args])


def buildctl(*args: str, address: str = ADDRESS) -> tuple[float, str]:
    """Runs buildctl against a buildkitd (the root one): wall time and output."""
    tool = str(Path(os.environ.get("BUILDKIT_BIN_DIR", "/usr/local/bin")) / "buildctl")
    return _run([tool, "--addr", address, *args])


def pushed_layers(ref: str) -> list[tuple[str, int]]:
    """(digest, compressed size) of each layer of a pushed image."""
    raw = subprocess.run(["docker", "buildx", "imagetools", "inspect", "--raw", ref],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return [(layer["digest"], layer["size"]) for layer in json.loads(raw)["layers"]]
