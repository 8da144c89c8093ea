"""`python -m frontend` (or `metacall-frontend`) with no arguments is a
gateway run, as buildkitd starts it; with arguments, the command line
(frontend.cli)."""

import gc
import sys


def main() -> None:
    if len(sys.argv) == 1:
        # One build per process, whose start-up makes objects that all live
        # to its end: collecting them is time lost on every build.
        gc.disable()
        from frontend.gateway.deferred import defer_unused_imports

        defer_unused_imports()
        from frontend.gateway.start import run

        run()
    from frontend.cli import main as command_line

    sys.exit(command_line())


if __name__ == "__main__":
    main()
