"""The app's image: the runtime, the CLI, a layer per language of the app's
dependencies, then the app's own files on top; and the smoke check that
loads every script before the image is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontend.llb import BindMount, CacheMount, SecretMount, State
from frontend.plan.app import AppPlan
from frontend.plan.compose import FilesLayer, InstalledFiles, compose
from frontend.plan.layout import APP_PATH, LAUNCHER_PATH
from frontend.plan.recipe import recipe_for
from frontend.plan.runtime import Runtime
from frontend.plan.shell import APT_CLEAN, apt_install, launcher, smoke_check


@dataclass(frozen=True)
class AppImage:
    """The app's image, and the check that must pass before it is returned
    (None when the declaration turns the smoke check off)."""

    image: State
    smoke_check: State | None


@dataclass(frozen=True)
class AppSource:
    """The app to build and what the context holds."""

    plan: AppPlan
    files: frozenset[str]
    declaration_file: str


def dependency_layer(runtime: Runtime, tag: str, manifest: str,
                     present: frozenset[str]) -> InstalledFiles:
    """The app's dependencies of one language, installed on a branch that
    has the installer (pip, npm, bundler): only what the install wrote
    reaches the image, and only the manifest's content keys its cache."""
    installer = recipe_for(tag).installer
    build = runtime.core.language(tag)
    context = runtime.core.inputs.context
    if installer is None or context is None:
        raise ValueError(f"no installer for {tag}, or no build context")
    with_installer = build.run(
        runtime.core.inputs.base,
        f"apt-get update && {apt_install(installer.packages)} && {APT_CLEAN}",
        name=f"install {' and '.join(installer.packages)}",
    )
    inputs = [manifest, *(lock for lock in installer.locks if lock in present)]
    prepared = with_installer.copy(context, "/", APP_PATH, include=inputs,
                                   name=f"[{tag}] add {', '.join(inputs)}")
    command = installer.command(manifest, present)
    tool = " ".join(command.split()[:2])
    installed = build.run(
        prepared, command, name=f"install the app's dependencies with `{tool}`", cwd=APP_PATH,
        mounts=[
            *(CacheMount(dest=cache, cache_id=f"metacall-{tag}{cache.replace('/', '-')}")
              for cache in installer.caches),
            *(SecretMount(dest=path, secret_id=secret_id)
              for secret_id, path in installer.secrets),
        ],
    )
    return InstalledFiles(f"[{tag}] app dependencies", prepared, installed, installer.paths)


def app_image(runtime: Runtime, app: AppSource, *, smoke_check_on: bool) -> AppImage:
    context = runtime.core.inputs.context
    assert context is not None, "an app is built from a build context"
    plan = app.plan
    dependencies = [dependency_layer(runtime, tag, manifest, app.files)
                    for tag, manifest in plan.dependencies.items()]
    # The launcher's and the smoke check's metacallcli comes with the CLI files.
    assembled = runtime.assemble([*runtime.files(), runtime.cli_files(), *dependencies],
                                 name="app")
    app_files = State().copy(
        context, "/", APP_PATH, exclude=[app.declaration_file, ".git"],
        name="[app] add the app's files",
    ).mkdir("/usr/local/bin", name="[app] create /usr/local/bin").mkfile(
        LAUNCHER_PATH, launcher(plan.scripts), mode=0o755, name="[app] write the launcher",
    )
    # The app's files go on top of the finished image: editing a script
    # re-runs only this merge and the smoke check.
    image = compose(assembled, [FilesLayer("[app] add", app_files, (APP_PATH, LAUNCHER_PATH))],
                    merge_diff=runtime.core.inputs.merge_diff,
                    name="[app] add the app to the image")
    if not smoke_check_on:
        return AppImage(image, None)
    # The check mounts the app's files on the assembled image instead of
    # running on the image: it starts without waiting for the merge, and
    # what the loaders write (__pycache__) stays out of the image. The mount
    # hides dependencies installed inside the app directory (node_modules),
    # so those are mounted again on top of it; it is writable (writes
    # discarded) for runc to make their mount points.
    mounts = [BindMount(dest=APP_PATH, source=app_files, selector=APP_PATH, readonly=False)]
    mounts += [BindMount(dest=path, source=layer.after, selector=path)
               for layer in dependencies for path in layer.paths
               if path.startswith(f"{APP_PATH}/")]
    check = runtime.core.steps.run(
        assembled, smoke_check(plan.scripts),
        name="[app] smoke check: load every script with MetaCall", cwd=APP_PATH,
        mounts=mounts, network=False,
    )
    return AppImage(image, check)
