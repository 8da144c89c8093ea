"""A small, deterministic LLB library: states in, `pb.Definition` out."""

from frontend.llb.definition import SourceFile, marshal, op_digest, serialize
from frontend.llb.graph import graph
from frontend.llb.outline import outline
from frontend.llb.state import (
    BindMount,
    CacheMount,
    Mount,
    SecretMount,
    SourceRange,
    State,
    diff,
    git,
    image,
    local,
    merge,
)

__all__ = [
    "BindMount",
    "CacheMount",
    "Mount",
    "SecretMount",
    "SourceFile",
    "SourceRange",
    "State",
    "diff",
    "git",
    "graph",
    "image",
    "local",
    "marshal",
    "merge",
    "op_digest",
    "outline",
    "serialize",
]
