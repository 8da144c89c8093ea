"""Image sizes, side by side in one run: the [py, node, rb] CLI and
examples/polyglot-app through each frontend image given (e.g. before and
after a change), beside the hand-written Dockerfiles' images of the same
(bench/pynoderb.Dockerfile without core's Python test packages, and
bench/prebuilt-app.Dockerfile on top of it). Sizes are the image's layers,
compressed (gzip, as pushed) and unpacked; then, for the last frontend's
images, the twenty largest Debian packages (bytes on disk) and files, each
with what reads it at run time: the languages whose loading maps it (a
script per language imports its standard library's native extensions, then
reads /proc/self/maps), the loader whose interpreter imports it, or the base
image. metacallcli's REPL is a Node.js plugin of core's, so each of its runs
maps Node's libraries.

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

from frontend.references import DEFAULT_BASE_IMAGE

ROOT = Path(__file__).resolve().parent.parent
# The bytes each Debian package has on disk, and the largest files.
PACKAGES = r"""files() { while IFS= read -r f; do [ -f "$f" ] && [ ! -L "$f" ] && echo "$f"; done; }
for list in /var/lib/dpkg/info/*.list; do
	size=$(files < "$list" | tr '\n' '\0' | xargs -0 -r stat -c %s \
		| awk '{s += $1} END {print s + 0}')
	echo "$size $(basename "$list" .list)"
done | sort -rn | head -n 20"""
FILES = "find / -xdev -type f -printf '%s %p\\n' 2>/dev/null | sort -rn | head -n 20"
# What each loader maps into the process once loaded: a script that imports
# every native extension of its language's standard library, then copies
# /proc/self/maps out.
PROBES = {
    "py": ("probe.py", "import glob, importlib, os\n"
           "for f in glob.glob('/usr/lib/python3*/lib-dynload/*.so'):\n"
           "    try:\n        importlib.import_module(os.path.basename(f).split('.')[0])\n"
           "    except Exception:\n        pass\n"
           "open('/probe/py.maps', 'w').write(open('/proc/self/maps').read())\n"
           "def probe():\n    return 0\n"),
    "node": ("probe.js", "const fs = require('fs');\n"
             "fs.writeFileSync('/probe/node.maps', fs.readFileSync('/proc/self/maps'));\n"
             "module.exports = { probe: () => 0 };\n"),
    "rb": ("probe.rb", "Dir.glob('/usr/lib/x86_64-linux-gnu/ruby/*/**/*.so').each do |f|\n"
           "  begin; require f; rescue Exception; end\nend\n"
           "File.write('/probe/rb.maps', File.read('/proc/self/maps'))\n"
           "def probe\n  0\nend\n"),
}
# Where each language's interpreter imports its libraries from: a package with
# files there is read by that language's loader, though nothing links it.
IMPORTED_FROM = {"/usr/lib/python3": "py_loader's imports",
                 "/usr/lib/ruby/": "rb_loader's requires",
                 "/usr/lib/x86_64-linux-gnu/ruby/": "rb_loader's requires",
                 "/usr/share/nodejs/": "node_loader's requires"}


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


def mapped_by(tag: str, languages: list[str]) -> dict[str, set[str]]:
    """Each file the languages' loaders map once loaded, and which loaders."""
    mapped: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory() as directory:
        Path(directory).chmod(0o777)  # app images run as their own user
        for language in languages:
            script, source = PROBES[language]
            (Path(directory) / script).write_text(source)
            subprocess.run(["docker", "run", "--rm", "-i", "-v", f"{directory}:/probe",
                            "-e", "LOADER_SCRIPT_PATH=/probe", "--entrypoint", "metacallcli", tag],
                           input=f"load {language} {script}\nexit\n", capture_output=True,
                           text=True, timeout=120)
            maps = Path(directory) / f"{language}.maps"
            if not maps.exists():
                raise SystemExit(f"{tag}: the {language} loader did not load {script}")
            for line in maps.read_text().splitlines():
                fields = line.split()
                if len(fields) > 5 and fields[5].startswith("/"):
                    mapped.setdefault(fields[5], set()).add(language)
    return mapped


def print_largest(tag: str, languages: list[str], base_packages: set[str]) -> None:
    """The twenty largest packages and files, each with what reads it at run time."""
    loaded = mapped_by(tag, languages)
    packages = [line.split(" ", 1) for line in inside(tag, PACKAGES).splitlines()]
    files = [line.split(" ", 1) for line in inside(tag, FILES).splitlines()]
    package_names = [name for _, name in packages]
    # Each package's files, and the owner of each large file, in one run.
    listing = inside(tag, "for p in " + " ".join(package_names) + "; do "
                     "sed \"s|^|$p |\" /var/lib/dpkg/info/$p.list; done; "
                     "for f in " + " ".join(path for _, path in files) + "; do "
                     "o=$(dpkg -S \"$f\" 2>/dev/null || dpkg -S \"$(readlink -f \"$f\" | "
                     "sed 's|^/usr/|/|')\" 2>/dev/null) && echo \"owner ${o%%: *} $f\"; done")
    contents: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for line in listing.splitlines():
        first, _, rest = line.partition(" ")
        if first == "owner":
            package, _, path = rest.partition(" ")
            owner[path] = package.split(", ")[0]
        else:
            contents.setdefault(first, []).append(rest)

    def readers(package: str, paths: list[str]) -> str:
        users = {user for path in paths for user in loaded.get(path, ())}
        found = [f"mapped after load {', '.join(tag for tag in languages if tag in users)}"] \
            if users else []
        found += sorted({reader for path in paths for prefix, reader in IMPORTED_FROM.items()
                         if path.startswith(prefix)})
        if package.split(":")[0] in base_packages:
            found.append("the base image's")
        return "; ".join(found) or "NOTHING reads it at run time"

    print(f"\n{tag}: the twenty largest packages (bytes on disk), and what reads each")
    for size, package in packages:
        read_by = readers(package, contents.get(package, []))
        print(f"{int(size) / 1e6:8.1f} MB {package:32} {read_by}")
    print(f"\n{tag}: the twenty largest files, and what reads each")
    for size, path in files:
        package = owner.get(path, "?")
        print(f"{int(size) / 1e6:8.1f} MB {path:52} {package:20} {readers(package, [path])}")


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
        base_packages = set(inside(DEFAULT_BASE_IMAGE, "dpkg-query -W -f '${Package}\\n'").split())
        for tag, languages in zip(last, (["py", "node", "rb"], ["py", "node"]), strict=True):
            print_largest(tag, languages, base_packages)
    finally:
        subprocess.run(["docker", "image", "rm", *tags], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
