"""The targets a user can build, each a state plus its OCI image config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from frontend.declaration import AppOptions, DeclarationError
from frontend.llb import State
from frontend.plan.app import APP_PATH, AppPlan
from frontend.plan.graph import (
    LAUNCHER_PATH,
    METACALL_PATH,
    METACALL_RUNTIME_ENV,
    SCRIPTS_PATH,
    BuildGraph,
)
from frontend.plan.recipe import recipe_for

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TARGETS: Mapping[str, str] = {
    "deps": "core's build dependencies for the declared languages",
    "dev": "core compiled and installed with the declared loaders",
    "runtime": "runtime libraries and MetaCall's installed files only (default)",
    "cli": "the runtime plus metacallcli as the entrypoint (needs node)",
    "app": "the runtime plus the app, its dependencies and a launcher (default with an app)",
}
DEFAULT_TARGET = "runtime"
APP_TARGET = "app"


@dataclass(frozen=True)
class Target:
    name: str
    state: State
    config: dict[str, Any]
    # States that must build for the target to be returned (none in the image).
    checks: tuple[State, ...] = ()


@dataclass(frozen=True)
class AppSource:
    """The app to build and what the context holds."""

    plan: AppPlan
    files: frozenset[str]
    declaration_file: str


def build_target(
    graph: BuildGraph,
    name: str,
    *,
    base_config: Mapping[str, Any],
    base_ref: str,
    core_source: str,
    core_version: str,
    app: AppSource | None = None,
) -> Target:
    builders: dict[str, Callable[[], State]] = {
        "deps": lambda: graph.deps(graph.languages),
        "dev": lambda: graph.dev,
        "runtime": lambda: graph.runtime,
        "cli": lambda: graph.cli,
    }
    checks: tuple[State, ...] = ()
    if name == APP_TARGET and app is not None:
        built = graph.app(app.plan, app.files, app.declaration_file)
        state = built.image
        if built.smoke_check is not None:
            checks = (built.smoke_check,)
    elif name in builders:
        state = builders[name]()
    else:
        hint = " (the app target needs an `app` key or MetaCall manifests)" if (
            name == APP_TARGET) else ""
        known = [*builders, APP_TARGET] if app is not None else list(builders)
        raise DeclarationError(f"unknown target `{name}`{hint}; targets: {', '.join(known)}")
    config = image_config(graph, name, base_config, base_ref, core_source, core_version)
    if name == APP_TARGET:
        _apply_app(config["config"], graph.declaration.app)
    return Target(name, state, config, checks)


def _apply_app(config: dict[str, Any], options: AppOptions | None) -> None:
    env = _env_map(config["Env"])
    env["LOADER_SCRIPT_PATH"] = APP_PATH
    config["WorkingDir"] = APP_PATH
    config["Entrypoint"] = [LAUNCHER_PATH]
    config.pop("Cmd", None)
    if options is not None:
        env.update(options.env)
        config["Labels"].update(options.labels)
        if options.command:
            config["Entrypoint"] = list(options.command)
        if options.expose:
            config["ExposedPorts"] = {
                port if "/" in port else f"{port}/tcp": {} for port in options.expose
            }
        if options.user:
            config["User"] = options.user
    config["Env"] = [f"{key}={value}" for key, value in env.items()]


def image_config(
    graph: BuildGraph,
    target: str,
    base_config: Mapping[str, Any],
    base_ref: str,
    core_source: str,
    core_version: str,
) -> dict[str, Any]:
    base = dict(base_config.get("config") or {})
    # Images without a PATH get Docker's default, as Dockerfile builds do.
    env = {"PATH": DEFAULT_PATH, **_env_map(base.get("Env") or [])}
    if target in ("runtime", "cli", "dev", APP_TARGET):
        env.update(METACALL_RUNTIME_ENV)
        for tag in graph.tags:
            env.update(dict(recipe_for(tag).runtime_env))
    languages = ",".join(graph.languages)
    config: dict[str, Any] = {
        "Env": [f"{key}={value}" for key, value in env.items()],
        "WorkingDir": METACALL_PATH if target in ("deps", "dev") else SCRIPTS_PATH,
        "Labels": {
            **(base.get("Labels") or {}),
            "org.opencontainers.image.title": f"MetaCall {target} ({languages})",
            "org.opencontainers.image.description": f"MetaCall {target}: {TARGETS[target]}",
            "org.opencontainers.image.base.name": base_ref,
            "io.metacall.languages": languages,
            "io.metacall.core.source": core_source,
            "io.metacall.core.version": core_version,
            "io.metacall.target": target,
        },
    }
    if target in ("cli", APP_TARGET):
        config["Entrypoint"] = ["metacallcli"]
    elif base.get("Cmd"):
        config["Cmd"] = base["Cmd"]
    return {
        "architecture": base_config.get("architecture", "amd64"),
        "os": base_config.get("os", "linux"),
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": []},
    }


def _env_map(env: list[str]) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in env if "=" in item)
    return {key: value for key, value in pairs}
