"""`python -m frontend` runs the gateway frontend (as buildkitd does);
`python -m frontend llb FILE` prints the LLB definition for buildctl."""

from __future__ import annotations

import argparse
import sys

from frontend.compile import BuildRequest, compile_declaration
from frontend.declaration import DeclarationError
from frontend.llb import serialize
from frontend.plan.targets import DEFAULT_TARGET, TARGETS


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        from frontend.gateway.frontend import run

        return run()
    parser = argparse.ArgumentParser(prog="python -m frontend")
    commands = parser.add_subparsers(dest="command", required=True)
    llb = commands.add_parser("llb", help="print the LLB definition of a declaration")
    llb.add_argument("file")
    llb.add_argument("--target", default=DEFAULT_TARGET, choices=list(TARGETS))
    llb.add_argument("--platform", default="linux/amd64")
    llb.add_argument(
        "--context", action="append", default=[], metavar="NAME=VALUE",
        help="a named context, e.g. metacall-core=local:metacall-core "
        "(then pass --local metacall-core=DIR to buildctl)",
    )
    options = parser.parse_args(args)
    contexts = dict(item.split("=", 1) for item in options.context)
    with open(options.file, encoding="utf-8") as handle:
        text = handle.read()
    try:
        compiled = compile_declaration(
            text,
            BuildRequest(filename=options.file, target=options.target,
                         platform=options.platform, contexts=contexts),
        )
    except DeclarationError as error:
        print(f"{options.file}:{error.line}: {error.message}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(serialize(compiled.definition))
    return 0


if __name__ == "__main__":
    sys.exit(main())
