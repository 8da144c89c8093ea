"""The application layer through real BuildKit, with the fixture core: real
pip and npm installs, manifests, launcher, smoke check, per-language caching."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CORE, ROOT, SYNTAX, docker, run_image, write_app

pytestmark = pytest.mark.integration
FIXTURE = ["--build-context", f"metacall-core={FIXTURE_CORE}"]
EXAMPLES = ROOT / "examples"
LOCKS = ROOT / "tests" / "fixtures" / "locks"


def example_copy(name: str, destination: Path) -> Path:
    """An example with this checkout's frontend image in its syntax line."""
    shutil.copytree(EXAMPLES / name, destination)
    declaration = destination / "metacall.yaml"
    text = declaration.read_text().split("\n", 1)[1]
    declaration.write_text(SYNTAX + text)
    return destination


def config_of(tag: str) -> dict:
    return json.loads(docker("image", "inspect", tag, "--format", "{{json .Config}}").stdout)


def test_python_app_installs_its_dependency_and_runs_its_script(buildx, tmp_path) -> None:
    app = example_copy("py-app", tmp_path / "app")
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    assert "[app] smoke check: load every script with MetaCall" in result.output
    code, output = run_image(
        result.tag, ["-c", "ls /app /usr/local/lib/python3*/dist-packages; "
                     "ls /app/metacall.yaml 2>&1; cat /usr/local/bin/metacall-app"],
        entrypoint="/bin/sh",
    )
    assert code == 0, output
    assert "main.py" in output and "six.py" in output, output
    assert "No such file" in output  # the declaration is not part of the app
    assert "'load py main.py'" in output  # the launcher loads the manifest's script
    config = config_of(result.tag)
    assert config["Entrypoint"] == ["/usr/local/bin/metacall-app"]
    assert config["WorkingDir"] == "/app"
    assert "LOADER_SCRIPT_PATH=/app" in config["Env"]


def test_node_app_takes_its_languages_from_the_manifest(buildx, tmp_path) -> None:
    app = example_copy("node-app", tmp_path / "app")
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    assert "[node] install package.json with `npm ci`" in result.output
    code, output = run_image(result.tag, ["-c", "cat /app/node_modules/is-number/package.json"],
                             entrypoint="/bin/sh")
    assert '"version": "7.0.0"' in output, output
    config = config_of(result.tag)
    assert "GREETING=hello" in config["Env"]
    assert config["Labels"]["io.metacall.languages"] == "node"
    # stdin reaches metacallcli's REPL after the launcher loaded the script
    code, output = run_image(result.tag, ["-c", "printf 'exit\\n' | metacall-app"],
                             entrypoint="/bin/sh")
    assert code == 0 and "λ 0" in output and "Exiting" in output, output


def test_changing_package_json_leaves_the_pip_layer_cached(buildx, tmp_path) -> None:
    app = example_copy("polyglot-app", tmp_path / "app")
    assert buildx(app, *FIXTURE).returncode == 0
    package = json.loads((app / "package.json").read_text())
    package["description"] = f"changed {uuid.uuid4()}"  # new to the cache on every run
    (app / "package.json").write_text(json.dumps(package, indent=2))
    again = buildx(app, *FIXTURE)
    assert again.returncode == 0, again

    def step(name: str) -> str:
        number = re.search(rf"^#(\d+) {re.escape(name)}$", again.output, re.M)
        assert number, again
        return "\n".join(line for line in again.output.splitlines()
                         if line.startswith(f"#{number.group(1)} "))

    assert "CACHED" in step("[py] install requirements.txt with `pip install`")
    assert "CACHED" not in step("[node] install package.json with `npm ci`")


