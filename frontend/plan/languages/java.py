from frontend.llb import State
from frontend.plan.recipe import LanguageSteps, Recipe, runtime_packages


class Java(Recipe):
    title = "Java"
    script_option = "java"

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        # metacall-runtime.sh installs default-jre (with the X11 stack); the
        # loader needs only the JVM.
        return build.install_runtime(on, runtime_packages("default-jre-headless"))
