"""The SBOM attestation of a built image (`--sbom=true`): its package
databases read through BuildKit, then an SPDX document solved as a file the
exporter attaches to the image."""

from __future__ import annotations

import json
import posixpath

import grpc

from frontend.compile import Compiled
from frontend.gateway.bridge import Bridge
from frontend.llb import State, marshal
from frontend.pb import gateway_pb2
from frontend.sbom import (
    FILENAME,
    PREDICATE_TYPE,
    Package,
    debian_packages,
    gem_packages,
    metacall_packages,
    npm_packages,
    python_packages,
    spdx_document,
)

READ_LIMIT = 16 << 20


def _listing(bridge: Bridge, ref: str, path: str) -> list[str]:
    try:
        return [entry.path for entry in bridge.read_dir(ref, path)]
    except grpc.RpcError:
        return []  # nothing installed there


def _read(bridge: Bridge, ref: str, path: str) -> str:
    try:
        return bridge.read_file(ref, path, limit=READ_LIMIT).decode(errors="replace")
    except grpc.RpcError:
        return ""


def image_packages(bridge: Bridge, ref: str, compiled: Compiled, architecture: str
                   ) -> list[Package]:
    inventory = compiled.inventory
    packages = debian_packages(_read(bridge, ref, "/var/lib/dpkg/status"), architecture)
    for python in _listing(bridge, ref, "/usr/local/lib"):
        if python.startswith("python3"):
            folder = f"/usr/local/lib/{python}/dist-packages"
            packages += python_packages(_listing(bridge, ref, folder))
    for folder in inventory.npm_folders:
        lock = _read(bridge, ref, posixpath.join(folder, "node_modules/.package-lock.json"))
        packages += npm_packages(lock) if lock else []
    for version in _listing(bridge, ref, "/var/lib/gems"):
        packages += gem_packages(_listing(bridge, ref, f"/var/lib/gems/{version}/specifications"))
    return packages + metacall_packages(inventory.core_version, inventory.loaders)


def attestation(bridge: Bridge, ref: str, compiled: Compiled, name: str,
                created: int | None) -> gateway_pb2.Attestation:
    architecture = compiled.config.get("architecture", "amd64")
    document = spdx_document(name, image_packages(bridge, ref, compiled, architecture), created)
    sbom = State().mkfile(f"/{FILENAME}", json.dumps(document, indent=1).encode(),
                          name="[sbom] write the SBOM of the image")
    sbom_ref = bridge.solve(marshal(sbom), evaluate=True)
    return gateway_pb2.Attestation(
        kind=gateway_pb2.InToto, ref=gateway_pb2.Ref(id=sbom_ref), path=f"/{FILENAME}",
        inTotoPredicateType=PREDICATE_TYPE, metadata={"reason": b"sbom"},
    )
