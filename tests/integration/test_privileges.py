"""Least privilege: the frontend needs no network and drops root; an app runs
as its own user, who cannot change the app's files."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURE_CORE, docker, run_image, write_app

pytestmark = pytest.mark.integration
FIXTURE = ["--build-context", f"metacall-core={FIXTURE_CORE}"]
APP = {"metacall.json": '{"language_id": "py", "scripts": ["main.py"]}',
       "main.py": "def main():\n    return 1\n"}


def test_the_frontend_image_asks_for_no_network_and_runs_as_nobody(frontend_image) -> None:
    config = json.loads(docker("image", "inspect", frontend_image, "--format",
                               "{{json .Config}}").stdout)
    assert config["Labels"]["moby.buildkit.frontend.network.none"] == "true"
    assert config["User"] == "65534:65534"
    # buildkitd starts it as root: it drops that itself.
    dropped = docker("run", "--rm", "--user", "0", "--entrypoint", "/usr/bin/python3.11",
                     frontend_image, "-c",
                     "import os; from frontend.gateway.start import drop_privileges; "
                     "drop_privileges(); print(os.getuid(), os.getgid(), os.getgroups())")
    assert dropped.stdout.strip() == "65534 65534 []"


def test_an_app_runs_as_its_own_user_who_cannot_change_it(buildx, tmp_path) -> None:
    result = buildx(write_app(tmp_path, "", APP), *FIXTURE)
    assert result.returncode == 0, result
    config = json.loads(docker("image", "inspect", result.tag, "--format",
                               "{{json .Config}}").stdout)
    assert config["User"] == "metacall"
    code, output = run_image(result.tag, ["-c", (
        "id -un; id -u; stat -c '%U %a %n' /app /app/main.py; "
        "touch /app/new 2>&1 || echo cannot write the app; "
        "touch \"$HOME/ok\" && echo home is writable")], entrypoint="/bin/sh")
    assert code == 0, output
    assert "metacall\n1000\n" in output, output
    assert "root 755 /app\nroot 644 /app/main.py" in output, output
    assert "cannot write the app" in output and "home is writable" in output, output


def test_app_user_chooses_another_user_root_included(buildx, tmp_path) -> None:
    result = buildx(write_app(tmp_path, "app:\n  user: root\n", APP), *FIXTURE)
    assert result.returncode == 0, result
    code, output = run_image(result.tag, ["-c", "id -u"], entrypoint="/bin/sh")
    assert (code, output.strip()) == (0, "0")
