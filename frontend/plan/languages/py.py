from frontend.plan.recipe import Recipe


class Python(Recipe):
    tag = "py"
    title = "Python"
    script_option = "python"
    has_configuration = True
    # metacall-runtime.sh installs libpython3-dev; the loader needs only the shared library.
    runtime_packages = ("$(apt_dependency libpython3-stdlib 'libpython3\\.[0-9]*')",)
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
