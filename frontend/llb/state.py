"""Immutable LLB states: a graph of BuildKit operations built by value.

A `State` is one output of one operation. Every method returns a new state,
so a recipe can branch anywhere (deps-py and deps-node share deps-base's ops
and therefore its digests and cache).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from frontend.pb import llb_pb2 as pb
from frontend.sourcemap import SourceRange

# BuildKit's marker for "no input" (scratch) and "no output" (a mount whose
# changes are discarded).
NO_INPUT = -1
NO_OUTPUT = -1


@dataclass(frozen=True, eq=False)
class Node:
    """One operation. `op` carries everything but its inputs, which are
    filled in at marshal time from the digests of `inputs`."""

    op: pb.Op
    inputs: tuple[State, ...]
    name: str
    location: SourceRange | None = None


@dataclass(frozen=True)
class State:
    """An output of a node; `node is None` is the empty filesystem (scratch)."""

    node: Node | None = None
    index: int = 0

    @property
    def is_scratch(self) -> bool:
        return self.node is None

    def run(
        self,
        args: Sequence[str],
        *,
        name: str,
        env: Sequence[str] = (),
        cwd: str = "/",
        user: str = "",
        mounts: Sequence[Mount] = (),
        network: pb.NetMode = pb.UNSET,
        platform: pb.Platform | None = None,
        location: SourceRange | None = None,
    ) -> State:
        """Runs a command with this state as its root filesystem."""
        inputs: list[State] = [] if self.is_scratch else [self]
        pb_mounts = [
            pb.Mount(
                dest="/",
                input=NO_INPUT if self.is_scratch else 0,
                output=0,
            )
        ]
        for mount in mounts:
            pb_mounts.append(mount.to_pb(inputs))
        op = pb.Op(
            exec=pb.ExecOp(
                meta=pb.Meta(
                    args=list(args),
                    env=list(env),
                    cwd=cwd,
                    user=user,
                    removeMountStubsRecursive=True,
                ),
                mounts=pb_mounts,
                network=network,
            ),
            platform=platform,
        )
        return State(Node(op, tuple(inputs), name, location))

    def mkfile(self, path: str, data: bytes, *, name: str, mode: int = 0o644) -> State:
        action = pb.FileAction(
            mkfile=pb.FileActionMkFile(path=path, data=data, mode=mode, timestamp=0)
        )
        return self._file(action, None, name)

    def mkdir(self, path: str, *, name: str, mode: int = 0o755) -> State:
        action = pb.FileAction(
            mkdir=pb.FileActionMkDir(path=path, mode=mode, makeParents=True, timestamp=0)
        )
        return self._file(action, None, name)

    def copy(
        self,
        source: State,
        src: str,
        dest: str,
        *,
        name: str,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> State:
        """Copies `src` of `source` to `dest` of this state (directory contents
        when `src` is a directory, as Dockerfile's COPY does)."""
        action = pb.FileAction(
            copy=pb.FileActionCopy(
                src=src,
                dest=dest,
                mode=-1,
                followSymlink=True,
                dirCopyContents=True,
                createDestPath=True,
                allowWildcard=True,
                allowEmptyWildcard=True,
                timestamp=-1,
                include_patterns=list(include),
                exclude_patterns=list(exclude),
            )
        )
        return self._file(action, source, name)

    def _file(self, action: pb.FileAction, secondary: State | None, name: str) -> State:
        inputs: list[State] = []
        action.input = _input_index(self, inputs)
        action.secondaryInput = NO_INPUT if secondary is None else _input_index(secondary, inputs)
        action.output = 0
        op = pb.Op(file=pb.FileOp(actions=[action]))
        return State(Node(op, tuple(inputs), name))


def _input_index(state: State, inputs: list[State]) -> int:
    """Appends a non-scratch state to an op's inputs and returns its index."""
    if state.is_scratch:
        return NO_INPUT
    inputs.append(state)
    return len(inputs) - 1


@dataclass(frozen=True, kw_only=True)
class Mount(ABC):
    """A mount of an exec step besides its root filesystem."""

    dest: str

    @abstractmethod
    def to_pb(self, inputs: list[State]) -> pb.Mount:
        """The mount's protobuf form; appends the states it reads to `inputs`."""


@dataclass(frozen=True, kw_only=True)
class BindMount(Mount):
    """A view of another state, e.g. core's source for a script: read-only,
    or writable with the writes thrown away after the step."""

    source: State
    selector: str = ""
    readonly: bool = True

    def to_pb(self, inputs: list[State]) -> pb.Mount:
        return pb.Mount(
            dest=self.dest,
            input=_input_index(self.source, inputs),
            selector=self.selector,
            output=NO_OUTPUT,
            readonly=self.readonly,
            mountType=pb.BIND,
        )


@dataclass(frozen=True, kw_only=True)
class CacheMount(Mount):
    """A persistent cache directory that never lands in a layer."""

    cache_id: str = ""
    sharing: pb.CacheSharingOpt = pb.LOCKED

    def to_pb(self, inputs: list[State]) -> pb.Mount:
        return pb.Mount(
            dest=self.dest,
            input=NO_INPUT,
            output=NO_OUTPUT,
            mountType=pb.CACHE,
            cacheOpt=pb.CacheOpt(ID=self.cache_id or self.dest, sharing=self.sharing),
        )


@dataclass(frozen=True, kw_only=True)
class SecretMount(Mount):
    """A BuildKit secret as a file for one step only; absent when not given."""

    secret_id: str = ""
    optional: bool = True
    mode: int = 0o444

    def to_pb(self, inputs: list[State]) -> pb.Mount:
        return pb.Mount(
            dest=self.dest,
            input=NO_INPUT,
            output=NO_OUTPUT,
            mountType=pb.SECRET,
            secretOpt=pb.SecretOpt(ID=self.secret_id, mode=self.mode, optional=self.optional),
        )


def files(contents: Mapping[str, bytes], *, name: str, mode: int = 0o644) -> State:
    """The files at their paths on scratch, written by one op: a warm build
    costs BuildKit about the same for each op, whatever it writes."""
    actions = []
    for number, (path, data) in enumerate(contents.items()):
        # An action's input past the op's own (it has none) is the output
        # of the action before it; only the last one's is the op's output.
        actions.append(pb.FileAction(
            input=number - 1 if number else NO_INPUT, secondaryInput=NO_INPUT,
            output=0 if number == len(contents) - 1 else NO_OUTPUT,
            mkfile=pb.FileActionMkFile(path=path, data=data, mode=mode, timestamp=0)))
    return State(Node(pb.Op(file=pb.FileOp(actions=actions)), (), name))


def merge(states: Sequence[State], *, name: str) -> State:
    """Layers the states on each other, later ones winning (BuildKit MergeOp)."""
    inputs: list[State] = []
    merge_inputs = [pb.MergeInput(input=_input_index(s, inputs)) for s in states]
    op = pb.Op(merge=pb.MergeOp(inputs=merge_inputs))
    return State(Node(op, tuple(inputs), name))


def diff(lower: State, upper: State, *, name: str) -> State:
    """The changes that turn `lower` into `upper` (BuildKit DiffOp)."""
    inputs: list[State] = []
    op = pb.Op(
        diff=pb.DiffOp(
            lower=pb.LowerDiffInput(input=_input_index(lower, inputs)),
            upper=pb.UpperDiffInput(input=_input_index(upper, inputs)),
        )
    )
    return State(Node(op, tuple(inputs), name))
