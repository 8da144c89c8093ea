"""What MetaCall's ports cost an app: examples/py-app built cold (on the
standalone buildkitd, emptied first) with ports on, as apps have them by
default, and with `core.ports: false`, side by side: wall time, image size.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/ports.py

Needs scripts/channels.sh's registry and root buildkitd and the frontend
image pushed as 127.0.0.1:5000/metacall/frontend.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from contexts import CA_BUNDLE

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = "unix:///run/metacall-test/buildkitd.sock"
REGISTRY = "127.0.0.1:5000"


def buildctl(*args: str) -> float:
    tool = str(Path(os.environ.get("BUILDKIT_BIN_DIR", "/usr/local/bin")) / "buildctl")
    started = time.monotonic()
    done = subprocess.run([tool, "--addr", ADDRESS, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"buildctl {args[0]} failed:\n{done.stderr[-3000:]}")
    return time.monotonic() - started


def image_kilobytes(ref: str) -> float:
    """The image's layers as pushed (compressed)."""
    raw = subprocess.run(["docker", "buildx", "imagetools", "inspect", "--raw", ref],
                         capture_output=True, text=True, check=True).stdout
    return sum(layer["size"] for layer in json.loads(raw)["layers"]) / 1e3


def main() -> int:
    core, plthook = os.environ.get("METACALL_CORE_SOURCE"), os.environ.get("PLTHOOK_SOURCE")
    if not core or not plthook:
        print("set METACALL_CORE_SOURCE and PLTHOOK_SOURCE (a plthook_c directory)")
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
            args = ["build", "--frontend", "gateway.v0",
                    "--opt", f"source={REGISTRY}/metacall/frontend:latest",
                    "--local", f"dockerfile={app}", "--local", f"context={app}",
                    "--local", f"metacall-core={core}", "--local", f"plthook={plthook}",
                    "--opt", "context:metacall-core=local:metacall-core",
                    "--opt", "context:plthook=local:plthook",
                    "--output", f"type=image,name={ref},push=true"]
            if Path(CA_BUNDLE).exists():
                args += ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"]
            buildctl("prune", "--all")
            seconds = buildctl(*args)
            results[name] = (seconds, image_kilobytes(ref))
    print(f"{'examples/py-app':<22}{'cold build':>12}{'image (compressed)':>22}")
    for name, (seconds, size) in results.items():
        print(f"{name:<22}{seconds:>11.1f}s{size:>19,.0f} kB")
    (on_seconds, on_size), (off_seconds, off_size) = results.values()
    print(f"ports cost: {on_seconds - off_seconds:+.1f} s cold "
          f"({on_seconds / off_seconds:.2f}x), {on_size - off_size:+,.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
