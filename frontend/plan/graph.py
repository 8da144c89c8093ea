"""The MetaCall build graph: one LLB branch per language, merged.

- deps-base  = base + core source + `metacall-environment.sh base backtrace`
- deps-<L>   = deps-base + `metacall-environment.sh <L>`
- dev-<L>    = deps-<L> + configure + build + install (runtime, then cli, then all)
- runtime-<L> = base + `metacall-runtime.sh <L>`
- runtime    = Merge(base, Diff(base, runtime-<L>)…, Diff(built-<L>, installed-<L>)…)

The installed files are a Diff around core's install step only, narrowed to
the install paths, so no compiler, header, source or build tree reaches the
runtime image. An app adds, per language, the diff around its dependency
install, then its own files on top. Without MergeOp/DiffOp the same
filesystem is built with chained steps and copies.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from frontend.declaration import Declaration, DeclarationError
from frontend.llb import BindMount, CacheMount, Mount, SecretMount, SourceRange, State, diff, merge
from frontend.pb import llb_pb2 as pb
from frontend.plan.app import APP_PATH, AppPlan
from frontend.plan.recipe import recipe_for, with_requirements
from frontend.plan.shell import (
    APT_CLEAN,
    APT_DEPENDENCY,
    CA_PREAMBLE,
    CA_SECRET_ID,
    CA_SECRET_PATH,
    CONFIGURATION_DIR,
    DPKG_STATUS_DIR,
    FINISH_RUNTIME,
    SCRIPTS_PATH,
    apt_install,
    launcher,
    smoke_check,
)

METACALL_PATH = "/usr/local/metacall"
BUILD_PATH = f"{METACALL_PATH}/build"
# Where sources given as named contexts are built (plthook, a recipe's
# library), and what a library stages for its runtime branch.
LIBRARY_SOURCES_PATH = "/usr/local/src"
PLTHOOK_PATH = f"{LIBRARY_SOURCES_PATH}/plthook"
LIBRARY_STAGE_PATH = f"{LIBRARY_SOURCES_PATH}/stage"
LAUNCHER_PATH = "/usr/local/bin/metacall-app"

# Debian packages that stand in for core's GitHub downloads at configure time.
CORE_BUILD_PACKAGES = ("rapidjson-dev", "libbackward-cpp-dev", "googletest")
CORE_CMAKE_DEFINITIONS = (
    "-DBackwardCpp_SOURCE=/usr/lib/backward",
    "-DFETCHCONTENT_SOURCE_DIR_GOOGLETEST=/usr/src/googletest",
)

# Where core's install components write (under the install prefix).
RUNTIME_INSTALL_PATHS = ("/usr/local/lib", "/usr/local/share/metacall")
CLI_INSTALL_PATHS = ("/usr/local/bin",)

# What MetaCall reads at run time (as core's own runtime image sets it).
METACALL_RUNTIME_ENV = {
    "LOADER_LIBRARY_PATH": "/usr/local/lib",
    "LOADER_SCRIPT_PATH": SCRIPTS_PATH,
    "CONFIGURATION_PATH": f"{CONFIGURATION_DIR}/global.json",
    "SERIAL_LIBRARY_PATH": "/usr/local/lib",
    "DETOUR_LIBRARY_PATH": "/usr/local/lib",
    "PORT_LIBRARY_PATH": "/usr/local/lib",
}


@dataclass(frozen=True)
class BuildInputs:
    """Everything outside the declaration that the graph is built from."""

    base: State
    base_env: tuple[str, ...]
    core_source: State
    plthook: State | None
    platform: pb.Platform
    # Named contexts that may stand in for a library a loader's CMake
    # downloads (a recipe's library_context), by name.
    libraries: Mapping[str, State] = field(default_factory=dict)
    # The build context holding the user's app, when there is one.
    context: State | None = None
    # False where BuildKit cannot run MergeOp/DiffOp (Docker's classic image
    # store): the same filesystem is then built with chained steps and copies.
    merge_diff: bool = True


@dataclass(frozen=True)
class CoreBuild:
    """The states of one configure/build/install of core."""

    label: str
    built: State
    runtime_installed: State
    cli_installed: State
    dev: State
    runtime_paths: tuple[str, ...]

    @property
    def runtime_files(self) -> InstalledFiles:
        return InstalledFiles(f"[{self.label}] files installed for the runtime",
                              self.built, self.runtime_installed, self.runtime_paths)

    @property
    def cli_files(self) -> InstalledFiles:
        return InstalledFiles(f"[{self.label}] files installed for the CLI",
                              self.runtime_installed, self.cli_installed, CLI_INSTALL_PATHS)


@dataclass(frozen=True)
class AppImage:
    """The app's image, and the check that must pass before it is returned
    (None when the declaration turns the smoke check off)."""

    image: State
    smoke_check: State | None


@dataclass(frozen=True)
class InstalledFiles:
    """What one install step wrote: the diff from `before` to `after`, which
    lies under `paths` (what the copy fallback copies)."""

    name: str
    before: State
    after: State
    paths: tuple[str, ...]


class BuildGraph:
    def __init__(
        self,
        declaration: Declaration,
        inputs: BuildInputs,
        locations: Mapping[str, SourceRange] | None = None,
    ) -> None:
        self.declaration = declaration
        self.inputs = inputs
        self.locations = dict(locations or {})
        if declaration.languages is None:
            raise DeclarationError("`languages` is required", 1)
        self.languages: tuple[str, ...] = declaration.languages
        self.tags = with_requirements(self.languages)
        self.build_type = declaration.core.build_type
        self._core_builds: dict[tuple[str, ...], CoreBuild] = {}

    # Steps ----------------------------------------------------------------

    def _run(
        self,
        state: State,
        script: str,
        *,
        name: str,
        tag: str | None = None,
        cwd: str = "/",
        mounts: Sequence[Mount] = (),
        network: bool = True,
    ) -> State:
        all_mounts = list(mounts)
        if network:
            script = CA_PREAMBLE + script
            all_mounts += [
                SecretMount(dest=CA_SECRET_PATH, secret_id=CA_SECRET_ID),
                CacheMount(dest="/var/cache/apt/archives", cache_id="metacall-apt-archives"),
            ]
        return state.run(
            ["/bin/sh", "-c", script],
            name=name,
            env=(*self.inputs.base_env, "DEBIAN_FRONTEND=noninteractive"),
            cwd=cwd,
            mounts=all_mounts,
            network=pb.UNSET if network else pb.NONE,
            platform=self.inputs.platform,
            location=self.locations.get(tag or ""),
        )

    def _tools(self, *options: str) -> str:
        return " ".join(shlex.quote(o) for o in (self.build_type, *options))

    # deps -----------------------------------------------------------------

    @cached_property
    def deps_base(self) -> State:
        state = self.inputs.base.copy(
            self.inputs.core_source, "/", METACALL_PATH,
            name="[core] add MetaCall core source", exclude=[".git", "build"],
        )
        state = self._run(
            state,
            f"tools/metacall-environment.sh {self._tools('base', 'backtrace')} && "
            + apt_install(CORE_BUILD_PACKAGES),
            name="[core] install build dependencies",
            cwd=METACALL_PATH,
        )
        definitions = [*CORE_CMAKE_DEFINITIONS]
        if self.inputs.plthook is not None:
            state = state.copy(
                self.inputs.plthook, "/", PLTHOOK_PATH, name="[core] add plthook sources"
            )
            definitions.append(f"-DPLTHook_SOURCE_DIR={PLTHOOK_PATH}")
        definitions += self.declaration.core.cmake_options
        state = state.mkdir(BUILD_PATH, name="[core] create build directory")
        return state.mkfile(
            f"{BUILD_PATH}/CMakeConfig.txt",
            ("\n".join(definitions) + "\n").encode(),
            name="[core] write CMake options",
        )

    def deps(self, tags: Sequence[str]) -> State:
        state = self.deps_base
        for tag in with_requirements(tuple(tags)):
            recipe = recipe_for(tag)
            if recipe.environment_packages:
                script = apt_install(recipe.environment_packages)
            else:
                script = f"tools/metacall-environment.sh {self._tools(recipe.script_option)}"
            if recipe.build_packages:
                script += " && " + apt_install(recipe.build_packages)
            if recipe.cmake_definitions:
                words = " ".join(shlex.quote(d) for d in recipe.cmake_definitions)
                script += f" && printf '%s\\n' {words} >> {BUILD_PATH}/CMakeConfig.txt"
            state = self._run(
                state, script, name=f"[{tag}] install build dependencies", tag=tag,
                cwd=METACALL_PATH,
            )
            library = self.inputs.libraries.get(recipe.library_context)
            if library is not None:
                source = f"{LIBRARY_SOURCES_PATH}/{recipe.library_context}"
                state = self._run(
                    state.copy(library, "/", source,
                               name=f"[{tag}] add {recipe.library_context} sources"),
                    f"STAGE={LIBRARY_STAGE_PATH} && {recipe.library_build}",
                    name=f"[{tag}] build {recipe.library_context}", tag=tag, cwd=source,
                )
        return state

    # dev ------------------------------------------------------------------

    def core_build(self, tags: Sequence[str]) -> CoreBuild:
        tags = with_requirements(tuple(tags))
        known = self._core_builds.get(tags)
        if known is not None:
            return known
        label = "+".join(tags)
        tag = tags[-1]
        options = [recipe_for(t).script_option for t in tags]
        core = self.declaration.core
        options += [flag for flag, wanted in (("ports", core.ports), ("tests", core.tests))
                    if wanted]
        configured = self._run(
            self.deps(tags),
            f"../tools/metacall-configure.sh {self._tools(*options)}",
            name=f"[{label}] configure MetaCall core", tag=tag, cwd=BUILD_PATH,
        )
        # cmake --build, not metacall-build.sh: that script always runs ctest.
        built = self._run(
            configured, 'cmake --build . -j "$(nproc)"',
            name=f"[{label}] build MetaCall core", tag=tag, cwd=BUILD_PATH,
        )

        if core.tests:
            # Offline: some of core's tests reach the internet and would hang.
            built = self._run(
                built, 'ctest -j "$(nproc)" --timeout 600 --output-on-failure',
                name=f"[{label}] run MetaCall core's tests", tag=tag, cwd=BUILD_PATH,
                network=False,
            )

        def install(state: State, components: Sequence[str], what: str) -> State:
            commands = [f"cmake --install . --component {c}" for c in components]
            return self._run(
                state,
                " && ".join(commands or ["cmake --install ."]) + " && rm -f install_manifest*.txt",
                name=f"[{label}] install MetaCall {what}", tag=tag, cwd=BUILD_PATH,
                # The py port installs itself with pip.
                network=core.ports,
            )

        # Core installs its plugins (backtrace, the CLI's REPL) with no component.
        runtime_installed = install(built, ["runtime", "Unspecified"], "runtime files")
        cli_installed = install(runtime_installed, ["cli"], "CLI")
        dev = install(cli_installed, [], "development files")
        extra_paths = [path for t in tags for path in recipe_for(t).runtime_install_paths]
        runtime_paths = tuple(dict.fromkeys([*RUNTIME_INSTALL_PATHS, *extra_paths]))
        result = CoreBuild(label, built, runtime_installed, cli_installed, dev, runtime_paths)
        self._core_builds[tags] = result
        return result

    # runtime --------------------------------------------------------------

    def runtime_branch(self, tag: str | None, on: State) -> State:
        """`on` + the runtime packages of one language (or, for None, of core)."""
        recipe = recipe_for(tag) if tag else None
        if recipe and recipe.runtime_packages:
            install = (
                f"{APT_DEPENDENCY} apt-get update && " + apt_install(recipe.runtime_packages)
            )
            if recipe.runtime_setup:
                install += f" && {recipe.runtime_setup}"
            mounts: list[Mount] = []
        else:
            option = recipe.script_option if recipe else "backtrace"
            # `clean` removes the wget and gpg the script installs for itself.
            install = (
                f"{METACALL_PATH}/tools/metacall-runtime.sh {self._tools(option, 'clean')} "
                "&& apt-get autoremove -y"
            )
            mounts = [BindMount(dest=f"{METACALL_PATH}/tools", source=self.inputs.core_source,
                                selector="/tools")]
        branch = tag or "core"
        state = self._run(
            on,
            f"{install} && {APT_CLEAN} && mkdir -p {DPKG_STATUS_DIR} "
            f"&& cp /var/lib/dpkg/status {DPKG_STATUS_DIR}/{branch}",
            name=f"[{branch}] install runtime libraries", tag=tag, cwd="/tmp", mounts=mounts,
        )
        if recipe and recipe.library_context in self.inputs.libraries:
            staged = f"{LIBRARY_STAGE_PATH}/usr/local/lib"
            state = state.copy(self.deps((recipe.tag,)), staged, "/usr/local/lib",
                               name=f"[{branch}] add {recipe.library_context}'s runtime files")
        return state

    def assemble(self, installed: Sequence[InstalledFiles], *, name: str) -> State:
        """base + every language's runtime packages + the files core installed."""
        base = self.inputs.base
        branches = (None, *self.tags)
        if self.inputs.merge_diff:
            layers = [base]
            layers += [diff(base, self.runtime_branch(tag, base),
                            name=f"[{tag or 'core'}] runtime libraries") for tag in branches]
            layers += [self._installed_layer(files) for files in installed]
            state = merge(layers, name=f"[{name}] merge language layers")
        else:
            state = base
            for tag in branches:
                state = self.runtime_branch(tag, state)
            for files in installed:
                for path in files.paths:
                    state = state.copy(files.after, path, path, name=f"{files.name}: {path}")
        state = state.mkfile(
            f"{CONFIGURATION_DIR}/global.json", self.global_configuration(),
            name=f"[{name}] write global.json for every loader",
        )
        return self._run(
            state, FINISH_RUNTIME,
            name=f"[{name}] link loader libraries, merge package lists", network=False,
        )

    @staticmethod
    def _installed_layer(files: InstalledFiles) -> State:
        """Exactly what an install step wrote under its paths: the diff around
        the step, narrowed to them, since an install can also write elsewhere
        (the py port's pip install builds inside core's source tree)."""
        changes = diff(files.before, files.after, name=files.name)
        return State().copy(
            changes, "/", "/", include=[path.lstrip("/") for path in files.paths],
            name=f"{files.name}: {', '.join(files.paths)}",
        )

    def global_configuration(self) -> bytes:
        """global.json naming every declared loader: each branch installed one
        naming only its own, and a merge keeps just the last of them."""
        config: dict[str, str] = {
            f"{tag}_loader": f"{CONFIGURATION_DIR}/{tag}_loader.json"
            for tag in self.tags
            if recipe_for(tag).has_configuration
        }
        config["log_level"] = "Debug" if self.build_type == "debug" else "Error"
        return (json.dumps(config, indent=1, sort_keys=True) + "\n").encode()

    def runtime_files(self) -> list[InstalledFiles]:
        return [self.core_build((tag,)).runtime_files for tag in self.languages]

    @cached_property
    def runtime(self) -> State:
        return self.assemble(self.runtime_files(), name="runtime")

    @cached_property
    def cli(self) -> State:
        if "node" not in self.languages:
            where = self.locations.get("languages")
            raise DeclarationError(
                "the cli target needs `node` in `languages`: MetaCall builds metacallcli "
                "only with the Node.js loader",
                where.start_line if where else 0,
            )
        cli_files = self.core_build(("node",)).cli_files
        return self.assemble([*self.runtime_files(), cli_files], name="cli")

    # app -----------------------------------------------------------------

    def dependency_layer(self, tag: str, manifest: str, present: frozenset[str]) -> InstalledFiles:
        """The app's dependencies of one language, installed on a branch that
        has the installer (pip, npm, bundler): only what the install wrote
        reaches the image, and only the manifest's content keys its cache."""
        recipe = recipe_for(tag)
        assert self.inputs.context is not None
        installer = self._run(
            self.inputs.base,
            f"apt-get update && {apt_install(recipe.installer_packages)} && {APT_CLEAN}",
            name=f"[{tag}] install {' and '.join(recipe.installer_packages)}", tag=tag,
        )
        inputs = [manifest, *(lock for lock in recipe.dependency_locks if lock in present)]
        prepared = installer.copy(
            self.inputs.context, "/", APP_PATH, include=inputs,
            name=f"[{tag}] add {', '.join(inputs)}",
        )
        command = recipe.install_dependencies(manifest, present)
        tool = " ".join(command.split()[:2])
        installed = self._run(
            prepared, command,
            name=f"[{tag}] install the app's dependencies with `{tool}`", tag=tag, cwd=APP_PATH,
            mounts=[
                *(CacheMount(dest=cache, cache_id=f"metacall-{tag}{cache.replace('/', '-')}")
                  for cache in recipe.dependency_caches),
                *(SecretMount(dest=path, secret_id=secret_id)
                  for secret_id, path in recipe.dependency_secrets),
            ],
        )
        return InstalledFiles(f"[{tag}] app dependencies", prepared, installed,
                              recipe.dependency_paths)

    def app(self, plan: AppPlan, files: frozenset[str], declaration_file: str) -> AppImage:
        assert self.inputs.context is not None
        # metacallcli (the launcher's and the smoke check's) comes with node.
        dependencies = [self.dependency_layer(tag, manifest, files)
                        for tag, manifest in plan.dependencies.items()]
        layers = [*self.runtime_files(), self.core_build(("node",)).cli_files, *dependencies]
        app_files = State().copy(
            self.inputs.context, "/", APP_PATH, exclude=[declaration_file, ".git"],
            name="[app] add the app's files",
        ).mkdir("/usr/local/bin", name="[app] create /usr/local/bin").mkfile(
            LAUNCHER_PATH, launcher(plan), mode=0o755, name="[app] write the launcher",
        )
        # The app's files go on top of the finished image: editing a script
        # re-runs only this merge and the smoke check.
        assembled = self.assemble(layers, name="app")
        if self.inputs.merge_diff:
            image = merge([assembled, app_files], name="[app] add the app to the image")
        else:
            image = assembled
            for path in (APP_PATH, LAUNCHER_PATH):
                image = image.copy(app_files, path, path, name=f"[app] add {path}")
        if self.declaration.app is not None and not self.declaration.app.smoke_check:
            return AppImage(image, None)
        # The check mounts the app's files on the assembled image instead of
        # running on the image: it starts without waiting for the merge, and
        # what the loaders write (__pycache__) stays out of the image. The
        # mount hides dependencies installed inside the app directory
        # (node_modules), so those are mounted again on top of it; it is
        # writable (writes discarded) for runc to make their mount points.
        mounts = [BindMount(dest=APP_PATH, source=app_files, selector=APP_PATH, readonly=False)]
        mounts += [BindMount(dest=path, source=layer.after, selector=path)
                   for layer in dependencies for path in layer.paths
                   if path.startswith(f"{APP_PATH}/")]
        check = self._run(
            assembled, smoke_check(plan),
            name="[app] smoke check: load every script with MetaCall", cwd=APP_PATH,
            mounts=mounts, network=False,
        )
        return AppImage(image, check)

    @cached_property
    def dev(self) -> State:
        return self.core_build(self.languages).dev
