"""The gateway's deferred imports, each test in a fresh interpreter: deferring
changes `sys.modules` for the whole process."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_gateway_run_imports_none_of_the_deferred_modules() -> None:
    """A build of an app, through the gateway's modules and BuildKit's
    stand-in, reads none of them."""
    out = run_python("""
        import sys
        from frontend.gateway.deferred import (
            UNUSED_BY_A_GATEWAY_RUN, Deferred, defer_unused_imports)
        imported = sorted(name for name in UNUSED_BY_A_GATEWAY_RUN if name in sys.modules)
        defer_unused_imports()
        import frontend.gateway.start  # what a gateway run imports before the planner
        from tests.unit.fake_bridge import DECLARATION, MANIFEST, FakeBridge, run
        bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION},
                             "context": {"metacall.json": MANIFEST, "main.py": b"def f(): pass"}})
        print(run(bridge, target="app")[0])
        print(sorted(name for name in UNUSED_BY_A_GATEWAY_RUN
                     if not isinstance(sys.modules[name], Deferred)))
        print(imported)
    """)
    result, read, imported_before = out.splitlines()
    assert result == "result"
    assert read == imported_before, "read by the build (or imported before deferring)"


def test_a_deferred_module_works_once_read() -> None:
    out = run_python("""
        from frontend.gateway.deferred import defer_unused_imports
        defer_unused_imports()
        import asyncio
        import grpc
        import grpc.aio
        from google.protobuf import struct_pb2, text_format
        print(asyncio.run(asyncio.sleep(0, result="slept")))
        print(grpc.aio.AioRpcError.__name__)
        print(text_format.MessageToString(struct_pb2.Value(number_value=1)).strip())
    """)
    assert out.splitlines() == ["slept", "AioRpcError", "number_value: 1.0"]
