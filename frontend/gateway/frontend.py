"""The frontend's run inside buildkitd: options in, one Return out."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import grpc

from frontend import limits
from frontend.compile import (
    KEY_LABEL,
    BuildFacts,
    Candidate,
    Compiled,
    ContextFiles,
    base_image_ref,
    base_image_source,
    compile_declaration,
    dependency_files_source,
    is_manifest,
    list_targets,
    named_scripts,
    parse,
    prebuilt_candidates,
)
from frontend.declaration import DeclarationError, ParsedDeclaration, decode
from frontend.declaration.dockerignore import FILENAME as DOCKERIGNORE_FILE
from frontend.gateway import sbom, subrequests
from frontend.gateway.bridge import Bridge
from frontend.gateway.errors import declaration_status, plain_status, rpc_status
from frontend.gateway.start import (
    REGISTRY_SECONDS,
    EarlyReads,
    base_image_config,
    request_from_environment,
    start_reads,
    wait_for,
)
from frontend.inspect import Inspection, lint, outline
from frontend.llb import local, marshal
from frontend.pb import fsutil_pb2
from frontend.request import BuildRequest, RequestError
from frontend.sources import parse_platform

log = logging.getLogger("metacall-frontend")
MERGE_DIFF_CAPS = ("mergeop", "diffop")
DIRECTORY_MODE = 1 << 31  # Go's os.ModeDir, as fsutil's Stat carries it
CONFIG_KEY = "containerimage.config"


def walk(bridge: Bridge, ref: str, folder: str = "") -> dict[str, fsutil_pb2.Stat]:
    """Every file under `folder` of a solved source, by relative path."""
    found: dict[str, fsutil_pb2.Stat] = {}
    for entry in bridge.read_dir(ref, folder or "/"):
        path = f"{folder}/{entry.path}" if folder else entry.path
        if entry.mode & DIRECTORY_MODE:
            found |= walk(bridge, ref, path)
        else:
            found[path] = entry
    return found


def scan_context(bridge: Bridge, request: BuildRequest) -> ContextFiles:
    """The manifests, dependency files and .dockerignore of the context
    (only those are transferred here; the build itself reads the app), and
    for the lint, the requirements files' contents."""
    ref = bridge.solve(marshal(dependency_files_source(request)), evaluate=True)
    files = walk(bridge, ref)
    check_context_limits(files)
    manifests = {path: bridge.read_file(ref, path, limit=limits.MANIFEST_BYTES)
                 for path in sorted(files) if is_manifest(path)}
    dockerignore = (bridge.read_file(ref, DOCKERIGNORE_FILE, limit=limits.DECLARATION_BYTES)
                    .decode(errors="replace") if DOCKERIGNORE_FILE in files else "")
    texts = {path: bridge.read_file(ref, path, limit=limits.MANIFEST_BYTES)
             for path in sorted(files) if request.request_id == subrequests.LINT
             and path.endswith("requirements.txt")}
    return ContextFiles(frozenset(files), manifests, dockerignore, texts=texts)


def look_for_scripts(bridge: Bridge, request: BuildRequest, files: ContextFiles,
                     scripts: list[str]) -> ContextFiles:
    """`files` with which of `scripts` (paths in the main context) exist,
    and where those that are symbolic links point."""
    found: dict[str, fsutil_pb2.Stat] = {}
    if scripts:
        source = local(request.context_name, session_id=request.session_id, include=scripts,
                       shared_key=f"{request.context_name}-scripts",
                       label="look for the app's scripts")
        found = walk(bridge, bridge.solve(marshal(source), evaluate=True))
    return replace(files, existing_scripts=frozenset(found), script_links={
        path: stat.linkname for path, stat in found.items() if stat.linkname})


