"""The frontend's run inside buildkitd: options in, one Return out."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import grpc

from frontend.compile import (
    BuildFacts,
    Compiled,
    ContextFiles,
    base_image_ref,
    compile_declaration,
    context_patterns,
    list_targets,
    parse,
)
from frontend.declaration import DeclarationError
from frontend.gateway import subrequests
from frontend.gateway.bridge import Bridge
from frontend.gateway.errors import declaration_status, plain_status
from frontend.gateway.transport import StdioRelay
from frontend.llb import local, marshal
from frontend.request import DEFAULT_PLATFORM, BuildRequest, RequestError
from frontend.sources import CORE_CONTEXT, parse_platform

log = logging.getLogger("metacall-frontend")
OPTION_PREFIX = "BUILDKIT_FRONTEND_OPT_"
MERGE_DIFF_CAPS = ("mergeop", "diffop")


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
        return f"{platform['OS']}/{platform['Architecture']}"
    except (ValueError, LookupError, TypeError):
        return DEFAULT_PLATFORM


def read_declaration(bridge: Bridge, request: BuildRequest) -> str:
    source = local(
        request.declaration_context,
        session_id=request.session_id,
        include=[request.filename],
        follow_paths=[request.filename],
        label=f"load declaration {request.filename}",
    )
    ref = bridge.solve(marshal(source), evaluate=True)
    return bridge.read_file(ref, request.filename).decode()


def scan_context(bridge: Bridge, request: BuildRequest) -> ContextFiles:
    """The manifests and dependency files at the context's root (only those
    are transferred here; the app's files are read by the build itself)."""
    source = local(
        request.context_name,
        session_id=request.session_id,
        include=context_patterns(),
        label="load the app's manifests",
    )
    ref = bridge.solve(marshal(source), evaluate=True)
    names = frozenset(entry.path for entry in bridge.read_dir(ref, "/"))
    manifests = {name: bridge.read_file(ref, name)
                 for name in names if ContextFiles.is_manifest(name)}
    return ContextFiles(names, manifests)


def read_core_version(bridge: Bridge, request: BuildRequest) -> str | None:
    """core's VERSION file, when its source is a local context."""
    context = request.contexts.get(CORE_CONTEXT, "")
    if not context.startswith("local:"):
        return None
    source = local(
        context.removeprefix("local:"),
        session_id=request.session_id,
        include=["VERSION"],
        label="load MetaCall core's VERSION",
    )
    try:
        ref = bridge.solve(marshal(source), evaluate=True)
        return bridge.read_file(ref, "VERSION").decode().strip() or None
    except grpc.RpcError:
        return None  # a core without VERSION is labelled "unknown"


def solve_with_checks(bridge: Bridge, compiled: Compiled) -> str:
    """Solves the result and its checks side by side; a failing check fails
    the build. With checks the result is evaluated too, so it is built while
    they run rather than after them, at export."""
    if not compiled.checks:
        return bridge.solve(compiled.definition)
    with ThreadPoolExecutor(max_workers=len(compiled.checks)) as pool:
        checks = [pool.submit(bridge.solve, check, evaluate=True) for check in compiled.checks]
        ref = bridge.solve(compiled.definition, evaluate=True)
        for check in checks:
            check.result()
    return ref


def build(bridge: Bridge, environ: Mapping[str, str]) -> None:
    """One frontend run: a build, or the answer to a subrequest."""
    filename, text = "", ""
    try:
        caps = bridge.ping()
        request = request_from_environment(environ)
        filename = request.filename
        if request.request_id and request.request_id not in subrequests.SUPPORTED:
            raise RequestError(f"unsupported subrequest `{request.request_id}`")
        if request.request_id == subrequests.DESCRIBE:
            bridge.return_metadata(subrequests.describe())
            return
        # Independent round trips to BuildKit: one at a time they add up in
        # every warm rebuild.
        with ThreadPoolExecutor(max_workers=2) as pool:
            core_version_call = pool.submit(read_core_version, bridge, request)
            context_files_call = pool.submit(scan_context, bridge, request)
            text = read_declaration(bridge, request)
            parsed = parse(text)
            if request.request_id == subrequests.LIST_TARGETS:
                facts = BuildFacts(context_files=context_files_call.result())
                bridge.return_metadata(subrequests.targets(list_targets(parsed, facts)))
                return
            base_config = bridge.resolve_image_config(
                base_image_ref(parsed), parse_platform(request.platform))
            disabled = {cap: reason for cap in MERGE_DIFF_CAPS if (reason := caps.disabled(cap))}
            facts = BuildFacts(base_config=base_config, merge_diff=not disabled,
                               core_version=core_version_call.result(),
                               context_files=context_files_call.result())
        if disabled:
            bridge.warn(
                "MergeOp/DiffOp are unavailable: composing the image with copies instead",
                [f"{cap}: {reason}" for cap, reason in disabled.items()]
                + ["Layers are then not shared between languages or images; Docker's "
                   "containerd image store enables MergeOp/DiffOp."],
            )
        compiled = compile_declaration(parsed, request, facts)
        ref = solve_with_checks(bridge, compiled)
        bridge.return_result(
            ref, {"containerimage.config": json.dumps(compiled.config).encode()}
        )
    except DeclarationError as error:
        bridge.return_error(declaration_status(error, filename, text))
    except RequestError as error:
        bridge.return_error(plain_status(f"metacall frontend: {error}"))
    except grpc.RpcError as error:
        bridge.return_error(plain_status(f"metacall frontend: {error.details()}"))
    except Exception as error:  # the user must see it, not a bare exit code
        log.exception("unexpected failure")
        bridge.return_error(
            plain_status(f"metacall frontend failed: {type(error).__name__}: {error}")
        )


def run() -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    relay = StdioRelay()
    build(Bridge(relay.channel()), os.environ)
    return 0
