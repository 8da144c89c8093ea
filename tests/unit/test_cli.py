from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from frontend.llb import graph, outline, serialize
from tests.unit.definitions import compile_text

DECLARATION = "languages: [py, node]\n"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "frontend", *args], capture_output=True)


def test_llb_command_prints_the_definition_the_gateway_compiles(tmp_path: Path) -> None:
    declaration = tmp_path / "metacall.yaml"
    declaration.write_text("# syntax=metacall/frontend\n" + DECLARATION)
    first = run_cli("llb", str(declaration), "--target", "dev")
    second = run_cli("llb", str(declaration), "--target", "dev")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert first.stdout == serialize(compile_text(DECLARATION, "dev").definition)


def test_outline_prints_the_steps(tmp_path: Path) -> None:
    declaration = tmp_path / "metacall.yaml"
    declaration.write_text("# syntax=metacall/frontend\n" + DECLARATION)
    printed = run_cli("llb", str(declaration), "--outline")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.decode() == outline(compile_text(DECLARATION).definition)
    assert "[py+node]" not in printed.stdout.decode()  # one core build per language
    assert "\n[node] build MetaCall core  (line 2)\n" in printed.stdout.decode()


def test_graph_prints_the_dot_text_of_the_target(tmp_path: Path) -> None:
    declaration = tmp_path / "metacall.yaml"
    declaration.write_text("# syntax=metacall/frontend\n" + DECLARATION)
    printed = run_cli("llb", str(declaration), "--graph", "--target", "deps")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.decode() == graph(compile_text(DECLARATION, "deps").definition)
    both = run_cli("llb", str(declaration), "--graph", "--outline")
    assert both.returncode == 2
    assert b"not allowed with argument" in both.stderr


def test_a_declaration_error_names_the_file_and_line(tmp_path: Path) -> None:
    declaration = tmp_path / "metacall.yaml"
    declaration.write_text("# syntax=metacall/frontend\nlanguages: [pyhton]\n")
    printed = run_cli("llb", str(declaration))
    assert printed.returncode == 1
    assert printed.stderr.decode().startswith(f"{declaration}:2: unknown language `pyhton`")
