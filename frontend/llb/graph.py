"""A definition as a Graphviz picture (dot text): each step by the name the
progress shows, an edge from each input to the step that reads it, each
tag's steps (`[py] …`, `[core] …`) in a cluster. Deterministic: the same
definition gives the same bytes. `dot -Tsvg` draws it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from frontend.llb.definition import read_ops, step_name
from frontend.pb import llb_pb2 as pb

TAG = re.compile(r"\[([^\]]+)\]")
# Sources are drawn as stores, the two layer operations by their own shapes.
STYLES = {
    "source": 'shape=cylinder, style=filled, fillcolor="#e8e8e8"',
    "exec": "shape=box",
    "file": "shape=note",
    "merge": 'shape=invhouse, style=filled, fillcolor="#fff2cc"',
    "diff": 'shape=invtrapezium, style=filled, fillcolor="#dae8fc"',
}
HEADER = [
    "digraph build {",
    '  graph [fontname="Helvetica", fontsize=12];',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=8, color="#555555"];',
]

Steps = dict[str, pb.Op]
Read = tuple[int, str]  # an input's index and the edge's label


def graph(definition: pb.Definition) -> str:
    ops = read_ops(definition)
    steps = dict(ops[:-1])
    ids = {digest: f"s{number}" for number, digest in enumerate(steps)}
    result = ops[-1][1].inputs[0].digest
    loose: list[str] = []
    clusters: dict[str, list[str]] = {}
    for digest, op in steps.items():
        name = step_name(definition, digest)
        line = _node(ids[digest], name, op, result=digest == result)
        tagged = TAG.match(name)
        (clusters.setdefault(tagged.group(1), []) if tagged else loose).append(line)
    lines = [*HEADER, *loose]
    for tag in sorted(clusters):
        lines += [f"  subgraph {_quote('cluster_' + tag)} {{",
                  f"    label={_quote(f'[{tag}]')};",
                  *(f"  {line}" for line in clusters[tag]), "  }"]
    for source, target, label in _edges(steps):
        lines.append(f"  {_quote(ids[source])} -> {_quote(ids[target])}{_edge_style(label)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _reads(op: pb.Op) -> list[Read]:
    """The inputs `op` reads, each with its edge's label: the mount path
    (when not `/`) for a step's mounts, lower and upper for a diff."""
    kind = op.WhichOneof("op")
    if kind == "exec":
        return [(m.input, "" if m.dest == "/" else m.dest)
                for m in op.exec.mounts if m.input >= 0]
    if kind == "diff":
        return [(side.input, label)
                for side, label in ((op.diff.lower, "lower"), (op.diff.upper, "upper"))
                if side.input >= 0]
    if kind == "merge":
        return [(m.input, "") for m in op.merge.inputs]
    return [(index, "") for index in range(len(op.inputs))]


def _edges(steps: Steps) -> Iterator[tuple[str, str, str]]:
    """Each step's inputs, once each."""
    seen: set[tuple[str, str, str]] = set()
    for digest, op in steps.items():
        for index, label in _reads(op):
            edge = (op.inputs[index].digest, digest, label)
            if edge not in seen:
                seen.add(edge)
                yield edge


def _node(node_id: str, name: str, op: pb.Op, *, result: bool) -> str:
    style = STYLES.get(op.WhichOneof("op") or "", "shape=box")
    if result:
        style += ", peripheries=2"
    return f"  {_quote(node_id)} [label={_quote(name)}, {style}];"


def _edge_style(label: str) -> str:
    if not label:
        return ""
    # A mount (labelled with its path) is dashed: read, not built upon.
    dashed = ", style=dashed" if label.startswith("/") else ""
    return f" [label={_quote(label)}{dashed}]"


def _quote(text: str) -> str:
    """A dot ID as a double-quoted string: backslashes and quotes escaped,
    line breaks as dot's `\\n`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'
