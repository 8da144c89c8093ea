"""The app's image: the runtime, the CLI, a layer per dependency file, then
the app's own files on top; and the smoke check that loads every script
before the image is returned.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from frontend.llb import BindMount, CacheMount, SecretMount, State
from frontend.plan.app import AppPlan, Dependency
from frontend.plan.compose import FilesLayer, InstalledFiles, compose
from frontend.plan.layout import APP_PATH, APP_USER, LAUNCHER_PATH
from frontend.plan.recipe import recipe_for
from frontend.plan.runtime import Runtime
from frontend.plan.shell import ADD_APP_USER, APT_CLEAN, apt_install, launcher, within_limit
from frontend.plan.smoke_check import SMOKE_CHECK, smoke_check_args


@dataclass(frozen=True)
class AppImage:
    """The app's image, and the check that must pass before it is returned
    (None when the declaration turns the smoke check off)."""

    image: State
    smoke_check: State | None


@dataclass(frozen=True)
class AppSource:
    """The app to build, and where its files come from."""

    plan: AppPlan
    # The app's files (what .dockerignore lets through), and the dependency
    # files alone, which the installs read whatever .dockerignore says.
    files: State
    dependency_files: State
    # Every dependency file and lockfile the context holds.
    present: frozenset[str]
    declaration_file: str


def dependency_layer(runtime: Runtime, dependency: Dependency, app: AppSource,
                     limit: int) -> InstalledFiles:
    """One dependency file's install, in its own folder of the app, on a
    branch that has the installer (pip, npm, bundler): only what the install
    wrote reaches the image, and only the file (and its lockfile) keys its
    cache. The install (which runs the app's own build scripts) stops after
    `limit` seconds."""
    tag = dependency.language
    installer = recipe_for(tag).installer
    if installer is None:
        raise ValueError(f"no installer for {tag}")
    build = runtime.core.language(tag)
    folder = dependency.folder
    beside = frozenset(posixpath.basename(path) for path in app.present
                       if posixpath.dirname(path) == folder)
    inputs = [dependency.file, *(posixpath.join(folder, lock) for lock in installer.locks
                                 if lock in beside)]
    with_installer = build.run(
        runtime.core.inputs.base,
        f"{apt_install(installer.packages)} && {APT_CLEAN}",
        name=f"install {' and '.join(installer.packages)}",
    )
    prepared = with_installer.copy(app.dependency_files, "/", APP_PATH, include=inputs,
                                   name=f"[{tag}] add {', '.join(inputs)}")
    name = posixpath.basename(dependency.file)
    command = installer.command(name, beside)
    tool = installer.tool_of(command)
    where = posixpath.join(APP_PATH, folder) if folder else APP_PATH
    installed = build.run(
        prepared, within_limit(command), name=f"install {dependency.file} with `{tool}`",
        cwd=where, args=[str(limit), dependency.file, name],
        mounts=[
            *(CacheMount(dest=path, cache_id=cache_id)
              for path, cache_id in installer.cache_mounts(tag)),
            *(SecretMount(dest=path, secret_id=secret_id)
              for secret_id, path in installer.secrets),
        ],
    )
    paths = tuple(posixpath.join(where, path) for path in installer.paths)
    return InstalledFiles(f"[{tag}] dependencies from {dependency.file}", prepared, installed,
                          paths)


def app_image(runtime: Runtime, app: AppSource, *, user: str, env: Sequence[str],
              install_limit: int, smoke_check_limit: int | None,
              checks: Sequence[tuple[str, str, str]] = ()) -> AppImage:
    """`user` and `env`: who the app runs as, with what environment (the
    smoke check too); `install_limit`: how long a dependency file's install
    may take; `smoke_check_limit`: how long a script may take to load (None:
    no check); `checks`: (where, call, expected text) the check then makes."""
    plan = app.plan
    dependencies = [dependency_layer(runtime, dependency, app, install_limit)
                    for dependency in plan.dependencies]
    # The launcher's and the smoke check's metacallcli comes with the CLI files.
    assembled = runtime.core.steps.run(
        runtime.assemble(dependencies, cli=True, name="app"),
        ADD_APP_USER, name=f"[app] add the user {APP_USER}", network=False,
    )
    # Installed dependencies replace what the context has in their place
    # (node_modules beside package.json).
    replaced = [posixpath.relpath(path, APP_PATH) for layer in dependencies
                for path in layer.paths if path.startswith(f"{APP_PATH}/")]
    app_files = State().copy(
        app.files, "/", APP_PATH, exclude=[app.declaration_file, *replaced],
        name="[app] add the app's files",
    ).mkdir("/usr/local/bin", name="[app] create /usr/local/bin").mkfile(
        LAUNCHER_PATH, launcher(plan.loads), mode=0o755, name="[app] write the launcher",
    )
    # The app's files go on top of the finished image: editing a script
    # re-runs only this merge and the smoke check.
    image = compose(assembled, [FilesLayer("[app] add", app_files, (APP_PATH, LAUNCHER_PATH))],
                    merge_diff=runtime.core.inputs.merge_diff,
                    name="[app] add the app to the image")
    if smoke_check_limit is None:
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
        assembled, SMOKE_CHECK, args=smoke_check_args(plan.loads, smoke_check_limit, checks),
        name="[app] smoke check: load every script with MetaCall", cwd=APP_PATH,
        mounts=mounts, network=False, user=user, env=env,
    )
    return AppImage(image, check)
