from frontend.plan.recipe import Recipe


class Node(Recipe):
    tag = "node"
    title = "Node.js"
    script_option = "nodejs"
    # Node's headers: without them core's CMake downloads them from nodejs.org.
    build_packages = ("libnode-dev",)
    has_configuration = True
    runtime_env = (("NODE_PATH", "/usr/local/lib/node_modules"),)
    # metacall-runtime.sh installs libnode-dev; the loader needs only the shared library.
    runtime_packages = ("$(apt_dependency libnode-dev 'libnode[0-9]*')",)
    dependency_locks = ("package-lock.json",)
    dependency_secrets = (("npmrc", "/root/.npmrc"),)
    dependency_files = ("package.json",)
    installer_packages = ("nodejs", "npm")
    dependency_paths = ("/app/node_modules",)
    dependency_caches = ("/root/.npm",)

    @classmethod
    def install_dependencies(cls, manifest: str, present: frozenset[str]) -> str:
        # A lockfile pins the tree: npm ci installs exactly it.
        return "npm ci" if "package-lock.json" in present else "npm install"
