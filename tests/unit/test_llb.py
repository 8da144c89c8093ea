"""The LLB library on its own: deterministic definitions, inputs by
digest, the source map, and what a graph mounts."""

from __future__ import annotations

import pytest

from frontend.llb import (
    CacheMount,
    SecretMount,
    State,
    diff,
    image,
    local,
    marshal,
    merge,
    mount_ids,
    op_digest,
    serialize,
)
from frontend.pb import llb_pb2 as pb
from frontend.sourcemap import SourceRange, SourceText

PLATFORM = pb.Platform(OS="linux", Architecture="amd64")


def graph() -> State:
    base = image("docker.io/library/debian:bookworm-slim", platform=PLATFORM)
    built = base.run(["true"], name="step", location=SourceRange(2, 3), mounts=[
        SecretMount(dest="/run/secrets/ca", secret_id="ca"),
        CacheMount(dest="/var/cache/apt", cache_id="apt")])
    return merge([base, diff(base, built, name="changes")], name="merged")


def ops(definition: pb.Definition) -> list[pb.Op]:
    return [pb.Op.FromString(data) for data in getattr(definition, "def")]


def test_the_same_graph_gives_the_same_bytes() -> None:
    assert serialize(marshal(graph())) == serialize(marshal(graph()))


def test_inputs_are_the_digests_of_earlier_ops_and_the_last_op_is_the_result() -> None:
    definition = marshal(graph())
    digests = [op_digest(data) for data in getattr(definition, "def")]
    for index, op in enumerate(ops(definition)):
        assert all(i.digest in digests[:index] for i in op.inputs)
    *_, merged, terminal = ops(definition)
    assert merged.WhichOneof("op") == "merge" and len(merged.merge.inputs) == 2
    assert terminal.WhichOneof("op") is None and len(terminal.inputs) == 1
    # The base image is one op, however many states read it.
    assert sum(op.WhichOneof("op") == "source" for op in ops(definition)) == 1


def test_a_step_points_at_its_lines_of_the_declaration() -> None:
    definition = marshal(graph(), SourceText("metacall.yaml", "a\nb\nc\n"))
    (info,) = definition.Source.infos
    assert (info.filename, info.data, info.language) == ("metacall.yaml", b"a\nb\nc\n", "YAML")
    ((digest, located),) = definition.Source.locations.items()
    assert definition.metadata[digest].description["llb.customname"] == "step"
    assert (located.locations[0].ranges[0].start.line,
            located.locations[0].ranges[0].end.line) == (2, 3)


def test_mount_ids_lists_the_secrets_and_caches_steps_use() -> None:
    assert mount_ids(marshal(graph())) == (["ca"], ["apt"])


def test_local_sources_carry_their_filters_and_session() -> None:
    (source, _) = ops(marshal(local("context", session_id="s", include=["a"], exclude=["b"])))
    assert source.source.identifier == "local://context"
    assert source.source.attrs["local.session"] == "s"
    assert source.source.attrs["local.includepattern"] == '["a"]'
    assert source.source.attrs["local.excludepatterns"] == '["b"]'


def test_scratch_is_no_definition() -> None:
    with pytest.raises(ValueError, match="scratch"):
        marshal(State())
