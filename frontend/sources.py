"""The build's sources as LLB states: the base image, core's source and the
named contexts of a request (local directories, images, git repositories)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from frontend.declaration import DeclarationError
from frontend.llb import State, git, image, local
from frontend.pb import llb_pb2 as pb

# Named contexts the frontend reads; any other one may stand in for a
# library a loader's build downloads (tinycc).
CORE_CONTEXT = "metacall-core"
PLTHOOK_CONTEXT = "plthook"
CORE_REPOSITORY = "https://github.com/metacall/core.git"
DOCKER_HUB = "docker.io"


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


def parse_platform(value: str) -> pb.Platform:
    os_name, _, rest = value.partition("/")
    arch, _, variant = rest.partition("/")
    return pb.Platform(OS=os_name or "linux", Architecture=arch or "amd64", Variant=variant)


def context_state(name: str, value: str, session_id: str) -> State:
    if value.startswith("local:"):
        return local(value.removeprefix("local:"), session_id=session_id,
                     label=f"load build context {name}")
    if value.startswith("docker-image://"):
        ref = normalize_image_ref(value.removeprefix("docker-image://"))
        return image(ref, platform=pb.Platform(), name=f"load build context {name} ({ref})")
    if value.startswith(("https://", "git://", "git@")) or value.endswith(".git"):
        remote, _, ref = value.partition("#")
        return git(remote, ref or "HEAD", name=f"load build context {name} ({value})")
    raise DeclarationError(
        f"build context `{name}={value}` is not local:, docker-image:// or a git URL"
    )


@dataclass(frozen=True)
class CoreSource:
    state: State
    # How the labels name it, and its version.
    label: str
    version: str


def core_source(
    contexts: Mapping[str, str], session_id: str, version: str, context_version: str | None
) -> CoreSource:
    """core from the `metacall-core` context (its VERSION, when the caller
    could read it), else its git repository at `version`."""
    if CORE_CONTEXT in contexts:
        return CoreSource(context_state(CORE_CONTEXT, contexts[CORE_CONTEXT], session_id),
                          f"context {CORE_CONTEXT}", context_version or "unknown")
    return CoreSource(git(CORE_REPOSITORY, version, name=f"fetch MetaCall core {version}"),
                      f"{CORE_REPOSITORY}#{version}", version)


def named_state(contexts: Mapping[str, str], name: str, session_id: str) -> State | None:
    value = contexts.get(name)
    return None if value is None else context_state(name, value, session_id)


def library_states(contexts: Mapping[str, str], session_id: str) -> dict[str, State]:
    return {name: context_state(name, value, session_id)
            for name, value in sorted(contexts.items())
            if name not in (CORE_CONTEXT, PLTHOOK_CONTEXT)}
