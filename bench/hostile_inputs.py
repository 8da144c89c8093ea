"""Malformed and hostile declarations, each through what the gateway runs on
a declaration file (decode, parse, validate, compile), with the time it took
and the error the user sees. Prints a Markdown table.

    .venv/bin/python bench/hostile_inputs.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from frontend.compile import BuildFacts, compile_declaration, parse
from frontend.declaration import DeclarationError, decode
from frontend.request import BuildRequest

HEAD = b"# syntax=metacall/frontend\n"
LAUGHS = b"".join(
    [b"a: &a [1,1,1,1,1,1,1,1,1,1]\n"]
    + [f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n".encode()
       for p, c in zip("abcdefghi", "bcdefghij", strict=False)])
INPUTS: dict[str, bytes] = {
    "misspelt key": HEAD + b"languages: [py]\nlangauges: [node]\n",
    "duplicate key": HEAD + b"languages: [py]\nlanguages: [node]\n",
    "wrong type": HEAD + b"languages: py\n",
    "unknown language": HEAD + b"languages: [pyhton]\n",
    "YAML syntax": HEAD + b"languages: [py\ncore: {\n",
    "binary data": HEAD + bytes(range(256)) * 4,
    "20 MB file": HEAD + b"x-pad: '" + b"a" * 20_000_000 + b"'\n",
    "nesting 5,000 deep": HEAD + b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "self-referencing alias": HEAD + b"languages: &a [*a]\n",
    "billion laughs": HEAD + LAUGHS,
    "5,000-digit integer": HEAD + b"languages: [py]\ncore: {version: " + b"9" * 5000 + b"}\n",
    "NUL byte": HEAD + b"languages: [py]\x00\n",
    "lone surrogate": HEAD + b'languages: ["\\ud800"]\n',
    "shell in core.version": HEAD + b"languages: [py]\ncore: {version: 'v1; rm -rf /'}\n",
    "shell in cmake option": HEAD + b"languages: [py]\ncore:\n  cmake-options: ['$(reboot)']\n",
    "script outside context": HEAD + b"languages: [py]\napp:\n"
                              b"  scripts: {py: [../../etc/passwd]}\n",
    "shell in app.user": HEAD + b"languages: [py]\napp:\n  user: 'root; id'\n",
    "empty file": b"",
}


def main() -> int:
    print("| input | seconds | what the user sees |")
    print("|---|---|---|")
    slowest = 0.0
    for name, data in INPUTS.items():
        started = time.monotonic()
        try:
            compile_declaration(parse(decode(data)), BuildRequest(), BuildFacts())
            outcome = "builds"
        except DeclarationError as error:
            where = f"metacall.yaml:{error.line}: " if error.line else "metacall.yaml: "
            outcome = where + error.message
        elapsed = time.monotonic() - started
        slowest = max(slowest, elapsed)
        text = (outcome if len(outcome) < 110 else outcome[:107] + "...").replace("|", "/")
        print(f"| {name} | {elapsed:.3f} | {text} |")
    print(f"\nslowest: {slowest:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
