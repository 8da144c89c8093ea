"""Putting layers together: one helper for every image the graph composes.

Where BuildKit runs MergeOp/DiffOp, each layer is its changes alone (a diff,
or a tree of files) and the image is their merge, so layers are shared
between languages and images. Where it does not (Docker's classic image
store), the same filesystem is built by replaying each layer on the last:
steps chained, files copied.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from frontend.llb import State, diff, merge


class Layer(ABC):
    @abstractmethod
    def changes(self) -> State:
        """The layer's files alone, to merge."""

    @abstractmethod
    def apply(self, on: State) -> State:
        """`on` with the layer's files, without MergeOp/DiffOp."""


@dataclass(frozen=True)
class BranchLayer(Layer):
    """What steps add to a base: `build(base)` diffed from the base."""

    name: str
    base: State
    build: Callable[[State], State]

    def changes(self) -> State:
        return diff(self.base, self.build(self.base), name=self.name)

    def apply(self, on: State) -> State:
        return self.build(on)


@dataclass(frozen=True)
class InstalledFiles(Layer):
    """What one install step wrote: the diff from `before` to `after`,
    narrowed to `paths`, since an install can also write elsewhere (the py
    port's pip install builds inside core's source tree)."""

    name: str
    before: State
    after: State
    paths: tuple[str, ...]

    def changes(self) -> State:
        changes = diff(self.before, self.after, name=self.name)
        return State().copy(
            changes, "/", "/", include=[path.lstrip("/") for path in self.paths],
            name=f"{self.name}: {', '.join(self.paths)}",
        )

    def apply(self, on: State) -> State:
        for path in self.paths:
            on = on.copy(self.after, path, path, name=f"{self.name}: {path}")
        return on


@dataclass(frozen=True)
class FilesLayer(Layer):
    """Files made apart from any image (`tree`, built on scratch), at `paths`."""

    name: str
    tree: State
    paths: tuple[str, ...]

    def changes(self) -> State:
        return self.tree

    def apply(self, on: State) -> State:
        for path in self.paths:
            on = on.copy(self.tree, path, path, name=f"{self.name} {path}")
        return on


def compose(base: State, layers: Sequence[Layer], *, merge_diff: bool, name: str) -> State:
    """`base` with every layer, later layers winning."""
    if merge_diff:
        return merge([base, *(layer.changes() for layer in layers)], name=name)
    for layer in layers:
        base = layer.apply(base)
    return base
