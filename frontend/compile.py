"""Declaration + request + what BuildKit told us -> LLB definition + image config.

The one entry point both the gateway and `python -m frontend llb` use, so a
definition printed by the CLI is the one the image would solve.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from frontend.declaration import DeclarationError, ParsedDeclaration, parse
from frontend.declaration.manifests import is_manifest
from frontend.llb import SourceFile, SourceRange, State, image, local, marshal
from frontend.pb import llb_pb2 as pb
from frontend.plan.app import (
    ContextFiles,
    context_patterns,
    ignored_patterns,
    plan_app,
    read_manifests,
)
from frontend.plan.app_image import AppSource
from frontend.plan.core import CoreGraph
from frontend.plan.inputs import BuildInputs
from frontend.plan.layout import APP_PATH, DEFAULT_PATH
from frontend.plan.prebuilt import KEY_LABEL, Candidate, layer_key, layer_ref
from frontend.plan.runtime import Runtime
from frontend.plan.targets import (
    TARGET_NAMES,
    TARGETS,
    ImageOrigin,
    Plan,
    Target,
    build_target,
    default_target,
    find_target,
)
from frontend.references import normalize_image_ref
from frontend.request import SOURCE_DATE_EPOCH_ARG, BuildRequest
from frontend.sources import (
    PLTHOOK_CONTEXT,
    base_image_state,
    core_source,
    library_states,
    named_state,
    parse_platform,
)

__all__ = [
    "KEY_LABEL",
    "TARGET_NAMES",
    "BuildFacts",
    "Candidate",
    "Compiled",
    "ContextFiles",
    "ParsedDeclaration",
    "TargetInfo",
    "base_image_ref",
    "base_image_source",
    "compile_declaration",
    "context_patterns",
    "dependency_files_source",
    "ignored_patterns",
    "is_manifest",
    "layer_ref",
    "list_layers",
    "list_targets",
    "named_scripts",
    "parse",
    "prebuilt_candidates",
]


NO_LANGUAGES = (
    "no `languages` declared, and the build context has no MetaCall manifest "
    "(metacall.json or metacall-<name>.json, in any folder): declare them, e.g. "
    "`languages: [py, node]`, or add a manifest"
)


@dataclass(frozen=True)
class BuildFacts:
    """What the caller learned from BuildKit (or, for the CLI, the disk)."""

    # The base image's OCI config when the caller could resolve it.
    base_config: Mapping[str, Any] = field(default_factory=dict)
    # Its digest, as resolved with it: the build pins the image whose
    # config it read (and BuildKit need not resolve it again).
    base_digest: str = ""
    # Whether BuildKit can run MergeOp/DiffOp (else: chained steps and copies).
    merge_diff: bool = True
    # core's VERSION when its source comes from a context the caller could read.
    core_version: str | None = None
    # The manifests and dependency files of the main build context.
    context_files: ContextFiles = field(default_factory=ContextFiles)
    # Published layers to take in place of building them: pinned refs by
    # layer name.
    prebuilt: Mapping[str, str] = field(default_factory=dict)


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


def list_targets(parsed: ParsedDeclaration, facts: BuildFacts) -> list[TargetInfo]:
    """The targets, with the one a build of this context picks by default."""
    app = plan_app(parsed, facts.context_files) is not None
    default = default_target(app)
    return [TargetInfo(t.name, t.description, t.name == default) for t in TARGETS]


def named_scripts(parsed: ParsedDeclaration, files: ContextFiles) -> list[str]:
    """The scripts the manifests and the declaration name, relative to the
    context, for the caller to say which exist."""
    named = [script for manifest in read_manifests(files) for script in manifest.scripts]
    if parsed.declaration.app is not None:
        named += [s for scripts in parsed.declaration.app.scripts.values() for s in scripts]
    return sorted(set(named))


def dependency_files_source(request: BuildRequest) -> State:
    """The main context's manifests, dependency files and .dockerignore: one
    op for the gateway's scan before compiling and the build's installs, so
    BuildKit transfers them once."""
    return local(request.context_name, session_id=request.session_id,
                 include=context_patterns(), exclude=ignored_patterns(),
                 shared_key=f"{request.context_name}-dependency-files",
                 label="load the app's manifests and dependency files")


def base_image_ref(parsed: ParsedDeclaration) -> str:
    """The normalized base image, to resolve its config before compiling."""
    return normalize_image_ref(parsed.declaration.base_image)


def base_image_source(parsed: ParsedDeclaration, platform: str, digest: str) -> State:
    """The base image as the build loads it (sources.base_image_state)."""
    return base_image_state(base_image_ref(parsed), digest, platform,
                            parsed.declaration.base_image)


def compile_declaration(
    parsed: ParsedDeclaration, request: BuildRequest, facts: BuildFacts = BuildFacts()
) -> Compiled:
    plan, target, _ = _plan(parsed, request, facts)
    built, config = build_target(plan, target.name)
    source = SourceFile(filename=request.filename, data=parsed.text.encode())
    definition, *checks = (marshal(state, source, ignore_cache=request.no_cache)
                           for state in (built.state, *built.checks))
    npm_folders = tuple(
        posixpath.join(APP_PATH, dependency.folder) for dependency in
        (plan.app.plan.dependencies if plan.app else ())
        if dependency.file.endswith("package.json"))
    return Compiled(definition, config, tuple(checks),
                    Inventory(plan.origin.core_version, tuple(plan.runtime.tags), npm_folders))


def list_layers(parsed: ParsedDeclaration, facts: BuildFacts) -> list[str]:
    """The names of the runtime's layers for this context, as published."""
    plan, _, _ = _plan(parsed, BuildRequest(), facts)
    return list(plan.runtime.named_layers(cli=True))


