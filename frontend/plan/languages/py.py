from frontend.plan.recipe import Recipe


class Python(Recipe):
    tag = "py"
    title = "Python"
    script_option = "python"
    has_configuration = True
    # metacall-runtime.sh installs libpython3-dev; the loader needs only the shared library.
    runtime_packages = ("$(apt_dependency libpython3-stdlib 'libpython3\\.[0-9]*')",)
    # Debian byte-compiles the standard library with the interpreter, which
    # the loader does not need: without the bytecode every process that loads
    # Python compiles what it imports first (0.6 s for a script using
    # metacall's port). The interpreter is installed to compile, then purged.
    runtime_setup = (
        'py=$(basename /usr/lib/python3.[0-9]*) '
        '&& apt-get install -y --no-install-recommends "$py-minimal" '
        '&& "$py" -m compileall -q -j0 "/usr/lib/$py" && dpkg --purge "$py-minimal"'
    )
    dependency_secrets = (("pip.conf", "/etc/pip.conf"),)
    dependency_files = ("requirements.txt", "pyproject.toml")
    installer_packages = ("python3-pip",)
    # Where Debian's pip installs as root, and which Debian's site.py adds.
    dependency_paths = ("/usr/local/lib",)
    dependency_caches = ("/root/.cache/pip",)

    @classmethod
    def install_dependencies(cls, manifest: str, present: frozenset[str]) -> str:
        pip = "pip install --break-system-packages --root-user-action=ignore"
        if manifest.endswith(".txt"):
            return f"{pip} -r {manifest}"
        return f"{pip} ."
