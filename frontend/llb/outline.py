"""A definition as text: one paragraph per step, inputs named by their step
names, so a change to the graph reads as a diff (golden files in tests)."""

from __future__ import annotations

import shlex
from collections import Counter

from frontend.llb.definition import read_ops, step_name
from frontend.pb import llb_pb2 as pb

MOUNT_KINDS = {pb.BIND: "bind", pb.SECRET: "secret", pb.CACHE: "cache", pb.TMPFS: "tmpfs"}
NETWORK = {pb.UNSET: "sandbox", pb.HOST: "host", pb.NONE: "none"}


def outline(definition: pb.Definition) -> str:
    ops = read_ops(definition)
    labels = _labels(definition, [digest for digest, _ in ops[:-1]])
    lines: list[str] = []
    for digest, op in ops[:-1]:
        lines.append(labels[digest] + _location(definition, digest))
        inputs = [labels[i.digest] + (f" (output {i.index})" if i.index else "")
                  for i in op.inputs]
        lines += [f"  {line}" for line in _describe(op, inputs)]
        lines.append("")
    result = ops[-1][1].inputs[0]
    lines.append(f"result: {labels[result.digest]}")
    return "\n".join(lines) + "\n"


def _contents(text: str) -> list[str]:
    return [f"| {line}" for line in text.splitlines()]


def _labels(definition: pb.Definition, digests: list[str]) -> dict[str, str]:
    """Each step's name, numbered where two steps share one."""
    names = {d: step_name(definition, d) for d in digests}
    total = Counter(names.values())
    seen: Counter[str] = Counter()
    labels = {}
    for digest in digests:
        name = names[digest]
        seen[name] += 1
        labels[digest] = f"{name} #{seen[name]}" if total[name] > 1 else name
    return labels


def _location(definition: pb.Definition, digest: str) -> str:
    found = definition.Source.locations.get(digest)
    if found is None or not found.locations:
        return ""
    ranges = found.locations[0].ranges[0]
    start, end = ranges.start.line, ranges.end.line
    return f"  (line {start})" if start == end else f"  (lines {start}-{end})"


def _describe(op: pb.Op, inputs: list[str]) -> list[str]:
    kind = op.WhichOneof("op")
    if kind == "source":
        attrs = "".join(f" {k}={v}" for k, v in sorted(op.source.attrs.items())
                        if k != "local.session")
        return [f"source {op.source.identifier}{attrs}"]
    if kind == "exec":
        return _exec(op.exec, inputs)
    if kind == "file":
        return [line for action in op.file.actions for line in _file_action(action, inputs)]
    if kind == "merge":
        return ["merge " + ", ".join(inputs[m.input] for m in op.merge.inputs)]
    if kind == "diff":
        return [f"diff {inputs[op.diff.lower.input]} -> {inputs[op.diff.upper.input]}"]
    return [kind or "empty"]


def _exec(exec_op: pb.ExecOp, inputs: list[str]) -> list[str]:
    meta = exec_op.meta
    lines = [f"run {shlex.join(meta.args)}", f"cwd {meta.cwd}",
             f"network {NETWORK.get(exec_op.network, exec_op.network)}"]
    for mount in exec_op.mounts:
        source = inputs[mount.input] if mount.input >= 0 else "scratch"
        kind = MOUNT_KINDS.get(mount.mountType, str(mount.mountType))
        if mount.dest == "/":
            lines.insert(0, f"on {source}")
            continue
        if mount.mountType == pb.SECRET:
            what = f"secret {mount.secretOpt.ID}" + (
                " (optional)" if mount.secretOpt.optional else "")
        elif mount.mountType == pb.CACHE:
            what = f"cache {mount.cacheOpt.ID}"
        else:
            selector = mount.selector or "/"
            what = f"{kind} {source}:{selector}" + (" ro" if mount.readonly else "")
        lines.append(f"mount {mount.dest} <- {what}")
    # A variable of several lines is a program the step runs: shown as it is.
    for variable in meta.env:
        key, _, value = variable.partition("=")
        if "\n" in value:
            lines += [f"env {key}:", *_contents(value)]
    return lines


def _file_action(action: pb.FileAction, inputs: list[str]) -> list[str]:
    def state(index: int) -> str:
        return inputs[index] if 0 <= index < len(inputs) else "scratch"

    kind = action.WhichOneof("action")
    on = state(action.input)
    if kind == "copy":
        copy = action.copy
        filters = "".join(
            [f" include={','.join(copy.include_patterns)}" if copy.include_patterns else "",
             f" exclude={','.join(copy.exclude_patterns)}" if copy.exclude_patterns else ""])
        return [f"copy {state(action.secondaryInput)}:{copy.src} -> {on}:{copy.dest}{filters}"]
    if kind == "mkfile":
        mkfile = action.mkfile
        return [f"mkfile {on}:{mkfile.path} mode {mkfile.mode:o}, {len(mkfile.data)} bytes",
                *_contents(mkfile.data.decode(errors="replace"))]
    if kind == "mkdir":
        return [f"mkdir {on}:{action.mkdir.path}"]
    return [f"{kind} on {on}"]


def mount_ids(definition: pb.Definition) -> tuple[list[str], list[str]]:
    """The secrets and the cache mounts the graph's steps use, by id, in
    the order the definition first uses them."""
    secrets: dict[str, None] = {}
    caches: dict[str, None] = {}
    for data in getattr(definition, "def"):
        op = pb.Op()
        op.ParseFromString(data)
        for mount in op.exec.mounts:
            if mount.mountType == pb.SECRET:
                secrets[mount.secretOpt.ID] = None
            elif mount.mountType == pb.CACHE:
                caches[mount.cacheOpt.ID] = None
    return list(secrets), list(caches)
