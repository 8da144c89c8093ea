from frontend.declaration import Language
from frontend.llb import State
from frontend.plan.recipe import LanguageSteps, Recipe

# Core's TypeScript loader compiles, as JavaScript, every file the compiler
# emits for a script: with an app's tsconfig.json setting sourceMap (or
# declaration), `index.js.map` too, and the load fails on its first `:`.
# In the TypeScript branch only, the loader's bootstrap compiles JavaScript
# outputs alone (core's build compiles the bootstrap from this source).
BOOTSTRAP_SOURCE = "source/loaders/ts_loader/bootstrap/lib/bootstrap.ts"
EMIT_CALLBACK = "p.emit(sourceFile, (fileName, data) => {"
JAVASCRIPT_ONLY = EMIT_CALLBACK + " if (!/[.][cm]?js$/.test(fileName)) { return; }"


class TypeScript(Recipe):
    title = "TypeScript"
    script_option = "typescript"
    requires = (Language.NODE,)

    def build_dependencies(self, deps: State, build: LanguageSteps) -> State:
        # Core's script installs only react and react-dom, from npm at their
        # latest versions, for its tests; the loader builds on Node.js's.
        state = super().build_dependencies(deps, build) if build.core_tests else deps
        return build.patch_core_source(state, BOOTSTRAP_SOURCE, EMIT_CALLBACK, JAVASCRIPT_ONLY,
                                       name="let the TypeScript loader compile JavaScript only")
