"""`.dockerignore` as Docker reads it: patterns of paths kept out of the image.

The last pattern that matches a path (or one of its parent directories)
decides; a `!` pattern keeps back in what an earlier one left out. `*` and
`?` stay within one path element, `**` spans any number of them.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

FILENAME = ".dockerignore"


@dataclass(frozen=True)
class Pattern:
    text: str  # as written, for messages
    line: int
    pattern: str  # cleaned, as BuildKit's local source takes it
    negated: bool
    regex: re.Pattern[str]


@dataclass(frozen=True)
class DockerIgnore:
    patterns: tuple[Pattern, ...] = ()

    @classmethod
    def parse(cls, text: str) -> DockerIgnore:
        patterns = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            cleaned = posixpath.normpath(line.removeprefix("!").strip()).lstrip("/")
            if cleaned in ("", "."):
                continue
            patterns.append(Pattern(raw.strip(), number, cleaned, negated, _regex(cleaned)))
        return cls(tuple(patterns))

    @property
    def excludes(self) -> list[str]:
        """The patterns as BuildKit's `local.excludepatterns` takes them."""
        return [("!" if p.negated else "") + p.pattern for p in self.patterns]

    def excluded_by(self, path: str) -> Pattern | None:
        """The pattern that keeps `path` (relative to the context) out, if any."""
        path = posixpath.normpath(path).lstrip("/")
        parents = [path]
        while "/" in parents[-1]:
            parents.append(parents[-1].rsplit("/", 1)[0])
        decided: Pattern | None = None
        for pattern in self.patterns:
            if any(pattern.regex.fullmatch(candidate) for candidate in parents):
                decided = None if pattern.negated else pattern
        return decided


def _regex(pattern: str) -> re.Pattern[str]:
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1:end].replace("\\", "\\\\")
                out.append(f"[{'^' + body[1:] if body.startswith('!') else body}]")
                index = end
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            out.append(re.escape(pattern[index]))
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))
