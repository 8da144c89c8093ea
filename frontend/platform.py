"""A platform (`linux/arm64`), parsed once where it enters: the request's
option, a worker's JSON, the CLI's flag."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from frontend.pb import llb_pb2 as pb


@dataclass(frozen=True, order=True)
class Platform:
    os: str = "linux"
    architecture: str = "amd64"
    variant: str = ""

    @classmethod
    def parse(cls, value: str) -> Platform:
        """os/arch[/variant] as BuildKit names platforms: arm64's v8 and
        amd64's v1 go; plain arm is arm/v7."""
        os_name, _, rest = value.strip().partition("/")
        arch, _, variant = rest.partition("/")
        arch = {"aarch64": "arm64", "x86_64": "amd64"}.get(arch, arch) or "amd64"
        if (arch, variant) in (("arm64", "v8"), ("amd64", "v1")):
            variant = ""
        elif arch == "arm" and not variant:
            variant = "v7"
        return cls(os_name or "linux", arch, variant)

    @classmethod
    def from_worker(cls, worker: Mapping[str, Any]) -> Platform:
        """A platform as BuildKit's BUILDKIT_WORKERS lists it (Go's field names)."""
        variant = worker.get("Variant") or worker.get("variant") or ""
        return cls.parse("/".join(filter(None, (worker["OS"], worker["Architecture"], variant))))

    def __str__(self) -> str:
        return "/".join(part for part in (self.os, self.architecture, self.variant) if part)

    def to_pb(self) -> pb.Platform:
        return pb.Platform(OS=self.os, Architecture=self.architecture, Variant=self.variant)

    def to_oci(self) -> dict[str, str]:
        """As an OCI image index lists it."""
        return {"architecture": self.architecture, "os": self.os,
                **({"variant": self.variant} if self.variant else {})}


DEFAULT_PLATFORM = Platform()
