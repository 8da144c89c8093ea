from __future__ import annotations

import json
from dataclasses import replace

import pytest

from frontend.compile import BuildFacts
from frontend.declaration import DeclarationError, Language, parse
from frontend.declaration.context import ContextScan
from frontend.declaration.dockerignore import DockerIgnore
from frontend.declaration.manifests import read_manifest
from frontend.pb import llb_pb2 as pb
from frontend.plan.app import AppPlan, Dependency, plan_app
from frontend.plan.languages.node import NPM
from frontend.plan.languages.py import PIP
from frontend.plan.recipe import Download
from tests.unit.definitions import (
    HEAD,
    compile_text,
    digest_named,
    names,
    op_named,
    ops_of,
    program_of,
)


def manifest(tag: str, *scripts: str, path: str = ".") -> bytes:
    return json.dumps({"language_id": tag, "path": path, "scripts": list(scripts)}).encode()


def files(*names: str, dockerignore: str = "", manifests: dict[str, bytes] | None = None,
          **named: bytes) -> ContextScan:
    """A context holding `names` and manifests (metacall_py= for metacall-py.json,
    sub__metacall= for sub/metacall.json, or by path in `manifests`)."""
    found = {name.replace("__", "/").replace("_", "-") + ".json": data
             for name, data in named.items()} | (manifests or {})
    return ContextScan(frozenset([*names, *found]), found, dockerignore)


def plan(text: str, context: ContextScan) -> AppPlan | None:
    return plan_app(parse(HEAD + text), context)


def error_of(text: str, context: ContextScan) -> DeclarationError:
    with pytest.raises(DeclarationError) as caught:
        plan(text, context)
    return caught.value


def test_no_app_key_and_no_manifest_is_no_app() -> None:
    assert plan("languages: [py]\n", files("requirements.txt")) is None


def test_manifests_decide_languages_scripts_and_dependency_files() -> None:
    context = files("requirements.txt", "package.json", "package-lock.json",
                    metacall_py=manifest("py", "main.py"),
                    metacall_node=manifest("node", "index.js", path="src"))
    app = plan("", context)
    assert app is not None
    assert app.languages == ("py", "node")
    assert app.scripts == {"py": ("main.py",), "node": ("src/index.js",)}
    assert app.dependencies == (Dependency(Language.PY, "requirements.txt"),
                                Dependency(Language.NODE, "package.json"))


def test_manifests_anywhere_several_per_language_relative_to_their_folder() -> None:
    """As MetaCall's FaaS finds them: by name, in any folder, the language
    from language_id; none at the root."""
    context = files(
        "api/package.json", "api/lib/requirements.txt", "web/package.json",
        "node_modules/x/package.json",
        api__metacall=manifest("node", "index.js", "routes/users.js", path="src"),
        web__metacall_frontend=manifest("node", "server.js"),
        tools__metacall=manifest("py", "../api/lib/helper.py"),
        manifests={"node_modules/dep/metacall.json": manifest("rb", "ignored.rb")},
    )
    app = plan("", context)
    assert app is not None
    assert app.languages == ("py", "node")  # node_modules is not the app's
    assert app.scripts == {"py": ("api/lib/helper.py",),
                           "node": ("api/src/index.js", "api/src/routes/users.js",
                                    "web/server.js")}
    assert app.dependencies == (Dependency(Language.PY, "api/lib/requirements.txt"),
                                Dependency(Language.NODE, "api/package.json"),
                                Dependency(Language.NODE, "web/package.json"))


def test_a_folder_installs_its_preferred_dependency_file_once() -> None:
    context = files("requirements.txt", "pyproject.toml", "lib/pyproject.toml",
                    metacall=manifest("py", "main.py"))
    app = plan("", context)
    assert app is not None
    assert app.dependencies == (Dependency(Language.PY, "requirements.txt"),
                                Dependency(Language.PY, "lib/pyproject.toml"))


def test_node_comes_with_every_app_for_its_cli_and_installs_package_json() -> None:
    app = plan("", files("package.json", "Gemfile", metacall_py=manifest("py", "main.py")))
    assert app is not None
    assert app.languages == ("py", "node")
    # No Ruby in the image: its Gemfile is not installed.
    assert app.dependencies == (Dependency(Language.NODE, "package.json"),)


