"""MetaCall manifests (`metacall.json`, `metacall-<name>.json`) anywhere in
the build context, read and validated as MetaCall reads them: the language
from `language_id`, scripts relative to `path`, itself relative to the
manifest's folder. A problem names the manifest and, where it can, its line.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from frontend.declaration.errors import DeclarationError, SourceText
from frontend.declaration.models import Language, outside_context, unknown_language

MANIFEST_NAME = re.compile(r"^metacall(-.+)?\.json$")
# Folders that hold installed or generated files, never the app's manifests.
IGNORED_FOLDERS = ("node_modules", ".git", "__pycache__", ".venv", "venv", "site-packages",
                   "dist-packages", "vendor")


def is_manifest(path: str) -> bool:
    return bool(MANIFEST_NAME.match(posixpath.basename(path)))


def in_ignored_folder(path: str) -> bool:
    return any(part in IGNORED_FOLDERS for part in path.split("/")[:-1])


class ManifestModel(BaseModel):
    # Manifests carry other keys for other tools (MetaCall's deploy).
    model_config = ConfigDict(extra="allow", frozen=True)

    language_id: Language
    path: str = "."
    scripts: tuple[str, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Manifest:
    source: SourceText  # its path relative to the context root, and text
    language: Language
    # Relative to the context root, as the app's folder holds them.
    scripts: tuple[str, ...]
    scripts_line: int
    language_line: int = 1

    @property
    def file(self) -> str:
        return self.source.filename


def read_manifest(file: str, data: bytes) -> Manifest:
    source = SourceText(file, data.decode(errors="replace"), "JSON")

    def error(message: str, line: int = 0) -> DeclarationError:
        return DeclarationError(message, line, source=source)

    try:
        raw = json.loads(data.decode())
    except UnicodeDecodeError as failure:
        raise error(f"not UTF-8 text: {failure.reason} at byte {failure.start}") from None
    except json.JSONDecodeError as failure:
        raise error(f"not JSON: {failure.msg}", failure.lineno) from None
    except RecursionError:
        raise error("nested too deeply to read") from None
    except ValueError:  # Python reads integers of at most 4,300 digits
        raise error("holds a number too long to read") from None
    try:
        json.dumps(raw, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise error("a string holds an escaped half of a UTF-16 pair, which is not a "
                    "character") from None
    if not isinstance(raw, dict):
        raise error('a MetaCall manifest is a JSON object: {"language_id", "path", "scripts"}', 1)
    try:
        manifest = ManifestModel.model_validate(raw)
    except ValidationError as failure:
        detail = failure.errors()[0]
        key = str(detail["loc"][0]) if detail["loc"] else ""
        message = detail["msg"].replace("a valid tuple", "a list")
        if key == "language_id" and detail["type"] == "enum":
            message = unknown_language(detail["input"])
        raise error(f"`{key}`: {message}" if key else message, _line_of_key(source.text, key)
                    ) from None
    scripts_line = _line_of_key(source.text, "scripts")
    base = posixpath.join(posixpath.dirname(file), manifest.path)
    scripts = []
    for script in manifest.scripts:
        resolved = posixpath.normpath(posixpath.join(base, script))
        if outside_context(posixpath.join(base, script)):
            raise error(f"script `{script}` (path `{manifest.path}`) is outside the build "
                        "context", scripts_line)
        if any(char.isspace() for char in resolved):
            raise error(f"script `{script}`: MetaCall's CLI cannot load a path with spaces",
                        scripts_line)
        scripts.append(resolved)
    return Manifest(source, manifest.language_id, tuple(scripts), scripts_line,
                    _line_of_key(source.text, "language_id"))


def _line_of_key(text: str, key: str) -> int:
    """The line of `"key":` in the manifest (1 when it is not there)."""
    found = re.search(rf'"{re.escape(key)}"\s*:', text) if key else None
    return text.count("\n", 0, found.start()) + 1 if found else 1
