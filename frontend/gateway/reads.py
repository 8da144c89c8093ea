"""Round trips a build asks BuildKit for before its declaration is parsed
(BuildKit's capabilities, the declaration itself, core's VERSION, the
default base image, the local contexts every build from source
transfers). Nothing here imports the planner: start.py begins these
before that import."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import grpc

from frontend import limits
from frontend.gateway.bridge import Bridge, Capabilities
from frontend.llb import marshal
from frontend.platform import Platform
from frontend.references import DEFAULT_BASE_IMAGE, normalize_image_ref
from frontend.request import BuildRequest, RequestError
from frontend.sources import (
    CORE_CONTEXT,
    base_image_state,
    core_version_source,
    declaration_source,
    transferred_contexts,
)

# A registry that does not answer must not hold the build.
REGISTRY_SECONDS = 120.0
DEFAULT_BASE_REF = normalize_image_ref(DEFAULT_BASE_IMAGE)
NAMES_A_BASE = re.compile(rb"base[-_]image")  # the key, as the schema accepts it


@dataclass(frozen=True)
class ResolvedBase:
    """A base image's digest and config, and its load when one was started."""

    digest: str
    config: dict[str, Any]
    load: grpc.Future | None = None


@dataclass(frozen=True)
class EarlyReads:
    """Round trips under way before the declaration is parsed, for the
    request they were started for."""

    request: BuildRequest
    capabilities: Future[Capabilities]
    declaration: Future[bytes]
    core_version: Future[str | None]
    # The default base image by platform, resolved and (for a build) loaded
    # as soon as the declaration is read, when its text names no other base
    # (None when it names one).
    default_base: Mapping[Platform, Future[ResolvedBase | None]]
    # Transfers of the local contexts, for a build (not a subrequest).
    transfers: tuple[grpc.Future, ...] = ()


def wait_for(loads: Sequence[grpc.Future]) -> None:
    """Lets background loads end before the build's own solve, which takes
    what they loaded. A failed one is not reported here: the build's solve
    fails at the step that reads it, with BuildKit's error."""
    for load in loads:
        with contextlib.suppress(grpc.RpcError, grpc.FutureCancelledError):
            load.result()


def start_reads(bridge: Bridge, request: BuildRequest) -> EarlyReads:
    pool = ThreadPoolExecutor(max_workers=3 + len(request.platforms),
                              thread_name_prefix="early-read")
    declaration = pool.submit(read_declaration, bridge, request)
    early = EarlyReads(
        request=request,
        capabilities=pool.submit(bridge.ping),
        declaration=declaration,
        core_version=pool.submit(read_core_version, bridge, request),
        default_base={platform: pool.submit(_default_base, bridge, request, declaration,
                                            platform)
                      for platform in request.platforms},
        transfers=() if request.request_id else tuple(
            bridge.load_in_background(marshal(state), request.cache_imports)
            for state in transferred_contexts(request.contexts, request.session_id)),
    )
    pool.shutdown(wait=False)  # the submitted reads go on
    return early


def _default_base(bridge: Bridge, request: BuildRequest, declaration: Future[bytes],
                  platform: Platform) -> ResolvedBase | None:
    # The parse decides which base is built on: a declaration that names
    # `base-image` in some way the text does not show only wastes this.
    if NAMES_A_BASE.search(declaration.result()):
        return None
    resolved = resolve_base_image(bridge, DEFAULT_BASE_REF, platform)
    if request.request_id:
        return resolved
    state = base_image_state(DEFAULT_BASE_REF, resolved.digest, platform, DEFAULT_BASE_IMAGE)
    return replace(resolved, load=bridge.load_in_background(marshal(state),
                                                            request.cache_imports))


def base_image_config(bridge: Bridge, early: EarlyReads, ref: str,
                      platform: Platform) -> ResolvedBase:
    """The base image's digest and config (and load): the default one's as
    asked for early, or resolved now."""
    call = early.default_base.get(platform)
    resolved = call.result() if call is not None and ref == DEFAULT_BASE_REF else None
    return resolved or resolve_base_image(bridge, ref, platform)


def resolve_base_image(bridge: Bridge, ref: str, platform: Platform) -> ResolvedBase:
    """The base image's digest and config, or a RequestError when its
    registry does not answer in time."""
    try:
        return ResolvedBase(*bridge.resolve_image(ref, platform.to_pb(),
                                                  timeout=REGISTRY_SECONDS))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise RequestError(f"the registry of the base image {ref} did not answer within "
                               f"{REGISTRY_SECONDS:.0f} s") from None
        raise


def read_declaration(bridge: Bridge, request: BuildRequest) -> bytes:
    """The declaration's text, from the declaration's context (buildx sends
    it) or else the main one; a build without one (buildctl with only a
    context) has an empty declaration: the manifests decide."""
    for context in dict.fromkeys([request.declaration_context, request.context_name]):
        source = declaration_source(context, request.filename, request.session_id)
        try:
            ref = bridge.solve(marshal(source), evaluate=True)
            return bridge.read_file(ref, request.filename, limit=limits.DECLARATION_BYTES + 1)
        except grpc.RpcError as error:
            failure = error
    if request.filename_given:
        raise failure
    return b""


def read_core_version(bridge: Bridge, request: BuildRequest) -> str | None:
    """core's VERSION file, when its source is a local context."""
    context = request.contexts.get(CORE_CONTEXT, "")
    if not context.startswith("local:"):
        return None
    source = core_version_source(context.removeprefix("local:"), request.session_id)
    try:
        ref = bridge.solve(marshal(source), evaluate=True)
        return bridge.read_file(ref, "VERSION").decode().strip() or None
    except grpc.RpcError:
        return None  # a core without VERSION is labelled "unknown"
