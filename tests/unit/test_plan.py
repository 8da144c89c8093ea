"""The compiled graph: determinism, per-language independence, structure."""

from __future__ import annotations

import json

import pytest

from frontend.compile import BuildFacts
from frontend.declaration import DeclarationError
from frontend.llb import serialize
from frontend.pb import llb_pb2 as pb
from frontend.plan.shell import SLIM_DPKG_OPTIONS
from frontend.references import normalize_image_ref
from tests.unit.definitions import (
    LOCAL_CORE,
    compile_text,
    digest_named,
    names,
    op_named,
    ops_of,
    program_of,
)


@pytest.mark.parametrize("target", ["deps", "dev", "runtime", "cli"])
def test_same_declaration_gives_a_byte_identical_definition(target: str) -> None:
    first = serialize(compile_text("languages: [py, node]\n", target).definition)
    second = serialize(compile_text("languages: [py, node]\n", target).definition)
    assert first == second


def test_adding_a_language_leaves_the_other_branches_unchanged() -> None:
    alone = compile_text("languages: [py]\n", contexts=LOCAL_CORE).definition
    with_rb = compile_text("languages: [py, rb]\n", contexts=LOCAL_CORE).definition
    for step in ("[py] install runtime libraries", "[py] build MetaCall core",
                 "[py] files installed for the runtime: /usr/local/lib, "
                 "/usr/local/share/metacall"):
        assert digest_named(alone, step) == digest_named(with_rb, step)
    assert "[rb] build MetaCall core" in names(with_rb).values()


def test_runtime_is_a_merge_of_diffs_around_the_install_step() -> None:
    definition = compile_text("languages: [py, node]\n").definition
    ops = ops_of(definition)
    merge_digest = digest_named(definition, "[runtime] merge language layers")
    merge = ops[merge_digest]
    assert merge.WhichOneof("op") == "merge"
    by_name = names(definition)
    inputs = [by_name[i.digest] for i in merge.inputs]
    installed = "files installed for the runtime: /usr/local/lib, /usr/local/share/metacall"
    assert f"[py] {installed}" in inputs
    assert f"[node] {installed}" in inputs
    assert "[py] runtime libraries" in inputs
    # Each is the install paths copied out of the diff around the install step.
    narrowed = ops[digest_named(definition, f"[py] {installed}")]
    assert list(narrowed.file.actions[0].copy.include_patterns) == [
        "usr/local/lib", "usr/local/share/metacall"]
    assert by_name[narrowed.inputs[0].digest] == "[py] files installed for the runtime"
    diff = ops[digest_named(definition, "[py] files installed for the runtime")]
    lower, upper = (by_name[i.digest] for i in diff.inputs)
    assert (lower, upper) == ("[py] build MetaCall core", "[py] install MetaCall runtime files")
    # No dev-branch state is merged whole into the runtime.
    assert not any("build MetaCall core" in name for name in inputs)


def test_global_configuration_names_every_loader() -> None:
    definition = compile_text("languages: [py, node, rb]\n").definition
    ops = ops_of(definition)
    mkfile = ops[digest_named(definition, "[runtime] write global.json for every loader")]
    data = json.loads(mkfile.file.actions[0].mkfile.data)
    assert set(data) == {"py_loader", "node_loader", "rb_loader", "log_level"}


def test_network_steps_mount_the_ca_secret_optionally_and_nothing_else_does() -> None:
    definition = compile_text("languages: [py]\n").definition
    ops = ops_of(definition)
    for digest, name in names(definition).items():
        op = ops[digest]
        if op.WhichOneof("op") != "exec":
            continue
        secrets = [m for m in op.exec.mounts if m.mountType == pb.SECRET]
        if op.exec.network == pb.NONE:
            assert not secrets, name
        else:
            assert [s.secretOpt.ID for s in secrets] == ["ca-certificates"], name
            assert secrets[0].secretOpt.optional
            assert "ca-certificates" in program_of(definition, op)


def test_network_steps_share_apts_lists_through_its_tools_first_on_their_path() -> None:
    definition = compile_text("languages: [py, node]\n", target="cli").definition
    ops = ops_of(definition)
    networks = set()
    for digest, name in names(definition).items():
        op = ops[digest]
        if op.WhichOneof("op") != "exec":
            continue
        networks.add(op.exec.network)
        caches = {m.dest: m.cacheOpt.sharing for m in op.exec.mounts if m.mountType == pb.CACHE}
        program = program_of(definition, op)
        tools = [m for m in op.exec.mounts if m.dest == "/run/metacall/bin"]
        if op.exec.network == pb.NONE:
            assert not caches and not tools and "/run/metacall/bin" not in program, name
        else:
            assert [(m.readonly, names(definition)[op.inputs[m.input].digest])
                    for m in tools] == [(True, "[internal] tools")], name
            assert caches == {"/var/cache/apt/archives": pb.PRIVATE,
                              "/var/lib/apt/lists": pb.SHARED}, name
            assert program.splitlines()[2].startswith("PATH=/run/metacall/bin:$PATH; "), name
    assert networks == {pb.NONE, pb.UNSET}  # both kinds were checked


