from __future__ import annotations

import pytest

from frontend import limits
from frontend.declaration import DeclarationError, decode, parse
from frontend.declaration.models import DEFAULT_CORE_VERSION

HEAD = "# syntax=metacall/frontend\n"


def error_of(text: str) -> DeclarationError:
    with pytest.raises(DeclarationError) as caught:
        parse(text)
    return caught.value


def test_minimal_declaration_has_defaults() -> None:
    declaration = parse(HEAD + "languages: [py, node]\n").declaration
    assert declaration.languages == ("py", "node")
    assert declaration.base_image == "debian:bookworm-slim"
    assert declaration.core.version == DEFAULT_CORE_VERSION == "v0.9.22"
    assert declaration.core.build_type == "release"


def test_misspelt_key_names_its_line_and_suggests_the_key() -> None:
    error = error_of(HEAD + "languages: [py]\nlangauges: [node]\n")
    assert error.line == 3
    assert "unknown key `langauges`" in error.message
    assert "did you mean `languages`" in error.message


def test_nested_unknown_key_points_at_its_own_line() -> None:
    error = error_of(HEAD + "languages: [py]\ncore:\n  version: v0.9.22\n  jobs: 4\n")
    assert error.line == 5
    assert "`core.jobs`" in error.message


def test_unknown_language_points_at_its_list_item() -> None:
    error = error_of(HEAD + "languages:\n  - py\n  - pyhton\n")
    assert error.line == 4
    assert "unknown language `pyhton`" in error.message


def test_wrong_type_is_reported_at_the_key() -> None:
    error = error_of(HEAD + "languages: py\n")
    assert error.line == 2
    assert "a list" in error.message


def test_languages_may_be_left_to_the_manifests() -> None:
    declaration = parse(HEAD + "base-image: debian:bookworm-slim\n").declaration
    assert declaration.languages is None


def test_app_section_is_validated_with_lines() -> None:
    app = parse(HEAD + "languages: [py]\napp:\n  expose: [8080, 53/udp]\n").declaration.app
    assert app is not None and app.expose == ("8080", "53/udp") and app.smoke_check
    error = error_of(HEAD + "languages: [py]\napp:\n  user: app\n  expose: [http]\n")
    assert error.line == 5 and "not a port" in error.message
    unknown = error_of(HEAD + "languages: [py]\napp:\n  comand: [python3]\n")
    assert unknown.line == 4 and "did you mean `command`" in unknown.message


def test_yaml_syntax_error_has_a_line() -> None:
    error = error_of(HEAD + "languages: [py\ncore: {\n")
    # The parser notices on line 3, where `core:` follows the unclosed list.
    assert error.line == 3
    assert error.message == "invalid YAML: expected ',' or ']', but got ':'"


def test_extension_keys_are_ignored_at_every_level() -> None:
    parsed = parse(HEAD + "x-team: infra\nlanguages: [py]\ncore:\n  x-note: hi\n")
    assert parsed.declaration.languages == ("py",)


def test_repeated_language_and_bad_options_fail() -> None:
    assert "listed twice" in error_of(HEAD + "languages: [py, py]\n").message
    assert "git ref" in error_of(HEAD + "languages: [py]\ncore: {version: 'a b'}\n").message
    cmake = error_of(HEAD + "languages: [py]\ncore:\n  cmake-options: [FOO=1]\n")
    assert cmake.line == 4 and "-DNAME=VALUE" in cmake.message


def test_the_syntax_line_alone_is_a_declaration_with_defaults() -> None:
    """Valid on its own: the context's manifests decide (the compiler says
    what is missing when there are none)."""
    declaration = parse(HEAD).declaration
    assert declaration.languages is None and declaration.app is None
    assert declaration.core.ports is None  # on for apps, off for bare images
    assert parse("").declaration == declaration


@pytest.mark.parametrize("read", [decode, lambda data: parse(data.decode())])
def test_a_declaration_past_the_size_limit_is_not_read(read) -> None:
    data = (HEAD + "languages: [py]\n" + "#" * limits.DECLARATION_BYTES).encode()
    with pytest.raises(DeclarationError, match="larger than 65,536 bytes"):
        read(data)


def test_nesting_and_alias_expansion_are_bounded() -> None:
    deep = HEAD + "x-deep: " + "[" * (limits.DEPTH + 1) + "]" * (limits.DEPTH + 1) + "\n"
    assert "nests deeper than 32 levels" in error_of(deep).message
    bomb = [HEAD, "x-0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"]
    bomb += [f"x-{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, "
             f"*a{i-1}, *a{i-1}, *a{i-1}]\n" for i in range(1, 6)]
    error = error_of("".join([*bomb, "languages: *a5\n"]))
    assert "more than 10,000 elements" in error.message and error.line > 1
