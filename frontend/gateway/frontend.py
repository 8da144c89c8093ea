"""The frontend's run inside buildkitd: options in, one Return out."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import grpc

from frontend.compile import (
    CORE_CONTEXT,
    BuildRequest,
    Compiled,
    base_image_ref,
    compile_declaration,
    parse_platform,
)
from frontend.declaration import DeclarationError
from frontend.gateway import subrequests
from frontend.gateway.bridge import Bridge
from frontend.gateway.errors import declaration_status, plain_status
from frontend.gateway.transport import StdioRelay
from frontend.llb import local, marshal
from frontend.plan.app import ContextFiles, context_patterns

log = logging.getLogger("metacall-frontend")
OPTION_PREFIX = "BUILDKIT_FRONTEND_OPT_"
MERGE_DIFF_CAPS = ("mergeop", "diffop")


class FrontendError(Exception):
    """A problem with the build request (not the declaration) to show the user."""


@dataclass(frozen=True)
class FrontendOptions:
    values: Mapping[str, str]
    session_id: str
    default_platform: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> FrontendOptions:
        values: dict[str, str] = {}
        for name in sorted(environ):
            if name.startswith(OPTION_PREFIX):
                key, _, value = environ[name].partition("=")
                values[key] = value
        return cls(values, environ.get("BUILDKIT_SESSION_ID", ""), _worker_platform(environ))

    @property
    def filename(self) -> str:
        return self.values.get("filename") or "metacall.yaml"

    def build_request(self) -> BuildRequest:
        platforms = [p for p in self.values.get("platform", "").split(",") if p]
        if len(platforms) > 1:
            raise FrontendError("building several platforms at once is not supported yet")
        contexts = {
            key.removeprefix("context:"): value
            for key, value in self.values.items()
            if key.startswith("context:")
        }
        return BuildRequest(
            filename=self.filename,
            target=self.values.get("target") or None,
            context_name=self.values.get("contextkey") or "context",
            # buildx sends no-cache (empty: every stage); there are no stages here.
            no_cache="no-cache" in self.values,
            platform=platforms[0] if platforms else self.default_platform,
            session_id=self.session_id,
            contexts=contexts,
        )


def _worker_platform(environ: Mapping[str, str]) -> str:
    try:
        platform = json.loads(environ.get("BUILDKIT_WORKERS", "[]"))[0]["platforms"][0]
        return f"{platform['OS']}/{platform['Architecture']}"
    except (ValueError, LookupError, TypeError):
        return "linux/amd64"


def read_declaration(bridge: Bridge, options: FrontendOptions) -> str:
    name = options.values.get("dockerfilekey") or "dockerfile"
    source = local(
        name,
        session_id=options.session_id,
        include=[options.filename],
        follow_paths=[options.filename],
        label=f"load declaration {options.filename}",
    )
    ref = bridge.solve(marshal(source), evaluate=True)
    return bridge.read_file(ref, options.filename).decode()


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


def build(bridge: Bridge, options: FrontendOptions) -> None:
    text = ""
    try:
        caps = bridge.ping()
        disabled = {cap: reason for cap in MERGE_DIFF_CAPS if (reason := caps.disabled(cap))}
        request_id = options.values.get("requestid")
        if request_id:
            metadata = subrequests.answer(request_id)
            if metadata is None:
                raise FrontendError(f"unsupported subrequest `{request_id}`")
            bridge.return_metadata(metadata)
            return
        request = options.build_request()
        # Independent round trips to BuildKit: one at a time they add up in
        # every warm rebuild. Only the base image's config needs the text.
        with ThreadPoolExecutor(max_workers=3) as pool:
            core_version_call = pool.submit(read_core_version, bridge, request)
            context_files_call = pool.submit(scan_context, bridge, request)
            text = read_declaration(bridge, options)
            base_config = bridge.resolve_image_config(
                base_image_ref(text), parse_platform(request.platform))
            core_version = core_version_call.result()
            context_files = context_files_call.result()
        if disabled:
            bridge.warn(
                "MergeOp/DiffOp are unavailable: composing the image with copies instead",
                [f"{cap}: {reason}" for cap, reason in disabled.items()]
                + ["Layers are then not shared between languages or images; Docker's "
                   "containerd image store enables MergeOp/DiffOp."],
            )
        compiled = compile_declaration(
            text,
            replace(request, base_config=base_config, merge_diff=not disabled,
                    core_version=core_version, context_files=context_files),
        )
        ref = solve_with_checks(bridge, compiled)
        bridge.return_result(
            ref, {"containerimage.config": json.dumps(compiled.config).encode()}
        )
    except DeclarationError as error:
        bridge.return_error(declaration_status(error, options.filename, text))
    except FrontendError as error:
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
    bridge = Bridge(relay.channel())
    build(bridge, FrontendOptions.from_environment(os.environ))
    return 0
