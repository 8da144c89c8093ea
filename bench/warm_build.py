"""Warm-build benchmark: the calc example through the frontend beside the
same build as a plain Dockerfile (bench/calc.Dockerfile), on one daemon,
through Docker's built-in Dockerfile frontend and through BuildKit's Go
Dockerfile frontend as a gateway image (the reference for a gateway
frontend's overhead; ../shared/tools/build-buildkit.sh builds it as
local/dockerfile-frontend:v0.26, GO_FRONTEND names another). Warm runs are
interleaved, one of each in turn, so load on the machine hits them alike.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
        BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/warm_build.py \\
        [--runs 5] [--timelines 3] [--processes 5]

Each build runs once to warm the cache (timed as "first"), then --runs more
times; the table prints the median and the spread of the warm runs, the
median CPU time the whole machine spent in a warm run (every process's, from
/proc/stat: the frontend's, the daemon's, the client's) and `docker image
inspect` sizes of the images, and which warm runs sent a context again (the
ratio is then also given over the pairs that did not), what ours took more
than the Go gateway's in wall and in the machine's CPU time,
and the medians of our frontend's timings lines in the daemon's log (each
phase's wall and CPU time: where its own time goes). Then --timelines
more warm builds of ours and the Go gateway's, each as a timeline of its
progress events. Then the same three through `buildctl` on
scripts/channels.sh's root buildkitd, both gateway images pushed to its
registry first (left out, saying why, without buildctl).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from contexts import (
    ADDRESS,
    BUILDKITD_LOG,
    ENGINE_LOG,
    FRONTEND_REF,
    REGISTRY,
    Poller,
    buildctl,
    buildctl_sources,
    core_build_args,
    core_sources,
    frontend_build,
    log_size,
    machine_cpu_seconds,
    median_timings,
    timed_build,
    timings_since,
)

ROOT = Path(__file__).resolve().parent.parent
GO_FRONTEND = os.environ.get("GO_FRONTEND", "local/dockerfile-frontend:v0.26")
GO_FRONTEND_REF = f"{REGISTRY}/bench/dockerfile-frontend:latest"
EXAMPLE = ROOT / "examples" / "calc"
OURS, GO, BUILT_IN = "metacall/frontend", "Dockerfile, Go gateway", "Dockerfile, built-in"
# A context's transfer in the progress output ("transferring context: 27.58MB 2.2s done").
TRANSFERRED = re.compile(r"transferring [^:]+: ([\d.]+)(B|kB|MB|GB) [\d.]+s done")
UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}
# A warm run that sent this much of a context again did more than a warm build.
RESENT_BYTES = 1e6


def image_size(tag: str) -> str:
    size = subprocess.run(["docker", "image", "inspect", tag, "--format", "{{.Size}}"],
                          capture_output=True, text=True, check=True).stdout
    return f"{int(size) / 1e6:.0f} MB"


# Where a gateway run's start-up goes before its first request and before
# the planner can answer: each step's imports, in one process, in the order
# the frontend takes them (frontend.gateway.start, then .handle). The
# interpreter's own start is a process that imports nothing.
STARTUP_STEPS = (
    ("stand-ins for the imports a gateway run puts off", "frontend.gateway.deferred"),
    ("grpc (and the stdlib it pulls in)", "grpc"),
    ("the gateway: bridge, messages, reads", "frontend.gateway.start"),
    ("pydantic", "pydantic.main"),
    ("PyYAML", "yaml"),
    ("the declaration's models", "frontend.declaration.models"),
    ("the planner and the routes", "frontend.gateway.handle"),
)
# Run inside the image: `runs` times, a bare interpreter's process, then one
# that imports each step's module (and defers what a gateway run defers, as
# frontend.__main__ does) and prints each step's milliseconds.
STARTUP_SCRIPT = """
import statistics, subprocess, sys, time
IMPORTS = "import importlib, sys, time\\nlast = time.perf_counter()\\n" \\
    "for m in sys.argv[1:]:\\n module = importlib.import_module(m)\\n" \\
    " getattr(module, 'defer_unused_imports', lambda: None)(); now = time.perf_counter()\\n" \\
    " print(round((now - last) * 1000, 1)); last = now"
runs, modules = int(sys.argv[1]), sys.argv[2:]
bare, steps = [], []
for _ in range(runs):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-S", "-c", "pass"], check=True)
    bare.append((time.perf_counter() - started) * 1000)
    done = subprocess.run([sys.executable, "-S", "-c", IMPORTS, *modules],
                          capture_output=True, text=True, check=True)
    steps.append([float(line) for line in done.stdout.split()])
