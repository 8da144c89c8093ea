"""What a build reads and what looks wrong in it, without building: the
answers to BuildKit's `frontend.outline` and `frontend.lint` subrequests,
from the same parse and context scan a build uses.
"""

from __future__ import annotations

import base64
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from frontend.compile import BuildFacts, compile_declaration
from frontend.declaration import DeclarationError, Language, ParsedDeclaration
from frontend.declaration.manifests import Manifest
from frontend.plan.app import AppPlan, plan_app, read_manifests
from frontend.plan.recipe import recipe_for
from frontend.plan.shell import CA_SECRET_ID
from frontend.plan.steps import APT_CACHES, namespaced
from frontend.plan.targets import default_target
from frontend.request import CACHE_MOUNT_NS_ARG, BuildRequest
from frontend.sources import CORE_CONTEXT, CORE_REPOSITORY, PLTHOOK_CONTEXT

SECRET_NAME = re.compile(r"(?i)(pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential)")
PINNED = re.compile(r"===?|@ ?(https?|file|git\+)")


@dataclass
class Sources:
    """The files locations point into: the declaration first, then the
    user's files an answer quotes."""

    files: list[tuple[str, str]] = field(default_factory=list)

    def location(self, filename: str, text: str, start: int, end: int | None = None
                 ) -> dict[str, Any]:
        if (filename, text) not in self.files:
            self.files.append((filename, text))
        index = self.files.index((filename, text))
        return {"sourceIndex": index, "ranges": [
            {"start": {"line": start}, "end": {"line": end or start}}]}


NO_LOCATION: dict[str, Any] = {"sourceIndex": -1}


@dataclass(frozen=True)
class LintWarning:
    rule: str
    description: str
    detail: str
    location: dict[str, Any]


@dataclass
class Inspection:
    """One parse of a build's inputs, for the outline and the lint."""

    parsed: ParsedDeclaration
    facts: BuildFacts
    request: BuildRequest
    sources: Sources = field(default_factory=Sources)

    def __post_init__(self) -> None:
        self.sources.location(self.request.filename, self.parsed.text, 1)
        self.manifests: list[Manifest] = read_manifests(self.facts.context_files)
        try:
            self.app: AppPlan | None = plan_app(self.parsed, self.facts.context_files)
        except DeclarationError:
            self.app = None  # the rules that need the app skip; the build reports it

    def declared(self, *path: str | int) -> dict[str, Any]:
        start, end = self.parsed.lines_of(*path)
        return self.sources.location(self.request.filename, self.parsed.text, start, end)

    def in_manifest(self, manifest: Manifest, line: int) -> dict[str, Any]:
        return self.sources.location(manifest.file, manifest.source.text, line)

    @property
    def languages(self) -> tuple[str, ...]:
        if self.app is not None:
            return tuple(self.app.languages)
        return tuple(self.parsed.declaration.languages or ())

    def language_locations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        declared = self.parsed.declaration.languages
        for tag in self.languages:
            if declared and tag in declared:
                yield tag, self.declared("languages", declared.index(Language(tag)))
                continue
            manifest = next((m for m in self.manifests if m.language == tag), None)
            yield tag, (self.in_manifest(manifest, _line(manifest.source.text, "language_id"))
                        if manifest else NO_LOCATION)


