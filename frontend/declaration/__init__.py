"""Reading and validating a declaration: text in, `Declaration` out, or a
`DeclarationError` that names the line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from frontend.declaration.errors import DeclarationError, SourceText
from frontend.declaration.models import (
    KNOWN_KEYS,
    AppOptions,
    CoreOptions,
    Declaration,
    Language,
    StrictModel,
    unknown_language,
)
from frontend.declaration.reader import ReadDeclaration, check_size, read

__all__ = [
    "AppOptions",
    "CoreOptions",
    "Declaration",
    "DeclarationError",
    "Language",
    "ParsedDeclaration",
    "SourceText",
    "decode",
    "parse",
]


@dataclass(frozen=True)
class ParsedDeclaration:
    declaration: Declaration
    source: ReadDeclaration
    text: str

    def lines_of(self, *path: str | int) -> tuple[int, int]:
        return self.source.line_of(path)

    def source_text(self, filename: str) -> SourceText:
        return SourceText(filename, self.text)


def decode(data: bytes) -> str:
    """The declaration file's text: UTF-8, at most the size limit."""
    check_size(len(data))  # before decoding: the caller may have cut a character
    try:
        return data.decode()
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DeclarationError(f"the declaration is not UTF-8 text (byte {error.start})",
                               line) from None


def parse(text: str) -> ParsedDeclaration:
    read_result = read(text)
    try:
        declaration = Declaration.model_validate(read_result.data)
    except ValidationError as error:
        raise _first_error(error, read_result) from None
    return ParsedDeclaration(declaration, read_result, text)


def _first_error(error: ValidationError, source: ReadDeclaration) -> DeclarationError:
    # Report the error that comes first in the file: that is what a user fixes first.
    located = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        start, end = source.line_of(loc)
        located.append((start, end, _message(detail, loc)))
    start, end, message = min(located, key=lambda item: item[0])
    return DeclarationError(message, start, end)


def _message(detail: ErrorDetails, loc: tuple[str | int, ...]) -> str:
    kind = detail["type"]
    where = ".".join(str(part) for part in loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        sections: dict[str, type[StrictModel]] = {"core": CoreOptions, "app": AppOptions}
        known = KNOWN_KEYS[sections.get(str(loc[0]), Declaration) if len(loc) > 1 else Declaration]
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return f"unknown key `{where}`{hint}; known keys: {', '.join(known)}"
    if kind == "missing":
        return f"`{where}` is required"
    if kind == "enum":  # the schema's one enum is Language
        return unknown_language(detail.get("input"))
    message = detail["msg"].removeprefix("Value error, ").replace("a valid tuple", "a list")
    return f"`{where}`: {message}" if where else message
