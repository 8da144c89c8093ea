"""What a run reads before its declaration is parsed, and what it loads
before its solve: the same ops the build loads, each once."""

from __future__ import annotations

import json

import grpc
import pytest

from frontend.pb import llb_pb2, status_pb2
from frontend.references import DEFAULT_PREBUILT
from tests.unit.fake_bridge import DECLARATION, FakeBridge, run, source_ops


def test_core_plthook_and_the_base_image_load_before_the_solve() -> None:
    """As the same ops the result loads, so BuildKit loads each once; core
    without a checkout's history and build tree; other contexts only when
    a step reads them."""
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    assert run(bridge, **{"context:metacall-core": "local:core", "context:plthook": "local:ph",
                          "context:tinycc": "local:tcc"})[0] == "result"
    transferred = {digest: op for definition in bridge.loaded_in_background
                   for digest, op in source_ops(definition).items()}
    assert sorted(op.identifier for op in transferred.values()) == [
        f"docker-image://docker.io/library/debian:bookworm-slim@sha256:{'cd' * 32}",
        "local://core", "local://ph"]
    assert transferred.items() <= source_ops(bridge.solved[-1]).items()
    [core] = [op for op in transferred.values() if op.identifier == "local://core"]
    excluded = json.loads(core.attrs["local.excludepatterns"])
    assert excluded[:3] == [".git", "build", "source/tests/*"]
    assert "!source/tests/CMakeLists.txt" in excluded


def test_core_tests_load_all_of_cores_source_under_a_key_of_their_own() -> None:
    declaration = DECLARATION + b"core:\n  tests: true\n"
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    assert run(bridge, **{"context:metacall-core": "local:core"})[0] == "result"
    [core] = [op for op in source_ops(bridge.solved[-1]).values()
              if op.identifier == "local://core"]
    assert json.loads(core.attrs["local.excludepatterns"]) == [".git", "build"]
    assert core.attrs["local.sharedkeyhint"] == "core-with-tests"


@pytest.mark.parametrize("declaration", [DECLARATION, DECLARATION + b"base-image: ubuntu:24.04\n"])
def test_the_base_image_is_loaded_once_before_the_solve_as_the_solve_loads_it(
    declaration: bytes,
) -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    assert run(bridge)[0] == "result"
    loaded = [op.identifier for definition in bridge.loaded_in_background
              for op in source_ops(definition).values()]
    [base] = [identifier for identifier in loaded if identifier.startswith("docker-image://")]
    assert base in {op.identifier for op in source_ops(bridge.solved[-1]).values()}


def test_the_base_image_is_pinned_to_the_digest_its_config_came_with() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    assert run(bridge)[0] == "result"
    images = {op.identifier for op in source_ops(bridge.solved[-1]).values()
              if op.identifier.startswith("docker-image://")}
    assert images == {f"docker-image://docker.io/library/debian:bookworm-slim@sha256:{'cd' * 32}"}
    metadata = bridge.returned[0][1]
    assert isinstance(metadata, dict)
    labels = json.loads(metadata["containerimage.config"])["config"]["Labels"]
    assert labels["org.opencontainers.image.base.digest"] == f"sha256:{'cd' * 32}"


@pytest.mark.parametrize(("declaration", "resolved"), [
    (DECLARATION, "docker.io/library/debian:bookworm-slim"),
    (DECLARATION + b"base-image: ubuntu:24.04\n", "docker.io/library/ubuntu:24.04"),
    (DECLARATION + b"base_image: debian:bookworm-slim\n", "docker.io/library/debian:bookworm-slim"),
])
def test_the_base_image_is_resolved_once(declaration: bytes, resolved: str) -> None:
    """The default one as soon as the declaration is read, when its text
    names no base; another once the declaration is parsed."""
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    assert run(bridge)[0] == "result"
    assert [ref for ref in bridge.resolved if not ref.startswith(DEFAULT_PREBUILT)] == [resolved]


def test_subrequests_transfer_nothing() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    run(bridge, requestid="frontend.outline", **{"context:metacall-core": "local:core"})
    assert bridge.loaded_in_background == []


def test_without_a_declaration_file_the_manifests_decide() -> None:
    """buildctl with only `--local context=…`: no declaration context, no file."""
    bridge = FakeBridge({"context": {"api/metacall.json": b'{"language_id": "node", '
                                     b'"scripts": ["index.js"]}', "api/index.js": b""}})
    kind, metadata = run(bridge)
    assert kind == "result" and isinstance(metadata, dict), metadata
    config = json.loads(metadata["containerimage.config"])["config"]
    assert config["Entrypoint"] == ["/usr/local/bin/metacall-app"]
    assert config["Labels"]["io.metacall.languages"] == "node"


def test_a_named_declaration_file_that_is_missing_is_an_error() -> None:
    kind, status = run(FakeBridge({"context": {}}), filename="app.yaml")
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == "metacall frontend: no such file"


class SilentRegistry(FakeBridge):
    def resolve_image(self, ref: str, platform: llb_pb2.Platform, *,
                      timeout: float | None = None) -> tuple[str, dict]:
        assert timeout is not None  # a registry that never answers must not hold the build

        class Deadline(grpc.RpcError):
            def code(self) -> grpc.StatusCode:
                return grpc.StatusCode.DEADLINE_EXCEEDED

        raise Deadline()


def test_a_base_image_registry_that_does_not_answer_is_a_readable_error() -> None:
    kind, status = run(SilentRegistry({"dockerfile": {"metacall.yaml": DECLARATION}}))
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == ("metacall frontend: the registry of the base image "
                              "docker.io/library/debian:bookworm-slim did not answer within 120 s")
