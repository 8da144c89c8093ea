"""What `app.serve` puts in the image: the launcher that loads the server,
the server's files, the smoke check that loads it, the config's port and
health check; and the declaration's rules for it."""

from __future__ import annotations

import json
import subprocess

import pytest

from frontend.compile import BuildFacts, Compiled
from frontend.plan.serving import READINESS_REQUEST, SERVER_SCRIPT
from tests.unit.definitions import HEAD, compile_text, names, op_named, ops_of
from tests.unit.test_app_plan import files, manifest
from tests.unit.test_declaration import error_of

CONTEXT = files(metacall_py=manifest("py", "main.py"), metacall_node=manifest("node", "index.js"))


def compiled(app: str) -> Compiled:
    return compile_text(f"app:\n{app}", None, facts=BuildFacts(context=CONTEXT))


def written(compiled: Compiled, path: str) -> bytes:
    for op in ops_of(compiled.definition).values():
        for action in op.file.actions if op.WhichOneof("op") == "file" else ():
            if action.WhichOneof("action") == "mkfile" and action.mkfile.path == path:
                return action.mkfile.data
    raise AssertionError(f"nothing writes {path}")


def test_faas_serves_on_9000_with_a_health_check_asking_readiness() -> None:
    config = compiled("  serve: faas\n  name: calc\n").config["config"]
    assert "PORT=9000" in config["Env"]
    assert config["ExposedPorts"] == {"9000/tcp": {}}
    assert config["Labels"]["io.metacall.serve"] == "faas"
    health = config["Healthcheck"]
    assert health["Test"] == ["CMD", "/bin/bash", "-c", READINESS_REQUEST % 9000]
    assert health["StartInterval"] == 1_000_000_000 and health["Retries"] == 3
    assert config["Entrypoint"] == ["/usr/local/bin/metacall-app"]


def test_the_health_check_is_a_bash_program_that_fails_without_a_server() -> None:
    done = subprocess.run(["bash", "-c", READINESS_REQUEST % 9], capture_output=True,
                          timeout=30, env={"PORT": "9"})
    assert done.returncode != 0


def test_openwhisk_serves_on_8080_and_app_settings_win() -> None:
    config = compiled("  serve: openwhisk\n  main: main\n  expose: [5000]\n"
                      "  env: {PORT: '8081'}\n").config["config"]
    assert config["ExposedPorts"] == {"8080/tcp": {}, "5000/tcp": {}}
    assert "PORT=8081" in config["Env"] and "PORT=8080" not in config["Env"]


def test_the_launcher_loads_the_server_last_and_keeps_the_repl_open() -> None:
    app = compiled("  serve: faas\n")
    launcher = written(app, "/usr/local/bin/metacall-app").decode()
    assert ("'load py main.py' 'load node index.js' "
            f"'load node {SERVER_SCRIPT}'") in launcher
    assert "{ loads; exec sleep infinity; } | metacallcli &" in launcher
    assert written(app, SERVER_SCRIPT).startswith(b"'use strict';")
    settings = json.loads(written(app, "/usr/local/lib/metacall-serve/serve.json"))
    assert settings == {"mode": "faas", "name": "app", "main": None, "port": 9000,
                        "bodyBytes": 1048576, "callTimeout": 60,
                        "scripts": [["py", "main.py"], ["node", "index.js"]]}


def test_the_smoke_check_loads_the_server_on_a_free_port() -> None:
    (check,) = compiled("  serve: faas\n").checks
    [step] = [op for op in ops_of(check).values() if op.WhichOneof("op") == "exec"
              and "smoke-check" in op.exec.meta.args[3]]
    assert step.exec.meta.args[-2:] == ["node", SERVER_SCRIPT]
    env = list(step.exec.meta.env)
    assert "PORT=0" in env and "PORT=9000" not in env
    assert "/usr/local/lib/metacall-serve" in [mount.dest for mount in step.exec.mounts]


def test_a_repl_image_has_no_server() -> None:
    app = compiled("  user: app\n")
    assert "Healthcheck" not in app.config["config"]
    assert not any("server" in name for name in names(app.definition).values())
    launcher = written(app, "/usr/local/bin/metacall-app").decode()
    assert "metacall-serve" not in launcher and "echo exit" in launcher
    op_named(app.definition, "[app] write the launcher")


@pytest.mark.parametrize(("app", "message"), [
    ("  serve: openwhisk\n", "`serve: openwhisk` needs `main`: the function /run calls"),
    ("  main: handler\n", "`main` is the function OpenWhisk's /run calls: it needs "
                          "`serve: openwhisk`"),
    ("  serve: faas\n  command: [node, server.js]\n",
     "`command` replaces the entrypoint that serves (`serve: faas`): remove one of them"),
    ("  serve: http\n", "serve"),
    ("  name: 'a b'\n", "name"),
])
def test_serving_settings_that_cannot_work_are_errors_at_their_line(app: str,
                                                                    message: str) -> None:
    error = error_of(f"{HEAD}app:\n{app}")
    assert message in error.message
    assert error.line in (2, 3)  # `app`, or the key itself
