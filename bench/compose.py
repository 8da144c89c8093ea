"""Composition benchmark with the real core: per language set, the runtime
image size beside the floors measured on bookworm, cold and warm build
times, and the cost of adding one language to an already cached image
against building that language alone.

    METACALL_CORE_SOURCE=path/to/core PLTHOOK_SOURCE=path/to/plthook_c \\
        .venv/bin/python bench/compose.py

Cold builds start from `docker builder prune -af` (the whole build cache of
the daemon, so run it on a machine where that is fine); warm is the median
of three rebuilds. Sizes are the
unpacked root filesystem (`du -sxm /` in the image).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from contexts import core_build_args, timed_build

FRONTEND = os.environ.get("METACALL_FRONTEND_IMAGE", "metacall/frontend")
# Measured floors (MB) with installed files only and apt caches cleaned.
FLOORS = {"py": 392, "py,node": 503, "py,node,rb": 531}
SETS = [("py",), ("py", "node"), ("py", "node", "rb")]


class Bench:
    def __init__(self, args: list[str], workdir: Path) -> None:
        self.args = args
        self.workdir = workdir

    def build(self, languages: tuple[str, ...]) -> tuple[float, str]:
        name = "-".join(languages)
        app = self.workdir / name
        app.mkdir(exist_ok=True)
        (app / "metacall.yaml").write_text(
            f"# syntax={FRONTEND}\nlanguages: [{', '.join(languages)}]\n")
        tag = f"bench-runtime-{name}"
        seconds, _ = timed_build([*self.args, "-f", str(app / "metacall.yaml"), "-t", tag,
                                  str(app)])
        return seconds, tag

    @staticmethod
    def prune() -> None:
        subprocess.run(["docker", "builder", "prune", "-af"], check=True,
                       stdout=subprocess.DEVNULL)

    @staticmethod
    def size_mb(tag: str) -> int:
        out = subprocess.run(["docker", "run", "--rm", "--entrypoint", "du", tag, "-sxm", "/"],
                             capture_output=True, text=True, check=True).stdout
        return int(out.split()[0])


def main() -> int:
    args = core_build_args()
    if args is None:
        return 2
    with tempfile.TemporaryDirectory() as workdir:
        bench = Bench(args, Path(workdir))
        rows = []
        added: dict[str, float] = {}
        previous: tuple[str, ...] | None = None
        for languages in SETS:
            if previous is not None:
                # The set before this one is cached: time adding one language.
                added[languages[-1]], _ = bench.build(languages)
            bench.prune()
            cold, tag = bench.build(languages)
            # The first rebuild after a cold one pays one-off costs: take three.
            warm = statistics.median(bench.build(languages)[0] for _ in range(3))
            rows.append((",".join(languages), bench.size_mb(tag), cold, warm))
            previous = languages
        alone = {}
        for language in added:
            bench.prune()
            alone[language], _ = bench.build((language,))

    print(f"{'languages':<12}{'runtime MB':>11}{'floor MB':>10}{'cold':>9}{'warm':>8}")
    for name, size, cold, warm in rows:
        print(f"{name:<12}{size:>11}{FLOORS[name]:>10}{cold:>8.0f}s{warm:>7.1f}s")
    print()
    print(f"{'language':<10}{'added to cached set':>21}{'built alone (cold)':>20}")
    for language, seconds in added.items():
        print(f"{language:<10}{seconds:>20.0f}s{alone[language]:>19.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
