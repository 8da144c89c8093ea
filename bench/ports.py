"""What MetaCall's ports cost an app: examples/py-app built cold (on the
standalone buildkitd, emptied first) with ports on, as apps have them by
default, and with `core.ports: false`, side by side: wall time, image size.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/ports.py

Needs scripts/channels.sh's registry and root buildkitd and the frontend
image pushed as 127.0.0.1:5000/metacall/frontend.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from contexts import (
    REGISTRY,
    buildctl,
    buildctl_sources,
    core_sources,
    frontend_build,
    pushed_layers,
)

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    sources = core_sources()
    if sources is None:
        return 1
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for name, extra in (("ports on (default)", ""),
                            ("core.ports: false", "core:\n  ports: false\n")):
            app = Path(work) / name.split()[0]
            shutil.copytree(ROOT / "examples" / "py-app", app)
            text = (app / "metacall.yaml").read_text().split("\n", 1)[1]
            (app / "metacall.yaml").write_text(
                f"# syntax=metacall/frontend\n{text}{extra}")
            ref = f"{REGISTRY}/bench/ports-{uuid.uuid4().hex[:8]}"
            buildctl("prune", "--all")
            seconds, _ = buildctl(*frontend_build(app), *buildctl_sources(*sources),
                                  "--output", f"type=image,name={ref},push=true")
            results[name] = (seconds, sum(size for _, size in pushed_layers(ref)) / 1e3)
    print(f"{'examples/py-app':<22}{'cold build':>12}{'image (compressed)':>22}")
    for name, (seconds, size) in results.items():
        print(f"{name:<22}{seconds:>11.1f}s{size:>19,.0f} kB")
    (on_seconds, on_size), (off_seconds, off_size) = results.values()
    print(f"ports cost: {on_seconds - off_seconds:+.1f} s cold "
          f"({on_seconds / off_seconds:.2f}x), {on_size - off_size:+,.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
