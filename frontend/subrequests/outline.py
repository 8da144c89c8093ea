"""`--print=outline`: the build's inputs with their lines. Secrets and
cache mounts are the ones the compiled graph uses, so the outline cannot
drift from what the build mounts."""

from __future__ import annotations

from typing import Any

from frontend.compile import SECRET_DESCRIPTIONS, compile_declaration
from frontend.llb import mount_ids
from frontend.request import CACHE_MOUNT_NS_ARG
from frontend.sources import CORE_CONTEXT, CORE_REPOSITORY, PLTHOOK_CONTEXT
from frontend.subrequests.inspection import Inspection
from frontend.subrequests.report import Report, encoded, table, where

# Newer than buildx's own outline printer (1.0.0), so buildx prints our
# result.txt, which shows the MetaCall inputs its printer has no table for.
OUTLINE_VERSION = "1.1.0"


def outline(inspection: Inspection) -> Report:
    """result.json (BuildKit's outline schema, plus the MetaCall inputs it
    has no field for) and result.txt."""
    request, app = inspection.request, inspection.app
    compiled = compile_declaration(inspection.parsed, request, inspection.facts)
    secrets, caches = mount_ids(compiled.definition)
    languages = [{"name": tag, "location": location}
                 for tag, location in inspection.language_locations()]
    contexts = _contexts(inspection)
    manifests = [{"name": m.file, "scripts": list(m.scripts),
                  "location": inspection.in_manifest(m, m.scripts_line)}
                 for m in inspection.manifests]
    result: dict[str, Any] = {
        "name": inspection.target,
        "description": f"MetaCall {inspection.target} image of "
                       f"{', '.join(inspection.languages) or '?'}",
        "args": [{"name": CACHE_MOUNT_NS_ARG, "value": request.cache_mount_namespace,
                  "description": "prefixes the id of every cache mount (shared builders)"}],
        "secrets": [{"name": name, **({"description": SECRET_DESCRIPTIONS[name]}
                                      if name in SECRET_DESCRIPTIONS else {})}
                    for name in secrets],
        "cache": [{"ID": cache_id} for cache_id in caches],
        "sources": [encoded(source.text) for source in inspection.sources.files],
        "languages": languages, "contexts": contexts, "manifests": manifests,
        "dependencies": [{"name": d.file, "language": d.language.value}
                         for d in (app.dependencies if app else ())],
    }
    return Report(result, _text(inspection, result))


def _contexts(inspection: Inspection) -> list[dict[str, Any]]:
    contexts = inspection.request.contexts
    version = inspection.parsed.declaration.core.version
    return [
        {"name": CORE_CONTEXT, "value": contexts.get(CORE_CONTEXT, f"{CORE_REPOSITORY}#{version}"),
         "location": inspection.declared("core", "version")},
        {"name": PLTHOOK_CONTEXT, "value": contexts.get(PLTHOOK_CONTEXT, "")},
        *({"name": name, "value": value} for name, value in sorted(contexts.items())
          if name not in (CORE_CONTEXT, PLTHOOK_CONTEXT)),
    ]


def _text(inspection: Inspection, result: dict[str, Any]) -> str:
    lines = [f"TARGET:\t{result['name']}", f"DESCRIPTION:\t{result['description']}", ""]
    lines += table(["LANGUAGE", "FROM"], [[entry["name"],
                                          where(inspection.sources, entry["location"])]
                                         for entry in result["languages"]])
    lines += table(["CONTEXT", "VALUE"], [[c["name"], c["value"] or "(not given)"]
                                         for c in result["contexts"]])
    lines += table(["MANIFEST", "SCRIPTS"], [[m["name"], " ".join(m["scripts"])]
                                            for m in result["manifests"]])
    lines += table(["DEPENDENCY FILE", "LANGUAGE"], [[d["name"], d["language"]]
                                                    for d in result["dependencies"]])
    lines += table(["SECRET", "REQUIRED", "DESCRIPTION"],
                   [[s["name"], "false", s.get("description", "")] for s in result["secrets"]])
    lines += table(["BUILD ARG", "VALUE", "DESCRIPTION"],
                   [[a["name"], a["value"], a["description"]] for a in result["args"]])
    return "\n".join(lines)
