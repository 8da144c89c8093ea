"""Hypothesis strategies for the frontend's inputs: declarations and
manifests as text, as structures, and as bytes (tests/unit/test_fuzz.py and
bench/fuzz.py share them)."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import strategies as st

from frontend.compile import BuildFacts, compile_declaration, parse
from frontend.declaration import DeclarationError, decode
from frontend.declaration.manifests import read_manifest
from frontend.request import BuildRequest

KEYS = ["languages", "base-image", "core", "app", "version", "build-type", "cmake-options",
        "ports", "tests", "scripts", "dependencies", "command", "env", "labels", "expose",
        "user", "smoke-check", "smoke-check-timeout", "language_id", "path", "py", "node",
        "x-extra"]
TAGS = ["py", "node", "rb", "ts", "cs", "java", "wasm", "c", "cob", "file", "rpc", "pyhton"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**40, max_value=10**60),
    st.floats(allow_nan=True), st.sampled_from(TAGS), st.text(max_size=30),
)
structures = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), children,
                        max_size=6),
    ),
    max_leaves=40,
)
# Declarations: YAML made from structures, YAML-like text, bytes of any kind.
yaml_texts = structures.map(lambda value: yaml.safe_dump(value, allow_unicode=True))
yaml_like = st.lists(
    st.sampled_from(["languages: [py, node]", "core:", "  ports: true", "app:", "  - py",
                     "a: &a [1, 2]", "b: [*a, *a]", "c: *c", "  scripts: {py: [m.py]}", "[",
                     "{", "'", '"', ": :", "- - -", "\t", "\x00", "\ufeff", "? [x]", "!!python/x",
                     "&x", "*x", "%YAML 1.1", "---", "...", "languages: " + "[" * 40,
                     "v: " + "9" * 5000, "w: &w [*w]", "- &l [*l, *l]"]),
    max_size=12,
).map("\n".join)
declaration_bytes = st.one_of(
    yaml_texts.map(str.encode), yaml_like.map(lambda text: text.encode(errors="replace")),
    st.text().map(lambda text: text.encode(errors="replace")), st.binary(max_size=200),
)
manifest_bytes = st.one_of(
    structures.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"language_id": st.sampled_from(TAGS)},
                          optional={"path": st.text(max_size=12),
                                    "scripts": st.lists(st.text(max_size=12), max_size=4)}
                          ).map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=120), st.text(max_size=120).map(lambda t: t.encode(errors="replace")),
)


def declaration_outcome(data: bytes) -> Any:
    """The frontend's own result for a declaration file: a definition or a
    DeclarationError with a line (anything else escaping is a crash)."""
    try:
        parsed = parse(decode(data))
        return compile_declaration(parsed, BuildRequest(), BuildFacts())
    except DeclarationError as error:
        assert error.line >= 0 and error.message
        return error


def manifest_outcome(data: bytes) -> Any:
    try:
        return read_manifest("app/metacall.json", data)
    except DeclarationError as error:
        assert error.source is not None and error.source.filename == "app/metacall.json"
        assert error.line >= 0 and error.message
        return error
