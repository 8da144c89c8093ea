"""Image sizes, side by side in one run: the [py, node, rb] CLI and
examples/polyglot-app through each frontend image given (e.g. before and
after a change), beside the hand-written Dockerfiles' images of the same
(bench/pynoderb.Dockerfile without core's Python test packages, and
bench/prebuilt-app.Dockerfile on top of it). Sizes are the image's layers,
compressed (gzip, as pushed) and unpacked; then, for the last frontend's
images, the twenty largest Debian packages (bytes on disk) and files.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
    .venv/bin/python bench/image_size.py [--frontend metacall/frontend ...]

Builds with `docker buildx build` (warm caches are fine: sizes do not depend
on them).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path

from contexts import core_build_args, timed_build

ROOT = Path(__file__).resolve().parent.parent
# The bytes each Debian package has on disk, and the largest files.
PACKAGES = r"""files() { while IFS= read -r f; do [ -f "$f" ] && [ ! -L "$f" ] && echo "$f"; done; }
for list in /var/lib/dpkg/info/*.list; do
	size=$(files < "$list" | tr '\n' '\0' | xargs -0 -r stat -c %s \
		| awk '{s += $1} END {print s + 0}')
	echo "$size $(basename "$list" .list)"
done | sort -rn | head -n 20"""
FILES = "find / -xdev -type f -printf '%s %p\\n' 2>/dev/null | sort -rn | head -n 20"


def oci_sizes(archive: Path) -> tuple[int, int]:
    """(compressed, unpacked) bytes of an OCI archive's layers."""
    with tarfile.open(archive) as oci:
        def blob(digest: str) -> bytes:
            return member_of(oci, f"blobs/sha256/{digest.removeprefix('sha256:')}")

        index = json.loads(member_of(oci, "index.json"))
        manifest = json.loads(blob(index["manifests"][0]["digest"]))
        if "manifests" in manifest:  # an index with an attestation: the image's manifest
            manifest = json.loads(blob(manifest["manifests"][0]["digest"]))
        compressed = sum(layer["size"] for layer in manifest["layers"])
        unpacked = sum(len(gzip.decompress(blob(layer["digest"])))
                       for layer in manifest["layers"])
    return compressed, unpacked


def member_of(oci: tarfile.TarFile, name: str) -> bytes:
    member = oci.extractfile(name)
    assert member is not None
    return member.read()


def build(args: list[str], tag: str, work: Path) -> tuple[int, int]:
    archive = work / f"{uuid.uuid4().hex[:8]}.tar"
    timed_build([*args, "--output", f"type=oci,dest={archive},compression=gzip,"
                 "force-compression=true", "--provenance=false"])
    timed_build([*args, "-t", tag])
    return oci_sizes(archive)


def inside(tag: str, script: str) -> str:
    return subprocess.run(["docker", "run", "--rm", "--entrypoint", "/bin/sh", tag, "-c", script],
                          capture_output=True, text=True, timeout=600).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frontend", action="append", default=[],
                        help="a frontend image (repeat to compare); default metacall/frontend")
    options = parser.parse_args()
    sources = core_build_args()
    if sources is None:
        return 1
    frontends = options.frontend or ["metacall/frontend"]
    suffix = uuid.uuid4().hex[:8]
    sizes: dict[str, tuple[int, int]] = {}
    tags: list[str] = []
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        cli_app = work / "cli"
        cli_app.mkdir()
        for number, frontend in enumerate(frontends):
            for name, context, text in (
                    ("cli", cli_app, "languages: [py, node, rb]\n"),
                    ("polyglot-app", ROOT / "examples" / "polyglot-app", None)):
                declaration = work / f"{name}-{number}.yaml"
                body = text if text is not None else (context / "metacall.yaml").read_text(
                    ).split("\n", 1)[1]
                declaration.write_text(f"# syntax={frontend}\n{body}")
                tag = f"metacall-bench-size-{name}-{number}:{suffix}"
                target = ["--target", "cli"] if name == "cli" else []
                sizes[f"{name}: {frontend}"] = build(
                    ["-f", str(declaration), *target, *sources, str(context)], tag, work)
                tags.append(tag)
        cli_tag = f"metacall-bench-size-dockerfile-cli:{suffix}"
        sizes["cli: pynoderb.Dockerfile"] = build(
            ["-f", str(ROOT / "bench" / "pynoderb.Dockerfile"), "--build-arg",
             "PYTHON_TEST_PACKAGES=no", *sources, str(ROOT / "bench")], cli_tag, work)
        sizes["polyglot-app: prebuilt-app.Dockerfile"] = build(
            ["-f", str(ROOT / "bench" / "prebuilt-app.Dockerfile"), "--build-arg",
             f"METACALL_CLI={cli_tag}", *sources, str(ROOT / "examples" / "polyglot-app")],
            f"metacall-bench-size-dockerfile-app:{suffix}", work)
        tags += [cli_tag, f"metacall-bench-size-dockerfile-app:{suffix}"]
    try:
        print(f"\n{'image':58} {'compressed MB':>14} {'unpacked MB':>12}")
        for name, (compressed, unpacked) in sizes.items():
            print(f"{name:58} {compressed / 1e6:14.1f} {unpacked / 1e6:12.1f}")
        for name in ("cli", "polyglot-app"):
            reference = sizes[next(key for key in sizes if key.startswith(name) and
                                   "Dockerfile" in key)]
            for key in (key for key in sizes if key.startswith(f"{name}:") and
                        "Dockerfile" not in key):
                print(f"{key}: {sizes[key][0] / reference[0]:.2f}x compressed, "
                      f"{sizes[key][1] / reference[1]:.2f}x unpacked, of the Dockerfile's")
        last = tags[len(frontends) * 2 - 2:len(frontends) * 2]
        for tag in last:
            print(f"\n{tag}: the twenty largest packages (bytes on disk)")
            print(inside(tag, PACKAGES))
            print(f"{tag}: the twenty largest files")
            print(inside(tag, FILES))
    finally:
        subprocess.run(["docker", "image", "rm", *tags], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
