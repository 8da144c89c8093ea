"""Where a run's time goes, logged (to the daemon's log) as one line: each
phase's wall time and, in brackets, the CPU time the process spent in it
(the rest is waiting: for BuildKit, or for a core that BuildKit and its
client hold). A gateway run starts its clock as it makes its first
request, so the first phase is the container's start, the interpreter and
the imports before that request; the next is the planner's import."""

from __future__ import annotations

import os
import time


class Clock:
    def __init__(self) -> None:
        self.last = (time.monotonic(), time.process_time())
        # (phase, wall seconds, CPU seconds)
        self.phases = [("start", _seconds_since_exec(), self.last[1])]

    def mark(self, phase: str) -> None:
        now = (time.monotonic(), time.process_time())
        self.phases.append((phase, now[0] - self.last[0], now[1] - self.last[1]))
        self.last = now

    def summary(self) -> str:
        return ", ".join(f"{phase} {wall * 1000:.0f} ms ({cpu * 1000:.0f})"
                         for phase, wall, cpu in self.phases)


def _seconds_since_exec() -> float:
    """How long the process has run, from /proc's start time: in a
    container, from the runtime's set-up of it (in clock ticks)."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            seconds = float(uptime.read().split()[0])
        return max(0.0, seconds - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0
