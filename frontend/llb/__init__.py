"""A small, deterministic LLB library: states in, `pb.Definition` out."""

from frontend.llb.definition import marshal, op_digest, serialize
from frontend.llb.graph import graph
from frontend.llb.outline import mount_ids, outline
from frontend.llb.sources import git, http, image, local
from frontend.llb.state import (
    BindMount,
    CacheMount,
    Mount,
    SecretMount,
    State,
    diff,
    files,
    merge,
)

__all__ = [
    "BindMount",
    "CacheMount",
    "Mount",
    "SecretMount",
    "State",
    "diff",
    "files",
    "git",
    "graph",
    "http",
    "image",
    "local",
    "marshal",
    "merge",
    "mount_ids",
    "op_digest",
    "outline",
    "serialize",
]
