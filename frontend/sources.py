"""The build's sources as LLB states: the base image, core's source and the
named contexts of a request (local directories, images, git repositories)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from frontend.llb import State, git, image, local
from frontend.pb import llb_pb2 as pb
from frontend.platform import Platform
from frontend.references import normalize_image_ref
from frontend.request import RequestError

# Named contexts the frontend reads; any other one may stand in for a
# library a loader's build downloads (tinycc).
CORE_CONTEXT = "metacall-core"
PLTHOOK_CONTEXT = "plthook"
CORE_REPOSITORY = "https://github.com/metacall/core.git"
# What a core checkout holds that its build never reads: never transferred.
CORE_EXCLUDES = (".git", "build")
# Without core's tests, its build reads nothing of its test, script,
# benchmark and example folders but their CMakeLists.txt (each returns at
# once, its option off) and the suppression files sanitizer options name:
# half of core's files, that a warm build would otherwise compare one by one.
CORE_EXCLUDES_WITHOUT_TESTS = (
    *CORE_EXCLUDES,
    *(pattern for folder in ("tests", "scripts", "benchmarks", "examples")
      for pattern in (f"source/{folder}/*", f"!source/{folder}/CMakeLists.txt")),
    "!source/tests/memcheck", "!source/tests/sanitizer",
)


def context_state(name: str, value: str, session_id: str, *, core_tests: bool = False) -> State:
    """A named context's state; `core_tests` says whether core's build runs
    its tests, and so reads all of core's source."""
    if value.startswith("local:"):
        local_name = value.removeprefix("local:")
        if name != CORE_CONTEXT:
            exclude: tuple[str, ...] = ()
        else:
            exclude = CORE_EXCLUDES if core_tests else CORE_EXCLUDES_WITHOUT_TESTS
        return local(local_name, session_id=session_id, exclude=exclude,
                     shared_key=f"{local_name}-with-tests" if core_tests else "",
                     label=f"load build context {name}")
    if value.startswith("docker-image://"):
        ref = normalize_image_ref(value.removeprefix("docker-image://"))
        return image(ref, platform=pb.Platform(), name=f"load build context {name} ({ref})")
    if value.startswith(("https://", "git://", "git@")) or value.endswith(".git"):
        remote, _, ref = value.partition("#")
        return git(remote, ref or "HEAD", name=f"load build context {name} ({value})")
    raise RequestError(
        f"build context `{name}={value}` is not local:, docker-image:// or a git URL")


@dataclass(frozen=True)
class CoreSource:
    state: State
    # How the labels name it, and its version.
    label: str
    version: str


def core_source(
    contexts: Mapping[str, str], session_id: str, version: str, context_version: str | None,
    *, tests: bool,
) -> CoreSource:
    """core from the `metacall-core` context (its VERSION, when the caller
    could read it), else its git repository at `version`."""
    if CORE_CONTEXT in contexts:
        return CoreSource(context_state(CORE_CONTEXT, contexts[CORE_CONTEXT], session_id,
                                        core_tests=tests),
                          f"context {CORE_CONTEXT}", context_version or "unknown")
    return CoreSource(git(CORE_REPOSITORY, version, name=f"fetch MetaCall core {version}"),
                      f"{CORE_REPOSITORY}#{version}", version)


def base_image_state(ref: str, digest: str, platform: Platform, declared: str) -> State:
    """The base image as the build loads it: pinned to `digest` when the
    caller resolved its config (the build then uses the image it read), and
    the same op for a caller that loads it before the build's solve."""
    pinned = f"{ref}@{digest}" if digest and "@" not in ref else ref
    return image(pinned, platform=platform.to_pb(), name=f"load base image {declared}")


def named_state(contexts: Mapping[str, str], name: str, session_id: str) -> State | None:
    value = contexts.get(name)
    return None if value is None else context_state(name, value, session_id)


def transferred_contexts(contexts: Mapping[str, str], session_id: str) -> list[State]:
    """The local contexts every build from source reads (core's source and
    plthook), as the build's own LLB loads them: the same ops, so BuildKit
    transfers each once, however early the frontend asks. Asked for before
    the declaration is parsed, core's is the one a build without core's
    tests reads."""
    return [context_state(name, contexts[name], session_id) for name in
            (CORE_CONTEXT, PLTHOOK_CONTEXT) if contexts.get(name, "").startswith("local:")]


def library_states(contexts: Mapping[str, str], session_id: str) -> dict[str, State]:
    return {name: context_state(name, value, session_id)
            for name, value in sorted(contexts.items())
            if name not in (CORE_CONTEXT, PLTHOOK_CONTEXT)}


def declaration_source(context: str, filename: str, session_id: str) -> State:
    """The declaration alone, from the context that holds it."""
    return local(context, session_id=session_id, include=[filename], follow_paths=[filename],
                 shared_key=f"{context}-declaration", label=f"load declaration {filename}")


def core_version_source(context: str, session_id: str) -> State:
    """core's VERSION alone, from core's local context."""
    return local(context, session_id=session_id, include=["VERSION"],
                 shared_key=f"{context}-VERSION", label="load MetaCall core's VERSION")


def scripts_source(context: str, session_id: str, include: Sequence[str],
                   exclude: Sequence[str] = ()) -> State:
    """The named scripts alone, to see which exist; or (with `exclude`) the
    app's sources, for the languages they load: each under its own key."""
    return local(context, session_id=session_id, include=list(include), exclude=list(exclude),
                 shared_key=f"{context}-{'sources' if exclude else 'scripts'}",
                 label="read the app's sources" if exclude else "look for the app's scripts")
