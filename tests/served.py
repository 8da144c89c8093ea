"""A served app image (`app.serve`) running in a container, as a client
meets it: requests, its health as `docker ps` shows it, its memory, how long
`docker stop` takes, and a load of concurrent calls. The real-core tests and
bench/serve.py share it."""

from __future__ import annotations

import json
import statistics
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


def _docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True,
                          timeout=120).stdout.strip()


@dataclass(frozen=True)
class Served:
    name: str
    address: str
    port: int

    def request(self, path: str, body: bytes | None = None, *,
                method: str | None = None, timeout: float = 30) -> tuple[int, Any]:
        """(status, the answer's JSON), as `curl -d BODY` sends it."""
        request = urllib.request.Request(
            f"http://{self.address}:{self.port}{path}", data=body, method=method,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def health(self) -> str:
        return _docker("inspect", "--format",
                       "{{if .State.Health}}{{.State.Health.Status}}{{end}}", self.name)

    def wait_healthy(self, limit: float = 120) -> float:
        """Seconds from now until Docker's health check says healthy."""
        started = time.monotonic()
        while self.health() != "healthy":
            assert time.monotonic() - started < limit, (
                f"not healthy after {limit} s: {self.health()}\n" + self.logs())
            time.sleep(0.1)
        return time.monotonic() - started

    def memory(self) -> str:
        return _docker("stats", "--no-stream", "--format", "{{.MemUsage}}", self.name)

    def logs(self) -> str:
        done = subprocess.run(["docker", "logs", self.name], capture_output=True, text=True,
                              timeout=60)
        return done.stdout + done.stderr

    def stop(self) -> float:
        """Seconds `docker stop` takes."""
        started = time.monotonic()
        _docker("stop", self.name)
        return time.monotonic() - started


@contextmanager
def served(image: str, port: int = 9000) -> Iterator[Served]:
    name = f"served-{uuid.uuid4().hex[:10]}"
    _docker("run", "-d", "--name", name, image)
    try:
        address = _docker("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name)
        yield Served(name, address, port)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=120)


@dataclass(frozen=True)
class Load:
    calls: int
    failures: list[str]
    seconds: float
    latencies: list[float]  # seconds, per call

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds

    def percentile(self, share: float) -> float:
        return statistics.quantiles(self.latencies, n=100)[int(share * 100) - 1]


def load(server: Served, path: str, body: bytes, expected: Any, *, calls: int,
         clients: int) -> Load:
    """`calls` calls from `clients` concurrent clients; a failure is any
    answer but (200, expected)."""

    def one(_: int) -> tuple[float, str | None]:
        started = time.monotonic()
        try:
            answer = server.request(path, body)
        except OSError as error:
            return time.monotonic() - started, repr(error)
        latency = time.monotonic() - started
        return latency, None if answer == (200, expected) else repr(answer)

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(calls)))
    seconds = time.monotonic() - started
    return Load(calls, [failure for _, failure in results if failure], seconds,
                [latency for latency, _ in results])
