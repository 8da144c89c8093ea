"""How image references are written: the repository names the declaration
and the build args accept, and the full form BuildKit resolves."""

from __future__ import annotations

import re

DOCKER_HUB = "docker.io"
DEFAULT_BASE_IMAGE = "debian:bookworm-slim"
# Where the frontend image's workflow publishes the runtime's layers
# (`python -m frontend publish`), and the value that turns looking off.
DEFAULT_PREBUILT = "docker.io/metacall/frontend-layers"
NO_PREBUILT = "none"
# An image repository without tag or digest: [host[:port]/]path.
REPOSITORY = re.compile(
    r"^([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$"
)


def normalize_image_ref(ref: str) -> str:
    """docker.io/library/debian:bookworm-slim for `debian:bookworm-slim`."""
    name, sep, digest = ref.partition("@")
    first, _, rest = name.partition("/")
    if not rest:
        name = f"{DOCKER_HUB}/library/{name}"
    elif first in (DOCKER_HUB, f"index.{DOCKER_HUB}"):
        name = f"{DOCKER_HUB}/{rest}" if "/" in rest else f"{DOCKER_HUB}/library/{rest}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"{DOCKER_HUB}/{name}"
    if ":" not in name.rsplit("/", 1)[-1] and not sep:
        name += ":latest"
    return name + sep + digest
