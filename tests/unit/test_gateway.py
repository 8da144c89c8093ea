"""The gateway's run against a stand-in bridge: options parsed once into a
typed request, subrequests answered, every failure one Return with a status."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import grpc
import pytest

from frontend.gateway import frontend as gateway
from frontend.gateway.bridge import Capabilities
from frontend.gateway.errors import SOURCE_TYPE_URL, UNKNOWN
from frontend.gateway.start import request_from_environment
from frontend.llb import op_digest
from frontend.pb import caps_pb2, errdefs_pb2, fsutil_pb2, llb_pb2, status_pb2
from frontend.request import BuildRequest, CacheImport, RequestError

DECLARATION = b"# syntax=metacall/frontend\nlanguages: [py, node]\n"
MANIFEST = b'{"language_id": "py", "path": ".", "scripts": ["main.py"]}'


class RpcFailure(grpc.RpcError):
    def details(self) -> str:
        return "no such file"


@dataclass
class FakeBridge:
    """Answers as BuildKit would: the declaration and the context's files
    by the local source each solve names."""

    files: dict[str, dict[str, bytes]]
    caps_disabled: tuple[str, ...] = ()
    returned: list[tuple[str, object]] = field(default_factory=list)
    solved: list[llb_pb2.Definition] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cache_imports: list[tuple[CacheImport, ...]] = field(default_factory=list)
    # Images a registry holds (prebuilt layers): ref -> config.
    images: dict[str, dict] = field(default_factory=dict)
    loaded_in_background: list[llb_pb2.Definition] = field(default_factory=list)
    background_imports: list[tuple[CacheImport, ...]] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.files.setdefault("context", {})  # buildx and buildctl always send one

    def ping(self) -> Capabilities:
        return Capabilities({cap: caps_pb2.APICap(ID=cap, Enabled=cap not in self.caps_disabled,
                                                  DisabledReason="classic store")
                             for cap in ("mergeop", "diffop")})

    def solve(self, definition: llb_pb2.Definition, *, evaluate: bool = False,
              cache_imports: Sequence[CacheImport] = ()) -> str:
        self.solved.append(definition)
        self.cache_imports.append(tuple(cache_imports))
        op = llb_pb2.Op()
        op.ParseFromString(getattr(definition, "def")[0])
        if len(getattr(definition, "def")) == 2 and op.source.identifier.startswith("local://"):
            name = op.source.identifier.removeprefix("local://")
            if name not in self.files:
                raise RpcFailure()  # the client sent no such local directory
            return name
        return "result"

    def load_in_background(self, definition: llb_pb2.Definition,
                           cache_imports: Sequence[CacheImport] = ()) -> Future[str]:
        self.loaded_in_background.append(definition)
        self.background_imports.append(tuple(cache_imports))
        done: Future[str] = Future()
        done.set_result("loaded")
        return done

    def read_file(self, ref: str, path: str, *, limit: int = 0) -> bytes:
        try:
            return self.files[ref][path][:limit or None]
        except KeyError:
            raise RpcFailure() from None

    def read_dir(self, ref: str, path: str) -> list[fsutil_pb2.Stat]:
        """The entries of one folder, as fsutil lists them (folders with ModeDir)."""
        prefix = "" if path == "/" else f"{path}/"
        entries: dict[str, int] = {}
        for name in self.files.get(ref, {}):
            if name.startswith(prefix):
                first, _, rest = name.removeprefix(prefix).partition("/")
                entries[first] = gateway.DIRECTORY_MODE if rest else 0o644
        return [fsutil_pb2.Stat(path=name, mode=mode,
                                size=len(self.files[ref].get(prefix + name, b"")))
                for name, mode in sorted(entries.items())]

    def resolve_image(self, ref: str, platform: llb_pb2.Platform, *,
                      timeout: float | None = None) -> tuple[str, dict]:
        self.resolved.append(ref)
        if ref.startswith("docker.io/"):  # the base image
            return "sha256:" + "cd" * 32, {"architecture": "amd64", "os": "linux",
                                            "config": {"Env": ["PATH=/bin"]}}
        if ref not in self.images:
            raise RpcFailure()
        return "sha256:" + "ab" * 32, self.images[ref]

    def warn(self, short: str, detail: list[str], *, digest: str = "") -> None:
        self.warnings.append(short)

    def return_result(self, refs: Mapping[str, str], metadata: Mapping[str, bytes],
                      attestations: Mapping[str, list] | None = None) -> None:
        self.refs = dict(refs)
        self.attestations = dict(attestations or {})
        self.returned.append(("result", metadata))

    def return_metadata(self, metadata: dict[str, bytes]) -> None:
        self.returned.append(("metadata", metadata))

    def return_error(self, status: status_pb2.Status) -> None:
        self.returned.append(("error", status))


def options(**values: str) -> dict[str, str]:
    return {f"BUILDKIT_FRONTEND_OPT_{i}": f"{key}={value}"
            for i, (key, value) in enumerate(values.items())}


def run(bridge: FakeBridge, **values: str) -> tuple[str, object]:
    gateway.build(bridge, {"BUILDKIT_SESSION_ID": "s1", **options(**values)})  # type: ignore[arg-type]
    assert len(bridge.returned) == 1, "exactly one Return per run"
    return bridge.returned[0]


def test_options_become_a_typed_request() -> None:
    request = request_from_environment({
        "BUILDKIT_SESSION_ID": "s1",
        "BUILDKIT_WORKERS": '[{"platforms": [{"OS": "linux", "Architecture": "arm64"}]}]',
        **options(**{"filename": "app.yaml", "target": "cli", "no-cache": "",
                     "context:metacall-core": "local:core", "build-arg:A": "x=y",
                     "contextkey": "ctx"}),
    })
    assert request == BuildRequest(
        filename="app.yaml", filename_given=True, target="cli", platform="linux/arm64",
        platforms=("linux/arm64",), session_id="s1",
        contexts={"metacall-core": "local:core"}, build_args={"A": "x=y"}, no_cache=True,
        context_name="ctx",
    )


def source_ops(definition: llb_pb2.Definition) -> dict[str, llb_pb2.SourceOp]:
    """The definition's source ops by their digest."""
    ops = {op_digest(data): llb_pb2.Op.FromString(data) for data in getattr(definition, "def")}
    return {digest: op.source for digest, op in ops.items() if op.HasField("source")}