def test_app_keys_override_the_manifests() -> None:
    context = files("requirements.txt", metacall_py=manifest("py", "main.py"))
    app = plan("languages: [py]\napp:\n  scripts: {py: [other.py]}\n"
               "  dependencies: {py: pyproject.toml}\n", context)
    assert app is not None
    assert app.scripts == {"py": ("other.py",)}
    assert app.dependencies == (Dependency(Language.PY, "pyproject.toml"),)


def test_a_manifest_language_outside_languages_is_an_error_at_its_line() -> None:
    error = error_of("languages: [py]\n", files(metacall_node=manifest("node", "index.js")))
    assert error.line == 2
    assert "the manifests name node" in error.message


@pytest.mark.parametrize(("data", "line", "message"), [
    (b"{}", 1, "`language_id`: Field required"),
    (b'{"language_id": "py",\n "scripts": "main.py"}', 2, "`scripts`: Input should be a list"),
    (b'{"language_id": "pyhton", "scripts": ["a.py"]}', 1, "unknown language `pyhton`"),
    (b'{\n  "language_id": "py",,\n}', 2, "not JSON: Expecting property name"),
    (b"[1]", 1, "a MetaCall manifest is a JSON object"),
    (b"\xff\xfe", 0, "not UTF-8 text"),
    (b'{"language_id": "py", "path": "../..",\n "scripts": ["x.py"]}', 2,
     "script `x.py` (path `../..`) is outside the build context"),
    (b'{"language_id": "py", "scripts": ["/etc/passwd"]}', 1, "outside the build context"),
    (b'{"language_id": "py", "scripts": ["my app.py"]}', 1, "cannot load a path with spaces"),
])
def test_a_bad_manifest_is_an_error_in_that_manifest(data: bytes, line: int,
                                                     message: str) -> None:
    error = error_of("", files(sub__metacall_py=data))
    assert error.source is not None and error.source.filename == "sub/metacall-py.json"
    assert error.line == line
    assert message in error.message, error.message


def test_a_missing_script_is_an_error_at_the_manifests_scripts_line() -> None:
    context = replace(files(metacall=b'{"language_id": "py",\n"scripts": ["main.py"]}'),
                      existing_scripts=frozenset())
    error = error_of("", context)
    assert error.source is not None and error.source.filename == "metacall.json"
    assert (error.line, error.message) == (
        2, "names `main.py`, which is not in the build context")


@pytest.mark.parametrize(("text", "line", "message"), [
    ("languages: [py, node]\napp:\n  scripts:\n    py: [main.py]\n    node:\n      - a.js\n"
     "      - b.js\n", 8, "`app.scripts` names `b.js`, which is not in the build context"),
    ("languages: [py]\napp:\n  scripts:\n    py: [main.py]\n    node: [a.js]\n",
     6, "`app.scripts` names `node`, which `languages` does not declare"),
    ("languages: [py]\napp:\n  dependencies:\n    node: package.json\n",
     5, "`app.dependencies` names `node`, which `languages` does not declare"),
])
def test_app_errors_point_at_their_own_line(text: str, line: int, message: str) -> None:
    context = replace(files("main.py", "a.js"), existing_scripts=frozenset({"main.py", "a.js"}))
    error = error_of(text, context)
    assert (error.line, error.message) == (line, message)


def test_a_script_dockerignore_keeps_out_is_an_error_naming_the_pattern() -> None:
    context = files(metacall=manifest("py", "src/main.py"),
                    dockerignore="# generated\nnode_modules\nsrc/\n")
    error = error_of("", context)
    assert error.message == ("names `src/main.py`, but .dockerignore line 3 (`src/`) keeps it "
                             "out of the image")
    allowed = files(metacall=manifest("py", "src/main.py"),
                    dockerignore="src/\n!src/main.py\n")
    assert plan("", allowed) is not None


