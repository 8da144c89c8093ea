"""The frontend image keeps only what the frontend loads: tests/image_check.py
runs the gateway and the command line inside it, and reads every import
statement of a module it left out."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, docker

pytestmark = pytest.mark.integration


def test_the_image_runs_the_gateway_and_cli_with_the_modules_it_keeps(frontend_image) -> None:
    checked = docker("run", "--rm", "-v", f"{ROOT / 'tests'}:/check/tests:ro",
                     "-v", f"{ROOT / 'examples'}:/check/examples:ro",
                     "--entrypoint", "/usr/bin/python3.11", frontend_image,
                     "-S", "/check/tests/image_check.py", "--quiet", check=False, timeout=300)
    assert (checked.returncode, checked.stdout.strip()) == (0, "ok"), checked.stderr
    # The entry point as buildkitd runs it, through runpy (python -m).
    usage = docker("run", "--rm", frontend_image, "--help", check=False, timeout=120)
    assert usage.returncode == 0 and "schema" in usage.stdout, usage.stderr
