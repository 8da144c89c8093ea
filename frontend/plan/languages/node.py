import json

from frontend.llb import State
from frontend.plan.recipe import Installer, LanguageSteps, Recipe, runtime_packages
from frontend.plan.shell import apt_install


def npm_install(manifest: str, beside: frozenset[str], building: bool) -> str:
    # A lockfile pins the tree: npm ci installs exactly it. devDependencies
    # stay out of the image, but for a build script (pruned after it).
    # MetaCall's own Node.js port comes with core (NODE_PATH): an app's
    # `metacall` package from npm would shadow it with one built for
    # another core.
    install = "npm ci" if "package-lock.json" in beside else "npm install"
    production = "" if building else " --omit=dev"
    return f"{install}{production} && rm -rf node_modules/metacall"


def npm_build_script(package_json: bytes) -> str | None:
    """`npm run build` when package.json has a build script (npm runs its
    prebuild and postbuild around it)."""
    try:
        scripts = json.loads(package_json).get("scripts")
    except (ValueError, AttributeError):
        return None  # npm's install reports a broken package.json, naming it
    if isinstance(scripts, dict) and isinstance(scripts.get("build"), str):
        return "npm run build"
    return None


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
        # npm prune can leave links in node_modules/.bin to the packages it
        # removed (lockfiles of npm 6): BuildKit cannot copy a dangling link.
        build_script=npm_build_script,
        prune="npm prune --omit=dev --offline && find node_modules -xtype l -delete",
    )

    def environment_script(self, build: LanguageSteps) -> str:
        # Node's headers: without them core's CMake downloads them from nodejs.org.
        return super().environment_script(build) + " && " + apt_install(("libnode-dev",))

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        # metacall-runtime.sh installs libnode-dev; the loader needs only the shared library.
        return build.install_runtime(
            on, runtime_packages("$(apt_dependency libnode-dev 'libnode[0-9]*')"))