print(statistics.median(bare))
for column in zip(*steps):
    print(statistics.median(column))
"""


def startup(image: str, runs: int = 15) -> None:
    """Medians of `runs` processes in the frontend image."""
    done = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "/usr/bin/python3.11", image, "-S", "-c",
         STARTUP_SCRIPT, str(runs), *(module for _, module in STARTUP_STEPS)],
        capture_output=True, text=True, check=True, timeout=600)
    bare, *steps = (float(line) for line in done.stdout.split())
    print(f"start-up in {image}, median of {runs} processes:")
    print(f"  {bare:6.1f} ms  the interpreter, importing nothing (a process of its own)")
    for (what, module), median in zip(STARTUP_STEPS, steps, strict=True):
        print(f"  {median:6.1f} ms  import {module}: {what}")
    print(f"  {bare + sum(steps):6.1f} ms  in all, before the frontend's own work")


def has_image(tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


def buildx_cases(common: list[str]) -> dict[str, list[str]]:
    dockerfile = [*common, "-f", str(ROOT / "bench" / "calc.Dockerfile")]
    cases = {
        OURS: [*common, "-f", str(EXAMPLE / "metacall.yaml"), "--target", "cli",
               "-t", "bench-calc-frontend", str(EXAMPLE)],
        BUILT_IN: [*dockerfile, "-t", "bench-calc-dockerfile", str(EXAMPLE)],
    }
    if has_image(GO_FRONTEND):
        cases[GO] = [*dockerfile, "--build-arg", f"BUILDKIT_SYNTAX={GO_FRONTEND}",
                     "-t", "bench-calc-go", str(EXAMPLE)]
    else:
        print(f"{GO_FRONTEND} is missing (../shared/tools/build-buildkit.sh builds it): "
              "the Go gateway is left out")
    return cases


def buildctl_cases() -> dict[str, list[str]] | None:
    """The same builds through buildctl, both gateway images pulled from the
    registry as buildkitd pulls any; None, saying why, when it cannot run."""
    sources = core_sources()
    tool = Path(os.environ.get("BUILDKIT_BIN_DIR", "/usr/local/bin")) / "buildctl"
    if sources is None or not tool.exists() or subprocess.run(
            [str(tool), "--addr", ADDRESS, "debug", "workers"], capture_output=True,
            timeout=30).returncode != 0:
        print(f"no buildctl at {tool} or no buildkitd at {ADDRESS} (scripts/channels.sh): "
              "the buildctl figures are left out")
        return None
    for local, pushed in ((OURS, FRONTEND_REF), (GO_FRONTEND, GO_FRONTEND_REF)):
        if has_image(local):
            subprocess.run(["docker", "tag", local, pushed], check=True)
            subprocess.run(["docker", "push", "-q", pushed], check=True, capture_output=True,
                           timeout=600)
    core, plthook = sources
    dockerfile = ["--local", f"dockerfile={ROOT / 'bench'}", "--opt", "filename=calc.Dockerfile",
                  "--local", f"context={EXAMPLE}", *buildctl_sources(core, plthook)]
    cases = {
        OURS: [*frontend_build(EXAMPLE), "--opt", "target=cli", *buildctl_sources(core, plthook),
               "--output", "type=image,name=bench/calc-frontend"],
        BUILT_IN: ["build", "--frontend", "dockerfile.v0", *dockerfile,
                   "--output", "type=image,name=bench/calc-dockerfile"],
    }
    if has_image(GO_FRONTEND):
        cases[GO] = ["build", "--frontend", "gateway.v0", "--opt", f"source={GO_FRONTEND_REF}",
                     *dockerfile, "--output", "type=image,name=bench/calc-go"]
    return cases


def transferred(progress: str) -> float:
    """Bytes of local contexts a build's progress output says it sent."""
    return sum(float(size) * UNITS[unit] for size, unit in TRANSFERRED.findall(progress))


class Run(NamedTuple):
    seconds: float
    sent: float  # bytes of local contexts sent
    cpu: float  # the machine's CPU seconds, every process's


