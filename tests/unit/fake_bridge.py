"""A stand-in for BuildKit's LLBBridge, and a gateway run against it: the
declaration and the context's files answered by the local source each
solve names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import grpc

from frontend.gateway.bridge import Capabilities
from frontend.gateway.context import DIRECTORY_MODE
from frontend.gateway.handle import handle
from frontend.llb import op_digest
from frontend.pb import caps_pb2, fsutil_pb2, llb_pb2, status_pb2
from frontend.request import CacheImport

DECLARATION = b"# syntax=metacall/frontend\nlanguages: [py, node]\n"
MANIFEST = b'{"language_id": "py", "path": ".", "scripts": ["main.py"]}'


class RpcFailure(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode = grpc.StatusCode.NOT_FOUND) -> None:
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

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
    warning_details: list[list[str]] = field(default_factory=list)
    cache_imports: list[tuple[CacheImport, ...]] = field(default_factory=list)
    # Images a registry holds (prebuilt layers): ref -> config.
    images: dict[str, dict] = field(default_factory=dict)
    # What the registry answers for an image it does not hold.
    registry_answer: grpc.StatusCode = grpc.StatusCode.NOT_FOUND
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
                entries[first] = DIRECTORY_MODE if rest else 0o644
        return [fsutil_pb2.Stat(path=name, mode=mode,
                                size=len(self.files[ref].get(prefix + name, b"")))
                for name, mode in sorted(entries.items())]

    def resolve_image(self, ref: str, platform: llb_pb2.Platform, *,
                      timeout: float | None = None) -> tuple[str, dict]:
        self.resolved.append(ref)
        if ref.startswith("docker.io/library/"):  # the base image
            return "sha256:" + "cd" * 32, {"architecture": "amd64", "os": "linux",
                                            "config": {"Env": ["PATH=/bin"]}}
        if ref not in self.images:
            raise RpcFailure(self.registry_answer)
        return "sha256:" + "ab" * 32, self.images[ref]

    def warn(self, short: str, detail: list[str], *, digest: str = "") -> None:
        self.warnings.append(short)
        self.warning_details.append(detail)

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
    handle(bridge, {"BUILDKIT_SESSION_ID": "s1", **options(**values)})  # type: ignore[arg-type]
    assert len(bridge.returned) == 1, "exactly one Return per run"
    return bridge.returned[0]


def source_ops(definition: llb_pb2.Definition) -> dict[str, llb_pb2.SourceOp]:
    """The definition's source ops by their digest."""
    ops = {op_digest(data): llb_pb2.Op.FromString(data) for data in getattr(definition, "def")}
    return {digest: op.source for digest, op in ops.items() if op.HasField("source")}