def test_core_plthook_and_the_base_image_load_before_the_solve() -> None:
    """As the same ops the result loads, so BuildKit loads each once; core
    without a checkout's history and build tree; other contexts only when
    a step reads them."""
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    assert run(bridge, **{"context:metacall-core": "local:core", "context:plthook": "local:ph",
                          "context:tinycc": "local:tcc"})[0] == "result"
    transferred = {digest: op for definition in bridge.loaded_in_background
                   for digest, op in source_ops(definition).items()}
    assert sorted(op.identifier for op in transferred.values()) == [
        f"docker-image://docker.io/library/debian:bookworm-slim@sha256:{'cd' * 32}",
        "local://core", "local://ph"]
    assert transferred.items() <= source_ops(bridge.solved[-1]).items()
    [core] = [op for op in transferred.values() if op.identifier == "local://core"]
    excluded = json.loads(core.attrs["local.excludepatterns"])
    assert excluded[:3] == [".git", "build", "source/tests/*"]
    assert "!source/tests/CMakeLists.txt" in excluded


def test_core_tests_load_all_of_cores_source_under_a_key_of_their_own() -> None:
    declaration = DECLARATION + b"core:\n  tests: true\n"
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    assert run(bridge, **{"context:metacall-core": "local:core"})[0] == "result"
    [core] = [op for op in source_ops(bridge.solved[-1]).values()
              if op.identifier == "local://core"]
    assert json.loads(core.attrs["local.excludepatterns"]) == [".git", "build"]
    assert core.attrs["local.sharedkeyhint"] == "core-with-tests"


@pytest.mark.parametrize("declaration", [DECLARATION, DECLARATION + b"base-image: ubuntu:24.04\n"])
def test_the_base_image_is_loaded_once_before_the_solve_as_the_solve_loads_it(
    declaration: bytes,
) -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    assert run(bridge)[0] == "result"
    loaded = [op.identifier for definition in bridge.loaded_in_background
              for op in source_ops(definition).values()]
    [base] = [identifier for identifier in loaded if identifier.startswith("docker-image://")]
    assert base in {op.identifier for op in source_ops(bridge.solved[-1]).values()}


