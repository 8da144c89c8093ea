"""The app's image: the runtime, the CLI, a layer per dependency file, then
the app's own files on top; and the smoke check that loads every script
before the image is returned.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from frontend.llb import BindMount, CacheMount, SecretMount, State
from frontend.plan.app import AppPlan, Dependency
from frontend.plan.compose import FilesLayer, InstalledFiles, compose
from frontend.plan.layout import APP_PATH, APP_USER, LAUNCHER_PATH
from frontend.plan.recipe import recipe_for
from frontend.plan.runtime import Runtime
from frontend.plan.serving import SERVER_DIR, SERVER_SCRIPT, Serving
from frontend.plan.shell import ADD_APP_USER, launcher, within_limit
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


@dataclass(frozen=True)
class DependencyLayers:
    """What one dependency file adds: its installed dependencies, and what
    the app's build script wrote (on top of the app's files)."""

    installed: InstalledFiles
    built: InstalledFiles | None = None


def dependency_layers(runtime: Runtime, dependency: Dependency, app: AppSource,
                      limit: int) -> DependencyLayers:
    """One dependency file's install, in its own folder of the app, on a
    branch that has the installer (pip, npm, bundler): only what the install
    wrote reaches the image, and only the file (and its lockfile) keys its
    cache. The install (which runs the packages' own scripts) stops after
    `limit` seconds; so does the app's build script, which runs offline on
    the app's files of that folder."""
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
    with_installer = build.run(runtime.with_libraries(tag), installer.install_script(),
                               name=f"install {installer.title}",
                               mounts=installer.install_mounts())
    prepared = with_installer.copy(app.dependency_files, "/", APP_PATH, include=inputs,
                                   name=f"[{tag}] add {', '.join(inputs)}")
    name = posixpath.basename(dependency.file)
    command = installer.command(name, beside, dependency.build is not None)
    where = posixpath.join(APP_PATH, folder) if folder else APP_PATH
    caches = [CacheMount(dest=path, cache_id=cache_id)
              for path, cache_id in installer.cache_mounts(tag)]
    installed = build.run(
        prepared, within_limit(command.script),
        name=f"install {dependency.file} with `{command.tool}`",
        cwd=where, args=[str(limit), dependency.file, name],
        mounts=[*caches, *(SecretMount(dest=path, secret_id=secret_id)
                           for secret_id, path in installer.secrets)],
    )
    paths = tuple(posixpath.join(where, path) for path in installer.paths)
    title = f"[{tag}] dependencies from {dependency.file}"
    if dependency.build is None or installer.prune is None:
        return DependencyLayers(InstalledFiles(title, prepared, installed, paths))
    # The build reads the app's files of the folder, with every dependency
    # mounted where the install put them (what the build writes there is
    # thrown away); the image gets what it wrote in the folder, and the
    # dependencies pruned to what runs.
    sources = with_installer.copy(app.files, f"/{folder}", where,
                                  exclude=[app.declaration_file, *installer.paths],
                                  name=f"[{tag}] add the app's files in {folder or '.'}")
    built = build.run(
        sources, within_limit(f"{dependency.build}{_check_outputs(dependency)}",
                              doing="building the app beside"),
        name=f"build the app in {folder or '.'} with `{dependency.build}`", cwd=where,
        args=[str(limit), dependency.file], network=False,
        mounts=[BindMount(dest=path, source=installed, selector=path, readonly=False)
                for path in paths],
    )
    # Offline: what the prune reads of the registry, the install cached.
    # (pnpm and Yarn reinstall, running the packages' scripts: a limit too.)
    prune = installer.prune(beside)
    pruned = build.run(installed, within_limit(prune.script, doing="pruning"),
                       name=f"prune {dependency.file} with `{prune.tool}`", cwd=where,
                       args=[str(limit), dependency.file], network=False, mounts=caches)
    return DependencyLayers(InstalledFiles(title, prepared, pruned, paths),
                            InstalledFiles(f"[{tag}] built in {folder or '.'}", sources, built,
                                           (where,)))


def _check_outputs(dependency: Dependency) -> str:
    """Shell that fails, saying which manifest named it, where the build
    did not write a script to load."""
    return "".join(f" && {{ [ -e {shlex.quote(output.path)} ] || "
                   f"{{ echo {shlex.quote(output.missing)} >&2; exit 1; }}; }}"
                   for output in dependency.outputs)


def app_image(runtime: Runtime, app: AppSource, *, user: str, env: Sequence[str],
              install_limit: int, smoke_check_limit: int | None,
              checks: Sequence[tuple[str, str, str]] = (),
              serving: Serving | None = None) -> AppImage:
    """`user` and `env`: who the app runs as, with what environment (the
    smoke check too); `install_limit`: how long a dependency file's install
    may take; `smoke_check_limit`: how long a script may take to load (None:
    no check); `checks`: (where, call, expected text) the check then makes;
    `serving`: how the image serves the app, if not through the REPL (the
    smoke check then loads the server too, on a free port)."""
    plan = app.plan
    layers = [dependency_layers(runtime, dependency, app, install_limit)
              for dependency in plan.dependencies]
    dependencies = [layer.installed for layer in layers]
    built = [layer.built for layer in layers if layer.built is not None]
    # The launcher's and the smoke check's metacallcli comes with the CLI files.
    assembled = runtime.core.steps.run(
        runtime.assemble(dependencies, cli=True, name="app"),
        ADD_APP_USER, name=f"[app] add the user {APP_USER}", network=False,
    )
    # Installed dependencies replace what the context has in their place
    # (node_modules beside package.json).
    replaced = [posixpath.relpath(path, APP_PATH) for layer in dependencies
                for path in layer.paths if path.startswith(f"{APP_PATH}/")]
    server = None if serving is None else SERVER_SCRIPT
    app_files = State().copy(
        app.files, "/", APP_PATH, exclude=[app.declaration_file, *replaced],
        name="[app] add the app's files",
    ).mkdir("/usr/local/bin", name="[app] create /usr/local/bin").mkfile(
        LAUNCHER_PATH, launcher(plan.loads, server), mode=0o755,
        name="[app] write the launcher",
    )
    paths: tuple[str, ...] = (APP_PATH, LAUNCHER_PATH)
    if serving is not None:
        app_files = serving.add_files(app_files, plan.loads)
        paths += (SERVER_DIR,)
    if built:  # what the build scripts wrote wins over the context's files
        app_files = compose(app_files, built, merge_diff=runtime.core.inputs.merge_diff,
                            name="[app] add what the build scripts wrote")
    # The app's files go on top of the finished image: editing a script
    # re-runs only this merge and the smoke check (and the build scripts).
    image = compose(assembled, [FilesLayer("[app] add", app_files, paths)],
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
    loads = plan.loads
    if serving is not None:
        mounts.append(BindMount(dest=SERVER_DIR, source=app_files, selector=SERVER_DIR))
        loads = [*loads, ("node", SERVER_SCRIPT)]
        # Any free port of the check's own network.
        env = [*(item for item in env if not item.startswith("PORT=")), "PORT=0"]
    check = runtime.core.steps.run(
        assembled, SMOKE_CHECK, args=smoke_check_args(loads, smoke_check_limit, checks),
        name="[app] smoke check: load every script with MetaCall", cwd=APP_PATH,
        mounts=mounts, network=False, user=user, env=env,
    )
    return AppImage(image, check)
