from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from frontend.pb import llb_pb2 as pb


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "frontend", *args], capture_output=True)


def test_llb_command_prints_a_definition_with_a_stable_digest(tmp_path: Path) -> None:
    declaration = tmp_path / "metacall.yaml"
    declaration.write_text("# syntax=metacall/frontend\nlanguages: [py, node]\n")
    first = run_cli("llb", str(declaration), "--target", "dev")
    second = run_cli("llb", str(declaration), "--target", "dev")
    assert first.returncode == 0, first.stderr
    assert hashlib.sha256(first.stdout).digest() == hashlib.sha256(second.stdout).digest()
    definition = pb.Definition()
    definition.ParseFromString(first.stdout)
    assert len(getattr(definition, "def")) > 5


def test_llb_command_reports_the_line_of_an_error(tmp_path: Path) -> None:
    declaration = tmp_path / "metacall.yaml"
    declaration.write_text("# syntax=metacall/frontend\nlanguages: [py]\ncroe: {}\n")
    result = run_cli("llb", str(declaration))
    assert result.returncode == 1
    assert f"{declaration}:3: unknown key `croe`" in result.stderr.decode()


def test_llb_command_prints_the_smoke_check_of_an_app(tmp_path: Path) -> None:
    declaration = tmp_path / "metacall.yaml"
    declaration.write_text("# syntax=metacall/frontend\nlanguages: [py]\n"
                           "app:\n  scripts: {py: [main.py]}\n")
    result = run_cli("llb", str(declaration), "--smoke-check")
    assert result.returncode == 0, result.stderr
    assert b"load py main.py" in result.stdout
    runtime = run_cli("llb", str(declaration), "--target", "runtime", "--smoke-check")
    assert runtime.returncode == 1 and b"no smoke check" in runtime.stderr
