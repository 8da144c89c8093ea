"""What every benchmark shares: the build arguments (core's and plthook's
sources as named contexts, the machine's CA bundle as the ca-certificates
secret) and the timed `docker buildx build`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def core_build_args() -> list[str] | None:
    """None (after saying what is missing) when the sources are not given."""
    core, plthook = os.environ.get("METACALL_CORE_SOURCE"), os.environ.get("PLTHOOK_SOURCE")
    if not core or not plthook:
        print("set METACALL_CORE_SOURCE and PLTHOOK_SOURCE (a plthook_c directory)")
        return None
    args = ["--build-context", f"metacall-core={core}", "--build-context", f"plthook={plthook}"]
    if Path(CA_BUNDLE).exists():
        args += ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"]
    return args


def timed_build(args: list[str]) -> tuple[float, str]:
    """Runs `docker buildx build ARGS`: its wall time and progress output
    (the benchmark stops, showing the end of it, when the build fails)."""
    started = time.monotonic()
    done = subprocess.run(["docker", "buildx", "build", "--progress=plain", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stderr[-3000:]}")
    return time.monotonic() - started, done.stderr
