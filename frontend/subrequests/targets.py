"""`--print=targets`: the target table, with the one this build would pick."""

from __future__ import annotations

from collections.abc import Sequence

from frontend.compile import TargetInfo
from frontend.subrequests.report import Report


def targets(listed: Sequence[TargetInfo]) -> Report:
    value = [{"name": t.name, "description": t.description, **({"default": True}
              if t.default else {})} for t in listed]
    labels = [f"{t.name} (default)" if t.default else t.name for t in listed]
    width = max(len(label) for label in labels) + 2
    text = "TARGET".ljust(width) + "DESCRIPTION\n" + "".join(
        label.ljust(width) + f"{t.description}\n" for label, t in zip(labels, listed, strict=True)
    )
    return Report({"targets": value, "sources": []}, text)
