"""The whole graph through real BuildKit, with a fixture standing in for
core's tools/ scripts (tests/fixtures/fake-core), so it runs in seconds."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CORE, compactness_check, docker, run_image, write_app

pytestmark = pytest.mark.integration
FIXTURE = ["--build-context", f"metacall-core={FIXTURE_CORE}"]


def shell(image: str, script: str) -> str:
    code, output = run_image(image, ["-c", script], entrypoint="/bin/sh")
    assert code == 0, output
    return output


def test_runtime_merges_each_language_and_only_installed_files(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "languages: [py, node]\n")
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    # Readable step names in the progress output.
    for step in ("[py] install runtime libraries", "[node] build MetaCall core",
                 "[runtime] merge language layers"):
        assert step in result.output, result
    output = shell(
        result.tag,
        "ls /usr/local/lib /usr/lib/fake-runtime /usr/local/lib/plugins; "
        "readlink /usr/lib/x86_64-linux-gnu/libpython3.11.so; "
        "dpkg-query -W -f '${Package} ${Status}\\n' | grep -E '^lib(python3|node|dw)'; "
        f"cat $CONFIGURATION_PATH; {compactness_check()}",
    )
    assert "libpy_loader.so" in output and "libnode_loader.so" in output
    assert "backtrace_plugin" in output
    assert "libdw1 install ok installed" in output  # core's own runtime branch
    # The lean py branch linked the unversioned name core's configuration uses.
    assert "libpython3.11.so.1" in output
    # Every branch's packages are in the one dpkg database after the merge.
    for package in ("libpython3.11 install ok installed", "libnode108 install ok installed"):
        assert package in output, output
    assert "LEAK" not in output, output
    config = json.loads(output[output.index("{\n"): output.rindex("}") + 1])
    assert set(config) == {"py_loader", "node_loader", "log_level"}


def test_cli_target_runs_metacallcli(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "languages: [py, node]\n")
    result = buildx(app, *FIXTURE, "--target", "cli")
    assert result.returncode == 0, result
    code, output = run_image(result.tag)
    assert code == 0, output
    assert "fake metacallcli: libnode_loader.so libpy_loader.so" in output
    labels = json.loads(docker("image", "inspect", result.tag, "--format",
                               "{{json .Config.Labels}}").stdout)
    assert labels["io.metacall.core.version"] == "0.0.0-fixture"
    assert labels["io.metacall.languages"] == "py,node"


def test_deps_and_dev_targets(buildx, tmp_path) -> None:
    # Ruby's build dependencies come from core's script (the fixture's marks them).
    app = write_app(tmp_path, "languages: [rb]\ncore:\n  cmake-options: [-DOPTION_X=On]\n")
    deps = buildx(app, *FIXTURE, "--target", "deps")
    assert deps.returncode == 0, deps
    assert "ruby" in shell(deps.tag, "ls /opt/fake-deps; ls /usr/local/metacall/tools")
    dev = buildx(app, *FIXTURE, "--target", "dev")
    assert dev.returncode == 0, dev
    output = shell(dev.tag, "cat /usr/local/metacall/build/cmake-config-used.txt; "
                   "ls /usr/local/include/metacall /usr/local/lib")
    assert "-DOPTION_X=On" in output and "-DBackwardCpp_SOURCE" in output
    assert "metacall.h" in output and "librb_loader.so" in output


def test_warm_rebuild_is_fully_cached(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "languages: [py, node]\n")
    assert buildx(app, *FIXTURE).returncode == 0
    again = buildx(app, *FIXTURE)
    assert again.returncode == 0, again
    steps = re.findall(r"^#\d+ \[(?:py|node|core)\] [^\n]+", again.output, re.M)
    executed = [line for line in again.output.splitlines()
                if re.match(r"^#\d+ \d+\.\d+ ", line)]  # lines a running step prints
    assert steps, again
    assert not executed, "a warm rebuild ran steps:\n" + "\n".join(executed[:10])


def test_no_secret_reaches_the_image(buildx, tmp_path: Path) -> None:
    marker = "metacall-test-secret-7f3c9b"
    secret = tmp_path / "ca.pem"
    secret.write_text(f"-----BEGIN CERTIFICATE-----\n{marker}\n-----END CERTIFICATE-----\n")
    app = write_app(tmp_path / "app", "languages: [py]\n")
    # Replaces the machine bundle only for this build: the fixture needs no TLS.
    result = buildx(app, *FIXTURE, "--secret", f"id=ca-certificates,src={secret}",
                    "--no-cache")
    assert result.returncode == 0, result
    # --no-cache re-ran the network steps, so the secret was mounted again.
    step = re.search(r"^#(\d+) \[core\] install build dependencies$", result.output, re.M)
    assert step and f"#{step.group(1)} CACHED" not in result.output, result
    saved = subprocess.run(["docker", "save", result.tag], capture_output=True, check=True)
    assert len(saved.stdout) > 1_000_000
    assert marker.encode() not in saved.stdout
    history = docker("history", "--no-trunc", result.tag).stdout
    assert marker not in history
