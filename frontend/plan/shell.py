"""The shell programs the build graph runs: kept apart from the graph so
each can be read (and quoted) in one place."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from frontend.plan.layout import (
    APP_HOME,
    APP_UID,
    APP_USER,
    CONFIGURATION_DIR,
    DPKG_STATUS_DIR,
    SCRIPTS_PATH,
)

CA_SECRET_ID = "ca-certificates"
CA_SECRET_PATH = f"/run/secrets/{CA_SECRET_ID}"

# Every network step trusts the `ca-certificates` secret when one is given,
# for TLS-inspecting proxies; the tools each read their own variable.
CA_PREAMBLE = (
    f"if [ -s {CA_SECRET_PATH} ]; then "
    f"export SSL_CERT_FILE={CA_SECRET_PATH} PIP_CERT={CA_SECRET_PATH} "
    f"REQUESTS_CA_BUNDLE={CA_SECRET_PATH} CURL_CA_BUNDLE={CA_SECRET_PATH} "
    f"NODE_EXTRA_CA_CERTS={CA_SECRET_PATH} GIT_SSL_CAINFO={CA_SECRET_PATH}; fi; "
)
# What network steps find first on their PATH (a folder of the mounted
# programs): apt's tools, sharing `apt-get update` between steps.
TOOLS_DIR = "bin"
APT_TOOLS = ("apt", "apt-cache", "apt-get")
# Every branch's install scripts (core's among them) run `apt-get update`:
# the eight of a three-language build each took seconds of CPU, mostly
# redoing the others' work. apt's lists are one cache mount for every step,
# in a folder per architecture and set of sources (a step's scripts may add
# a source; an update removes the lists it does not know, other platforms'
# among them). In a folder, an update runs at most once in
# APT_UPDATE_MINUTES, under a lock (apt's own network timeouts bound the
# holder); the others read without one, as apt renames each list into
# place. The cache apt builds from the lists (a second of CPU in each step)
# is kept beside them; apt checks it against the lists and writes it
# atomically.
APT_UPDATE_MINUTES = 10
APT_SHARED_LISTS = rf"""#!/bin/sh
# apt-shared-lists TOOL ARGS: apt's TOOL with its lists in a folder per
# architecture and set of sources; beside them (an update removes what it
# does not know from its lists folder) the lock, the time of the last
# update and apt's cache.
tool=/usr/bin/$1; shift
sources=$( (dpkg --print-architecture; cat /etc/apt/sources.list /etc/apt/sources.list.d/*) \
	2>/dev/null | md5sum | cut -c1-16)
folder=/var/lib/apt/lists/metacall-$sources
mkdir -p "$folder/lists/partial"
set -- -o "Dir::State::Lists=$folder/lists" \
	-o "Dir::Cache::srcpkgcache=$folder/srcpkgcache.bin" "$@"
case "$tool $* " in
*/apt-cache*) ;;
*" update "*)
	exec flock "$folder/lock" /bin/sh -c '
		folder=$1; shift
		[ -n "$(find "$folder/updated" -mmin -{APT_UPDATE_MINUTES} 2>/dev/null)" ] && exit 0
		"$@" && touch "$folder/updated"' update \
		"$folder" "$tool" "$@" ;;
esac
exec "$tool" "$@"
"""


def apt_tool(tool: str, tools_path: str) -> str:
    return f'#!/bin/sh\nexec {tools_path}/apt-shared-lists {tool} "$@"\n'


# apt's package caches (made from its lists), and the logs, backups and
# caches dpkg and its triggers date: none belongs in an image, and the dated
# ones differ between two builds (ldconfig's aux-cache records file times).
# apt's lists and archives are cache mounts: emptying them would undo that.
APT_CLEAN = (
    "rm -rf /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /var/log/alternatives.log "
    "/var/cache/debconf/*-old /var/lib/dpkg/*-old /var/cache/ldconfig/aux-cache"
)


def apt_install(packages: tuple[str, ...] | list[str]) -> str:
    """Installs Debian packages. apt's lists are a cache mount that may be
    new, or older than the archive: update them first (once in a while:
    APT_SHARED_LISTS)."""
    return "apt-get update && apt-get install -y --no-install-recommends " + " ".join(packages)


# What dpkg leaves out of a runtime install: documentation but its
# copyright files (as Debian's slim images do), manual pages, translations,
# info pages, and the type checker and debugger Ruby bundles as gems (rbs,
# typeprof, debug: each with its gemspec, so Bundler installs one a Gemfile
# names): no program reads them at run time. (dpkg's `*` matches `/` too.)
# apt reads APT_CONFIG for the step alone (core's metacall-runtime.sh runs
# apt-get itself).
SLIM_APT_CONFIG = "/tmp/metacall-slim-apt.conf"
SLIM_DPKG_OPTIONS = (
    *(f"--path-{kind}=/usr/share/{path}" for kind, path in (
        ("exclude", "doc/*"), ("include", "doc/*/copyright"), ("exclude", "man/*"),
        ("exclude", "locale/*"), ("exclude", "info/*"))),
    *(f"--path-exclude=/usr/lib/ruby/gems/*/{gem}-*" for gem in ("rbs", "typeprof", "debug")),
)


def slim_apt(script: str) -> str:
    """`script` with every apt install in it leaving SLIM_DPKG_OPTIONS' paths out."""
    options = " ".join(f'"{option}";' for option in SLIM_DPKG_OPTIONS)
    config = shlex.quote(f"DPkg::Options {{ {options} }};")
    return (f"printf '%s\\n' {config} > {SLIM_APT_CONFIG} && export APT_CONFIG={SLIM_APT_CONFIG} "
            f"&& {script} && rm -f {SLIM_APT_CONFIG}")