def test_core_source_defaults_to_the_pinned_git_release() -> None:
    compiled = compile_text("languages: [py]\ncore: {version: v0.9.20}\n", target="deps")
    sources = [op.source for op in ops_of(compiled.definition).values()
               if op.WhichOneof("op") == "source"]
    identifiers = {s.identifier for s in sources}
    assert "git://github.com/metacall/core.git#v0.9.20" in identifiers
    local = compile_text("languages: [py]\n", target="deps", contexts=LOCAL_CORE)
    identifiers = {op.source.identifier for op in ops_of(local.definition).values()
                   if op.WhichOneof("op") == "source"}
    assert "local://metacall-core" in identifiers
    assert not any(i.startswith("git://") for i in identifiers)


def test_plthook_context_feeds_cmake() -> None:
    compiled = compile_text("languages: [py]\n", target="deps",
                            contexts={"plthook": "local:plthook"})
    ops = ops_of(compiled.definition)
    data = ops[digest_named(compiled.definition, "[core] write CMake options")]
    options = data.file.actions[0].mkfile.data.decode()
    assert "-DPLTHook_SOURCE_DIR=/usr/local/src/plthook" in options
    assert "-DBackwardCpp_SOURCE=/usr/lib/backward" in options


def test_tinycc_context_is_built_for_the_c_loader_and_joins_its_runtime() -> None:
    given = compile_text("languages: [c]\n", contexts={"tinycc": "local:tinycc"}).definition
    ops = ops_of(given)
    by_name = names(given)
    build = ops[digest_named(given, "[c] build tinycc")]
    assert "--disable-static" in program_of(given, build)
    assert build.exec.meta.cwd == "/usr/local/src/tinycc"
    added = ops[digest_named(given, "[c] add tinycc's runtime files")]
    copy = added.file.actions[0].copy
    assert (copy.src, copy.dest) == ("/usr/local/src/stage/usr/local/lib", "/usr/local/lib")
    assert by_name[added.inputs[1].digest] == "[c] build tinycc"
    # core's own TinyCC install writes headers beside the loader's libraries.
    narrowed = ops[digest_named(given, "[c] files installed for the runtime: /usr/local/lib, "
                                       "/usr/local/share/metacall, /usr/local/include")]
    assert "usr/local/include" in narrowed.file.actions[0].copy.include_patterns
    # Without the context, core's CMake downloads TinyCC itself.
    downloaded = names(compile_text("languages: [c]\n").definition).values()
    assert not any("tinycc" in name for name in downloaded)


def test_steps_carry_the_line_of_their_language() -> None:
    compiled = compile_text("languages:\n  - py\n  - node\n")
    definition = compiled.definition
    py_step = digest_named(definition, "[py] install runtime libraries")
    node_step = digest_named(definition, "[node] install runtime libraries")
    lines = {d: loc.locations[0].ranges[0].start.line
             for d, loc in definition.Source.locations.items()}
    assert (lines[py_step], lines[node_step]) == (3, 4)
    assert definition.Source.infos[0].filename == "metacall.yaml"


def test_image_config_per_target() -> None:
    cli = compile_text("languages: [py, node]\n", target="cli").config
    assert cli["config"]["Entrypoint"] == ["metacallcli"]
    env = dict(item.split("=", 1) for item in cli["config"]["Env"])
    assert env["LOADER_LIBRARY_PATH"] == "/usr/local/lib"
    assert env["CONFIGURATION_PATH"].endswith("/configurations/global.json")
    assert env["NODE_PATH"] == "/usr/local/lib/node_modules"
    assert env["PATH"].startswith("/usr/local/sbin")
    assert cli["config"]["Labels"]["io.metacall.languages"] == "py,node"
    assert cli["config"]["Labels"]["io.metacall.core.version"] == "v0.9.22"
    local = compile_text("languages: [py]\n", contexts=LOCAL_CORE,
                         facts=BuildFacts(core_version="0.9.22"))
    assert local.config["config"]["Labels"]["io.metacall.core.version"] == "0.9.22"
    deps = compile_text("languages: [py]\n", target="deps").config
    assert "LOADER_LIBRARY_PATH" not in str(deps["config"]["Env"])


def test_cli_target_requires_node_and_says_where() -> None:
    with pytest.raises(DeclarationError) as caught:
        compile_text("languages: [py]\n", target="cli")
    assert caught.value.line == 2
    assert "node" in caught.value.message


def test_unknown_target_is_an_error() -> None:
    with pytest.raises(DeclarationError, match="unknown target"):
        compile_text("languages: [py]\n", target="prod")


