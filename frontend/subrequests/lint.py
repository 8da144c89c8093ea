"""`--print=lint` (and `docker buildx build --check`): every rule over one
inspection, and the build's own error, with the rules the declaration or
the build skips left out, as BuildKit's Dockerfile frontend skips them:
`# check=skip=RuleName[,Other]` on the declaration's first lines, or
`--build-arg BUILDKIT_DOCKERFILE_CHECK=skip=…` (which wins); `skip=all`."""

from __future__ import annotations

import re
from typing import Any

from frontend.compile import (
    BuildFacts,
    DeclarationError,
    ParsedDeclaration,
    compile_declaration,
)
from frontend.request import BuildRequest
from frontend.sourcemap import SourceMap
from frontend.subrequests.inspection import Inspection
from frontend.subrequests.report import Report, encoded, excerpt
from frontend.subrequests.rules import RULES, Finding, Rule

CHECK_ARG = "BUILDKIT_DOCKERFILE_CHECK"
CHECK_DIRECTIVE = re.compile(r"^#\s*check\s*=\s*(.*?)\s*$", re.IGNORECASE)
DIRECTIVE = re.compile(r"^#\s*[a-zA-Z][a-zA-Z0-9]*\s*=")


def skipped_rules(text: str, request: BuildRequest) -> set[str]:
    """The rules the build arg, else the declaration's directive, skips."""
    setting = request.build_args.get(CHECK_ARG)
    if setting is None:
        setting = ""
        # Directives are the first lines' `# key=value` comments, as in a Dockerfile.
        for line in text.splitlines():
            if not DIRECTIVE.match(line.strip()):
                break
            found = CHECK_DIRECTIVE.match(line.strip())
            setting = found.group(1) if found else setting
    skipped: set[str] = set()
    for part in setting.split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "skip":
            skipped |= {name.strip() for name in value.split(",") if name.strip()}
    return {rule.name for rule in RULES} if "all" in skipped else skipped


def lint(parsed: ParsedDeclaration, facts: BuildFacts, request: BuildRequest) -> Report:
    """result.json (BuildKit's lint schema), result.txt and the status code."""
    sources = SourceMap()
    declaration = parsed.source_text(request.filename)
    sources.location(declaration, 1)
    skipped = skipped_rules(parsed.text, request)
    findings: list[tuple[Rule, Finding]] = []
    build_error: dict[str, Any] | None = None
    try:
        inspection = Inspection(parsed, facts, request, sources)
        findings = [(rule, finding) for rule in RULES if rule.name not in skipped
                    for finding in rule.check(inspection)]
        compile_declaration(parsed, request, facts)
    except DeclarationError as error:
        build_error = {"message": error.message, "location": sources.location(
            error.source or declaration, error.line or 1, error.end_line or 1)}
    result: dict[str, Any] = {
        "warnings": [{"ruleName": rule.name, "description": rule.description,
                      "url": rule.url, "detail": finding.detail,
                      "location": finding.location} for rule, finding in findings],
        "sources": [{"filename": source.filename, "data": encoded(source.text),
                     "language": source.language} for source in sources.files],
    }
    if build_error:
        result["buildError"] = build_error
    return Report(result, _text(sources, findings, build_error),
                  1 if findings or build_error else 0)


def _text(sources: SourceMap, findings: list[tuple[Rule, Finding]],
          build_error: dict[str, Any] | None) -> str:
    text = "".join(f"\nWARNING: {rule.name} - {rule.description}\n{finding.detail}\n"
                   + excerpt(sources, finding.location) for rule, finding in findings)
    if build_error:
        text += f"\nERROR: {build_error['message']}\n" + excerpt(sources, build_error["location"])
    return text or "Check complete, no warnings found.\n"
