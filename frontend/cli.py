"""The command line: `python -m frontend llb FILE` prints the LLB
definition for buildctl, or with --outline the steps as text; `publish`
pushes prebuilt layers; `schema` prints the declaration's JSON Schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frontend.compile import (
    TARGET_NAMES,
    BuildFacts,
    DeclarationError,
    ParsedDeclaration,
    compile_declaration,
    decode,
    list_layers,
    parse,
)
from frontend.declaration.schema import schema_text
from frontend.llb import graph, outline, serialize
from frontend.platform import DEFAULT_PLATFORM, Platform
from frontend.publish import core_version, publish, publish_commands
from frontend.request import BuildRequest
from frontend.scan import scan_directory


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    options, buildx_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if buildx_args and options.command != "publish":  # publish passes them to buildx
        parser.error(f"unrecognized arguments: {' '.join(buildx_args)}")
    return int(options.run(options, buildx_args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m frontend")
    commands = parser.add_subparsers(dest="command", required=True)
    llb = commands.add_parser("llb", help="print the LLB definition of a declaration")
    llb.set_defaults(run=_llb)
    llb.add_argument("file")
    llb.add_argument("--target", choices=TARGET_NAMES,
                     help="default: app when the context holds an app, else runtime")
    llb.add_argument("--app-dir", help="the build context (default: the file's directory)")
    llb.add_argument("--platform", type=Platform.parse, default=DEFAULT_PLATFORM)
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
    publishing.set_defaults(run=_publish)
    publishing.add_argument("file")
    publishing.add_argument("--repository", required=True,
                            help="e.g. registry.example.com/metacall/layers")
    publishing.add_argument("--app-dir", help="the build context (default: the file's directory)")
    publishing.add_argument("--dry-run", action="store_true", help="print the commands only")
    commands.add_parser(
        "schema", help="print the declaration's JSON Schema, for editors "
        "(committed as schema/metacall.schema.json)").set_defaults(run=_schema)
    return parser


def _schema(options: argparse.Namespace, buildx_args: list[str]) -> int:
    sys.stdout.write(schema_text())
    return 0


def _llb(options: argparse.Namespace, buildx_args: list[str]) -> int:
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
    return declaration, context, parsed, BuildFacts(
        context=scan_directory(context, parsed.declaration))


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
