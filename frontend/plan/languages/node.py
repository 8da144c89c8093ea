from frontend.llb import State
from frontend.plan.recipe import Installer, LanguageSteps, Recipe, runtime_packages
from frontend.plan.shell import apt_install


def npm_install(manifest: str, beside: frozenset[str]) -> str:
    # A lockfile pins the tree: npm ci installs exactly it; devDependencies
    # stay out of the image. MetaCall's own Node.js port comes with core
    # (NODE_PATH): an app's `metacall` package from npm would shadow it with
    # one built for another core.
    install = "npm ci" if "package-lock.json" in beside else "npm install"
    return f"{install} --omit=dev && rm -rf node_modules/metacall"


class Node(Recipe):
    title = "Node.js"
    script_option = "nodejs"
    provides_cli = True
    has_configuration = True
    runtime_env = (("NODE_PATH", "/usr/local/lib/node_modules"),)
    installer = Installer(
        files=("package.json",), locks=("package-lock.json",), packages=("nodejs", "npm"),
        paths=("node_modules",), caches=("/root/.npm",),
        secrets=(("npmrc", "/root/.npmrc"),), command=npm_install,
    )

    def environment_script(self, build: LanguageSteps) -> str:
        # Node's headers: without them core's CMake downloads them from nodejs.org.
        return super().environment_script(build) + " && " + apt_install(("libnode-dev",))

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        # metacall-runtime.sh installs libnode-dev; the loader needs only the shared library.
        return build.install_runtime(
            on, runtime_packages("$(apt_dependency libnode-dev 'libnode[0-9]*')"))

