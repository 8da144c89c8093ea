"""The apt tools every network step finds first on its PATH (shell.APT_SHARED_LISTS),
run in the base image as a step runs them: an update shared between steps,
lists kept apart by sources."""

from __future__ import annotations

from pathlib import Path

from frontend.plan.shell import APT_SHARED_LISTS, APT_TOOLS, apt_tool
from frontend.plan.steps import TOOLS_PATH
from tests.conftest import docker

STEPS = f"""set -e
export PATH={TOOLS_PATH}:$PATH
apt-get update > /tmp/first
apt-get -q update > /tmp/second
echo "candidate: $(apt-cache policy hello | sed -n 's/ *Candidate: //p')"
apt-get install -y -s --no-install-recommends hello | grep '^Inst hello'
echo 'deb http://deb.debian.org/debian bookworm-updates main' > /etc/apt/sources.list.d/more.list
apt update 2> /dev/null > /tmp/third
echo "first: $(grep -c '^\\(Get\\|Hit\\):' /tmp/first)"
echo "second: $(wc -l < /tmp/second)"
echo "third: $(grep -c bookworm-updates /tmp/third)"
echo "folders: $(ls -d /var/lib/apt/lists/metacall-*/lists | wc -l)"
echo "elsewhere: $(find /var/lib/apt/lists /var/cache/apt -maxdepth 1 \\
    -name '*Packages*' -o -name srcpkgcache.bin | wc -l)"
echo "caches: $(ls /var/lib/apt/lists/metacall-*/srcpkgcache.bin | wc -l)"
echo "stamps: $(ls /var/lib/apt/lists/metacall-*/updated | wc -l)"
"""


def test_one_update_serves_every_step_with_the_same_sources(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "apt-shared-lists").write_text(APT_SHARED_LISTS)
    for tool in APT_TOOLS:
        (tools / tool).write_text(apt_tool(tool, TOOLS_PATH))
    for path in tools.iterdir():
        path.chmod(0o755)
    result = docker("run", "--rm", "-v", f"{tools}:{TOOLS_PATH}:ro", "debian:bookworm-slim",
                    "sh", "-c", STEPS, timeout=600)
    report = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    assert int(report["first"]) >= 1, result.stdout  # fetched
    assert report["second"] == "0", result.stdout  # shared: not run again
    # apt-cache reads the same lists
    assert report["candidate"] not in ("", "(none)"), result.stdout
    assert int(report["third"]) >= 1, result.stdout  # a new source updates its own folder
    assert report["folders"] == "2", result.stdout
    assert report["elsewhere"] == "0", result.stdout
    assert report["caches"] == "2", result.stdout  # apt's cache of each folder's lists
    assert report["stamps"] == "2", result.stdout  # not removed by the update after them
