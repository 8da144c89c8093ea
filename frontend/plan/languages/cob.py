from frontend.llb import State
from frontend.plan.recipe import LanguageSteps, Recipe, runtime_packages
from frontend.plan.shell import apt_install


class Cobol(Recipe):
    title = "COBOL"
    script_option = "cobol"

    def environment_script(self, build: LanguageSteps) -> str:
        # core's scripts add Debian unstable for GnuCOBOL; bookworm ships GnuCOBOL 3.
        return apt_install(("gnucobol3",))

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        return build.install_runtime(on, runtime_packages("libcob4"))
