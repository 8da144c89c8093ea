"""Answers BuildKit subrequests (`docker buildx build --print=…`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from frontend.compile import TargetInfo

VERSION = b"1.0.0"
DESCRIBE = "frontend.subrequests.describe"
LIST_TARGETS = "frontend.targets"
OUTLINE = "frontend.outline"
LINT = "frontend.lint"
SUPPORTED = {
    DESCRIBE: "List available subrequest types",
    LIST_TARGETS: "List all targets current build supports",
    OUTLINE: "List the build's inputs: languages, contexts, secrets, manifests, build args",
    LINT: "Check the declaration and the app for likely mistakes",
}
# Newer than buildx's own outline printer (1.0.0), so buildx prints our
# result.txt, which shows the MetaCall inputs its printer has no table for.
OUTLINE_VERSION = b"1.1.0"


def targets(listed: Sequence[TargetInfo]) -> dict[str, bytes]:
    """The targets, marking the one this build would choose by default."""
    value = [{"name": t.name, "description": t.description, **({"default": True}
              if t.default else {})} for t in listed]
    labels = [f"{t.name} (default)" if t.default else t.name for t in listed]
    width = max(len(label) for label in labels) + 2
    text = "TARGET".ljust(width) + "DESCRIPTION\n" + "".join(
        label.ljust(width) + f"{t.description}\n" for label, t in zip(labels, listed, strict=True)
    )
    return _result({"targets": value, "sources": []}, text)


def outline(result: object, text: str) -> dict[str, bytes]:
    return {**_result(result, text), "version": OUTLINE_VERSION}


def lint(result: object, text: str, status: int) -> dict[str, bytes]:
    """`result.statuscode` becomes buildx's exit code (0.14 and later)."""
    return {**_result(result, text), "result.statuscode": str(status).encode()}


def describe() -> dict[str, bytes]:
    requests = [
        {"name": name, "version": (OUTLINE_VERSION if name == OUTLINE else VERSION).decode(),
         "type": "rpc", "description": text,
         "metadata": [{"name": "result.json"}, {"name": "result.txt"},
                      *([{"name": "result.statuscode"}] if name == LINT else [])]}
        for name, text in SUPPORTED.items()
    ]
    text = "".join(f"{name.removeprefix('frontend.')}\t{text}\n"
                   for name, text in SUPPORTED.items())
    return _result(requests, text)


def _result(value: object, text: str) -> dict[str, bytes]:
    return {
        "result.json": json.dumps(value, indent=2).encode(),
        "result.txt": text.encode(),
        "version": VERSION,
    }
