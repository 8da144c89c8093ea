"""What serving over HTTP costs: a trivial Python function (`add`) and a
trivial Node.js function (`multiply`) of examples/faas-app, called through
the image's FaaS (`app.serve: faas`) by 1 and by 16 concurrent clients,
beside the same functions called in-process through metacallcli's REPL in
the same image built as a REPL (`app.serve: repl`), interleaved round by
round; then both images' sizes.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    .venv/bin/python bench/serve.py [--calls 2000] [--rounds 3]

Builds with `docker buildx build` and the metacall/frontend image (build it
from this checkout first: docker build -t metacall/frontend .).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from contexts import core_build_args, timed_build

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.served import Load, load, served  # noqa: E402

# (function, the FaaS body, the REPL's call, the answer)
FUNCTIONS = (("add (py)", b'{"a": 1, "b": 2}', "call add(1, 2)", 3),
             ("multiply (node)", b'{"a": 2, "b": 3}', "call multiply(2, 3)", 6))
CLIENTS = (1, 16)


def build(app: Path, declaration: str, tag: str, sources: list[str]) -> None:
    (app / "metacall.yaml").write_text("# syntax=metacall/frontend\n" + declaration)
    timed_build(["-f", str(app / "metacall.yaml"), *sources, "-t", tag, str(app)])


def repl_seconds(image: str, call: str, calls: int) -> float:
    """Wall time of `calls` calls fed to the launcher's REPL in one container."""
    commands = "".join(f"{call}\n" for _ in range(calls)) + "exit\n"
    started = time.monotonic()
    done = subprocess.run(["docker", "run", "--rm", "-i", image], input=commands,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.exit(f"the REPL failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.monotonic() - started


def image_size(tag: str) -> int:
    return int(subprocess.run(["docker", "image", "inspect", "--format", "{{.Size}}", tag],
                              capture_output=True, text=True, check=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    sources = core_build_args()
    if sources is None:
        return 1
    suffix = uuid.uuid4().hex[:8]
    faas, repl = f"metacall-bench-faas:{suffix}", f"metacall-bench-repl:{suffix}"
    with tempfile.TemporaryDirectory() as work:
        app = Path(work) / "faas-app"
        shutil.copytree(ROOT / "examples" / "faas-app", app)
        build(app, "app:\n  serve: faas\n", faas, sources)
        build(app, "app:\n  serve: repl\n", repl, sources)
    http: dict[tuple[str, int], list[Load]] = {}
    in_process: dict[str, list[float]] = {}
    memory = []
    try:
        with served(faas) as server:
            print(f"healthy after {server.wait_healthy():.1f} s")
            memory.append(server.memory())
            for round_number in range(options.rounds):
                for name, body, call, answer in FUNCTIONS:
                    for clients in CLIENTS:
                        done = load(server, f"/bench/app/v1/call/{name.split()[0]}", body, answer,
                                    calls=options.calls, clients=clients)
                        if done.failures:
                            sys.exit(f"{name}: {len(done.failures)} failures: {done.failures[:3]}")
                        http.setdefault((name, clients), []).append(done)
                    # The REPL's start, measured with no calls, is taken off.
                    seconds = (repl_seconds(repl, call, options.calls)
                               - repl_seconds(repl, call, 0))
                    in_process.setdefault(name, []).append(options.calls / seconds)
                memory.append(server.memory())
                print(f"round {round_number + 1} done; server memory: {memory[-1]}")
        sizes = {tag: image_size(tag) for tag in (faas, repl)}
    finally:
        subprocess.run(["docker", "image", "rm", faas, repl], capture_output=True)

    print(f"\n{options.calls} calls per measure, median of {options.rounds} interleaved rounds")
    print(f"{'function':18} {'path':28} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, *_ in FUNCTIONS:
        rate = statistics.median(in_process[name])
        print(f"{name:18} {'metacallcli REPL, in-process':28} {rate:9.0f} {'':>8} {'':>8}")
        for clients in CLIENTS:
            runs = http[(name, clients)]
            print(f"{'':18} {f'FaaS over HTTP, {clients} client(s)':28} "
                  f"{statistics.median(r.per_second for r in runs):9.0f} "
                  f"{statistics.median(r.percentile(0.5) for r in runs) * 1000:8.2f} "
                  f"{statistics.median(r.percentile(0.99) for r in runs) * 1000:8.2f}")
    print(f"\nserver memory: {' -> '.join(memory)}")
    print(f"image size: served {sizes[faas] / 1e6:.1f} MB, REPL {sizes[repl] / 1e6:.1f} MB "
          f"({sizes[faas] / sizes[repl]:.3f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
