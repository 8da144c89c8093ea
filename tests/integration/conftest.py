"""Fixtures for the standalone BuildKit tests (tests/standalone.py)."""

from __future__ import annotations

import subprocess
import warnings

import pytest

from tests.conftest import ROOT, docker
from tests.standalone import FRONTEND_REF, ROOT_BUILDKITD, answers, tool


@pytest.fixture(scope="session")
def registry_images(frontend_image: str) -> str:
    """The frontend in the test registry (buildkitd cannot read Docker's image
    store; scripts/channels.sh pushed the base image)."""
    if not tool("buildkitd") or not tool("buildctl"):
        pytest.skip("no buildkitd/buildctl on PATH or in BUILDKIT_BIN_DIR: the standalone "
                    "BuildKit channels are not tested (.ci/run sets BUILDKIT_BIN_DIR)")
    if not answers(ROOT_BUILDKITD):
        pytest.fail("buildkitd binaries are present but no buildkitd answers at "
                    f"{ROOT_BUILDKITD}: run scripts/channels.sh")
    docker("tag", frontend_image, FRONTEND_REF)
    docker("push", "-q", FRONTEND_REF)
    return FRONTEND_REF


@pytest.fixture(autouse=True)
def docker_engine_up(request: pytest.FixtureRequest) -> None:
    """A Docker engine that died under an earlier test is started again
    (scripts/engine.sh), with a warning naming the test it died before, so
    one crash fails no unrelated test after it."""
    if docker("info", check=False, timeout=60).returncode == 0:
        return
    started = subprocess.run(["bash", str(ROOT / "scripts" / "engine.sh")], capture_output=True,
                             text=True, timeout=600)
    outcome = "it answers" if started.returncode == 0 else f"FAILED: {started.stderr[-500:]}"
    warnings.warn(f"Docker's engine did not answer before {request.node.nodeid}: restarted "
                  f"it ({outcome})", stacklevel=1)
