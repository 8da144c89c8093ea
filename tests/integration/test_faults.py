"""Faults in the middle of a build (fixture core): a cancelled build, the
frontend's own process killed, the registry gone during a push, a cache
mount left broken. Each runs
on a buildkitd of its own (scripts/channels.sh's `faults`), restarted if a
fault took it down, so no fault can fail the tests that follow (Docker's
engine is never the one cancelled)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontend.llb import CacheMount
from frontend.llb.definition import marshal, serialize
from frontend.llb.sources import image as image_source
from frontend.plan.recipe import Installer, recipe_for
from frontend.platform import DEFAULT_PLATFORM
from tests.conftest import CA_BUNDLE, FIXTURE_CORE, ROOT, docker
from tests.standalone import (
    SYNTAX,
    answers,
    buildctl,
    buildctl_args,
    buildkitd_address,
    fixture_app,
    steps_that_ran,
)

pytestmark = pytest.mark.integration
FAULTS = buildkitd_address("faults")
FAULTS_BUILDER = "metacall-faults"
FRONTEND_PROCESS = "python3.11 .*-m frontend"


def start_faults_node() -> None:
    started = subprocess.run(["bash", str(ROOT / "scripts" / "channels.sh")],
                             capture_output=True, text=True, timeout=600, env=os.environ)
    assert answers(FAULTS), started.stderr[-2000:]


@pytest.fixture
def faults_node(registry_images) -> Iterator[str]:
    if not answers(FAULTS):
        start_faults_node()
    yield FAULTS
    if not answers(FAULTS):  # a fault took it down: up again for the next test
        start_faults_node()


def processes(pattern: str) -> list[str]:
    found = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


def gone(pattern: str, within: float = 30) -> bool:
    deadline = time.monotonic() + within
    while processes(pattern) and time.monotonic() < deadline:
        time.sleep(0.5)
    return not processes(pattern)


def start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for_process(build: subprocess.Popen, pattern: str, timeout: float = 600) -> None:
    """Waits until the build runs a process matching `pattern` (buildkitd's
    steps are processes of this machine)."""
    deadline = time.monotonic() + timeout
    while not processes(pattern):
        if build.poll() is not None or time.monotonic() > deadline:
            output = build.communicate()[0] if build.poll() is not None else ""
            pytest.fail(f"the build never ran {pattern!r}: {output[-3000:]}")
        time.sleep(0.3)


def slow_app(directory: Path, where: str, seconds: int) -> Path:
    """An app whose core compile or whose npm install runs `sleep <seconds>`."""
    app = fixture_app(directory, "[py, node]")
    run = uuid.uuid4().hex  # no cache has seen this app
    options = [f"-DRUN={run}"]
    if where == "compile":
        options.append(f"-DFAKE_BUILD_SECONDS={seconds}")
    (app / "metacall.yaml").write_text(
        SYNTAX + f"languages: [py, node]\ncore: {{cmake-options: [{', '.join(options)}]}}\n")
    if where == "install":
        (app / "package.json").write_text(
            '{"name": "slow-' + run + '", "version": "1.0.0", "private": true, '
            f'"scripts": {{"preinstall": "sleep {seconds}"}}}}\n')
    return app


@pytest.fixture
def faults_builder(faults_node) -> Iterator[str]:
    """buildx's remote driver on the faults node, for a Ctrl-C of buildx."""
    docker("buildx", "rm", FAULTS_BUILDER, check=False)
    docker("buildx", "create", "--name", FAULTS_BUILDER, "--driver", "remote", faults_node)
    yield FAULTS_BUILDER
    docker("buildx", "rm", FAULTS_BUILDER, check=False)


