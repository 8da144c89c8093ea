"""Declaration errors reach the buildx user with the file, line and excerpt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_app

pytestmark = pytest.mark.integration


# A declaration, extra buildx arguments, and what the failed build prints.
ERRORS = {
    "misspelt key": ("languages: [py]\nlangauges: [node]\n", (), [
        "metacall.yaml:3", ">>> langauges: [node]", "did you mean `languages`"]),
    "unknown language": ("languages:\n  - py\n  - pyhton\n", (), [
        "metacall.yaml:4", "unknown language `pyhton`"]),
    "YAML syntax": ("languages: [py\n", (), ["invalid YAML", "metacall.yaml:"]),
    "cli without node": ("languages: [py]\n", ("--target", "cli"), [
        "metacall.yaml:2", "needs `node`"]),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_names_file_and_line(buildx, tmp_path: Path, case: str) -> None:
    declaration, arguments, expected = ERRORS[case]
    result = buildx(write_app(tmp_path, declaration), *arguments, tag=False)
    assert result.returncode != 0, result
    for text in expected:
        assert text in result.output, result


@pytest.fixture
def experimental_buildx(monkeypatch):
    monkeypatch.setenv("BUILDX_EXPERIMENTAL", "1")  # buildx 0.13 hides --print behind it


def test_print_targets_lists_the_targets(buildx, tmp_path: Path, experimental_buildx) -> None:
    app = write_app(tmp_path, "languages: [py]\n")
    result = buildx(app, "--print=targets", tag=False)
    assert result.returncode == 0, result
    for target in ("deps", "dev", "runtime (default)", "cli"):
        assert target in result.output, result


def test_unsupported_subrequest_is_a_readable_error(
    buildx, tmp_path: Path, experimental_buildx
) -> None:
    app = write_app(tmp_path, "languages: [py]\n")
    result = buildx(app, "--print=convertllb", tag=False)
    assert result.returncode != 0
    assert "unsupported subrequest `frontend.convertllb`" in result.output, result


def test_print_outline_lists_the_builds_inputs_with_their_lines(
    buildx, tmp_path: Path, experimental_buildx
) -> None:
    app = write_app(tmp_path, "languages:\n  - py\n  - node\n", {
        "api/metacall.json": '{"language_id": "node", "scripts": ["index.js"]}',
        "api/index.js": "", "api/package.json": "{}", "requirements.txt": "six\n"})
    result = buildx(app, "--print=outline", tag=False)
    assert result.returncode == 0, result
    for text in ("TARGET:\tapp", "py         metacall.yaml:3", "node       metacall.yaml:4",
                 "api/metacall.json", "api/package.json   node", "ca-certificates",
                 "npmrc", "BUILDKIT_CACHE_MOUNT_NS"):
        assert text in result.output, (text, result)


def test_print_lint_shows_warnings_with_lines(buildx, tmp_path: Path,
                                              experimental_buildx) -> None:
    app = write_app(tmp_path, "languages: [py, rb]\napp:\n  env:\n    API_TOKEN: abc123\n", {
        "metacall.json": '{"language_id": "py", "scripts": ["main.py"]}', "main.py": "",
        "requirements.txt": "six==1.16.0\nrequests\n", "package.json": "{}"})
    result = buildx(app, "--print=lint", tag=False)
    for text in ("WARNING: UnpinnedRequirement", "requirements.txt:2", "WARNING: SecretInEnv",
                 "metacall.yaml:5", "WARNING: LanguageWithoutScript", "metacall.yaml:2",
                 "WARNING: PackageJsonWithoutLockfile"):
        assert text in result.output, (text, result)