def test_typescript_brings_in_node() -> None:
    definition = compile_text("languages: [ts]\n").definition
    assert "[node] install runtime libraries" in names(definition).values()
    assert "[node+ts] build MetaCall core" in names(definition).values()


@pytest.mark.parametrize(
    ("ref", "normalized"),
    [
        ("debian:bookworm-slim", "docker.io/library/debian:bookworm-slim"),
        ("ubuntu", "docker.io/library/ubuntu:latest"),
        ("metacall/core:deps", "docker.io/metacall/core:deps"),
        ("docker.io/debian", "docker.io/library/debian:latest"),
        ("index.docker.io/metacall/core", "docker.io/metacall/core:latest"),
        ("localhost/x", "localhost/x:latest"),
        ("registry.local:5000/x/y:1", "registry.local:5000/x/y:1"),
        ("debian@sha256:abc", "docker.io/library/debian@sha256:abc"),
    ],
)
def test_image_refs_are_normalized(ref: str, normalized: str) -> None:
    assert normalize_image_ref(ref) == normalized


def test_without_merge_diff_the_same_files_are_copied_and_steps_chained() -> None:
    definition = compile_text("languages: [py, node]\n", target="cli",
                              facts=BuildFacts(merge_diff=False)).definition
    ops = ops_of(definition)
    kinds = {op.WhichOneof("op") for op in ops.values()}
    assert "merge" not in kinds and "diff" not in kinds
    by_name = names(definition)
    # The runtime packages are installed one after the other on one state.
    node_step = ops[digest_named(definition, "[node] install runtime libraries")]
    assert by_name[node_step.inputs[0].digest] == "[py] install runtime libraries"
    copied = {n for n in by_name.values() if "files installed" in n}
    assert copied == {
        "[py] files installed for the runtime: /usr/local/lib",
        "[py] files installed for the runtime: /usr/local/share/metacall",
        "[node] files installed for the runtime: /usr/local/lib",
        "[node] files installed for the runtime: /usr/local/share/metacall",
        "[node] files installed for the CLI: /usr/local/bin",
    }


def test_no_cache_marks_every_op() -> None:
    cached = compile_text("languages: [py]\n").definition
    assert not any(meta.ignore_cache for meta in cached.metadata.values())
    fresh = compile_text("languages: [py]\n", no_cache=True).definition
    assert all(meta.ignore_cache for meta in fresh.metadata.values())


def test_cache_mount_namespace_prefixes_every_cache_mount() -> None:
    plain = compile_text("languages: [py]\n").definition
    spaced = compile_text("languages: [py]\n",
                          build_args={"BUILDKIT_CACHE_MOUNT_NS": "team-a"}).definition

    def cache_ids(definition: pb.Definition) -> set[str]:
        return {m.cacheOpt.ID for op in ops_of(definition).values()
                if op.WhichOneof("op") == "exec" for m in op.exec.mounts
                if m.mountType == pb.CACHE}

    assert cache_ids(plain) == {"metacall-apt-archives", "metacall-apt-lists"}
    assert cache_ids(spaced) == {"team-a/metacall-apt-archives", "team-a/metacall-apt-lists"}


def test_core_common_part_compiles_once_for_every_language() -> None:
    """built-base (core without loaders) is the one start of every
    language's configure and build: only each loader compiles there."""
    definition = compile_text("languages: [py, node, rb]\n").definition
    by_name = names(definition)
    common = digest_named(definition, "[core] build MetaCall core")
    assert "../tools/metacall-configure.sh release\n" in program_of(
        definition, ops_of(definition)[digest_named(definition, "[core] configure MetaCall core")])
    for tag in ("py", "node", "rb"):
        step = ops_of(definition)[digest_named(definition, f"[{tag}] install build dependencies")]
        # deps-<tag> of the dev branch starts from built-base.
        assert by_name[step.inputs[0].digest] == "[core] build MetaCall core"
    assert list(by_name.values()).count("[core] build MetaCall core") == 1
    built = ops_of(definition)[digest_named(definition, "[py] build MetaCall core")]
    configured = by_name[built.inputs[0].digest]
    assert configured == "[py] configure MetaCall core"
    assert common != digest_named(definition, "[py] build MetaCall core")


def test_runtime_installs_leave_documentation_out_but_copyright() -> None:
    definition = compile_text("languages: [py, node, rb]\n").definition
    for tag in ("py", "node", "rb", "core"):
        program = program_of(definition, op_named(definition,
                                                  f"[{tag}] install runtime libraries"))
        assert all(option in program for option in SLIM_DPKG_OPTIONS), program
        assert "export APT_CONFIG=/tmp/metacall-slim-apt.conf" in program
        assert program.index("--path-exclude=/usr/share/doc/*") < program.index(
            "--path-include=/usr/share/doc/*/copyright")
