"""The lint's rules, as values: a name (what `# check=skip=` names), a
description, where the README explains it, and the check."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from frontend.declaration import Language
from frontend.plan.recipe import recipe_for
from frontend.sourcemap import NO_LOCATION
from frontend.subrequests.inspection import Inspection

SECRET_NAME = re.compile(r"(?i)(pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential)")
PINNED = re.compile(r"===?|@ ?(https?|file|git\+)")


@dataclass(frozen=True)
class Finding:
    detail: str
    location: dict[str, Any]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Callable[[Inspection], Iterator[Finding]]

    @property
    def url(self) -> str:
        """The README's section on the rule."""
        return f"README.md#{self.name.lower()}"


def dependency_unused(inspection: Inspection) -> Iterator[Finding]:
    app = inspection.app
    if app is None:
        return
    installed = {d.file for d in app.dependencies}
    for path in sorted(inspection.facts.context.files):
        for tag in Language:
            installer = recipe_for(tag).installer
            if installer and posixpath.basename(path) in installer.files and (
                    path not in installed and tag not in app.languages):
                yield Finding(f"{path} is a {recipe_for(tag).title} dependency file, but the "
                              f"app has no {tag} scripts: it is not installed", NO_LOCATION)


def language_without_script(inspection: Inspection) -> Iterator[Finding]:
    app = inspection.app
    if app is None:
        return
    loaded = {load.language for load in app.cross_loads}
    for tag, location in inspection.language_locations():
        if tag not in app.scripts and tag not in loaded and not recipe_for(tag).provides_cli:
            yield Finding(f"`{tag}` is declared, but no manifest or `app.scripts` names a "
                          f"{tag} script: its loader is built for nothing", location)


def package_json_without_lockfile(inspection: Inspection) -> Iterator[Finding]:
    files = inspection.facts.context.files
    for dependency in inspection.app.dependencies if inspection.app else ():
        lock = posixpath.join(dependency.folder, "package-lock.json")
        if posixpath.basename(dependency.file) == "package.json" and lock not in files:
            yield Finding(f"{dependency.file} has no package-lock.json beside it: `npm install` "
                          "resolves versions anew on every cold build", NO_LOCATION)


def unpinned_requirement(inspection: Inspection) -> Iterator[Finding]:
    for path, data in sorted(inspection.facts.context.texts.items()):
        if posixpath.basename(path) != "requirements.txt":
            continue
        text = data.decode(errors="replace")
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if line and not line.startswith(("#", "-")) and not PINNED.search(line):
                yield Finding(f"{path}: `{line}` is not pinned (==): builds may install "
                              "different versions", inspection.in_file(path, text, number))


def secret_in_env(inspection: Inspection) -> Iterator[Finding]:
    options = inspection.parsed.declaration.app
    for key, value in (options.env.items() if options else ()):
        if SECRET_NAME.search(key) and value:
            yield Finding(f"app.env.{key} lands in the image config, readable by anyone with "
                          "the image: pass it at run time, or as a build secret",
                          inspection.declared("app", "env", key))


def manifest_language_not_declared(inspection: Inspection) -> Iterator[Finding]:
    declared = inspection.parsed.declaration.languages
    for manifest in inspection.manifests if declared else ():
        if manifest.language not in (declared or ()):
            yield Finding(f"{manifest.file} names `{manifest.language}`, which `languages` "
                          "does not list", inspection.in_manifest(manifest,
                                                                  manifest.language_line))


def loaded_language_not_declared(inspection: Inspection) -> Iterator[Finding]:
    if inspection.parsed.declaration.languages is None:
        return  # the image then has every language a script loads
    present = set(inspection.languages)
    for load in inspection.facts.context.loads:
        if load.language not in present:
            yield Finding(f"{load.script} loads {load.language} code, but `languages` leaves "
                          f"`{load.language}` out: the load fails at run time",
                          inspection.in_script(load))


RULES: tuple[Rule, ...] = (
    Rule("DependencyFileUnused", "A dependency file no language uses", dependency_unused),
    Rule("LanguageWithoutScript", "A declared language loads no script",
         language_without_script),
    Rule("PackageJsonWithoutLockfile", "npm installs without a lockfile",
         package_json_without_lockfile),
    Rule("UnpinnedRequirement", "A requirement without an exact version", unpinned_requirement),
    Rule("SecretInEnv", "A secret-looking value in the image's environment", secret_in_env),
    Rule("ManifestLanguageNotDeclared", "A manifest's language is not declared",
         manifest_language_not_declared),
    Rule("LoadedLanguageNotDeclared", "A script loads a language `languages` leaves out",
         loaded_language_not_declared),
)
