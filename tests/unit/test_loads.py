"""Loads of other languages' code, as MetaCall's ports make them."""

from __future__ import annotations

import pytest

from frontend.declaration import Language
from frontend.declaration.loads import loads_in


@pytest.mark.parametrize(("script", "text", "expected"), [
    ("index.js", "const lib = require('./lib.py');", [Language.PY]),
    ("index.js", 'const { sum } = require("../ruby/sum.rb")', [Language.RB]),
    ("index.js", "const c = require('py:ctypes');", [Language.PY]),
    ("index.ts", "import x = require('./calc.c');", [Language.C]),
    ("index.js", "const fs = require('fs'); const d = require('./data.json');", []),
    ("main.py", "from metacall.node import ramda", [Language.NODE]),
    ("main.py", "import metacall.rb.greet", [Language.RB]),
    ("main.py", "from lib.js import double", [Language.NODE]),
    ("main.py", "import os.path\nfrom . import sibling\nimport xml.dom", []),
    ("main.py", "metacall_load_from_file('node', ['lib.js'])", [Language.NODE]),
    ("main.rb", "metacall_load_from_file('py', ['lib.py'])", [Language.PY]),
    ("main.rb", "metacall_load_from_memory(\"ts\", code)", [Language.TS]),
    ("main.py", "metacall_load_from_file('lua', ['x.lua'])", []),  # no such loader here
    # Node's require is Node's only: a Python script's require is text.
    ("main.py", "require('./lib.rb')", []),
])
def test_a_load_names_the_language_it_needs(script: str, text: str,
                                            expected: list[Language]) -> None:
    assert [load.language for load in loads_in(script, text)] == expected


def test_a_load_knows_its_line() -> None:
    text = "// a server\n\nconst lib = require('./lib.py');\n"
    (load,) = loads_in("api/index.js", text)
    assert (load.script, load.line) == ("api/index.js", 3)
