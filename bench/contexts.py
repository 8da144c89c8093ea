"""The build arguments every benchmark passes: core's and plthook's sources
as named contexts, and the machine's CA bundle as the ca-certificates secret."""

from __future__ import annotations

import os
from pathlib import Path

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def core_build_args() -> list[str] | None:
    """None (after saying what is missing) when the sources are not given."""
    core, plthook = os.environ.get("METACALL_CORE_SOURCE"), os.environ.get("PLTHOOK_SOURCE")
    if not core or not plthook:
        print("set METACALL_CORE_SOURCE and PLTHOOK_SOURCE (a plthook_c directory)")
        return None
    args = ["--build-context", f"metacall-core={core}", "--build-context", f"plthook={plthook}"]
    if Path(CA_BUNDLE).exists():
        args += ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"]
    return args