def test_smoke_check_names_the_script_that_does_not_load(buildx, tmp_path) -> None:
    scripts = {"main.py": "def main():\n    return 1\n",
               "broken.py": "# metacall-fixture: fail\n"}
    app = write_app(tmp_path, "languages: [py]\napp:\n  scripts:\n    py: [main.py, broken.py]\n",
                    scripts)
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert "smoke check: broken.py (py) did not load: MetaCall answered 1" in result.output, result
    # A short command, not the program: what buildx prints as the failed process.
    assert ('process "/bin/sh -c eval \\"$METACALL_PROGRAM\\" '
            'smoke-check-load-every-script-with-metacall 60 py main.py py broken.py" '
            'did not complete successfully') in result.output, result
    off = write_app(tmp_path / "off", "languages: [py]\napp:\n  scripts:\n    py: [broken.py]\n"
                    "  smoke-check: false\n", scripts)
    assert buildx(off, *FIXTURE, tag=False).returncode == 0


def test_a_script_that_never_finishes_loading_fails_within_the_limit(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "app:\n  smoke-check-timeout: 3\n", {
        "metacall.json": '{"language_id": "py", "scripts": ["stuck.py"]}',
        "stuck.py": "# metacall-fixture: hang\n",
    })
    started = time.monotonic()
    result = buildx(app, *FIXTURE, tag=False, timeout=600)
    assert result.returncode != 0
    assert "smoke check: stuck.py (py) did not finish loading within 3 s" in result.output, result
    check = re.search(r"^#(\d+) \[app\] smoke check", result.output, re.M)
    assert check, result
    # The check itself stopped at the limit (the rest of the time is the build).
    ran = re.findall(rf"^#{check.group(1)} (\d+\.\d+) ", result.output, re.M)
    assert ran and float(ran[-1]) < 10, result
    assert time.monotonic() - started < 600


def test_locked_python_dependencies_install_exactly_the_lock(buildx, tmp_path) -> None:
    """uv.lock (examples/uv-app), poetry.lock and Pipfile.lock, each in its
    own folder: the locked versions, not the development ones."""
    app = example_copy("uv-app", tmp_path / "app")
    (app / "metacall.yaml").write_text(SYNTAX)  # its check needs the real core
    lock = {"_meta": {}, "default": {"idna": {"version": "==3.6"}},
            "develop": {"iniconfig": {"version": "==2.0.0"}}}
    (app / "pipenv").mkdir()
    (app / "pipenv" / "Pipfile").write_text('[packages]\nidna = "*"\n')
    (app / "pipenv" / "Pipfile.lock").write_text(json.dumps(lock))
    shutil.copytree(LOCKS / "poetry", app / "poetry")
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    assert "[py] install pipenv/Pipfile with `pip install`" in result.output, result
    code, output = run_image(result.tag, ["-c", "ls /usr/local/lib/python3*/dist-packages"],
                             entrypoint="/bin/sh")
    assert code == 0 and "six-1.16.0.dist-info" in output, output
    assert "idna-3.6.dist-info" in output, output
    assert "packaging-24.1.dist-info" in output, output
    assert "iniconfig" not in output and "uv" not in output.split(), output
    assert "poetry" not in output.split(), output


@pytest.mark.parametrize("manager", ["pnpm", "yarn1", "berry"])
def test_pnpm_and_yarn_lockfiles_install_with_their_own_tool(buildx, tmp_path,
                                                            manager: str) -> None:
    """pnpm-lock.yaml, a Yarn 1 yarn.lock, a Yarn 4 yarn.lock: the locked
    production dependency, in node_modules, without the development one."""
    app = shutil.copytree(LOCKS / manager, tmp_path / "app")
    write_app(app, "", {"metacall.json": '{"language_id": "node", "scripts": ["index.js"]}',
                        "index.js": "module.exports = { n: () => require('is-number')(5) };\n"})
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    tool = "pnpm install" if manager == "pnpm" else "yarn install"
    assert f"[node] install package.json with `{tool}`" in result.output, result
    code, output = run_image(result.tag, ["-c", "ls /app/node_modules; "
                                          "cat /app/node_modules/is-number/package.json"],
                             entrypoint="/bin/sh")
    assert code == 0 and '"version": "7.0.0"' in output, output
    assert "is-odd" not in output and "pnpm" not in output.split(), output