def measure(cases: dict[str, Callable[[], tuple[float, str]]], runs: int
            ) -> dict[str, list[Run]]:
    """One cold-cache run of each (printed as "first"), then `runs` warm
    ones, interleaved."""
    def run(build: Callable[[], tuple[float, str]]) -> Run:
        before = machine_cpu_seconds()
        seconds, progress = build()
        return Run(seconds, transferred(progress), machine_cpu_seconds() - before)

    first = {name: run(build) for name, build in cases.items()}
    warm: dict[str, list[Run]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, build in cases.items():
            warm[name].append(run(build))
    return {name: [first[name], *warm[name]] for name in cases}


def report(title: str, runs: dict[str, list[Run]], sizes: dict[str, str]) -> None:
    print(f"{title:<24}{'first':>10}{'warm median':>14}{'warm min-max':>16}"
          f"{'warm CPU':>10}{'image':>10}")
    for name, (first, *warm) in runs.items():
        seconds = [each.seconds for each in warm]
        print(f"{name:<24}{first.seconds:>9.2f}s{statistics.median(seconds):>13.2f}s"
              f"{min(seconds):>8.2f}-{max(seconds):.2f}s"
              f"{statistics.median(each.cpu for each in warm):>9.2f}s{sizes.get(name, ''):>10}")
    for name, (_, *warm) in runs.items():
        resent = [each.sent for each in warm if each.sent >= RESENT_BYTES]
        if resent:
            print(f"  {name}: {len(resent)} of {len(warm)} warm runs sent a context "
                  f"again ({max(resent) / 1e6:.1f} MB at most)")
    ours = runs[OURS][1:]
    for reference in (GO, BUILT_IN):
        if reference not in runs:
            continue
        theirs = runs[reference][1:]
        ratios = [a.seconds / b.seconds for a, b in zip(ours, theirs, strict=True)]
        print(f"warm ratio to {reference}: {_median(ours) / _median(theirs):.2f}"
              f" (pair by pair {min(ratios):.2f}-{max(ratios):.2f})")
        # Pairs where neither side sent a context again: warm builds alike.
        clean = [(a, b) for a, b in zip(ours, theirs, strict=True)
                 if max(a.sent, b.sent) < RESENT_BYTES]
        ours_clean, theirs_clean = [a for a, _ in clean], [b for _, b in clean]
        if 0 < len(clean) < len(ratios):
            print(f"  over the {len(clean)} pairs where neither sent a context again: "
                  f"{_median(ours_clean) / _median(theirs_clean):.2f}")
        if reference == GO and clean:
            # What ours costs the machine more, beside what it takes more:
            # CPU time on another core than the critical path's costs none.
            wall, cpu = ((_median(ours_clean, kind) - _median(theirs_clean, kind)) * 1000
                         for kind in ("seconds", "cpu"))
            print(f"  ours more, over the {len(clean)} pairs where neither sent a context "
                  f"again: {wall:+.0f} ms wall, {cpu:+.0f} ms of the machine's CPU")


def _median(runs: Iterable[Run], kind: str = "seconds") -> float:
    return statistics.median(getattr(each, kind) for each in runs)


def progress_events(rawjson: str) -> Iterator[dict[str, Any]]:
    """The objects of `--progress=rawjson` output (one after another, each
    over several lines)."""
    decoder, at = json.JSONDecoder(), rawjson.find("{")
    while at != -1:
        event, end = decoder.raw_decode(rawjson, at)
        yield event
        at = rawjson.find("{", end)


def _seconds(stamp: str) -> float:
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole).timestamp() + float(f"0.{fraction[:6] or 0}")


def timeline(rawjson: str) -> str:
    """Where one build's time went, in ms after its first step started: the
    frontend image resolved, the frontend's first request, its reads of the
    declaration and the contexts done, the last step started, the export done."""
    names: dict[str, str] = {}
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    for event in progress_events(rawjson):
        for vertex in event.get("vertexes") or []:
            digest = vertex["digest"]
            names.setdefault(digest, vertex.get("name", ""))
            if vertex.get("started"):
                starts[digest] = min(starts.get(digest, float("inf")),
                                     _seconds(vertex["started"]))
            if vertex.get("completed"):
                ends[digest] = max(ends.get(digest, 0.0), _seconds(vertex["completed"]))
    order = sorted(starts, key=starts.__getitem__)

    def end(digest: str) -> float:
        return ends.get(digest, starts[digest])

    image = next(digest for digest in order if names[digest].startswith("docker-image://"))
    export = next(digest for digest in order if names[digest].startswith("exporting"))
    marks = {
        "frontend image resolved": end(image),
        "first request": next(starts[digest] for digest in order
                              if starts[digest] > end(image)),
        "declaration and contexts read": max(
            end(digest) for digest in order
            if any(word in names[digest] for word in ("context", "declaration", "VERSION"))),
        "last step started": max(starts[digest] for digest in order if digest != export),
        "exported": end(export),
    }
    zero = starts[order[0]]
    return "; ".join(f"{mark} +{(at - zero) * 1000:.0f}" for mark, at in marks.items())


