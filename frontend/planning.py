"""Request + what the caller learned -> the plan a target is built from:
the build's inputs as LLB sources, the runtime, the app and the image's
origin. compile.py turns the plan into a definition."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from frontend.declaration import DeclarationError, ParsedDeclaration
from frontend.declaration.context import ContextScan
from frontend.llb import State, image, local
from frontend.plan.app import AppPlan, context_patterns, ignored_patterns, plan_app
from frontend.plan.app_image import AppSource
from frontend.plan.core import CoreGraph
from frontend.plan.inputs import BuildInputs
from frontend.plan.layout import DEFAULT_PATH
from frontend.plan.prebuilt import LAYER_ARG, layer_key
from frontend.plan.runtime import Runtime
from frontend.plan.targets import ImageOrigin, Plan, Target, default_target, find_target
from frontend.platform import Platform
from frontend.references import normalize_image_ref
from frontend.request import SOURCE_DATE_EPOCH_ARG, BuildRequest
from frontend.sourcemap import SourceRange
from frontend.sources import PLTHOOK_CONTEXT, base_image_state, core_source, library_states
from frontend.sources import named_state as named_context_state

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
    # The main build context's manifests, dependency files and scripts.
    context: ContextScan = field(default_factory=ContextScan)
    # Published layers to take in place of building them: pinned refs by
    # layer name.
    prebuilt: Mapping[str, str] = field(default_factory=dict)


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


def base_image_source(parsed: ParsedDeclaration, platform: Platform, digest: str) -> State:
    """The base image as the build loads it (sources.base_image_state)."""
    return base_image_state(base_image_ref(parsed), digest, platform,
                            parsed.declaration.base_image)


def _inputs(parsed: ParsedDeclaration, request: BuildRequest, facts: BuildFacts,
            session_id: str, prebuilt: Mapping[str, str]) -> BuildInputs:
    """What the planner builds from, loaded in `session_id` ("": keyed on
    what the sources are, not on this build's session)."""
    declaration, platform = parsed.declaration, request.platform.to_pb()
    base_env = list((facts.base_config.get("config") or {}).get("Env") or [])
    if not any(item.startswith("PATH=") for item in base_env):
        base_env.insert(0, f"PATH={DEFAULT_PATH}")
    if request.source_date_epoch is not None:
        # pip's and Python's bytecode, npm, dpkg and useradd date what they
        # write by it, for images that are the same on every build.
        base_env.append(f"{SOURCE_DATE_EPOCH_ARG}={request.source_date_epoch}")
    return BuildInputs(
        base=base_image_source(parsed, request.platform, facts.base_digest),
        base_env=tuple(base_env),
        core_source=core_source(request.contexts, session_id, declaration.core.version,
                                facts.core_version, tests=declaration.core.tests).state,
        plthook=named_context_state(request.contexts, PLTHOOK_CONTEXT, session_id),
        libraries=library_states(request.contexts, session_id),
        platform=platform,
        merge_diff=facts.merge_diff,
        cache_namespace=request.cache_mount_namespace,
        prebuilt={name: image(ref, platform=platform, name=f"load prebuilt layer {name}")
                  for name, ref in prebuilt.items()},
    )


def runtime_for_keys(parsed: ParsedDeclaration, request: BuildRequest, facts: BuildFacts,
                      plan: Plan) -> Runtime:
    """The plan's runtime without the session, which layers' keys come from."""
    return Runtime(CoreGraph(plan.runtime.core.options, _inputs(parsed, request, facts, "", {}),
                             _locations(parsed)), plan.runtime.languages)


def _app_source(parsed: ParsedDeclaration, request: BuildRequest, facts: BuildFacts,
                app_plan: AppPlan) -> AppSource:
    return AppSource(
        app_plan,
        files=local(request.context_name, session_id=request.session_id,
                    exclude=[".git", *app_plan.dockerignore.excludes],
                    label="load the app's files"),
        dependency_files=dependency_files_source(request),
        present=facts.context.files, declaration_file=request.filename,
    )


def plan_build(parsed: ParsedDeclaration, request: BuildRequest,
          facts: BuildFacts) -> tuple[Plan, Target]:
    declaration = parsed.declaration
    app_plan = plan_app(parsed, facts.context)
    if app_plan is None and declaration.languages is None:
        raise DeclarationError(NO_LANGUAGES, 1)
    app = None if app_plan is None else _app_source(parsed, request, facts, app_plan)
    languages = declaration.languages if app_plan is None else app_plan.languages
    assert languages is not None
    core_options = declaration.core
    if core_options.ports is None:
        # An app's scripts call each other's languages as under MetaCall's FaaS.
        core_options = core_options.model_copy(update={"ports": app is not None})
    target = find_target(request.target or default_target(app is not None))
    core = core_source(request.contexts, request.session_id, declaration.core.version,
                       facts.core_version, tests=declaration.core.tests)
    runtime = Runtime(CoreGraph(core_options, _inputs(parsed, request, facts,
                                                      request.session_id, facts.prebuilt),
                                _locations(parsed)), languages)
    plan = Plan(
        runtime=runtime,
        origin=ImageOrigin(base_image_ref(parsed), facts.base_config, core.label, core.version,
                           request.platform.to_pb(), request.source_date_epoch,
                           facts.base_digest),
        app=app, app_options=declaration.app,
        languages_line=SourceRange(*parsed.lines_of("languages")),
        check_lines=tuple(parsed.lines_of("app", "checks", index)[0] for index in
                          range(len(declaration.app.checks if declaration.app else ()))),
        layer_name=request.build_args.get(LAYER_ARG) or None,
    )
    return _with_layer_key(plan, parsed, request, facts) if target.name == "layer" else plan, \
        target


def _with_layer_key(plan: Plan, parsed: ParsedDeclaration, request: BuildRequest,
                    facts: BuildFacts) -> Plan:
    """The `layer` target labels its image with the layer's key."""
    layers = runtime_for_keys(parsed, request, facts, plan).named_layers(cli=True)
    published = layers.get(plan.layer_name or "")
    if published is None:
        return plan
    return replace(plan, layer_key=layer_key(published, plan.origin.core_version,
                                             facts.base_config))


def _locations(parsed: ParsedDeclaration) -> dict[str, SourceRange]:
    """The lines steps point at: each language's, and the keys that add steps."""
    locations = {"languages": SourceRange(*parsed.lines_of("languages"))}
    for index, tag in enumerate(parsed.declaration.languages or ()):
        locations[tag] = SourceRange(*parsed.lines_of("languages", index))
    if parsed.declaration.core.tests:
        locations["core.tests"] = SourceRange(*parsed.lines_of("core", "tests"))
    return locations
