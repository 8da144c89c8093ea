"""Run INSIDE the frontend image (it prunes the standard library and the
site directory), with this checkout's tests/ and examples/ mounted:

    docker run --rm -v $PWD/tests:/check/tests:ro -v $PWD/examples:/check/examples:ro \\
        --entrypoint /usr/bin/python3.11 metacall/frontend -S /check/tests/image_check.py

It imports every module of the frontend package, runs the gateway against
tests/unit/fake_bridge.py (builds of each target, every subrequest, an SBOM,
errors), a call through grpcio and the command line on every example, so a
module the image left out fails here rather than in a user's build. Then it
reads every import statement in the image (function-local ones too, from the
bytecode) whose module the image lacks: each must be one of DANGLING, whose
comments say why it never runs. It prints the modules loaded, one a line,
after `ok`; --quiet prints only `ok`."""

from __future__ import annotations

import _imp
import contextlib
import dis
import importlib
import io
import marshal
import os
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import CodeType

CHECK = Path(__file__).resolve().parent.parent
IMAGE_PATH = [entry for entry in sys.path[1:] if os.path.isdir(entry)]  # not this folder
sys.path.append(str(CHECK))  # tests.unit.fake_bridge: after the image's own path

import grpc  # noqa: E402

import frontend  # noqa: E402
from frontend.cli import main as command_line  # noqa: E402
from frontend.compile import TARGET_NAMES  # noqa: E402
from frontend.gateway.bridge import Bridge  # noqa: E402
from frontend.platform import DEFAULT_PLATFORM  # noqa: E402
from tests.unit.fake_bridge import DECLARATION, MANIFEST, FakeBridge, run  # noqa: E402

# Import statements of modules the image lacks, by the module they name and
# where they are (module:function): none of them runs in the frontend.
ELSEWHERE = {  # other systems' modules, and type checkers'
    "nt", "winreg", "_winreg", "msvcrt", "_winapi", "_overlapped", "java", "org", "vms_lib",
    "_typeshed", "annotationlib",  # Python 3.14's, behind a version check
}
OPTIONAL = {  # optional packages, each import behind try/except ImportError or a feature
    "numpy", "rich", "email_validator", "apport_python_hook", "usercustomize",
    "grpc_tools", "grpc_health", "grpc_reflection",
}
DANGLING = {
    # Left out with a fallback: each import is in try/except ImportError.
    "_hashlib": {"hashlib:<module>", "hmac:<module>"},  # OpenSSL's hashes: builtin ones
    "_ssl": {"ssl:<module>"},  # ssl: asyncio and grpc import it in try/except
    "_pydecimal": {"decimal:<module>"},  # the C _decimal is here
    "bz2": {"shutil:<module>", "zipfile:<module>", "encodings.bz2_codec:<module>",
            "fileinput:hook_compressed"},
    "lzma": {"shutil:<module>", "zipfile:<module>"},
    "yaml.cyaml": {"yaml:<module>"},  # libyaml's binding: the frontend uses yaml.SafeLoader
    # Left out: in functions the frontend never calls.
    "concurrent.futures.process": {"concurrent.futures:__getattr__"},  # ProcessPoolExecutor
    "tarfile": {"shutil:_make_tarball", "shutil:_unpack_tarfile"},  # shutil's archives
    "py_compile": {"zipfile:PyZipFile._get_codename.<locals>._compile"},
    "plistlib": {"platform:_mac_ver_xml"},  # macOS
    "pydoc": {"_sitebuiltins:_Helper.__call__"},  # help()
    "readline": {"site:enablerlcompleter.<locals>.register_readline",
                 "asyncio.__main__:<module>"},  # the interactive prompt
    "rlcompleter": {"site:enablerlcompleter.<locals>.register_readline"},
    "code": {"asyncio.__main__:<module>"},  # python -m asyncio
    "doctest": {"difflib:_test", "pickle:_test", "heapq:<module>"},  # heapq: its __main__
    # For classes with a v1-style __get_validators__: the frontend's models have none
    # (their schemas are all built on import, above).
    "pydantic.v1": {"pydantic._internal._generate_schema:"
                    "GenerateSchema._generate_schema_from_get_schema_method"},
}


def dangling_imports() -> list[str]:
    """Import statements in the image whose module it lacks, not in DANGLING."""
    unexpected = []
    for name, package, path in image_modules():
        for code in code_objects(path):
            for target in imports(code, package):
                where = f"{name}:{code.co_qualname}"
                if (not module_exists(target) and target.split(".")[0] not in ELSEWHERE | OPTIONAL
                        and where not in DANGLING.get(target, ())):
                    unexpected.append(f"{where} imports {target}, which the image left out")
    return sorted(set(unexpected))


