"""A typed client of BuildKit's LLBBridge service."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc

from frontend.pb import caps_pb2, fsutil_pb2, gateway_pb2, llb_pb2, status_pb2
from frontend.pb import gateway_pb2_grpc as gateway_grpc
from frontend.request import CacheImport


@dataclass(frozen=True)
class Capabilities:
    llb: dict[str, caps_pb2.APICap]

    def disabled(self, cap_id: str) -> str | None:
        """Why an LLB capability is off, or None when it is on."""
        cap = self.llb.get(cap_id)
        if cap is None:
            return "not supported by this BuildKit"
        if cap.Enabled:
            return None
        return cap.DisabledReasonMsg or cap.DisabledReason or "disabled"


class Bridge:
    def __init__(self, channel: grpc.Channel) -> None:
        self._stub = gateway_grpc.LLBBridgeStub(channel)
        self._returned = False

    def ping(self) -> Capabilities:
        pong = self._stub.Ping(gateway_pb2.PingRequest(), wait_for_ready=True, timeout=30)
        return Capabilities({cap.ID: cap for cap in pong.LLBCaps})

    def solve(self, definition: llb_pb2.Definition, *, evaluate: bool = False,
              cache_imports: Sequence[CacheImport] = ()) -> str:
        """Solves a definition and returns its result's ref id; BuildKit looks
        for cached results in `cache_imports` too."""
        response = self._stub.Solve(_solve_request(definition, evaluate, cache_imports))
        return response.result.ref.id if response.result.HasField("ref") else response.ref

    def load_in_background(self, definition: llb_pb2.Definition,
                           cache_imports: Sequence[CacheImport] = ()) -> grpc.Future:
        """Starts building a definition and returns at once. BuildKit keeps
        what it builds for the build's own solve of the same ops (with the
        cache imports the ops first came with: give the build's own); the
        call is cancelled if the frontend ends first."""
        return self._stub.Solve.future(_solve_request(definition, True, cache_imports))

    def read_file(self, ref: str, path: str, *, limit: int = 0) -> bytes:
        """The file's bytes; with `limit`, at most that many."""
        request = gateway_pb2.ReadFileRequest(Ref=ref, FilePath=path)
        if limit:
            request.Range.CopyFrom(gateway_pb2.FileRange(Offset=0, Length=limit))
        return self._stub.ReadFile(request).Data

    def read_dir(self, ref: str, path: str) -> list[fsutil_pb2.Stat]:
        return list(self._stub.ReadDir(gateway_pb2.ReadDirRequest(Ref=ref, DirPath=path)).entries)

    def resolve_image(self, ref: str, platform: llb_pb2.Platform, *,
                      timeout: float | None = None) -> tuple[str, dict[str, Any]]:
        """The image's manifest digest for `platform`, and its config."""
        response = self._stub.ResolveImageConfig(
            gateway_pb2.ResolveImageConfigRequest(
                Ref=ref, Platform=platform, ResolveMode="default",
                LogName=f"[internal] load metadata for {ref}",
            ),
            timeout=timeout,
        )
        return response.Digest, json.loads(response.Config)

    def warn(self, short: str, detail: list[str], *, digest: str = "") -> None:
        """A WARN line in the user's build output."""
        self._stub.Warn(
            gateway_pb2.WarnRequest(
                digest=digest, level=1, short=short.encode(),
                detail=[line.encode() for line in detail],
            )
        )

    def return_result(
        self, refs: Mapping[str, str], metadata: Mapping[str, bytes],
        attestations: Mapping[str, Sequence[gateway_pb2.Attestation]] | None = None,
    ) -> None:
        """The build's result: {"": ref} for one image, else a ref per
        platform ID (with `refs.platforms` in the metadata); attestations
        (SBOMs) by platform ID."""
        attached = {platform: gateway_pb2.Attestations(attestation=list(found))
                    for platform, found in (attestations or {}).items()}
        if set(refs) == {""}:
            result = gateway_pb2.Result(ref=gateway_pb2.Ref(id=refs[""]), metadata=metadata,
                                        attestations=attached)
        else:
            result = gateway_pb2.Result(
                refs=gateway_pb2.RefMap(refs={platform: gateway_pb2.Ref(id=ref)
                                              for platform, ref in refs.items()}),
                metadata=metadata, attestations=attached)
        self._return(gateway_pb2.ReturnRequest(result=result))

    def return_metadata(self, metadata: dict[str, bytes]) -> None:
        """A result without a filesystem, as subrequests return."""
        self._return(gateway_pb2.ReturnRequest(result=gateway_pb2.Result(metadata=metadata)))

    def return_error(self, status: status_pb2.Status) -> None:
        self._return(gateway_pb2.ReturnRequest(error=status))

    def _return(self, request: gateway_pb2.ReturnRequest) -> None:
        # BuildKit accepts exactly one Return per frontend run.
        if self._returned:
            raise RuntimeError("Return was already called")
        self._returned = True
        self._stub.Return(request)


def _solve_request(definition: llb_pb2.Definition, evaluate: bool,
                   cache_imports: Sequence[CacheImport]) -> gateway_pb2.SolveRequest:
    return gateway_pb2.SolveRequest(
        Definition=definition, allowResultReturn=True, Evaluate=evaluate,
        allowResultArrayRef=True,  # else BuildKit answers with a deprecated field
        CacheImports=[gateway_pb2.CacheOptionsEntry(Type=c.type, Attrs=dict(c.attrs))
                      for c in cache_imports],
    )
