"""The one error type the declaration layer raises: a message and a line."""

from __future__ import annotations


class DeclarationError(Exception):
    """A problem in the user's declaration, at 1-based `line` (0: the file)."""

    def __init__(self, message: str, line: int = 0, end_line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.end_line = end_line if end_line is not None else line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message