def image_modules() -> Iterator[tuple[str, str, str]]:
    """(module, its package, path) of each module in the image, sources or bytecode."""
    for root in IMAGE_PATH:
        for folder, folders, files in os.walk(root):
            folders[:] = [f for f in folders if f != "__pycache__" and "." not in f]
            for file in files:
                if file.endswith((".py", ".pyc")):
                    relative = os.path.relpath(os.path.join(folder, file), root)
                    name = relative.rsplit(".", 1)[0].replace(os.sep, ".")
                    package = name.removesuffix(".__init__") if name.endswith(".__init__") \
                        else name.rpartition(".")[0]
                    yield name.removesuffix(".__init__"), package, os.path.join(folder, file)


def code_objects(path: str) -> Iterator[CodeType]:
    data = Path(path).read_bytes()
    todo = [marshal.loads(data[16:]) if path.endswith(".pyc") else compile(data, path, "exec")]
    while todo:
        code = todo.pop()
        yield code
        todo += [const for const in code.co_consts if isinstance(const, CodeType)]


def imports(code: CodeType, package: str) -> Iterator[str]:
    """The modules a code object's import statements name (not its from-list's)."""
    constants: list[object] = []
    for instruction in dis.get_instructions(code):
        if instruction.opname == "IMPORT_NAME":
            level, target = constants[-2], instruction.argval
            if isinstance(level, int) and level > 0:
                parts = package.split(".")
                target = ".".join(parts[:len(parts) - level + 1] + ([target] if target else []))
            yield target
        elif instruction.opname == "LOAD_CONST":
            constants.append(instruction.argval)


def module_exists(name: str) -> bool:
    if name in sys.builtin_module_names or _imp.is_frozen(name):
        return True
    *parents, last = name.split(".")
    for root in IMAGE_PATH:
        folder = os.path.join(root, *parents)
        if not os.path.isdir(folder):
            continue
        if os.path.isdir(os.path.join(folder, last)) or any(  # a package, or a namespace one
                entry.split(".")[0] == last and entry.endswith((".py", ".pyc", ".so"))
                for entry in os.listdir(folder)):
            return True
    return False


def import_everything() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(frontend.__path__, "frontend.")]
    for name in names:
        importlib.import_module(name)
    return names


def app() -> dict[str, dict[str, bytes]]:
    return {"dockerfile": {"metacall.yaml": DECLARATION},
            "context": {"metacall-py.json": MANIFEST, "main.py": b"def main():\n    return 1\n",
                        "requirements.txt": b"six\n", ".dockerignore": b"*.pyc\n"}}


def gateway_runs() -> None:
    for target in TARGET_NAMES:
        layer = {"build-arg:METACALL_LAYER": "py-libraries"} if target == "layer" else {}
        kind, _ = run(FakeBridge(app()), target=target, **layer)
        assert kind == "result", (target, kind)
    kind, _ = run(FakeBridge(app()), **{"attest:sbom": "type=sbom,disabled=false"})
    assert kind == "result", kind
    for request in ("frontend.subrequests.describe", "frontend.targets", "frontend.outline",
                    "frontend.lint"):
        kind, _ = run(FakeBridge(app()), requestid=request)
        assert kind == "metadata", (request, kind)
    for declaration in (DECLARATION + b"langauges: [rb]\n", DECLARATION + b"languages: [zz]\n",
                        b"languages: [py\n", b"\xff\xfe"):
        kind, _ = run(FakeBridge({"dockerfile": {"metacall.yaml": declaration}}))
        assert kind == "error", kind
    kind, _ = run(FakeBridge({}), requestid="frontend.convertllb")
    assert kind == "error", kind


def grpc_call() -> None:
    """A call through grpcio's channel, as the gateway makes them, to a socket
    nobody listens on: it fails as grpc.RpcError, not as an ImportError."""
    channel = grpc.insecure_channel("unix-abstract:metacall-frontend-image-check")
    try:
        Bridge(channel).resolve_image("docker.io/library/debian", DEFAULT_PLATFORM.to_pb(),
                                      timeout=0.5)
    except grpc.RpcError as error:
        assert error.code() in (grpc.StatusCode.UNAVAILABLE,
                                grpc.StatusCode.DEADLINE_EXCEEDED), error
    else:
        raise AssertionError("a call to no one succeeded")
    finally:
        channel.close()


def command_lines() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        assert command_line(["schema"]) == 0
        for declaration in sorted((CHECK / "examples").glob("*/metacall.yaml")):
            for view in ("--outline", "--graph"):
                assert command_line(["llb", str(declaration), view]) == 0, declaration
            assert command_line(["publish", str(declaration), "--repository",
                                 "registry.invalid/layers", "--dry-run"]) == 0, declaration
        with contextlib.suppress(SystemExit):
            command_line(["--help"])
        with contextlib.suppress(SystemExit):
            command_line(["llb", "--no-such-option"])


def main() -> int:
    import_everything()
    gateway_runs()
    grpc_call()
    command_lines()
    unexpected = dangling_imports()
    if unexpected:
        print("\n".join(unexpected), file=sys.stderr)
        return 1
    print("ok")
    if "--quiet" not in sys.argv:
        print("\n".join(sorted(sys.modules)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