def check_context_limits(files: Mapping[str, fsutil_pb2.Stat]) -> None:
    manifests = [path for path in files if is_manifest(path)]
    if len(manifests) > limits.MANIFESTS:
        raise DeclarationError(f"the build context has {len(manifests)} MetaCall manifests; "
                               f"at most {limits.MANIFESTS} are read")
    if len(files) - len(manifests) > limits.DEPENDENCY_FILES:
        raise DeclarationError(f"the build context has {len(files) - len(manifests)} dependency "
                               f"files; at most {limits.DEPENDENCY_FILES} are read")
    for path in manifests:
        if files[path].size > limits.MANIFEST_BYTES:
            raise DeclarationError(f"{path} is {files[path].size:,} bytes; a manifest is at "
                                   f"most {limits.MANIFEST_BYTES:,}")


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
                  facts: Mapping[str, BuildFacts]) -> dict[str, BuildFacts]:
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
    taken: dict[str, dict[str, str]] = {platform: {} for platform in facts}
    missing = []
    for (platform, name, _), (ref, reason) in zip(wanted, looked, strict=True):
        if ref:
            taken[platform][name] = ref
        else:
            missing.append(f"{name} ({platform}): {reason}")
    if missing:
        bridge.warn(f"{len(missing)} of {len(wanted)} prebuilt layers are not in {repository}: "
                    "building them from source", missing)
    return {platform: replace(one, prebuilt=taken[platform]) for platform, one in facts.items()}


def _look_up(bridge: Bridge, platform: str, candidate: Candidate) -> tuple[str, str]:
    """(the candidate pinned by digest, "") or ("", why it is not taken)."""
    try:
        digest, config = bridge.resolve_image(candidate.ref, parse_platform(platform),
                                              timeout=REGISTRY_SECONDS)
    except grpc.RpcError as error:
        details = (error.details() or str(error.code())).strip().splitlines()
        return "", details[-1] if details else "not found"
    if ((config.get("config") or {}).get("Labels") or {}).get(KEY_LABEL) != candidate.key:
        return "", f"{candidate.ref} was built from other inputs (its key differs)"
    return f"{candidate.ref}@{digest}", ""


def solve_platforms(bridge: Bridge, parsed: ParsedDeclaration, request: BuildRequest,
                    facts: Mapping[str, BuildFacts], clock: Clock) -> None:
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
        platform: [sbom.attestation(bridge, ref, compiled[platform], _sbom_name(parsed, platform),
                                    request.source_date_epoch)]
        for platform, ref in refs.items()} if request.sbom else {}
    # The exporter matches attestations to images by these IDs, one image or several.
    listed = [{"ID": platform, "Platform": _oci_platform(platform)} for platform in refs]
    metadata = {"refs.platforms": json.dumps({"Platforms": listed}).encode()}
    if len(refs) == 1:
        (platform, ref), = refs.items()
        metadata[CONFIG_KEY] = json.dumps(compiled[platform].config).encode()
        bridge.return_result({"": ref}, metadata, attestations)
        return
    metadata |= {f"{CONFIG_KEY}/{platform}": json.dumps(one.config).encode()
                 for platform, one in compiled.items()}
    bridge.return_result(refs, metadata, attestations)


def _sbom_name(parsed: ParsedDeclaration, platform: str) -> str:
    languages = "-".join(parsed.declaration.languages or ("app",))
    return f"metacall-{languages}-{platform.replace('/', '-')}"


def _oci_platform(platform: str) -> dict[str, str]:
    os_name, architecture, *variant = platform.split("/")
    return {"architecture": architecture, "os": os_name,
            **({"variant": variant[0]} if variant else {})}


def answer_inspection(bridge: Bridge, parsed: ParsedDeclaration, request: BuildRequest,
                      facts: BuildFacts) -> None:
    """`--print=outline` and `--print=lint`: the build's inputs, or what
    looks wrong in them, without building."""
    if request.request_id == subrequests.LINT:
        bridge.return_metadata(subrequests.lint(*lint(parsed, facts, request)))
    else:
        bridge.return_metadata(subrequests.outline(*outline(Inspection(parsed, facts, request))))


