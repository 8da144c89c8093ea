"""The declaration's schema. Unknown keys are errors (x- keys are dropped
by the reader before validation). The fields' descriptions are the README's
key tables: frontend/declaration/schema.py makes them a JSON Schema."""

from __future__ import annotations

import difflib
import posixpath
import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from frontend.references import DEFAULT_BASE_IMAGE, DEFAULT_PREBUILT, NO_PREBUILT, REPOSITORY


class Language(StrEnum):
    """MetaCall's loader tags, as `metacall-<tag>.json` and the CLI name them.

    The one list of languages: each has a recipe in the module of its tag
    (`frontend/plan/languages/<tag>.py`), found by that name.
    """

    PY = "py"
    NODE = "node"
    RB = "rb"
    TS = "ts"
    CS = "cs"
    JAVA = "java"
    WASM = "wasm"
    C = "c"
    COB = "cob"
    FILE = "file"
    RPC = "rpc"


DEFAULT_CORE_VERSION = "v0.9.22"
_GIT_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$")


def outside_context(path: str) -> bool:
    """Whether a path relative to the build context's root (`..`, or an
    absolute path) reaches outside it."""
    normal = posixpath.normpath(path)
    return posixpath.isabs(path) or normal == ".." or normal.startswith("../")


def unknown_language(value: object) -> str:
    tags = [tag.value for tag in Language]
    close = difflib.get_close_matches(str(value), tags, n=1)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"unknown language `{value}`{hint}; MetaCall loaders: {', '.join(tags)}"


def _context_path(path: str, *, script: bool = False) -> str:
    """A path inside the build context, normalized."""
    if outside_context(path):
        raise ValueError(f"`{path}` is outside the build context: give a path inside it")
    if script and any(char.isspace() for char in path):
        raise ValueError(f"`{path}`: MetaCall's CLI cannot load a path with spaces")
    return posixpath.normpath(path)


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class StrictModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )


class CoreOptions(StrictModel):
    """How MetaCall core itself is built."""

    version: str = Field(DEFAULT_CORE_VERSION, description=(
        "Git ref of metacall/core (a tag, branch or commit), used when no `metacall-core` "
        "context is given."))
    build_type: Literal["release", "debug", "relwithdebinfo"] = Field(
        "release", description="Core's CMake build type.")
    cmake_options: tuple[str, ...] = Field((), description=(
        "Extra `-DNAME=VALUE` definitions for core's CMake."))
    # None: on for an app, as MetaCall's FaaS has them, off for the bare images.
    ports: bool | None = Field(None, description=(
        "Build MetaCall's ports, so scripts call other languages (`from metacall import "
        "metacall`, `require('metacall')`). Default: on for an app, off for the bare images."))
    tests: bool = Field(False, description=(
        "Build core's tests and run them, with no network, after the build."))
    prebuilt: str = Field(DEFAULT_PREBUILT, description=(
        "A registry repository of prebuilt language layers (`python -m frontend publish`), "
        "like registry.example.com/metacall/layers, taken instead of building them when they "
        f"match; `{NO_PREBUILT}` builds every layer from source. The build arg "
        "`METACALL_PREBUILT` overrides it."))

    @field_validator("version")
    @classmethod
    def _git_ref(cls, value: str) -> str:
        if not _GIT_REF.match(value) or ".." in value:
            raise ValueError(f"`{value}` is not a git ref (a tag, branch or commit)")
        return value

    @field_validator("prebuilt")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not REPOSITORY.match(value):
            raise ValueError(f"`{value}` is not an image repository like "
                             f"registry.example.com/metacall/layers (no tag), nor `{NO_PREBUILT}`")
        return value

    @field_validator("cmake_options")
    @classmethod
    def _cmake_definitions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for option in value:
            if not option.startswith("-D") or "=" not in option:
                raise ValueError(f"`{option}` is not a CMake definition like -DNAME=VALUE")
        return value


class AppCheck(StrictModel):
    """A call the smoke check makes once every script has loaded, and text
    its answer must contain."""

    call: str = Field(min_length=1, max_length=1000, description=(
        'A call as the REPL takes it after `call`, like getHash("x").'))
    expect: str = Field(min_length=1, max_length=1000, description=(
        "Text the answer must contain."))

    @field_validator("call", "expect")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("is one line")
        return value


class ServeLimits(StrictModel):
    """What the server takes from a request."""

    body_bytes: int = Field(1024 * 1024, gt=0, le=1024 * 1024 * 1024, description=(
        "The largest request body, in bytes; a larger one is refused with 413."))


