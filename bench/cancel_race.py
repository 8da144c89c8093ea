"""Cancel under load, many times: each round starts six different app builds
at once (fixture core, no cache), cancels one with SIGINT once its frontend
is solving, lets the others finish, then asks the daemon whether it still
answers. Run against Docker's engine (`docker buildx build`), where one
fresh-clone test run saw dockerd panic in BuildKit's scheduler
(solver/edge.go, moby/buildkit#3714, #3841), and against a standalone
buildkitd (`buildctl`, scripts/channels.sh's `faults` one).

    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/cancel_race.py \\
        [--rounds 10] [--daemon docker|buildkitd]

A daemon that died is restarted (scripts/engine.sh, scripts/channels.sh)
and counted. It cancels builds on the daemon it names: run it where
nothing else builds there.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from contexts import ADDRESS, CA_BUNDLE, buildctl_sources, frontend_build, secret_args

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORE = ROOT / "tests" / "fixtures" / "fake-core"
FAULTS = ADDRESS.replace("/buildkitd/", "/faults/")
LANGUAGES = ("[py]", "[node]", "[py, node]", "[rb, file]", "[node, rpc]", "[py, rb]")
SECONDS = 600


def buildctl_tool() -> str:
    return str(Path(os.environ.get("BUILDKIT_BIN_DIR", "/usr/local/bin")) / "buildctl")


def command(daemon: str, app: Path) -> list[str]:
    if daemon == "docker":
        return ["docker", "buildx", "build", "--progress=plain", "--no-cache", *secret_args(),
                "--build-context", f"metacall-core={FIXTURE_CORE}",
                "-f", str(app / "metacall.yaml"), str(app)]
    return [buildctl_tool(), "--addr", FAULTS, *frontend_build(app), "--no-cache",
            *buildctl_sources(str(FIXTURE_CORE), None)]


def answers(daemon: str) -> bool:
    probe = (["docker", "info"] if daemon == "docker"
             else [buildctl_tool(), "--addr", FAULTS, "debug", "workers"])
    return subprocess.run(probe, capture_output=True, timeout=60).returncode == 0


def restart(daemon: str) -> None:
    script = "engine.sh" if daemon == "docker" else "channels.sh"
    subprocess.run(["bash", str(ROOT / "scripts" / script)], capture_output=True, timeout=600,
                   check=True)


def frontend_running() -> bool:
    return subprocess.run(["pgrep", "-f", "python3.11 .*-m frontend"],
                          capture_output=True).returncode == 0


def one_round(daemon: str, work: Path) -> bool:
    """Six builds, one cancelled mid-solve: True when the daemon survived."""
    builds = []
    for number, languages in enumerate(LANGUAGES):
        app = work / f"app-{number}"
        app.mkdir(parents=True, exist_ok=True)
        # A CMake option no cache has seen, so every build really runs.
        (app / "metacall.yaml").write_text(
            "# syntax=metacall/frontend\n"
            f"languages: {languages}\ncore: {{cmake-options: [-DRUN={uuid.uuid4().hex}]}}\n")
        builds.append(subprocess.Popen(command(daemon, app), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True))
    deadline = time.monotonic() + 120
    while not frontend_running() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # into the steps
    builds[0].send_signal(signal.SIGINT)
    for build in builds:
        try:
            build.wait(timeout=SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(build.pid, signal.SIGKILL)
    return answers(daemon)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--daemon", choices=("docker", "buildkitd"), default="buildkitd")
    options = parser.parse_args()
    if not Path(CA_BUNDLE).exists():
        print(f"(no {CA_BUNDLE}: builds run without the ca-certificates secret)")
    deaths = 0
    with tempfile.TemporaryDirectory() as work:
        for round_number in range(1, options.rounds + 1):
            started = time.monotonic()
            survived = one_round(options.daemon, Path(work))
            print(f"round {round_number}: {'up' if survived else 'DIED'} "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
            if not survived:
                deaths += 1
                restart(options.daemon)
    print(f"{options.daemon}: {deaths} of {options.rounds} rounds left the daemon dead")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
