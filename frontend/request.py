"""The build request: BuildKit's frontend options, parsed once into a typed
value that the compiler and the CLI share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Frontend option keys, as buildx and buildctl send them (the same as the
# Dockerfile frontend's, so users' flags mean what they are used to).
FILENAME = "filename"
TARGET = "target"
PLATFORM = "platform"
NO_CACHE = "no-cache"
CONTEXT_KEY = "contextkey"  # the main context's name (default "context")
DOCKERFILE_KEY = "dockerfilekey"  # the declaration's context (default "dockerfile")
REQUEST_ID = "requestid"  # a subrequest such as frontend.targets
CONTEXT_PREFIX = "context:"  # context:NAME=local:NAME | docker-image://REF | git URL
BUILD_ARG_PREFIX = "build-arg:"

DEFAULT_FILENAME = "metacall.yaml"
DEFAULT_PLATFORM = "linux/amd64"


class RequestError(Exception):
    """A build request the frontend cannot serve (not the declaration's fault)."""


@dataclass(frozen=True)
class BuildRequest:
    filename: str = DEFAULT_FILENAME
    # Whether the caller named the file (else a missing one means none).
    filename_given: bool = False
    # None: `app` when the context holds an app, else `runtime`.
    target: str | None = None
    platform: str = DEFAULT_PLATFORM
    session_id: str = ""
    # Named contexts as BuildKit passes them: name -> "local:NAME",
    # "docker-image://REF" or a git URL.
    contexts: Mapping[str, str] = field(default_factory=dict)
    build_args: Mapping[str, str] = field(default_factory=dict)
    # Re-run every step (buildx --no-cache).
    no_cache: bool = False
    # The main build context's and the declaration's context names.
    context_name: str = "context"
    declaration_context: str = "dockerfile"
    # A subrequest instead of a build (`--print=targets`), or "".
    request_id: str = ""

    @classmethod
    def from_options(
        cls, options: Mapping[str, str], *, session_id: str = "",
        default_platform: str = DEFAULT_PLATFORM,
    ) -> BuildRequest:
        platforms = [p for p in options.get(PLATFORM, "").split(",") if p]
        if len(platforms) > 1:
            raise RequestError("building several platforms at once is not supported yet")
        return cls(
            filename=options.get(FILENAME) or DEFAULT_FILENAME,
            filename_given=bool(options.get(FILENAME)),
            target=options.get(TARGET) or None,
            platform=platforms[0] if platforms else default_platform,
            session_id=session_id,
            contexts=_prefixed(options, CONTEXT_PREFIX),
            build_args=_prefixed(options, BUILD_ARG_PREFIX),
            # buildx sends no-cache (empty: every stage); there are no stages here.
            no_cache=NO_CACHE in options,
            context_name=options.get(CONTEXT_KEY) or "context",
            declaration_context=options.get(DOCKERFILE_KEY) or "dockerfile",
            request_id=options.get(REQUEST_ID, ""),
        )


def _prefixed(options: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {key.removeprefix(prefix): value for key, value in sorted(options.items())
            if key.startswith(prefix)}