def test_the_pip_step_reads_only_requirements_txt() -> None:
    context = files("requirements.txt", "package.json",
                    metacall_py=manifest("py", "main.py"), metacall_node=manifest("node", "i.js"))
    definition = compile_text("languages: [py, node]\n", None,
                              facts=BuildFacts(context=context)).definition
    includes = {}
    for op in ops_of(definition).values():
        if op.WhichOneof("op") == "file" and op.file.actions[0].WhichOneof("action") == "copy":
            copy = op.file.actions[0].copy
            if copy.dest == "/app" and copy.include_patterns:
                includes[tuple(copy.include_patterns)] = True
    assert ("requirements.txt",) in includes
    assert ("package.json",) in includes



@pytest.mark.parametrize(("tag", "dependency_file", "download", "installer", "debians"), [
    ("node", "package.json", NPM, "nodejs and npm", "npm"),
    ("py", "requirements.txt", PIP, "python3 and pip", "python3-pip"),
])
def test_the_installer_is_its_authors_download_pinned_by_checksum(
        tag: str, dependency_file: str, download: Download, installer: str,
        debians: str) -> None:
    """Not Debian's npm or pip: BuildKit's download, mounted into the
    installer's step, is unpacked there (Debian's package only where that
    interpreter cannot run it)."""
    context = files(dependency_file, manifests={"metacall.json": manifest(tag, "main")})
    definition = compile_text(f"languages: [{tag}]\n", None,
                              facts=BuildFacts(context=context)).definition
    digest = digest_named(definition, f"download {download.title}")
    assert ops_of(definition)[digest].source.identifier == download.url
    assert ops_of(definition)[digest].source.attrs["http.checksum"] == download.checksum
    install = op_named(definition, f"[{tag}] install {installer} {download.title.split()[1]}")
    (mount,) = [m for m in install.exec.mounts if m.dest == "/run/metacall-downloads"]
    assert mount.readonly and install.inputs[mount.input].digest == digest
    script = program_of(definition, install)
    assert f"/run/metacall-downloads/{download.url.rsplit('/', 1)[1]}" in script
    assert f"else apt-get update && apt-get install -y --no-install-recommends {debians};" in script


def test_the_smoke_check_is_a_separate_definition_that_mounts_the_app() -> None:
    context = files("package.json", metacall_node=manifest("node", "index.js"))
    compiled = compile_text("languages: [node]\n", None, facts=BuildFacts(context=context))

    def smoke_checks(definition: pb.Definition) -> list[pb.ExecOp]:
        return [op.exec for op in ops_of(definition).values() if op.WhichOneof("op") == "exec"
                and "metacall-smoke-check" in program_of(definition, op)]

    # What the loaders write while the check runs never reaches the image.
    assert smoke_checks(compiled.definition) == []
    (check,) = compiled.checks
    (run,) = smoke_checks(check)
    # The scripts reach the program as arguments, after the time limit.
    assert run.meta.args[4:] == ["60", "node", "index.js"]
    mounts = {(m.dest, m.selector, m.readonly) for m in run.mounts if m.dest != "/"}
    # The app's files, and node_modules again over them (the app mount hides it).
    assert mounts == {("/app", "/app", False), ("/app/node_modules", "/app/node_modules", True)}
    off = compile_text("languages: [node]\napp:\n  smoke-check: false\n", None,
                       facts=BuildFacts(context=context))
    assert off.checks == ()


def test_the_one_line_declaration_builds_the_app_of_the_manifests() -> None:
    context = files("package.json", api__metacall=manifest("node", "index.js"))
    compiled = compile_text("", None, facts=BuildFacts(context=context))
    assert compiled.config["config"]["Entrypoint"] == ["/usr/local/bin/metacall-app"]
    assert compiled.config["config"]["Labels"]["io.metacall.target"] == "app"


def test_without_manifests_or_languages_the_error_says_what_is_missing() -> None:
    with pytest.raises(DeclarationError) as caught:
        compile_text("", None)
    assert caught.value.message.startswith(
        "no `languages` declared, and the build context has no MetaCall manifest")


