"""The one route table: what a request id (a subrequest, or "" for a
build) needs read and how it is answered. `--print=subrequests.describe`
lists it; nothing else decides what a run does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from frontend.compile import BuildFacts, list_targets
from frontend.gateway.bridge import Bridge
from frontend.gateway.inputs import Inputs, Needs
from frontend.gateway.reads import wait_for
from frontend.gateway.solve import solve_platforms, take_prebuilt
from frontend.gateway.timing import Clock
from frontend.subrequests.inspection import Inspection
from frontend.subrequests.lint import lint
from frontend.subrequests.outline import OUTLINE_VERSION, outline
from frontend.subrequests.report import Report
from frontend.subrequests.targets import targets

VERSION = "1.0.0"
BUILD = ""
DESCRIBE = "frontend.subrequests.describe"
TARGETS = "frontend.targets"
OUTLINE = "frontend.outline"
LINT = "frontend.lint"


@dataclass(frozen=True)
class Route:
    description: str
    needs: Needs
    # A report to return, or None when the route returned the result itself.
    answer: Callable[[Bridge, Inputs, Clock], Report | None]
    version: str = VERSION
    # Whether the scan reads the dependency files' contents (the lint's rules do).
    reads_texts: bool = False


def _build(bridge: Bridge, inputs: Inputs, clock: Clock) -> None:
    if inputs.disabled:
        bridge.warn(
            "MergeOp/DiffOp are unavailable: composing the image with copies instead",
            [f"{cap}: {reason}" for cap, reason in inputs.disabled.items()]
            + ["Layers are then not shared between languages or images; Docker's "
               "containerd image store enables MergeOp/DiffOp."],
        )
    facts = take_prebuilt(bridge, inputs.parsed_declaration, inputs.request, inputs.facts)
    clock.mark("prebuilt")
    wait_for(inputs.loads)
    clock.mark("loads")
    solve_platforms(bridge, inputs.parsed_declaration, inputs.request, facts, clock)


def _facts(inputs: Inputs) -> BuildFacts:
    return inputs.facts[inputs.request.platform]


def _describe(bridge: Bridge, inputs: Inputs, clock: Clock) -> Report:
    listed = {name: route for name, route in ROUTES.items() if name != BUILD}
    requests = [
        {"name": name, "version": route.version, "type": "rpc",
         "description": route.description,
         "metadata": [{"name": "result.json"}, {"name": "result.txt"},
                      *([{"name": "result.statuscode"}] if name == LINT else [])]}
        for name, route in listed.items()
    ]
    text = "".join(f"{name.removeprefix('frontend.')}\t{route.description}\n"
                   for name, route in listed.items())
    return Report(requests, text)


ROUTES: dict[str, Route] = {
    BUILD: Route("Build the target", Needs.FACTS, _build),
    DESCRIBE: Route("List available subrequest types", Needs.NOTHING, _describe),
    TARGETS: Route("List all targets current build supports", Needs.CONTEXT,
                   lambda bridge, inputs, clock: targets(list_targets(inputs.parsed_declaration,
                                                                      _facts(inputs)))),
    OUTLINE: Route("List the build's inputs: languages, contexts, secrets, manifests, "
                   "build args", Needs.FACTS,
                   lambda bridge, inputs, clock: outline(Inspection(
                       inputs.parsed_declaration, _facts(inputs), inputs.request)),
                   version=OUTLINE_VERSION),
    LINT: Route("Check the declaration and the app for likely mistakes", Needs.FACTS,
                lambda bridge, inputs, clock: lint(inputs.parsed_declaration, _facts(inputs),
                                                   inputs.request),
                reads_texts=True),
}
