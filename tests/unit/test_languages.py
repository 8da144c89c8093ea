"""The one language list: every tag has a recipe, found by its module name,
and every target compiles for every tag, alone and with others."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from frontend.declaration import Language
from frontend.plan import languages, recipe
from frontend.plan.languages.node import NPM_RUNS_ON
from frontend.plan.languages.rb import LOADER_SOURCE
from frontend.plan.languages.ts import BOOTSTRAP_SOURCE
from frontend.plan.recipe import Recipe, cli_provider, recipe_for, with_requirements
from tests.unit.definitions import compile_text, names, op_named, program_of

MODULES = {p.stem for p in Path(languages.__file__).parent.glob("*.py")} - {"__init__"}


def test_every_language_has_a_recipe_module_and_every_module_a_language() -> None:
    assert {tag.value for tag in Language} == MODULES


@pytest.mark.parametrize("tag", list(Language))
def test_recipe_is_found_by_its_tag(tag: Language) -> None:
    recipe = recipe_for(tag)
    assert isinstance(recipe, Recipe)
    assert recipe.tag == tag
    assert recipe_for(tag.value) is recipe


def test_a_module_without_a_recipe_fails(monkeypatch) -> None:
    monkeypatch.setattr(recipe, "_load_recipe", recipe._load_recipe.__wrapped__)
    monkeypatch.setattr(recipe.importlib, "import_module", ModuleType)
    with pytest.raises(LookupError, match="must define one Recipe, not 0"):
        recipe_for("py")


@pytest.mark.parametrize("target", ["deps", "dev", "runtime"])
@pytest.mark.parametrize("tag", list(Language))
def test_every_target_compiles_for_every_language(tag: Language, target: str) -> None:
    tests = "core:\n  tests: true\n"
    for core in ("", tests):
        alone = names(compile_text(f"languages: [{tag}]\n{core}", target).definition).values()
        with_others = compile_text((f"languages: [py, {tag}]\n" if tag != "py" else
                                    "languages: [py, node]\n") + core, target).definition
        if core == tests:  # some languages' build dependencies are only their tests'
            assert f"[{tag}] install build dependencies" in alone
            assert f"[{tag}] install build dependencies" in names(with_others).values()
        if target == "runtime":
            assert f"[{tag}] install runtime libraries" in alone
            assert f"[{tag}] runtime libraries" in alone


def test_requirements_come_first_and_once() -> None:
    assert with_requirements(["ts", "py"]) == (Language.NODE, Language.TS, Language.PY)
    assert with_requirements(["node", "ts"]) == (Language.NODE, Language.TS)


def test_node_is_the_loader_that_builds_metacallcli() -> None:
    assert [tag for tag in Language if recipe_for(tag).provides_cli] == [Language.NODE]
    assert cli_provider(["py"]) == Language.NODE


def test_build_dependencies_skip_core_test_packages_unless_tests_run() -> None:
    """Core's scripts install what its tests use: for py, the packages its
    Python tests import (numpy, scipy...); for ts, react from npm, and
    nothing else. Only a build that runs those tests needs them."""
    def deps_steps(tag: str, core: str) -> dict[str, str]:
        definition = compile_text(f"languages: [{tag}]\n{core}", "deps").definition
        return {name: program_of(definition, op_named(definition, name))
                for name in names(definition).values()
                if name.endswith("install build dependencies") and "program:" not in name}

    with_tests = "core:\n  tests: true\n"
    lean = deps_steps("py", "")["[py] install build dependencies"]
    assert "python3-dev python3-pip python3-setuptools" in lean
    assert "metacall-environment.sh" not in lean
    assert "metacall-environment.sh release python" in deps_steps(
        "py", with_tests)["[py] install build dependencies"]
    assert set(deps_steps("ts", "")) == {"[core] install build dependencies",
                                         "[node] install build dependencies"}
    assert "metacall-environment.sh release typescript" in deps_steps(
        "ts", with_tests)["[ts] install build dependencies"]


@pytest.mark.parametrize(("tag", "path", "before", "after"), [
    ("rb", LOADER_SOURCE,
     "\t\t\tif (rb_loader_impl_interactive_terminal() && (argv == NULL || argc <= 1))\n\t\t\t{\n",
     "\t\t\tif (argv == NULL || argc <= 1)\n\t\t\t{\n"),
    ("ts", BOOTSTRAP_SOURCE,
     "\t\tconst { diagnostics } = p.emit(sourceFile, (fileName, data) => {\n",
     "\t\tconst { diagnostics } = p.emit(sourceFile, (fileName, data) => { "
     "if (!/[.][cm]?js$/.test(fileName)) { return; }\n"),
])
def test_core_source_is_patched_in_the_languages_branch(tmp_path: Path, tag: str, path: str,
                                                        before: str, after: str) -> None:
    """Core v0.9.22's text, as its files write it, becomes the patched one;
    a core without it is left alone."""
    definition = compile_text(f"languages: [{tag}]\n", "deps").definition
    patch = next(op for name, op in ((n, op_named(definition, n)) for n in names(definition)
                                     .values() if n.startswith(f"[{tag}] ") and "loader" in n)
                 if op.WhichOneof("op") == "exec")
    script = program_of(definition, patch)
    source = tmp_path / path
    source.parent.mkdir(parents=True)
    source.write_text(before)
    subprocess.run(["/bin/sh", "-c", script], cwd=tmp_path, check=True)
    assert source.read_text() == after
    elsewhere = tmp_path / "no-core"
    elsewhere.mkdir()
    subprocess.run(["/bin/sh", "-c", script], cwd=elsewhere, check=True)


@pytest.mark.parametrize(("version", "runs"), [
    ("12.22.9", False), ("18.16.1", False), ("18.17.0", True), ("18.20.4", True),
    ("19.9.0", False), ("20.4.0", False), ("20.5.0", True), ("22.11.0", True),
])
def test_npm_from_the_registry_runs_where_its_engines_allow(version: str, runs: bool) -> None:
    """Elsewhere the installer takes Debian's npm (dpkg compares, as on
    the base image)."""
    done = subprocess.run(["/bin/sh", "-c", f'{NPM_RUNS_ON}; npm_runs_on "$1"', "sh", version],
                          timeout=30)
    assert (done.returncode == 0) is runs

