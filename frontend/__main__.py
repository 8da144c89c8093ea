"""`python -m frontend` runs the gateway frontend (as buildkitd does);
`python -m frontend llb FILE` prints the LLB definition for buildctl, or
with --outline the steps as text."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from fnmatch import fnmatch
from pathlib import Path

from frontend.compile import (
    TARGET_NAMES,
    BuildFacts,
    ContextFiles,
    ParsedDeclaration,
    compile_declaration,
    context_patterns,
    ignored_patterns,
    is_manifest,
    list_layers,
    named_scripts,
    parse,
)
from frontend.declaration import DeclarationError
from frontend.llb import outline, serialize
from frontend.publish import core_version, publish, publish_commands
from frontend.request import DEFAULT_PLATFORM, BuildRequest


def scan_directory(directory: Path, parsed: ParsedDeclaration) -> ContextFiles:
    """What the gateway asks BuildKit for, read from a directory."""
    patterns = context_patterns()
    ignored = {pattern.removeprefix("**/") for pattern in ignored_patterns()}
    files = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if path.is_file() and not ignored & set(relative.split("/")[:-1]) and any(
                fnmatch(relative, p) or fnmatch(path.name, p.removeprefix("**/"))
                for p in patterns):
            files.append(relative)
    manifests = {path: (directory / path).read_bytes() for path in files if is_manifest(path)}
    dockerignore = directory / ".dockerignore"
    context = ContextFiles(frozenset(files), manifests,
                           dockerignore.read_text() if dockerignore.is_file() else "")
    return replace(context, existing_scripts=frozenset(
        script for script in named_scripts(parsed, context) if (directory / script).is_file()))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        from frontend.gateway.frontend import run

        return run()
    parser = argparse.ArgumentParser(prog="python -m frontend")
    commands = parser.add_subparsers(dest="command", required=True)
    llb = commands.add_parser("llb", help="print the LLB definition of a declaration")
    llb.add_argument("file")
    llb.add_argument("--target", choices=TARGET_NAMES,
                     help="default: app when the context holds an app, else runtime")
    llb.add_argument("--app-dir", help="the build context (default: the file's directory)")
    llb.add_argument("--platform", default=DEFAULT_PLATFORM)
    llb.add_argument("--smoke-check", action="store_true",
                     help="print the app's smoke check instead: the gateway solves it beside "
                     "the image and fails the build when it fails; buildctl needs a second solve")
    llb.add_argument("--outline", action="store_true",
                     help="print the steps as text (name, inputs, mounts, network)")
    llb.add_argument(
        "--context", action="append", default=[], metavar="NAME=VALUE",
        help="a named context, e.g. metacall-core=local:metacall-core "
        "(then pass --local metacall-core=DIR to buildctl)",
    )
    publishing = commands.add_parser(
        "publish", help="build each of the runtime's layers alone and push it to a repository "
        "for builds that name it in `core.prebuilt`; other arguments go to docker buildx build "
        "(--build-context, --secret, --platform, --builder)")
    publishing.add_argument("file")
    publishing.add_argument("--repository", required=True,
                            help="e.g. registry.example.com/metacall/layers")
    publishing.add_argument("--app-dir", help="the build context (default: the file's directory)")
    publishing.add_argument("--dry-run", action="store_true", help="print the commands only")
    options, buildx_args = parser.parse_known_args(args)
    if options.command == "publish":
        return _publish(options, buildx_args)
    if buildx_args:
        parser.error(f"unrecognized arguments: {' '.join(buildx_args)}")
    contexts = dict(item.split("=", 1) for item in options.context)
    declaration = Path(options.file)
    try:
        parsed = parse(declaration.read_text(encoding="utf-8"))
        compiled = compile_declaration(
            parsed,
            BuildRequest(filename=declaration.name, target=options.target,
                         platform=options.platform, contexts=contexts),
            BuildFacts(context_files=scan_directory(Path(options.app_dir or declaration.parent),
                                                    parsed)),
        )
    except DeclarationError as error:
        print(f"{options.file}:{error.line}: {error.message}", file=sys.stderr)
        return 1
    definition = compiled.definition
    if options.smoke_check:
        if not compiled.checks:
            print(f"{options.file}: no smoke check (not an app, or smoke-check is off)",
                  file=sys.stderr)
            return 1
        definition = compiled.checks[0]
    if options.outline:
        sys.stdout.write(outline(definition))
    else:
        sys.stdout.buffer.write(serialize(definition))
    return 0


def _publish(options: argparse.Namespace, buildx_args: list[str]) -> int:
    declaration = Path(options.file)
    context = Path(options.app_dir or declaration.parent)
    try:
        parsed = parse(declaration.read_text(encoding="utf-8"))
        layers = list_layers(parsed, BuildFacts(context_files=scan_directory(context, parsed)))
    except DeclarationError as error:
        print(f"{options.file}:{error.line}: {error.message}", file=sys.stderr)
        return 1
    version = core_version(buildx_args, parsed.declaration.core.version)
    return publish(publish_commands(declaration, context, options.repository, version, layers,
                                    buildx_args), dry_run=options.dry_run)


if __name__ == "__main__":
    sys.exit(main())
