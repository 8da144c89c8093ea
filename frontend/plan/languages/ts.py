from frontend.declaration import Language
from frontend.llb import State
from frontend.plan.recipe import LanguageSteps, Recipe


class TypeScript(Recipe):
    title = "TypeScript"
    script_option = "typescript"
    requires = (Language.NODE,)

    def build_dependencies(self, deps: State, build: LanguageSteps) -> State:
        if build.core_tests:
            return super().build_dependencies(deps, build)
        # Core's script installs only react and react-dom, from npm at their
        # latest versions, for its tests; the loader builds on Node.js's.
        return deps
