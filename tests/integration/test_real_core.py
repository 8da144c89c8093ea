"""Builds with MetaCall core's real source (METACALL_CORE_SOURCE)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile

import pytest

from tests.conftest import ROOT, run_image, write_app

CORE = os.environ.get("METACALL_CORE_SOURCE")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.real_core,
    pytest.mark.skipif(
        not CORE,
        reason="METACALL_CORE_SOURCE is not set: real MetaCall core builds skipped "
        "(set it to a metacall/core checkout to run them)",
    ),
]
BUILD_TIMEOUT = 5400
EXAMPLE = ROOT / "examples" / "calc"


@pytest.fixture(scope="module")
def core_contexts(tmp_path_factory) -> list[str]:
    """core's source plus plthook's, from the PyPLTHook sdist on PyPI (GitHub,
    where core's CMake would fetch it, is unreachable here)."""
    where = tmp_path_factory.mktemp("plthook")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         "--quiet", "-d", str(where), "PyPLTHook==1.0.0.post3"],
        check=True,
    )
    with tarfile.open(next(where.glob("*.tar.gz"))) as sdist:
        sdist.extractall(where, filter="data")
    plthook = next(where.glob("*/plthook_c"))
    return ["--build-context", f"metacall-core={CORE}", "--build-context", f"plthook={plthook}"]


def test_calc_example_calls_python_and_node(buildx, core_contexts) -> None:
    """The README's example: build examples/calc, feed it commands.txt."""
    result = buildx(EXAMPLE, *core_contexts, "--target", "cli", timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    code, output = run_image(
        result.tag,
        ["-c", "metacallcli < /usr/local/scripts/commands.txt"],
        entrypoint="/bin/sh",
        volumes={str(EXAMPLE): "/usr/local/scripts"},
    )
    print(output)
    assert code == 0, output
    # multiply(6, 7) from Python and sum(20, 22) from Node.js
    assert output.count("42") == 2, output


def test_runtime_image_holds_no_build_material(buildx, tmp_path, core_contexts) -> None:
    app = write_app(tmp_path, "languages: [py, node]\n")
    result = buildx(app, *core_contexts, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    build_material = "/usr/local/metacall /usr/local/include/metacall /usr/bin/cmake /usr/bin/gcc"
    check = f"ls /usr/local/lib; for p in {build_material}; do [ -e $p ] && echo LEAK $p; done"
    code, output = run_image(result.tag, ["-c", check + "; true"], entrypoint="/bin/sh")
    assert code == 0, output
    assert "libpy_loader.so" in output and "libnode_loader.so" in output, output
    assert "LEAK" not in output, output


@pytest.mark.parametrize("target", ["deps", "dev"])
def test_py_deps_and_dev_targets(buildx, tmp_path, core_contexts, target) -> None:
    app = write_app(tmp_path, "languages: [py]\n")
    result = buildx(app, *core_contexts, "--target", target, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result
    check = "ls /usr/local/metacall/tools/metacall-configure.sh && command -v cmake"
    if target == "dev":
        check += " && ls /usr/local/lib/libpy_loader.so /usr/local/include/metacall/metacall.h"
    code, output = run_image(result.tag, ["-c", check], entrypoint="/bin/sh")
    assert code == 0, output
