"""Many builds at once: eight of the examples built concurrently on one
buildkitd (scripts/channels.sh's root one, cache emptied first), beside the
same eight in a row (cache emptied again), and the peak memory (VmHWM) of
each frontend process while they run.

    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/many_builds.py

The fixture core (tests/fixtures/fake-core) stands for core unless
METACALL_CORE_SOURCE and PLTHOOK_SOURCE are set; its metacallcli loads but
cannot call, so then each example builds from the syntax line alone (its
manifests decide), without the checks its declaration has. It empties the root
buildkitd's cache: run it where nothing else builds on that daemon.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from contexts import buildctl, buildctl_sources, core_sources, frontend_build

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("py-app", "node-app", "rb-app", "polyglot-app", "monorepo-app", "server-app",
            "faas-app", "ts-build-app")


class FrontendMemory:
    """Samples every frontend process's VmHWM (its peak resident set) until
    stopped: pid → peak in kB."""

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.done.is_set():
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    command = (status.parent / "cmdline").read_bytes().split(b"\0")
                    if b"frontend" not in command or b"-m" not in command:
                        continue
                    fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
                    peak = int(fields["VmHWM"].split()[0])
                except (OSError, KeyError, ValueError):
                    continue  # it ended between two reads
                pid = int(status.parent.name)
                self.peaks[pid] = max(peak, self.peaks.get(pid, 0))
            time.sleep(0.05)

    def stop(self) -> list[int]:
        self.done.set()
        self.thread.join()
        return sorted(self.peaks.values())


def megabytes(peaks: list[int]) -> str:
    return f"max {peaks[-1] / 1024:.1f} MB" if peaks else "(no frontend process seen)"


def build(example: str, sources: list[str], syntax_only: Path | None) -> float:
    app = ROOT / "examples" / example
    seconds, _ = buildctl(*frontend_build(app, syntax_only), *sources)
    return seconds


def main() -> int:
    given = core_sources() if os.environ.get("METACALL_CORE_SOURCE") else None
    core = given or (str(ROOT / "tests" / "fixtures" / "fake-core"), None)
    sources = buildctl_sources(*core)
    print(f"core: {core[0]}; {len(EXAMPLES)} examples: {', '.join(EXAMPLES)}")
    with tempfile.TemporaryDirectory() as directory:
        syntax_only = None
        if given is None:
            syntax_only = Path(directory)
            (syntax_only / "metacall.yaml").write_text("# syntax=metacall/frontend\n")
        measure(sources, syntax_only)
    return 0


def measure(sources: list[str], syntax_only: Path | None) -> None:
    """Eight at once, then eight in a row, each on an emptied buildkitd."""
    buildctl("prune", "--all")
    memory = FrontendMemory()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(EXAMPLES)) as pool:
        list(pool.map(lambda example: build(example, sources, syntax_only), EXAMPLES))
    at_once = time.monotonic() - started
    peaks = memory.stop()
    print(f"at once:  {at_once:6.1f} s wall; {len(peaks)} frontend processes, peak memory "
          f"{megabytes(peaks)}")
    buildctl("prune", "--all")
    in_a_row = 0.0
    for example in EXAMPLES:
        memory = FrontendMemory()
        in_a_row += build(example, sources, syntax_only)
        print(f"  {example:14} peak memory {megabytes(memory.stop())}")
    print(f"in a row: {in_a_row:6.1f} s wall")
    print(f"at once / in a row: {at_once / in_a_row:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
