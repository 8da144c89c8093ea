"""Fixtures for the standalone BuildKit tests (tests/standalone.py)."""

from __future__ import annotations

import pytest

from tests.conftest import docker
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
