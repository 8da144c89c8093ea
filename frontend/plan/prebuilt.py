"""Prebuilt language layers: the runtime's layers published as images, and
taken from a registry in place of building them.

Each layer the runtime composes has a name: `core-libraries`,
`<L>-libraries`, `<L>-files` and `cli-<L>`. The `layer` target builds one
alone (METACALL_LAYER=<name>), as an image whose one layer is the one the
runtime merges, labelled with the layer's key; `python -m frontend publish`
pushes them as `<repository>:<core version>-<name>`. A build whose
declaration names that repository (`core.prebuilt`) takes each layer whose
key matches its own, pinned by digest, and builds the others from source.

A key is what the layer is built from: its LLB (steps, recipes, options,
platform, base image by name), core's version and the base image's config
(its layers' digests). Any change there, a new frontend's recipes included,
is a new key. Sources count by name (a local context, a git ref): core by
its version, so a changed checkout of the same version is not told apart.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from frontend.llb import State, marshal
from frontend.llb.definition import op_digest
from frontend.plan.compose import Layer

# Build args: the layer the `layer` target builds, and a repository of
# prebuilt layers that overrides the declaration's `core.prebuilt` (one per
# CI, say).
LAYER_ARG = "METACALL_LAYER"
PREBUILT_ARG = "METACALL_PREBUILT"

NAME_LABEL = "io.metacall.layer"
KEY_LABEL = "io.metacall.layer.key"
# An OCI tag: the core version part is cut to fit.
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class PrebuiltLayer(Layer):
    """A published layer, pulled instead of built."""

    name: str
    image: State

    def changes(self) -> State:
        return self.image

    def apply(self, on: State) -> State:
        return on.copy(self.image, "/", "/", name=self.name)


@dataclass(frozen=True)
class Candidate:
    """Where a layer would be published, and the key it must carry."""

    ref: str
    key: str


def layer_ref(repository: str, core_version: str, name: str) -> str:
    version = _TAG_UNSAFE.sub("_", core_version)[: 127 - len(name)]
    return f"{repository}:{version}-{name}"


def layer_key(layer: Layer, core_version: str, base_config: Mapping[str, Any]) -> str:
    definition = marshal(layer.changes())
    inputs = {
        "layer": op_digest(getattr(definition, "def")[-1]),
        "core": core_version,
        "base": hashlib.sha256(json.dumps(base_config, sort_keys=True).encode()).hexdigest(),
    }
    return "sha256:" + hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
