import shlex

from frontend.plan.layout import BUILD_PATH
from frontend.plan.recipe import LanguageSteps, Recipe
from frontend.plan.shell import apt_install

# concurrentqueue: core's CMake would otherwise download it from GitHub.
CMAKE_DEFINITIONS = ("-DConcurrentQueue_SOURCE_DIR=/usr/include/concurrentqueue",)


class Rpc(Recipe):
    title = "RPC"
    script_option = "rpc"
    links_openssl = True

    def environment_script(self, build: LanguageSteps) -> str:
        words = " ".join(shlex.quote(d) for d in CMAKE_DEFINITIONS)
        return (super().environment_script(build) + " && "
                + apt_install(("libconcurrentqueue-dev",))
                + f" && printf '%s\\n' {words} >> {BUILD_PATH}/CMakeConfig.txt")
