"""Remote cache benchmark: the same app built cold on an empty standalone
buildkitd, then on that builder emptied again with the registry cache the
first build exported (`--import-cache`), side by side in one run.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/remote_cache.py [--app DIR]

Needs scripts/channels.sh's registry and root buildkitd, and the frontend
image pushed as 127.0.0.1:5000/metacall/frontend (tests/integration/
test_channels.py pushes it). The default app is examples/polyglot-app.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from contexts import CA_BUNDLE

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = "unix:///run/metacall-test/buildkitd.sock"
REGISTRY = "127.0.0.1:5000"


def buildctl(*args: str) -> tuple[float, str]:
    tool = str(Path(os.environ.get("BUILDKIT_BIN_DIR", "")) / "buildctl") if os.environ.get(
        "BUILDKIT_BIN_DIR") else "buildctl"
    started = time.monotonic()
    done = subprocess.run([tool, "--addr", ADDRESS, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"buildctl {args[0]} failed:\n{done.stderr[-3000:]}")
    return time.monotonic() - started, done.stderr


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", default=str(ROOT / "examples" / "polyglot-app"))
    options = parser.parse_args()
    core, plthook = os.environ.get("METACALL_CORE_SOURCE"), os.environ.get("PLTHOOK_SOURCE")
    if not core or not plthook:
        print("set METACALL_CORE_SOURCE and PLTHOOK_SOURCE (a plthook_c directory)")
        return 1
    app = Path(options.app)
    cache = f"{REGISTRY}/bench/cache-{uuid.uuid4().hex[:8]}"
    build = ["build", "--progress=plain", "--frontend", "gateway.v0",
             "--opt", f"source={REGISTRY}/metacall/frontend:latest",
             "--local", f"dockerfile={app}", "--local", f"context={app}",
             "--local", f"metacall-core={core}", "--local", f"plthook={plthook}",
             "--opt", "context:metacall-core=local:metacall-core",
             "--opt", "context:plthook=local:plthook"]
    if Path(CA_BUNDLE).exists():
        build += ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"]
    buildctl("prune", "--all")
    cold, _ = buildctl(*build, "--export-cache", f"type=registry,ref={cache},mode=max")
    buildctl("prune", "--all")
    imported, output = buildctl(*build, "--import-cache", f"type=registry,ref={cache}")
    ran = [line for line in output.splitlines() if " DONE " in line]
    cached = output.count(" CACHED")
    print(f"app: {app.name}, buildkitd {ADDRESS}, cache {cache}")
    print(f"{'build':<28}{'seconds':>10}")
    print(f"{'cold (empty builder)':<28}{cold:>10.1f}")
    print(f"{'imported cache (emptied)':<28}{imported:>10.1f}")
    print(f"ratio imported/cold: {imported / cold:.2f}; with the cache, {cached} steps were "
          f"CACHED and {len(ran)} ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
