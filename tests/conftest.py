"""Shared test harness: the frontend image, buildx, and running built images."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORE = ROOT / "tests" / "fixtures" / "fake-core"
FRONTEND_IMAGE = os.environ.get("METACALL_FRONTEND_IMAGE", "metacall/frontend")
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SYNTAX = f"# syntax={FRONTEND_IMAGE}\n"

def compactness_check(needed_dev_packages: Sequence[str] = ()) -> str:
    """A shell check printing a LEAK line for build material that must never
    reach a runtime image: core's source or build tree, compilers, .deb
    caches, headers and -dev packages. A loader that compiles the scripts it
    loads (C) names the -dev packages it needs at run time: those, what they
    depend on and their headers are then allowed."""
    allowed = " ".join(needed_dev_packages)
    check = (
        "for p in /usr/local/metacall /opt/fake-deps /usr/local/bin/cmake /usr/bin/cmake "
        "/usr/bin/gcc /usr/bin/cc /usr/bin/g++ /usr/bin/c++ /usr/bin/tcc /usr/local/bin/tcc; "
        "do [ -e $p ] && echo LEAK $p; done; "
        "ls /var/cache/apt/archives/*.deb /var/cache/apt/*.bin /var/lib/apt/lists/*_Packages* "
        "2>/dev/null | sed 's/^/LEAK /'; "
        # The allowed packages and, transitively, what they depend on.
        f"allowed=' {allowed} '; todo='{allowed}'; while [ -n \"$todo\" ]; do next=''; "
        "for p in $todo; do for d in $(dpkg-query -W -f '${Depends}' $p 2>/dev/null "
        "| tr ',|' '\\n\\n' | sed 's/^ *//; s/[ (:].*//'); do case \"$allowed\" in "
        "*\" $d \"*) ;; *) allowed=\"$allowed$d \"; next=\"$next $d\" ;; esac; done; done; "
        "todo=$next; done; "
        "dpkg-query -W -f '${Package}\\n' | grep -- '-dev$' | while read -r p; do "
        "case \"$allowed\" in *\" $p \"*) ;; *) echo LEAK dev package $p ;; esac; done; "
    )
    if not needed_dev_packages:
        # The base image ships these directories empty: headers in them are a leak.
        check += ("find /usr/include /usr/local/include -type f | head -n 3 "
                  "| sed 's/^/LEAK header /'; ")
    return check + "true"


def ca_secret_args() -> list[str]:
    """Network steps trust the machine's CA bundle (needed behind TLS inspection)."""
    return ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"] if CA_BUNDLE.exists() else []


def docker(*args: str, check: bool = True, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=check, timeout=timeout
    )


@pytest.fixture(scope="session")
def frontend_image() -> str:
    """Builds the frontend image from this checkout (cached by BuildKit)."""
    info = docker("info", "--format", "{{.DriverStatus}}", check=False, timeout=60)
    if info.returncode != 0:
        pytest.fail(f"no Docker engine answers (run scripts/test): {info.stderr.strip()}")
    if "io.containerd.snapshotter" not in info.stdout:
        pytest.fail("Docker's containerd image store is off; MergeOp/DiffOp need it")
    docker("build", "-q", *ca_secret_args(), "-t", FRONTEND_IMAGE, str(ROOT))
    return FRONTEND_IMAGE


class BuildResult:
    def __init__(self, process: subprocess.CompletedProcess, tag: str | None) -> None:
        self.returncode = process.returncode
        self.output = process.stdout + process.stderr
        self.tag = tag

    def __repr__(self) -> str:
        return f"BuildResult({self.returncode}, tag={self.tag})\n{self.output[-6000:]}"


@pytest.fixture
def buildx(frontend_image: str, tmp_path: Path) -> Iterator:
    """Runs `docker buildx build` as a user would; removes the images it tagged."""
    tags: list[str] = []

    def build(
        context: Path,
        *extra: str,
        file: str = "metacall.yaml",
        tag: bool = True,
        timeout: float = 3600,
    ) -> BuildResult:
        name = f"metacall-test-{uuid.uuid4().hex[:12]}" if tag else None
        args = ["buildx", "build", "--progress=plain", "-f", str(context / file)]
        args += ca_secret_args() + list(extra)
        if name:
            args += ["-t", name]
            tags.append(name)
        result = BuildResult(docker(*args, str(context), check=False, timeout=timeout), name)
        return result

    yield build
    for name in tags:
        docker("image", "rm", "-f", name, check=False)


def write_app(directory: Path, declaration: str, files: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metacall.yaml").write_text(SYNTAX + declaration)
    for name, content in (files or {}).items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(content)
    return directory


def run_image(
    image: str,
    command: Sequence[str] | str | None = None,
    *,
    entrypoint: str | None = None,
    volumes: dict[str, str] | None = None,
    volume_mode: str = "ro",
) -> tuple[int, str]:
    """Runs a built image to completion with testcontainers; returns (exit, output)."""
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")  # no registry for ryuk
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(image)
    if command is not None:
        container = container.with_command(
            command if isinstance(command, str) else list(command))
    if entrypoint is not None:
        container = container.with_kwargs(entrypoint=entrypoint)
    for host, path in (volumes or {}).items():
        container = container.with_volume_mapping(host, path, volume_mode)
    with container:
        wrapped = container.get_wrapped_container()
        status = wrapped.wait(timeout=600)
        stdout, stderr = container.get_logs()
    return status["StatusCode"], (stdout + stderr).decode(errors="replace")
