"""Prebuilt layers through real BuildKit and the test registry, with the
fixture core: `python -m frontend publish` pushes each layer of an app's
runtime; a build naming that repository pulls them and builds no core."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT, ca_secret_args, docker, run_image
from tests.integration.test_app import FIXTURE, example_copy

pytestmark = pytest.mark.integration
REGISTRY = "127.0.0.1:5000"
# py-app: the app's py, and node, which metacallcli comes with.
LAYERS = ("core-libraries", "py-libraries", "node-libraries", "py-files", "node-files", "cli-node")


def publish(app: Path, repository: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "frontend", "publish", str(app / "metacall.yaml"),
         "--repository", repository, *FIXTURE, *ca_secret_args(), "--progress=plain"],
        capture_output=True, text=True, cwd=ROOT, timeout=1800)


def diff_ids(ref: str) -> list[str]:
    image = json.loads(docker("buildx", "imagetools", "inspect", ref,
                              "--format", "{{json .Image}}").stdout)
    return image["rootfs"]["diff_ids"]


def test_a_build_takes_the_published_layers_and_compiles_no_core(buildx, tmp_path) -> None:
    app = example_copy("py-app", tmp_path / "app")
    repository = f"{REGISTRY}/test/layers-{uuid.uuid4().hex[:8]}"
    published = publish(app, repository)
    assert published.returncode == 0, published.stderr[-3000:]
    result = buildx(app, *FIXTURE, "--build-arg", f"METACALL_PREBUILT={repository}")
    assert result.returncode == 0, result
    for name in LAYERS:
        assert f"load prebuilt layer {name}" in result.output, result
    # Nothing of core's build is in the graph.
    assert "build MetaCall core" not in result.output
    assert "install build dependencies" not in result.output
    assert "prebuilt layers are not in" not in result.output
    # The image holds the very layers published, and the app loads.
    layers = docker("image", "inspect", result.tag, "--format",
                    "{{json .RootFS.Layers}}").stdout
    for name in LAYERS:
        published_layers = diff_ids(f"{repository}:0.0.0-fixture-{name}")
        assert published_layers and all(layer in layers for layer in published_layers), name
    code, output = run_image(result.tag, ["-c", "cat /usr/local/bin/metacall-app"],
                             entrypoint="/bin/sh")
    assert code == 0 and "'load py main.py'" in output, output


def test_missing_and_stale_layers_build_from_source_saying_so_once(buildx, tmp_path) -> None:
    app = example_copy("py-app", tmp_path / "app")
    repository = f"{REGISTRY}/test/empty-{uuid.uuid4().hex[:8]}"
    result = buildx(app, *FIXTURE, "--build-arg", f"METACALL_PREBUILT={repository}")
    assert result.returncode == 0, result
    assert result.output.count(f"6 of 6 prebuilt layers are not in {repository}") == 1, result
    assert "[py] build MetaCall core" in result.output