def test_ports_are_on_for_apps_unless_turned_off() -> None:
    app = files(metacall=manifest("py", "main.py"))

    def configured(text: str, target: str | None, context: ContextScan = app) -> str:
        compiled = compile_text(text, target, facts=BuildFacts(context=context))
        return program_of(compiled.definition,
                          op_named(compiled.definition, "[py] configure MetaCall core"))

    assert "python ports" in configured("", None)
    assert "ports" not in configured("core: {ports: false}\n", None)
    # The bare images keep core's default, off; an app's runtime is the app's.
    assert "ports" not in configured("languages: [py]\n", "runtime", ContextScan())
    assert "python ports" in configured("", "runtime")


def test_each_dependency_file_installs_in_its_own_folder() -> None:
    context = files("web/package.json", "web/package-lock.json", "lib/requirements.txt",
                    web__metacall=manifest("node", "server.js"))
    definition = compile_text("", None, facts=BuildFacts(context=context)).definition
    npm = op_named(definition, "[node] install web/package.json with `npm ci`")
    assert npm.exec.meta.cwd == "/app/web"
    # The time limit (app.install-timeout), the file for its message, the file.
    assert npm.exec.meta.args[4:] == ["1800", "web/package.json", "package.json"]
    layer = op_named(definition, "[node] dependencies from web/package.json: "
                                 "/app/web/node_modules")
    assert list(layer.file.actions[0].copy.include_patterns) == ["app/web/node_modules"]
    added = op_named(definition, "[node] add web/package.json, web/package-lock.json")
    assert list(added.file.actions[0].copy.include_patterns) == [
        "web/package.json", "web/package-lock.json"]
    # No py manifest: Python is not in the image, its requirements are not installed.
    assert not any("requirements" in name for name in names(definition).values())
    # The app's own node_modules never shadows the installed one.
    app_files = op_named(definition, "[app] add the app's files")
    assert "web/node_modules" in app_files.file.actions[0].copy.exclude_patterns


@pytest.mark.parametrize(("data", "message"), [
    (b'{"language_id": "py", "n": ' + b"1" * 5000 + b"}", "holds a number too long to read"),
    (b"[" * 100_000, "nested too deeply to read"),
])
def test_a_manifest_python_cannot_read_is_an_error_naming_it(data: bytes, message: str) -> None:
    with pytest.raises(DeclarationError) as raised:
        read_manifest("service/metacall.json", data)
    assert raised.value.source is not None
    assert raised.value.source.filename == "service/metacall.json"
    assert raised.value.message == message


def test_a_dockerignore_pattern_with_many_wildcards_matches_without_backtracking() -> None:
    # Python's re would try every split of the path (seconds, doubling per
    # `*a`); Go's matcher, BuildKit's, does not.
    ignore = DockerIgnore.parse("*a*a*a*a*a*a*a*a*a*a*ab\na*a*a*a*a*a*a*a*a*a*a*a*b\n")
    assert ignore.excluded_by("a" * 40) is None
    assert ignore.excluded_by("a" * 40 + "b") is not None


def test_dependencies_of_a_language_without_an_installer_are_an_error() -> None:
    parsed = parse("languages: [c]\napp:\n  dependencies: {c: deps.txt}\n")
    with pytest.raises(DeclarationError) as raised:
        plan_app(parsed, files("deps.txt"))
    assert raised.value.line == 3
    assert raised.value.message == ("`app.dependencies` names `c`: only the dependencies of "
                                    "py, node, rb are installed")


NODE_LOADS_PYTHON = "const { double } = require('./lib.py');\nmodule.exports = { double };\n"


def test_a_language_a_script_loads_is_in_the_image_with_its_dependencies() -> None:
    """The manifest names only node; index.js loads Python through the port."""
    context = replace(files("requirements.txt", metacall=manifest("node", "index.js")),
                      script_texts={"index.js": NODE_LOADS_PYTHON.encode()})
    app = plan("", context)
    assert app is not None
    assert app.languages == (Language.PY, Language.NODE)
    assert app.scripts == {Language.NODE: ("index.js",)}  # py is loaded by node, not by MetaCall
    assert Dependency(Language.PY, "requirements.txt") in app.dependencies
    assert [(load.language, load.script, load.line) for load in app.cross_loads] == [
        (Language.PY, "index.js", 1)]