def test_a_check_with_the_wrong_answer_fails_the_build_at_its_line(buildx, tmp_path) -> None:
    """The fixture's metacallcli echoes a call: the first check's answer
    holds its text, the second's does not."""
    app = write_app(tmp_path, "app:\n  checks:\n    - call: f(1)\n      expect: call f(1)\n"
                    "    - call: f(2)\n      expect: '42'\n", {
                        "metacall.json": '{"language_id": "py", "scripts": ["main.py"]}',
                        "main.py": "def f(x):\n    return x\n"})
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert "smoke check: metacall.yaml:6: the check `call f(2)` answered without `42`" in \
        result.output, result
    assert "λ call f(2)" in result.output, result


def test_dev_dependencies_stay_out_of_the_image(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "", {
        "metacall.json": '{"language_id": "node", "scripts": ["index.js"]}',
        "index.js": "module.exports = { n: () => require('is-number')(5) };\n",
        "package.json": '{"name": "prod", "version": "1.0.0", '
                        '"dependencies": {"is-number": "7.0.0"}, '
                        '"devDependencies": {"is-odd": "3.0.1"}}\n',
    })
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    code, output = run_image(result.tag, ["-c", "ls /app/node_modules"], entrypoint="/bin/sh")
    assert code == 0 and "is-number" in output, output
    assert "is-odd" not in output, output


CHECKED_EXAMPLES = sorted(path.parent.name for path in EXAMPLES.glob("*/metacall.yaml")
                          if "checks:" in path.read_text())


@pytest.mark.parametrize("example", CHECKED_EXAMPLES)
def test_an_example_with_checks_builds_from_the_syntax_line_alone(buildx, tmp_path,
                                                                  example) -> None:
    """The build passes only once the smoke check has loaded every script
    (perhaps cached from another test's build); the fixture's metacallcli
    cannot call a function, so the checks' answers are the real-core
    tests' part."""
    app = example_copy(example, tmp_path / "app")
    (app / "metacall.yaml").write_text(SYNTAX)
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode == 0, result


def test_a_served_example_builds_with_its_server_port_and_health_check(buildx,
                                                                        tmp_path) -> None:
    """examples/faas-app with the fixture core, whose metacallcli cannot run
    the server: the image's files and config (the server's routes run in
    tests/unit/test_server.py, the served image in the real-core tests)."""
    app = example_copy("faas-app", tmp_path / "app")
    (app / "metacall.yaml").write_text(SYNTAX + "app:\n  serve: faas\n  name: faas-app\n")
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    config = config_of(result.tag)
    assert config["ExposedPorts"] == {"9000/tcp": {}}
    assert "PORT=9000" in config["Env"]
    assert config["Healthcheck"]["Test"][:3] == ["CMD", "/bin/bash", "-c"]
    code, output = run_image(result.tag, ["-c", "cat /usr/local/lib/metacall-serve/serve.json; "
                                          "tail -n 4 /usr/local/bin/metacall-app"],
                             entrypoint="/bin/sh")
    assert code == 0, output
    assert '"name": "faas-app"' in output and "wait \"$cli\"" in output, output


def test_the_build_script_writes_the_script_the_manifest_names(buildx, tmp_path) -> None:
    """examples/ts-build-app: `npm run build` (tsc) writes dist/index.js,
    which the smoke check loads; the fixture's metacallcli cannot call, so
    its checks are left to the real-core tests."""
    app = example_copy("ts-build-app", tmp_path / "app")
    (app / "metacall.yaml").write_text(SYNTAX)
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    assert "[node] build the app in . with `npm run build`" in result.output, result
    code, output = run_image(result.tag, ["-c", "ls /app/dist /app/node_modules"],
                             entrypoint="/bin/sh")
    assert code == 0, output
    assert "index.js" in output and "is-number" in output, output
    assert "typescript" not in output, output  # the build's devDependency, pruned


