"""The route table: subrequests answered, every failure one Return with a
readable status."""

from __future__ import annotations

import json

import grpc
import pytest

from frontend.gateway import routes, solve
from frontend.gateway.errors import SOURCE_TYPE_URL, UNKNOWN
from frontend.pb import errdefs_pb2, status_pb2
from tests.unit.fake_bridge import DECLARATION, MANIFEST, FakeBridge, run


def test_targets_subrequest_marks_the_default_for_this_context() -> None:
    runtime = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    kind, metadata = run(runtime, requestid="frontend.targets")
    assert kind == "metadata" and isinstance(metadata, dict)
    listed = json.loads(metadata["result.json"])["targets"]
    assert [t["name"] for t in listed] == ["deps", "dev", "runtime", "cli", "app", "layer"]
    assert [t["name"] for t in listed if t.get("default")] == ["runtime"]
    assert b"runtime (default)" in metadata["result.txt"]
    app = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION},
                      "context": {"metacall-py.json": MANIFEST}})
    _, metadata = run(app, requestid="frontend.targets")
    assert isinstance(metadata, dict)
    listed = json.loads(metadata["result.json"])["targets"]
    assert [t["name"] for t in listed if t.get("default")] == ["app"]


def test_describe_lists_the_subrequests() -> None:
    kind, metadata = run(FakeBridge({}), requestid="frontend.subrequests.describe")
    assert kind == "metadata" and isinstance(metadata, dict)
    names = [entry["name"] for entry in json.loads(metadata["result.json"])]
    assert names == ["frontend.subrequests.describe", "frontend.targets", "frontend.outline",
                     "frontend.lint"]


def test_a_declaration_error_carries_its_file_line_and_text() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION + b"langauges: [rb]\n"}})
    kind, status = run(bridge)
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.code == UNKNOWN
    assert status.message.startswith("metacall.yaml: unknown key `langauges`")
    (detail,) = status.details
    assert detail.type_url == SOURCE_TYPE_URL
    source = errdefs_pb2.Source.FromString(detail.value)
    assert (source.info.filename, source.ranges[0].start.line) == ("metacall.yaml", 3)
    assert source.info.data == DECLARATION + b"langauges: [rb]\n"


@pytest.mark.parametrize(("values", "message"), [
    ({"requestid": "frontend.convertllb"}, "metacall frontend: unsupported subrequest "
                                           "`frontend.convertllb`"),
    ({"build-arg:SOURCE_DATE_EPOCH": "x"}, "metacall frontend: SOURCE_DATE_EPOCH is `x`"),
    ({"filename": "missing.yaml"}, "metacall frontend: no such file"),
    ({"context:metacall-core": "ftp://core"}, "metacall frontend: build context "
                                              "`metacall-core=ftp://core` is not local:"),
])
def test_request_failures_are_one_readable_status(values: dict, message: str) -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    kind, status = run(bridge, **values)
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.code == UNKNOWN and status.message.startswith(message), status.message
    assert not status.details


def test_an_unexpected_exception_is_one_line_not_a_traceback(monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(solve, "compile_declaration", broken)
    kind, status = run(FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}}))
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == "metacall frontend failed: KeyError: 'boom'"


def test_the_context_is_scanned_in_every_folder_and_scripts_are_checked() -> None:
    bridge = FakeBridge({
        "dockerfile": {"metacall.yaml": b"# syntax=metacall/frontend\n"},
        "context": {"svc/metacall.json": b'{"language_id": "py", "scripts": ["main.py"]}'},
    })
    kind, status = run(bridge)
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == ("svc/metacall.json: names `svc/main.py`, which is not in the "
                              "build context")
    (detail,) = status.details
    assert errdefs_pb2.Source.FromString(detail.value).info.filename == "svc/metacall.json"


def test_bad_cache_imports_are_a_readable_error() -> None:
    kind, status = run(FakeBridge({}), **{"cache-imports": "{not json"})
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message.startswith("metacall frontend: the cache-imports option is not")


def test_a_failed_step_goes_back_with_buildkits_own_status(monkeypatch) -> None:
    """buildx prints a failed step (its output, its line) from the details
    BuildKit attached: they go back unchanged."""
    original = status_pb2.Status(code=UNKNOWN, message='process "/bin/sh x" did not complete')
    original.details.add(type_url="github.com/moby/buildkit/solver/errdefs.Solve", value=b"v")

    class StepFailure(grpc.RpcError):
        def details(self) -> str:
            return original.message

        def trailing_metadata(self) -> tuple:
            return (("grpc-status-details-bin", original.SerializeToString()),)

    def failing(*args: object) -> None:
        raise StepFailure()

    monkeypatch.setattr(routes, "solve_platforms", failing)
    kind, status = run(FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}}))
    assert kind == "error" and status == original
