"""What every benchmark shares: core's and plthook's sources as named
contexts and the machine's CA bundle as the ca-certificates secret, for
`docker buildx build` and for `buildctl` against scripts/channels.sh's root
buildkitd; the timed builds; the pushed layers of an image; the frontend's
timings lines in the daemons' logs; the machine's CPU time and a poller
for what must be read before it ends. Every build has a time limit: a
benchmark stops, showing why, rather than hang."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Self

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
ADDRESS = "unix:///run/metacall-test/buildkitd/buildkitd.sock"
REGISTRY = "127.0.0.1:5000"
FRONTEND_REF = f"{REGISTRY}/metacall/frontend:latest"
BUILD_SECONDS = 3600
# Where the frontend's `timings:` lines land: Docker's engine's log
# (scripts/engine.sh) and the root buildkitd's (scripts/channels.sh).
ENGINE_LOG = Path("/var/log/dockerd.log")
BUILDKITD_LOG = Path("/var/lib/metacall-test/buildkitd.log")
# One phase of a timings line: its wall time, and its CPU time (since stop 36).
PHASE = re.compile(r"(.+?) (\d+) ms(?: \((\d+)\))?")
STEP = re.compile(r"^#(\d+) ", re.MULTILINE)  # a step's lines in plain progress output


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


def steps_shown(progress: str) -> int:
    """How many steps a build's plain progress output shows (`#N ...` lines)."""
    return len(set(STEP.findall(progress)))


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


def log_size(log: Path) -> int:
    """Where the log ends now (0 when it cannot be read), for timings_since."""
    try:
        return log.stat().st_size
    except OSError:
        return 0


def timings_since(log: Path, offset: int) -> list[str]:
    """The frontend's timings lines (after `timings:`) the log got past `offset`."""
    try:
        with log.open("rb") as file:
            file.seek(offset)
            text = file.read().decode(errors="replace")
    except OSError:
        return []
    return [line.split("timings:", 1)[1].strip() for line in text.splitlines()
            if "timings:" in line]


def median_timings(lines: Sequence[str]) -> str:
    """Each phase's median over several timings lines: wall ms, and CPU ms
    in brackets when the lines give it."""
    phases: dict[str, list[tuple[int, int | None]]] = {}
    for line in lines:
        for part in line.split(", "):
            if found := PHASE.fullmatch(part):
                cpu = int(found[3]) if found[3] else None
                phases.setdefault(found[1], []).append((int(found[2]), cpu))

    def phase(name: str, each: list[tuple[int, int | None]]) -> str:
        cpus = [cpu for _, cpu in each if cpu is not None]
        return (f"{name} {statistics.median(wall for wall, _ in each):.0f} ms"
                + (f" ({statistics.median(cpus):.0f})" if cpus else ""))

    return ", ".join(phase(name, each) for name, each in phases.items())


def machine_cpu_seconds() -> float:
    """The CPU time (user and system) every process on the machine has used
    since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        user, nice, system = (int(field) for field in stat.readline().split()[1:4])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


class Poller:
    """While open (as a context manager), calls `poll` every `seconds` on a
    thread of its own: for what a benchmark must read before it ends (a
    step's cgroup, a process)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self.seconds):
            self.poll()

    def poll(self) -> None:
        raise NotImplementedError
