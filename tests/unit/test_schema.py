"""The declaration's JSON Schema: the committed file is the one the models
generate, it is a valid draft 2020-12 schema, the examples pass it, wrong
declarations fail it, and it agrees with the frontend on what it checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from frontend.declaration import Declaration, DeclarationError, parse
from frontend.declaration.reader import read
from frontend.declaration.schema import COMMAND, schema, schema_text
from tests.strategies import TAGS, scalars

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "metacall.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*/metacall.yaml"))
MODELINE = "# yaml-language-server: $schema=../../schema/metacall.schema.json"
VALIDATOR = Draft202012Validator(schema())


def document(text: str) -> Any:
    """The YAML as an editor validates it: x- keys kept. A file of comments
    only is the empty declaration, as the reader reads it."""
    data = yaml.safe_load(text)
    return {} if data is None else data


def schema_errors(text: str) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document(text))]


def test_the_committed_schema_is_the_generated_one() -> None:
    assert COMMITTED.read_text() == schema_text(), (
        f"{COMMITTED.relative_to(ROOT)} is stale: regenerate it with `{COMMAND}`")


def test_the_command_prints_it() -> None:
    printed = subprocess.run([sys.executable, "-m", "frontend", "schema"], capture_output=True,
                             cwd=ROOT)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.decode() == schema_text()


def test_it_is_a_draft_2020_12_schema_of_the_keys_users_write() -> None:
    generated = schema()
    Draft202012Validator.check_schema(generated)
    assert generated["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert generated["$id"] and generated["title"]
    assert list(generated["properties"]) == ["languages", "base-image", "core", "app"]
    core, app = generated["$defs"]["CoreOptions"], generated["$defs"]["AppOptions"]
    assert "cmake-options" in core["properties"] and "smoke-check" in app["properties"]
    for model in (generated, core, app):
        assert model["additionalProperties"] is False
        assert model["patternProperties"] == {"^x-": {}}
        for name, field in model["properties"].items():
            described = field.get("description") or generated["$defs"].get(
                field.get("$ref", "").removeprefix("#/$defs/"), {}).get("description")
            assert described, f"{name} has no description"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.parent.name)
def test_every_example_passes_it(example: Path) -> None:
    assert schema_errors(example.read_text()) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.parent.name)
def test_every_example_names_it_for_editors(example: Path) -> None:
    """On the second line: BuildKit reads the syntax directive from the first."""
    first, second = [*example.read_text().splitlines(), ""][:2]
    assert first == "# syntax=metacall/frontend"
    assert second == MODELINE
    assert (example.parent / MODELINE.partition("$schema=")[2]).resolve() == COMMITTED


# Each fails both the schema and the frontend.
WRONG = {
    "an unknown key": "langauges: [py]\n",
    "an unknown key in core": "core:\n  jobs: 4\n",
    "an unknown key in app": "app:\n  comand: [python3]\n",
    "an unknown language": "languages: [py, pyhton]\n",
    "an unknown language as a script's key": "app:\n  scripts:\n    pyhton: [main.py]\n",
    "a string for a list": "languages: py\n",
    "a list for a string": "base-image: [debian]\n",
    "a string for a boolean": "core:\n  tests: maybe\n",
    "a number for a string": "app:\n  env:\n    PORT: 8080\n",
    "an unknown build type": "core:\n  build-type: fast\n",
    "no language": "languages: []\n",
    "a language twice": "languages: [py, py]\n",
    "a timeout past its bound": "app:\n  smoke-check-timeout: 0\n",
    "a port past its bound": "app:\n  expose: [70000]\n",
    "null for core": "core:\n",
    "a list for the declaration": "- py\n",
}


@pytest.mark.parametrize("text", WRONG.values(), ids=WRONG.keys())
def test_wrong_declarations_fail_it_as_they_fail_the_frontend(text: str) -> None:
    assert schema_errors(text)
    with pytest.raises(DeclarationError):
        parse(text)


RIGHT = {
    "x- keys at every level": (
        "x-team: &team infra\nlanguages: [py]\ncore:\n  x-note: *team\n  ports: true\n"
        "app:\n  x-owner: {name: me}\n  scripts:\n    x-later: [b.py]\n    py: [a.py]\n"
        "  dependencies: {x-lock: 1, py: requirements.txt}\n"
        "  env: {x-anchor: [1, 2], GREETING: hello}\n  labels: {x-: 0}\n"),
    "ports as numbers and strings": "app:\n  expose: [8080, 53/udp]\n",
    "null for what defaults to the manifests": "languages:\napp:\n",
    "every key": (
        "languages: [py, node]\nbase-image: ubuntu:24.04\ncore:\n  version: v0.9.22\n"
        "  build-type: debug\n  cmake-options: [-DOPTION_X=ON]\n  ports: false\n"
        "  tests: true\n  prebuilt: registry.example.com/metacall/layers\napp:\n"
        "  command: [metacallcli]\n  labels: {a: b}\n  user: '1000:1000'\n"
        "  smoke-check: false\n  smoke-check-timeout: 3600\n  install-timeout: 86400\n"),
}


@pytest.mark.parametrize("text", RIGHT.values(), ids=RIGHT.keys())
def test_right_declarations_pass_it_as_they_pass_the_frontend(text: str) -> None:
    assert schema_errors(text) == []
    parse(text)


# Declarations near the right shape: each key's own kind of value or any
# other, x- keys and typos at every level.
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=8,
)
names = st.sampled_from(["release", "v0.9.22", "-DX=1", "a.py", "8080", "53/udp",
                         "registry.example.com/layers", "app", "", "a b"])
words = st.one_of(names, names, names, st.text(max_size=8))
ports = st.one_of(st.integers(min_value=-1, max_value=70000), words)


def mapping(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the fields, each with its kind of value or any value, and
    maybe an x- key or a typo."""
    known = st.lists(st.sampled_from(list(fields)), max_size=3, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({
            key: st.one_of(fields[key], fields[key], fields[key], values) for key in keys}))
    other = st.dictionaries(st.sampled_from(["x-note", "x-", "x-note", "X-note", "typo"]),
                            values, max_size=1)
    return st.builds(lambda known, other: {**known, **other}, known, other)


