"""A subrequest's answer, rendered as BuildKit's client reads it."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from frontend.sourcemap import SourceMap


@dataclass(frozen=True)
class Report:
    value: Any  # result.json
    text: str  # result.txt, what buildx prints
    # result.statuscode, buildx's exit code (the lint's; 0.14 and later).
    status_code: int | None = None

    def metadata(self, version: str) -> dict[str, bytes]:
        rendered = {"result.json": json.dumps(self.value, indent=2).encode(),
                    "result.txt": self.text.encode(), "version": version.encode()}
        if self.status_code is not None:
            rendered["result.statuscode"] = str(self.status_code).encode()
        return rendered


def encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def where(sources: SourceMap, location: dict[str, Any]) -> str:
    """`file:line`, or "" for no location."""
    place = sources.place(location)
    return f"{place[0].filename}:{place[1]}" if place else ""


def excerpt(sources: SourceMap, location: dict[str, Any]) -> str:
    """The line a location points at, quoted as buildx quotes a Dockerfile's."""
    place = sources.place(location)
    if place is None:
        return ""
    source, line = place
    lines = source.text.splitlines()
    quoted = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"{source.filename}:{line}\n  {line} | >>> {quoted}\n"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns as buildx prints them; no rows, no table."""
    if not rows:
        return []
    widths = [max(len(str(row[i])) for row in [header, *rows]) + 3
              for i in range(len(header))]
    return [("".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
             ).rstrip() for row in [header, *rows]] + [""]
