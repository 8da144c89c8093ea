"""The floor a Python gateway sets on a warm build: ours beside two gateways
that plan nothing, and BuildKit's Go Dockerfile frontend as a gateway image,
warm builds of the calc example's CLI (as bench/warm_build.py), interleaved.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
        .venv/bin/python bench/gateway_floor.py [--runs 15]

First one warm build through a copy of our image that records each bridge
call the frontend makes after its early reads, and what it returns
(bench/floor/capture.py, its lines in Docker's engine's log). The
definitions lose their `local.session` (BuildKit then takes the files from
any session of the build) and go into two copies of our image that run
bench/floor/replay.py: the frontend's own start, relay and early reads,
then those calls, then the same Return. One imports pydantic and PyYAML and
validates the declaration with one model (`declared`); the other imports
neither (`grpc`). What they take more than the Go gateway's build no
planner can take back; what ours takes more than them is its planner's.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from contexts import ENGINE_LOG, core_build_args, log_size, steps_shown, timed_build
from warm_build import EXAMPLE, GO, OURS, RESENT_BYTES, Run, buildx_cases, measure

from frontend.llb import op_digest
from frontend.pb import llb_pb2

FLOOR = Path(__file__).resolve().parent / "floor"
CAPTURE_IMAGE = "bench/floor-capture"
STACKS = {"declared": "planning nothing, with pydantic and PyYAML",
          "grpc": "planning nothing, without pydantic or PyYAML"}


def image(tag: str, script: str, extra: dict[str, str], env: str = "") -> None:
    """A copy of our image that runs bench/floor/`script` (with `extra`
    files beside it) instead of the frontend."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(FLOOR / script, folder)
        for name, text in extra.items():
            Path(folder, name).write_text(text)
        dockerfile = (f"FROM {OURS}\nCOPY . /opt/floor/\n{env}\n"
                      f'ENTRYPOINT ["/usr/bin/python3.11", "-S", "/opt/floor/{script}"]\n')
        subprocess.run(["docker", "build", "-q", "-t", tag, "-f", "-", folder],
                       input=dockerfile, text=True, check=True, capture_output=True,
                       timeout=600)


def capture(args: list[str]) -> dict[str, Any]:
    """One build through the recording copy: what capture.py logged."""
    image(CAPTURE_IMAGE, "capture.py", {})
    offset = log_size(ENGINE_LOG)
    timed_build([*args, "--build-arg", f"BUILDKIT_SYNTAX={CAPTURE_IMAGE}"])
    with ENGINE_LOG.open("rb") as log:
        log.seek(offset)
        lines = log.read().decode(errors="replace").splitlines()
    chunks = [line.split("floor-capture: ", 1)[1] for line in lines if "floor-capture: " in line]
    if "end" not in chunks:
        sys.exit(f"no capture in {ENGINE_LOG}: the frontend's stderr is not there")
    captured: dict[str, Any] = json.loads(base64.b64decode("".join(chunks[:chunks.index("end")])))
    return captured


def without_sessions(encoded: str) -> str:
    """A definition whose local sources name no session, each op's digest
    (and every reference to it) following its new bytes."""
    definition = llb_pb2.Definition.FromString(base64.b64decode(encoded))
    renamed: dict[str, str] = {}
    ops = []
    for old in getattr(definition, "def"):
        op = llb_pb2.Op.FromString(old)
        if op.HasField("source"):
            op.source.attrs.pop("local.session", None)
        for each in op.inputs:
            each.digest = renamed.get(each.digest, each.digest)
        new = op.SerializeToString(deterministic=True)
        renamed[op_digest(old)] = op_digest(new)
        ops.append(new)
    rewritten = llb_pb2.Definition()
    getattr(rewritten, "def").extend(ops)
    for digest, metadata in definition.metadata.items():
        rewritten.metadata[renamed.get(digest, digest)].CopyFrom(metadata)
    if definition.HasField("Source"):
        for digest, locations in definition.Source.locations.items():
            rewritten.Source.locations[renamed.get(digest, digest)].CopyFrom(locations)
        rewritten.Source.infos.extend(definition.Source.infos)
    return base64.b64encode(rewritten.SerializeToString()).decode()


def report(runs: dict[str, list[Run]], shown: dict[str, int]) -> None:
    go = runs[GO][1:]
    clean = [index for index in range(len(go))
             if all(each[1:][index].sent < RESENT_BYTES for each in runs.values())]
    print(f"warm builds, {len(go)} of each; over the {len(clean)} rounds where no build "
          "sent a context again:")
    go_median = statistics.median(go[index].seconds for index in clean)
    width = max(map(len, runs)) + 2
    for name, (_, *warm) in runs.items():
        median = statistics.median(warm[index].seconds for index in clean)
        cpu = statistics.median(warm[index].cpu for index in clean)
        print(f"  {name:<{width}}{median:6.3f} s {median / go_median:6.2f}x "
              f"{(median - go_median) * 1000:+5.0f} ms   machine CPU {cpu:.2f} s"
              f"   {shown[name]} steps shown")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    common = core_build_args()
    if common is None:
        return 2
    cases = buildx_cases(common)
    if GO not in cases:
        return 2
    ours = cases[OURS]
    captured = capture(ours)
    for call in captured["calls"]:
        if call["call"] == "solve":
            call["definition"] = without_sessions(call["definition"])
    print("captured after the early reads: "
          + ", ".join(call["call"] for call in captured["calls"]))
    builds = {f"{OURS}": ours}
    for stack, what in STACKS.items():
        tag = f"bench/floor-{stack}"
        image(tag, "replay.py", {"replay.json": json.dumps(captured)}, f"ENV FLOOR_STACK={stack}")
        builds[f"Python gateway, {what}"] = [
            *ours[:ours.index("-t")], "--build-arg", f"BUILDKIT_SYNTAX={tag}",
            "-t", f"bench-calc-floor-{stack}", str(EXAMPLE)]
    builds[GO] = cases[GO]
    runs = measure({name: partial(timed_build, args) for name, args in builds.items()},
                   options.runs)
    report(runs, {name: steps_shown(timed_build(args)[1]) for name, args in builds.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
