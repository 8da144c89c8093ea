"""Runs inside a copy of the frontend image (bench/gateway_floor.py): a
gateway with no planner. It starts as the frontend does (the same modules,
stand-ins, relay and early reads), then, with FLOOR_STACK=declared, imports
pydantic and PyYAML and validates the declaration with one model; then it
makes the calls a build of ours made (/opt/floor/replay.json, recorded by
capture.py) and returns what that build returned. What is left of a warm
build's time is what any gateway on this stack costs."""

from __future__ import annotations

import base64
import contextlib
import gc
import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontend.gateway.bridge import Bridge

# Only the stdlib above before the stand-ins: as frontend/__main__.py, the
# frontend's modules (and grpc's) are imported after defer_unused_imports.


def validate(text: bytes) -> None:
    import pydantic
    import yaml

    class Declaration(pydantic.BaseModel):
        languages: list[str] = []

    Declaration.model_validate(yaml.safe_load(text) or {})


def replay(bridge: Bridge, calls: list[dict[str, Any]]) -> dict[str, str]:
    """Makes the recorded calls in their order (the image lookups side by
    side, as ours does); the ref each recorded solve returned, mapped to
    this run's."""
    from concurrent.futures import ThreadPoolExecutor

    import grpc

    from frontend.pb import llb_pb2

    refs: dict[str, str] = {}
    lookups = [call for call in calls if call["call"] == "resolve_image"]

    def look_up(call: dict[str, Any]) -> None:
        platform = llb_pb2.Platform.FromString(base64.b64decode(call["platform"]))
        with contextlib.suppress(grpc.RpcError):  # a miss, as ours met
            bridge.resolve_image(call["ref"], platform, timeout=call["timeout"])

    for call in calls:
        if call["call"] == "solve":
            definition = llb_pb2.Definition.FromString(base64.b64decode(call["definition"]))
            refs[call["result"]] = bridge.solve(definition, evaluate=call["evaluate"])
        elif call["call"] == "read_dir":
            bridge.read_dir(refs[call["ref"]], call["path"])
        elif call["call"] == "read_file":
            bridge.read_file(refs[call["ref"]], call["path"], limit=call["limit"])
        elif call is (lookups[0] if lookups else None):
            with ThreadPoolExecutor(max_workers=len(lookups)) as pool:
                list(pool.map(look_up, lookups))
        elif call["call"] == "warn":
            bridge.warn(call["short"], call["detail"])
    return refs


def run() -> None:
    gc.disable()  # as frontend/__main__.py does
    from frontend.gateway.deferred import defer_unused_imports

    defer_unused_imports()
    import logging

    from frontend.gateway.bridge import Bridge
    from frontend.gateway.options import request_from_environment
    from frontend.gateway.reads import start_reads, wait_for
    from frontend.gateway.start import drop_privileges
    from frontend.gateway.transport import StdioRelay

    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    relay = StdioRelay()
    drop_privileges()
    bridge = Bridge(relay.channel())
    early = start_reads(bridge, request_from_environment(os.environ))
    if os.environ.get("FLOOR_STACK") == "declared":
        validate(early.declaration.result())
    with open("/opt/floor/replay.json") as file:
        captured = json.load(file)
    early.capabilities.result()
    early.core_version.result()
    bases = [call.result() for call in early.default_base.values()]
    wait_for([*early.transfers, *(base.load for base in bases if base and base.load)])
    refs = replay(bridge, captured["calls"])
    bridge.return_result({key: refs[ref] for key, ref in captured["refs"].items()},
                         {key: base64.b64decode(value)
                          for key, value in captured["metadata"].items()})
    logging.shutdown()
    os._exit(0)


run()