def test_the_base_image_is_pinned_to_the_digest_its_config_came_with() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    assert run(bridge)[0] == "result"
    images = {op.identifier for op in source_ops(bridge.solved[-1]).values()
              if op.identifier.startswith("docker-image://")}
    assert images == {f"docker-image://docker.io/library/debian:bookworm-slim@sha256:{'cd' * 32}"}
    metadata = bridge.returned[0][1]
    assert isinstance(metadata, dict)
    labels = json.loads(metadata["containerimage.config"])["config"]["Labels"]
    assert labels["org.opencontainers.image.base.digest"] == f"sha256:{'cd' * 32}"


@pytest.mark.parametrize(("declaration", "resolved"), [
    (DECLARATION, "docker.io/library/debian:bookworm-slim"),
    (DECLARATION + b"base-image: ubuntu:24.04\n", "docker.io/library/ubuntu:24.04"),
    (DECLARATION + b"base_image: debian:bookworm-slim\n", "docker.io/library/debian:bookworm-slim"),
])
def test_the_base_image_is_resolved_once(declaration: bytes, resolved: str) -> None:
    """The default one as soon as the declaration is read, when its text
    names no base; another once the declaration is parsed."""
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": declaration}})
    assert run(bridge)[0] == "result"
    assert bridge.resolved == [resolved]


def test_subrequests_transfer_nothing() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    run(bridge, requestid="frontend.outline", **{"context:metacall-core": "local:core"})
    assert bridge.loaded_in_background == []


def test_defaults_and_several_platforms() -> None:
    request = BuildRequest.from_options({})
    assert (request.filename, request.target, request.platform) == (
        "metacall.yaml", None, "linux/amd64")
    several = BuildRequest.from_options({"platform": "linux/amd64,linux/arm64/v8,linux/arm"})
    assert several.platforms == ("linux/amd64", "linux/arm64", "linux/arm/v7")
    with pytest.raises(RequestError, match="SOURCE_DATE_EPOCH is `yesterday`"):
        BuildRequest.from_options({"build-arg:SOURCE_DATE_EPOCH": "yesterday"})


def test_a_build_returns_the_result_with_its_image_config() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    kind, metadata = run(bridge, target="runtime")
    assert kind == "result"
    assert isinstance(metadata, dict)
    config = json.loads(metadata["containerimage.config"])
    assert config["config"]["Labels"]["io.metacall.languages"] == "py,node"
    assert bridge.warnings == []


def test_without_merge_diff_the_build_warns_once() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}},
                        caps_disabled=("mergeop", "diffop"))
    assert run(bridge)[0] == "result"
    assert bridge.warnings == [
        "MergeOp/DiffOp are unavailable: composing the image with copies instead"]
    merges = [op for d in bridge.solved for data in getattr(d, "def")
              if (op := llb_pb2.Op.FromString(data)).WhichOneof("op") == "merge"]
    assert merges == []


def test_targets_subrequest_marks_the_default_for_this_context() -> None:
    runtime = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    kind, metadata = run(runtime, requestid="frontend.targets")
    assert kind == "metadata" and isinstance(metadata, dict)
    listed = json.loads(metadata["result.json"])["targets"]
    assert [t["name"] for t in listed] == ["deps", "dev", "runtime", "cli", "app", "layer"]
    assert [t["name"] for t in listed if t.get("default")] == ["runtime"]
    assert b"runtime (default)" in metadata["result.txt"]
    app = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION},
                      "context": {"metacall-py.json": MANIFEST}})
    _, metadata = run(app, requestid="frontend.targets")
    assert isinstance(metadata, dict)
    listed = json.loads(metadata["result.json"])["targets"]
    assert [t["name"] for t in listed if t.get("default")] == ["app"]


def test_describe_lists_the_subrequests() -> None:
    kind, metadata = run(FakeBridge({}), requestid="frontend.subrequests.describe")
    assert kind == "metadata" and isinstance(metadata, dict)
    names = [entry["name"] for entry in json.loads(metadata["result.json"])]
    assert names == ["frontend.subrequests.describe", "frontend.targets", "frontend.outline",
                     "frontend.lint"]


def test_a_declaration_error_carries_its_file_line_and_text() -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION + b"langauges: [rb]\n"}})
    kind, status = run(bridge)
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.code == UNKNOWN
    assert status.message.startswith("metacall.yaml: unknown key `langauges`")
    (detail,) = status.details
    assert detail.type_url == SOURCE_TYPE_URL
    source = errdefs_pb2.Source.FromString(detail.value)
    assert (source.info.filename, source.ranges[0].start.line) == ("metacall.yaml", 3)
    assert source.info.data == DECLARATION + b"langauges: [rb]\n"


