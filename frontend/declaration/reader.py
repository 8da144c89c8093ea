"""Reads a declaration's YAML into plain data plus the line of every key.

Positions come from the YAML node tree, so a later validation error about
`core.version` can point at the line that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from frontend import limits
from frontend.declaration.errors import DeclarationError

Path = tuple[str | int, ...]
EXTENSION_PREFIX = "x-"


@dataclass
class ReadDeclaration:
    data: dict[str, Any]
    lines: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def line_of(self, path: Path) -> tuple[int, int]:
        """The lines of the deepest known element on `path`."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return (1, 1)


def check_size(size: int) -> None:
    """Past the limit, the declaration is not read (a caller that read at
    most one byte more than the limit only knows that it is larger)."""
    if size > limits.DECLARATION_BYTES:
        raise DeclarationError(f"the declaration is larger than {limits.DECLARATION_BYTES:,} "
                               "bytes, the most that is read")


def read(text: str) -> ReadDeclaration:
    check_size(len(text.encode(errors="replace")))
    try:
        _check_depth(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise DeclarationError(f"invalid YAML: {error.problem or error}", line) from error
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        raise DeclarationError(f"invalid YAML: {error.reason} (U+{code:04X})", line) from error
    except yaml.YAMLError as error:
        raise DeclarationError(f"invalid YAML: {error}") from error
    result = ReadDeclaration(data={})
    if root is None:
        return result  # only comments (`# syntax=`): the manifests decide
    data = _Converter(result).convert(root, ())
    if not isinstance(data, dict):
        raise DeclarationError(
            "the declaration must be a mapping of keys, like `languages: [py]`",
            root.start_mark.line + 1,
        )
    result.data = data
    return result


def _span(node: yaml.Node) -> tuple[int, int]:
    end = node.end_mark.line + (0 if node.end_mark.column == 0 else 1)
    return (node.start_mark.line + 1, max(end, node.start_mark.line + 1))


def _check_depth(text: str) -> None:
    """Nesting past the limit, found in the event stream (which does not
    recurse) before composing the tree (which does)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limits.DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise DeclarationError(f"the declaration nests deeper than {limits.DEPTH} "
                                       "levels", line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _Converter:
    """Nodes to plain data with the line of every element. Aliases copy what
    they name, so the elements are counted as they are made: a few lines
    of aliases cannot expand into billions of them."""

    def __init__(self, out: ReadDeclaration) -> None:
        self.out = out
        self.elements = 0

    def convert(self, node: yaml.Node, path: Path) -> Any:
        line = node.start_mark.line + 1
        self.elements += 1
        if self.elements > limits.ELEMENTS:
            raise DeclarationError(f"the declaration expands to more than {limits.ELEMENTS:,} "
                                   "elements (through YAML aliases?)", line)
        if len(path) > limits.DEPTH:
            raise DeclarationError(f"the declaration nests deeper than {limits.DEPTH} levels "
                                   "(through a YAML alias that contains itself?)", line)
        self.out.lines[path] = _span(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            value = yaml.SafeLoader(" ").construct_object(node, deep=True)
            if isinstance(value, str):
                value.encode()  # a lone surrogate ("\\ud800") is no character
            return value
        except UnicodeEncodeError:
            raise DeclarationError("a string holds an escaped half of a UTF-16 pair, which is "
                                   "not a character", line) from None
        except (ValueError, yaml.YAMLError) as error:  # e.g. an integer of 5,000 digits
            raise DeclarationError(f"unreadable value: {error}", line) from None

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key_node.value, str):
                raise DeclarationError("keys must be plain names", line)
            key = key_node.value
            if key.startswith(EXTENSION_PREFIX):
                continue  # x- keys are the user's own (YAML anchors, tooling)
            if key in mapping:
                raise DeclarationError(f"key `{key}` appears twice", line)
            mapping[key] = self.convert(value_node, (*path, key))
            self.out.lines[(*path, key)] = (line, _span(value_node)[1])
        return mapping
