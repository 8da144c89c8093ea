"""One parse of a build's inputs, shared by the outline and the lint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from frontend.compile import BuildFacts, DeclarationError, ParsedDeclaration, default_target
from frontend.declaration import Language
from frontend.declaration.loads import Load
from frontend.declaration.manifests import Manifest
from frontend.plan.app import AppPlan, plan_app
from frontend.request import BuildRequest
from frontend.sourcemap import NO_LOCATION, SourceMap, SourceText


@dataclass
class Inspection:
    parsed: ParsedDeclaration
    facts: BuildFacts
    request: BuildRequest
    sources: SourceMap = field(default_factory=SourceMap)

    def __post_init__(self) -> None:
        self.declaration = self.parsed.source_text(self.request.filename)
        self.sources.location(self.declaration, 1)
        self.manifests: tuple[Manifest, ...] = self.facts.context.manifests
        try:
            self.app: AppPlan | None = plan_app(self.parsed, self.facts.context)
        except DeclarationError:
            self.app = None  # the rules that need the app skip; the build reports it

    @property
    def target(self) -> str:
        return self.request.target or default_target(self.app is not None)

    def declared(self, *path: str | int) -> dict[str, Any]:
        """The location of a key of the declaration."""
        start, end = self.parsed.lines_of(*path)
        return self.sources.location(self.declaration, start, end)

    def in_manifest(self, manifest: Manifest, line: int) -> dict[str, Any]:
        return self.sources.location(manifest.source, line)

    def in_file(self, path: str, text: str, line: int) -> dict[str, Any]:
        return self.sources.location(SourceText(path, text, "TEXT"), line)

    @property
    def languages(self) -> tuple[str, ...]:
        if self.app is not None:
            return tuple(self.app.languages)
        return tuple(self.parsed.declaration.languages or ())

    def language_locations(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each language, where the declaration or a manifest names it."""
        declared = self.parsed.declaration.languages
        for tag in self.languages:
            if declared and tag in declared:
                yield tag, self.declared("languages", declared.index(Language(tag)))
                continue
            manifest = next((m for m in self.manifests if m.language == tag), None)
            load = next((load for load in self.facts.context.loads if load.language == tag),
                        None)
            if manifest is not None:
                yield tag, self.in_manifest(manifest, manifest.language_line)
            elif load is not None:
                yield tag, self.in_script(load)
            else:
                yield tag, NO_LOCATION

    def in_script(self, load: Load) -> dict[str, Any]:
        """Where a script loads another language."""
        text = self.facts.context.script_texts.get(load.script, b"")
        return self.in_file(load.script, text.decode(errors="replace"), load.line)
