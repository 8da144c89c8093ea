"""The shell programs the build graph runs: kept apart from the graph so
each can be read (and quoted) in one place."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

from frontend.plan.layout import CONFIGURATION_DIR, DPKG_STATUS_DIR, SCRIPTS_PATH

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
APT_CLEAN = "apt-get clean && rm -rf /var/lib/apt/lists/*"


def apt_install(packages: tuple[str, ...] | list[str]) -> str:
    return "apt-get install -y --no-install-recommends " + " ".join(packages)


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
    f"ldconfig && mkdir -p {SCRIPTS_PATH}"
)


# An app's scripts: per language, relative to the app's directory.
Scripts = Mapping[str, Sequence[str]]


def _load_lines(scripts: Scripts) -> list[str]:
    return [f"load {tag} {script}" for tag, names in scripts.items() for script in names]


def _feed(lines: list[str]) -> str:
    """A printf that writes each line, whatever characters it holds."""
    return "printf '%s\\n' " + " ".join(shlex.quote(line) for line in lines)


def launcher(scripts: Scripts) -> bytes:
    """The app's entrypoint. metacallcli given scripts runs them and exits,
    so the launcher loads them through the REPL, then hands it stdin."""
    return (
        "#!/bin/sh\n"
        "# Loads the app's scripts into metacallcli, then passes stdin to its REPL.\n"
        'if [ "$#" -gt 0 ]; then exec metacallcli "$@"; fi\n'
        f"{{ {_feed(_load_lines(scripts))}; cat; }} | exec metacallcli\n"
    ).encode()


def smoke_check(scripts: Scripts) -> str:
    """Loads every script: a load answers 0 at the prompt when it worked. All
    load in one metacallcli; only when one fails is each loaded on its own,
    to fail the build naming the script, with the loader's message."""
    lines = _load_lines(scripts)
    if not lines:
        return "true"
    each = "; ".join(
        f"out=$({_feed([line, 'exit'])} | metacallcli 2>&1); "
        "printf '%s\\n' \"$out\" | grep -qx 'λ 0' || "
        f"{{ echo {shlex.quote(f'smoke check: `{line}` failed:')}; "
        "printf '%s\\n' \"$out\"; exit 1; }"
        for line in lines
    )
    return (
        f"loaded=$({_feed([*lines, 'exit'])} | metacallcli 2>&1 | grep -cx 'λ 0'); "
        f"[ \"$loaded\" = {len(lines)} ] || {{ {each}; "
        "echo 'smoke check: the scripts load one by one but not together'; exit 1; }"
    )
