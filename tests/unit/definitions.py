"""Compiling declarations and reading the definitions back, for unit tests."""

from __future__ import annotations

from typing import Any

from frontend.compile import BuildFacts, Compiled, compile_declaration, parse
from frontend.llb import op_digest
from frontend.pb import llb_pb2 as pb
from frontend.plan.steps import PROGRAM_VARIABLE, RUN_PROGRAM
from frontend.request import BuildRequest

HEAD = "# syntax=metacall/frontend\n"
LOCAL_CORE = {"metacall-core": "local:metacall-core"}


NO_FACTS = BuildFacts()


def compile_text(text: str, target: str | None = "runtime", *, facts: BuildFacts = NO_FACTS,
                 **request: Any) -> Compiled:
    """Compiles `text` (after a syntax line) as the gateway would."""
    return compile_declaration(parse(HEAD + text), BuildRequest(target=target, **request),
                               facts)


def ops_of(definition: pb.Definition) -> dict[str, pb.Op]:
    ops = {}
    for data in getattr(definition, "def"):
        op = pb.Op()
        op.ParseFromString(data)
        ops[op_digest(data)] = op
    return ops


def names(definition: pb.Definition) -> dict[str, str]:
    return {d: m.description["llb.customname"] for d, m in definition.metadata.items()}


def digest_named(definition: pb.Definition, name: str) -> str:
    matches = [d for d, n in names(definition).items() if n == name]
    assert len(matches) == 1, f"{name!r} not found once in {sorted(names(definition).values())}"
    return matches[0]


def op_named(definition: pb.Definition, name: str) -> pb.Op:
    return ops_of(definition)[digest_named(definition, name)]


def program_of(definition: pb.Definition, op: pb.Op) -> str:
    """The shell program an exec step runs (in its environment)."""
    assert op.exec.meta.args[:3] == ["/bin/sh", "-c", RUN_PROGRAM]
    (program,) = [variable.partition("=")[2] for variable in op.exec.meta.env
                  if variable.startswith(f"{PROGRAM_VARIABLE}=")]
    return program
