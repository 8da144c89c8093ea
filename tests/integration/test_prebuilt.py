"""Prebuilt layers through real BuildKit and the test registry, with the
fixture core: `python -m frontend publish` pushes each layer of an app's
runtime; a build naming that repository pulls them and builds no core, and
so does a build naming nothing, on a buildkitd that mirrors Docker Hub
(where the default repository is) to the test registry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontend.references import DEFAULT_PREBUILT
from tests.conftest import FIXTURE_CORE, ROOT, ca_secret_args, docker, run_image
from tests.integration.test_app import FIXTURE, example_copy
from tests.standalone import ROOT_BUILDKITD, answers

pytestmark = pytest.mark.integration
REGISTRY = "127.0.0.1:5000"
# py-app: the app's py, and node, which metacallcli comes with.
LAYERS = ("core-libraries", "py-libraries", "node-libraries", "py-files", "node-files", "cli-node")


def publish(app: Path, repository: str, *buildx_args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "frontend", "publish", str(app / "metacall.yaml"),
         "--repository", repository, *(buildx_args or FIXTURE), *ca_secret_args(),
         "--progress=plain"],
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
    assert result.output.count(f"7 of 7 prebuilt layers are not in {repository}") == 1, result
    assert "[py] build MetaCall core" in result.output


@pytest.fixture
def mirroring_builder(registry_images) -> Iterator[str]:
    """A buildx builder (remote driver) on the buildkitd of scripts/channels.sh,
    whose buildkitd.toml mirrors docker.io to the test registry."""
    if not answers(ROOT_BUILDKITD):
        pytest.fail(f"no buildkitd answers at {ROOT_BUILDKITD}: run scripts/channels.sh")
    name = f"metacall-mirror-{uuid.uuid4().hex[:8]}"
    docker("buildx", "create", "--name", name, "--driver", "remote", ROOT_BUILDKITD)
    yield name
    docker("buildx", "rm", name, check=False)


def test_a_build_naming_nothing_takes_the_default_repositorys_layers_from_a_mirror(
        buildx, mirroring_builder, tmp_path) -> None:
    """As a user behind a Docker Hub mirror meets it: the layers published to
    the mirror's copy of the default repository, then a build that names no
    repository. Core's VERSION is this run's own, so its tags are too."""
    core = tmp_path / "core"
    shutil.copytree(FIXTURE_CORE, core)
    version = f"0.0.0-fixture-{uuid.uuid4().hex[:8]}"
    (core / "VERSION").write_text(version + "\n")
    with_core = ["--builder", mirroring_builder, "--build-context", f"metacall-core={core}"]
    app = example_copy("py-app", tmp_path / "app")
    mirrored = f"{REGISTRY}/{DEFAULT_PREBUILT.removeprefix('docker.io/')}"
    published = publish(app, mirrored, *with_core)
    assert published.returncode == 0, published.stderr[-3000:]
    assert diff_ids(f"{mirrored}:{version}-core-libraries")

    result = buildx(app, *with_core)
    assert result.returncode == 0, result
    for name in LAYERS:
        assert f"load prebuilt layer {name}" in result.output, result
    assert "build MetaCall core" not in result.output
    assert "prebuilt layers are not in" not in result.output

    # Other inputs (a debug build of core): other keys, so built from source, said once.
    declaration = app / "metacall.yaml"
    declaration.write_text(declaration.read_text() + "core:\n  build-type: debug\n")
    result = buildx(app, *with_core)
    assert result.returncode == 0, result
    assert result.output.count(f"prebuilt layers are not in {DEFAULT_PREBUILT}") == 1, result
    assert "[py] build MetaCall core" in result.output
