"""The user's application: which languages, scripts and dependency files.

As MetaCall's FaaS reads an app: manifests (`metacall.json`,
`metacall-<name>.json`) anywhere in the context name the language and the
scripts; every dependency file of a language the image has (requirements.txt,
package.json, Gemfile) is installed in its own folder, and then the app's
build script (package.json's `build`) runs there. The declaration's `app`
keys override these choices.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from frontend import limits
from frontend.declaration import AppOptions, DeclarationError, Language, ParsedDeclaration
from frontend.declaration.context import ContextScan
from frontend.declaration.dockerignore import FILENAME as DOCKERIGNORE
from frontend.declaration.dockerignore import DockerIgnore
from frontend.declaration.loads import Load
from frontend.declaration.manifests import IGNORED_FOLDERS, Manifest, in_ignored_folder
from frontend.declaration.models import outside_context
from frontend.plan.recipe import cli_provider, recipe_for


@dataclass(frozen=True)
class BuildOutput:
    """A script to load that the context lacks and the build must write."""

    path: str  # relative to the dependency file's folder
    missing: str  # the error when the build did not write it


@dataclass(frozen=True)
class Dependency:
    language: Language
    file: str  # relative to the context root
    # The command that builds the app in the file's folder once the
    # dependencies are installed, and the scripts it must write.
    build: str | None = None
    outputs: tuple[BuildOutput, ...] = ()

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.file)


@dataclass(frozen=True)
class AppPlan:
    # Every language of the image: the app's and the one metacallcli comes with.
    languages: tuple[Language, ...]
    # Per language, the scripts to load, relative to the app's folder.
    scripts: Mapping[Language, tuple[str, ...]]
    dependencies: tuple[Dependency, ...]
    dockerignore: DockerIgnore = field(default_factory=DockerIgnore)
    # What the scripts load from other languages (the image has those
    # languages unless `languages` leaves them out).
    cross_loads: tuple[Load, ...] = ()

    @property
    def loads(self) -> list[tuple[str, str]]:
        """(tag, script) in the order MetaCall loads them."""
        return [(tag.value, script) for tag, names in self.scripts.items() for script in names]


def context_patterns() -> list[str]:
    """What a caller must find in a context: manifests and dependency files
    in any folder but installed ones, and `.dockerignore`."""
    names = ["metacall.json", "metacall-*.json"]
    for tag in Language:
        installer = recipe_for(tag).installer
        if installer is not None:
            names += [*installer.files, *installer.locks]
    return [DOCKERIGNORE, *(f"**/{name}" for name in names)]


def read_by_plan(path: str) -> bool:
    """Whether the plan reads the file's text: a dependency file that may
    hold a build script."""
    name = posixpath.basename(path)
    return any(installer.build_script is not None and name in installer.files
               for installer in (recipe_for(tag).installer for tag in Language) if installer)


def ignored_patterns() -> list[str]:
    return [f"**/{folder}" for folder in IGNORED_FOLDERS]


def plan_app(parsed: ParsedDeclaration, files: ContextScan) -> AppPlan | None:
    """The app to build, or None when there is none (a runtime image)."""
    declaration = parsed.declaration
    manifests = files.manifests
    app = declaration.app
    if app is None and not manifests:
        return None
    found: dict[Language, list[str]] = {}
    for manifest in manifests:
        found.setdefault(manifest.language, []).extend(manifest.scripts)
    languages = _app_languages(parsed, found, files.loads)
    scripts = {tag: tuple(dict.fromkeys(found.get(tag, ()))) for tag in languages}
    declared_at: dict[str, int] = {}  # the scripts `app.scripts` names, by line
    if app is not None:
        _check_app_languages(parsed, app, languages)
        scripts.update(app.scripts)
        declared_at = {script: parsed.lines_of("app", "scripts", tag, index)[0]
                       for tag, names in app.scripts.items()
                       for index, script in enumerate(names)}
    count = sum(len(names) for names in scripts.values())
    if count > limits.SCRIPTS:
        raise DeclarationError(f"the app names {count:,} scripts; at most {limits.SCRIPTS:,} "
                               "are loaded", parsed.lines_of("app", "scripts")[0])
    image_languages = tuple(dict.fromkeys([*languages, cli_provider(languages)]))
    dockerignore = files.dockerignore
    overrides = app.dependencies if app is not None else {}
    builds = app is None or app.build
    dependencies = [
        _with_build_script(dependency, files) if builds else dependency
        for tag in image_languages
        for dependency in ([Dependency(tag, overrides[tag])] if tag in overrides
                           else _dependency_files(tag, files.files))
    ]
    outputs = _check_scripts(manifests, scripts, files, dockerignore, declared_at,
                             [d for d in dependencies if d.build is not None])
    dependencies = [replace(d, outputs=tuple(outputs.get(d.file, ()))) for d in dependencies]
    return AppPlan(image_languages, {t: s for t, s in scripts.items() if s}, tuple(dependencies),
                   dockerignore, files.loads)


def _app_languages(parsed: ParsedDeclaration, found: Mapping[Language, list[str]],
                   loads: Sequence[Load]) -> tuple[Language, ...]:
    """The declared languages, which must hold every manifest's, or else
    the manifests' languages and those their scripts load, as MetaCall's
    FaaS (which has every loader) would run them."""
    declared = parsed.declaration.languages
    languages_line = parsed.lines_of("languages")[0]
    if declared is None:
        loaded = {load.language for load in loads}
        languages = tuple(tag for tag in Language if tag in found or tag in loaded)
        if not languages:
            raise DeclarationError(
                "`app` needs `languages`, or MetaCall manifests (metacall.json or "
                "metacall-<name>.json) in the build context", languages_line,
            )
        return languages
    undeclared = [tag.value for tag in found if tag not in declared]
    if undeclared:
        raise DeclarationError(
            f"the manifests name {', '.join(undeclared)}, which `languages` does not "
            f"declare; add them to `languages`", languages_line,
        )
    return declared


def _check_app_languages(parsed: ParsedDeclaration, app: AppOptions,
                         languages: Sequence[Language]) -> None:
    """`app.scripts` and `app.dependencies` name languages the image has,
    and dependencies of languages that install them."""
    for section, tags in (("scripts", app.scripts), ("dependencies", app.dependencies)):
        for tag in tags:
            if tag not in languages:
                raise DeclarationError(
                    f"`app.{section}` names `{tag}`, which `languages` does not declare",
                    parsed.lines_of("app", section, tag)[0])
    for tag in app.dependencies:
        if recipe_for(tag).installer is None:
            installable = ", ".join(t for t in Language if recipe_for(t).installer)
            raise DeclarationError(f"`app.dependencies` names `{tag}`: only the dependencies "
                                   f"of {installable} are installed",
                                   parsed.lines_of("app", "dependencies", tag)[0])


def _dependency_files(tag: Language, files: frozenset[str]) -> list[Dependency]:
    """In each folder, the language's preferred dependency file."""
    installer = recipe_for(tag).installer
    if installer is None:
        return []
    chosen: dict[str, str] = {}
    for name in installer.files:
        for path in sorted(files):
            folder = posixpath.dirname(path)
            if posixpath.basename(path) == name and folder not in chosen and (
                    not in_ignored_folder(path)):
                chosen[folder] = path
    return [Dependency(tag, chosen[folder]) for folder in sorted(chosen)]


