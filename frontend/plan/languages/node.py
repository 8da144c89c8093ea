import json

from frontend.llb import State
from frontend.plan.layout import METACALL_PATH
from frontend.plan.recipe import (
    Download,
    InstallCommand,
    Installer,
    LanguageSteps,
    Recipe,
    runtime_packages,
)
from frontend.plan.shell import apt_install

# MetaCall's own Node.js port comes with core (NODE_PATH): an app's
# `metacall` package from npm would shadow it with one built for another
# core. npm prune can leave links in node_modules/.bin to the packages it
# removed (lockfiles of npm 6): BuildKit cannot copy a dangling link. A
# package.json without dependencies leaves no node_modules: an empty one
# stands for it, as the layer copies that folder.
TIDY = ("mkdir -p node_modules && rm -rf node_modules/metacall "
        "&& find node_modules -xtype l -delete")
# npm itself comes from npm's registry, as BuildKit downloads it, where the
# Node.js from Debian runs it: Debian's npm (npm 9.2, split into node-*
# packages, with node-gyp and libnode-dev) is 387 packages on a bare
# bookworm, the longest step of a cold app build. An older Node.js
# (Ubuntu 22.04's 12) gets Debian's npm. It goes where npm installs itself
# globally, with npm's own configuration file telling it not to look for a
# newer npm (a request, and a notice in the step's log).
NPM_VERSION = "10.8.2"
NPM_CHECKSUM = "sha256:c8c61ba0fa0ab3b5120efd5ba97fdaf0e0b495eef647a97c4413919eda0a878b"
NPM_PATH = "/usr/lib/node_modules/npm"
# npm_runs_on VERSION: whether npm NPM_VERSION runs on that Node.js (its
# engines: ^18.17.0 || >=20.5.0).
NPM_RUNS_ON = ('npm_runs_on() { { dpkg --compare-versions "$1" ge 18.17 '
               '&& dpkg --compare-versions "$1" lt 19; } '
               '|| dpkg --compare-versions "$1" ge 20.5; }')


NPM = Download(
    title=f"npm {NPM_VERSION}", url=f"https://registry.npmjs.org/npm/-/npm-{NPM_VERSION}.tgz",
    checksum=NPM_CHECKSUM,
    runs=f'{{ {NPM_RUNS_ON}; npm_runs_on "$(node -p process.versions.node)"; }}',
    unpack=lambda path: (
        f"mkdir -p {NPM_PATH} && tar -xzf {path} -C {NPM_PATH} --strip-components=1 "
        f"--no-same-owner && echo update-notifier=false > {NPM_PATH}/npmrc "
        f"&& ln -s {NPM_PATH}/bin/npm-cli.js /usr/bin/npm "
        f"&& ln -s {NPM_PATH}/bin/npx-cli.js /usr/bin/npx"),
    packages=("npm",),
)

# What core's `metacall-environment.sh nodejs` installs (Python for
# node-gyp) and Node's headers, but npm, and g++ and make, which core's
# base already installed (build-essential).
CORE_BUILD_PACKAGES = ("python3", "nodejs", "curl", "libnode-dev")

# pnpm and Yarn come from npm (into the install step, not the image), at
# the version package.json's `packageManager` names, else these; they
# install into node_modules: pnpm's hoisted layout, Yarn 2+ without
# Plug'n'Play, which MetaCall's loader cannot resolve through. Their
# stores are in /root/.cache/node, a cache. (Not through corepack: it
# checks npm's signatures, which registry mirrors may not serve.)
PNPM_VERSION = "9.15.0"
YARN_1_VERSION = "1.22.22"
YARN_BERRY_VERSION = "4.5.3"
# `wanted TOOL`: the version of TOOL that packageManager names, or nothing.
WANTED = ("wanted() { node -e 'const m = (require(\"./package.json\").packageManager || \"\")"
          ".split(\"+\")[0]; const p = process.argv[1] + \"@\"; "
          "process.stdout.write(m.startsWith(p) ? m.slice(p.length) : \"\")' \"$1\"; }")
GLOBAL_INSTALL = "npm install --global --no-audit --no-fund --loglevel=error"
PACKAGE_MANAGER_ENV = ("export YARN_NODE_LINKER=node-modules YARN_ENABLE_GLOBAL_CACHE=1 "
                       "YARN_GLOBAL_FOLDER=/root/.cache/node/yarn-berry "
                       "YARN_CACHE_FOLDER=/root/.cache/node/yarn && ")
