"""`python -m frontend` with no arguments is a gateway run, as buildkitd
starts it; with arguments, the command line (frontend.cli)."""

import gc
import sys

if len(sys.argv) == 1:
    # One build per process, whose start-up makes objects that all live to
    # its end: collecting them is time lost on every build.
    gc.disable()
    from frontend.gateway.start import run

    run()
else:
    from frontend.cli import main

    sys.exit(main())
