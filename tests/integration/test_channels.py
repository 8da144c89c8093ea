"""Every way users reach the frontend, each a real build (fixture core):
buildctl against a standalone buildkitd v0.26, root and rootless, and
daemonless; buildx's remote driver; pushes to a registry and pulls back;
remote caches imported on a clean builder; a bake file.

scripts/channels.sh (run by scripts/test) starts the registry and the
buildkitds; without buildkitd binaries these tests skip, saying why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import CA_BUNDLE, FIXTURE_CORE, ROOT, docker, write_app
from tests.standalone import (
    REGISTRY,
    ROOT_BUILDKITD,
    ROOTLESS_BUILDKITD,
    SYNTAX,
    answers,
    buildctl,
    fixture_app,
    index_of,
    prune,
    pull_and_run,
    pushed,
    steps_that_ran,
)

pytestmark = pytest.mark.integration
REMOTE_BUILDER = "metacall-remote"
EPOCH = 1700000000


@pytest.mark.parametrize("address", [ROOT_BUILDKITD, ROOTLESS_BUILDKITD],
                         ids=["root", "rootless"])
def test_buildctl_builds_pushes_and_the_image_runs(registry_images, tmp_path,
                                                   address) -> None:
    if not answers(address):
        pytest.fail(f"no buildkitd answers at {address}: run scripts/channels.sh")
    ref = pushed("buildctl")
    done = buildctl(address, fixture_app(tmp_path / "app"),
                    "--output", f"type=image,name={ref},push=true")
    assert done.returncode == 0, done.stderr[-4000:]
    output = pull_and_run(ref)
    assert "fake metacallcli: libnode_loader.so libpy_loader.so" in output, output
    assert "λ 0" in output, output  # main.py loaded


def test_buildctl_without_a_declaration_file_builds_the_manifests_app(registry_images,
                                                                      tmp_path) -> None:
    app = fixture_app(tmp_path / "app")
    (app / "metacall.yaml").unlink()
    bare = tmp_path / "empty"
    bare.mkdir()
    done = buildctl(ROOT_BUILDKITD, app, "--local", f"dockerfile={bare}")
    assert done.returncode == 0, done.stderr[-4000:]
    assert "[app] smoke check" in done.stderr


def test_daemonless_buildctl(registry_images, tmp_path) -> None:
    ref = pushed("daemonless")
    done = buildctl(None, fixture_app(tmp_path / "app"),
                    "--output", f"type=image,name={ref},push=true", daemonless=True)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "fake metacallcli" in pull_and_run(ref)


@pytest.fixture
def remote_builder(registry_images) -> Iterator[str]:
    """buildx's remote driver pointed at the rootless buildkitd."""
    docker("buildx", "rm", REMOTE_BUILDER, check=False)
    docker("buildx", "create", "--name", REMOTE_BUILDER, "--driver", "remote",
           ROOTLESS_BUILDKITD)
    yield REMOTE_BUILDER
    docker("buildx", "rm", REMOTE_BUILDER, check=False)


def test_buildx_remote_driver_with_the_syntax_line_as_users_write_it(remote_builder,
                                                                     tmp_path) -> None:
    ref = pushed("remote")
    app = fixture_app(tmp_path / "app")
    done = docker("buildx", "build", "--builder", remote_builder, "--progress=plain",
                  "-f", str(app / "metacall.yaml"),
                  "--build-context", f"metacall-core={FIXTURE_CORE}",
                  *(["--secret", f"id=ca-certificates,src={CA_BUNDLE}"] if CA_BUNDLE.exists()
                    else []),
                  "--output", f"type=image,name={ref},push=true", str(app), check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "fake metacallcli" in pull_and_run(ref)


def test_buildx_pushes_from_the_docker_driver(registry_images, buildx, tmp_path) -> None:
    ref = pushed("buildx")
    app = fixture_app(tmp_path / "app")
    (app / "metacall.yaml").write_text(f"# syntax={registry_images}\nlanguages: [py, node]\n")
    result = buildx(app, "--build-context", f"metacall-core={FIXTURE_CORE}",
                    "--output", f"type=image,name={ref},push=true", tag=False)
    assert result.returncode == 0, result
    assert "fake metacallcli" in pull_and_run(ref)


@pytest.mark.parametrize("kind", ["registry", "local"])
def test_an_imported_cache_builds_on_a_clean_builder_without_rebuilding(
    registry_images, tmp_path, kind
) -> None:
    """--export-cache mode=max, the builder's cache pruned, --import-cache: the
    frontend hands the imports to its solves, so no step runs again."""
    app = fixture_app(tmp_path / "app", "[py, rb]")
    (app / "metacall.yaml").write_text(
        SYNTAX + f"languages: [py, rb]\ncore: {{cmake-options: [-DRUN={uuid.uuid4().hex}]}}\n")
    cache = (f"ref={REGISTRY}/cache/app-{uuid.uuid4().hex[:8]}" if kind == "registry"
             else f"dest={tmp_path / 'cache'}")
    first = buildctl(ROOT_BUILDKITD, app, "--export-cache", f"type={kind},{cache},mode=max")
    assert first.returncode == 0, first.stderr[-4000:]
    assert " [py] build MetaCall core\n" in first.stderr
    prune(ROOT_BUILDKITD)
    imported = cache.replace("dest=", "src=")
    second = buildctl(ROOT_BUILDKITD, app, "--import-cache", f"type={kind},{imported}")
    assert second.returncode == 0, second.stderr[-4000:]
    # (The smoke check is no part of the image, so no part of its cache: it
    # loads the scripts again, in well under a second.)
    ran = steps_that_ran(second.stderr)
    for step in ("[py] build MetaCall core", "[rb] configure MetaCall core",
                 "[app] link loader libraries, merge package lists"):
        assert re.search(rf"^#\d+ {re.escape(step)}$", second.stderr, re.M), step
        assert step not in ran, (step, "steps that ran again:", ran)


def test_the_bake_file_builds_the_examples(frontend_image) -> None:
    tag = f"bake-{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        ["docker", "buildx", "bake", "-f", str(ROOT / "examples" / "ci" / "docker-bake.hcl"),
         "--progress=plain", "--set", f"*.contexts.metacall-core={FIXTURE_CORE}"],
        capture_output=True, text=True, cwd=ROOT, timeout=1800,
        env={**os.environ, "TAG": tag,
             "CA_BUNDLE": str(CA_BUNDLE) if CA_BUNDLE.exists() else ""},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    for example in ("monorepo-app", "server-app", "py-app", "node-app", "polyglot-app"):
        image = f"metacall-example-{example}:{tag}"
        labels = docker("image", "inspect", image, "--format",
                        "{{index .Config.Labels \"io.metacall.target\"}}")
        docker("image", "rm", image, check=False)
        assert labels.stdout.strip() == "app", example


