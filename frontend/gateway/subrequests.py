"""Answers BuildKit subrequests (`docker buildx build --print=…`)."""

from __future__ import annotations

import json

from frontend.plan.targets import DEFAULT_TARGET, TARGETS

VERSION = b"1.0.0"
DESCRIBE = "frontend.subrequests.describe"
LIST_TARGETS = "frontend.targets"
SUPPORTED = {
    DESCRIBE: "List available subrequest types",
    LIST_TARGETS: "List all targets current build supports",
}


def answer(request_id: str) -> dict[str, bytes] | None:
    """The Return metadata for a subrequest, or None when it is not supported."""
    if request_id == LIST_TARGETS:
        targets = [
            {"name": name, "description": text, **({"default": True}
             if name == DEFAULT_TARGET else {})}
            for name, text in TARGETS.items()
        ]
        width = max(len(name) for name in TARGETS) + 2
        text = "TARGET".ljust(width) + "DESCRIPTION\n" + "".join(
            (f"{name} (default)" if name == DEFAULT_TARGET else name).ljust(width + 10)
            + f"{description}\n"
            for name, description in TARGETS.items()
        )
        return _result({"targets": targets, "sources": []}, text)
    if request_id == DESCRIBE:
        requests = [
            {"name": name, "version": VERSION.decode(), "type": "rpc", "description": text,
             "metadata": [{"name": "result.json"}, {"name": "result.txt"}]}
            for name, text in SUPPORTED.items()
        ]
        text = "".join(f"{name.removeprefix('frontend.')}\t{text}\n"
                       for name, text in SUPPORTED.items())
        return _result(requests, text)
    return None


def _result(value: object, text: str) -> dict[str, bytes]:
    return {
        "result.json": json.dumps(value, indent=2).encode(),
        "result.txt": text.encode(),
        "version": VERSION,
    }