def test_a_script_the_build_does_not_write_fails_naming_the_manifest(buildx, tmp_path) -> None:
    app = example_copy("ts-build-app", tmp_path / "app")
    (app / "metacall.yaml").write_text(SYNTAX)
    (app / "metacall.json").write_text('{\n  "language_id": "node",\n'
                                       '  "scripts": ["dist/main.js"]\n}\n')
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert ("metacall.json:3: names `dist/main.js`, which is not in the build context, and "
            "`npm run build` in . did not write it") in result.output, result
    # With build scripts off, the plan refuses it before anything builds.
    (app / "metacall.yaml").write_text(SYNTAX + "app:\n  build: false\n")
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert "names `dist/main.js`, which is not in the build context" in result.output, result
    assert "npm run build" not in result.output, result


def test_an_install_that_never_finishes_fails_within_the_limit(buildx, tmp_path) -> None:
    # npm runs the app's own preinstall script: one that never ends.
    app = write_app(tmp_path, "app:\n  install-timeout: 5\n", {
        "metacall.json": '{"language_id": "node", "scripts": ["index.js"]}',
        "index.js": "module.exports = {};\n",
        "package.json": '{"name": "stuck", "version": "1.0.0", '
                        '"scripts": {"preinstall": "sleep 600"}}\n',
    })
    started = time.monotonic()
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert "installing package.json took longer than 5 s (app.install-timeout)" in result.output, \
        result
    assert '[node] install package.json with `npm install`' in result.output, result
    assert time.monotonic() - started < 300


def test_a_missing_script_fails_before_anything_builds(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "", {
        "metacall.json": '{\n  "language_id": "py",\n  "scripts": ["missing.py"]\n}\n'})
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert "metacall.json:3" in result.output, result
    assert '>>>   "scripts": ["missing.py"]' in result.output, result
    assert "names `missing.py`, which is not in the build context" in result.output, result


def test_manifest_language_missing_from_languages_is_an_error(buildx, tmp_path) -> None:
    app = write_app(tmp_path, "languages: [py]\n", {
        "metacall-node.json": '{"language_id": "node", "path": ".", "scripts": ["i.js"]}',
    })
    result = buildx(app, *FIXTURE, tag=False)
    assert result.returncode != 0
    assert "metacall.yaml:2" in result.output, result
    assert "the manifests name node, which `languages` does not declare" in result.output


def test_app_keys_set_the_image_config(buildx, tmp_path) -> None:
    app = write_app(tmp_path, (
        "languages: [py]\n"
        "app:\n"
        "  scripts: {py: [serve.py]}\n"
        "  command: [metacallcli, serve.py]\n"
        "  expose: [8080]\n"
        "  user: nobody\n"
        "  labels: {team: platform}\n"
    ), {"serve.py": "def serve():\n    return 1\n"})
    result = buildx(app, *FIXTURE)
    assert result.returncode == 0, result
    config = config_of(result.tag)
    assert config["Entrypoint"] == ["metacallcli", "serve.py"]
    assert config["ExposedPorts"] == {"8080/tcp": {}}
    assert config["User"] == "nobody"
    assert config["Labels"]["team"] == "platform"


def test_credentials_secret_is_used_by_its_step_and_reaches_no_layer(buildx, tmp_path) -> None:
    marker = f"metacall-credential-{uuid.uuid4().hex}"
    npmrc = tmp_path / "npmrc"
    # A valid npm config whose comment is the marker.
    npmrc.write_text(f"; {marker}\nfund=false\nupdate-notifier=false\n")
    app = example_copy("node-app", tmp_path / "app")
    result = buildx(app, *FIXTURE, "--secret", f"id=npmrc,src={npmrc}")
    assert result.returncode == 0, result
    saved = subprocess.run(["docker", "save", result.tag], capture_output=True, check=True)
    assert len(saved.stdout) > 1_000_000
    assert marker.encode() not in saved.stdout
    assert marker not in docker("history", "--no-trunc", result.tag).stdout
    assert marker not in docker("image", "inspect", result.tag).stdout
