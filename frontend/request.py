"""The build request: BuildKit's frontend options, parsed once into a typed
value that the compiler and the CLI share."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from frontend.platform import DEFAULT_PLATFORM, Platform

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
CACHE_IMPORTS = "cache-imports"  # JSON: [{"Type": "registry", "Attrs": {"ref": …}}]
CACHE_FROM = "cache-from"  # the older form: registry refs, comma-separated
ATTEST_SBOM = "attest:sbom"  # --sbom=true: e.g. "type=sbom,disabled=false"
# Build args the frontend reads, as the Dockerfile frontend does.
CACHE_MOUNT_NS_ARG = "BUILDKIT_CACHE_MOUNT_NS"
SOURCE_DATE_EPOCH_ARG = "SOURCE_DATE_EPOCH"

DEFAULT_FILENAME = "metacall.yaml"


class RequestError(Exception):
    """A build request the frontend cannot serve (not the declaration's fault)."""


@dataclass(frozen=True)
class CacheImport:
    """A cache to import (`--cache-from`), as BuildKit's client sends it."""

    type: str
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildRequest:
    filename: str = DEFAULT_FILENAME
    # Whether the caller named the file (else a missing one means none).
    filename_given: bool = False
    # None: `app` when the context holds an app, else `runtime`.
    target: str | None = None
    # The platform being compiled, one of `platforms` (all that were asked).
    platform: Platform = DEFAULT_PLATFORM
    platforms: tuple[Platform, ...] = (DEFAULT_PLATFORM,)
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
    cache_imports: tuple[CacheImport, ...] = ()
    # Attach an SBOM attestation to the image (--sbom=true).
    sbom: bool = False

    @property
    def cache_mount_namespace(self) -> str:
        return self.build_args.get(CACHE_MOUNT_NS_ARG, "")

    @property
    def source_date_epoch(self) -> int | None:
        """Seconds since 1970 to date the image by (reproducible builds)."""
        epoch = self.build_args.get(SOURCE_DATE_EPOCH_ARG, "")
        return int(epoch) if epoch else None

    @classmethod
    def from_options(
        cls, options: Mapping[str, str], *, session_id: str = "",
        default_platform: Platform = DEFAULT_PLATFORM,
    ) -> BuildRequest:
        platforms = tuple(dict.fromkeys(Platform.parse(p) for p in
                                        options.get(PLATFORM, "").split(",") if p.strip()))
        platforms = platforms or (default_platform,)
        build_args = _prefixed(options, BUILD_ARG_PREFIX)
        epoch = build_args.get(SOURCE_DATE_EPOCH_ARG, "")
        if epoch and not epoch.isdigit():
            raise RequestError(f"SOURCE_DATE_EPOCH is `{epoch}`, not seconds since 1970")
        return cls(
            filename=options.get(FILENAME) or DEFAULT_FILENAME,
            filename_given=bool(options.get(FILENAME)),
            target=options.get(TARGET) or None,
            platform=platforms[0],
            platforms=platforms,
            session_id=session_id,
            contexts=_prefixed(options, CONTEXT_PREFIX),
            build_args=build_args,
            # buildx sends no-cache (empty: every stage); there are no stages here.
            no_cache=NO_CACHE in options,
            context_name=options.get(CONTEXT_KEY) or "context",
            declaration_context=options.get(DOCKERFILE_KEY) or "dockerfile",
            request_id=options.get(REQUEST_ID, ""),
            cache_imports=_cache_imports(options),
            sbom=ATTEST_SBOM in options and "disabled=true" not in options[ATTEST_SBOM],
        )


def _cache_imports(options: Mapping[str, str]) -> tuple[CacheImport, ...]:
    try:
        entries = json.loads(options.get(CACHE_IMPORTS) or "[]")
        # Go reads these keys case-insensitively, as clients spell them either way.
        imports = [{key.lower(): value for key, value in entry.items()} for entry in entries]
        found = [CacheImport(str(entry["type"]), {str(k): str(v) for k, v in
                                                   (entry.get("attrs") or {}).items()})
                 for entry in imports]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise RequestError(f"the {CACHE_IMPORTS} option is not a list of caches: "
                           f"{error}") from None
    found += [CacheImport("registry", {"ref": ref.strip()})
              for ref in options.get(CACHE_FROM, "").split(",") if ref.strip()]
    return tuple(found)


def _prefixed(options: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {key.removeprefix(prefix): value for key, value in sorted(options.items())
            if key.startswith(prefix)}