PNPM = ("pnpm install --frozen-lockfile --config.node-linker=hoisted "
        "--store-dir=/root/.cache/node/pnpm")
# Yarn 1's lockfile says so on its first lines; Yarn 2+ has no --production
# but focuses the workspaces on their production dependencies.
YARN_1 = 'head -n 3 yarn.lock | grep -q "yarn lockfile v1"'
PNPM_SETUP = (f'{WANTED}; v=$(wanted pnpm) && {GLOBAL_INSTALL} "pnpm@${{v:-{PNPM_VERSION}}}" '
              f"&& {PACKAGE_MANAGER_ENV}")
YARN_SETUP = (f"{WANTED}; v=$(wanted yarn); if {YARN_1}; then "
              f'{GLOBAL_INSTALL} "yarn@${{v:-{YARN_1_VERSION}}}"; '
              f'else {GLOBAL_INSTALL} "@yarnpkg/cli-dist@${{v:-{YARN_BERRY_VERSION}}}"; fi '
              f"&& {PACKAGE_MANAGER_ENV}")
YARN = "yarn install --frozen-lockfile --non-interactive"
YARN_BERRY = "yarn install --immutable"
YARN_BERRY_PRODUCTION = "yarn workspaces focus --all --production"


def npm_install(manifest: str, beside: frozenset[str], building: bool) -> InstallCommand:
    """Exactly the lockfile's tree; devDependencies stay out of the image,
    but for a build script (pruned after it)."""
    if "pnpm-lock.yaml" in beside:
        return InstallCommand("pnpm install", f"{PNPM_SETUP}{PNPM}"
                                              f"{'' if building else ' --prod'} && {TIDY}")
    if "yarn.lock" in beside:
        berry = YARN_BERRY if building else f"{YARN_BERRY} && {YARN_BERRY_PRODUCTION}"
        return InstallCommand("yarn install", (
            f"{YARN_SETUP}if {YARN_1}; then "
            f"{YARN}{'' if building else ' --production'}; else {berry}; fi && {TIDY}"))
    install = "npm ci" if "package-lock.json" in beside else "npm install"
    return InstallCommand(install, f"{install}{'' if building else ' --omit=dev'} && {TIDY}")


def npm_prune(beside: frozenset[str]) -> InstallCommand:
    """What only the build needed out of node_modules, offline: each
    manager's own production install."""
    if "pnpm-lock.yaml" in beside:
        return InstallCommand("pnpm install --prod", (
            f"{PACKAGE_MANAGER_ENV}{PNPM} --prod --offline && {TIDY}"))
    if "yarn.lock" in beside:
        return InstallCommand("yarn install --production", (
            f"{PACKAGE_MANAGER_ENV}if {YARN_1}; then {YARN} --production --offline; "
            f"else YARN_ENABLE_NETWORK=0 {YARN_BERRY_PRODUCTION}; fi && {TIDY}"))
    return InstallCommand("npm prune", f"npm prune --omit=dev --offline && {TIDY}")


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
    links_openssl = True
    provides_cli = True
    has_configuration = True
    runtime_env = (("NODE_PATH", "/usr/local/lib/node_modules"),)
    installer = Installer(
        files=("package.json",), locks=("package-lock.json", "pnpm-lock.yaml", "yarn.lock"),
        packages=("nodejs",), download=NPM, paths=("node_modules",),
        caches=("/root/.npm", "/root/.cache/node"),
        secrets=(("npmrc", "/root/.npmrc"),), command=npm_install,
        build_script=npm_build_script, prune=npm_prune,
    )

    def environment_script(self, build: LanguageSteps) -> str:
        # Node's headers: without them core's CMake downloads them from nodejs.org.
        return super().environment_script(build) + " && " + apt_install(("libnode-dev",))

    def build_dependencies(self, deps: State, build: LanguageSteps) -> State:
        if build.core_tests:
            return super().build_dependencies(deps, build)
        # Core's script installs Debian's npm among these; the build of the
        # loader's bootstrap and of the port only runs `npm install`, which
        # the installer's npm does.
        return build.run(deps, f"{apt_install(CORE_BUILD_PACKAGES)} && {NPM.setup_script()}",
                         name="install build dependencies", cwd=METACALL_PATH,
                         mounts=[NPM.mount()])

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        # metacall-runtime.sh installs libnode-dev; the loader needs only the shared library.
        return build.install_runtime(
            on, runtime_packages("$(apt_dependency libnode-dev 'libnode[0-9]*')"))
