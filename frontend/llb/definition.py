"""Marshals a state graph into a BuildKit `Definition`, deterministically:
the same graph always gives byte-identical output and the same digests; and
reads one back (its ops and step names) for the views of it."""

from __future__ import annotations

import hashlib

from frontend.llb.state import Node, State
from frontend.pb import llb_pb2 as pb
from frontend.sourcemap import SourceRange, SourceText


def op_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def marshal(
    root: State, source: SourceText | None = None, *, ignore_cache: bool = False
) -> pb.Definition:
    """`source`: the declaration the graph came from, so errors can quote
    it; `ignore_cache` re-runs every op (`docker buildx build --no-cache`)."""
    if root.is_scratch:
        raise ValueError("cannot marshal an empty (scratch) state")
    definition = pb.Definition()
    digests: dict[int, str] = {}

    def visit(node: Node) -> str:
        known = digests.get(id(node))
        if known is not None:
            return known
        op = pb.Op()
        op.CopyFrom(node.op)
        for state in node.inputs:
            assert state.node is not None  # scratch never becomes an input
            op.inputs.append(pb.Input(digest=visit(state.node), index=state.index))
        data = op.SerializeToString(deterministic=True)
        digest = op_digest(data)
        digests[id(node)] = digest
        if digest in definition.metadata:
            return digest  # an identical op built twice: BuildKit needs it once
        getattr(definition, "def").append(data)
        meta = definition.metadata[digest]
        meta.description["llb.customname"] = node.name
        meta.ignore_cache = ignore_cache
        if source is not None and node.location is not None:
            _locate(definition, digest, node.location)
        return digest

    assert root.node is not None
    top = visit(root.node)
    # BuildKit reads the last op, which has no body and one input, as the result.
    terminal = pb.Op(inputs=[pb.Input(digest=top, index=root.index)])
    getattr(definition, "def").append(terminal.SerializeToString(deterministic=True))
    if source is not None:
        definition.Source.infos.append(
            pb.SourceInfo(filename=source.filename, data=source.text.encode(),
                          language=source.language)
        )
    return definition


def _locate(definition: pb.Definition, digest: str, where: SourceRange) -> None:
    definition.Source.locations[digest].locations.append(
        pb.Location(
            sourceIndex=0,
            ranges=[
                pb.Range(
                    start=pb.Position(line=where.start_line),
                    end=pb.Position(line=where.end_line),
                )
            ],
        )
    )


def serialize(definition: pb.Definition) -> bytes:
    return definition.SerializeToString(deterministic=True)


def read_ops(definition: pb.Definition) -> list[tuple[str, pb.Op]]:
    """Each op with its digest, in the definition's order: the steps, then
    the terminal op whose one input is the result."""
    ops = []
    for data in getattr(definition, "def"):
        op = pb.Op()
        op.ParseFromString(data)
        ops.append((op_digest(data), op))
    return ops


def step_name(definition: pb.Definition, digest: str) -> str:
    """The name BuildKit's progress shows for a step (`llb.customname`)."""
    return definition.metadata[digest].description.get("llb.customname", "") or digest[:19]