def test_declared_languages_stay_the_users_choice() -> None:
    context = replace(files(metacall=manifest("node", "index.js")),
                      script_texts={"index.js": NODE_LOADS_PYTHON.encode()})
    app = plan("languages: [node]\n", context)
    assert app is not None and app.languages == (Language.NODE,)


def test_installs_leave_development_dependencies_out() -> None:
    context = files("package.json", "Gemfile", metacall=manifest("node", "index.js"))
    definition = compile_text("languages: [node, rb]\n", None,
                              facts=BuildFacts(context=context)).definition
    npm = program_of(definition, op_named(definition,
                                          "[node] install package.json with `npm install`"))
    assert "npm install --omit=dev" in npm
    bundler = program_of(definition, op_named(
        definition, "[rb] install Gemfile with `bundle install`"))
    assert "BUNDLE_WITHOUT=development:test bundle install" in bundler


def test_the_smoke_check_loads_the_scripts_in_the_apps_environment() -> None:
    """As the image runs them: NODE_PATH (MetaCall's Node.js port), the
    app's folder as LOADER_SCRIPT_PATH, the user's app.env."""
    context = files(metacall=manifest("node", "index.js"))
    compiled = compile_text("app:\n  env:\n    MODE: check\n", None,
                            facts=BuildFacts(context=context))
    (check,) = compiled.checks
    [step] = [op for op in ops_of(check).values() if op.WhichOneof("op") == "exec"
              and "smoke-check" in op.exec.meta.args[3]]
    env = list(step.exec.meta.env)
    assert set(compiled.config["config"]["Env"]) <= set(env)
    assert {"NODE_PATH=/usr/local/lib/node_modules", "LOADER_SCRIPT_PATH=/app",
            "MODE=check"} <= set(env)


@pytest.mark.parametrize(("manifest_file", "beside", "expected"), [
    ("requirements.txt", (), '--root-user-action=ignore -r "$1"'),
    ("pyproject.toml", (), "pip install --break-system-packages --root-user-action=ignore ."),
    ("pyproject.toml", ("uv.lock",), "python3 -m uv export --frozen --no-dev --no-emit-project"),
    ("pyproject.toml", ("poetry.lock",), "python3 -m poetry export --only main --without-hashes"),
    ("Pipfile", ("Pipfile.lock",), 'json.load(open("Pipfile.lock"))["default"]'),
    ("Pipfile", (), "Pipfile has no Pipfile.lock beside it"),
])
def test_python_installs_what_the_lock_says(manifest_file: str, beside: tuple[str, ...],
                                            expected: str) -> None:
    context = files(manifest_file, *beside, metacall=manifest("py", "main.py"))
    definition = compile_text("", None, facts=BuildFacts(context=context)).definition
    step = op_named(definition, f"[py] install {manifest_file} with `pip install`")
    assert expected in program_of(definition, step)


BUILDS_TO_DIST = b'{"scripts": {"build": "tsc"}, "devDependencies": {"typescript": "^5"}}'
NAMES_DIST = {"metacall.json": manifest("node", "dist/index.js")}


def building(*names: str, manifests: dict[str, bytes], package_json: bytes = BUILDS_TO_DIST,
             folder: str = "") -> ContextScan:
    """A context whose package.json (in `folder`) has a build script, and
    whose manifest names dist/index.js, which the context lacks."""
    path = f"{folder}/package.json" if folder else "package.json"
    context = files(path, *names, manifests=manifests)
    return replace(context, texts={path: package_json},
                   existing_scripts=frozenset(names) - {path})


def test_a_script_the_build_writes_need_not_be_in_the_context() -> None:
    app = plan("", building(manifests=NAMES_DIST))
    assert app is not None
    (npm,) = app.dependencies
    assert npm.build == "npm run build"
    assert [output.path for output in npm.outputs] == ["dist/index.js"]
    assert npm.outputs[0].missing == (
        "metacall.json:1: names `dist/index.js`, which is not in the build context, and "
        "`npm run build` in . did not write it")


