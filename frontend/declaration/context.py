"""What a build context holds that the build reads before it plans: the
manifests (parsed once, with their lines), the dependency files, the
`.dockerignore`, and which of the scripts they name exist. The gateway
and the CLI each fill one (frontend.scan) and every reader shares it.
The scripts' texts tell which other languages they load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from frontend.declaration.dockerignore import DockerIgnore
from frontend.declaration.loads import Load, loads_in
from frontend.declaration.manifests import Manifest, in_ignored_folder, is_manifest, read_manifest
from frontend.declaration.models import Declaration


@dataclass(frozen=True)
class ContextScan:
    # The manifests and dependency files, by path relative to the context's root.
    files: frozenset[str] = frozenset()
    manifest_texts: Mapping[str, bytes] = field(default_factory=dict)
    dockerignore_text: str = ""
    # The scripts the manifests name that exist, when the caller looked
    # (None: it did not, and the smoke check finds a missing one), and
    # where those that are symbolic links point.
    existing_scripts: frozenset[str] | None = None
    script_links: Mapping[str, str] = field(default_factory=dict)
    # The contents of the dependency files the plan reads (build scripts),
    # and of others when the caller read them (lint).
    texts: Mapping[str, bytes] = field(default_factory=dict)
    # The first bytes (limits.SCRIPT_BYTES) of the app's sources, named
    # or not (frontend.scan), where they load other languages.
    script_texts: Mapping[str, bytes] = field(default_factory=dict)

    @cached_property
    def manifests(self) -> tuple[Manifest, ...]:
        """Parsed on first use: a manifest's error is raised where it is
        read (the build, or the lint's report), not by the scan."""
        return tuple(read_manifest(name, data) for name, data in sorted(self.manifest_texts.items())
                     if is_manifest(name) and not in_ignored_folder(name))

    @cached_property
    def loads(self) -> tuple[Load, ...]:
        """What the scripts load from other languages, script by script."""
        return tuple(load for path, data in sorted(self.script_texts.items())
                     for load in loads_in(path, data.decode(errors="replace")))

    @cached_property
    def dockerignore(self) -> DockerIgnore:
        return DockerIgnore.parse(self.dockerignore_text)

    def named_scripts(self, declaration: Declaration) -> list[str]:
        """The scripts the manifests and the declaration name, relative to
        the context, for the caller to say which exist."""
        named = [script for manifest in self.manifests for script in manifest.scripts]
        if declaration.app is not None:
            named += [s for scripts in declaration.app.scripts.values() for s in scripts]
        return sorted(set(named))
