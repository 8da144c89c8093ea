"""The runtime image: base + every language's runtime libraries + the files
core's install step wrote, composed (merged, or copied without MergeOp).

- runtime-<L> = base + the recipe's runtime libraries (`metacall-runtime.sh <L>`)
- runtime     = Merge(base, Diff(base, runtime-<L>)…, Diff(built-<L>, installed-<L>)…)

OpenSSL, which most languages' runtimes link, is a layer of its own
(base + libssl) under each of those languages' branches: installed in each,
it would be in the image once per language.

Adding a language never rebuilds another; images with languages in common
share those layers; no compiler, header, source or build tree gets in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

from frontend.llb import State
from frontend.plan.compose import BranchLayer, Layer, compose
from frontend.plan.core import CORE_LABEL, CoreGraph
from frontend.plan.layout import CONFIGURATION_DIR
from frontend.plan.prebuilt import PrebuiltLayer
from frontend.plan.recipe import cli_provider, recipe_for, runtime_packages, with_requirements
from frontend.plan.shell import FINISH_RUNTIME

OPENSSL_LABEL = "openssl"


class Runtime:
    def __init__(self, core: CoreGraph, languages: Sequence[str]) -> None:
        self.core = core
        self.languages = tuple(languages)
        self.tags = with_requirements(self.languages)

    def branch(self, label: str, on: State) -> State:
        """`on` + the runtime libraries of one language (or of core, or
        OpenSSL's)."""
        build = self.core.language(label)
        if label == CORE_LABEL:
            # What `metacall-runtime.sh backtrace` installs (libdw1t64 from
            # trixie on), without the wget and gpg it installs and removes.
            return build.install_runtime(
                on, runtime_packages("$(apt_dependency libdw-dev 'libdw1[t0-9]*')"))
        if label == OPENSSL_LABEL:
            return build.install_runtime(
                on, runtime_packages("$(apt_dependency libssl-dev 'libssl3[t0-9]*')"))
        return recipe_for(label).runtime_libraries(on, build)

    def library_layers(self) -> dict[str, Layer]:
        """Each language's (and core's, and OpenSSL's) runtime libraries, by
        the names they are published under (see prebuilt.py)."""
        base = self.core.inputs.base
        on_openssl = {tag for tag in self.tags if recipe_for(tag).links_openssl}
        openssl = self.branch(OPENSSL_LABEL, base) if on_openssl else base
        labels = (CORE_LABEL, *([OPENSSL_LABEL] if on_openssl else []), *self.tags)
        return {
            f"{label}-libraries": BranchLayer(f"[{label}] runtime libraries",
                                              openssl if label in on_openssl else base,
                                              partial(self.branch, label))
            for label in labels
        }

    def named_layers(self, *, cli: bool) -> dict[str, Layer]:
        """The layers the runtime composes, by the names they are published
        under: the runtime libraries, what core's runtime install wrote per
        declared language, and with `cli` what its CLI install wrote."""
        layers = self.library_layers()
        layers |= {f"{tag}-files": self.core.build((tag,)).runtime_files
                   for tag in self.languages}
        if cli:
            provider = cli_provider(self.languages)
            layers[f"cli-{provider}"] = self.core.build((provider,)).cli_files
        return layers

    def _prebuilt_where_published(self, layers: dict[str, Layer], name: str) -> list[Layer]:
        """`layers`, each replaced by its prebuilt one where the inputs have it."""
        prebuilt = self.core.inputs.prebuilt
        return [PrebuiltLayer(f"[{name}] prebuilt {key}", prebuilt[key]) if key in prebuilt
                else layer for key, layer in layers.items()]

    def with_libraries(self, tag: str) -> State:
        """base + one language's runtime libraries (over OpenSSL's, if it
        links them), apt's package list with them: where the app's installer
        (pip, npm, Bundler) is installed, so apt does not unpack the
        libraries the runtime has already (libnode, ICU, libpython, libruby)."""
        keys = [*([f"{OPENSSL_LABEL}-libraries"] if recipe_for(tag).links_openssl else []),
                f"{tag}-libraries"]
        libraries = self.library_layers()
        return compose(self.core.inputs.base,
                       self._prebuilt_where_published({key: libraries[key] for key in keys}, tag),
                       merge_diff=self.core.inputs.merge_diff,
                       name=f"[{tag}] runtime libraries, for the app's installer")

    def assemble(self, extra: Sequence[Layer], *, cli: bool, name: str) -> State:
        """base + the named layers (prebuilt ones where the inputs have them)
        + `extra`."""
        layers = self._prebuilt_where_published(self.named_layers(cli=cli), name)
        state = compose(self.core.inputs.base, [*layers, *extra],
                        merge_diff=self.core.inputs.merge_diff,
                        name=f"[{name}] merge language layers")
        state = state.mkfile(
            f"{CONFIGURATION_DIR}/global.json", self.global_configuration(),
            name=f"[{name}] write global.json for every loader",
        )
        return self.core.steps.run(
            state, FINISH_RUNTIME,
            name=f"[{name}] link loader libraries, merge package lists", network=False,
        )

    def global_configuration(self) -> bytes:
        """global.json naming every declared loader: each branch installed one
        naming only its own, and a merge keeps just the last of them."""
        config: dict[str, str] = {
            f"{tag}_loader": f"{CONFIGURATION_DIR}/{tag}_loader.json"
            for tag in self.tags
            if recipe_for(tag).has_configuration
        }
        config["log_level"] = "Debug" if self.core.options.build_type == "debug" else "Error"
        return (json.dumps(config, indent=1, sort_keys=True) + "\n").encode()