@pytest.mark.parametrize(("values", "message"), [
    ({"requestid": "frontend.convertllb"}, "metacall frontend: unsupported subrequest "
                                           "`frontend.convertllb`"),
    ({"build-arg:SOURCE_DATE_EPOCH": "x"}, "metacall frontend: SOURCE_DATE_EPOCH is `x`"),
    ({"filename": "missing.yaml"}, "metacall frontend: no such file"),
    ({"context:metacall-core": "ftp://core"}, "metacall frontend: build context "
                                              "`metacall-core=ftp://core` is not local:"),
])
def test_request_failures_are_one_readable_status(values: dict, message: str) -> None:
    bridge = FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}})
    kind, status = run(bridge, **values)
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.code == UNKNOWN and status.message.startswith(message), status.message
    assert not status.details


def test_an_unexpected_exception_is_one_line_not_a_traceback(monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(gateway, "compile_declaration", broken)
    kind, status = run(FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}}))
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == "metacall frontend failed: KeyError: 'boom'"


def test_without_a_declaration_file_the_manifests_decide() -> None:
    """buildctl with only `--local context=…`: no declaration context, no file."""
    bridge = FakeBridge({"context": {"api/metacall.json": b'{"language_id": "node", '
                                     b'"scripts": ["index.js"]}', "api/index.js": b""}})
    kind, metadata = run(bridge)
    assert kind == "result" and isinstance(metadata, dict), metadata
    config = json.loads(metadata["containerimage.config"])["config"]
    assert config["Entrypoint"] == ["/usr/local/bin/metacall-app"]
    assert config["Labels"]["io.metacall.languages"] == "node"


def test_a_named_declaration_file_that_is_missing_is_an_error() -> None:
    kind, status = run(FakeBridge({"context": {}}), filename="app.yaml")
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == "metacall frontend: no such file"


def test_the_context_is_scanned_in_every_folder_and_scripts_are_checked() -> None:
    bridge = FakeBridge({
        "dockerfile": {"metacall.yaml": b"# syntax=metacall/frontend\n"},
        "context": {"svc/metacall.json": b'{"language_id": "py", "scripts": ["main.py"]}'},
    })
    kind, status = run(bridge)
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == ("svc/metacall.json: names `svc/main.py`, which is not in the "
                              "build context")
    (detail,) = status.details
    assert errdefs_pb2.Source.FromString(detail.value).info.filename == "svc/metacall.json"


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


def test_bad_cache_imports_are_a_readable_error() -> None:
    kind, status = run(FakeBridge({}), **{"cache-imports": "{not json"})
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message.startswith("metacall frontend: the cache-imports option is not")


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


def test_a_failed_step_goes_back_with_buildkits_own_status(monkeypatch) -> None:
    """buildx prints a failed step (its output, its line) from the details
    BuildKit attached: they go back unchanged."""
    original = status_pb2.Status(code=UNKNOWN, message='process "/bin/sh x" did not complete')
    original.details.add(type_url="github.com/moby/buildkit/solver/errdefs.Solve", value=b"v")

    class StepFailure(grpc.RpcError):
        def details(self) -> str:
            return original.message

        def trailing_metadata(self) -> tuple:
            return (("grpc-status-details-bin", original.SerializeToString()),)

    def failing(*args: object) -> None:
        raise StepFailure()

    monkeypatch.setattr(gateway, "solve_platforms", failing)
    kind, status = run(FakeBridge({"dockerfile": {"metacall.yaml": DECLARATION}}))
    assert kind == "error" and status == original


class SilentRegistry(FakeBridge):
    def resolve_image(self, ref: str, platform: llb_pb2.Platform, *,
                      timeout: float | None = None) -> tuple[str, dict]:
        assert timeout is not None  # a registry that never answers must not hold the build

        class Deadline(grpc.RpcError):
            def code(self) -> grpc.StatusCode:
                return grpc.StatusCode.DEADLINE_EXCEEDED

        raise Deadline()


def test_a_base_image_registry_that_does_not_answer_is_a_readable_error() -> None:
    kind, status = run(SilentRegistry({"dockerfile": {"metacall.yaml": DECLARATION}}))
    assert kind == "error" and isinstance(status, status_pb2.Status)
    assert status.message == ("metacall frontend: the registry of the base image "
                              "docker.io/library/debian:bookworm-slim did not answer within 120 s")
