"""The step policy: every command the graph runs goes through `Steps.run`.

One place decides what a step sees: the CA secret and the apt cache when it
may use the network, none when it may not, the base image's environment,
the target platform, and the declaration line the step comes from.

A step's shell program travels in its environment (METACALL_PROGRAM) and
runs as `/bin/sh -c 'eval "$METACALL_PROGRAM"' <program> ARGS…`: when it
fails, BuildKit shows that short command (never a program of hundreds of
characters), and what the user wrote (file names) reaches the program as
arguments, never as code. A file mounted for it would cost an op of its
own, and a warm build pays for every op (bench/op_cost.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from frontend.llb import BindMount, CacheMount, Mount, SecretMount, State, files
from frontend.pb import llb_pb2 as pb
from frontend.plan.shell import (
    APT_SHARED_LISTS,
    APT_TOOLS,
    CA_PREAMBLE,
    CA_SECRET_ID,
    CA_SECRET_PATH,
    TOOLS_DIR,
    apt_tool,
)
from frontend.sourcemap import SourceRange

TOOLS_PATH = f"/run/metacall/{TOOLS_DIR}"
PROGRAM_VARIABLE = "METACALL_PROGRAM"
RUN_PROGRAM = f'eval "${PROGRAM_VARIABLE}"'
# apt's downloads: an instance per step (apt locks them), so branches side by
# side never wait on each other. Its lists: one for all (shell.APT_SHARED_LISTS).
# What the outline says of the secrets steps mount.
SECRET_DESCRIPTIONS = {CA_SECRET_ID: "a CA bundle every network step trusts"}
APT_CACHES = (("/var/cache/apt/archives", "metacall-apt-archives", pb.PRIVATE),
              ("/var/lib/apt/lists", "metacall-apt-lists", pb.SHARED))


# The tools every network step has on its PATH: one op, the same in every step.
NETWORK_TOOLS = files(
    {"/apt-shared-lists": APT_SHARED_LISTS.encode(),
     **{f"/{tool}": apt_tool(tool, TOOLS_PATH).encode() for tool in APT_TOOLS}},
    mode=0o755, name="[internal] tools")


def namespaced(cache_id: str, namespace: str) -> str:
    """A cache mount's id under BUILDKIT_CACHE_MOUNT_NS."""
    return f"{namespace}/{cache_id}" if namespace else cache_id


def program_name(step_name: str) -> str:
    """`install-runtime-libraries` for `[py] install runtime libraries`."""
    words = re.sub(r"^\[[^]]*\]\s*", "", step_name).lower()
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-")[:48].strip("-") or "step"


@dataclass(frozen=True)
class Steps:
    base_env: tuple[str, ...]
    platform: pb.Platform
    # Where in the declaration a step comes from, by what drives it: a
    # language tag, or a key such as `core.tests`.
    locations: Mapping[str, SourceRange] = field(default_factory=dict)
    # Prefixes every cache mount's id (BUILDKIT_CACHE_MOUNT_NS), so builds
    # sharing a builder keep their caches apart.
    cache_namespace: str = ""

    def run(
        self,
        state: State,
        script: str,
        *,
        name: str,
        source: str | None = None,
        cwd: str = "/",
        mounts: Sequence[Mount] = (),
        network: bool = True,
        args: Sequence[str] = (),
        user: str = "",
        env: Sequence[str] | None = None,
    ) -> State:
        """Runs `script` with /bin/sh on `state`, `args` as its "$@".
        `source` names the declaration element the step comes from (see
        `locations`); `env` replaces the base image's environment (a step
        that runs the app runs with the image's)."""
        all_mounts = list(mounts)
        if network:
            script = f"PATH={TOOLS_PATH}:$PATH; {CA_PREAMBLE}{script}"
            all_mounts += [
                BindMount(dest=TOOLS_PATH, source=NETWORK_TOOLS),
                SecretMount(dest=CA_SECRET_PATH, secret_id=CA_SECRET_ID),
                *(CacheMount(dest=path, cache_id=cache_id, sharing=sharing)
                  for path, cache_id, sharing in APT_CACHES),
            ]
        all_mounts = [replace(m, cache_id=namespaced(m.cache_id, self.cache_namespace))
                      if isinstance(m, CacheMount) else m for m in all_mounts]
        # Unset first: what the step runs (compilers, installers) never sees it.
        program = f"# {name}\nunset {PROGRAM_VARIABLE}\n{script}\n"
        return state.run(
            ["/bin/sh", "-c", RUN_PROGRAM, program_name(name), *args],
            name=name,
            env=(*(self.base_env if env is None else env), "DEBIAN_FRONTEND=noninteractive",
                 f"{PROGRAM_VARIABLE}={program}"),
            cwd=cwd,
            user=user,
            mounts=all_mounts,
            network=pb.UNSET if network else pb.NONE,
            platform=self.platform,
            location=self.locations.get(source or ""),
        )
