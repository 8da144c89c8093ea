"""Apps shaped like the MetaCall apps users have, built with nothing but the
one-line declaration (the fixture core: its CLI answers loads, not calls)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CORE, ROOT, SYNTAX, docker, run_image, write_app

pytestmark = pytest.mark.integration
FIXTURE = ["--build-context", f"metacall-core={FIXTURE_CORE}"]


def example(name: str, destination: Path) -> Path:
    """An example with this checkout's frontend image in its syntax line."""
    shutil.copytree(ROOT / "examples" / name, destination)
    (destination / "metacall.yaml").write_text(SYNTAX)
    return destination


def shell(image: str, script: str) -> str:
    code, output = run_image(image, ["-c", script], entrypoint="/bin/sh")
    assert code == 0, output
    return output


def test_monorepo_app_builds_from_its_manifests_in_subfolders(buildx, tmp_path) -> None:
    app = example("monorepo-app", tmp_path / "app")
    (app / ".env").write_text("API_TOKEN=not-for-the-image\n")
    (app / "api" / "node_modules" / "stale").mkdir(parents=True)
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    for step in ("[node] install api/package.json with `npm ci`",
                 "[py] install worker/deps/python/requirements.txt with `pip install`",
                 "[py] install worker/requirements.txt with `pip install`"):
        assert step in result.output, result
    output = shell(result.tag, (
        "cat /usr/local/bin/metacall-app; ls /app /app/api/node_modules; "
        "ls /usr/local/lib/python3*/dist-packages; pwd; "
        "ls -a /app/.env /app/README.md 2>&1 | sed 's/^/missing: /'"))
    # The manifests' scripts, relative to the app's root, which is the working directory.
    assert "'load py worker/tasks.py' 'load node api/src/index.js'" in output, output
    assert "is-number" in output and "stale" not in output, output  # npm v1 lockfile
    assert "six.py" in output, output
    assert "/app\n" in output  # pwd
    # .dockerignore keeps .env and the README out of the image.
    assert "missing: ls: cannot access '/app/.env'" in output, output
    assert "missing: ls: cannot access '/app/README.md'" in output, output


def test_server_app_serves_without_stdin_and_stops_quickly(buildx, tmp_path) -> None:
    """`docker run -d` keeps a serving app running; `docker stop` ends it at
    once: the launcher, PID 1, passes the signal on to metacallcli."""
    app = write_app(tmp_path, "", {
        "metacall.json": '{"language_id": "node", "scripts": ["server.js"]}',
        "server.js": "// metacall-fixture: serve\n",
    })
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    name = f"{result.tag}-run"
    docker("run", "-d", "--name", name, result.tag)
    try:
        time.sleep(3)
        state = docker("inspect", "--format", "{{.State.Running}}", name).stdout.strip()
        logs = docker("logs", name)
        assert state == "true", logs.stdout + logs.stderr
        assert "serving server.js" in logs.stdout, logs.stdout
        started = time.monotonic()
        docker("stop", name)
        stopped = time.monotonic() - started
        assert stopped < 2, f"docker stop took {stopped:.1f} s"
    finally:
        docker("rm", "-f", name, check=False)


def test_declaration_less_context_error_says_what_is_missing(buildx, tmp_path) -> None:
    result = buildx(write_app(tmp_path, ""), *FIXTURE, tag=False)
    assert result.returncode != 0
    assert ("no `languages` declared, and the build context has no MetaCall manifest"
            in result.output), result


def test_invalid_manifest_points_at_its_line(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "", {
        "service/metacall-py.json": '{\n  "language_id": "python",\n  "scripts": ["a.py"]\n}\n'})
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert "service/metacall-py.json:2" in result.output, result
    assert '>>>   "language_id": "python",' in result.output, result
    assert "unknown language `python`" in result.output, result


def test_server_example_builds_with_the_one_line_declaration(buildx, tmp_path) -> None:
    result = buildx(example("server-app", tmp_path / "app"), *FIXTURE)
    assert result.returncode == 0, result
    config = docker("image", "inspect", result.tag, "--format",
                    "{{json .Config.Entrypoint}} {{.Config.WorkingDir}}").stdout
    assert config.strip() == '["/usr/local/bin/metacall-app"] /app'