@pytest.mark.parametrize(("where", "client", "seconds"), [
    ("compile", "buildx", 37),  # Ctrl-C of buildx while core compiles
    ("install", "buildctl", 41),  # buildctl killed during the app's npm install
])
def test_a_cancelled_build_leaves_buildkitd_healthy_and_the_next_reuses_what_finished(
    faults_builder, tmp_path, where, client, seconds
) -> None:
    app = slow_app(tmp_path / "app", where, seconds)
    if client == "buildx":
        command = ["docker", "buildx", "build", "--builder", faults_builder, "--progress=plain",
                   "-f", str(app / "metacall.yaml"),
                   "--build-context", f"metacall-core={FIXTURE_CORE}",
                   *(["--secret", f"id=ca-certificates,src={CA_BUNDLE}"]
                     if CA_BUNDLE.exists() else []), str(app)]
        stop = signal.SIGINT
    else:
        command = buildctl_args(FAULTS, app)
        stop = signal.SIGKILL
    build = start(command)
    wait_for_process(build, f"^sleep {seconds}$")
    build.send_signal(stop)
    cancelled = build.communicate(timeout=60)[0]
    assert build.returncode != 0
    assert answers(FAULTS), "buildkitd did not survive the cancellation"
    assert gone(f"^sleep {seconds}$"), processes(f"^sleep {seconds}$")
    assert gone(FRONTEND_PROCESS), processes(FRONTEND_PROCESS)

    again = buildctl(FAULTS, app)
    assert again.returncode == 0, again.stderr[-4000:]
    ran = steps_that_ran(again.stderr)
    finished = [step for step in steps_done(cancelled) if not step.startswith("[internal]")]
    assert finished, cancelled[-3000:]
    assert not set(finished) & set(ran), ("finished, then ran again:", set(finished) & set(ran))
    interrupted = "[py] build MetaCall core" if where == "compile" else "[node] install"
    assert any(name.startswith(interrupted) for name in ran), ran


def steps_done(progress: str) -> list[str]:
    """The named steps of a plain progress log that ran to their end."""
    names = dict(re.findall(r"^(#\d+) (\[[^\]]+\] .+)$", progress, re.M))
    done = set(re.findall(r"^(#\d+) DONE ", progress, re.M))
    return [name for number, name in names.items() if number in done]


def test_the_frontend_killed_mid_solve_fails_the_build_and_the_next_works(faults_node,
                                                                         tmp_path) -> None:
    app = slow_app(tmp_path / "app", "compile", 43)
    build = start(buildctl_args(FAULTS, app))
    wait_for_process(build, "^sleep 43$")
    killed = subprocess.run(["pkill", "-9", "-f", FRONTEND_PROCESS])
    assert killed.returncode == 0, "no frontend process to kill"
    output, _ = build.communicate(timeout=120)
    assert build.returncode != 0, output[-3000:]
    assert re.search(r"error|failed", output[-3000:], re.I), output[-3000:]
    assert answers(FAULTS)
    assert gone("^sleep 43$"), processes("^sleep 43$")
    again = buildctl(FAULTS, fixture_app(tmp_path / "next"))
    assert again.returncode == 0, again.stderr[-4000:]


class StoppingRegistry:
    """A TCP proxy before the test registry that stops (closes its port and
    every connection) at the push's first blob upload: the registry gone
    in the middle of a push, at the same moment every run."""

    def __init__(self, upstream: tuple[str, int], stop_at_upload: bool) -> None:
        self.upstream = upstream
        self.stop_at_upload = stop_at_upload
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.connections += [client, server]
            threading.Thread(target=self.pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(server, client, False), daemon=True).start()

    def pipe(self, source: socket.socket, target: socket.socket, request: bool) -> None:
        try:
            while data := source.recv(65536):
                if request and self.stop_at_upload and b"/blobs/uploads/" in data:
                    self.stop()
                    return
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def test_the_registry_gone_during_a_push_names_it_and_the_next_build_pushes(
    faults_node, tmp_path
) -> None:
    app = fixture_app(tmp_path / "app", "[py]")
    failing = StoppingRegistry(("127.0.0.1", 5000), stop_at_upload=True)
    address = f"127.0.0.1:{failing.port}"
    output = f"type=image,name={address}/test/fault-{uuid.uuid4().hex[:8]},push=true," \
             "registry.insecure=true"
    first = buildctl(FAULTS, app, "--output", output)
    assert failing.stopped.is_set(), "the push never reached a blob upload"
    assert first.returncode != 0, first.stderr[-3000:]
    error = first.stderr[-3000:]
    assert address in error, error
    assert answers(FAULTS)

    working = StoppingRegistry(("127.0.0.1", 5000), stop_at_upload=False)
    output = output.replace(address, f"127.0.0.1:{working.port}")
    try:
        second = buildctl(FAULTS, app, "--output", output)
        assert second.returncode == 0, second.stderr[-4000:]
        assert re.search(r"pushing manifest for 127\.0\.0\.1:\d+/test/fault-\w+.* done",
                         second.stderr), second.stderr[-3000:]
    finally:
        working.stop()


