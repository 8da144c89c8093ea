"""A build's solve and return: configs, platforms, caches, the SBOM."""

from __future__ import annotations

import json

from frontend.pb import fsutil_pb2, llb_pb2
from frontend.request import CacheImport
from tests.unit.fake_bridge import DECLARATION, MANIFEST, FakeBridge, RpcFailure, run


def test_a_build_returns_the_result_with_its_image_config() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    kind, metadata = run(bridge, target="runtime", **{"build-arg:METACALL_PREBUILT": "none"})
    assert kind == "result"
    assert isinstance(metadata, dict)
    config = json.loads(metadata["containerimage.config"])
    assert config["config"]["Labels"]["io.metacall.languages"] == "py,node"
    assert bridge.warnings == []


def test_without_merge_diff_the_build_warns_once() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}},
                        caps_disabled=("mergeop", "diffop"))
    assert run(bridge, **{"build-arg:METACALL_PREBUILT": "none"})[0] == "result"
    assert bridge.warnings == [
        "MergeOp/DiffOp are unavailable: composing the image with copies instead"]
    merges = [op for d in bridge.solved for data in getattr(d, "def")
              if (op := llb_pb2.Op.FromString(data)).WhichOneof("op") == "merge"]
    assert merges == []


def test_cache_imports_reach_every_build_solve() -> None:
    """--cache-from: the client's caches go with each solve of the build and
    its loads begun early (not with the frontend's own reads of the
    declaration and context)."""
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    imports = [{"Type": "registry", "Attrs": {"ref": "127.0.0.1:5000/cache:app"}},
               {"type": "local", "attrs": {"src": "/tmp/cache"}}]
    kind, _ = run(bridge, **{"cache-imports": json.dumps(imports), "cache-from": "r/old:tag"})
    assert kind == "result"
    expected = (CacheImport("registry", {"ref": "127.0.0.1:5000/cache:app"}),
                CacheImport("local", {"src": "/tmp/cache"}),
                CacheImport("registry", {"ref": "r/old:tag"}))
    assert bridge.cache_imports[-1] == expected
    assert all(imports == () for imports in bridge.cache_imports[:-1])
    # The loads begun early are the build's ops: BuildKit keeps the cache
    # sources they first came with, so they carry the imports too.
    assert bridge.background_imports == [expected]


def test_several_platforms_return_a_ref_and_a_config_each() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    kind, metadata = run(bridge, platform="linux/amd64,linux/arm64")
    assert kind == "result" and isinstance(metadata, dict)
    assert set(bridge.refs) == {"linux/amd64", "linux/arm64"}
    listed = json.loads(metadata["refs.platforms"])["Platforms"]
    assert listed == [
        {"ID": "linux/amd64", "Platform": {"architecture": "amd64", "os": "linux"}},
        {"ID": "linux/arm64", "Platform": {"architecture": "arm64", "os": "linux"}}]
    for platform in ("linux/amd64", "linux/arm64"):
        assert json.loads(metadata[f"containerimage.config/{platform}"])["config"]
    arm_solve = [d for d in bridge.solved if b"arm64" in d.SerializeToString()]
    assert arm_solve, "the arm64 image's ops carry their platform"


def test_sbom_attestation_lists_what_the_image_installed() -> None:
    image = {
        "var/lib/dpkg/status": b"Package: libpython3.11\nStatus: install ok installed\n"
                               b"Architecture: amd64\nVersion: 3.11.2-6\n\n"
                               b"Package: gone\nStatus: deinstall ok config-files\n"
                               b"Version: 1\n",
        "usr/local/lib/python3.11/dist-packages/six-1.16.0.dist-info/METADATA": b"",
        "app/node_modules/.package-lock.json": json.dumps({"packages": {
            "node_modules/is-number": {"version": "7.0.0"}}}).encode(),
    }

    class ImageBridge(FakeBridge):
        def solve(self, definition, *, evaluate=False, cache_imports=()):
            name = super().solve(definition, evaluate=evaluate, cache_imports=cache_imports)
            return "image" if name == "result" else name

        def read_file(self, ref: str, path: str, *, limit: int = 0) -> bytes:
            return super().read_file(ref, path.lstrip("/"), limit=limit)

        def read_dir(self, ref: str, path: str) -> list[fsutil_pb2.Stat]:
            if ref == "image" and not any(f.startswith(path.strip("/") + "/")
                                          for f in self.files["image"]):
                raise RpcFailure()
            return super().read_dir(ref, path.strip("/") or "/")

    bridge = ImageBridge({"dockerfile": {"metacall.yaml": b"# syntax=x\n"},
                          "context": {"metacall.json": MANIFEST, "main.py": b"",
                                      "package.json": b"{}"},
                          "image": image})
    kind, _ = run(bridge, **{"attest:sbom": "type=sbom,disabled=false"})
    assert kind == "result", bridge.returned
    (platform, (attestation,)), = bridge.attestations.items()
    assert platform == "linux/amd64"
    assert attestation.inTotoPredicateType == "https://spdx.dev/Document"
    assert attestation.path == "/sbom.spdx.json"
    sbom_op = next(llb_pb2.Op.FromString(d) for definition in bridge.solved
                   for d in getattr(definition, "def")
                   if b"sbom.spdx.json" in d)
    document = json.loads(sbom_op.file.actions[0].mkfile.data)
    purls = {ref["referenceLocator"] for p in document["packages"] for ref in p["externalRefs"]}
    assert "pkg:deb/debian/libpython3.11@3.11.2-6?arch=amd64&distro=debian" in purls
    assert "pkg:pypi/six@1.16.0" in purls and "pkg:npm/is-number@7.0.0" in purls
    assert any(purl.startswith("pkg:github/metacall/core@") for purl in purls)
    assert not any("gone" in purl for purl in purls)
