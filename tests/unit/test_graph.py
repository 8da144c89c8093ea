"""The build as a Graphviz graph: steps by their progress names, a cluster
per language, merges and diffs drawn as such, programs part of their steps."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from frontend.compile import BuildFacts, compile_declaration, parse
from frontend.llb import State, graph, image, marshal
from frontend.llb.definition import read_ops
from frontend.pb import llb_pb2 as pb
from frontend.request import BuildRequest
from frontend.scan import scan_directory
from frontend.sourcemap import SourceText
from tests.unit.definitions import compile_text, names

DECLARATION = "languages: [py, node]\n"
ROOT = Path(__file__).resolve().parents[2]
CONTEXTS = {"metacall-core": "local:metacall-core", "plthook": "local:plthook"}
NODE = re.compile(r'^\s*"(s\d+)" \[label="((?:[^"\\]|\\.)*)", ([^\]]*)\];$', re.MULTILINE)
EDGE = re.compile(r'^\s*"(s\d+)" -> "(s\d+)"(?: \[label="([^"]*)"[^\]]*\])?;$', re.MULTILINE)


def nodes(dot: str) -> dict[str, tuple[str, str]]:
    """Each node's id: its label and its other attributes."""
    return {node_id: (label, attributes) for node_id, label, attributes in NODE.findall(dot)}


def edges(dot: str) -> list[tuple[str, str, str]]:
    return EDGE.findall(dot)


def labelled(dot: str, label: str) -> str:
    (node_id,) = [i for i, (name, _) in nodes(dot).items() if name == label]
    return node_id


def polyglot_app() -> list[pb.Definition]:
    directory = ROOT / "examples" / "polyglot-app"
    parsed = parse((directory / "metacall.yaml").read_text())
    facts = BuildFacts(context=scan_directory(directory, parsed.declaration))
    compiled = compile_declaration(parsed, BuildRequest(contexts=CONTEXTS), facts)
    return [compiled.definition, *compiled.checks]


def test_the_same_definition_gives_the_same_bytes() -> None:
    first = graph(compile_text(DECLARATION).definition)
    assert first == graph(compile_text(DECLARATION).definition)
    assert first.startswith("digraph build {\n") and first.endswith("}\n")


def test_a_cluster_per_language_labelled_with_its_tag() -> None:
    dot = graph(compile_text(DECLARATION, contexts=CONTEXTS).definition)
    for tag in ("py", "node", "core"):
        assert f'subgraph "cluster_{tag}" {{\n    label="[{tag}]";\n' in dot
    cluster = dot.split('subgraph "cluster_py" {')[1].split("  }")[0]
    assert '[label="[py] build MetaCall core", shape=box]' in cluster
    assert "[node]" not in cluster and "[core]" not in cluster


def test_the_runtime_has_a_merge_and_diffs_with_lower_and_upper() -> None:
    dot = graph(compile_text(DECLARATION).definition)
    merge = labelled(dot, "[runtime] merge language layers")
    assert "shape=invhouse" in nodes(dot)[merge][1]
    diff = labelled(dot, "[py] runtime libraries")
    assert "shape=invtrapezium" in nodes(dot)[diff][1]
    into_diff = {(source, label) for source, target, label in edges(dot) if target == diff}
    # Python links OpenSSL, installed once below every language that does.
    assert into_diff == {(labelled(dot, "[openssl] install runtime libraries"), "lower"),
                         (labelled(dot, "[py] install runtime libraries"), "upper")}
    assert "shape=cylinder" in nodes(dot)[labelled(dot, "load base image debian:bookworm-slim")][1]
    assert "peripheries=2" in nodes(dot)[
        labelled(dot, "[runtime] link loader libraries, merge package lists")][1]


def test_programs_are_part_of_their_steps() -> None:
    """A step's program is in its environment, no op of its own; the apt
    tools of the steps with network are one op, mounted where they run."""
    for definition in polyglot_app():
        assert not [name for name in names(definition).values()
                    if name.startswith("[internal] program")]
    check = graph(polyglot_app()[1])
    launcher = labelled(check, "[app] write the launcher")
    smoke = labelled(check, "[app] smoke check: load every script with MetaCall")
    assert (launcher, smoke, "/app") in edges(check)
    tools = labelled(check, "[internal] tools")
    assert (tools, labelled(check, "[py] build MetaCall core"), "/run/metacall/bin") in edges(
        check)


def test_every_edge_joins_declared_nodes() -> None:
    for definition in [compile_text(DECLARATION).definition, *polyglot_app()]:
        dot = graph(definition)
        declared = nodes(dot)
        steps = dict(read_ops(definition)[:-1])
        assert len(declared) == len(steps)
        assert edges(dot)
        for source, target, _ in edges(dot):
            assert source in declared and target in declared


def test_names_are_quoted_for_dot() -> None:
    odd = 'say "hi" \\ there\nand {braces} ; -> [x]'
    dot = graph(marshal(odd_state(odd), SourceText("f", "")))
    assert '[label="say \\"hi\\" \\\\ there\\nand {braces} ; -> [x]", shape=box' in dot


def odd_state(name: str) -> State:
    base = image("docker.io/library/debian:bookworm-slim", platform=pb.Platform(
        OS="linux", Architecture="amd64"))
    return base.run(["true"], name=name)


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's dot is not installed (scripts/render-graph.sh installs it)")
def test_dot_draws_it() -> None:
    for dot in [graph(compile_text(DECLARATION).definition), graph(polyglot_app()[0]),
                graph(marshal(odd_state('a "quoted" \\ name\nx')))]:
        drawn = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True,
                               check=False)
        assert drawn.returncode == 0, drawn.stderr.decode()
        assert b"<svg" in drawn.stdout and not drawn.stderr
