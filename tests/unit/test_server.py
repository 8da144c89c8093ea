"""The server an app image serves with (frontend/plan/server/metacall-serve.js),
run under Node.js with the fixture's stand-ins for MetaCall's port and REPL
(tests/fixtures/fake-serve): its routes, errors, limits and signals. The
images that run it with the real core: tests/integration/test_real_core.py."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from frontend.declaration import AppOptions
from frontend.plan.serving import Serving
from tests.conftest import ROOT

FAKE = ROOT / "tests" / "fixtures" / "fake-serve"
NODE = shutil.which("node")
SCRIPTS = [("py", "main.py"), ("node", "index.js")]


@dataclass
class Running:
    url: str
    process: subprocess.Popen[str]

    def request(self, path: str, body: bytes | None = None, *, method: str | None = None,
                content_type: str = "application/json") -> tuple[int, object]:
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)


def serve(tmp_path: Path, options: str, scripts: list[tuple[str, str]] = SCRIPTS) -> Running:
    assert NODE, "the server's tests run it with Node.js: install nodejs (scripts/test does)"
    parsed = AppOptions.model_validate_json(options)
    serving = Serving.of(parsed)
    assert serving is not None
    server = resources.files("frontend.plan").joinpath("server/metacall-serve.js")
    (tmp_path / "metacall-serve.js").write_bytes(server.read_bytes())
    (tmp_path / "serve.json").write_bytes(serving.settings(scripts))
    process = subprocess.Popen(
        [NODE, str(FAKE / "host.js"), str(tmp_path)], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
        env={"PATH": "/usr/bin:/bin", "NODE_PATH": str(FAKE / "node_modules"), "PORT": "0"})
    assert process.stdout is not None
    watchdog = threading.Timer(30, process.kill)  # a server that never starts fails the test
    watchdog.start()
    line = process.stdout.readline()
    watchdog.cancel()
    started = re.search(r"metacall-serve: .* on port (\d+)", line)
    assert started, line + process.stdout.read()
    return Running(f"http://127.0.0.1:{started.group(1)}", process)


@pytest.fixture
def faas(tmp_path: Path) -> Iterator[Running]:
    running = serve(tmp_path, '{"serve": "faas", "name": "calc", "call-timeout": 1, '
                              '"serve-limits": {"body-bytes": 1000}}')
    yield running
    running.process.kill()
    running.process.wait()


def test_any_prefix_and_suffix_call_a_function_with_the_bodys_values(faas: Running) -> None:
    assert faas.request("/any/app/v1/call/add", b'{"a": 2, "b": 3}') == (200, 5)
    assert faas.request("/host/calc/v1/call/greet", b'{"name": "ada"}') == (
        200, "hello ada from Node.js")
    # A GET, and a call with no body: no arguments.
    assert faas.request("/x/y/v1/call/greet") == (200, "hello undefined from Node.js")


def test_await_and_async_functions_answer_their_value(faas: Running) -> None:
    assert faas.request("/p/s/v1/call/later", b'{"v": 1}') == (200, "later: 1")
    assert faas.request("/p/s/v1/await/later", b'{"v": 2}') == (200, "later: 2")


def test_a_string_argument_holding_a_parenthesis_reaches_the_function(faas: Running) -> None:
    # Through the REPL's `call`, which ends at the first `)`.
    assert faas.request("/p/s/v1/call/add", b'{"a": "(x)", "b": ")"}') == (200, "(x))")


def test_curl_d_without_a_content_type_is_read_as_json(faas: Running) -> None:
    assert faas.request("/p/s/v1/call/add", b'{"a": 1, "b": 2}',
                        content_type="application/x-www-form-urlencoded") == (200, 3)
    # An HTML form, as MetaCall FaaS takes forms: its values are strings.
    assert faas.request("/p/s/v1/call/add", b"a=1&b=2",
                        content_type="application/x-www-form-urlencoded") == (200, "12")


def test_a_throw_answers_200_with_the_error_as_metacall_faas_does(faas: Running) -> None:
    assert faas.request("/p/s/v1/call/fail", b'{"m": "bad input"}') == (
        200, {"error": "Error: bad input"})


@pytest.mark.parametrize(("path", "body", "method", "status", "message"), [
    ("/p/s/v1/call/nothing", b"{}", "POST", 404, "the app has no function `nothing`"),
    ("/p/s/v1/call/add", b"[1, 2]", "POST", 400, "the request body must be a JSON object"),
    ("/p/s/v1/call/add", b"{1", "POST", 400, "the request body is not JSON"),
    ("/p/s/v1/call/add", b"{}", "DELETE", 404, "no route DELETE /p/s/v1/call/add"),
    ("/elsewhere", None, "GET", 404, "no route GET /elsewhere"),
    ("/p/s/v1/call/add", b'{"a": "' + b"x" * 2000 + b'"}', "POST", 413,
     "the request body is over 1000 bytes (app.serve-limits)"),
])
def test_errors_answer_their_status_and_say_why(faas: Running, path: str, body: bytes | None,
                                                method: str, status: int, message: str) -> None:
    answer_status, answer = faas.request(path, body, method=method)
    assert answer_status == status
    assert isinstance(answer, dict) and message in answer["error"], answer


def test_a_call_that_never_returns_times_out_and_the_server_keeps_serving(
        faas: Running) -> None:
    for name in ("wait", "never"):  # through the REPL, and on Node's thread
        started = time.monotonic()
        assert faas.request(f"/p/s/v1/call/{name}") == (504, {
            "error": f"`{name}` did not return within 1 s (app.call-timeout)"})
        assert time.monotonic() - started < 5
    assert faas.request("/api/readiness") == (200, "OK")
    assert faas.request("/p/s/v1/call/greet", b'{"n": "again"}') == (
        200, "hello again from Node.js")


def test_inspect_lists_the_app_as_a_metacall_faas_deployment(faas: Running) -> None:
    status, deployments = faas.request("/api/inspect")
    assert status == 200 and isinstance(deployments, list)
    (deployment,) = deployments
    assert {key: deployment[key] for key in ("status", "suffix", "version", "ports")} == {
        "status": "ready", "suffix": "calc", "version": "v1", "ports": []}
    # The app's modules, not MetaCall's own (the CLI's plugins, `ext`).
    assert sorted(deployment["packages"]) == ["node", "py"]
    assert [module["name"] for module in deployment["packages"]["node"]] == ["index.js"]
    funcs = deployment["packages"]["py"][0]["scope"]["funcs"]
    assert {"name": "add", "async": False, "signature": {"args": [{"name": "a"}, {"name": "b"}]}} \
        in funcs


def test_readiness_fails_naming_a_script_that_did_not_load(tmp_path: Path) -> None:
    running = serve(tmp_path, '{"serve": "faas"}', [*SCRIPTS, ("rb", "lib.rb")])
    try:
        assert running.request("/api/readiness") == (503, {"error": "not loaded: lib.rb (rb)"})
    finally:
        running.process.kill()
        running.process.wait()


def test_sigterm_ends_the_server_at_once(faas: Running) -> None:
    started = time.monotonic()
    faas.process.send_signal(signal.SIGTERM)
    faas.process.wait(timeout=5)
    assert time.monotonic() - started < 2


@pytest.fixture
def openwhisk(tmp_path: Path) -> Iterator[Running]:
    running = serve(tmp_path, '{"serve": "openwhisk", "main": "main"}')
    yield running
    running.process.kill()
    running.process.wait()


def test_openwhisk_init_once_then_run_calls_main_with_the_value(openwhisk: Running) -> None:
    init = b'{"value": {"name": "action", "main": "main", "binary": false, "env": {}}}'
    assert openwhisk.request("/init", init) == (200, {"ok": True})
    assert openwhisk.request("/init", init) == (
        403, {"error": "Cannot initialize the action more than once."})
    run = b'{"value": {"name": "ada"}, "activation_id": "a1", "namespace": "guest"}'
    assert openwhisk.request("/run", run) == (200, {"greeting": "hello ada", "activation": "a1"})


def test_openwhisk_errors_are_502_with_the_error(tmp_path: Path) -> None:
    running = serve(tmp_path, '{"serve": "openwhisk", "main": "scalar"}')
    try:
        assert running.request("/run", b'{"value": {}}') == (
            502, {"error": "The action did not return a dictionary."})
    finally:
        running.process.kill()
        out, _ = running.process.communicate()
    # The activation's end, on stdout and stderr, as OpenWhisk reads logs.
    assert out.count("XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX") == 2, out


def test_openwhisk_main_that_no_script_exports_fails_the_load(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=re.escape(
            "app.main names `handler`, which no loaded script exports; they export: add, fail")):
        serve(tmp_path, '{"serve": "openwhisk", "main": "handler"}')
