"""The one error type the declaration layer raises: a message and a line
of the declaration, or of another file of the user's (a manifest)."""

from __future__ import annotations

from frontend.sourcemap import SourceText


class DeclarationError(Exception):
    """A problem at 1-based `line` (0: the whole file) of the declaration,
    or of `source` when the problem is in another file."""

    def __init__(self, message: str, line: int = 0, end_line: int | None = None, *,
                 source: SourceText | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.end_line = end_line if end_line is not None else line
        self.source = source

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message
