"""Prebuilt layers: the `layer` target labels a layer with its key; a build
naming a repository takes the published layers whose key is its own, pinned
by digest, and builds the others, saying which once."""

from __future__ import annotations

import json

import grpc
import pytest

from frontend.compile import (
    BuildFacts,
    compile_declaration,
    list_layers,
    parse,
    prebuilt_candidates,
)
from frontend.declaration import DeclarationError
from frontend.gateway.handle import handle
from frontend.llb.definition import op_digest
from frontend.pb import llb_pb2
from frontend.publish import core_version, publish_commands
from frontend.references import DEFAULT_PREBUILT
from frontend.request import BuildRequest, RequestError
from tests.conftest import ROOT
from tests.unit.fake_bridge import DECLARATION, FakeBridge, options

REPOSITORY = "127.0.0.1:5000/metacall/layers"
LAYERS = ["core-libraries", "openssl-libraries", "py-libraries", "node-libraries", "py-files",
          "node-files", "cli-node"]


def build(bridge: FakeBridge, session: str, **values: str) -> tuple[str, object]:
    handle(bridge, {"BUILDKIT_SESSION_ID": session,  # type: ignore[arg-type]
                           **options(**values)})
    assert len(bridge.returned) == 1
    return bridge.returned[0]


def published_config(name: str, session: str, declaration: bytes = DECLARATION) -> dict:
    """The image config `--target layer` returns for one layer."""
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    kind, metadata = build(bridge, session, target="layer",
                           **{"build-arg:METACALL_LAYER": name})
    assert kind == "result" and isinstance(metadata, dict), metadata
    return json.loads(metadata["containerimage.config"])


def image_sources(bridge: FakeBridge) -> list[str]:
    return [op.source.identifier for d in bridge.solved for data in getattr(d, "def")
            if (op := llb_pb2.Op.FromString(data)).source.identifier.startswith("docker-image")]


def test_the_runtime_layers_have_names_in_the_order_they_merge() -> None:
    parsed = parse(DECLARATION.decode())
    assert list_layers(parsed, BuildFacts()) == LAYERS


def test_a_layers_key_is_the_same_in_every_session_and_changes_with_its_inputs() -> None:
    first = published_config("py-files", "session-1")["config"]["Labels"]
    again = published_config("py-files", "session-2")["config"]["Labels"]
    assert first["io.metacall.layer"] == "py-files"
    assert first["io.metacall.layer.key"] == again["io.metacall.layer.key"]
    assert first["io.metacall.layer.key"].startswith("sha256:")
    debug = published_config("py-files", "session-1",
                             DECLARATION + b"core:\n  build-type: debug\n")["config"]["Labels"]
    assert debug["io.metacall.layer.key"] != first["io.metacall.layer.key"]
    node = published_config("node-files", "session-1")["config"]["Labels"]
    assert node["io.metacall.layer.key"] != first["io.metacall.layer.key"]


def test_published_layers_are_taken_pinned_and_the_rest_built_with_one_warning() -> None:
    published = {f"{REPOSITORY}:v0.9.22-{name}": published_config(name, "publisher")
                 for name in ("py-libraries", "py-files")}
    # A stale layer: built from other inputs, so its key differs.
    published[f"{REPOSITORY}:v0.9.22-node-files"] = published_config(
        "node-files", "publisher", DECLARATION + b"core:\n  build-type: debug\n")
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}}, images=published)
    kind, _ = build(bridge, "consumer", target="cli",
                    **{"build-arg:METACALL_PREBUILT": REPOSITORY})
    assert kind == "result"
    pinned = f"@sha256:{'ab' * 32}"
    sources = image_sources(bridge)
    for name in ("py-libraries", "py-files"):
        assert f"docker-image://{REPOSITORY}:v0.9.22-{name}{pinned}" in sources
    assert not any("node-files" in source for source in sources)
    assert bridge.warnings == [f"5 of 7 prebuilt layers are not in {REPOSITORY}: "
                               "building them from source"]


def test_a_build_that_names_nothing_takes_the_default_repositorys_layers() -> None:
    published = {f"{DEFAULT_PREBUILT}:v0.9.22-{name}": published_config(name, "publisher")
                 for name in LAYERS}
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}}, images=published)
    assert build(bridge, "consumer", target="cli")[0] == "result"
    sources = image_sources(bridge)
    for name in LAYERS:
        assert f"docker-image://{DEFAULT_PREBUILT}:v0.9.22-{name}@sha256:{'ab' * 32}" in sources
    assert bridge.warnings == []


@pytest.mark.parametrize("off", [
    {"build-arg:METACALL_PREBUILT": "none"},
    {"dockerfile": DECLARATION + b"core:\n  prebuilt: none\n"},
])
def test_none_looks_nothing_up(off: dict) -> None:
    declaration = off.pop("dockerfile", DECLARATION)
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    assert build(bridge, "s", target="cli", **off)[0] == "result"
    assert bridge.warnings == []
    assert bridge.resolved == ["docker.io/library/debian:bookworm-slim"]


