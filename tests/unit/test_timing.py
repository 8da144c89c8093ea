"""The frontend's timings line tells a phase spent computing from one spent
waiting (for BuildKit, or for a core)."""

from __future__ import annotations

import re
import time

from frontend.gateway.timing import Clock


def _phase(summary: str, name: str) -> tuple[int, int]:
    """(wall ms, CPU ms) of one phase of a timings line."""
    found = re.search(rf"(?:^|, ){name} (\d+) ms \((\d+)\)", summary)
    assert found, summary
    return int(found[1]), int(found[2])


def test_a_phase_spent_waiting_shows_no_cpu_and_one_spent_computing_shows_all_of_it() -> None:
    clock = Clock()
    time.sleep(0.2)
    clock.mark("waiting")
    busy_until = time.process_time() + 0.2
    while time.process_time() < busy_until:
        pass
    clock.mark("computing")
    summary = clock.summary()
    wall, cpu = _phase(summary, "waiting")
    assert wall >= 200 and cpu < 50, summary
    wall, cpu = _phase(summary, "computing")
    assert cpu >= 200 and wall >= cpu - 1, summary
    assert summary.startswith("start "), summary  # the process's life before the clock