class AppOptions(StrictModel):
    """The user's application: its scripts, dependencies and how it starts.
    Scripts and dependency files found in the context are the defaults."""

    scripts: dict[Language, tuple[str, ...]] = Field({}, description=(
        "Per language, the scripts to load (paths in the build context). Default: the "
        "manifests'."))
    dependencies: dict[Language, str] = Field({}, description=(
        "Per language, the one dependency file to install (a path in the build context). "
        "Default: every one found."))
    command: tuple[str, ...] | None = Field(None, description=(
        "The image's entrypoint instead of the launcher."))
    env: dict[str, str] = Field({}, description="Environment variables of the image.")
    labels: dict[str, str] = Field({}, description="Labels of the image.")
    # Numbers too: `_ports` makes them strings.
    expose: tuple[str, ...] = Field((), description=(
        "Ports the image exposes, like 8080 or 8080/udp."), json_schema_extra={
        "items": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 65535},
                            {"type": "string"}]}})
    user: str | None = Field(None, description=(
        "Who the app runs as, like app, 1000 or 1000:1000 (`root` included). Default: "
        "metacall (uid 1000)."))
    build: bool = Field(True, description=(
        "Run the app's build scripts (package.json's `build`) after installing its "
        "dependencies, offline, within `install-timeout`."))
    smoke_check: bool = Field(True, description=(
        "Load every script with MetaCall at build time."))
    smoke_check_timeout: int = Field(60, gt=0, le=3600, description=(
        "Seconds a script may take to load in the smoke check."))
    install_timeout: int = Field(1800, gt=0, le=86400, description=(
        "Seconds one dependency file's install (pip, npm, bundler, with the app's own build "
        "scripts) may take before the build stops, naming the file."))
    serve: Literal["repl", "faas", "openwhisk"] = Field("repl", description=(
        "What the image's entrypoint does: `repl` loads the scripts into metacallcli's REPL "
        "(stdin); `faas` serves MetaCall FaaS's HTTP API on PORT (9000); `openwhisk` serves "
        "OpenWhisk's action protocol (/init, /run) on 8080."))
    name: str = Field("app", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", description=(
        "The app's name (its suffix) in the FaaS's /api/inspect."))
    main: str | None = Field(None, pattern=r"^[A-Za-z_$][A-Za-z0-9_$.]*$", description=(
        "The function OpenWhisk's /run calls with the activation's value (serve: openwhisk)."))
    call_timeout: int = Field(60, gt=0, le=3600, description=(
        "Seconds a served call may take before it is answered with 504."))
    serve_limits: ServeLimits = Field(default_factory=ServeLimits, description=(
        "Limits on what the server takes from a request."))
    checks: tuple[AppCheck, ...] = Field((), max_length=100, description=(
        "Calls the smoke check makes once every script has loaded (no network, as the "
        "app's user), with text each answer must contain: a wrong answer fails the build."))

    @field_validator("scripts")
    @classmethod
    def _script_paths(cls, value: dict[Language, tuple[str, ...]]
                      ) -> dict[Language, tuple[str, ...]]:
        return {tag: tuple(_context_path(script, script=True) for script in scripts)
                for tag, scripts in value.items()}

    @field_validator("dependencies")
    @classmethod
    def _dependency_paths(cls, value: dict[Language, str]) -> dict[Language, str]:
        return {tag: _context_path(path) for tag, path in value.items()}

    @model_validator(mode="after")
    def _checks_need_the_smoke_check(self) -> AppOptions:
        if self.checks and not self.smoke_check:
            raise ValueError("`checks` run in the smoke check: `smoke-check: false` turns "
                             "them off too; remove one of them")
        return self

    @model_validator(mode="after")
    def _serving(self) -> AppOptions:
        if self.serve == "openwhisk" and self.main is None:
            raise ValueError("`serve: openwhisk` needs `main`: the function /run calls")
        if self.main is not None and self.serve != "openwhisk":
            raise ValueError("`main` is the function OpenWhisk's /run calls: it needs "
                             "`serve: openwhisk`")
        if self.command and self.serve != "repl":
            raise ValueError(f"`command` replaces the entrypoint that serves (`serve: "
                             f"{self.serve}`): remove one of them")
        return self

    @field_validator("user")
    @classmethod
    def _user(cls, value: str | None) -> str | None:
        if value is not None and not _USER.match(value):
            raise ValueError(f"`{value}` is not a user like app, 1000 or 1000:1000")
        return value

    @field_validator("expose", mode="before")
    @classmethod
    def _ports(cls, value: object) -> object:
        ports = [str(port) for port in value] if isinstance(value, list | tuple) else value
        for port in ports if isinstance(ports, list) else []:
            number, _, protocol = port.partition("/")
            if not number.isdigit() or not 0 < int(number) < 65536 or protocol not in (
                "", "tcp", "udp"
            ):
                raise ValueError(f"`{port}` is not a port like 8080 or 8080/udp")
        return ports


class Declaration(StrictModel):
    """A MetaCall image declared in a `metacall.yaml` whose first line is
    `# syntax=metacall/frontend`. Every key is optional; keys starting with
    `x-` are the user's own and ignored."""

    # None: the MetaCall manifests (metacall*.json) in the context decide.
    languages: tuple[Language, ...] | None = Field(None, min_length=1, description=(
        "MetaCall loader tags of the languages the image has. Default: the languages of the "
        "app's manifests (required without an app)."), json_schema_extra={"uniqueItems": True})
    base_image: str = Field(DEFAULT_BASE_IMAGE, description=(
        "The image every branch starts from."))
    core: CoreOptions = Field(CoreOptions(), description="How MetaCall core itself is built.")
    app: AppOptions | None = Field(None, description=(
        "The user's application: its scripts, dependencies and how it starts. An app is "
        "also found without this key, from the manifests in the build context."))

    @field_validator("languages")
    @classmethod
    def _unique(cls, value: tuple[Language, ...] | None) -> tuple[Language, ...] | None:
        if value is None:
            return value
        repeated = sorted({tag for tag in value if value.count(tag) > 1})
        if repeated:
            raise ValueError(f"languages listed twice: {', '.join(repeated)}")
        return value


KNOWN_KEYS: dict[type[StrictModel], list[str]] = {
    model: [_kebab(name) for name in model.model_fields]
    for model in (Declaration, CoreOptions, AppOptions)
}
