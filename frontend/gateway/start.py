"""A gateway run up to the planner: connect to BuildKit, read the options,
and set BuildKit reading what needs no declaration (the declaration itself,
core's VERSION, the local contexts every build from source transfers), all
before importing the planner. That import is most of a warm build's
start-up, and BuildKit does this work meanwhile instead of after it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import grpc

from frontend import limits
from frontend.gateway.bridge import Bridge
from frontend.gateway.transport import StdioRelay
from frontend.llb import local, marshal
from frontend.references import DEFAULT_BASE_IMAGE, normalize_image_ref
from frontend.request import DEFAULT_PLATFORM, BuildRequest, RequestError
from frontend.sources import CORE_CONTEXT, base_image_state, parse_platform, transferred_contexts

log = logging.getLogger("metacall-frontend")
# A registry that does not answer must not hold the build.
REGISTRY_SECONDS = 120.0
DEFAULT_BASE_REF = normalize_image_ref(DEFAULT_BASE_IMAGE)
NAMES_A_BASE = re.compile(rb"base[-_]image")  # the key, as the schema accepts it
OPTION_PREFIX = "BUILDKIT_FRONTEND_OPT_"
NOBODY = 65534


def run() -> NoReturn:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    relay = StdioRelay()
    drop_privileges()
    bridge = Bridge(relay.channel())
    try:
        early: EarlyReads | None = start_reads(bridge, request_from_environment(os.environ))
    except RequestError:
        early = None  # build() reads the options again, to return the error
    from frontend.gateway.frontend import build  # the planner: see the docstring

    code = 0
    try:
        build(bridge, os.environ, early)
    except Exception:  # the answer could not be returned: BuildKit has gone
        log.exception("no answer returned")
        code = 1
    # BuildKit waits for this process to end before it goes on: the
    # interpreter's teardown (joining threads, some in calls to a BuildKit
    # that may be gone; freeing every module) would only delay it.
    logging.shutdown()
    os._exit(code)


def drop_privileges() -> None:
    """buildkitd runs a frontend as root whatever its image says; this one
    needs nothing root may do, so it continues as nobody."""
    if os.getuid() != 0:
        return
    try:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    except OSError as error:  # a user namespace without that id mapped
        log.info("continuing as uid %d: %s", os.getuid(), error)


def request_from_environment(environ: Mapping[str, str]) -> BuildRequest:
    """BuildKit passes each option as BUILDKIT_FRONTEND_OPT_<n>=<key>=<value>
    (n is only an index)."""
    options: dict[str, str] = {}
    for name in sorted(environ):
        if name.startswith(OPTION_PREFIX):
            key, _, value = environ[name].partition("=")
            options[key] = value
    return BuildRequest.from_options(options, session_id=environ.get("BUILDKIT_SESSION_ID", ""),
                                     default_platform=_worker_platform(environ))


def _worker_platform(environ: Mapping[str, str]) -> str:
    try:
        platform = json.loads(environ.get("BUILDKIT_WORKERS", "[]"))[0]["platforms"][0]
        variant = platform.get("Variant") or platform.get("variant")
        return "/".join(filter(None, (platform["OS"], platform["Architecture"], variant)))
    except (ValueError, LookupError, TypeError):
        return DEFAULT_PLATFORM


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
    declaration: Future[bytes]
    core_version: Future[str | None]
    # The default base image by platform, resolved and (for a build) loaded
    # as soon as the declaration is read, when its text names no other base
    # (None when it names one).
    default_base: Mapping[str, Future[ResolvedBase | None]]
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
    pool = ThreadPoolExecutor(max_workers=2 + len(request.platforms),
                              thread_name_prefix="early-read")
    declaration = pool.submit(read_declaration, bridge, request)
    early = EarlyReads(
        request=request,
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
                  platform: str) -> ResolvedBase | None:
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
                      platform: str) -> ResolvedBase:
    """The base image's digest and config (and load): the default one's as
    asked for early, or resolved now."""
    call = early.default_base.get(platform)
    resolved = call.result() if call is not None and ref == DEFAULT_BASE_REF else None
    return resolved or resolve_base_image(bridge, ref, platform)


def resolve_base_image(bridge: Bridge, ref: str, platform: str) -> ResolvedBase:
    """The base image's digest and config, or a RequestError when its
    registry does not answer in time."""
    try:
        return ResolvedBase(*bridge.resolve_image(ref, parse_platform(platform),
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
        source = local(
            context,
            session_id=request.session_id,
            include=[request.filename],
            follow_paths=[request.filename],
            shared_key=f"{context}-declaration",
            label=f"load declaration {request.filename}",
        )
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
    name = context.removeprefix("local:")
    source = local(
        name,
        session_id=request.session_id,
        include=["VERSION"],
        shared_key=f"{name}-VERSION",
        label="load MetaCall core's VERSION",
    )
    try:
        ref = bridge.solve(marshal(source), evaluate=True)
        return bridge.read_file(ref, "VERSION").decode().strip() or None
    except grpc.RpcError:
        return None  # a core without VERSION is labelled "unknown"
