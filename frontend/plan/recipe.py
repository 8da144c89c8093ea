"""The base of every language recipe: what MetaCall's tools call the
language, and what a build with its loader needs beyond them.

One module per language under `languages/` subclasses `Recipe`, as sqlglot's
dialects do; subclassing registers the recipe under its tag.
"""

from __future__ import annotations

from typing import ClassVar

from frontend.declaration import DeclarationError


class Recipe:
    tag: ClassVar[str]
    title: ClassVar[str]
    # The option core's metacall-environment/-configure/-runtime scripts take.
    script_option: ClassVar[str]
    # Loaders this one cannot work without (TypeScript runs on Node.js).
    requires: ClassVar[tuple[str, ...]] = ()
    # Debian packages installed instead of `metacall-environment.sh <option>`,
    # where that script reaches outside the base distribution.
    environment_packages: ClassVar[tuple[str, ...]] = ()
    # Debian packages that stand in for what core's CMake would download.
    build_packages: ClassVar[tuple[str, ...]] = ()
    # CMake definitions pointing core at those packages instead of a download.
    cmake_definitions: ClassVar[tuple[str, ...]] = ()
    # A library core's CMake downloads for this loader, given instead as a
    # named context (GitHub is not always reachable): the context's name, and
    # the command that builds it from its copy in deps-<tag>, installing it
    # where core's CMake looks first and staging under "$STAGE" what the
    # runtime branch copies. Without the context, core downloads it.
    library_context: ClassVar[str] = ""
    library_build: ClassVar[str] = ""
    # Where core's runtime install writes for this loader beyond /usr/local/lib
    # and /usr/local/share/metacall.
    runtime_install_paths: ClassVar[tuple[str, ...]] = ()
    # Core installs `<tag>_loader.json` and lists it in global.json.
    has_configuration: ClassVar[bool] = False
    # Debian packages for the runtime branch instead of metacall-runtime.sh,
    # where that script installs -dev packages. Entries may use
    # `$(apt_dependency META REGEX)`: META's first dependency matching REGEX,
    # so the versioned library is found without naming the distribution.
    runtime_packages: ClassVar[tuple[str, ...]] = ()
    # A shell command run after them in the runtime branch.
    runtime_setup: ClassVar[str] = ""
    # Environment the loader needs at run time.
    runtime_env: ClassVar[tuple[tuple[str, str], ...]] = ()
    # The app's dependency manifests this language installs from, preferred
    # first, and the files the install reads besides (lockfiles); the Debian
    # packages of the installer; where it installs (all of the layer the image
    # gets) and the caches it keeps out of the image.
    dependency_files: ClassVar[tuple[str, ...]] = ()
    dependency_locks: ClassVar[tuple[str, ...]] = ()
    installer_packages: ClassVar[tuple[str, ...]] = ()
    dependency_paths: ClassVar[tuple[str, ...]] = ()
    dependency_caches: ClassVar[tuple[str, ...]] = ()
    # BuildKit secrets the install step mounts when given (id, path): the
    # tool's own config with private index credentials, never in a layer.
    dependency_secrets: ClassVar[tuple[tuple[str, str], ...]] = ()

    registry: ClassVar[dict[str, type[Recipe]]] = {}

    @classmethod
    def install_dependencies(cls, manifest: str, present: frozenset[str]) -> str:
        """The command that installs the app's dependencies from `manifest`
        (a file in the app directory; `present` lists the files beside it)."""
        raise DeclarationError(f"no installer is known for {cls.title} dependencies ({manifest})")

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        Recipe.registry[cls.tag] = cls


def recipe_for(tag: str) -> type[Recipe]:
    from frontend.plan import languages  # noqa: F401  (registers every recipe)

    return Recipe.registry[tag]


def with_requirements(tags: tuple[str, ...]) -> tuple[str, ...]:
    """The tags plus the loaders they require, requirements first, no repeats."""
    ordered: list[str] = []

    def add(tag: str) -> None:
        for required in recipe_for(tag).requires:
            add(required)
        if tag not in ordered:
            ordered.append(tag)

    for tag in tags:
        add(tag)
    return tuple(ordered)
