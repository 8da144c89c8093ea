"""Remote cache benchmark: the same app built cold on an empty standalone
buildkitd (node A, the root one), then on another, emptied (node B,
scripts/channels.sh's node-amd64), with the registry cache node A exported
(`--import-cache`), side by side in one run.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/remote_cache.py [--app DIR]

Needs scripts/channels.sh's registry and buildkitds, and the frontend
image pushed as 127.0.0.1:5000/metacall/frontend (tests/integration/
test_channels.py pushes it). The default app is examples/polyglot-app.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

from contexts import ADDRESS, REGISTRY, buildctl, buildctl_sources, core_sources, frontend_build

ROOT = Path(__file__).resolve().parent.parent
NODE_B = ADDRESS.replace("/buildkitd/", "/node-amd64/")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", default=str(ROOT / "examples" / "polyglot-app"))
    options = parser.parse_args()
    sources = core_sources()
    if sources is None:
        return 1
    app = Path(options.app)
    cache = f"{REGISTRY}/bench/cache-{uuid.uuid4().hex[:8]}"
    build = [*frontend_build(app), "--progress=plain", *buildctl_sources(*sources)]
    buildctl("prune", "--all")
    cold, _ = buildctl(*build, "--export-cache", f"type=registry,ref={cache},mode=max")
    buildctl("prune", "--all", address=NODE_B)
    imported, output = buildctl(*build, "--import-cache", f"type=registry,ref={cache}",
                                address=NODE_B)
    ran = [line for line in output.splitlines() if " DONE " in line]
    cached = output.count(" CACHED")
    print(f"app: {app.name}, node A {ADDRESS}, node B {NODE_B}, cache {cache}")
    print(f"{'build':<34}{'seconds':>10}")
    print(f"{'node A, cold (empty)':<34}{cold:>10.1f}")
    print(f"{'node B, emptied, imported cache':<34}{imported:>10.1f}")
    print(f"ratio imported/cold: {imported / cold:.2f}; with the cache, {cached} steps were "
          f"CACHED and {len(ran)} ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
