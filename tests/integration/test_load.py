"""Load and faults: builds at once on one daemon, and a cancelled build."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import FIXTURE_CORE, ca_secret_args, docker, write_app

pytestmark = pytest.mark.integration
FIXTURE = ["--build-context", f"metacall-core={FIXTURE_CORE}"]
FRONTEND_PROCESS = "python3.11 .*-m frontend"


def test_four_builds_and_the_same_build_twice_at_once(buildx, tmp_path) -> None:
    sets = {"py": "[py]", "node": "[node]", "rb-file": "[rb, file]", "py-node": "[py, node]"}
    apps = {name: write_app(tmp_path / name, f"languages: {languages}\n")
            for name, languages in sets.items()}
    twice = write_app(tmp_path / "twice", "languages: [node, rpc]\n")
    jobs = [*apps.items(), ("twice-1", twice), ("twice-2", twice)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = dict(zip([name for name, _ in jobs],
                           pool.map(lambda job: buildx(job[1], *FIXTURE, "--no-cache"), jobs),
                           strict=True))
    for name, result in results.items():
        assert result.returncode == 0, (name, result)
        labels = json.loads(docker("image", "inspect", result.tag, "--format",
                                   "{{json .Config.Labels}}").stdout)
        expected = sets.get(name, "[node, rpc]").strip("[]").replace(" ", "")
        assert labels["io.metacall.languages"] == expected, name


def frontend_processes() -> list[str]:
    found = subprocess.run(["pgrep", "-af", FRONTEND_PROCESS], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


def test_a_cancelled_build_leaves_no_frontend_process(frontend_image, tmp_path) -> None:
    """An app: the frontend waits for its image and smoke check, so it is
    running when the client gives up."""
    app = write_app(tmp_path, "languages: [py, node]\ncore: {cmake-options: [-DCANCEL=1]}\n", {
        "metacall.json": '{"language_id": "py", "scripts": ["main.py"]}', "main.py": ""})
    build = subprocess.Popen(
        ["docker", "buildx", "build", "--progress=plain", "--no-cache", *ca_secret_args(),
         "--build-context", f"metacall-core={FIXTURE_CORE}", "-f", str(app / "metacall.yaml"),
         str(app)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert build.stdout is not None
    seen = []
    for line in build.stdout:  # wait until the frontend is solving steps
        seen.append(line)
        if "install build dependencies" in line:
            break
    assert frontend_processes(), "".join(seen)
    build.send_signal(signal.SIGINT)
    build.wait(timeout=60)
    deadline = time.monotonic() + 30
    while frontend_processes() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert frontend_processes() == []
