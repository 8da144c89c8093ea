"""Builds with MetaCall core's real source (METACALL_CORE_SOURCE)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from frontend.plan.languages.c import RUNTIME_DEVELOPMENT_PACKAGES
from tests.conftest import ROOT, compactness_check, docker, run_image, write_app
from tests.served import load, served

CORE = os.environ.get("METACALL_CORE_SOURCE")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.real_core,
    pytest.mark.skipif(
        not CORE,
        reason="METACALL_CORE_SOURCE is not set: real MetaCall core builds skipped "
        "(set it to a metacall/core checkout to run them)",
    ),
]
BUILD_TIMEOUT = 5400
# metacall/tinycc, which core's CMake downloads for the c loader (a checkout).
TINYCC = os.environ.get("TINYCC_SOURCE")
EXAMPLES = ROOT / "examples"

# Per verified loader: a script, the CLI commands after loading it, and what
# they print. (rpc and cob have tests of their own: a server, a compiled
# program; java's functions are class methods, which the CLI does not call,
# so its class is inspected.)
LOADER_SCRIPTS = {
    "py": ("calc.py", "def add(left, right):\n    return left + right\n",
           "call add(40, 2)", "42"),
    "node": ("calc.js", "module.exports = { add: (left, right) => left + right };\n",
             "call add(40, 2)", "42"),
    "rb": ("calc.rb", "def add(left, right)\n  left + right\nend\n", "call add(40, 2)", "42"),
    "ts": ("calc.ts",
           "export function add(left: number, right: number): number {\n"
           "\treturn left + right;\n}\n", "call add(40, 2)", "42"),
    "file": ("hello.txt", "hello\n", "call hello.txt()", "'/usr/local/scripts/hello.txt'"),
    "c": ("calc.c",
          "#include <stdio.h>\n\nint add(int left, int right) {\n"
          "\tprintf(\"c adds %d and %d\\n\", left, right);\n\treturn left + right;\n}\n",
          "call add(40, 2)", "c adds 40 and 2\n42"),
    "java": ("Calc.java",
             "public class Calc {\n\tpublic static int add(int left, int right) {\n"
             "\t\treturn left + right;\n\t}\n}\n", "inspect", "module Calc.java"),
}


@pytest.fixture(scope="module")
def core_contexts(tmp_path_factory) -> list[str]:
    """core's source plus plthook's, from the PyPLTHook sdist on PyPI (GitHub,
    where core's CMake would fetch it, is unreachable here)."""
    where = tmp_path_factory.mktemp("plthook")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         "--quiet", "-d", str(where), "PyPLTHook==1.0.0.post3"],
        check=True,
    )
    with tarfile.open(next(where.glob("*.tar.gz"))) as sdist:
        sdist.extractall(where, filter="data")
    plthook = next(where.glob("*/plthook_c"))
    contexts = ["--build-context", f"metacall-core={CORE}", "--build-context", f"plthook={plthook}"]
    if TINYCC:
        contexts += ["--build-context", f"tinycc={TINYCC}"]
    return contexts


def run_commands(image: str, scripts: Path, commands: str) -> str:
    """Feeds `commands` (ending in exit) to metacallcli, with `scripts` (a
    directory the test owns: commands.txt is written there) mounted writable:
    the java loader writes the classes it compiles beside their sources."""
    (scripts / "commands.txt").write_text(commands)
    code, output = run_image(
        image, ["-c", "metacallcli < /usr/local/scripts/commands.txt"],
        entrypoint="/bin/sh", volumes={str(scripts): "/usr/local/scripts"}, volume_mode="rw",
    )
    print(output)
    assert code == 0, output
    return output


def assert_compact(image: str, needed_dev_packages: tuple[str, ...] = ()) -> None:
    code, output = run_image(image, ["-c", compactness_check(needed_dev_packages)],
                             entrypoint="/bin/sh")
    assert code == 0, output
    assert "LEAK" not in output, output


