"""Runs inside a copy of the frontend image (bench/gateway_floor.py): the
frontend's gateway run as it is, each bridge call it makes after its early
reads recorded, and at its Return the calls and the result written to
stderr (which Docker's engine logs), base64 JSON in lines of LINE chars."""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from frontend.__main__ import main
from frontend.gateway.bridge import Bridge

PREFIX, LINE = "floor-capture:", 4000
calls: list[dict[str, Any]] = []


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _record(name: str, arguments: Callable[..., dict[str, Any]]) -> None:
    original = getattr(Bridge, name)

    def recorded(self: Bridge, *args: Any, **kwargs: Any) -> Any:
        call = {"call": name, **arguments(*args, **kwargs)}
        # The early reads are the floor's own (it starts them as ours does).
        if not threading.current_thread().name.startswith("early-read"):
            calls.append(call)
        result = original(self, *args, **kwargs)
        call["result"] = result if isinstance(result, str) else None
        return result

    setattr(Bridge, name, recorded)


def _return_result(self: Bridge, refs: Mapping[str, str], metadata: Mapping[str, bytes],
                   attestations: Any = None) -> None:
    captured = json.dumps({"calls": calls, "refs": dict(refs),
                           "metadata": {key: _b64(value) for key, value in metadata.items()}})
    text = _b64(captured.encode())
    for start in range(0, len(text), LINE):
        sys.stderr.write(f"{PREFIX} {text[start:start + LINE]}\n")
    sys.stderr.write(f"{PREFIX} end\n")
    sys.stderr.flush()
    original_return(self, refs, metadata, attestations)


_record("solve", lambda definition, evaluate=False, cache_imports=(): {
    "definition": _b64(definition.SerializeToString()), "evaluate": evaluate})
_record("read_file", lambda ref, path, limit=0: {"ref": ref, "path": path, "limit": limit})
_record("read_dir", lambda ref, path: {"ref": ref, "path": path})
_record("resolve_image", lambda ref, platform, timeout=None: {
    "ref": ref, "platform": _b64(platform.SerializeToString()), "timeout": timeout})
_record("warn", lambda short, detail, digest="": {"short": short, "detail": detail})
original_return = Bridge.return_result
Bridge.return_result = _return_result  # type: ignore[method-assign]
sys.argv = sys.argv[:1]
main()
