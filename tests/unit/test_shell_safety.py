"""User strings never run as code: script names reach the launcher and the
smoke check unchanged, as data; env values and labels reach the image config
unchanged. Hypothesis sends arbitrary strings through and runs the launcher
with a stand-in metacallcli that records what it is given."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontend.compile import BuildFacts
from frontend.declaration.context import ContextScan
from frontend.plan.steps import RUN_PROGRAM
from tests.unit.definitions import compile_text, op_named, ops_of

CI = settings(max_examples=60, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# What a manifest may name: any characters but whitespace (the CLI splits on
# it) and NUL; `/` separates folders.
name_parts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="/"),
    min_size=1, max_size=12,
).filter(lambda part: part not in (".", ".."))
script_names = st.lists(name_parts, min_size=1, max_size=3).map("/".join)
values = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                 max_size=40)
# PyYAML's emitter writes YAML 1.1's other line breaks (NEL, LS, PS) raw in
# a plain scalar, where its reader then breaks the line: not text a user writes.
yaml_values = values.filter(lambda text: not set(text) & {"\x85", "\u2028", "\u2029"})


def launcher_of(definition: object) -> bytes:
    write = op_named(definition, "[app] write the launcher")  # type: ignore[arg-type]
    return write.file.actions[0].mkfile.data


@CI
@given(scripts=st.lists(script_names, min_size=1, max_size=3, unique=True))
def test_script_names_reach_metacallcli_unchanged_and_nothing_runs(
    tmp_path_factory, scripts: list[str]
) -> None:
    manifest = json.dumps({"language_id": "py", "scripts": scripts}).encode()
    context = ContextScan(frozenset(["metacall.json"]), {"metacall.json": manifest})
    compiled = compile_text("", None, facts=BuildFacts(context=context))
    work = tmp_path_factory.mktemp("launcher")
    (work / "bin").mkdir()
    stub = work / "bin" / "metacallcli"
    stub.write_text(f'#!/bin/sh\ncat > "{work}/received"\n')
    stub.chmod(0o755)
    launcher = work / "metacall-app"
    launcher.write_bytes(launcher_of(compiled.definition))
    done = subprocess.run(["/bin/sh", str(launcher)], input=b"call f()\n", cwd=work / "bin",
                          env={**os.environ, "PATH": f"{work}/bin:/usr/bin:/bin"}, timeout=20)
    assert done.returncode == 0
    received = (work / "received").read_bytes().decode().splitlines()
    expected = [f"load py {os.path.normpath(script)}" for script in scripts]
    # The loads, then stdin, then the exit the REPL needs at the end.
    assert received == [*expected, "call f()", "exit"]
    # Nothing the names hold ran: the launcher's folder holds only what it had.
    assert sorted(p.name for p in work.iterdir()) == ["bin", "metacall-app", "received"]
    assert sorted(p.name for p in (work / "bin").iterdir()) == ["metacallcli"]
    # The smoke check takes them as arguments, never as code.
    (check,) = compiled.checks
    runs = [op.exec.meta.args for op in ops_of(check).values() if op.WhichOneof("op") == "exec"
            and "smoke-check" in op.exec.meta.args[3]]
    assert runs == [["/bin/sh", "-c", RUN_PROGRAM, "smoke-check-load-every-script-with-metacall",
                     "60", *(w for s in scripts for w in ("py", os.path.normpath(s)))]]


@CI
@given(env=st.dictionaries(st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True),
                           yaml_values, max_size=4),
       labels=st.dictionaries(yaml_values.filter(bool), yaml_values, max_size=4))
def test_env_and_labels_reach_the_image_config_unchanged(env: dict[str, str],
                                                         labels: dict[str, str]) -> None:
    declaration = yaml.safe_dump({"languages": ["py"], "app": {"env": env, "labels": labels}},
                                 allow_unicode=True)
    manifest = json.dumps({"language_id": "py", "scripts": ["main.py"]}).encode()
    context = ContextScan(frozenset(["metacall.json"]), {"metacall.json": manifest})
    config = compile_text(declaration + "\n", None,
                          facts=BuildFacts(context=context)).config["config"]
    pairs = dict(item.split("=", 1) for item in config["Env"])
    for key, value in env.items():
        assert pairs[key] == value
    for key, value in labels.items():
        assert config["Labels"][key] == value


def test_the_probe_would_see_a_command_that_ran(tmp_path: Path) -> None:
    """The check above can fail: a name interpolated into a shell program
    unquoted would run, and the folder listing would show it."""
    (tmp_path / "bin").mkdir()
    subprocess.run(["/bin/sh", "-c", "echo load py $(touch ran)"], cwd=tmp_path / "bin",
                   check=True, capture_output=True)
    assert (tmp_path / "bin" / "ran").exists()
