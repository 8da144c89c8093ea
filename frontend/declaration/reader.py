"""Reads a declaration's YAML into plain data plus the line of every key.

Positions come from the YAML node tree, so a later validation error about
`core.version` can point at the line that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

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


def read(text: str) -> ReadDeclaration:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise DeclarationError(f"invalid YAML: {error.problem or error}", line) from error
    except yaml.YAMLError as error:
        raise DeclarationError(f"invalid YAML: {error}") from error
    result = ReadDeclaration(data={})
    if root is None:
        return result  # only comments (`# syntax=`): the manifests decide
    data = _convert(root, (), result)
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


def _convert(node: yaml.Node, path: Path, out: ReadDeclaration) -> Any:
    out.lines[path] = _span(node)
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode):
                raise DeclarationError("keys must be plain names", key_node.start_mark.line + 1)
            if key.startswith(EXTENSION_PREFIX):
                continue  # x- keys are the user's own (YAML anchors, tooling)
            if key in mapping:
                raise DeclarationError(f"key `{key}` appears twice", key_node.start_mark.line + 1)
            mapping[key] = _convert(value_node, (*path, key), out)
            out.lines[(*path, key)] = (key_node.start_mark.line + 1, _span(value_node)[1])
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), out) for i, item in enumerate(node.value)]
    return yaml.SafeLoader(" ").construct_object(node, deep=True)
