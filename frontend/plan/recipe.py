"""The base of every language recipe: a MetaCall loader's part of the build.

The base class does what core's own `tools/metacall-*.sh` scripts do for a
language; the module of each tag under `languages/` subclasses it and
overrides only what that language does differently, as sqlglot's dialects
override a base dialect. Recipes are found by tag: the module named after
it holds the language's one `Recipe` subclass.
"""

from __future__ import annotations

import importlib
import posixpath
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import ClassVar, NamedTuple

from frontend.declaration import DeclarationError, Language
from frontend.llb import BindMount, Mount, State, http
from frontend.plan.layout import DOWNLOADS_DIR, DPKG_STATUS_DIR, METACALL_PATH
from frontend.plan.shell import APT_CLEAN, APT_DEPENDENCY, apt_install, slim_apt
from frontend.plan.steps import Steps


@dataclass(frozen=True)
class LanguageSteps:
    """What a recipe's steps use: the step policy under the language's
    label, core's source, build type and whether core's tests run, the
    named contexts that may stand in for downloads, and the language's own
    deps branch."""

    label: str  # a tag, or "core" for core's own branch
    steps: Steps
    core_source: State
    build_type: str
    core_tests: bool
    libraries: Mapping[str, State]
    deps: Callable[[], State]

    def run(
        self, state: State, script: str, *, name: str, cwd: str = "/",
        mounts: Sequence[Mount] = (), args: Sequence[str] = (), network: bool = True,
    ) -> State:
        return self.steps.run(state, script, name=f"[{self.label}] {name}", source=self.label,
                              cwd=cwd, mounts=mounts, args=args, network=network)

    def patch_core_source(self, state: State, path: str, old: str, new: str, *,
                          name: str) -> State:
        """Replaces the line text `old` by `new` in a file of core's source,
        in this language's branch only; a core without `old` is left as it
        is."""
        pattern = re.sub(r"([][\\.*^$|])", r"\\\1", old)  # literal in sed's basic regex
        replacement = re.sub(r"([\\&|])", r"\\\1", new)
        edit = shlex.quote(f"s|{pattern}|{replacement}|")
        return self.run(state, f"if [ -f {path} ]; then sed -i {edit} {path}; fi",
                        name=name, cwd=METACALL_PATH, network=False)

    def core_tool(self, script: str, *options: str) -> str:
        """A command running one of core's tools/ scripts, as they take
        their arguments: the build type, then options."""
        return f"{script} " + " ".join(shlex.quote(o) for o in (self.build_type, *options))

    def core_runtime_script(self, option: str) -> tuple[str, list[Mount]]:
        """`metacall-runtime.sh <option>` with core's tools mounted for it;
        `clean` removes the wget and gpg the script installs for itself."""
        tools = f"{METACALL_PATH}/tools"
        script = (f"{self.core_tool(f'{tools}/metacall-runtime.sh', option, 'clean')} "
                  "&& apt-get autoremove -y")
        return script, [BindMount(dest=tools, source=self.core_source, selector="/tools")]

    def install_runtime(self, on: State, script: str, mounts: Sequence[Mount] = ()) -> State:
        """Runs a runtime branch's install (its Debian packages without
        their documentation: slim_apt), then saves the branch's dpkg status:
        the assembly merges every branch's into one database."""
        return self.run(
            on,
            f"{slim_apt(script)} && {APT_CLEAN} && mkdir -p {DPKG_STATUS_DIR} "
            f"&& cp /var/lib/dpkg/status {DPKG_STATUS_DIR}/{self.label}",
            name="install runtime libraries", cwd="/tmp", mounts=mounts,
        )


def runtime_packages(*packages: str) -> str:
    """Installs Debian packages instead of `metacall-runtime.sh`, where that
    script installs -dev packages. A package may be `$(apt_dependency META
    REGEX)`: META's first dependency matching REGEX, so the versioned
    library is found without naming the distribution."""
    return f"{APT_DEPENDENCY} " + apt_install(packages)


class InstallCommand(NamedTuple):
    """A shell command, and the tool it runs, named in its step's name."""

    tool: str
    script: str


@dataclass(frozen=True)
class Download:
    """A program an installer runs, as its authors publish it: a file that
    BuildKit downloads itself, pinned by its sha256 (and cached by it).
    Where the shell condition `runs` holds, `unpack(path)` sets it up from
    the file at `path`; elsewhere Debian's `packages` stand in for it."""

    title: str
    url: str
    checksum: str
    runs: str
    unpack: Callable[[str], str]
    packages: tuple[str, ...]

    @property
    def filename(self) -> str:
        return posixpath.basename(self.url)

    def setup_script(self) -> str:
        path = posixpath.join(DOWNLOADS_DIR, self.filename)
        return f"if {self.runs}; then {self.unpack(path)}; else {apt_install(self.packages)}; fi"

    def mount(self) -> BindMount:
        return BindMount(dest=DOWNLOADS_DIR, source=http(
            self.url, checksum=self.checksum, filename=self.filename,
            name=f"download {self.title}"))


