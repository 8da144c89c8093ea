"""MetaCall core's build: deps-base, deps-<L> and dev-<L>.

- deps-base  = base + core source + `metacall-environment.sh base backtrace`
- deps-<L>   = deps-base + each recipe's build dependencies
- built-base = deps-base + core configured without loaders, and built
- dev-<L>    = built-base + L's build dependencies + configure with L + build
               (only L's loader compiles: the rest is built-base's) + install
               (runtime, then cli, then all)

Core's common part compiles once for every language; each language's branch
still starts from what no other language changes. Each install is a step of
its own so the runtime takes, as a diff around it, only what that step wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from frontend.declaration import CoreOptions
from frontend.llb import State
from frontend.plan.compose import InstalledFiles
from frontend.plan.inputs import BuildInputs
from frontend.plan.layout import (
    BUILD_PATH,
    CLI_INSTALL_PATHS,
    METACALL_PATH,
    PLTHOOK_PATH,
    RUNTIME_INSTALL_PATHS,
)
from frontend.plan.recipe import LanguageSteps, recipe_for, with_requirements
from frontend.plan.shell import apt_install
from frontend.plan.steps import Steps
from frontend.sourcemap import SourceRange

# Debian packages that stand in for core's GitHub downloads at configure time.
CORE_BUILD_PACKAGES = ("rapidjson-dev", "libbackward-cpp-dev", "googletest")
CORE_CMAKE_DEFINITIONS = (
    "-DBackwardCpp_SOURCE=/usr/lib/backward",
    "-DFETCHCONTENT_SOURCE_DIR_GOOGLETEST=/usr/src/googletest",
    # A language's configure rewrites metacall_loaders.h, so its build
    # recompiles and relinks libmetacall; without this, everything linked to
    # it (plugins, serials, detours, ports, the CLI) would relink too, though
    # libmetacall's interface is the same and its users need no new link.
    "-DCMAKE_LINK_DEPENDS_NO_SHARED=ON",
)
CORE_LABEL = "core"


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


class CoreGraph:
    def __init__(
        self, options: CoreOptions, inputs: BuildInputs, locations: Mapping[str, SourceRange]
    ) -> None:
        self.options = options
        self.inputs = inputs
        self.steps = Steps(inputs.base_env, inputs.platform, locations, inputs.cache_namespace)
        self._builds: dict[tuple[str, ...], CoreBuild] = {}

    def language(self, label: str) -> LanguageSteps:
        """The steps of one language's branches (or, for "core", core's own)."""
        return LanguageSteps(
            label, self.steps, self.inputs.core_source, self.options.build_type,
            self.options.tests, self.inputs.libraries, lambda: self.deps((label,), self.built_base),
        )

    @cached_property
    def deps_base(self) -> State:
        core = self.language(CORE_LABEL)
        state = self.inputs.base.copy(
            self.inputs.core_source, "/", METACALL_PATH,
            name="[core] add MetaCall core source",
        )
        state = self.steps.run(
            state,
            core.core_tool("tools/metacall-environment.sh", "base", "backtrace") + " && "
            + apt_install(CORE_BUILD_PACKAGES),
            name="[core] install build dependencies", cwd=METACALL_PATH,
        )
        definitions = [*CORE_CMAKE_DEFINITIONS]
        if self.inputs.plthook is not None:
            state = state.copy(
                self.inputs.plthook, "/", PLTHOOK_PATH, name="[core] add plthook sources"
            )
            definitions.append(f"-DPLTHook_SOURCE_DIR={PLTHOOK_PATH}")
        definitions += self.options.cmake_options
        state = state.mkdir(BUILD_PATH, name="[core] create build directory")
        return state.mkfile(
            f"{BUILD_PATH}/CMakeConfig.txt",
            ("\n".join(definitions) + "\n").encode(),
            name="[core] write CMake options",
        )

    def deps(self, tags: Sequence[str], on: State | None = None) -> State:
        """`on` (deps-base) with the build dependencies of `tags`' loaders."""
        state = self.deps_base if on is None else on
        for tag in with_requirements(tags):
            state = recipe_for(tag).build_dependencies(state, self.language(tag))
        return state

    @cached_property
    def built_base(self) -> State:
        """Core's common part (no loader but the mock one), compiled once for
        every language's branch."""
        return self._compile(self.deps_base, (), label=CORE_LABEL, source=None)

    def _compile(self, state: State, tags: Sequence[str], *, label: str,
                 source: str | None) -> State:
        core = self.language(CORE_LABEL)
        options = [recipe_for(t).script_option for t in tags]
        options += [flag for flag, wanted in (("ports", bool(self.options.ports)),
                                              ("tests", self.options.tests)) if wanted]
        configured = self.steps.run(
            state, core.core_tool("../tools/metacall-configure.sh", *options),
            name=f"[{label}] configure MetaCall core", source=source, cwd=BUILD_PATH,
        )
        # cmake --build, not metacall-build.sh: that script always runs ctest.
        return self.steps.run(
            configured, 'cmake --build . -j "$(nproc)"',
            name=f"[{label}] build MetaCall core", source=source, cwd=BUILD_PATH,
        )

    def build(self, tags: Sequence[str]) -> CoreBuild:
        """core configured, built and installed with the loaders of `tags`."""
        tags = with_requirements(tags)
        known = self._builds.get(tags)
        if known is not None:
            return known
        label = "+".join(tags)
        last = tags[-1]
        built = self._compile(self.deps(tags, self.built_base), tags, label=label, source=last)
        if self.options.tests:
            # Offline: some of core's tests reach the internet and would hang.
            built = self.steps.run(
                built, 'ctest -j "$(nproc)" --timeout 600 --output-on-failure',
                name=f"[{label}] run MetaCall core's tests", source="core.tests",
                cwd=BUILD_PATH, network=False,
            )

        def install(state: State, components: Sequence[str], what: str) -> State:
            commands = [f"cmake --install . --component {c}" for c in components]
            return self.steps.run(
                state,
                " && ".join(commands or ["cmake --install ."]) + " && rm -f install_manifest*.txt",
                name=f"[{label}] install MetaCall {what}", source=last, cwd=BUILD_PATH,
                # The py port installs itself with pip.
                network=bool(self.options.ports),
            )

        # Core installs its plugins (backtrace, the CLI's REPL) with no component.
        runtime_installed = install(built, ["runtime", "Unspecified"], "runtime files")
        cli_installed = install(runtime_installed, ["cli"], "CLI")
        dev = install(cli_installed, [], "development files")
        extra_paths = [path for t in tags for path in recipe_for(t).runtime_install_paths]
        runtime_paths = tuple(dict.fromkeys([*RUNTIME_INSTALL_PATHS, *extra_paths]))
        result = CoreBuild(label, built, runtime_installed, cli_installed, dev, runtime_paths)
        self._builds[tags] = result
        return result
