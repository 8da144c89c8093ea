import shlex

from frontend.llb import State
from frontend.plan.recipe import (
    Download,
    InstallCommand,
    Installer,
    LanguageSteps,
    Recipe,
    runtime_packages,
)
from frontend.plan.shell import apt_install

PIP_INSTALL = "pip install --break-system-packages --root-user-action=ignore"
# pip itself is pip's own wheel, as BuildKit downloads it from PyPI, where
# the Python from Debian runs it (3.8 on): Debian's python3-pip is 30
# packages on a bare bookworm (with setuptools, wheel and distutils, which
# pip takes from PyPI when a build needs them). Unpacked where Debian's own
# pip lives, it installs the app's dependencies where Debian's would, as
# Debian's sysconfig says; a pip configuration file keeps it from asking
# PyPI for a newer pip.
PIP_VERSION = "24.3.1"
PIP = Download(
    title=f"pip {PIP_VERSION}",
    url=("https://files.pythonhosted.org/packages/ef/7d/"
         "500c9ad20238fcfcb4cb9243eede163594d7020ce87bd9610c9e02771876/"
         f"pip-{PIP_VERSION}-py3-none-any.whl"),
    checksum="sha256:3790624780082365f47549d032f3770eeb2b1e8bd1f7b2e02dace1afa361b4ed",
    runs="python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))'",
    unpack=lambda path: (
        f"python3 -m zipfile -e {path} /usr/lib/python3/dist-packages "
        "&& printf '#!/bin/sh\\nexec python3 -m pip \"$@\"\\n' > /usr/bin/pip "
        "&& chmod 755 /usr/bin/pip "
        "&& mkdir -p /etc/xdg/pip "
        "&& printf '[global]\\ndisable-pip-version-check = true\\n' > /etc/xdg/pip/pip.conf"),
    packages=("python3-pip",),
)
# Debian byte-compiles the standard library with the interpreter, which the
# loader does not need: without the bytecode every process that loads Python
# compiles what it imports first (0.6 s for a script using metacall's port).
# The interpreter is installed to compile, then purged.
COMPILE_STANDARD_LIBRARY = (
    'py=$(basename /usr/lib/python3.[0-9]*) '
    '&& apt-get install -y --no-install-recommends "$py-minimal" '
    '&& "$py" -m compileall -q -j0 "/usr/lib/$py" && dpkg --purge "$py-minimal"'
)


# MetaCall's own Python port comes with core: an app's pin of the PyPI
# `metacall` package would replace it with one that cannot find this core.
KEEP_CORE_PORT = ("rm -rf /usr/local/lib/python3*/dist-packages/metacall "
                  "/usr/local/lib/python3*/dist-packages/metacall-[0-9]*.dist-info")


# Locked installs: the lock's exact versions, as requirements pip installs
# (the app's project itself is not a package to install, and its
# development dependencies stay out). uv reads uv.lock offline; it comes
# from PyPI at this version, into a folder that is not in the image.
UV_VERSION = "0.13.9"
LOCKED = "/tmp/metacall-locked-requirements.txt"
UV_EXPORT = (
    f"pip install --quiet --root-user-action=ignore --target /tmp/metacall-uv uv=={UV_VERSION} "
    "&& PYTHONPATH=/tmp/metacall-uv python3 -m uv export --frozen --no-dev --no-emit-project "
    f"--format requirements-txt --output-file {LOCKED}"
)
# Pipfile.lock's default section, as name[extras]==version ; markers.
# Poetry 2 exports poetry.lock with its export plugin, into the same place.
POETRY_VERSION = "2.2.1"
POETRY_EXPORT_VERSION = "1.9.0"
POETRY_EXPORT = (
    "pip install --quiet --root-user-action=ignore --target /tmp/metacall-poetry "
    f"poetry=={POETRY_VERSION} poetry-plugin-export=={POETRY_EXPORT_VERSION} "
    "&& PYTHONPATH=/tmp/metacall-poetry python3 -m poetry export --only main --without-hashes "
    f"--format requirements.txt --output {LOCKED}"
)
PIPFILE_LOCK_TO_REQUIREMENTS = """\
import json
for name, entry in json.load(open("Pipfile.lock"))["default"].items():
    extras = "[" + ",".join(entry["extras"]) + "]" if entry.get("extras") else ""
    markers = " ; " + entry["markers"] if entry.get("markers") else ""
    print(name + extras + entry.get("version", "") + markers)
"""
PIPFILE_LOCK_EXPORT = f"python3 -c {shlex.quote(PIPFILE_LOCK_TO_REQUIREMENTS)} > {LOCKED}"
PIPFILE_WITHOUT_LOCK = ("echo \"Pipfile has no Pipfile.lock beside it: lock it (pipenv lock), "
                        "or give a requirements.txt\" >&2 && exit 1")


def pip_install(manifest: str, beside: frozenset[str], building: bool) -> InstallCommand:
    """pip installs, whatever reads a lock first (uv, Poetry, a Pipfile.lock's export)."""
    if manifest == "requirements.txt":
        install = f'{PIP_INSTALL} -r "$1"'
    elif manifest == "Pipfile":
        if "Pipfile.lock" not in beside:
            return InstallCommand("pip install", PIPFILE_WITHOUT_LOCK)
        install = f"{PIPFILE_LOCK_EXPORT} && {PIP_INSTALL} -r {LOCKED}"
    elif "uv.lock" in beside:
        install = f"{UV_EXPORT} && {PIP_INSTALL} -r {LOCKED}"
    elif "poetry.lock" in beside:
        install = f"{POETRY_EXPORT} && {PIP_INSTALL} -r {LOCKED}"
    else:
        install = f"{PIP_INSTALL} ."
    return InstallCommand("pip install", f"{install} && {KEEP_CORE_PORT}")


class Python(Recipe):
    title = "Python"
    script_option = "python"
    links_openssl = True
    has_configuration = True
    installer = Installer(
        files=("requirements.txt", "pyproject.toml", "Pipfile"),
        locks=("uv.lock", "poetry.lock", "Pipfile.lock"), packages=("python3",),
        download=PIP,
        # Where Debian's pip installs as root, and which Debian's site.py adds.
        paths=("/usr/local/lib",), caches=("/root/.cache/pip",),
        secrets=(("pip.conf", "/etc/pip.conf"),), command=pip_install,
    )

    def environment_script(self, build: LanguageSteps) -> str:
        if build.core_tests:
            return super().environment_script(build)
        # Core's script installs these, then what its Python tests import:
        # setuptools and wheel (kept: the py port installs with pip, offline),
        # and numpy, scipy, scikit-learn and more, unpacked and byte-compiled
        # for nothing.
        interpreter = "python3-dbg" if build.build_type == "debug" else "python3"
        return apt_install((interpreter, "python3-dev", "python3-pip",
                            "python3-setuptools", "python3-wheel"))

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        # metacall-runtime.sh installs libpython3-dev; the loader needs only
        # the shared library.
        return build.install_runtime(on, runtime_packages(
            "$(apt_dependency libpython3-stdlib 'libpython3\\.[0-9]*')"
        ) + f" && {COMPILE_STANDARD_LIBRARY}")