def by_language(value: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from([*TAGS, "x-later"]), value, max_size=3)


declarations = mapping({
    "languages": st.one_of(st.none(), st.lists(st.sampled_from(TAGS), max_size=3)),
    "base-image": words,
    "core": mapping({
        "version": words, "build-type": st.sampled_from(["release", "debug", "fast"]),
        "cmake-options": st.lists(words, max_size=2), "ports": st.one_of(st.none(), st.booleans()),
        "tests": st.booleans(), "prebuilt": st.one_of(st.none(), words),
    }),
    "app": st.one_of(st.none(), mapping({
        "scripts": by_language(st.lists(words, max_size=2)), "dependencies": by_language(words),
        "command": st.one_of(st.none(), st.lists(words, max_size=2)),
        "env": st.dictionaries(words, st.one_of(words, st.integers())), "labels": st.dictionaries(
            words, words, max_size=2), "expose": st.lists(ports, max_size=2),
        "user": st.one_of(st.none(), words), "smoke-check": st.booleans(),
        "smoke-check-timeout": st.integers(min_value=-1, max_value=4000),
        "install-timeout": st.integers(min_value=-1, max_value=90000),
    })),
})


@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(declarations)
def test_the_schema_and_the_models_agree(value: dict[str, Any]) -> None:
    """What the models accept, as JSON in strict mode, the schema accepts;
    what the schema accepts, the models accept or refuse only with a
    validator's finer rule (a git ref, -DNAME=VALUE, a path in the context,
    a user, a port). The schema leaves out the models' lax conversions
    (`"yes"` for true, `"60"` for 60)."""
    text = yaml.safe_dump(value)
    try:
        data = read(text).data  # x- keys dropped, as before validation
    except DeclarationError:
        assume(False)
    schema_accepts = VALIDATOR.is_valid(document(text))
    try:
        Declaration.model_validate_json(json.dumps(data), strict=True)
    except ValidationError:
        pass
    else:
        assert schema_accepts
    if schema_accepts:
        try:
            Declaration.model_validate(data)
        except ValidationError as error:
            assert {detail["type"] for detail in error.errors()} == {"value_error"}