def prebuilt_candidates(parsed: ParsedDeclaration, request: BuildRequest,
                        facts: BuildFacts) -> tuple[str | None, dict[str, Candidate]]:
    """The repository of prebuilt layers the build names (None: none), and
    where each layer its target composes would be published, with its key."""
    repository = request.prebuilt_repository or parsed.declaration.core.prebuilt
    if repository is None:
        return None, {}
    plan, target, keyed = _plan(parsed, request, facts)
    version = plan.origin.core_version
    return repository, {
        name: Candidate(layer_ref(repository, version, name),
                        layer_key(layer, version, facts.base_config))
        for name, layer in target.layers(keyed).items()
    }


def _plan(parsed: ParsedDeclaration, request: BuildRequest,
          facts: BuildFacts) -> tuple[Plan, Target, Runtime]:
    """The build's plan, its target, and its runtime planned without the
    session, which the layers' keys are computed from."""
    declaration = parsed.declaration
    platform = parse_platform(request.platform)
    base_ref = base_image_ref(parsed)
    base_env = list((facts.base_config.get("config") or {}).get("Env") or [])
    if not any(item.startswith("PATH=") for item in base_env):
        base_env.insert(0, f"PATH={DEFAULT_PATH}")
    if request.source_date_epoch is not None:
        # pip's and Python's bytecode, npm, dpkg and useradd date what they
        # write by it, for images that are the same on every build.
        base_env.append(f"{SOURCE_DATE_EPOCH_ARG}={request.source_date_epoch}")
    core = core_source(request.contexts, request.session_id, declaration.core.version,
                       facts.core_version, tests=declaration.core.tests)

    def inputs(session_id: str, prebuilt: Mapping[str, str]) -> BuildInputs:
        return BuildInputs(
            base=base_image_source(parsed, request.platform, facts.base_digest),
            base_env=tuple(base_env),
            core_source=core_source(request.contexts, session_id, declaration.core.version,
                                    facts.core_version, tests=declaration.core.tests).state,
            plthook=named_state(request.contexts, PLTHOOK_CONTEXT, session_id),
            libraries=library_states(request.contexts, session_id),
            platform=platform,
            merge_diff=facts.merge_diff,
            cache_namespace=request.cache_mount_namespace,
            prebuilt={name: image(ref, platform=platform, name=f"load prebuilt layer {name}")
                      for name, ref in prebuilt.items()},
        )

    locations = _locations(parsed)
    languages_line = locations["languages"]
    context = facts.context_files
    app_plan = plan_app(parsed, context)
    app = None
    if app_plan is None:
        if declaration.languages is None:
            raise DeclarationError(NO_LANGUAGES, 1)
        languages: tuple[str, ...] = declaration.languages
    else:
        languages = app_plan.languages
        app = AppSource(
            app_plan,
            files=local(request.context_name, session_id=request.session_id,
                        exclude=[".git", *app_plan.dockerignore.excludes],
                        label="load the app's files"),
            dependency_files=dependency_files_source(request),
            present=context.files, declaration_file=request.filename,
        )
    core_options = declaration.core
    if core_options.ports is None:
        # An app's scripts call each other's languages as under MetaCall's FaaS.
        core_options = core_options.model_copy(update={"ports": app is not None})
    target = find_target(request.target or default_target(app is not None))
    # Layers are keyed on what they are built from, not on this build's session.
    keyed = Runtime(CoreGraph(core_options, inputs("", {}), locations), languages)
    published = keyed.named_layers(cli=True).get(request.layer_name or "") \
        if target.name == "layer" else None
    plan = Plan(
        runtime=Runtime(CoreGraph(core_options, inputs(request.session_id, facts.prebuilt),
                                  locations), languages),
        origin=ImageOrigin(base_ref, facts.base_config, core.label, core.version, platform,
                           request.source_date_epoch, facts.base_digest),
        app=app, app_options=declaration.app, languages_line=languages_line,
        layer_name=request.layer_name,
        layer_key=layer_key(published, core.version, facts.base_config) if published else "",
    )
    return plan, target, keyed


def _locations(parsed: ParsedDeclaration) -> dict[str, SourceRange]:
    """The lines steps point at: each language's, and the keys that add steps."""
    locations = {"languages": SourceRange(*parsed.lines_of("languages"))}
    for index, tag in enumerate(parsed.declaration.languages or ()):
        locations[tag] = SourceRange(*parsed.lines_of("languages", index))
    if parsed.declaration.core.tests:
        locations["core.tests"] = SourceRange(*parsed.lines_of("core", "tests"))
    return locations
