"""What a route answers from, read as far as the route needs: the parsed
declaration and the context scan, then each platform's base image and
which scripts exist. Independent round trips to BuildKit run side by side:
one at a time they add up in every warm rebuild."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import IntEnum

import grpc

from frontend.compile import (
    BuildFacts,
    ParsedDeclaration,
    base_image_ref,
    base_image_source,
    decode,
    parse,
)
from frontend.gateway.bridge import Bridge
from frontend.gateway.context import BridgeReader
from frontend.gateway.reads import EarlyReads, ResolvedBase, base_image_config
from frontend.llb import marshal
from frontend.platform import Platform
from frontend.request import BuildRequest
from frontend.scan import find_scripts, scan_files

MERGE_DIFF_CAPS = ("mergeop", "diffop")


class Needs(IntEnum):
    NOTHING = 0
    CONTEXT = 1  # the declaration and the context's files
    FACTS = 2  # and the base images, the scripts, BuildKit's capabilities


@dataclass(frozen=True)
class Inputs:
    request: BuildRequest
    parsed: ParsedDeclaration | None = None
    # Per platform; with Needs.CONTEXT only the request's platform, and
    # only its context.
    facts: Mapping[Platform, BuildFacts] = field(default_factory=dict)
    # Loads under way that the build's solve takes (none for a subrequest).
    loads: tuple[grpc.Future, ...] = ()
    # MergeOp and DiffOp, when BuildKit says they are disabled, with why.
    disabled: Mapping[str, str] = field(default_factory=dict)

    @property
    def parsed_declaration(self) -> ParsedDeclaration:
        assert self.parsed is not None, "a route that needs nothing has no declaration"
        return self.parsed


def gather(bridge: Bridge, early: EarlyReads, needs: Needs, *,
           with_texts: bool = False) -> Inputs:
    request = early.request
    reader = BridgeReader(bridge, request)
    with ThreadPoolExecutor(max_workers=1 + len(request.platforms)) as pool:
        scanning = pool.submit(scan_files, reader, with_texts=with_texts)
        parsed = parse(decode(early.declaration.result()))
        if needs < Needs.FACTS:
            return Inputs(request, parsed, {request.platform: BuildFacts(
                context=scanning.result())})
        resolving = {platform: pool.submit(base_image_config, bridge, early,
                                           base_image_ref(parsed), platform)
                     for platform in request.platforms}
        context = find_scripts(reader, scanning.result(), parsed.declaration)
        bases = {platform: call.result() for platform, call in resolving.items()}
    caps = early.capabilities.result()
    disabled = {cap: reason for cap in MERGE_DIFF_CAPS if (reason := caps.disabled(cap))}
    facts = {platform: BuildFacts(base_config=base.config, base_digest=base.digest,
                                  merge_diff=not disabled,
                                  core_version=early.core_version.result(), context=context)
             for platform, base in bases.items()}
    return Inputs(request, parsed, facts, _loads(bridge, early, parsed, bases), disabled)


def _loads(bridge: Bridge, early: EarlyReads, parsed: ParsedDeclaration,
           bases: Mapping[Platform, ResolvedBase]) -> tuple[grpc.Future, ...]:
    """For a build, the sources loaded while the rest is read and compiled,
    not after the return."""
    request = early.request
    if request.request_id:
        return ()
    return (*early.transfers, *(base.load or bridge.load_in_background(marshal(
        base_image_source(parsed, platform, base.digest)), request.cache_imports)
        for platform, base in bases.items()))