def test_calc_example_calls_python_and_node(buildx, core_contexts, tmp_path) -> None:
    """The README's CLI example: build examples/calc, feed it commands.txt."""
    example = shutil.copytree(EXAMPLES / "calc", tmp_path / "calc")
    result = buildx(example, *core_contexts, "--target", "cli", timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    output = run_commands(result.tag, example, (example / "commands.txt").read_text())
    # multiply(6, 7) from Python and sum(20, 22) from Node.js
    assert output.count("42") == 2, output
    assert_compact(result.tag)


def test_polyglot_example_calls_across_languages(buildx, core_contexts, tmp_path) -> None:
    example = shutil.copytree(EXAMPLES / "polyglot", tmp_path / "polyglot")
    result = buildx(example, *core_contexts, "--target", "cli", timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    output = run_commands(result.tag, example, (example / "commands.txt").read_text())
    assert "node sum=42" in output and "ruby says hello python from ruby" in output, output
    assert "python multiply=42" in output, output
    assert_compact(result.tag)


APP_CALLS = {
    "py-app": ('call describe("x")', ["x is text: True (six 1.16.0)"]),
    "node-app": ("call check(5)", ["hello: 5 is a number: true"]),
    # Only the syntax line; the manifest names node, whose script loads Python.
    "node-loads-py-app": ('call greet("ada")', ["node asked python: ADA! (six 1.16.0)"]),
    # Only the syntax line; uv.lock's versions, without its dev group.
    "uv-app": ("call versions()", ["six 1.16.0"]),
    # `npm run build` (tsc) writes the script the manifest names.
    "ts-build-app": ('call describe("x")', ["x is not a number (built by tsc)"]),
    # Only the syntax line; the smoke check loads Ruby with stdin a pipe.
    "rb-app": ('call hello("x")', ["hello x from Ruby 3."]),
    "polyglot-app": ("call python_asks_node(3)\ncall node_asks_python(21)",
                     ["python (six 1.16.0) asked node: True",
                      "node asked python to double 21: 42"]),
    # Only the syntax line: manifests in two folders, dependencies below them.
    "monorepo-app": ('call check(5)\ncall greet("ada")',
                     ["5 is a number: true", "hello from the monorepo, ada (six 1.16.0)"]),
}


@pytest.mark.parametrize("example", sorted(APP_CALLS))
def test_app_example_runs_with_its_dependencies(buildx, core_contexts, example) -> None:
    """`printf 'call …' | docker run -i app`, as the README shows."""
    result = buildx(EXAMPLES / example, *core_contexts, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    # The smoke check loaded the scripts, but what that wrote is not in the image.
    code, output = run_image(result.tag, ["-c", "find /app -name __pycache__"],
                             entrypoint="/bin/sh")
    assert code == 0 and "__pycache__" not in output, output
    calls, expected = APP_CALLS[example]
    code, output = run_image(
        result.tag, ["-c", f"printf '{calls}\\nexit\\n' | metacall-app"], entrypoint="/bin/sh",
    )
    print(output)
    assert code == 0, output
    for text in expected:
        assert text in output, output


def test_server_app_serves_http_and_stops_at_once(buildx, core_contexts, tmp_path) -> None:
    """An app whose script starts a server when it loads: the smoke check
    passes once it has loaded, `docker run -d` serves, `docker stop` ends it."""
    app = shutil.copytree(EXAMPLES / "server-app", tmp_path / "server-app")
    result = buildx(app, *core_contexts, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    name = f"{result.tag}-serving"
    docker("run", "-d", "--name", name, result.tag)
    try:
        address = docker("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name).stdout
        answer = ""
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://{address.strip()}:5000/ping",
                                            timeout=2) as response:
                    answer = response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        logs = docker("logs", name)
        print(answer, logs.stdout, logs.stderr)
        assert json.loads(answer) == {"hello": "world", "path": "/ping"}, logs.stdout
        started = time.monotonic()
        docker("stop", name)
        stopped = time.monotonic() - started
        print(f"docker stop took {stopped:.2f} s")
        assert stopped < 2, f"docker stop took {stopped:.1f} s"
    finally:
        docker("rm", "-f", name, check=False)


def test_a_script_using_ports_with_ports_off_fails_with_a_hint(buildx, core_contexts,
                                                                tmp_path) -> None:
    app = write_app(tmp_path / "app", "core:\n  ports: false\n", {
        "metacall.json": '{"language_id": "py", "scripts": ["uses_port.py"]}',
        "uses_port.py": "from metacall import metacall\n\ndef f():\n    return 1\n",
    })
    result = buildx(app, *core_contexts, tag=False, timeout=BUILD_TIMEOUT)
    assert result.returncode != 0
    assert "smoke check: uses_port.py (py) did not load: MetaCall answered 1" in result.output
    assert "No module named 'metacall'" in result.output, result
    assert "hint: the script uses MetaCall's ports" in result.output, result


def loader_cli(buildx, core_contexts: list[str], tmp_path: Path, tag: str) -> str:
    """Builds the runtime image of a loader (checked for compactness) and its
    CLI image; node joins in because core builds metacallcli only with it."""
    languages = ", ".join(dict.fromkeys(["node", tag]))
    app = write_app(tmp_path / "app", f"languages: [{languages}]\n")
    runtime = buildx(app, *core_contexts, timeout=BUILD_TIMEOUT)
    assert runtime.returncode == 0, runtime
    # The C loader compiles what it loads: its runtime keeps libc's headers.
    assert_compact(runtime.tag, RUNTIME_DEVELOPMENT_PACKAGES if tag == "c" else ())
    cli = buildx(app, *core_contexts, "--target", "cli", timeout=BUILD_TIMEOUT)
    assert cli.returncode == 0, cli
    return cli.tag


@pytest.mark.parametrize("tag", sorted(LOADER_SCRIPTS))
def test_verified_loader_loads_a_script_and_calls_it(buildx, core_contexts, tmp_path, tag):
    if tag == "c" and not TINYCC:
        pytest.skip("TINYCC_SOURCE is not set: the c loader needs metacall/tinycc, which "
                    "core downloads from GitHub (set it to a checkout)")
    cli = loader_cli(buildx, core_contexts, tmp_path, tag)
    name, source, command, expected = LOADER_SCRIPTS[tag]
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / name).write_text(source)
    output = run_commands(cli, scripts, f"load {tag} {name}\n{command}\nexit\n")
    # The CLI answers each command after a prompt (λ): what follows the
    # second prompt is the call's output and reply, not the load's.
    assert expected in output.split("λ", 2)[-1], output
    if tag == "java":  # a class that did not compile is still listed by inspect
        assert "Calc Class Loading Successful" in output, output
    # The same script as a one-script app (a manifest, the one-line
    # declaration), loaded by the smoke check and called through the launcher.
    manifest = json.dumps({"language_id": tag, "path": ".", "scripts": [name]})
    app = write_app(tmp_path / "one-script-app", "", {name: source, "metacall.json": manifest})
    built = buildx(app, *core_contexts, timeout=BUILD_TIMEOUT)
    assert built.returncode == 0, built
    code, output = run_image(built.tag, ["-c", f"printf '{command}\\nexit\\n' | metacall-app"],
                             entrypoint="/bin/sh")
    print(output)
    assert code == 0, output
    assert expected.replace("/usr/local/scripts", "/app") in output, output


def test_a_polyglot_app_loads_py_node_and_rb_scripts(buildx, core_contexts, tmp_path) -> None:
    """Three manifests, one image: each language's script loads in the smoke
    check and answers; the REPL's input stays open while Ruby loads."""
    files = {}
    for tag, (name, source, _, _) in LOADER_SCRIPTS.items():
        if tag in ("py", "node", "rb"):
            files[f"{tag}/{name}"] = source.replace("add", f"add_{tag}")
            files[f"{tag}/metacall-{tag}.json"] = json.dumps(
                {"language_id": tag, "path": ".", "scripts": [name]})
    built = buildx(write_app(tmp_path / "app", "", files), *core_contexts,
                   timeout=BUILD_TIMEOUT)
    assert built.returncode == 0, built
    calls = "".join(f"call add_{tag}(40, {n})\\n" for n, tag in enumerate(["py", "node", "rb"]))
    code, output = run_image(built.tag, ["-c", (
        f"{{ printf '{calls}'; sleep 2; printf 'exit\\n'; }} | metacall-app")],
        entrypoint="/bin/sh")
    print(output)
    assert code == 0, output
    for answer in ("40", "41", "42"):
        assert f"\n{answer}\n" in output.replace("λ ", "\n"), output


# Each language's script hashes through its own binding of OpenSSL. (Not
# named digest.rb: the Ruby loader requires a script by its name, and
# Ruby's own `digest` would shadow it.)
OPENSSL_SCRIPTS = {
    "py": "import hashlib\n\ndef py_digest(text):\n"
                 "    return hashlib.sha256(text.encode()).hexdigest()[:8]\n",
    "node": "const crypto = require('crypto');\nmodule.exports = { node_digest: (text) =>"
                 " crypto.createHash('sha256').update(text).digest('hex').slice(0, 8) };\n",
    "rb": "require 'openssl'\n\ndef rb_digest(text)\n"
                 "  OpenSSL::Digest::SHA256.hexdigest(text)[0, 8]\nend\n",
}


def layer_files(image: str, work: Path) -> list[list[str]]:
    """The paths of the files in each layer of `image`, from `docker save`."""
    archive = work / "image.tar"
    docker("save", "-o", str(archive), image)
    with tarfile.open(archive) as saved:
        def blob(digest: str) -> bytes:
            member = saved.extractfile(f"blobs/sha256/{digest.removeprefix('sha256:')}")
            assert member is not None
            return member.read()

        index = saved.extractfile("index.json")
        assert index is not None
        manifest = json.loads(blob(json.loads(index.read())["manifests"][0]["digest"]))
        if "manifests" in manifest:  # an index: the image's own manifest is first
            manifest = json.loads(blob(manifest["manifests"][0]["digest"]))
        layers = []
        for layer in manifest["layers"]:
            with tarfile.open(fileobj=io.BytesIO(blob(layer["digest"]))) as files:
                layers.append([member.name for member in files if member.isfile()])
    return layers


def test_openssl_is_one_layer_under_py_node_and_rb(buildx, core_contexts, tmp_path) -> None:
    """The [py, node, rb] CLI holds libssl once, in a layer of its own,
    though all three link it; each hashes through it. Ruby's bundled type
    checker and debugger are left out."""
    scripts = write_app(tmp_path / "cli", "languages: [py, node, rb]\n")
    built = buildx(scripts, "--target", "cli", *core_contexts, timeout=BUILD_TIMEOUT)
    assert built.returncode == 0, built
    layers = layer_files(built.tag, tmp_path)
    with_libssl = [files for files in layers
                   if any(path.rsplit("/", 1)[-1].startswith("libssl.so") for path in files)]
    assert len(with_libssl) == 1, [len(files) for files in with_libssl]
    assert not [path for files in layers for path in files
                if "/gems/" in path and any(f"/{gem}-" in path for gem in
                                            ("rbs", "typeprof", "debug"))]
    extensions = {"py": "py", "node": "js", "rb": "rb"}
    for tag, source in OPENSSL_SCRIPTS.items():
        (scripts / f"fingerprint.{extensions[tag]}").write_text(source)
    output = run_commands(built.tag, scripts, "".join(
        f"load {tag} fingerprint.{extensions[tag]}\n" for tag in OPENSSL_SCRIPTS)
        + "".join(f'call {tag}_digest("metacall")\n' for tag in OPENSSL_SCRIPTS)
        + "exit\n")
    expected = hashlib.sha256(b"metacall").hexdigest()[:8]
    assert output.count(expected) == 3, output


def test_rpc_loader_calls_a_function_of_a_remote_server(buildx, core_contexts, tmp_path) -> None:
    """A metacallcli serves tests/fixtures/rpc-server/server.js (MetaCall's RPC
    protocol: /inspect, /call/<function>); another loads its URL and calls."""
    cli = loader_cli(buildx, core_contexts, tmp_path, "rpc")
    scripts = tmp_path / "scripts"
    shutil.copytree(ROOT / "tests" / "fixtures" / "rpc-server", scripts)
    (scripts / "remote.url").write_text("http://localhost:6094/v1\n")
    code, output = run_image(cli, ["-c", (
        "(printf 'load node server.js\\n'; sleep 30) | metacallcli >/dev/null 2>&1 & "
        "sleep 3; printf 'load rpc remote.url\\ncall sum(40, 2)\\nexit\\n' | metacallcli"
    )], entrypoint="/bin/sh", volumes={str(scripts): "/usr/local/scripts"})
    print(output)
    assert code == 0, output
    assert "42" in output.split("λ", 2)[-1], output


def test_cobol_loader_calls_a_program_compiled_with_cobc(buildx, core_contexts, tmp_path) -> None:
    """libcob resolves programs compiled by cobc, so the program is compiled
    with the deps image's cobc, then loaded and called in the CLI image."""
    cli = loader_cli(buildx, core_contexts, tmp_path, "cob")
    deps = buildx(tmp_path / "app", *core_contexts, "--target", "deps", timeout=BUILD_TIMEOUT)
    assert deps.returncode == 0, deps
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "say.cob").write_text(
        "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. say.\n"
        "       DATA DIVISION.\n       LINKAGE SECTION.\n"
        "       01 greeting PIC X(6).\n       01 name PIC X(5).\n"
        "       PROCEDURE DIVISION USING greeting name.\n"
        "           DISPLAY 'cobol says ' greeting name.\n           EXIT PROGRAM.\n"
    )
    code, output = run_image(deps.tag, ["-c", "cd /usr/local/scripts && cobc -m say.cob"],
                             entrypoint="/bin/sh", volumes={str(scripts): "/usr/local/scripts"},
                             volume_mode="rw")
    assert code == 0, output
    output = run_commands(cli, scripts, 'load cob say.cob\ncall say("hello ", "world")\nexit\n')
    assert "cobol says hello world" in output.split("λ", 2)[-1], output


@pytest.mark.parametrize("target", ["deps", "dev"])
def test_py_deps_and_dev_targets(buildx, tmp_path, core_contexts, target) -> None:
    app = write_app(tmp_path, "languages: [py]\n")
    result = buildx(app, *core_contexts, "--target", target, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    check = "ls /usr/local/metacall/tools/metacall-configure.sh && command -v cmake"
    if target == "dev":
        check += " && ls /usr/local/lib/libpy_loader.so /usr/local/include/metacall/metacall.h"
    code, output = run_image(result.tag, ["-c", check], entrypoint="/bin/sh")
    assert code == 0, output


def test_faas_app_serves_every_route_and_stops_at_once(buildx, core_contexts) -> None:
    """examples/faas-app: MetaCall FaaS's API from Python and Node.js
    functions of one image, errors, a load, the health check, docker stop."""
    result = buildx(EXAMPLES / "faas-app", *core_contexts, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    with served(result.tag) as server:
        print(f"healthy after {server.wait_healthy():.1f} s")
        calls = {
            "/any/app/v1/call/add": (b'{"a": 2, "b": 3}', 5),
            "/host/faas-app/v1/call/multiply": (b'{"a": 2, "b": 3}', 6),
            # Python asking Node.js, inside a served call.
            "/x/y/v1/call/ask_node": (b'{"name": "ada"}',
                                      "python asked node: hello ada from Node.js"),
            "/x/y/v1/call/double_later": (b'{"value": 21}', 42),
            "/x/y/v1/await/double_later": (b'{"value": 21}', 42),
            "/x/y/v1/call/later": (b'{"value": 1}', "later: 1"),
            "/x/y/v1/call/fail": (b'{"message": "bad"}', {"error": "Error: bad"}),
        }
        for path, (body, expected) in calls.items():
            assert server.request(path, body) == (200, expected), path
        status, deployments = server.request("/api/inspect")
        assert status == 200 and deployments[0]["suffix"] == "faas-app"
        assert sorted(deployments[0]["packages"]) == ["node", "py"]
        assert server.request("/x/y/v1/call/nothing")[0] == 404
        assert server.request("/x/y/v1/call/add", b"[1, 2]")[0] == 400
        assert server.request("/x/y/v1/call/add", b"{" + b" " * (2 << 20) + b"}")[0] == 413
        # app.call-timeout is 5 s: a Python call that sleeps, a Node promise that never ends.
        for path in ("/x/y/v1/call/sleep", "/x/y/v1/call/never"):
            status, answer = server.request(path, b'{"seconds": 8}')
            assert status == 504, answer
        assert server.request("/api/readiness") == (200, "OK")
        before = server.memory()
        for path, body, expected in (("/x/y/v1/call/add", b'{"a": 1, "b": 2}', 3),
                                     ("/x/y/v1/call/multiply", b'{"a": 2, "b": 2}', 4)):
            done = load(server, path, body, expected, calls=2000, clients=16)
            print(f"{path}: {done.calls} calls, {len(done.failures)} failures, "
                  f"{done.per_second:.0f}/s, p50 {done.percentile(0.5) * 1000:.1f} ms, "
                  f"p99 {done.percentile(0.99) * 1000:.1f} ms")
            assert not done.failures, done.failures[:5]
        print(f"memory before the load: {before}, after: {server.memory()}")
        stopped = server.stop()
        print(f"docker stop took {stopped:.2f} s")
        assert stopped < 2


def test_openwhisk_app_inits_and_runs_its_main(buildx, core_contexts) -> None:
    result = buildx(EXAMPLES / "openwhisk-app", *core_contexts, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    with served(result.tag, port=8080) as server:
        server.wait_healthy()
        assert server.request("/init", b'{"value": {"name": "hello", "main": "main"}}') == (
            200, {"ok": True})
        run = b'{"value": {"name": "ada"}, "activation_id": "a1", "namespace": "guest"}'
        assert server.request("/run", run) == (
            200, {"greeting": "HELLO ADA!", "activation": "a1"})
        assert "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX" in server.logs()
        assert server.stop() < 2
