"""The targets a user can build: one table that building, `--print=targets`
and the errors for an unknown or unavailable target all read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from frontend.declaration import AppOptions, DeclarationError
from frontend.llb import State
from frontend.pb import llb_pb2 as pb
from frontend.plan.app_image import AppSource, app_image
from frontend.plan.compose import Layer
from frontend.plan.layout import (
    APP_HOME,
    APP_PATH,
    APP_USER,
    DEFAULT_PATH,
    LAUNCHER_PATH,
    METACALL_PATH,
    METACALL_RUNTIME_ENV,
    SCRIPTS_PATH,
)
from frontend.plan.prebuilt import KEY_LABEL, LAYER_ARG, NAME_LABEL
from frontend.plan.recipe import recipe_for
from frontend.plan.runtime import Runtime
from frontend.plan.serving import Serving
from frontend.sourcemap import SourceRange


@dataclass(frozen=True)
class ImageOrigin:
    """What the image's labels and config say about where it comes from."""

    base_ref: str
    base_config: Mapping[str, Any]
    core_source: str
    core_version: str
    platform: pb.Platform
    # Seconds since 1970 the image is dated by (SOURCE_DATE_EPOCH), if given.
    created: int | None = None
    # The base image's digest, when it was resolved (the build is pinned to it).
    base_digest: str = ""


@dataclass(frozen=True)
class Plan:
    """Everything a target is built from."""

    runtime: Runtime
    origin: ImageOrigin
    app: AppSource | None = None
    app_options: AppOptions | None = None
    languages_line: SourceRange | None = None
    # The line of each of `app.checks`, for the check's errors.
    check_lines: tuple[int, ...] = ()
    # The layer the `layer` target builds (METACALL_LAYER), and its key.
    layer_name: str | None = None
    layer_key: str = ""


@dataclass(frozen=True)
class TargetGraph:
    state: State
    # States that must build for the target to be returned (none in the image).
    checks: tuple[State, ...] = ()


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    plan: Callable[[Plan], TargetGraph]
    # Why the target cannot be built from this plan, or None when it can,
    # and whether that is down to `languages` (the error points there).
    unavailable: Callable[[Plan], str | None] = lambda plan: None
    unavailable_for_languages: bool = False
    # The image config: MetaCall's run-time environment, where it starts.
    runtime_env: bool = True
    working_dir: str = SCRIPTS_PATH
    entrypoint: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    # Applies the declaration's own image settings (the `app` key).
    finish_config: Callable[[dict[str, Any], Plan], None] | None = None
    # The runtime's named layers the target composes, which prebuilt
    # layers may stand in for.
    layers: Callable[[Runtime], Mapping[str, Layer]] = lambda runtime: {}


def _cli_unavailable(plan: Plan) -> str | None:
    if any(recipe_for(tag).provides_cli for tag in plan.runtime.languages):
        return None
    return "needs `node` in `languages`: MetaCall builds metacallcli only with the Node.js loader"


def _plan_app_image(plan: Plan) -> TargetGraph:
    assert plan.app is not None
    options = plan.app_options or AppOptions()
    limit = options.smoke_check_timeout if options.smoke_check else None
    # The smoke check loads the scripts as the app runs: its user, its environment.
    env = image_config(find_target("app"), plan)["config"]["Env"]
    checks = [(f"{plan.app.declaration_file}:{line}", check.call, check.expect)
              for check, line in zip(options.checks, plan.check_lines, strict=True)]
    image = app_image(plan.runtime, plan.app, user=options.user or APP_USER, env=env,
                      checks=checks, install_limit=options.install_timeout, smoke_check_limit=limit,
                      serving=Serving.of(options))
    return TargetGraph(image.image, () if image.smoke_check is None else (image.smoke_check,))


def _layer_unavailable(plan: Plan) -> str | None:
    if not plan.runtime.core.inputs.merge_diff:
        return "needs MergeOp/DiffOp (Docker's containerd image store, or buildkitd)"
    names = ", ".join(plan.runtime.named_layers(cli=True))
    if plan.layer_name is None:
        return f"needs the build arg {LAYER_ARG}, one of: {names}"
    if plan.layer_name not in plan.runtime.named_layers(cli=True):
        return f"builds one of: {names}; not `{plan.layer_name}`"
    return None


def _plan_layer(plan: Plan) -> TargetGraph:
    assert plan.layer_name is not None
    return TargetGraph(plan.runtime.named_layers(cli=True)[plan.layer_name].changes())


def _label_layer(config: dict[str, Any], plan: Plan) -> None:
    config["Labels"].update({NAME_LABEL: plan.layer_name, KEY_LABEL: plan.layer_key})


def _apply_app_options(config: dict[str, Any], plan: Plan) -> None:
    options = plan.app_options or AppOptions()
    config["User"] = options.user or APP_USER
    serving = Serving.of(options)
    if serving is not None:  # its PORT first: app.env may set another
        serving.configure(config)
    env = _env_map(config["Env"])
    env.update(options.env)
    config["Env"] = [f"{key}={value}" for key, value in env.items()]
    config["Labels"].update(options.labels)
    if options.command:
        config["Entrypoint"] = list(options.command)
    if options.expose:
        config.setdefault("ExposedPorts", {}).update(
            {port if "/" in port else f"{port}/tcp": {} for port in options.expose})


