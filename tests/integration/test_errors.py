"""Declaration errors reach the buildx user with the file, line and excerpt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_app

pytestmark = pytest.mark.integration


def test_misspelt_key_names_file_and_line(buildx, tmp_path: Path) -> None:
    app = write_app(tmp_path, "languages: [py]\nlangauges: [node]\n")
    result = buildx(app, tag=False)
    assert result.returncode != 0, result
    assert "metacall.yaml:3" in result.output, result
    assert ">>> langauges: [node]" in result.output, result
    assert "did you mean `languages`" in result.output, result


def test_unknown_language_names_its_line(buildx, tmp_path: Path) -> None:
    app = write_app(tmp_path, "languages:\n  - py\n  - pyhton\n")
    result = buildx(app, tag=False)
    assert result.returncode != 0
    assert "metacall.yaml:4" in result.output, result
    assert "unknown language `pyhton`" in result.output, result


def test_yaml_syntax_error_names_its_line(buildx, tmp_path: Path) -> None:
    app = write_app(tmp_path, "languages: [py\n")
    result = buildx(app, tag=False)
    assert result.returncode != 0
    assert "invalid YAML" in result.output, result
    assert "metacall.yaml:" in result.output, result


def test_cli_without_node_is_refused_at_the_languages_line(buildx, tmp_path: Path) -> None:
    app = write_app(tmp_path, "languages: [py]\n")
    result = buildx(app, "--target", "cli", tag=False)
    assert result.returncode != 0
    assert "metacall.yaml:2" in result.output, result
    assert "needs `node`" in result.output, result


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
    result = buildx(app, "--print=outline", tag=False)
    assert result.returncode != 0
    assert "unsupported subrequest `frontend.outline`" in result.output, result
