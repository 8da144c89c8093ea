"""The user's application: which languages, scripts and dependency files.

MetaCall manifests (`metacall.json`, `metacall-<tag>.json`: language_id,
path, scripts) and the dependency files found in the context are defaults;
the declaration's `app` keys override every choice.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

from frontend.declaration import Declaration, DeclarationError, Language
from frontend.plan.recipe import recipe_for

MANIFEST_PREFIX = "metacall"


@dataclass(frozen=True)
class ContextFiles:
    """What the caller found at the root of the build context."""

    names: frozenset[str] = frozenset()
    manifests: Mapping[str, bytes] = field(default_factory=dict)

    @staticmethod
    def is_manifest(name: str) -> bool:
        return name == "metacall.json" or (
            name.startswith(f"{MANIFEST_PREFIX}-") and name.endswith(".json")
        )


@dataclass(frozen=True)
class AppPlan:
    languages: tuple[str, ...]
    scripts: Mapping[str, tuple[str, ...]]  # per language, relative to APP_PATH
    dependencies: Mapping[str, str]  # per language, its dependency file


def context_patterns() -> list[str]:
    """The files of a context that shape the app: what a caller must list."""
    patterns = ["metacall.json", f"{MANIFEST_PREFIX}-*.json"]
    for tag in Language:
        installer = recipe_for(tag).installer
        if installer is not None:
            patterns += [*installer.files, *installer.locks]
    return patterns


def manifest_scripts(files: ContextFiles) -> dict[str, list[str]]:
    scripts: dict[str, list[str]] = {}
    for name, data in sorted(files.manifests.items()):
        try:
            manifest = json.loads(data)
            tag = manifest["language_id"]
            base = posixpath.normpath(manifest.get("path", "."))
            listed = [posixpath.normpath(posixpath.join(base, s)) for s in manifest["scripts"]]
        except (ValueError, KeyError, TypeError) as error:
            raise DeclarationError(
                f"{name}: not a MetaCall manifest ({{\"language_id\", \"path\", \"scripts\"}}): "
                f"{error}"
            ) from error
        if tag not in set(Language):
            raise DeclarationError(f"{name}: unknown language_id `{tag}`")
        if any(s.startswith("..") or s.startswith("/") for s in listed):
            raise DeclarationError(f"{name}: scripts must stay inside the build context")
        scripts.setdefault(tag, []).extend(listed)
    return scripts


def plan_app(
    declaration: Declaration, files: ContextFiles, languages_line: int
) -> AppPlan | None:
    """The app to build, or None when there is none (a runtime image)."""
    found = manifest_scripts(files)
    app = declaration.app
    if app is None and not found:
        return None
    declared = declaration.languages
    if declared is None:
        languages = tuple(sorted(found, key=lambda tag: list(Language).index(Language(tag))))
        if not languages:
            raise DeclarationError(
                "`languages` is required when the context has no MetaCall manifest "
                "(metacall.json or metacall-<language>.json)", languages_line,
            )
    else:
        languages = declared
        undeclared = sorted(set(found) - set(declared))
        if undeclared:
            raise DeclarationError(
                f"the manifests name {', '.join(undeclared)}, which `languages` does not "
                f"declare; add them to `languages`", languages_line,
            )
    scripts = {tag: tuple(found.get(tag, ())) for tag in languages}
    dependencies = {}
    for tag in languages:
        installer = recipe_for(tag).installer
        present = [f for f in (installer.files if installer else ()) if f in files.names]
        if present:
            dependencies[tag] = present[0]
    if app is not None:
        scripts.update({tag.value: names for tag, names in app.scripts.items()})
        dependencies.update({tag.value: file for tag, file in app.dependencies.items()})
        for tag in (*app.scripts, *app.dependencies):
            if tag not in languages:
                raise DeclarationError(f"`app` names `{tag}`, which `languages` does not declare",
                                       languages_line)
    return AppPlan(languages, {t: s for t, s in scripts.items() if s}, dependencies)
