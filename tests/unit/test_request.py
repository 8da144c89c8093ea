"""BuildKit's options, parsed once into a typed request."""

from __future__ import annotations

import pytest

from frontend.gateway.options import request_from_environment
from frontend.platform import Platform
from frontend.request import BuildRequest, RequestError
from tests.unit.fake_bridge import options

ARM64 = Platform.parse("linux/arm64")


def test_options_become_a_typed_request() -> None:
    request = request_from_environment({
        "BUILDKIT_SESSION_ID": "s1",
        "BUILDKIT_WORKERS": '[{"platforms": [{"OS": "linux", "Architecture": "arm64"}]}]',
        **options(**{"filename": "app.yaml", "target": "cli", "no-cache": "",
                     "context:metacall-core": "local:core", "build-arg:A": "x=y",
                     "contextkey": "ctx"}),
    })
    assert request == BuildRequest(
        filename="app.yaml", filename_given=True, target="cli", platform=ARM64,
        platforms=(ARM64,), session_id="s1",
        contexts={"metacall-core": "local:core"}, build_args={"A": "x=y"}, no_cache=True,
        context_name="ctx",
    )


def test_defaults_and_several_platforms() -> None:
    request = BuildRequest.from_options({})
    assert (request.filename, request.target, str(request.platform)) == (
        "metacall.yaml", None, "linux/amd64")
    several = BuildRequest.from_options({"platform": "linux/amd64,linux/arm64/v8,linux/arm"})
    assert [str(p) for p in several.platforms] == ["linux/amd64", "linux/arm64", "linux/arm/v7"]
    with pytest.raises(RequestError, match="SOURCE_DATE_EPOCH is `yesterday`"):
        BuildRequest.from_options({"build-arg:SOURCE_DATE_EPOCH": "yesterday"})
