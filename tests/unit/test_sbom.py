"""The SBOM's packages, read from what the installers wrote."""

from __future__ import annotations

import json

from frontend.sbom import (
    debian_packages,
    gem_packages,
    metacall_packages,
    npm_packages,
    python_packages,
    spdx_document,
)

STATUS = """Package: libpython3.11
Status: install ok installed
Architecture: amd64
Version: 3.11.2-6+deb12u4

Package: removed-one
Status: deinstall ok config-files
Version: 1.0
"""


def test_each_installer_database_gives_exact_versions() -> None:
    purls = [p.purl for p in (
        *debian_packages(STATUS, "amd64"),
        *python_packages(["Typing_Extensions-4.12.2.dist-info", "six-1.16.0.dist-info",
                          "__pycache__"]),
        *npm_packages(json.dumps({"packages": {
            "": {"name": "app"}, "node_modules/is-number": {"version": "7.0.0"},
            "node_modules/@scope/pkg": {"version": "1.2.3"},
            "node_modules/a/node_modules/b": {"version": "0.1.0"}}})),
        *gem_packages(["rack-3.0.8.gemspec", "notes.txt"]),
        *metacall_packages("v0.9.22", ["py"]),
    )]
    assert purls == [
        "pkg:deb/debian/libpython3.11@3.11.2-6+deb12u4?arch=amd64&distro=debian",
        "pkg:pypi/typing-extensions@4.12.2", "pkg:pypi/six@1.16.0",
        "pkg:npm/is-number@7.0.0", "pkg:npm/%40scope/pkg@1.2.3", "pkg:npm/b@0.1.0",
        "pkg:gem/rack@3.0.8",
        "pkg:github/metacall/core@0.9.22", "pkg:github/metacall/core-py-loader@0.9.22",
    ]


def test_the_document_is_the_same_for_the_same_packages() -> None:
    packages = python_packages(["six-1.16.0.dist-info"])
    first = spdx_document("app", packages, 1700000000)
    assert first == spdx_document("app", list(reversed(packages)), 1700000000)
    assert first["creationInfo"]["created"] == "2023-11-14T22:13:20Z"
    assert first["spdxVersion"] == "SPDX-2.3"
    (package,) = first["packages"]
    assert package["versionInfo"] == "1.16.0"
    assert first["relationships"][0]["relatedSpdxElement"] == package["SPDXID"]
