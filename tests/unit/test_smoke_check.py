"""The smoke check's program, run here against the fixture's metacallcli
(which answers a load with 0 when the file exists and echoes other
commands): loads, checks, and the errors a user reads."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from frontend.plan.smoke_check import SMOKE_CHECK, smoke_check_args

ROOT = Path(__file__).resolve().parents[2]
FAKE_CLI = ROOT / "tests" / "fixtures" / "fake-core" / "tools" / "fake-metacallcli"


def smoke_check(tmp_path: Path, args: list[str]) -> subprocess.CompletedProcess:
    (tmp_path / "bin").mkdir(exist_ok=True)
    shutil.copy(FAKE_CLI, tmp_path / "bin" / "metacallcli")
    (tmp_path / "main.py").write_text("def f(x):\n    return x\n")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
           "TMPDIR": str(tmp_path)}
    return subprocess.run(["/bin/sh", "-c", SMOKE_CHECK, "smoke-check", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)


def test_every_script_loads_then_every_check_answers(tmp_path: Path) -> None:
    done = smoke_check(tmp_path, smoke_check_args(
        [("py", "main.py")], 5, [("metacall.yaml:4", 'f("x")', 'call f("x")')]))
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("1 script(s) loaded, 1 check(s) answered")


def test_a_wrong_answer_fails_naming_the_check_and_showing_the_answer(tmp_path: Path) -> None:
    done = smoke_check(tmp_path, smoke_check_args(
        [("py", "main.py")], 5, [("metacall.yaml:4", "f(1)", "λ call f(1)"),
                                 ("metacall.yaml:6", "f(2)", "42")]))
    assert done.returncode == 1
    assert "smoke check: metacall.yaml:6: the check `call f(2)` answered without `42`" in \
        done.stdout, done.stdout
    assert "λ call f(2)" in done.stdout  # what MetaCall answered


def test_a_missing_script_fails_before_the_checks(tmp_path: Path) -> None:
    done = smoke_check(tmp_path, smoke_check_args(
        [("py", "gone.py")], 5, [("metacall.yaml:4", "f(1)", "1")]))
    assert done.returncode == 1
    assert "smoke check: gone.py (py) did not load: MetaCall answered 1" in done.stdout


def test_a_load_that_never_returns_fails_within_the_limit(tmp_path: Path) -> None:
    (tmp_path / "stuck.py").write_text("# metacall-fixture: hang\n")
    done = smoke_check(tmp_path, smoke_check_args([("py", "stuck.py")], 1))
    assert done.returncode == 1
    assert "stuck.py (py) did not finish loading within 1 s: a script must return" in \
        done.stdout, done.stdout
