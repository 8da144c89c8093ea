"""Declaration text + build options -> LLB definition + image config.

The one entry point both the gateway and `python -m frontend llb` use, so a
definition printed by the CLI is the one the image would solve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from frontend.declaration import DeclarationError, parse
from frontend.llb import SourceFile, SourceRange, State, git, image, local, marshal
from frontend.pb import llb_pb2 as pb
from frontend.plan.app import ContextFiles, plan_app
from frontend.plan.graph import BuildGraph, BuildInputs
from frontend.plan.targets import APP_TARGET, DEFAULT_PATH, DEFAULT_TARGET, AppSource, build_target

CORE_CONTEXT = "metacall-core"
PLTHOOK_CONTEXT = "plthook"
CORE_REPOSITORY = "https://github.com/metacall/core.git"


@dataclass(frozen=True)
class BuildRequest:
    filename: str = "metacall.yaml"
    # None: `app` when the context holds an app, else `runtime`.
    target: str | None = None
    platform: str = "linux/amd64"
    session_id: str = ""
    # Named contexts as BuildKit passes them: name -> "local:NAME",
    # "docker-image://REF" or a git URL.
    contexts: Mapping[str, str] = field(default_factory=dict)
    # The base image's OCI config when the caller could resolve it.
    base_config: Mapping[str, Any] | None = None
    # Whether BuildKit can run MergeOp/DiffOp (else: chained steps and copies).
    merge_diff: bool = True
    # core's VERSION when its source comes from a context the caller could read.
    core_version: str | None = None
    # Re-run every step (buildx --no-cache).
    no_cache: bool = False
    # The main build context: its name and the files the caller found in it.
    context_name: str = "context"
    context_files: ContextFiles = field(default_factory=ContextFiles)


@dataclass(frozen=True)
class Compiled:
    definition: pb.Definition
    config: dict[str, Any]
    # Definitions that must build before the result is returned (the smoke check).
    checks: tuple[pb.Definition, ...] = ()


def normalize_image_ref(ref: str) -> str:
    """docker.io/library/debian:bookworm-slim for `debian:bookworm-slim`."""
    name, sep, digest = ref.partition("@")
    first, _, rest = name.partition("/")
    if not rest:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    if ":" not in name.rsplit("/", 1)[-1] and not sep:
        name += ":latest"
    return name + sep + digest


def parse_platform(value: str) -> pb.Platform:
    os_name, _, rest = value.partition("/")
    arch, _, variant = rest.partition("/")
    return pb.Platform(OS=os_name or "linux", Architecture=arch or "amd64", Variant=variant)


def base_image_ref(text: str) -> str:
    """The normalized base image of a declaration, to resolve its config early."""
    return normalize_image_ref(parse(text).declaration.base_image)


def context_state(name: str, value: str, session_id: str) -> State:
    if value.startswith("local:"):
        return local(value.removeprefix("local:"), session_id=session_id,
                     label=f"load build context {name}")
    if value.startswith("docker-image://"):
        ref = normalize_image_ref(value.removeprefix("docker-image://"))
        return image(ref, platform=pb.Platform(), name=f"load build context {name} ({ref})")
    if value.startswith(("https://", "git://", "git@")) or value.endswith(".git"):
        remote, _, ref = value.partition("#")
        return git(remote, ref or "HEAD", name=f"load build context {name} ({value})")
    raise DeclarationError(
        f"build context `{name}={value}` is not local:, docker-image:// or a git URL"
    )


def compile_declaration(text: str, request: BuildRequest) -> Compiled:
    parsed = parse(text)
    declaration = parsed.declaration
    platform = parse_platform(request.platform)
    base_ref = normalize_image_ref(declaration.base_image)
    base_config = dict(request.base_config or {})
    base_env = list((base_config.get("config") or {}).get("Env") or [])
    if not any(item.startswith("PATH=") for item in base_env):
        base_env.insert(0, f"PATH={DEFAULT_PATH}")

    if CORE_CONTEXT in request.contexts:
        core = context_state(CORE_CONTEXT, request.contexts[CORE_CONTEXT], request.session_id)
        core_source = f"context {CORE_CONTEXT}"
        core_version = request.core_version or "unknown"
    else:
        core_version = declaration.core.version
        core = git(CORE_REPOSITORY, core_version, name=f"fetch MetaCall core {core_version}")
        core_source = f"{CORE_REPOSITORY}#{core_version}"
    plthook = None
    if PLTHOOK_CONTEXT in request.contexts:
        plthook = context_state(
            PLTHOOK_CONTEXT, request.contexts[PLTHOOK_CONTEXT], request.session_id
        )

    inputs = BuildInputs(
        base=image(base_ref, platform=platform, name=f"load base image {declaration.base_image}"),
        base_env=tuple(base_env),
        core_source=core,
        plthook=plthook,
        libraries={
            name: context_state(name, value, request.session_id)
            for name, value in sorted(request.contexts.items())
            if name not in (CORE_CONTEXT, PLTHOOK_CONTEXT)
        },
        platform=platform,
        merge_diff=request.merge_diff,
    )
    locations = {"languages": SourceRange(*parsed.lines_of("languages"))}
    for index, tag in enumerate(declaration.languages or ()):
        locations[tag] = SourceRange(*parsed.lines_of("languages", index))
    plan = plan_app(declaration, request.context_files, locations["languages"].start_line)
    app = None
    if plan is not None:
        # The app's entrypoint is metacallcli, which core builds only with node.
        languages = plan.languages if "node" in plan.languages else (*plan.languages, "node")
        declaration = declaration.model_copy(update={"languages": languages})
        app = AppSource(plan, request.context_files.names, request.filename)
        inputs = replace(inputs, context=local(
            request.context_name, session_id=request.session_id,
            exclude=[".git"], label="load the app's build context",
        ))
    graph = BuildGraph(declaration, inputs, locations)
    target = build_target(
        graph, request.target or (APP_TARGET if app else DEFAULT_TARGET),
        base_config=base_config, base_ref=base_ref,
        core_source=core_source, core_version=core_version, app=app,
    )
    source = SourceFile(filename=request.filename, data=text.encode())
    definition, *checks = (marshal(state, source, ignore_cache=request.no_cache)
                           for state in (target.state, *target.checks))
    return Compiled(definition, target.config, tuple(checks))