def _with_build_script(dependency: Dependency, files: ContextScan) -> Dependency:
    """The dependency, with its build script when its file has one."""
    installer = recipe_for(dependency.language).installer
    text = files.texts.get(dependency.file)
    if installer is None or installer.build_script is None or text is None:
        return dependency
    return replace(dependency, build=installer.build_script(text))


def _check_scripts(manifests: Sequence[Manifest], scripts: Mapping[Language, tuple[str, ...]],
                   files: ContextScan, dockerignore: DockerIgnore,
                   declared_at: Mapping[str, int],
                   builds: Sequence[Dependency]) -> dict[str, list[BuildOutput]]:
    """Every script to load exists and reaches the image, or else a build
    script in its folder or above may write it: what each build must
    write, by dependency file."""
    named_in = {script: manifest for manifest in manifests for script in manifest.scripts}
    outputs: dict[str, list[BuildOutput]] = {}
    for script in (s for names in scripts.values() for s in names):
        pattern = dockerignore.excluded_by(script)
        link = files.script_links.get(script)
        manifest = named_in.get(script)
        if files.existing_scripts is not None and script not in files.existing_scripts:
            build = _build_writing(script, builds)
            if build is not None:
                where = (f"{manifest.file}:{manifest.scripts_line}: names" if manifest else
                         f"the declaration's line {declared_at.get(script, 0)}: `app.scripts` "
                         "names")
                outputs.setdefault(build.file, []).append(BuildOutput(
                    posixpath.relpath(script, build.folder or "."),
                    f"{where} `{script}`, which is not in the build context, and "
                    f"`{build.build}` in {build.folder or '.'} did not write it"))
                continue
            problem = "which is not in the build context"
        elif link is not None and outside_context(posixpath.join(posixpath.dirname(script),
                                                                  link)):
            problem = f"a symbolic link to `{link}`, outside the build context"
        elif pattern is not None:
            problem = (f"but {DOCKERIGNORE} line {pattern.line} (`{pattern.text}`) keeps it out "
                       "of the image")
        else:
            continue
        if manifest is None:
            raise DeclarationError(f"`app.scripts` names `{script}`, {problem}",
                                   declared_at.get(script, 0))
        raise DeclarationError(f"names `{script}`, {problem}", manifest.scripts_line,
                               source=manifest.source)
    return outputs


def _build_writing(script: str, builds: Sequence[Dependency]) -> Dependency | None:
    """The build in the script's folder, or else the nearest above it."""
    above = [build for build in builds
             if not build.folder or script.startswith(f"{build.folder}/")]
    return max(above, key=lambda build: len(build.folder), default=None)