APT_DEPENDENCY = (
    "apt_dependency() { apt-cache depends \"$1\" | sed -n \"s/^ *Depends: \\($2\\).*/\\1/p\" "
    "| head -n 1; }; "
)
# After the merge: each runtime branch left its own dpkg status (the merge
# keeps only the last), so rebuild one from all of them; give the libraries
# core's loader configurations name unversioned (only -dev packages ship
# those links) their links; refresh the linker cache for /usr/local/lib.
FINISH_RUNTIME = (
    "awk 'BEGIN { RS = \"\"; ORS = \"\\n\\n\" } "
    "{ match($0, /Package: [^\\n]*/); key = substr($0, RSTART, RLENGTH); "
    "match($0, /Architecture: [^\\n]*/); key = key substr($0, RSTART, RLENGTH); "
    "if (!(key in seen)) order[++n] = key; seen[key] = $0 } "
    "END { for (i = 1; i <= n; i++) print seen[order[i]] }' "
    f"/var/lib/dpkg/status {DPKG_STATUS_DIR}/* > /tmp/status "
    "&& mv /tmp/status /var/lib/dpkg/status && rm -rf /var/lib/metacall && "
    f"for lib in $(cat {CONFIGURATION_DIR}/*_loader.json 2>/dev/null "
    "| grep -o '\"/[^\"]*\\.so\"' | tr -d '\"'); do "
    "[ -e \"$lib\" ] || for versioned in \"$lib\".*; do "
    "[ -e \"$versioned\" ] && ln -s \"$(basename \"$versioned\")\" \"$lib\" && break; done; done; "
    f"ldconfig && rm -f /var/cache/ldconfig/aux-cache && mkdir -p {SCRIPTS_PATH}"
)


# An app's scripts in load order: (language tag, path relative to the app).
Scripts = Sequence[tuple[str, str]]


# The app's user, owning nothing of the app: its home only.
ADD_APP_USER = (
    f"useradd --uid {APP_UID} --user-group --create-home --home-dir {APP_HOME} "
    f"--shell /bin/sh {APP_USER}"
)


def _load_lines(scripts: Scripts) -> list[str]:
    return [f"load {tag} {script}" for tag, script in scripts]


def _feed(lines: list[str]) -> str:
    """A printf that writes each line, whatever characters it holds."""
    return "printf '%s\\n' " + " ".join(shlex.quote(line) for line in lines)


def launcher(scripts: Scripts, server: str | None = None) -> bytes:
    """The app's entrypoint. metacallcli given scripts runs them and exits,
    so the launcher loads them through the REPL. With stdin (a terminal or a
    pipe: `docker run -i`) the REPL reads it after the loads; without
    (`docker run -d`) the REPL exits at once and MetaCall keeps running while
    a script serves. The REPL always gets an `exit`: at the end of its input
    without one, core's REPL fails. With a `server` (a Node.js script), it
    is loaded last and the REPL's input stays open, unread by anyone else:
    the server runs calls through the REPL. As PID 1 it passes `docker
    stop`'s signal on."""
    if server is None:
        start = """if [ -t 0 ] || [ -p /dev/stdin ]; then
	exec 3<&0
	{ loads; cat <&3; echo exit; } | metacallcli &
else
	{ loads; echo exit; } | metacallcli &
fi"""
        lines, then = _load_lines(scripts), "stdin, if any, goes to its REPL"
    else:
        start = "{ loads; exec sleep infinity; } | metacallcli &"
        lines, then = _load_lines([*scripts, ("node", server)]), "then the server"
    return f"""#!/bin/sh
# Loads the app's scripts into metacallcli; {then}.
# With arguments: metacallcli ARGS.
if [ "$#" -gt 0 ]; then exec metacallcli "$@"; fi
loads() {{ {_feed(lines)}; }}
{start}
cli=$!
stop() {{
	kill -TERM "$cli" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$cli" 2>/dev/null || exit 143; sleep 0.1; done
	kill -KILL "$cli" 2>/dev/null
	exit 137
}}
trap stop INT TERM
wait "$cli"
""".encode()


def within_limit(command: str, doing: str = "installing") -> str:
    """`command` (which reads its arguments as $1…) stopped after a time
    limit: the step's arguments are LIMIT FILE, then the command's; past the
    limit the step fails saying which file's install (or what `doing`)
    took too long."""
    return (
        'limit=$1 file=$2; shift 2\n'
        f'timeout -k 10 "$limit" /bin/sh -c {shlex.quote(command)} install "$@" || {{\n'
        '\tstatus=$?\n'
        '\tif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then\n'
        f'\t\techo "{doing} $file took longer than $limit s (app.install-timeout)" >&2\n'
        '\tfi\n'
        '\texit "$status"\n'
        '}\n'
    )
