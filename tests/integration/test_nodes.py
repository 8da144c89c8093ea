"""Beyond one machine (fixture core): a buildx builder of two BuildKit nodes,
one per architecture, and a registry cache shared between nodes.

scripts/channels.sh starts the nodes: `node-amd64`, and `node-arm64`, whose
worker offers only linux/arm64 (run under scripts/emulation.sh's qemu).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import CA_BUNDLE, FIXTURE_CORE, docker
from tests.standalone import (
    REGISTRY,
    ROOT_BUILDKITD,
    SYNTAX,
    answers,
    buildctl,
    buildctl_command,
    buildkitd_address,
    fixture_app,
    prune,
    pushed,
    step_log,
    steps_that_ran,
)

pytestmark = pytest.mark.integration
NODES = {"linux/amd64": buildkitd_address("node-amd64"),
         "linux/arm64": buildkitd_address("node-arm64")}
BUILDER = "metacall-nodes"


def histories(address: str) -> list[dict]:
    """The node's build records (`buildctl debug histories`)."""
    listed = buildctl_command(address, "debug", "histories", "--format", "{{json .}}")
    assert listed.returncode == 0, listed.stderr
    return [json.loads(line)["record"] for line in listed.stdout.splitlines() if line.strip()]


@pytest.fixture
def two_node_builder(registry_images) -> Iterator[str]:
    """One buildx builder, remote driver, a node per platform (as `docker
    buildx create --append` makes one); each node's history emptied first."""
    for address in NODES.values():
        if not answers(address):
            pytest.fail(f"no buildkitd answers at {address}: run scripts/channels.sh")
        cleared = buildctl_command(address, "prune-histories")
        assert cleared.returncode == 0, cleared.stderr
    docker("buildx", "rm", BUILDER, check=False)
    for number, (platform, address) in enumerate(NODES.items()):
        docker("buildx", "create", *(["--append"] if number else []), "--name", BUILDER,
               "--driver", "remote", "--platform", platform, address)
    yield BUILDER
    docker("buildx", "rm", BUILDER, check=False)


def test_a_two_node_builder_builds_each_platform_on_its_own_node(two_node_builder,
                                                                  tmp_path) -> None:
    base = f"{REGISTRY}/library/debian:bookworm-slim"
    if "linux/arm64" not in docker("buildx", "imagetools", "inspect", base, check=False).stdout:
        pytest.fail(f"{base} has no linux/arm64 image: run scripts/emulation.sh")
    app = fixture_app(tmp_path / "app", "[py, file]")
    ref = pushed("nodes")
    done = docker("buildx", "build", "--builder", two_node_builder, "--progress=plain",
                  "--platform", ",".join(NODES), "-f", str(app / "metacall.yaml"),
                  "--build-context", f"metacall-core={FIXTURE_CORE}",
                  *(["--secret", f"id=ca-certificates,src={CA_BUNDLE}"] if CA_BUNDLE.exists()
                    else []),
                  "--output", f"type=image,name={ref},push=true", str(app), check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    # Which node built which platform: each node's own build records.
    for platform, address in NODES.items():
        records = histories(address)
        assert records, f"{address} recorded no build"
        built = {record["FrontendAttrs"].get("platform") for record in records}
        assert built == {platform}, (address, built)
    index = json.loads(docker("buildx", "imagetools", "inspect", "--raw", ref).stdout)
    platforms = {f"{m['platform']['os']}/{m['platform']['architecture']}"
                 for m in index["manifests"] if m["platform"]["os"] != "unknown"}
    assert platforms == set(NODES), index
    try:
        for platform, machine in (("linux/amd64", "x86_64"), ("linux/arm64", "aarch64")):
            ran = docker("run", "--rm", "--pull", "always", "--platform", platform,
                         "--entrypoint", "/bin/sh", ref, "-c",
                         "uname -m; printf 'exit\\n' | metacall-app", check=False)
            assert ran.returncode == 0, ran.stderr
            assert ran.stdout.startswith(machine + "\n"), (platform, ran.stdout)
            assert "libpy_loader.so" in ran.stdout, (platform, ran.stdout)
    finally:
        docker("image", "rm", "-f", ref, check=False)


# The steps a changed script re-runs: the app's layer (its files, then the
# launcher written on them), its merge on the image, and the smoke check.
APP_FILE_STEPS = {"[app] add the app's files", "[app] create /usr/local/bin",
                  "[app] write the launcher", "[app] add the app to the image",
                  "[app] smoke check: load every script with MetaCall"}


def user_steps_that_ran(progress: str) -> list[str]:
    """Steps that ran, but BuildKit's own (loading the definition, the
    contexts' transfers)."""
    return [step for step in steps_that_ran(progress) if not step.startswith("[internal]")]


def test_a_registry_cache_from_one_node_builds_on_another_without_rerunning(
    registry_images, tmp_path
) -> None:
    """Node A builds and exports its cache (mode=max) to the registry; node
    B, empty, imports it: no step runs again; a changed script re-runs only
    the app's files on B."""
    node_b = NODES["linux/amd64"]
    if not answers(node_b):
        pytest.fail(f"no buildkitd answers at {node_b}: run scripts/channels.sh")
    app = fixture_app(tmp_path / "app", "[py, node]")
    (app / "metacall.yaml").write_text(
        SYNTAX + f"languages: [py, node]\ncore: {{cmake-options: [-DRUN={uuid.uuid4().hex}]}}\n")
    cache = f"type=registry,ref={REGISTRY}/cache/nodes-{uuid.uuid4().hex[:8]}"
    first = buildctl(ROOT_BUILDKITD, app, "--export-cache", f"{cache},mode=max")
    assert first.returncode == 0, first.stderr[-4000:]
    assert " [py] build MetaCall core\n" in first.stderr

    prune(node_b)
    again = buildctl(node_b, app, "--import-cache", cache)
    assert again.returncode == 0, again.stderr[-4000:]
    ran = user_steps_that_ran(again.stderr)
    assert "[py] build MetaCall core" in re.findall(r"^#\d+ (\[.+)$", again.stderr, re.M)
    assert set(ran) <= {"[app] smoke check: load every script with MetaCall"}, "\n".join(
        step_log(again.stderr, step) for step in ran)

    (app / "main.py").write_text("def main():\n    return 2\n")
    changed = buildctl(node_b, app, "--import-cache", cache)
    assert changed.returncode == 0, changed.stderr[-4000:]
    ran = user_steps_that_ran(changed.stderr)
    assert "[app] add the app's files" in ran, ran
    assert set(ran) <= APP_FILE_STEPS, "\n".join(step_log(changed.stderr, step) for step in ran)