@pytest.mark.parametrize(("answer", "reason"), [
    (grpc.StatusCode.NOT_FOUND, "no such file"),
    (grpc.StatusCode.DEADLINE_EXCEEDED, "the registry did not answer in 15 s"),
])
def test_a_registry_without_the_layers_builds_from_source_saying_why(
        answer: grpc.StatusCode, reason: str) -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}}, registry_answer=answer)
    assert build(bridge, "s", target="cli")[0] == "result"
    details = bridge.warning_details
    assert len(details) == 1
    assert details[0][0] == f"core-libraries (linux/amd64): {reason}"
    assert details[0][-1] == ("`core.prebuilt: none` (or --build-arg METACALL_PREBUILT=none) "
                              "builds from source without looking")


def test_the_declaration_names_the_repository_and_both_are_checked() -> None:
    parsed = parse(f"languages: [py]\ncore:\n  prebuilt: {REPOSITORY}\n")
    repository, candidates = prebuilt_candidates(parsed, BuildRequest(target="runtime"),
                                                 BuildFacts())
    assert repository == REPOSITORY
    assert sorted(candidates) == ["core-libraries", "openssl-libraries", "py-files",
                                  "py-libraries"]
    assert candidates["py-files"].ref == f"{REPOSITORY}:v0.9.22-py-files"
    with pytest.raises(DeclarationError, match=r"not an image repository .*, nor `none`"):
        parse("languages: [py]\ncore:\n  prebuilt: registry/layers:latest\n")
    with pytest.raises(RequestError, match="METACALL_PREBUILT is `Bad Repo`"):
        prebuilt_candidates(parsed, BuildRequest.from_options(
            {"build-arg:METACALL_PREBUILT": "Bad Repo"}), BuildFacts())


@pytest.mark.parametrize(("layer", "message"), [
    ("", "needs the build arg METACALL_LAYER, one of: core-libraries, openssl-libraries, "
     "py-libraries"),
    ("rb-files", "builds one of: core-libraries"),
])
def test_the_layer_target_needs_a_layer_of_this_declaration(layer: str, message: str) -> None:
    parsed = parse("languages: [py]\n")
    request = BuildRequest(target="layer", build_args={"METACALL_LAYER": layer})
    with pytest.raises(DeclarationError, match=message):
        compile_declaration(parsed, request)


def test_publish_builds_each_layer_and_tags_it_with_cores_version(tmp_path) -> None:
    (tmp_path / "VERSION").write_text("0.9.22\n")
    args = ["--build-context", f"metacall-core={tmp_path}", "--secret", "id=x"]
    assert core_version(args, "v0.9.0") == "0.9.22"
    assert core_version([f"--build-context=metacall-core={tmp_path}"], "v0.9.0") == "0.9.22"
    assert core_version([], "v0.9.0") == "v0.9.0"
    commands = publish_commands(tmp_path / "metacall.yaml", tmp_path, REPOSITORY, "0.9.22",
                                ["py-files"], args)
    assert commands == [[
        "docker", "buildx", "build", "-f", str(tmp_path / "metacall.yaml"), "--target", "layer",
        "--build-arg", "METACALL_LAYER=py-files", *args,
        "--output", f"type=image,name={REPOSITORY}:0.9.22-py-files,push=true", str(tmp_path)]]


def test_without_merge_diff_published_layers_are_copied_in() -> None:
    parsed = parse("languages: [py]\n")
    ref = f"{REPOSITORY}:v0.9.22-py-files@sha256:{'cd' * 32}"
    compiled = compile_declaration(parsed, BuildRequest(target="runtime"), BuildFacts(
        merge_diff=False, prebuilt={"py-files": ref}))
    data = list(getattr(compiled.definition, "def"))
    ops = {op_digest(raw): llb_pb2.Op.FromString(raw) for raw in data}
    assert not any(op.WhichOneof("op") in ("merge", "diff") for op in ops.values())
    (published,) = [digest for digest, op in ops.items()
                    if op.source.identifier == f"docker-image://{ref}"]
    copies = [op for op in ops.values() if op.WhichOneof("op") == "file"
              and any(i.digest == published for i in op.inputs)]
    assert [action.WhichOneof("action") for op in copies for action in op.file.actions] == ["copy"]


def test_the_workflow_publishes_where_builds_look_by_default() -> None:
    """What .github/workflows/frontend-image.yml publishes: the default
    repository, from core's git tag (no metacall-core context)."""
    workflow = (ROOT / ".github" / "workflows" / "frontend-image.yml").read_text()
    assert f"LAYERS: {DEFAULT_PREBUILT}\n" in workflow
    assert "metacall-core=" not in workflow
    published = parse((ROOT / ".github" / "prebuilt" / "metacall.yaml").read_text())
    assert list_layers(published, BuildFacts()) == [
        "core-libraries", "openssl-libraries",
        *(f"{tag}-libraries" for tag in ("py", "node", "rb", "ts")),
        *(f"{tag}-files" for tag in ("py", "node", "rb", "ts")), "cli-node"]
