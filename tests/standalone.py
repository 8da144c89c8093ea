"""Standalone BuildKit for the tests: the buildkitds scripts/channels.sh
starts (root and rootless, two nodes of a multi-node builder, one for
faults), `buildctl build` as the README shows it, and the test registry."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

from tests.conftest import CA_BUNDLE, FIXTURE_CORE, docker, run_image, write_app

REGISTRY = "127.0.0.1:5000"
RUN = "/run/metacall-test"


def buildkitd_address(name: str) -> str:
    """A root buildkitd of scripts/channels.sh, by its name there."""
    return f"unix://{RUN}/{name}/buildkitd.sock"


ROOT_BUILDKITD = buildkitd_address("buildkitd")
ROOTLESS_BUILDKITD = buildkitd_address("rootless")
BUILDKITD_CONFIG = "/var/lib/metacall-test/buildkitd.toml"
# What users write: docker.io/metacall/frontend, which the buildkitds mirror
# to the test registry.
SYNTAX = "# syntax=metacall/frontend\n"
FRONTEND_REF = f"{REGISTRY}/metacall/frontend:latest"


def tool(name: str) -> str | None:
    directory = os.environ.get("BUILDKIT_BIN_DIR")
    if directory and (Path(directory) / name).exists():
        return str(Path(directory) / name)
    return shutil.which(name)


def buildctl_command(address: str, *args: str, timeout: float = 60
                     ) -> subprocess.CompletedProcess:
    """A buildctl command other than a build (du, prune, debug …)."""
    return subprocess.run([tool("buildctl") or "buildctl", "--addr", address, *args],
                          capture_output=True, text=True, timeout=timeout)


def answers(address: str) -> bool:
    return tool("buildctl") is not None and buildctl_command(
        address, "debug", "workers", timeout=30).returncode == 0


def prune(address: str) -> None:
    """Empties a buildkitd's cache, as on a fresh node."""
    pruned = buildctl_command(address, "prune", "--all", timeout=600)
    assert pruned.returncode == 0, pruned.stderr


def fixture_app(directory: Path, languages: str = "[py, node]") -> Path:
    app = write_app(directory, "", {"metacall.json": '{"language_id": "py", '
                                                     '"scripts": ["main.py"]}',
                                    "main.py": "def main():\n    return 1\n"})
    (app / "metacall.yaml").write_text(SYNTAX + f"languages: {languages}\n")
    return app


def buildctl_args(address: str | None, app: Path, *, daemonless: bool = False) -> list[str]:
    """`buildctl build` as the README shows it, the frontend from the registry."""
    command = [tool("buildctl-daemonless.sh") or "buildctl-daemonless.sh"] if daemonless else [
        tool("buildctl") or "buildctl", "--addr", address or ""]
    command += [
        "build", "--progress=plain", "--frontend", "gateway.v0",
        "--opt", f"source={FRONTEND_REF}",
        "--local", f"dockerfile={app}", "--local", f"context={app}",
        "--local", f"metacall-core={FIXTURE_CORE}",
        "--opt", "context:metacall-core=local:metacall-core",
    ]
    if CA_BUNDLE.exists():
        command += ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"]
    return command


def buildctl(address: str | None, app: Path, *extra: str,
             daemonless: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ}
    if daemonless:
        env |= {"BUILDCTL": tool("buildctl") or "buildctl",
                "BUILDKITD": tool("buildkitd") or "buildkitd",
                "BUILDKITD_FLAGS": f"--root {app.parent}/daemonless --config {BUILDKITD_CONFIG} "
                                   "--oci-worker=true --containerd-worker=false"}
    return subprocess.run([*buildctl_args(address, app, daemonless=daemonless), *extra],
                          capture_output=True, text=True, timeout=1800, env=env)


def pushed(name: str) -> str:
    return f"{REGISTRY}/test/{name}-{uuid.uuid4().hex[:8]}"


def pull_and_run(ref: str) -> str:
    """The image, pulled back from the registry by Docker, answers."""
    docker("pull", "-q", ref)
    try:
        code, output = run_image(ref, ["-c", "printf 'exit\\n' | metacall-app"],
                                 entrypoint="/bin/sh")
        assert code == 0, output
        return output
    finally:
        docker("image", "rm", "-f", ref, check=False)


def steps_that_ran(progress: str) -> list[str]:
    """The named steps of a plain progress log that ran: not CACHED, not
    CANCELED (BuildKit starts a step, then cancels it once an imported
    cache holds what needs it), not pulled (an imported cache's layers are
    downloaded and extracted under the name of the step that made them)."""
    names = dict(re.findall(r"^(#\d+) (\[[^\]]+\] .+)$", progress, re.M))
    skipped = set(re.findall(r"^(#\d+) (?:CACHED$|CANCELED$|(?:extracting )?sha256:)",
                             progress, re.M))
    return [name for number, name in names.items() if number not in skipped]


def step_log(progress: str, step: str) -> str:
    """Every line a step printed in a plain progress log, for a failure's message."""
    numbers = set(re.findall(rf"^(#\d+) {re.escape(step)}$", progress, re.M))
    return "\n".join(line for line in progress.splitlines() if line.split(" ", 1)[0] in numbers)


def index_of(archive: Path) -> dict:
    """index.json of an OCI image archive (`--output type=oci`)."""
    with tarfile.open(archive) as oci:
        member = oci.extractfile("index.json")
        assert member is not None
        return json.load(member)