INSTALL_CACHED = ("py", "node")


def installer_of(tag: str) -> Installer:
    installer = recipe_for(tag).installer
    assert installer is not None, tag
    return installer


def install_caches(app: Path, run: str) -> None:
    """The app's pip and npm dependencies, marked by `run` so that no cache
    has seen these install steps (`--no-cache` would not do: BuildKit then
    gives the steps new, empty cache mounts)."""
    (app / "requirements.txt").write_text(f"six==1.16.0\n# run {run}\n")
    package = json.loads((ROOT / "examples" / "node-app" / "package.json").read_text())
    (app / "package.json").write_text(json.dumps({**package, "description": run}))
    shutil.copy(ROOT / "examples" / "node-app" / "package-lock.json", app)


def test_a_broken_install_cache_does_not_break_the_next_install(faults_node,
                                                                tmp_path) -> None:
    """Every file of pip's and npm's cache mounts cut to a few bytes, as a
    killed install can leave them: the next install still installs."""
    app = fixture_app(tmp_path / "app", "[py, node]")
    install_caches(app, uuid.uuid4().hex)
    first = buildctl(FAULTS, app)
    assert first.returncode == 0, first.stderr[-4000:]

    # A build of its own cuts every file of both caches, through cache
    # mounts of the same ids (in LLB: the Dockerfile frontend prefixes ids).
    mounts = [CacheMount(dest=f"/caches/{tag}{path}", cache_id=cache_id)
              for tag in INSTALL_CACHED for path, cache_id in installer_of(tag).cache_mounts(tag)]
    breaker = image_source("docker.io/library/debian:bookworm-slim",
                           platform=DEFAULT_PLATFORM.to_pb()).run(
        ["/bin/sh", "-c", "for tag in py node; do test -n \"$(find /caches/$tag -type f)\"; done "
         "&& find /caches -type f -exec truncate -s 3 {} + "
         f"&& echo caches-broken-{uuid.uuid4().hex}"],
        name="break the install caches", mounts=mounts)
    broken = subprocess.run([*buildctl_args(FAULTS, app)[:3], "build", "--progress=plain"],
                            input=serialize(marshal(breaker)), capture_output=True, timeout=600)
    assert broken.returncode == 0, broken.stderr[-3000:]
    assert b"caches-broken-" in broken.stderr

    install_caches(app, uuid.uuid4().hex)
    image = tmp_path / "image"
    again = buildctl(FAULTS, app, "--output", f"type=local,dest={image}")
    assert again.returncode == 0, again.stderr[-4000:]
    ran = steps_that_ran(again.stderr)
    for tag in INSTALL_CACHED:
        assert any(step.startswith(f"[{tag}] install") for step in ran), (tag, ran)
    # What they installed is whole.
    six = next(image.glob("usr/local/lib/python3*/dist-packages/six.py"))
    compile(six.read_text(), str(six), "exec")
    assert '"version": "7.0.0"' in (image / "app/node_modules/is-number/package.json").read_text()
