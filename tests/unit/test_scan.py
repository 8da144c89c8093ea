"""One scan of a build context: what it reads, the limits, the scripts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from frontend import limits
from frontend.compile import parse
from frontend.declaration import DeclarationError
from frontend.declaration.context import ContextScan
from frontend.scan import DirectoryReader, FileInfo, check_context_limits, scan_directory
from tests.unit.definitions import HEAD


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_directory_scan_reads_manifests_dependency_files_and_scripts(tmp_path: Path) -> None:
    write(tmp_path, {
        "api/metacall.json": json.dumps({"language_id": "py", "scripts": ["main.py", "gone.py"]}),
        "api/main.py": "", "api/requirements.txt": "six\n", "README.md": "",
        "node_modules/x/metacall.json": "{}", ".dockerignore": "*.md\n"})
    os.symlink("/etc/passwd", tmp_path / "api" / "linked.py")
    parsed = parse(HEAD + "app:\n  scripts:\n    py: [api/linked.py]\n")
    scan = scan_directory(tmp_path, parsed.declaration)
    assert scan.files == {"api/metacall.json", "api/requirements.txt", ".dockerignore"}
    assert [m.file for m in scan.manifests] == ["api/metacall.json"]
    assert scan.existing_scripts == {"api/main.py", "api/linked.py"}
    assert scan.script_links == {"api/linked.py": "/etc/passwd"}
    assert scan.dockerignore.excluded_by("README.md") is not None


def test_a_manifest_error_is_raised_where_the_manifests_are_read() -> None:
    scan = ContextScan(frozenset(["metacall.json"]), {"metacall.json": b"{not json"})
    with pytest.raises(DeclarationError, match="not JSON"):
        _ = scan.manifests


def test_the_limits_hold_for_every_reader() -> None:
    many = {f"f{i}/metacall.json": FileInfo(2) for i in range(limits.MANIFESTS + 1)}
    with pytest.raises(DeclarationError, match="MetaCall manifests"):
        check_context_limits(many)
    with pytest.raises(DeclarationError, match="a manifest is at most"):
        check_context_limits({"metacall.json": FileInfo(limits.MANIFEST_BYTES + 1)})


def test_the_reader_reads_at_most_the_limit(tmp_path: Path) -> None:
    write(tmp_path, {"metacall.json": "x" * 100})
    assert DirectoryReader(tmp_path).read("metacall.json", 10) == b"x" * 10


def test_the_apps_sources_are_read_for_the_languages_they_load(tmp_path: Path) -> None:
    """A handler no manifest names loads Python (as metacall's
    weather-dashboard-example does); installed and ignored files are not read."""
    write(tmp_path, {
        "metacall.json": json.dumps({"language_id": "node", "scripts": ["main.js"]}),
        "main.js": "require('./handlers/analyze.js');\n",
        "handlers/analyze.js": "require('metacall');\nconst a = require('./analytics.py');\n",
        "node_modules/dep/index.js": "require('./x.rb');\n",
        "old/legacy.js": "require('./x.rb');\n", ".dockerignore": "old\n"})
    scan = scan_directory(tmp_path, parse(HEAD).declaration)
    assert set(scan.script_texts) == {"main.js", "handlers/analyze.js"}
    assert [(load.language, load.script, load.line) for load in scan.loads] == [
        ("py", "handlers/analyze.js", 2)]
    assert scan.existing_scripts == {"main.js"}


def test_no_app_reads_no_sources(tmp_path: Path) -> None:
    write(tmp_path, {"main.py": "import lib.rb\n"})
    scan = scan_directory(tmp_path, parse(HEAD + "languages: [py]\n").declaration)
    assert scan.script_texts == {} and scan.loads == ()