def report_timings(log: Path, offset: int) -> None:
    """Ours' timings lines of the warm runs, the only builds that log one
    (the first line is its first, cold build)."""
    lines = timings_since(log, offset)[1:]
    if not lines:
        print(f"  {OURS}: no timings lines in {log} (not readable here)")
        return
    print(f"  {OURS}, medians of {len(lines)} timings lines (wall ms, CPU ms): "
          f"{median_timings(lines)}")


def timelines(cases: dict[str, list[str]], pairs: int) -> None:
    """`pairs` warm builds of each, interleaved, each as a timeline."""
    print(f"timelines of warm builds (ms after the first step started), {pairs} of each:")
    for _ in range(pairs):
        for name, args in cases.items():
            # buildx takes the last --progress: this one, not timed_build's plain.
            seconds, rawjson = timed_build([*args, "--progress=rawjson"])
            print(f"  {name:<24}{seconds:5.2f}s  {timeline(rawjson)}")


class FrontendCPU(Poller):
    """While open, samples /proc every millisecond for processes whose
    command line is one of `commands` (a frontend image's entrypoint): the
    CPU time of each one's threads together (schedstat: since the process
    began, so with the runtime's set-up of its container), as last seen, so
    up to a millisecond before its end is missed. The sampling takes most
    of a core: no build is timed meanwhile."""

    def __init__(self, commands: dict[str, bytes]) -> None:
        super().__init__(0.001)
        self.commands = commands
        self.seen: dict[str, tuple[str, int]] = {}  # pid: (name, ns)

    def poll(self) -> None:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    command = cmdline.read()
                name = next((name for name, entrypoint in self.commands.items()
                             if command == entrypoint), None)
                if name is not None:
                    self.seen[pid] = (name, max(self.seen.get(pid, (name, 0))[1],
                                                _threads_ns(pid)))
            except (OSError, ValueError):
                pass  # ended meanwhile

    def milliseconds(self, name: str) -> list[float]:
        return [ns / 1e6 for seen, ns in self.seen.values() if seen == name]


def _threads_ns(pid: str) -> int:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
            total += int(schedstat.read().split()[0])
    return total


def entrypoint(image: str) -> bytes:
    """The command line an image's container runs, as /proc shows it."""
    found = subprocess.run(["docker", "image", "inspect", image, "--format",
                            "{{json .Config.Entrypoint}}"],
                           capture_output=True, text=True, check=True).stdout
    return b"".join(arg.encode() + b"\0" for arg in json.loads(found))


def frontend_cpu(cases: dict[str, list[str]], builds: int) -> None:
    """`builds` warm builds of each, interleaved, untimed: each frontend
    process's CPU time."""
    images = {OURS: OURS, GO: GO_FRONTEND}
    with FrontendCPU({name: entrypoint(image) for name, image in images.items()}) as cpu:
        for _ in range(builds):
            for args in cases.values():
                timed_build(args)
    print(f"the frontend process's CPU time in {builds} more warm builds of each (untimed):")
    for name in cases:
        found = cpu.milliseconds(name)
        if not found:
            print(f"  {name}: no frontend process seen in /proc (not readable here)")
            continue
        print(f"  {name:<24}median {statistics.median(found):.0f} ms "
              f"({min(found):.0f}-{max(found):.0f}, {len(found)} processes)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timelines", type=int, default=3, metavar="PAIRS",
                        help="warm buildx builds of ours and the Go gateway's, as timelines")
    parser.add_argument("--processes", type=int, default=5, metavar="PAIRS",
                        help="warm buildx builds of ours and the Go gateway's, untimed, "
                             "each frontend process's CPU time sampled")
    options = parser.parse_args()
    common = core_build_args()
    if common is None:
        return 2
    startup(OURS)
    with_buildx = buildx_cases(common)
    offset = log_size(ENGINE_LOG)
    times = measure({name: partial(timed_build, args)
                     for name, args in with_buildx.items()}, options.runs)
    report("docker buildx build", times,
           {name: image_size(args[args.index("-t") + 1]) for name, args in with_buildx.items()})
    report_timings(ENGINE_LOG, offset)
    if options.timelines and GO in with_buildx:
        timelines({name: with_buildx[name] for name in (OURS, GO)}, options.timelines)
    if options.processes and GO in with_buildx:
        frontend_cpu({name: with_buildx[name] for name in (OURS, GO)}, options.processes)
    with_buildctl = buildctl_cases()
    if with_buildctl is not None:
        offset = log_size(BUILDKITD_LOG)
        times = measure({name: partial(buildctl, *args)
                         for name, args in with_buildctl.items()}, options.runs)
        report("buildctl build", times, {})
        report_timings(BUILDKITD_LOG, offset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
