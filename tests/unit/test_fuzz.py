"""Property tests over the declaration reader and validator and the manifest
reader: whatever the input, the outcome is a result or the frontend's own
error with a line. A short fixed-seed run; bench/fuzz.py runs 10,000 cases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.strategies import (
    declaration_bytes,
    declaration_outcome,
    manifest_bytes,
    manifest_outcome,
)

CI = settings(max_examples=300, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])


@CI
@given(declaration_bytes)
def test_any_declaration_gives_a_definition_or_an_error_with_a_line(data: bytes) -> None:
    declaration_outcome(data)


@CI
@given(manifest_bytes)
def test_any_manifest_gives_a_manifest_or_an_error_in_that_manifest(data: bytes) -> None:
    manifest_outcome(data)
