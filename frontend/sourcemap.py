"""Where things come from in the user's files: the one type for a file
(`SourceText`), for its lines (`SourceRange`), and for a set of files that
answers point into (`SourceMap`), shared by the LLB source map, errors,
the outline and the lint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceText:
    """A file of the user's: the declaration, a manifest, a requirements file."""

    filename: str
    text: str
    language: str = "YAML"


@dataclass(frozen=True)
class SourceRange:
    """Lines (1-based, inclusive) of a file."""

    start_line: int
    end_line: int


@dataclass
class SourceMap:
    """The files locations point into, in the order first pointed at (the
    declaration first), as BuildKit's subrequest results list them."""

    files: list[SourceText] = field(default_factory=list)

    def location(self, source: SourceText, start: int, end: int | None = None
                 ) -> dict[str, Any]:
        """A location as BuildKit's JSON results write it."""
        if source not in self.files:
            self.files.append(source)
        return {"sourceIndex": self.files.index(source), "ranges": [
            {"start": {"line": start}, "end": {"line": end or start}}]}

    def place(self, location: dict[str, Any]) -> tuple[SourceText, int] | None:
        """The file and first line a location points at (None: nowhere)."""
        index = location.get("sourceIndex", -1)
        if index < 0:
            return None
        return self.files[index], location["ranges"][0]["start"]["line"]


NO_LOCATION: dict[str, Any] = {"sourceIndex": -1}
