"""Source operations: what a graph starts from (images, the client's
directories, git repositories, files over HTTPS)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from frontend.llb.state import Node, State
from frontend.pb import llb_pb2 as pb


def image(ref: str, *, platform: pb.Platform, name: str | None = None) -> State:
    """A container image, by a normalized reference (docker.io/library/…)."""
    op = pb.Op(source=pb.SourceOp(identifier=f"docker-image://{ref}"), platform=platform)
    return State(Node(op, (), name or f"load base image {ref}"))


def local(
    name: str,
    *,
    session_id: str = "",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    follow_paths: Sequence[str] = (),
    label: str | None = None,
    shared_key: str = "",
) -> State:
    """A directory the client sends (a build context). Without a session the
    solve request's own session provides it (buildctl --local). BuildKit
    keeps one copy per shared key (default: the name) and syncs it to each
    load's filters: a load with other filters takes a key of its own, or
    the loads re-send each other's files on every build."""
    attrs = {"local.sharedkeyhint": shared_key or name}
    if session_id:
        attrs["local.session"] = session_id
    if include:
        attrs["local.includepattern"] = json.dumps(list(include))
    if exclude:
        attrs["local.excludepatterns"] = json.dumps(list(exclude))
    if follow_paths:
        attrs["local.followpaths"] = json.dumps(list(follow_paths))
    op = pb.Op(source=pb.SourceOp(identifier=f"local://{name}", attrs=attrs))
    return State(Node(op, (), label or f"load build context {name}"))


def git(remote: str, ref: str, *, name: str | None = None) -> State:
    """A git repository at a ref; `remote` is an https URL."""
    host_path = remote.split("://", 1)[-1].removesuffix("/")
    identifier = f"git://{host_path}#{ref}"
    attrs = {"git.fullurl": remote, "git.keepgitdir": "false"}
    op = pb.Op(source=pb.SourceOp(identifier=identifier, attrs=attrs))
    return State(Node(op, (), name or f"fetch {remote}#{ref}"))


def http(url: str, *, checksum: str, filename: str, name: str | None = None) -> State:
    """A file BuildKit downloads itself, checked against (and cached by) its
    sha256 `checksum`: a directory holding it as `filename`."""
    attrs = {"http.checksum": checksum, "http.filename": filename}
    op = pb.Op(source=pb.SourceOp(identifier=url, attrs=attrs))
    return State(Node(op, (), name or f"download {url}"))
