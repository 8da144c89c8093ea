"""A gateway run up to the planner: connect to BuildKit, read the options,
and set BuildKit reading what needs no declaration (frontend.gateway.reads),
all before importing the planner. That import is most of a warm build's
start-up, and BuildKit does this work meanwhile instead of after it."""

from __future__ import annotations

import logging
import os
from typing import NoReturn

from frontend.gateway.bridge import Bridge
from frontend.gateway.options import request_from_environment
from frontend.gateway.reads import EarlyReads, start_reads
from frontend.gateway.timing import Clock
from frontend.gateway.transport import StdioRelay
from frontend.request import RequestError

log = logging.getLogger("metacall-frontend")
NOBODY = 65534


def run() -> NoReturn:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    relay = StdioRelay()
    drop_privileges()
    bridge = Bridge(relay.channel())
    clock = Clock()
    try:
        early: EarlyReads | None = start_reads(bridge, request_from_environment(os.environ))
    except RequestError:
        early = None  # handle() reads the options again, to return the error
    from frontend.gateway.handle import handle  # the planner: see the docstring

    clock.mark("planner import")
    code = 0
    try:
        handle(bridge, os.environ, early, clock)
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