TARGETS: tuple[Target, ...] = (
    Target("deps", "core's build dependencies for the declared languages",
           lambda plan: TargetGraph(plan.runtime.core.deps(plan.runtime.languages)),
           runtime_env=False, working_dir=METACALL_PATH),
    Target("dev", "core compiled and installed with the declared loaders",
           lambda plan: TargetGraph(plan.runtime.core.build(plan.runtime.languages).dev),
           working_dir=METACALL_PATH),
    Target("runtime", "runtime libraries and MetaCall's installed files only",
           lambda plan: TargetGraph(plan.runtime.assemble((), cli=False, name="runtime")),
           layers=lambda runtime: runtime.named_layers(cli=False)),
    Target("cli", "the runtime plus metacallcli as the entrypoint (needs node)",
           lambda plan: TargetGraph(plan.runtime.assemble((), cli=True, name="cli")),
           unavailable=_cli_unavailable, unavailable_for_languages=True,
           entrypoint=("metacallcli",),
           layers=lambda runtime: runtime.named_layers(cli=True)),
    Target("app", "the runtime plus the app, its dependencies and a launcher", _plan_app_image,
           unavailable=lambda plan: None if plan.app else (
               "needs an `app` key or MetaCall manifests in the build context"),
           working_dir=APP_PATH, entrypoint=(LAUNCHER_PATH,),
           # The app's user cannot write beside the app: Python's bytecode of
           # the app's own scripts goes to its home.
           env={"LOADER_SCRIPT_PATH": APP_PATH, "HOME": APP_HOME,
                "PYTHONPYCACHEPREFIX": f"{APP_HOME}/.cache/python"},
           finish_config=_apply_app_options,
           layers=lambda runtime: runtime.named_layers(cli=True)),
    Target("layer", f"one of the runtime's layers alone, to publish ({LAYER_ARG}=<name>)",
           _plan_layer, unavailable=_layer_unavailable, runtime_env=False,
           working_dir="/", finish_config=_label_layer),
)
TARGET_NAMES = tuple(target.name for target in TARGETS)


def default_target(has_app: bool) -> str:
    return "app" if has_app else "runtime"


def find_target(name: str) -> Target:
    for target in TARGETS:
        if target.name == name:
            return target
    raise DeclarationError(f"unknown target `{name}`; targets: {', '.join(TARGET_NAMES)}")


def plan_target(plan: Plan, name: str) -> tuple[TargetGraph, dict[str, Any]]:
    """The target's state (and checks) and its OCI image config."""
    target = find_target(name)
    reason = target.unavailable(plan)
    if reason is not None:
        line = plan.languages_line
        raise DeclarationError(f"the {name} target {reason}", *(
            (line.start_line, line.end_line) if line and target.unavailable_for_languages
            else ()))
    return target.plan(plan), image_config(target, plan)


def image_config(target: Target, plan: Plan) -> dict[str, Any]:
    origin = plan.origin
    base = dict(origin.base_config.get("config") or {})
    # Images without a PATH get Docker's default, as Dockerfile builds do.
    env = {"PATH": DEFAULT_PATH, **_env_map(base.get("Env") or [])}
    if target.runtime_env:
        env.update(METACALL_RUNTIME_ENV)
        for tag in plan.runtime.tags:
            env.update(dict(recipe_for(tag).runtime_env))
    env.update(target.env)
    languages = ",".join(plan.runtime.languages)
    config: dict[str, Any] = {
        "Env": [f"{key}={value}" for key, value in env.items()],
        "WorkingDir": target.working_dir,
        "Labels": {
            **(base.get("Labels") or {}),
            "org.opencontainers.image.title": f"MetaCall {target.name} ({languages})",
            "org.opencontainers.image.description": f"MetaCall {target.name}: "
                                                    f"{target.description}",
            "org.opencontainers.image.base.name": origin.base_ref,
            **({"org.opencontainers.image.base.digest": origin.base_digest}
               if origin.base_digest else {}),
            "io.metacall.languages": languages,
            "io.metacall.core.source": origin.core_source,
            "io.metacall.core.version": origin.core_version,
            "io.metacall.target": target.name,
        },
    }
    if target.entrypoint:
        config["Entrypoint"] = list(target.entrypoint)
    elif base.get("Cmd"):
        config["Cmd"] = base["Cmd"]
    if target.finish_config is not None:
        target.finish_config(config, plan)
    image: dict[str, Any] = {
        "architecture": origin.platform.Architecture,
        "os": origin.platform.OS,
        **({"variant": origin.platform.Variant} if origin.platform.Variant else {}),
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": []},
    }
    if origin.created is not None:
        image["created"] = datetime.fromtimestamp(origin.created, UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    return image


def _env_map(env: list[str]) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in env if "=" in item)
    return {key: value for key, value in pairs}
