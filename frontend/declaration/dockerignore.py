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


# What a wildcard matches: `*` within one path element, `**` across them.
_WILDCARDS = {"*": "[^/]*", "**": ".*"}


def _regex(pattern: str) -> re.Pattern[str]:
    """The pattern as a regular expression that cannot backtrack for long:
    a wildcard followed by text and another wildcard takes the first match
    of that text (an atomic group, as `fnmatch` does) where the next
    wildcard absorbs whatever a later match would have skipped: a `**`
    absorbs anything, a `*` what stays in one path element."""
    tokens = _tokens(pattern)
    out = []
    index = 0
    while index < len(tokens):
        kind, regex, _ = tokens[index]
        index += 1
        end = index
        while end < len(tokens) and tokens[end][0] == "text":
            end += 1
        text = tokens[index:end]
        following = tokens[end][0] if end < len(tokens) else ""
        absorbs = (following == "**" and kind in _WILDCARDS) or (
            following == "*" == kind and not any(slash for _, _, slash in text))
        if text and absorbs:
            out.append(f"(?>{regex}?{''.join(part for _, part, _ in text)})")
            index = end
        else:
            out.append(regex)
    return re.compile("".join(out))


def _tokens(pattern: str) -> list[tuple[str, str, bool]]:
    """(kind, regex, whether it may match a `/`): wildcards (`*`, `**`,
    `**/`) and text."""
    tokens: list[tuple[str, str, bool]] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            tokens.append(("**/", "(?:.*/)?", True))
            index += 3
            continue
        if pattern.startswith("**", index):
            tokens.append(("**", _WILDCARDS["**"], True))
            index += 2
            continue
        if char == "*":
            tokens.append(("*", _WILDCARDS["*"], False))
        elif char == "?":
            tokens.append(("text", "[^/]", False))
        elif char == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                tokens.append(("text", re.escape(char), False))
            else:
                body = pattern[index + 1:end].replace("\\", "\\\\")
                tokens.append(("text", f"[{'^' + body[1:] if body.startswith('!') else body}]",
                               True))
                index = end
        elif char == "\\" and index + 1 < len(pattern):
            index += 1
            tokens.append(("text", re.escape(pattern[index]), pattern[index] == "/"))
        else:
            tokens.append(("text", re.escape(char), char == "/"))
        index += 1
    return tokens
