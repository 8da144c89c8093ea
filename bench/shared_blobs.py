"""Shared blobs: a [py, node] runtime image, then a [py, rb] one, pushed to
one repository of the test registry from one buildkitd. Prints each layer of
the second image and whether its push uploaded it or found it there (the
registry's own log says which), and the bytes uploaded beside the image's.

    BUILDKIT_BIN_DIR=../shared/bin .venv/bin/python bench/shared_blobs.py
    (METACALL_CORE_SOURCE and PLTHOOK_SOURCE: the real core; else the fixture)

Needs scripts/channels.sh's registry and root buildkitd, and the frontend
image pushed as 127.0.0.1:5000/metacall/frontend.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import uuid
from pathlib import Path

from contexts import REGISTRY, buildctl, buildctl_sources, frontend_build, pushed_layers

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_LOG = Path("/var/lib/metacall-test/registry.log")


def build_and_push(languages: str, ref: str, workdir: Path) -> None:
    app = workdir / languages.replace(", ", "-")
    app.mkdir()
    (app / "metacall.yaml").write_text(f"# syntax=metacall/frontend\nlanguages: [{languages}]\n")
    core = os.environ.get("METACALL_CORE_SOURCE") or str(ROOT / "tests/fixtures/fake-core")
    buildctl(*frontend_build(app), *buildctl_sources(core, os.environ.get("PLTHOOK_SOURCE")),
             "--output", f"type=image,name={ref},push=true")


def main() -> int:
    repository = f"{REGISTRY}/bench/shared-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as work:
        build_and_push("py, node", f"{repository}:py-node", Path(work))
        offset = REGISTRY_LOG.stat().st_size
        build_and_push("py, rb", f"{repository}:py-rb", Path(work))
    with REGISTRY_LOG.open() as log:
        log.seek(offset)
        second_push = log.read()
    uploaded = set(re.findall(r"blobs/uploads/[^ ]*digest=sha256%3A([0-9a-f]{64})", second_push))
    first = {digest for digest, _ in pushed_layers(f"{repository}:py-node")}
    print(f"{'layer of [py, rb]':<22}{'MB':>8}  {'in [py, node]':<15}{'second push'}")
    total = sent = 0
    second = pushed_layers(f"{repository}:py-rb")
    for digest, size in second:
        was_uploaded = digest.removeprefix("sha256:") in uploaded
        total += size
        sent += size if was_uploaded else 0
        print(f"{digest[7:19]:<22}{size / 1e6:>8.1f}  {'yes' if digest in first else 'no':<15}"
              f"{'uploaded' if was_uploaded else 'already there'}")
    print(f"second push: {sum(1 for d, _ in second if d[7:] in uploaded)}"
          f" layers, {sent / 1e6:.1f} MB uploaded of {total / 1e6:.1f} MB "
          f"(ratio {sent / total:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
