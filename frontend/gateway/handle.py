"""One frontend run inside buildkitd: options in, one Return out. The
route table (frontend.gateway.routes) decides what is read and answered."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import grpc

from frontend.compile import DeclarationError
from frontend.gateway.bridge import Bridge
from frontend.gateway.errors import declaration_status, plain_status, rpc_status
from frontend.gateway.inputs import Inputs, Needs, gather
from frontend.gateway.options import request_from_environment
from frontend.gateway.reads import EarlyReads, start_reads
from frontend.gateway.routes import ROUTES, Route
from frontend.gateway.timing import Clock
from frontend.request import BuildRequest, RequestError

log = logging.getLogger("metacall-frontend")


def handle(bridge: Bridge, environ: Mapping[str, str], early: EarlyReads | None = None,
           clock: Clock | None = None) -> None:
    """A build, or the answer to a subrequest. `early`: the reads start()
    began (else they begin here); `clock`: the one start() began."""
    clock = clock or Clock()
    try:
        request = early.request if early else request_from_environment(environ)
        route = find_route(request)
        if route.needs is Needs.NOTHING:
            answer(bridge, route, Inputs(request), clock)
            return
        early = early or start_reads(bridge, request)
        inputs = gather(bridge, early, route.needs, with_texts=route.reads_texts)
        clock.mark("inputs")
        answer(bridge, route, inputs, clock)
        log.info("timings: %s", clock.summary())
    except DeclarationError as error:
        filename = early.request.filename if early else ""
        bridge.return_error(declaration_status(error, filename, _declaration_text(early)))
    except RequestError as error:
        bridge.return_error(plain_status(f"metacall frontend: {error}"))
    except grpc.RpcError as error:
        # BuildKit's own error (a step that failed, with its source line)
        # goes back as it came; others get a word of context.
        bridge.return_error(rpc_status(error) or plain_status(
            f"metacall frontend: {error.details()}"))
    except Exception as error:  # the user must see it, not a bare exit code
        log.exception("unexpected failure")
        bridge.return_error(
            plain_status(f"metacall frontend failed: {type(error).__name__}: {error}"))


def find_route(request: BuildRequest) -> Route:
    route = ROUTES.get(request.request_id)
    if route is None:
        raise RequestError(f"unsupported subrequest `{request.request_id}`")
    return route


def answer(bridge: Bridge, route: Route, inputs: Inputs, clock: Clock) -> None:
    report = route.answer(bridge, inputs, clock)
    if report is not None:
        bridge.return_metadata(report.metadata(route.version))


def _declaration_text(early: EarlyReads | None) -> str:
    """The declaration an error points into, when it was read."""
    if early is None or not early.declaration.done() or early.declaration.exception():
        return ""
    return early.declaration.result().decode(errors="replace")
