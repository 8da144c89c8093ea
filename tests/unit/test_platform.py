"""Platforms, parsed once where they enter."""

from __future__ import annotations

import pytest

from frontend.platform import Platform


@pytest.mark.parametrize(("written", "meant"), [
    ("linux/arm64/v8", "linux/arm64"), ("linux/aarch64", "linux/arm64"),
    ("linux/arm", "linux/arm/v7"), ("linux/x86_64", "linux/amd64"), ("", "linux/amd64")])
def test_platforms_are_named_as_buildkit_names_them(written: str, meant: str) -> None:
    assert str(Platform.parse(written)) == meant


def test_a_worker_platform_and_its_oci_form() -> None:
    platform = Platform.from_worker({"OS": "linux", "Architecture": "arm", "Variant": "v6"})
    assert str(platform) == "linux/arm/v6"
    assert platform.to_oci() == {"architecture": "arm", "os": "linux", "variant": "v6"}
    assert platform.to_pb() == Platform.parse("linux/arm/v6").to_pb()
