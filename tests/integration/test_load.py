"""Many builds at once on one buildkitd (fixture core): eight different apps
built concurrently give the very images (same digests) that eight builds in
a row give, with pip's, npm's and apt's cache mounts shared between them.
(bench/many_builds.py times it and measures the frontend's memory.)"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.standalone import SYNTAX, answers, buildctl, buildkitd_address, index_of, prune

pytestmark = pytest.mark.integration
NODE = buildkitd_address("node-amd64")
EPOCH = "1700000000"
# Eight apps: different languages, installs through pip and npm (sharing
# their caches), one of them twice at once (same steps, same time).
APPS = {
    "py": ("[py]", {"requirements.txt": "six==1.16.0\n"}),
    "node": ("[node]", {}),
    "py-node": ("[py, node]", {}),
    "rb-file": ("[rb, file]", {}),
    "node-rpc": ("[node, rpc]", {}),
    "py-npm": ("[py, node]", {"requirements.txt": "six==1.16.0\n"}),
    "twice-1": ("[node, file]", {}),
    "twice-2": ("[node, file]", {}),
}


SCRIPTS = {"py": "main.py", "node": "main.js", "rb": "main.rb"}


def write_apps(where: Path) -> dict[str, Path]:
    apps = {}
    for name, (languages, files) in APPS.items():
        app = where / name.removesuffix("-1").removesuffix("-2")
        app.mkdir(parents=True, exist_ok=True)
        (app / "metacall.yaml").write_text(SYNTAX + f"languages: {languages}\n")
        tag = languages.strip("[]").split(",")[0]
        script = SCRIPTS[tag]
        (app / "metacall.json").write_text(json.dumps({"language_id": tag, "scripts": [script]}))
        (app / script).write_text("")
        for file, text in files.items():
            (app / file).write_text(text)
        if name in ("node", "py-npm"):
            for file in ("package.json", "package-lock.json"):
                shutil.copy(ROOT / "examples" / "node-app" / file, app)
        apps[name] = app
    return apps


def digest(app: Path, archive: Path) -> str:
    done = buildctl(NODE, app, "--opt", f"build-arg:SOURCE_DATE_EPOCH={EPOCH}",
                    "--output", f"type=oci,dest={archive},rewrite-timestamp=true")
    assert done.returncode == 0, (app.name, done.stderr[-4000:])
    return str(index_of(archive)["manifests"][0]["digest"])


def test_eight_builds_at_once_give_the_images_eight_in_a_row_give(registry_images,
                                                                   tmp_path) -> None:
    if not answers(NODE):
        pytest.fail(f"no buildkitd answers at {NODE}: run scripts/channels.sh")
    apps = write_apps(tmp_path / "apps")
    prune(NODE)
    with ThreadPoolExecutor(max_workers=len(apps)) as pool:
        at_once = dict(zip(apps, pool.map(
            lambda name: digest(apps[name], tmp_path / f"{name}-at-once.tar"), apps),
            strict=True))
    prune(NODE)
    in_a_row = {name: digest(app, tmp_path / f"{name}-in-a-row.tar")
                for name, app in apps.items()}
    assert at_once == in_a_row
    # Eight builds, seven apps: twice-1 and twice-2 are one.
    assert len(set(in_a_row.values())) == len(apps) - 1, in_a_row
