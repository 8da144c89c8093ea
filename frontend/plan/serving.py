"""How an app image serves its functions: through metacallcli's REPL (the
default), or MetaCall FaaS's HTTP API or OpenWhisk's action protocol,
answered by server/metacall-serve.js inside the MetaCall process that loads
the app. What the image needs for it: the server's files, the script the
launcher loads last, and the config's port and health check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from frontend.declaration import AppOptions
from frontend.llb import State
from frontend.plan.shell import Scripts

SERVER_DIR = "/usr/local/lib/metacall-serve"
SERVER_SCRIPT = f"{SERVER_DIR}/metacall-serve.js"
# OpenWhisk runs an action's container on 8080; MetaCall FaaS listens on 9000.
PORTS = {"faas": 9000, "openwhisk": 8080}
SECOND = 1_000_000_000  # the image config's durations are in nanoseconds
# The health check asks the server's readiness with bash's /dev/tcp: the
# image has bash (Debian's essential set) and no HTTP client.
READINESS_REQUEST = (
    'exec 3<>"/dev/tcp/127.0.0.1/${PORT:-%d}" '
    "&& printf 'GET /api/readiness HTTP/1.0\\r\\n\\r\\n' >&3 "
    '&& read -r _ status _ <&3 && [ "$status" = 200 ]'
)


@dataclass(frozen=True)
class Serving:
    """A served app's settings, from the declaration's `app` key."""

    mode: str  # faas or openwhisk
    name: str
    main: str | None
    call_timeout: int
    body_bytes: int

    @classmethod
    def of(cls, options: AppOptions) -> Serving | None:
        """None when the image is a REPL (`serve: repl`)."""
        if options.serve == "repl":
            return None
        return cls(options.serve, options.name, options.main, options.call_timeout,
                   options.serve_limits.body_bytes)

    @property
    def port(self) -> int:
        return PORTS[self.mode]

    def settings(self, scripts: Scripts) -> bytes:
        """serve.json: what the server reads beside it."""
        return (json.dumps({
            "mode": self.mode, "name": self.name, "main": self.main, "port": self.port,
            "bodyBytes": self.body_bytes, "callTimeout": self.call_timeout,
            "scripts": [list(load) for load in scripts],
        }, indent=1, sort_keys=True) + "\n").encode()

    def add_files(self, files: State, scripts: Scripts) -> State:
        """`files` with the server and its settings."""
        server = resources.files("frontend.plan").joinpath("server/metacall-serve.js")
        return files.mkdir(SERVER_DIR, name=f"[app] create {SERVER_DIR}").mkfile(
            SERVER_SCRIPT, server.read_bytes(), name=f"[app] write the {self.mode} server",
        ).mkfile(f"{SERVER_DIR}/serve.json", self.settings(scripts),
                 name="[app] write the server's settings")

    def configure(self, config: dict[str, Any]) -> None:
        """The image config's port (PORT, EXPOSE) and health check."""
        config["Env"] = [*(item for item in config["Env"] if not item.startswith("PORT=")),
                         f"PORT={self.port}"]
        config.setdefault("ExposedPorts", {})[f"{self.port}/tcp"] = {}
        config["Healthcheck"] = {
            "Test": ["CMD", "/bin/bash", "-c", READINESS_REQUEST % self.port],
            "Interval": 30 * SECOND, "Timeout": 5 * SECOND, "Retries": 3,
            # Asked every second until healthy (Docker 25 and later).
            "StartPeriod": 120 * SECOND, "StartInterval": 1 * SECOND,
        }
        config["Labels"]["io.metacall.serve"] = self.mode
