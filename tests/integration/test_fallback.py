"""Against Docker's classic image store BuildKit reports MergeOp/DiffOp
disabled: the frontend warns once and composes the same image with copies."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import FIXTURE_CORE, ROOT, run_image, write_app

pytestmark = pytest.mark.integration


@pytest.fixture
def classic_engine(frontend_image: str, monkeypatch) -> str:
    """A second engine with the classic store (scripts/classic-engine.sh),
    holding the frontend and base images; DOCKER_HOST points at it."""
    started = subprocess.run([str(ROOT / "scripts" / "classic-engine.sh")],
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    host = started.stdout.strip()
    save = subprocess.Popen(["docker", "save", frontend_image, "debian:bookworm-slim"],
                            stdout=subprocess.PIPE)
    subprocess.run(["docker", "load", "-q"], stdin=save.stdout, check=True,
                   env={"DOCKER_HOST": host, "PATH": "/usr/local/bin:/usr/bin:/bin"})
    assert save.wait() == 0
    monkeypatch.setenv("DOCKER_HOST", host)
    return host


def test_classic_store_build_warns_once_and_composes_with_copies(
    classic_engine, buildx, tmp_path
) -> None:
    app = write_app(tmp_path, "languages: [py, node]\n")
    result = buildx(app, "--build-context", f"metacall-core={FIXTURE_CORE}", "--target", "cli")
    assert result.returncode == 0, result
    assert result.output.count("MergeOp/DiffOp are unavailable") == 1, result
    assert "merge language layers" not in result.output
    assert "[node] files installed for the CLI: /usr/local/bin" in result.output
    code, output = run_image(result.tag)
    assert code == 0, output
    assert "fake metacallcli: libnode_loader.so libpy_loader.so" in output
    code, output = run_image(
        result.tag,
        ["-c", "cat $CONFIGURATION_PATH; readlink /usr/lib/x86_64-linux-gnu/libpython3.11.so; "
               "[ -e /usr/local/metacall ] && echo LEAK; true"],
        entrypoint="/bin/sh",
    )
    assert '"py_loader"' in output and '"node_loader"' in output, output
    assert "libpython3.11.so.1" in output and "LEAK" not in output, output


def test_classic_store_builds_an_app_and_runs_its_smoke_check(
    classic_engine, buildx, tmp_path
) -> None:
    """The app's files are copied instead of merged; the smoke check still
    mounts them on the assembled image, and still fails on a missing script."""
    declaration = "languages: [py]\napp:\n  scripts:\n    py: [main.py{}]\n"
    scripts = {"main.py": "def main():\n    return 1\n", "broken.py": "# metacall-fixture: fail\n"}
    app = write_app(tmp_path / "app", declaration.format(""), scripts)
    result = buildx(app, "--build-context", f"metacall-core={FIXTURE_CORE}")
    assert result.returncode == 0, result
    assert "[app] add /app" in result.output
    assert "[app] smoke check: load every script with MetaCall" in result.output
    code, output = run_image(result.tag, ["-c", "ls /app"], entrypoint="/bin/sh")
    assert code == 0 and "main.py" in output, output
    broken = write_app(tmp_path / "broken", declaration.format(", broken.py"), scripts)
    failed = buildx(broken, "--build-context", f"metacall-core={FIXTURE_CORE}", tag=False)
    assert failed.returncode != 0
    assert "smoke check: broken.py (py) did not load" in failed.output, failed