class Clock:
    """Where a run's time goes, logged (to the daemon's log) as one line."""

    def __init__(self) -> None:
        self.last = self.started = time.monotonic()
        self.phases: list[tuple[str, float]] = [("start", _seconds_since_exec())]

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        self.phases.append((phase, now - self.last))
        self.last = now

    def summary(self) -> str:
        return ", ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in self.phases)


def _seconds_since_exec() -> float:
    """How long the process ran before the frontend's code (interpreter and
    imports), from /proc's start time."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def build(bridge: Bridge, environ: Mapping[str, str], early: EarlyReads | None = None) -> None:
    """One frontend run: a build, or the answer to a subrequest. `early`:
    the reads start() began (else they begin here)."""
    filename, text = "", ""
    clock = Clock()
    try:
        caps = bridge.ping()
        clock.mark("ping")
        request = early.request if early else request_from_environment(environ)
        filename = request.filename
        if request.request_id and request.request_id not in subrequests.SUPPORTED:
            raise RequestError(f"unsupported subrequest `{request.request_id}`")
        if request.request_id == subrequests.DESCRIBE:
            bridge.return_metadata(subrequests.describe())
            return
        early = early or start_reads(bridge, request)
        # Independent round trips to BuildKit: one at a time they add up in
        # every warm rebuild.
        with ThreadPoolExecutor(max_workers=1 + len(request.platforms)) as pool:
            context_files_call = pool.submit(scan_context, bridge, request)
            text = decode(early.declaration.result())
            parsed = parse(text)
            if request.request_id == subrequests.LIST_TARGETS:
                bridge.return_metadata(subrequests.targets(list_targets(
                    parsed, BuildFacts(context_files=context_files_call.result()))))
                return
            base_image_calls = {platform: pool.submit(
                base_image_config, bridge, early, base_image_ref(parsed), platform)
                for platform in request.platforms}
            context_files = context_files_call.result()
            context_files = look_for_scripts(bridge, request, context_files,
                                             named_scripts(parsed, context_files))
            disabled = {cap: reason for cap in MERGE_DIFF_CAPS if (reason := caps.disabled(cap))}
            bases = {platform: call.result() for platform, call in base_image_calls.items()}
            # For a build, loaded while the rest is read and compiled, not
            # after the return.
            loads = [*early.transfers, *(base.load or bridge.load_in_background(marshal(
                base_image_source(parsed, platform, base.digest)), request.cache_imports)
                for platform, base in bases.items() if not request.request_id)]
            facts = {platform: BuildFacts(base_config=base.config, base_digest=base.digest,
                                          merge_diff=not disabled,
                                          core_version=early.core_version.result(),
                                          context_files=context_files)
                     for platform, base in bases.items()}
        clock.mark("inputs")
        if request.request_id in (subrequests.OUTLINE, subrequests.LINT):
            answer_inspection(bridge, parsed, request, facts[request.platform])
            return
        if disabled:
            bridge.warn(
                "MergeOp/DiffOp are unavailable: composing the image with copies instead",
                [f"{cap}: {reason}" for cap, reason in disabled.items()]
                + ["Layers are then not shared between languages or images; Docker's "
                   "containerd image store enables MergeOp/DiffOp."],
            )
        facts = take_prebuilt(bridge, parsed, request, facts)
        clock.mark("prebuilt")
        wait_for(loads)
        clock.mark("loads")
        solve_platforms(bridge, parsed, request, facts, clock)
        log.info("timings: %s", clock.summary())
    except DeclarationError as error:
        bridge.return_error(declaration_status(error, filename, text))
    except RequestError as error:
        bridge.return_error(plain_status(f"metacall frontend: {error}"))
    except grpc.RpcError as error:
        # BuildKit's own error (a step that failed, with its source line)
        # goes back as it came; others get a word of context.
        bridge.return_error(rpc_status(error) or plain_status(
            f"metacall frontend: {error.details()}"))
    except Exception as error:  # the user must see it, not a bare exit code
        log.exception("unexpected failure")
        bridge.return_error(
            plain_status(f"metacall frontend failed: {type(error).__name__}: {error}")
        )
