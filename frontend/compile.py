"""Declaration + request + what BuildKit told us -> LLB definition + image config.

The one entry point the gateway and the CLI compile through (they import
the lower floors only through this module and frontend.scan), so a
definition printed by the CLI is the one the image would solve.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from frontend.declaration import DeclarationError, ParsedDeclaration, decode, parse
from frontend.declaration.context import ContextScan
from frontend.llb import marshal
from frontend.pb import llb_pb2 as pb
from frontend.plan.app import plan_app
from frontend.plan.layout import APP_PATH
from frontend.plan.prebuilt import (
    KEY_LABEL,
    LAYER_ARG,
    PREBUILT_ARG,
    Candidate,
    layer_key,
    layer_ref,
)
from frontend.plan.steps import SECRET_DESCRIPTIONS
from frontend.plan.targets import TARGET_NAMES, TARGETS, default_target, plan_target
from frontend.planning import (
    BuildFacts,
    base_image_ref,
    base_image_source,
    dependency_files_source,
    plan_build,
    runtime_for_keys,
)
from frontend.references import NO_PREBUILT, REPOSITORY
from frontend.request import BuildRequest, RequestError

# What the gateway and the CLI take from the floors below, through here.
__all__ = [
    "KEY_LABEL", "LAYER_ARG", "NO_PREBUILT", "PREBUILT_ARG", "SECRET_DESCRIPTIONS", "TARGET_NAMES",
    "BuildFacts", "Candidate", "Compiled", "ContextScan", "DeclarationError", "ParsedDeclaration",
    "TargetInfo", "base_image_ref", "base_image_source", "compile_declaration", "decode",
    "default_target", "dependency_files_source", "layer_ref", "list_layers", "list_targets",
    "parse", "prebuilt_candidates",
]




@dataclass(frozen=True)
class Inventory:
    """Where the image's package databases are, for an SBOM of it."""

    core_version: str
    loaders: tuple[str, ...]
    # Folders holding a node_modules npm installed (with its .package-lock.json).
    npm_folders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compiled:
    definition: pb.Definition
    config: dict[str, Any]
    # Definitions that must build before the result is returned (the smoke check).
    checks: tuple[pb.Definition, ...] = ()
    inventory: Inventory = Inventory("unknown", ())


@dataclass(frozen=True)
class TargetInfo:
    name: str
    description: str
    default: bool


NO_FACTS = BuildFacts()  # the CLI's and the tests' default: nothing resolved


def list_targets(parsed: ParsedDeclaration, facts: BuildFacts) -> list[TargetInfo]:
    """The targets, with the one a build of this context picks by default."""
    default = default_target(plan_app(parsed, facts.context) is not None)
    return [TargetInfo(t.name, t.description, t.name == default) for t in TARGETS]


def compile_declaration(
    parsed: ParsedDeclaration, request: BuildRequest, facts: BuildFacts = NO_FACTS
) -> Compiled:
    plan, target = plan_build(parsed, request, facts)
    graph, config = plan_target(plan, target.name)
    definition, *checks = (marshal(state, parsed.source_text(request.filename),
                                   ignore_cache=request.no_cache)
                           for state in (graph.state, *graph.checks))
    npm_folders = tuple(
        posixpath.join(APP_PATH, dependency.folder) for dependency in
        (plan.app.plan.dependencies if plan.app else ())
        if dependency.file.endswith("package.json"))
    return Compiled(definition, config, tuple(checks),
                    Inventory(plan.origin.core_version, tuple(plan.runtime.tags), npm_folders))


def list_layers(parsed: ParsedDeclaration, facts: BuildFacts) -> list[str]:
    """The names of the runtime's layers for this context, as published."""
    plan, _ = plan_build(parsed, BuildRequest(), facts)
    return list(plan.runtime.named_layers(cli=True))


def prebuilt_candidates(parsed: ParsedDeclaration, request: BuildRequest,
                        facts: BuildFacts) -> tuple[str | None, dict[str, Candidate]]:
    """The repository of prebuilt layers the build looks in (None: none), and
    where each layer its target composes would be published, with its key."""
    repository = _prebuilt_repository(request) or parsed.declaration.core.prebuilt
    if repository == NO_PREBUILT:
        return None, {}
    plan, target = plan_build(parsed, request, facts)
    version = plan.origin.core_version
    return repository, {
        name: Candidate(layer_ref(repository, version, name),
                        layer_key(layer, version, facts.base_config))
        for name, layer in target.layers(runtime_for_keys(parsed, request, facts, plan)).items()
    }


def _prebuilt_repository(request: BuildRequest) -> str | None:
    repository = request.build_args.get(PREBUILT_ARG, "")
    if repository and not REPOSITORY.match(repository):
        raise RequestError(f"{PREBUILT_ARG} is `{repository}`, not an image repository like "
                           f"registry.example.com/metacall/layers (no tag), nor `{NO_PREBUILT}`")
    return repository or None


