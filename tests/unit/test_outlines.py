"""Golden outlines: the steps of each example and each language as text, so
a planner change shows up in review as a readable diff.

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_outlines.py

rewrites them after an intended change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontend.compile import BuildFacts, compile_declaration, parse
from frontend.declaration import Language
from frontend.llb import outline
from frontend.request import BuildRequest
from frontend.scan import scan_directory
from tests.unit.definitions import HEAD

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/metacall.yaml"))
# Every named context given, so every step that reads one shows.
CONTEXTS = {name: f"local:{name}" for name in ("metacall-core", "plthook", "tinycc")}


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to write it"
    assert text == path.read_text(), (
        f"the outline of {name} changed; if intended, run with UPDATE_GOLDEN=1 and review "
        "the diff")


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_outline(example: str) -> None:
    directory = ROOT / "examples" / example
    parsed = parse((directory / "metacall.yaml").read_text())
    compiled = compile_declaration(
        parsed, BuildRequest(contexts=CONTEXTS),
        BuildFacts(context=scan_directory(directory, parsed.declaration), core_version="0.9.22"),
    )
    text = outline(compiled.definition)
    for check in compiled.checks:
        text += "\n# smoke check\n" + outline(check)
    check_golden(f"example-{example}", text)


@pytest.mark.parametrize("tag", list(Language))
def test_language_outline(tag: Language) -> None:
    """The runtime target holds every step of a language: deps, dev, runtime."""
    compiled = compile_declaration(parse(f"{HEAD}languages: [{tag}]\n"),
                                   BuildRequest(target="runtime", contexts=CONTEXTS))
    check_golden(f"language-{tag}", outline(compiled.definition))


def test_no_stale_golden_files() -> None:
    expected = {f"example-{e}.txt" for e in EXAMPLES} | {f"language-{t}.txt" for t in Language}
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected
