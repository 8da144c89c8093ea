"""The one language list: every tag has a recipe, found by its module name,
and every target compiles for every tag, alone and with others."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from frontend.declaration import Language
from frontend.plan import languages, recipe
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
    alone = names(compile_text(f"languages: [{tag}]\n", target).definition).values()
    assert f"[{tag}] install build dependencies" in alone
    with_others = compile_text(f"languages: [py, {tag}]\n" if tag != "py" else
                               "languages: [py, node]\n", target).definition
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


def test_python_build_dependencies_skip_core_test_packages_unless_tests_run() -> None:
    """Core's script installs what its Python tests import (numpy, scipy...);
    only a build that runs those tests needs them."""
    def py_deps_program(core: str) -> str:
        definition = compile_text(f"languages: [py]\n{core}", "deps").definition
        return program_of(definition, op_named(definition, "[py] install build dependencies"))

    lean = py_deps_program("")
    assert "python3-dev python3-pip python3-setuptools" in lean
    assert "metacall-environment.sh" not in lean
    assert "metacall-environment.sh release python" in py_deps_program("core:\n  tests: true\n")