def outline(inspection: Inspection) -> tuple[dict[str, Any], str]:
    """The build's inputs with their lines: result.json (BuildKit's outline
    schema, plus the MetaCall inputs it has no field for) and result.txt."""
    request, app = inspection.request, inspection.app
    target = request.target or default_target(app is not None)
    namespace = request.cache_mount_namespace
    args: list[dict[str, Any]] = [{"name": CACHE_MOUNT_NS_ARG, "value": namespace,
             "description": "prefixes the id of every cache mount (shared builders)"}]
    secrets: list[dict[str, str]] = [
        {"name": CA_SECRET_ID, "description": "a CA bundle every network step trusts"}]
    caches = [cache_id for _, cache_id, _ in APT_CACHES]
    for dependency in app.dependencies if app else ():
        installer = recipe_for(dependency.language).installer
        assert installer is not None
        secrets += [{"name": secret} for secret, _ in installer.secrets]
        caches += [cache_id for _, cache_id in installer.cache_mounts(dependency.language)]
    contexts: list[dict[str, Any]] = [
        {"name": CORE_CONTEXT, "value": request.contexts.get(
            CORE_CONTEXT, f"{CORE_REPOSITORY}#{inspection.parsed.declaration.core.version}"),
         "location": inspection.declared("core", "version")},
        {"name": PLTHOOK_CONTEXT, "value": request.contexts.get(PLTHOOK_CONTEXT, "")},
        *({"name": name, "value": value} for name, value in sorted(request.contexts.items())
          if name not in (CORE_CONTEXT, PLTHOOK_CONTEXT)),
    ]
    languages: list[dict[str, Any]] = [{"name": tag, "location": location}
                 for tag, location in inspection.language_locations()]
    manifests: list[dict[str, Any]] = [{"name": m.file, "scripts": list(m.scripts),
                  "location": inspection.in_manifest(m, m.scripts_line)}
                 for m in inspection.manifests]
    dependencies = [{"name": d.file, "language": d.language.value}
                    for d in (app.dependencies if app else ())]
    result: dict[str, Any] = {
        "name": target,
        "description": f"MetaCall {target} image of {', '.join(inspection.languages) or '?'}",
        "args": args,
        "secrets": _unique(secrets),
        "cache": [{"ID": namespaced(c, namespace)} for c in dict.fromkeys(caches)],
        "sources": [_base64(text) for _, text in inspection.sources.files],
        "languages": languages, "contexts": contexts, "manifests": manifests,
        "dependencies": dependencies,
    }
    lines = [f"TARGET:\t{target}", f"DESCRIPTION:\t{result['description']}", ""]
    lines += _table(["LANGUAGE", "FROM"], [[entry["name"], _where(inspection, entry["location"])]
                                           for entry in languages])
    lines += _table(["CONTEXT", "VALUE"], [[c["name"], c["value"] or "(not given)"]
                                          for c in contexts])
    lines += _table(["MANIFEST", "SCRIPTS"], [[m["name"], " ".join(m["scripts"])]
                                             for m in manifests])
    lines += _table(["DEPENDENCY FILE", "LANGUAGE"], [[d["name"], d["language"]]
                                                     for d in dependencies])
    lines += _table(["SECRET", "REQUIRED", "DESCRIPTION"],
                    [[s["name"], "false", s.get("description", "")] for s in result["secrets"]])
    lines += _table(["BUILD ARG", "VALUE", "DESCRIPTION"],
                    [[a["name"], a["value"], a["description"]] for a in args])
    return result, "\n".join(lines)


Rule = Callable[[Inspection], Iterator[LintWarning]]


def _dependency_unused(inspection: Inspection) -> Iterator[LintWarning]:
    app = inspection.app
    if app is None:
        return
    installed = {d.file for d in app.dependencies}
    for path in sorted(inspection.facts.context_files.files):
        for tag in Language:
            installer = recipe_for(tag).installer
            if installer and posixpath.basename(path) in installer.files and (
                    path not in installed and tag not in app.languages):
                yield LintWarning("DependencyFileUnused", "A dependency file no language uses",
                              f"{path} is a {recipe_for(tag).title} dependency file, but the "
                              f"app has no {tag} scripts: it is not installed", NO_LOCATION)


def _language_without_script(inspection: Inspection) -> Iterator[LintWarning]:
    app = inspection.app
    if app is None:
        return
    for tag, location in inspection.language_locations():
        if tag not in app.scripts and not recipe_for(tag).provides_cli:
            yield LintWarning("LanguageWithoutScript", "A declared language loads no script",
                          f"`{tag}` is declared, but no manifest or `app.scripts` names a "
                          f"{tag} script: its loader is built for nothing", location)


def _package_json_without_lockfile(inspection: Inspection) -> Iterator[LintWarning]:
    files = inspection.facts.context_files.files
    for dependency in inspection.app.dependencies if inspection.app else ():
        lock = posixpath.join(dependency.folder, "package-lock.json")
        if posixpath.basename(dependency.file) == "package.json" and lock not in files:
            yield LintWarning("PackageJsonWithoutLockfile", "npm installs without a lockfile",
                          f"{dependency.file} has no package-lock.json beside it: `npm install` "
                          "resolves versions anew on every cold build", NO_LOCATION)


