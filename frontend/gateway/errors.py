"""Errors as BuildKit shows them: a google.rpc.Status, with the declaration's
line attached as an `errdefs.Source` detail so buildx prints file:line and
an excerpt, as it does for Dockerfiles."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2

from frontend.declaration import DeclarationError, SourceText
from frontend.pb import errdefs_pb2, llb_pb2, status_pb2

# grpc's Unknown, as Go frontends return: buildx then prints the bare message
# (other codes repeat their name once per hop).
UNKNOWN = 2
# The type URL BuildKit's own errors carry (typeurl of the errdefs.Source message).
SOURCE_TYPE_URL = "errdefs.Source"
# Where gRPC carries a call's full google.rpc.Status.
STATUS_DETAILS_KEY = "grpc-status-details-bin"


def declaration_status(error: DeclarationError, filename: str, text: str) -> status_pb2.Status:
    """The error, pointing into the declaration (`filename`, `text`) or into
    the file of the user's it names (a manifest)."""
    source_file = error.source or SourceText(filename, text)
    status = status_pb2.Status(code=UNKNOWN, message=f"{source_file.filename}: {error.message}")
    if error.line:
        source = errdefs_pb2.Source(
            info=llb_pb2.SourceInfo(filename=source_file.filename,
                                    data=source_file.text.encode(),
                                    language=source_file.language),
            ranges=[
                llb_pb2.Range(
                    start=llb_pb2.Position(line=error.line),
                    end=llb_pb2.Position(line=error.end_line),
                )
            ],
        )
        status.details.append(
            any_pb2.Any(type_url=SOURCE_TYPE_URL, value=source.SerializeToString())
        )
    return status


def plain_status(message: str) -> status_pb2.Status:
    return status_pb2.Status(code=UNKNOWN, message=message)


def rpc_status(error: grpc.RpcError) -> status_pb2.Status | None:
    """The full status BuildKit sent with a failed call (with the details
    buildx prints a failed step from), if it sent one."""
    trailing = getattr(error, "trailing_metadata", lambda: None)() or ()
    for key, value in trailing:
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            return status_pb2.Status.FromString(value)
    return None
