"""Where a run's time goes, logged (to the daemon's log) as one line."""

from __future__ import annotations

import os
import time
from pathlib import Path


class Clock:
    def __init__(self) -> None:
        self.last = time.monotonic()
        self.phases: list[tuple[str, float]] = [("start", _seconds_since_exec())]

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        self.phases.append((phase, now - self.last))
        self.last = now

    def summary(self) -> str:
        return ", ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in self.phases)


def _seconds_since_exec() -> float:
    """How long the process ran before the frontend's code (interpreter and
    imports), from /proc's start time."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0
