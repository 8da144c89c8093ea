"""An SPDX 2.3 SBOM of a built image, from what the build knows it put there:
the Debian packages of its package database, the app's Python and npm
packages as they were installed, and MetaCall core with its loaders.

A scanner of the finished image sees a slim filesystem and guesses; the
frontend reads the databases the installers wrote, with exact versions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PREDICATE_TYPE = "https://spdx.dev/Document"
FILENAME = "sbom.spdx.json"
TOOL = "metacall-frontend"


@dataclass(frozen=True, order=True)
class Package:
    ecosystem: str  # "deb", "pypi", "npm", "gem", "github"
    name: str
    version: str
    qualifiers: str = ""  # purl qualifiers, e.g. "arch=amd64"

    @property
    def purl(self) -> str:
        name = self.name
        if self.ecosystem == "npm" and name.startswith("@"):
            name = "%40" + name[1:]
        namespace = {"deb": "debian/", "github": "metacall/"}.get(self.ecosystem, "")
        query = f"?{self.qualifiers}" if self.qualifiers else ""
        return f"pkg:{self.ecosystem}/{namespace}{name}@{self.version}{query}"


def debian_packages(status: str, architecture: str) -> list[Package]:
    """The installed packages of a dpkg status file."""
    found = []
    for stanza in status.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", stanza, re.M))
        if "Package" in fields and "install ok installed" in fields.get("Status", ""):
            arch = fields.get("Architecture", architecture)
            found.append(Package("deb", fields["Package"], fields.get("Version", ""),
                                 f"arch={arch}&distro=debian"))
    return found


def _named_by_version(ecosystem: str, names: Iterable[str], suffix: str) -> list[Package]:
    """Packages from the `NAME-VERSION<suffix>` entries their installer wrote."""
    found = []
    for entry in names:
        stem = entry.removesuffix(suffix)
        if stem != entry and "-" in stem:
            name, version = stem.rsplit("-", 1)
            if ecosystem == "pypi":  # PyPI's normalized name
                name = name.lower().replace("_", "-")
            found.append(Package(ecosystem, name, version))
    return found


def python_packages(dist_info_names: Iterable[str]) -> list[Package]:
    """Packages pip installed, from their `NAME-VERSION.dist-info` folders."""
    return _named_by_version("pypi", dist_info_names, ".dist-info")


def npm_packages(hidden_lockfile: str) -> list[Package]:
    """Packages npm installed, from node_modules/.package-lock.json."""
    packages = json.loads(hidden_lockfile).get("packages", {})
    found = []
    for path, info in packages.items():
        if "node_modules/" in path and isinstance(info, dict) and info.get("version"):
            found.append(Package("npm", path.rsplit("node_modules/", 1)[1], info["version"]))
    return found


def gem_packages(specification_names: Iterable[str]) -> list[Package]:
    """Gems bundler installed, from their `NAME-VERSION.gemspec` files."""
    return _named_by_version("gem", specification_names, ".gemspec")


def metacall_packages(core_version: str, loaders: Iterable[str]) -> list[Package]:
    version = core_version.removeprefix("v")
    return [Package("github", "core", version),
            *(Package("github", f"core-{tag}-loader", version) for tag in loaders)]


def spdx_document(name: str, packages: Iterable[Package], created: int | None) -> dict[str, Any]:
    """The document, the same for the same packages (its namespace is their
    digest; its time SOURCE_DATE_EPOCH's when given)."""
    ordered = sorted(set(packages))
    digest = hashlib.sha256("\n".join(p.purl for p in ordered).encode()).hexdigest()
    when = datetime.fromtimestamp(created, UTC) if created is not None else datetime.now(UTC)
    entries = []
    for index, package in enumerate(ordered):
        entries.append({
            "name": package.name,
            "SPDXID": f"SPDXRef-Package-{package.ecosystem}-{index}",
            "versionInfo": package.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER",
                              "referenceType": "purl", "referenceLocator": package.purl}],
        })
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": f"https://metacall.io/spdx/{name}-{digest[:32]}",
        "creationInfo": {"created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "creators": [f"Tool: {TOOL}"]},
        "packages": entries,
        "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                           "relatedSpdxElement": entry["SPDXID"]} for entry in entries],
    }