def test_two_builds_on_empty_caches_give_the_same_image(registry_images, tmp_path) -> None:
    """SOURCE_DATE_EPOCH and rewrite-timestamp=true: the same digest from two
    builds, the builder's cache emptied before each."""
    app = fixture_app(tmp_path / "app", "[py, node]")
    (app / "requirements.txt").write_text("six==1.16.0\n")
    shutil.copy(ROOT / "examples" / "node-app" / "package.json", app)
    shutil.copy(ROOT / "examples" / "node-app" / "package-lock.json", app)
    digests = []
    for run in (1, 2):
        prune(ROOT_BUILDKITD)
        archive = tmp_path / f"image-{run}.tar"
        done = buildctl(ROOT_BUILDKITD, app, "--opt", f"build-arg:SOURCE_DATE_EPOCH={EPOCH}",
                        "--output", f"type=oci,dest={archive},rewrite-timestamp=true")
        assert done.returncode == 0, done.stderr[-4000:]
        digests.append(index_of(archive)["manifests"][0]["digest"])
    assert digests[0] == digests[1]
    with tarfile.open(tmp_path / "image-1.tar") as oci:
        manifest = json.load(oci.extractfile(  # type: ignore[arg-type]
            "blobs/" + digests[0].replace(":", "/")))
        config = json.load(oci.extractfile(  # type: ignore[arg-type]
            "blobs/" + manifest["config"]["digest"].replace(":", "/")))
    assert config["created"] == "2023-11-14T22:13:20Z"


def test_two_platforms_give_one_index_whose_arm64_image_runs(registry_images,
                                                              tmp_path) -> None:
    base = f"{REGISTRY}/library/debian:bookworm-slim"
    listed = docker("buildx", "imagetools", "inspect", base, check=False).stdout
    if "linux/arm64" not in listed:
        pytest.fail(f"{base} has no linux/arm64 image: run scripts/emulation.sh")
    ref = pushed("platforms")
    app = write_app(tmp_path / "app", "")
    (app / "metacall.yaml").write_text(SYNTAX + "languages: [file]\n")
    done = buildctl(ROOT_BUILDKITD, app, "--opt", "platform=linux/amd64,linux/arm64",
                    "--output", f"type=image,name={ref},push=true")
    assert done.returncode == 0, done.stderr[-4000:]
    index = docker("buildx", "imagetools", "inspect", ref).stdout
    assert "linux/amd64" in index and "linux/arm64" in index, index
    try:
        ran = docker("run", "--rm", "--platform", "linux/arm64", "--entrypoint", "/bin/sh", ref,
                     "-c", "uname -m; ls /usr/local/lib", check=False)
        assert ran.returncode == 0, ran.stderr
        assert "aarch64" in ran.stdout and "libfile_loader.so" in ran.stdout, ran.stdout
    finally:
        docker("image", "rm", "-f", ref, check=False)


def test_the_sbom_attestation_lists_pip_npm_and_debian_packages(registry_images,
                                                                 tmp_path) -> None:
    app = fixture_app(tmp_path / "app", "[py, node]")
    (app / "requirements.txt").write_text("six==1.16.0\n")
    shutil.copy(ROOT / "examples" / "node-app" / "package.json", app)
    shutil.copy(ROOT / "examples" / "node-app" / "package-lock.json", app)
    ref = pushed("sbom")
    done = buildctl(ROOT_BUILDKITD, app, "--opt", "attest:sbom=", "--opt",
                    "attest:provenance=mode=max",
                    "--output", f"type=image,name={ref},push=true")
    assert done.returncode == 0, done.stderr[-4000:]
    sbom = docker("buildx", "imagetools", "inspect", ref, "--format", "{{ json .SBOM }}").stdout
    purls = re.findall(r'"referenceLocator":\s*"([^"]+)"', sbom)
    assert "pkg:pypi/six@1.16.0" in purls, sbom[:2000]
    assert "pkg:npm/is-number@7.0.0" in purls, sbom[:2000]
    assert any(p.startswith("pkg:deb/debian/libpython3.11@") for p in purls), sbom[:2000]
    assert "pkg:github/metacall/core@0.0.0-fixture" in purls, sbom[:2000]
    provenance = docker("buildx", "imagetools", "inspect", ref, "--format",
                        "{{ json .Provenance }}").stdout
    assert "buildType" in provenance, provenance[:2000]
