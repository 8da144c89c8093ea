"""A build's last steps: take published layers, solve each platform's
image and its smoke check, and return them with their configs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import grpc

from frontend.compile import (
    KEY_LABEL,
    NO_PREBUILT,
    PREBUILT_ARG,
    BuildFacts,
    Candidate,
    Compiled,
    ParsedDeclaration,
    compile_declaration,
    prebuilt_candidates,
)
from frontend.gateway import sbom
from frontend.gateway.bridge import Bridge
from frontend.gateway.timing import Clock
from frontend.platform import Platform
from frontend.request import BuildRequest

CONFIG_KEY = "containerimage.config"
# A prebuilt layer only saves time: a registry slower than this to answer
# (one that is unreachable without failing at once, say) is not waited for.
LOOKUP_SECONDS = 15.0


def solve_with_checks(bridge: Bridge, compiled: Compiled, request: BuildRequest) -> str:
    """Solves the result, then its checks; a failing check fails the build.
    With checks the result is evaluated (built now, not at export), and so
    with an SBOM, to read it. A check runs on the built result, so solving
    it second loses no time, and no two solves race for the same steps."""
    imports = request.cache_imports
    ref = bridge.solve(compiled.definition, evaluate=request.sbom or bool(compiled.checks),
                       cache_imports=imports)
    for check in compiled.checks:
        bridge.solve(check, evaluate=True, cache_imports=imports)
    return ref


def take_prebuilt(bridge: Bridge, parsed: ParsedDeclaration, request: BuildRequest,
                  facts: Mapping[Platform, BuildFacts]) -> dict[Platform, BuildFacts]:
    """With a repository of prebuilt layers: per platform, the published
    layers whose key is the layer's own, pinned by digest. The others build
    from source, and one warning says which and why."""
    looked_for = {platform: prebuilt_candidates(parsed, replace(request, platform=platform), one)
                  for platform, one in facts.items()}
    repository = next(iter(looked_for.values()))[0]
    wanted = [(platform, name, candidate) for platform, (_, candidates) in looked_for.items()
              for name, candidate in candidates.items()]
    if not wanted:
        return dict(facts)
    with ThreadPoolExecutor(max_workers=min(8, len(wanted))) as pool:
        looked = list(pool.map(lambda item: _look_up(bridge, item[0], item[2]), wanted))
    taken: dict[Platform, dict[str, str]] = {platform: {} for platform in facts}
    missing = []
    for (platform, name, _), (ref, reason) in zip(wanted, looked, strict=True):
        if ref:
            taken[platform][name] = ref
        else:
            missing.append(f"{name} ({platform}): {reason}")
    if missing:
        bridge.warn(f"{len(missing)} of {len(wanted)} prebuilt layers are not in {repository}: "
                    "building them from source", [*missing, (
                        f"`core.prebuilt: {NO_PREBUILT}` (or --build-arg "
                        f"{PREBUILT_ARG}={NO_PREBUILT}) builds from source without looking")])
    return {platform: replace(one, prebuilt=taken[platform]) for platform, one in facts.items()}


def _look_up(bridge: Bridge, platform: Platform, candidate: Candidate) -> tuple[str, str]:
    """(the candidate pinned by digest, "") or ("", why it is not taken)."""
    try:
        digest, config = bridge.resolve_image(candidate.ref, platform.to_pb(),
                                              timeout=LOOKUP_SECONDS)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            return "", f"the registry did not answer in {LOOKUP_SECONDS:.0f} s"
        details = (error.details() or str(error.code())).strip().splitlines()
        return "", details[-1] if details else "not found"
    if ((config.get("config") or {}).get("Labels") or {}).get(KEY_LABEL) != candidate.key:
        return "", f"{candidate.ref} was built from other inputs (its key differs)"
    return f"{candidate.ref}@{digest}", ""


def solve_platforms(bridge: Bridge, parsed: ParsedDeclaration, request: BuildRequest,
                    facts: Mapping[Platform, BuildFacts], clock: Clock) -> None:
    """Compiles and solves the image for each platform, side by side, and
    returns them: one ref, or (several platforms) a ref per platform with
    the `refs.platforms` list the exporter makes an image index from."""
    compiled = {platform: compile_declaration(parsed, replace(request, platform=platform),
                                              facts[platform])
                for platform in request.platforms}
    clock.mark("compile")
    with ThreadPoolExecutor(max_workers=len(compiled)) as pool:
        solving = {platform: pool.submit(solve_with_checks, bridge, one, request)
                   for platform, one in compiled.items()}
        refs = {platform: call.result() for platform, call in solving.items()}
    clock.mark("solve")
    attestations = {
        str(platform): [sbom.attestation(bridge, ref, compiled[platform],
                                         _sbom_name(parsed, platform), request.source_date_epoch)]
        for platform, ref in refs.items()} if request.sbom else {}
    # The exporter matches attestations to images by these IDs, one image or several.
    listed = [{"ID": str(platform), "Platform": platform.to_oci()} for platform in refs]
    metadata = {"refs.platforms": json.dumps({"Platforms": listed}).encode()}
    if len(refs) == 1:
        (platform, ref), = refs.items()
        metadata[CONFIG_KEY] = json.dumps(compiled[platform].config).encode()
        bridge.return_result({"": ref}, metadata, attestations)
        return
    metadata |= {f"{CONFIG_KEY}/{platform}": json.dumps(one.config).encode()
                 for platform, one in compiled.items()}
    bridge.return_result({str(platform): ref for platform, ref in refs.items()}, metadata,
                         attestations)


def _sbom_name(parsed: ParsedDeclaration, platform: Platform) -> str:
    languages = "-".join(parsed.declaration.languages or ("app",))
    return f"metacall-{languages}-{str(platform).replace('/', '-')}"
