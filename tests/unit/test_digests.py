"""Op digests of every example and every language, per target, and their
image configs: a refactoring that is meant to change no behaviour leaves
`tests/golden/digests.json` as it is.

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit/test_digests.py

rewrites it after an intended change (say which in the commit).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from frontend.compile import BuildFacts, Compiled, compile_declaration, parse
from frontend.declaration import DeclarationError, Language
from frontend.llb import serialize
from frontend.request import BuildRequest
from frontend.scan import scan_directory
from tests.unit.definitions import HEAD
from tests.unit.test_outlines import CONTEXTS, EXAMPLES, ROOT

SNAPSHOT = ROOT / "tests" / "golden" / "digests.json"
TARGETS = ("deps", "dev", "runtime", "cli", "app", "layer")
BASE_CONFIG = {"config": {"Env": ["PATH=/usr/bin:/bin"], "Labels": {"base": "label"}}}


def fingerprint(compiled: Compiled) -> dict[str, object]:
    return {
        "definition": hashlib.sha256(serialize(compiled.definition)).hexdigest(),
        "checks": [hashlib.sha256(serialize(check)).hexdigest() for check in compiled.checks],
        "config": hashlib.sha256(json.dumps(compiled.config, sort_keys=True).encode()
                                 ).hexdigest(),
    }


def compile_or_error(text: str, directory: Path | None, target: str) -> dict[str, object]:
    parsed = parse(text)
    facts = BuildFacts(base_config=BASE_CONFIG, base_digest="sha256:" + "0" * 64,
                       core_version="0.9.22",
                       context=scan_directory(directory, parsed.declaration) if directory else
                       BuildFacts().context)
    build_args = {"METACALL_LAYER": "core-libraries", "SOURCE_DATE_EPOCH": "0"}
    request = BuildRequest(target=target, contexts=CONTEXTS, build_args=build_args)
    try:
        return fingerprint(compile_declaration(parsed, request, facts))
    except DeclarationError as error:
        return {"error": error.message, "line": error.line}


def current() -> dict[str, dict[str, object]]:
    cases: dict[str, dict[str, object]] = {}
    for example in EXAMPLES:
        directory = ROOT / "examples" / example
        text = (directory / "metacall.yaml").read_text()
        for target in TARGETS:
            cases[f"example {example} {target}"] = compile_or_error(text, directory, target)
    for tag in Language:
        for target in TARGETS:
            cases[f"language {tag} {target}"] = compile_or_error(
                f"{HEAD}languages: [{', '.join(dict.fromkeys([tag, 'node']))}]\n", None, target)
    return cases


def test_op_digests_and_configs_are_unchanged() -> None:
    found = current()
    if os.environ.get("UPDATE_GOLDEN"):
        SNAPSHOT.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    recorded = json.loads(SNAPSHOT.read_text())
    changed = sorted(name for name in found.keys() | recorded.keys()
                     if found.get(name) != recorded.get(name))
    assert not changed, f"these definitions or configs changed: {changed}"