def _unpinned_requirement(inspection: Inspection) -> Iterator[LintWarning]:
    for path, data in sorted(inspection.facts.context_files.texts.items()):
        if posixpath.basename(path) != "requirements.txt":
            continue
        text = data.decode(errors="replace")
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if line and not line.startswith(("#", "-")) and not PINNED.search(line):
                yield LintWarning("UnpinnedRequirement", "A requirement without an exact version",
                              f"{path}: `{line}` is not pinned (==): builds may install "
                              "different versions",
                              inspection.sources.location(path, text, number))


def _secret_in_env(inspection: Inspection) -> Iterator[LintWarning]:
    options = inspection.parsed.declaration.app
    for key, value in (options.env.items() if options else ()):
        if SECRET_NAME.search(key) and value:
            yield LintWarning("SecretInEnv", "A secret-looking value in the image's environment",
                          f"app.env.{key} lands in the image config, readable by anyone with "
                          "the image: pass it at run time, or as a build secret",
                          inspection.declared("app", "env", key))


def _manifest_language_not_declared(inspection: Inspection) -> Iterator[LintWarning]:
    declared = inspection.parsed.declaration.languages
    for manifest in inspection.manifests if declared else ():
        if manifest.language not in (declared or ()):
            yield LintWarning("ManifestLanguageNotDeclared",
                              "A manifest's language is not declared",
                          f"{manifest.file} names `{manifest.language}`, which `languages` "
                          "does not list",
                          inspection.in_manifest(manifest,
                                                 _line(manifest.source.text, "language_id")))


RULES: tuple[Rule, ...] = (_dependency_unused, _language_without_script,
                           _package_json_without_lockfile, _unpinned_requirement,
                           _secret_in_env, _manifest_language_not_declared)


def lint(parsed: ParsedDeclaration, facts: BuildFacts, request: BuildRequest
         ) -> tuple[dict[str, Any], str, int]:
    """result.json (BuildKit's lint schema), result.txt and the status code."""
    sources = Sources()
    sources.location(request.filename, parsed.text, 1)
    warnings: list[LintWarning] = []
    build_error: dict[str, Any] | None = None
    try:
        inspection = Inspection(parsed, facts, request, sources)
        for rule in RULES:
            warnings += rule(inspection)
        compile_declaration(parsed, request, facts)
    except DeclarationError as error:
        where = error.source
        location = (sources.location(where.filename, where.text, error.line, error.end_line)
                    if where else sources.location(request.filename, parsed.text,
                                                   error.line or 1, error.end_line or 1))
        build_error = {"message": error.message, "location": location}
    result: dict[str, Any] = {
        "warnings": [{"ruleName": w.rule, "description": w.description, "detail": w.detail,
                      "location": w.location} for w in warnings],
        "sources": [{"filename": name, "data": _base64(text), "language":
                     "JSON" if name.endswith(".json") else "YAML"}
                    for name, text in sources.files],
    }
    if build_error:
        result["buildError"] = build_error
    text = "".join(f"\nWARNING: {w.rule} - {w.description}\n{w.detail}\n"
                   + _excerpt(sources, w.location) for w in warnings)
    if build_error:
        text += f"\nERROR: {build_error['message']}\n" + _excerpt(sources, build_error["location"])
    if not text:
        text = "Check complete, no warnings found.\n"
    return result, text, 1 if warnings or build_error else 0


def _line(text: str, key: str) -> int:
    found = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _unique(entries: list[dict[str, str]]) -> list[dict[str, str]]:
    return list({entry["name"]: entry for entry in entries}.values())


def _base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _where(inspection: Inspection, location: dict[str, Any]) -> str:
    index = location.get("sourceIndex", -1)
    if index < 0:
        return ""
    return f"{inspection.sources.files[index][0]}:{location['ranges'][0]['start']['line']}"


def _excerpt(sources: Sources, location: dict[str, Any]) -> str:
    index = location.get("sourceIndex", -1)
    if index < 0:
        return ""
    name, text = sources.files[index]
    line = location["ranges"][0]["start"]["line"]
    lines = text.splitlines()
    quoted = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"{name}:{line}\n  {line} | >>> {quoted}\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    widths = [max(len(str(row[i])) for row in [header, *rows]) + 3
              for i in range(len(header))]
    return [("".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
             ).rstrip() for row in [header, *rows]] + [""]
