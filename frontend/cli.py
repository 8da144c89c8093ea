"""The command line: `python -m frontend llb FILE` prints the LLB
definition for buildctl, or with --outline the steps as text; `publish`
pushes prebuilt layers."""

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
from frontend.declaration import DeclarationError, decode
from frontend.declaration.dockerignore import FILENAME as DOCKERIGNORE_FILE
from frontend.llb import graph, outline, serialize
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
    dockerignore = directory / DOCKERIGNORE_FILE
    context = ContextFiles(frozenset(files), manifests,
                           dockerignore.read_text() if dockerignore.is_file() else "")
    return replace(context, existing_scripts=frozenset(
        script for script in named_scripts(parsed, context) if (directory / script).is_file()))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
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
    view = llb.add_mutually_exclusive_group()
    view.add_argument("--outline", action="store_true",
                      help="print the steps as text (name, inputs, mounts, network)")
    view.add_argument("--graph", action="store_true",
                      help="print the steps as a Graphviz graph (dot text; dot -Tsvg draws it)")
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
    try:
        declaration, _, parsed, facts = _read(options)
        compiled = compile_declaration(
            parsed,
            BuildRequest(filename=declaration.name, target=options.target,
                         platform=options.platform, contexts=contexts),
            facts,
        )
    except DeclarationError as error:
        return _complain(options, error)
    definition = compiled.definition
    if options.smoke_check:
        if not compiled.checks:
            print(f"{options.file}: no smoke check (not an app, or smoke-check is off)",
                  file=sys.stderr)
            return 1
        definition = compiled.checks[0]
    if options.outline:
        sys.stdout.write(outline(definition))
    elif options.graph:
        sys.stdout.write(graph(definition))
    else:
        sys.stdout.buffer.write(serialize(definition))
    return 0


def _read(options: argparse.Namespace) -> tuple[Path, Path, ParsedDeclaration, BuildFacts]:
    """The declaration's path, the context's, the parsed declaration and
    what the context holds."""
    declaration = Path(options.file)
    context = Path(options.app_dir or declaration.parent)
    parsed = parse(decode(declaration.read_bytes()))
    return declaration, context, parsed, BuildFacts(context_files=scan_directory(context, parsed))


def _complain(options: argparse.Namespace, error: DeclarationError) -> int:
    """The error as file:line: message, the file being a manifest's when it is."""
    where = error.source.filename if error.source is not None else options.file
    print(f"{where}:{error.line}: {error.message}", file=sys.stderr)
    return 1


def _publish(options: argparse.Namespace, buildx_args: list[str]) -> int:
    try:
        declaration, context, parsed, facts = _read(options)
        layers = list_layers(parsed, facts)
    except DeclarationError as error:
        return _complain(options, error)
    version = core_version(buildx_args, parsed.declaration.core.version)
    return publish(publish_commands(declaration, context, options.repository, version, layers,
                                    buildx_args), dry_run=options.dry_run)