@dataclass(frozen=True)
class Installer:
    """How a language installs an app's dependencies: the files it reads,
    preferred first, and the lockfiles beside them; the installer's Debian
    packages; where it installs (all the image gets of it: absolute, or
    relative to the file's folder) and the caches and credentials (BuildKit
    secrets by id, mounted at a path) it uses. `command(name, beside,
    building)` is what installs, run in the file's folder with the file's
    name as "$1", given the names of the files beside it (`building`: the
    app's build script runs next, and needs what only builds use).
    `build_script(text)` is, from the file's contents, the command that
    builds the app from its sources, if it has one (package.json's `build`
    script); `prune(beside)` then removes, offline, what only the build
    needed. `download`: a program installed beside the packages, not from
    Debian."""

    files: tuple[str, ...]
    packages: tuple[str, ...]
    paths: tuple[str, ...]
    command: Callable[[str, frozenset[str], bool], InstallCommand]
    locks: tuple[str, ...] = ()
    caches: tuple[str, ...] = ()
    secrets: tuple[tuple[str, str], ...] = ()
    build_script: Callable[[bytes], str | None] | None = None
    prune: Callable[[frozenset[str]], InstallCommand] | None = None
    download: Download | None = None

    @property
    def title(self) -> str:
        return " and ".join((*self.packages, *([self.download.title] if self.download else [])))

    def install_script(self) -> str:
        """The installer's own install, as root."""
        setup = f" && {self.download.setup_script()}" if self.download else ""
        return f"{apt_install(self.packages)}{setup} && {APT_CLEAN}"

    def install_mounts(self) -> list[Mount]:
        return [self.download.mount()] if self.download else []

    def cache_mounts(self, tag: str) -> tuple[tuple[str, str], ...]:
        """Each cache's path and its cache mount's id."""
        return tuple((path, f"metacall-{tag}{path.replace('/', '-')}") for path in self.caches)


class Recipe:
    tag: ClassVar[Language]  # from the module's name
    title: ClassVar[str]
    # The option core's metacall-environment/-configure/-runtime scripts take.
    script_option: ClassVar[str]
    # Loaders this one cannot work without (TypeScript runs on Node.js).
    requires: ClassVar[tuple[Language, ...]] = ()
    # Core builds metacallcli only with this loader.
    provides_cli: ClassVar[bool] = False
    # Core installs `<tag>_loader.json`, which global.json must name.
    has_configuration: ClassVar[bool] = False
    # Where core's runtime install writes for this loader beyond its defaults.
    runtime_install_paths: ClassVar[tuple[str, ...]] = ()
    # Its runtime libraries link OpenSSL, which the runtime then installs
    # once, in a layer of its own below every such language's (see
    # runtime.py), not once in each.
    links_openssl: ClassVar[bool] = False
    # Environment the loader needs at run time.
    runtime_env: ClassVar[tuple[tuple[str, str], ...]] = ()
    # How the app's dependencies in this language are installed, if known.
    installer: ClassVar[Installer | None] = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.tag = Language(cls.__module__.rsplit(".", 1)[-1])

    def environment_script(self, build: LanguageSteps) -> str:
        """The command that installs the loader's build dependencies."""
        return build.core_tool("tools/metacall-environment.sh", self.script_option)

    def build_dependencies(self, deps: State, build: LanguageSteps) -> State:
        """deps-<tag>: deps-base and what building the loader needs."""
        return build.run(deps, self.environment_script(build),
                         name="install build dependencies", cwd=METACALL_PATH)

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        """runtime-<tag>: `on` and what the loader needs at run time."""
        return build.install_runtime(on, *build.core_runtime_script(self.script_option))


def recipe_for(tag: str) -> Recipe:
    """The recipe in `languages/<tag>.py`."""
    return _load_recipe(Language(tag).value)


@cache
def _load_recipe(tag: str) -> Recipe:
    module = importlib.import_module(f"frontend.plan.languages.{tag}")
    recipes = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, Recipe)
               and value.__module__ == module.__name__]
    if len(recipes) != 1:
        raise LookupError(f"{module.__name__} must define one Recipe, not {len(recipes)}")
    return recipes[0]()


def with_requirements(tags: Sequence[str]) -> tuple[Language, ...]:
    """The tags plus the loaders they require, requirements first, no repeats."""
    ordered: list[Language] = []

    def add(tag: Language) -> None:
        for required in recipe_for(tag).requires:
            add(required)
        if tag not in ordered:
            ordered.append(tag)

    for tag in tags:
        add(Language(tag))
    return tuple(ordered)


def cli_provider(tags: Sequence[str]) -> Language:
    """The loader core builds metacallcli with, among `tags` or else the
    first language that has it."""
    for tag in (*tags, *Language):
        if recipe_for(tag).provides_cli:
            return Language(tag)
    raise DeclarationError("no MetaCall loader builds metacallcli")
