"""What the planner builds from besides the declaration: sources as LLB
states, resolved by the caller from the build request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from frontend.llb import State
from frontend.pb import llb_pb2 as pb


@dataclass(frozen=True)
class BuildInputs:
    base: State
    base_env: tuple[str, ...]
    core_source: State
    plthook: State | None
    platform: pb.Platform
    # Named contexts that may stand in for a library a loader's CMake
    # downloads (tinycc), by name.
    libraries: Mapping[str, State] = field(default_factory=dict)
    # False where BuildKit cannot run MergeOp/DiffOp (Docker's classic image
    # store): the same filesystem is then built with chained steps and copies.
    merge_diff: bool = True
    # Prefixes every cache mount's id (the BUILDKIT_CACHE_MOUNT_NS build arg).
    cache_namespace: str = ""
    # Published layers to take in place of building them, by layer name.
    prebuilt: Mapping[str, State] = field(default_factory=dict)
