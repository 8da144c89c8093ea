"""The frontend image itself, built from each checkout given (e.g. before
and after a change): its size, compressed (gzip layers, as pushed) and
unpacked, and its start-up: inside the image, the import of what a gateway
run loads before it connects (frontend.gateway.start) and of the planner
(frontend.gateway.handle), medians of interleaved `docker run`s. Then the
largest files of the last one.

    git worktree add /tmp/before REV
    .venv/bin/python bench/frontend_image.py /tmp/before . [--runs 10]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path

from contexts import secret_args, timed_build
from image_size import member_of, oci_sizes

# As frontend.__main__ runs a gateway: with the unused imports deferred, in
# a checkout that defers them.
IMPORTS = ("import time; t = time.perf_counter()\n"
           "try:\n from frontend.gateway.deferred import defer_unused_imports\n"
           " defer_unused_imports()\nexcept ImportError:\n pass\n"
           "import frontend.gateway.start; "
           "s = time.perf_counter(); import frontend.gateway.handle; "
           "print(s - t, time.perf_counter() - s)")


def largest_files(archive: Path, count: int = 15) -> list[tuple[int, str]]:
    with tarfile.open(archive) as oci:
        index = json.loads(member_of(oci, "index.json"))
        manifest = json.loads(member_of(oci, blob(index["manifests"][0]["digest"])))
        if "manifests" in manifest:
            manifest = json.loads(member_of(oci, blob(manifest["manifests"][0]["digest"])))
        files: list[tuple[int, str]] = []
        for layer in manifest["layers"]:
            data = gzip.decompress(member_of(oci, blob(layer["digest"])))
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                files += [(member.size, member.name) for member in tar if member.isfile()]
    return sorted(files, reverse=True)[:count]


def blob(digest: str) -> str:
    return f"blobs/sha256/{digest.removeprefix('sha256:')}"


def start_up(tag: str) -> tuple[float, float]:
    done = subprocess.run(["docker", "run", "--rm", "--entrypoint", "/usr/bin/python3.11", tag,
                           "-S", "-c", IMPORTS], capture_output=True, text=True, timeout=120,
                          check=True)
    start, handle = done.stdout.split()
    return float(start), float(handle)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    suffix = uuid.uuid4().hex[:8]
    tags = [f"metacall-bench-frontend-{number}:{suffix}"
            for number in range(len(options.checkouts))]
    sizes: list[tuple[int, int]] = []
    try:
        with tempfile.TemporaryDirectory() as directory:
            for checkout, tag in zip(options.checkouts, tags, strict=True):
                archive = Path(directory) / f"{tag.replace(':', '-')}.tar"
                timed_build([*secret_args(), "--output", f"type=oci,dest={archive},"
                             "compression=gzip,force-compression=true", "--provenance=false",
                             str(checkout)])
                timed_build([*secret_args(), "-t", tag, str(checkout)])
                sizes.append(oci_sizes(archive))
            files = largest_files(archive)
        times: list[list[tuple[float, float]]] = [[] for _ in tags]
        for _ in range(options.runs):
            for number, tag in enumerate(tags):
                times[number].append(start_up(tag))
        print(f"\n{'checkout':40} {'compressed MB':>14} {'unpacked MB':>12} "
              f"{'start ms':>9} {'handle ms':>10} {'both ms':>8}")
        for checkout, (compressed, unpacked), runs in zip(options.checkouts, sizes, times,
                                                          strict=True):
            start = statistics.median(run[0] for run in runs) * 1e3
            handle = statistics.median(run[1] for run in runs) * 1e3
            both = statistics.median(sum(run) for run in runs) * 1e3
            print(f"{checkout!s:40} {compressed / 1e6:14.2f} {unpacked / 1e6:12.2f} "
                  f"{start:9.1f} {handle:10.1f} {both:8.1f}")
        print(f"\n{options.checkouts[-1]}: the {len(files)} largest files")
        for size, name in files:
            print(f"{size:>10} {name}")
    finally:
        subprocess.run(["docker", "image", "rm", *tags], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
