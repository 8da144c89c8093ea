"""One scan of a build context, whoever reads it: the gateway through
BuildKit, the CLI from a directory. The scan transfers only what the plan
reads (manifests, dependency files, `.dockerignore`), checks it against
the limits, then looks for the scripts the manifests name."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import Protocol

from frontend import limits
from frontend.declaration import Declaration, DeclarationError
from frontend.declaration.context import ContextScan
from frontend.declaration.dockerignore import FILENAME as DOCKERIGNORE_FILE
from frontend.declaration.manifests import is_manifest
from frontend.plan.app import context_patterns, ignored_patterns, read_by_plan

# The sources read for the languages they load: those of the languages whose
# ports load others.
SOURCE_PATTERNS = tuple(f"**/*.{extension}" for extension in
                        ("js", "cjs", "mjs", "ts", "tsx", "jsx", "py", "rb"))


@dataclass(frozen=True)
class FileInfo:
    size: int = 0
    link: str = ""  # where a symbolic link points ("" for a file)


class ContextReader(Protocol):
    def list(self) -> Mapping[str, FileInfo]:
        """The files matching context_patterns() but not ignored_patterns()."""

    def read(self, path: str, limit: int) -> bytes:
        """One of those files, at most `limit` bytes."""

    def find(self, include: Sequence[str],
             exclude: Sequence[str] = ()) -> Mapping[str, FileInfo]:
        """The files `include` (paths or patterns) matches, `exclude` not."""

    def read_found(self, path: str, limit: int) -> bytes:
        """A file find() found, at most `limit` bytes."""


def scan_files(reader: ContextReader, *, with_texts: bool = False) -> ContextScan:
    """The context's manifests, dependency files and .dockerignore; the
    texts of the dependency files that may hold build scripts; with
    `with_texts`, the requirements files' too (for the lint)."""
    files = reader.list()
    check_context_limits(files)
    return ContextScan(
        frozenset(files),
        {path: reader.read(path, limits.MANIFEST_BYTES) for path in sorted(files)
         if is_manifest(path)},
        reader.read(DOCKERIGNORE_FILE, limits.DECLARATION_BYTES).decode(errors="replace")
        if DOCKERIGNORE_FILE in files else "",
        texts={path: reader.read(path, limits.MANIFEST_BYTES) for path in sorted(files)
               if read_by_plan(path) or (with_texts and path.endswith("requirements.txt"))},
    )


def find_scripts(reader: ContextReader, scan: ContextScan,
                 declaration: Declaration) -> ContextScan:
    """`scan` with which of the scripts it names exist and where those that
    are symbolic links point; and, for the languages they load, the first
    bytes of the app's source files (named or not: a script may load
    another that loads a language), but those .dockerignore keeps out."""
    if declaration.app is None and not scan.manifests:
        return replace(scan, existing_scripts=frozenset())  # no app: nothing to look for
    scripts = scan.named_scripts(declaration)
    found = reader.find(scripts) if scripts else {}
    sources = {**reader.find(SOURCE_PATTERNS, ignored_patterns()), **found}
    readable = sorted(path for path, info in sources.items()
                      if not info.link and scan.dockerignore.excluded_by(path) is None)
    return replace(scan, existing_scripts=frozenset(found),
                   script_links={path: info.link for path, info in found.items() if info.link},
                   script_texts={path: reader.read_found(path, limits.SCRIPT_BYTES)
                                 for path in readable[:limits.SOURCE_FILES]})


def check_context_limits(files: Mapping[str, FileInfo]) -> None:
    manifests = [path for path in files if is_manifest(path)]
    if len(manifests) > limits.MANIFESTS:
        raise DeclarationError(f"the build context has {len(manifests)} MetaCall manifests; "
                               f"at most {limits.MANIFESTS} are read")
    if len(files) - len(manifests) > limits.DEPENDENCY_FILES:
        raise DeclarationError(f"the build context has {len(files) - len(manifests)} dependency "
                               f"files; at most {limits.DEPENDENCY_FILES} are read")
    for path in manifests:
        if files[path].size > limits.MANIFEST_BYTES:
            raise DeclarationError(f"{path} is {files[path].size:,} bytes; a manifest is at "
                                   f"most {limits.MANIFEST_BYTES:,}")


class DirectoryReader:
    """A context on disk, read as BuildKit's local source would send it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def list(self) -> dict[str, FileInfo]:
        return {path: info for path, info in
                self._matching(context_patterns(), ignored_patterns()).items() if not info.link}

    def read(self, path: str, limit: int) -> bytes:
        with (self.directory / path).open("rb") as file:
            return file.read(limit)

    def read_found(self, path: str, limit: int) -> bytes:
        return self.read(path, limit)

    def find(self, include: Sequence[str], exclude: Sequence[str] = ()) -> dict[str, FileInfo]:
        return self._matching(include, exclude)

    def _matching(self, include: Sequence[str], exclude: Sequence[str]) -> dict[str, FileInfo]:
        """As BuildKit's filters take them: `**/` any folders, exclusions
        of folders anywhere."""
        ignored = {pattern.removeprefix("**/") for pattern in exclude}
        found = {}
        for path in sorted(self.directory.rglob("*")):
            relative = path.relative_to(self.directory).as_posix()
            if ignored & set(relative.split("/")[:-1]) or not any(
                    relative == p or fnmatch(relative, p)
                    or (p.startswith("**/") and fnmatch(path.name, p.removeprefix("**/")))
                    for p in include):
                continue
            if path.is_symlink():
                found[relative] = FileInfo(link=os.readlink(path))
            elif path.is_file():
                found[relative] = FileInfo(path.stat().st_size)
        return found


def scan_directory(directory: Path, declaration: Declaration) -> ContextScan:
    """What the gateway asks BuildKit for, read from a directory."""
    reader = DirectoryReader(directory)
    return find_scripts(reader, scan_files(reader), declaration)
