"""A cold [py, node, rb] CLI image through the frontend beside the same image
from bench/pynoderb.Dockerfile (core compiled once with the three loaders),
each on the standalone buildkitd emptied first: wall time and the machine's
CPU time (user + system, from /proc/stat) of each build, side by side.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/common_compile.py [--runs 1]

Needs scripts/channels.sh's registry and root buildkitd and the frontend
image pushed as 127.0.0.1:5000/metacall/frontend (run nothing else meanwhile:
CPU time is the whole machine's). Where the CPU time goes: the CPU of each
step, read from the cgroups buildkitd runs steps in, summed by step name.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from contexts import (
    Poller,
    buildctl,
    buildctl_sources,
    core_sources,
    frontend_build,
    machine_cpu_seconds,
)

from frontend.compile import NO_PREBUILT, PREBUILT_ARG
from frontend.plan.steps import RUN_PROGRAM

ROOT = Path(__file__).resolve().parent.parent


# Where buildkitd's OCI worker puts each step's cgroup: cgroup v1's cpuacct
# hierarchy (usage in ns), or cgroup v2's (usage in µs).
STEP_CGROUPS = ((Path("/sys/fs/cgroup/cpuacct/buildkit"), "cpuacct.usage", "tasks"),
                (Path("/sys/fs/cgroup/buildkit"), "cpu.stat", "cgroup.procs"))
POLL_SECONDS = 0.1


class StepCPU(Poller):
    """The CPU time of each build step, by step name. A step's cgroup goes
    when the step ends, so it is polled: its last reading counts (steps
    shorter than a poll may be missed; they use next to nothing)."""

    def __init__(self) -> None:
        super().__init__(POLL_SECONDS)
        self.used: dict[str, float] = {}
        self.names: dict[str, str] = {}

    def by_step(self) -> dict[str, list[float]]:
        """Each step name's steps' CPU seconds."""
        steps: dict[str, list[float]] = {}
        for cgroup, seconds in self.used.items():
            steps.setdefault(self.names.get(cgroup, "(not identified)"), []).append(seconds)
        return steps

    def poll(self) -> None:
        # buildkitd makes its cgroup with its first step, after a prune.
        found = [layout for layout in STEP_CGROUPS if layout[0].is_dir()]
        if not found:
            return
        root, usage_file, tasks_file = found[0]
        for cgroup in root.iterdir():
            try:
                usage = (cgroup / usage_file).read_text()
                tasks = (cgroup / tasks_file).read_text().split()
            except OSError:
                continue  # a file of the parent, or a step that just ended
            self.used[cgroup.name] = (int(usage) / 1e9 if usage_file == "cpuacct.usage"
                                      else int(usage.split()[1]) / 1e6)
            if cgroup.name not in self.names and (name := step_name(tasks)):
                self.names[cgroup.name] = name


def step_name(pids: list[str]) -> str:
    """A step's name from its command: the script the frontend names
    (`/bin/sh -c <RUN_PROGRAM> <step>`), a Dockerfile RUN's first words, or
    the program's path; "" while runc is still starting it."""
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if argv[:3] == ["/bin/sh", "-c", RUN_PROGRAM] and len(argv) > 3:
            return argv[3]
        if argv[0] == "/bin/sh" and argv[1:2] == ["-c"]:
            command = argv[2].rsplit(" fi; ", 1)[-1].strip()  # after the CA bundle's setup
            return " ".join(command.split())[:60]
        if argv[0] and "runc" not in argv[0].rsplit("/", 1)[-1] and argv[0] != "/proc/self/exe":
            return argv[0]
    return ""


# A cold build's wall and CPU seconds, and its steps' CPU seconds by name.
ColdBuild = tuple[float, float, dict[str, list[float]]]


def cold(build: list[str]) -> ColdBuild:
    buildctl("prune", "--all")
    with StepCPU() as steps:
        cpu, started = machine_cpu_seconds(), time.monotonic()
        buildctl(*build)
        wall, used = time.monotonic() - started, machine_cpu_seconds() - cpu
    return wall, used, steps.by_step()


def compare_cold(title: str, cases: dict[str, list[str]], runs: int, goal: str = "") -> None:
    """Builds each case cold `runs` times, interleaved, and prints the
    medians and the first case's ratio to each other one."""
    measured: dict[str, list[ColdBuild]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, args in cases.items():
            measured[name].append(cold(args))
    medians = {name: (statistics.median(w for w, _, _ in one),
                      statistics.median(c for _, c, _ in one))
               for name, one in measured.items()}
    width = max(map(len, [title, *cases])) + 2
    print(f"{title:<{width}}{'wall':>10}{'CPU':>10}")
    for name, (wall, cpu) in medians.items():
        print(f"{name:<{width}}{wall:>9.1f}s{cpu:>9.1f}s")
    (_, (wall, cpu)), *references = medians.items()
    for reference, (ref_wall, ref_cpu) in references:
        print(f"ratio to {reference}: wall {wall / ref_wall:.2f}, CPU {cpu / ref_cpu:.2f}{goal}")
    for name, one in measured.items():
        _, cpu, steps = one[-1]
        print_step_cpu(name, steps, cpu)


def print_step_cpu(name: str, steps: dict[str, list[float]], cpu: float) -> None:
    """One run's CPU time by step name (the frontend's own process is a
    step too), and the rest: buildkitd itself and the machine's other work."""
    if not steps:
        print(f"{name}: no CPU by step (no buildkit cgroup at {STEP_CGROUPS[0][0]} "
              f"or {STEP_CGROUPS[1][0]})")
        return
    in_steps = sum(map(sum, steps.values()))
    print(f"{name}, last run: {in_steps:.1f}s CPU in steps, {cpu - in_steps:.1f}s outside them")
    for step, seconds in sorted(steps.items(), key=lambda item: -sum(item[1])):
        print(f"  {sum(seconds):7.1f}s  {step} ({len(seconds)}: "
              f"{', '.join(f'{one:.1f}' for one in sorted(seconds, reverse=True))})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    sources = core_sources()
    if sources is None:
        return 1
    contexts = buildctl_sources(*sources)
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "metacall.yaml").write_text(
            "# syntax=metacall/frontend\nlanguages: [py, node, rb]\n")
        def dockerfile(python_test_packages: str) -> list[str]:
            return ["build", "--frontend", "dockerfile.v0",
                    "--local", f"dockerfile={ROOT / 'bench'}",
                    "--opt", "filename=pynoderb.Dockerfile",
                    "--opt", f"build-arg:PYTHON_TEST_PACKAGES={python_test_packages}",
                    "--local", f"context={work}", *contexts]

        # From source, as the Dockerfiles build: the root buildkitd's mirror
        # may hold published layers of the default repository (prebuilt.py).
        cases = {
            "metacall/frontend": [*frontend_build(Path(work)), "--opt", "target=cli",
                                  "--opt", f"build-arg:{PREBUILT_ARG}={NO_PREBUILT}",
                                  *contexts],
            "pynoderb.Dockerfile": dockerfile("yes"),
            "pynoderb.Dockerfile, no py test packages": dockerfile("no"),
        }
        compare_cold("cold [py, node, rb] cli", cases, options.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
