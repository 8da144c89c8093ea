"""The outline and the lint (frontend.subrequests), from one parse and context scan."""

from __future__ import annotations

import base64
import json

from frontend.compile import BuildFacts, parse
from frontend.declaration.context import ContextScan
from frontend.request import BuildRequest
from frontend.subrequests.inspection import Inspection
from frontend.subrequests.lint import lint
from frontend.subrequests.outline import outline
from tests.unit.definitions import HEAD

MANIFEST = json.dumps({"language_id": "py", "scripts": ["main.py"]}).encode()


def context(**texts: bytes) -> ContextScan:
    files = {"metacall.json": MANIFEST, **{k.replace("_", "."): v for k, v in texts.items()}}
    return ContextScan(frozenset(files), {"metacall.json": MANIFEST},
                        texts={k: v for k, v in files.items() if k.endswith(".txt")})


def test_outline_lists_inputs_with_their_lines() -> None:
    parsed = parse(HEAD + "languages:\n  - py\ncore:\n  version: v0.9.22\n")
    facts = BuildFacts(context=context(requirements_txt=b"six\n", package_json=b"{}"))
    report = outline(Inspection(parsed, facts, BuildRequest(
        build_args={"BUILDKIT_CACHE_MOUNT_NS": "team"})))
    result, text = report.value, report.text
    assert result["name"] == "app"
    languages = {entry["name"]: entry["location"] for entry in result["languages"]}
    assert languages["py"]["ranges"][0]["start"]["line"] == 3
    assert base64.b64decode(result["sources"][0]).decode() == parsed.text
    core = result["contexts"][0]
    assert core["name"] == "metacall-core" and core["value"].endswith("#v0.9.22")
    assert core["location"]["ranges"][0]["start"]["line"] == 5
    assert {s["name"] for s in result["secrets"]} == {"ca-certificates", "pip.conf", "npmrc"}
    assert {c["ID"] for c in result["cache"]} == {
        "team/metacall-apt-archives", "team/metacall-apt-lists",
        "team/metacall-py-root-.cache-pip",
        "team/metacall-node-root-.npm", "team/metacall-node-root-.cache-node"}
    assert [d["name"] for d in result["dependencies"]] == ["requirements.txt", "package.json"]
    assert "LANGUAGE" in text and "metacall.yaml:3" in text and "MANIFEST" in text


def rules(text: str, files: ContextScan, request: BuildRequest | None = None
          ) -> dict[str, dict]:
    report = lint(parse(HEAD + text), BuildFacts(context=files), request or BuildRequest())
    result, status = report.value, report.status_code
    found = {w["ruleName"]: w for w in result["warnings"]}
    assert status == (1 if found or "buildError" in result else 0)
    return found


def test_lint_rules_point_at_their_lines() -> None:
    found = rules("languages: [py, rb]\napp:\n  env:\n    DB_PASSWORD: hunter2\n",
                  context(requirements_txt=b"six==1.16.0\n# pinned above\nrequests\n",
                          package_json=b"{}", Gemfile=b""))
    assert set(found) == {"UnpinnedRequirement", "SecretInEnv", "LanguageWithoutScript",
                          "PackageJsonWithoutLockfile"}
    assert found["UnpinnedRequirement"]["location"]["ranges"][0]["start"]["line"] == 3
    assert found["SecretInEnv"]["location"]["ranges"][0]["start"]["line"] == 5
    assert "`rb` is declared" in found["LanguageWithoutScript"]["detail"]


def test_a_clean_app_has_no_warnings_and_status_zero() -> None:
    files = context(requirements_txt=b"six==1.16.0\n")
    assert rules("", files) == {}


def test_a_build_error_is_reported_with_its_location() -> None:
    report = lint(parse(HEAD + "languages: [node]\n"), BuildFacts(context=context()),
                  BuildRequest())
    result, text, status = report.value, report.text, report.status_code
    assert status == 1
    assert "the manifests name py" in result["buildError"]["message"]
    assert {w["ruleName"] for w in result["warnings"]} == {"ManifestLanguageNotDeclared"}
    assert "ERROR: the manifests name py" in text


def test_unused_dependency_file_is_reported() -> None:
    found = rules("", context(Gemfile=b"source 'https://rubygems.org'\n"))
    assert "Gemfile is a Ruby dependency file" in found["DependencyFileUnused"]["detail"]


def test_rules_name_their_readme_section() -> None:
    found = rules("", context(Gemfile=b""))
    assert found["DependencyFileUnused"]["url"] == "README.md#dependencyfileunused"


def test_the_declaration_and_the_build_arg_skip_rules() -> None:
    files = context(requirements_txt=b"six\n", Gemfile=b"")
    assert set(rules("", files)) == {"UnpinnedRequirement", "DependencyFileUnused"}
    skipping = "# check=skip=UnpinnedRequirement\n"
    assert set(rules(skipping, files)) == {"DependencyFileUnused"}
    assert rules("# check=skip=all\n", files) == {}
    # Directives stop at the first line that is not one.
    assert set(rules("languages: [py]\n" + skipping, files)) == {
        "UnpinnedRequirement", "DependencyFileUnused"}
    # The build arg wins over the directive.
    arg = BuildRequest(build_args={"BUILDKIT_DOCKERFILE_CHECK": "skip=DependencyFileUnused"})
    assert set(rules(skipping, files, arg)) == {"UnpinnedRequirement"}


def loading_context() -> ContextScan:
    manifest = json.dumps({"language_id": "node", "scripts": ["index.js"]}).encode()
    return ContextScan(frozenset(["metacall.json", "requirements.txt"]),
                       {"metacall.json": manifest},
                       script_texts={"index.js": b"// api\nconst lib = require('./lib.py');\n"})


def test_the_outline_says_which_script_loads_a_language() -> None:
    report = outline(Inspection(parse(HEAD), BuildFacts(context=loading_context()),
                                BuildRequest()))
    assert "\npy         index.js:2\n" in report.text, report.text
    assert [d["name"] for d in report.value["dependencies"]] == ["requirements.txt"]


def test_a_load_of_a_language_left_out_is_a_warning_at_its_line() -> None:
    found = rules("languages: [node]\n", loading_context())
    assert set(found) == {"LoadedLanguageNotDeclared", "DependencyFileUnused"}
    assert found["LoadedLanguageNotDeclared"]["location"]["ranges"][0]["start"]["line"] == 2
    assert rules("", loading_context()) == {}  # py is in the image; nothing unused
