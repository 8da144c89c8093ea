from frontend.plan.recipe import Recipe


class Python(Recipe):
    tag = "py"
    title = "Python"
    script_option = "python"
    has_configuration = True
    verified = True
    # metacall-runtime.sh installs libpython3-dev; the loader needs only the shared library.
    runtime_packages = ("$(apt_dependency libpython3-stdlib 'libpython3\\.[0-9]*')",)
