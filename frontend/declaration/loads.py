"""Languages a script loads from another language, as MetaCall's ports let
it: `metacall_load_from_file('py', [...])` (and `_from_memory`,
`_from_package`) in any language; Node.js's `require('./lib.py')` and
`require('py:ctypes')`; Python's `import lib.js`, `from metacall.node
import ramda`. One table from file extension to loader tag, the ports'
own, decides what a loaded file needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frontend.declaration.models import Language

# As the Node.js and Python ports map them (file and package extensions).
EXTENSION_TAGS = {
    "py": Language.PY, "rb": Language.RB, "cs": Language.CS, "vb": Language.CS,
    "dll": Language.CS, "cob": Language.COB, "cbl": Language.COB, "cpy": Language.COB,
    "js": Language.NODE, "node": Language.NODE, "wat": Language.WASM, "wasm": Language.WASM,
    "ts": Language.TS, "jsx": Language.TS, "tsx": Language.TS, "c": Language.C,
}
LOAD_CALL = re.compile(r"""metacall_load_from_(?:file|memory|package)(?:_export)?\s*\(\s*"""
                       r"""['"]([a-z]{1,8})['"]""")
NODE_REQUIRE = re.compile(r"""require\s*\(\s*['"]([^'"\s]{1,400})['"]\s*\)""")
PYTHON_IMPORT = re.compile(r"""^\s*(?:from|import)\s+([\w.]{1,400})""")


@dataclass(frozen=True)
class Load:
    """A load of another language's code: what it needs, where it is."""

    language: Language
    script: str  # the script that loads, relative to the context
    line: int


def loads_in(script: str, text: str) -> list[Load]:
    """The loads a script's text makes (a load in a comment costs a loader;
    it cannot break the image)."""
    extension = script.rsplit(".", 1)[-1] if "." in script else ""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        tags = [_tag(tag) for tag in LOAD_CALL.findall(line)]
        if extension in ("js", "cjs", "mjs", "ts", "jsx", "tsx"):
            tags += [_required(name) for name in NODE_REQUIRE.findall(line)]
        elif extension == "py":
            tags += [_imported(name) for name in PYTHON_IMPORT.findall(line)]
        found += [Load(tag, script, number) for tag in tags if tag is not None]
    return found


def _tag(tag: str) -> Language | None:
    return Language(tag) if tag in Language._value2member_map_ else None


def _required(name: str) -> Language | None:
    """What Node.js's port loads `require(name)` with (None: Node.js itself)."""
    prefix, colon, _ = name.partition(":")
    stem = name.rsplit("/", 1)[-1]
    tag = _tag(prefix) if colon else (
        EXTENSION_TAGS.get(stem.rsplit(".", 1)[-1]) if "." in stem else None)
    return None if tag is Language.NODE else tag


def _imported(name: str) -> Language | None:
    """What Python's port loads `import name` with (None: Python itself)."""
    parts = name.split(".")
    if parts[0] == "metacall" and len(parts) > 1:
        return _tag(parts[1])
    tag = EXTENSION_TAGS.get(parts[-1]) if len(parts) > 1 else None
    return None if tag is Language.PY else tag
