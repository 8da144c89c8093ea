from __future__ import annotations

import json

import pytest

from frontend.compile import BuildFacts
from frontend.declaration import DeclarationError, parse
from frontend.pb import llb_pb2 as pb
from frontend.plan.app import ContextFiles, plan_app
from tests.unit.definitions import HEAD, compile_text, ops_of


def manifest(tag: str, *scripts: str, path: str = ".") -> bytes:
    return json.dumps({"language_id": tag, "path": path, "scripts": list(scripts)}).encode()


def files(*names: str, **manifests: bytes) -> ContextFiles:
    found = {name.replace("_", "-") + ".json": data for name, data in manifests.items()}
    return ContextFiles(frozenset([*names, *found]), found)


def plan(text: str, context: ContextFiles):
    return plan_app(parse(HEAD + text).declaration, context, languages_line=2)


def test_no_app_key_and_no_manifest_is_no_app() -> None:
    assert plan("languages: [py]\n", files("requirements.txt")) is None


def test_manifests_decide_languages_scripts_and_dependency_files() -> None:
    context = files("requirements.txt", "package.json", "package-lock.json",
                    metacall_py=manifest("py", "main.py"),
                    metacall_node=manifest("node", "index.js", path="src"))
    app = plan("base-image: debian:bookworm-slim\n", context)
    assert app is not None
    assert app.languages == ("py", "node")
    assert app.scripts == {"py": ("main.py",), "node": ("src/index.js",)}
    assert app.dependencies == {"py": "requirements.txt", "node": "package.json"}


def test_app_keys_override_the_manifests() -> None:
    context = files("requirements.txt", metacall_py=manifest("py", "main.py"))
    app = plan("languages: [py]\napp:\n  scripts: {py: [other.py]}\n"
               "  dependencies: {py: pyproject.toml}\n", context)
    assert app is not None
    assert app.scripts == {"py": ("other.py",)}
    assert app.dependencies == {"py": "pyproject.toml"}


def test_a_manifest_language_outside_languages_is_an_error_at_its_line() -> None:
    with pytest.raises(DeclarationError) as caught:
        plan("languages: [py]\n", files(metacall_node=manifest("node", "index.js")))
    assert caught.value.line == 2
    assert "the manifests name node" in caught.value.message


def test_bad_manifests_are_reported_by_name() -> None:
    with pytest.raises(DeclarationError, match=r"metacall-py\.json: not a MetaCall manifest"):
        plan("languages: [py]\n", files(metacall_py=b"{}"))
    with pytest.raises(DeclarationError, match="inside the build context"):
        plan("languages: [py]\n", files(metacall_py=manifest("py", "../x.py")))


def test_the_pip_step_reads_only_requirements_txt() -> None:
    context = files("requirements.txt", "package.json",
                    metacall_py=manifest("py", "main.py"), metacall_node=manifest("node", "i.js"))
    definition = compile_text("languages: [py, node]\n", None,
                              facts=BuildFacts(context_files=context)).definition
    includes = {}
    for op in ops_of(definition).values():
        if op.WhichOneof("op") == "file" and op.file.actions[0].WhichOneof("action") == "copy":
            copy = op.file.actions[0].copy
            if copy.dest == "/app" and copy.include_patterns:
                includes[tuple(copy.include_patterns)] = True
    assert ("requirements.txt",) in includes
    assert ("package.json",) in includes


def test_the_smoke_check_is_a_separate_definition_that_mounts_the_app() -> None:
    context = files("package.json", metacall_node=manifest("node", "index.js"))
    compiled = compile_text("languages: [node]\n", None, facts=BuildFacts(context_files=context))

    def smoke_checks(definition: pb.Definition) -> list[pb.ExecOp]:
        return [op.exec for op in ops_of(definition).values()
                if op.WhichOneof("op") == "exec" and "load node index.js" in op.exec.meta.args[-1]]

    # What the loaders write while the check runs never reaches the image.
    assert smoke_checks(compiled.definition) == []
    (check,) = compiled.checks
    (run,) = smoke_checks(check)
    mounts = {(m.dest, m.selector, m.readonly) for m in run.mounts if m.dest != "/"}
    # The app's files, and node_modules again over them (the app mount hides it).
    assert mounts == {("/app", "/app", False), ("/app/node_modules", "/app/node_modules", True)}
    off = compile_text("languages: [node]\napp:\n  smoke-check: false\n", None,
                       facts=BuildFacts(context_files=context))
    assert off.checks == ()