def test_the_nearest_build_above_a_script_must_write_it() -> None:
    context = building("web/src/main.ts", folder="web",
                       manifests={"web/metacall.json": manifest("node", "dist/main.js")})
    app = plan("", context)
    assert app is not None
    (npm,) = app.dependencies
    assert npm.file == "web/package.json"
    assert [output.path for output in npm.outputs] == ["dist/main.js"]


@pytest.mark.parametrize(("text", "package_json"), [
    ("app:\n  build: false\n", BUILDS_TO_DIST),
    ("", b'{"scripts": {"start": "node ."}}'),
    ("", b"{not json"),
])
def test_without_a_build_script_a_missing_script_is_an_error(text: str,
                                                             package_json: bytes) -> None:
    context = building(manifests=NAMES_DIST, package_json=package_json)
    error = error_of(text, context)
    assert error.message == "names `dist/index.js`, which is not in the build context"
    assert error.source is not None and error.source.filename == "metacall.json"


def test_the_build_runs_offline_on_the_apps_files_and_its_outputs_top_the_image() -> None:
    context = building("src/index.ts", manifests=NAMES_DIST)
    definition = compile_text("", None, facts=BuildFacts(context=context)).definition
    # Every dependency for the build, then only production ones for the image.
    install = op_named(definition, "[node] install package.json with `npm install`")
    assert "npm install && mkdir -p node_modules && rm -rf node_modules/metacall" in \
        program_of(definition, install)
    build = op_named(definition, "[node] build the app in . with `npm run build`")
    assert build.exec.network == pb.NONE
    assert build.exec.meta.cwd == "/app"
    program = program_of(definition, build)
    assert "npm run build && { [ -e dist/index.js ] || { echo " in program
    assert "metacall.json:1: names `dist/index.js`" in program
    assert "building the app beside $file took longer" in program
    # The install's node_modules, mounted where the build runs.
    assert [m.dest for m in build.exec.mounts if m.dest.endswith("node_modules")] == [
        "/app/node_modules"]
    prune = op_named(definition, "[node] prune package.json with `npm prune`")
    assert prune.exec.network == pb.NONE
    assert "pruning $file took longer than $limit s" in program_of(definition, prune)
    layer = op_named(definition, "[node] dependencies from package.json: /app/node_modules")
    assert digest_named(definition, "[node] prune package.json with `npm prune`") in {
        i.digest for i in ops_of(definition)[layer.inputs[0].digest].inputs}
    sources = op_named(definition, "[node] add the app's files in .")
    assert {"metacall.yaml", "node_modules"} <= set(sources.file.actions[0].copy.exclude_patterns)
    op_named(definition, "[app] add what the build scripts wrote")


def test_no_build_script_no_build_step() -> None:
    context = building("index.js", manifests={"metacall.json": manifest("node", "index.js")},
                       package_json=b"{}")
    compiled = compile_text("", None, facts=BuildFacts(context=context))
    assert not any("build the app" in name for name in names(compiled.definition).values())


@pytest.mark.parametrize(("lock", "tool", "expected"), [
    ("package-lock.json", "npm ci", "npm ci --omit=dev"),
    ("pnpm-lock.yaml", "pnpm install",
     "pnpm install --frozen-lockfile --config.node-linker=hoisted"),
    ("yarn.lock", "yarn install", "yarn install --frozen-lockfile --non-interactive --production"),
    ("yarn.lock", "yarn install", "yarn install --immutable && yarn workspaces focus --all"),
])
def test_node_installs_with_the_tool_of_its_lockfile(lock: str, tool: str, expected: str) -> None:
    context = files("package.json", lock, metacall=manifest("node", "index.js"))
    definition = compile_text("", None, facts=BuildFacts(context=context)).definition
    step = op_named(definition, f"[node] install package.json with `{tool}`")
    program = program_of(definition, step)
    assert expected in program
    # The lockfile keys the install's cache with package.json.
    added = op_named(definition, f"[node] add package.json, {lock}")
    assert list(added.file.actions[0].copy.include_patterns) == ["package.json", lock]
