from frontend.plan.recipe import Recipe


class Ruby(Recipe):
    tag = "rb"
    title = "Ruby"
    script_option = "ruby"
    has_configuration = True
    # metacall-runtime.sh installs ruby; the loader needs only the shared library.
    runtime_packages = ("$(apt_dependency libruby 'libruby[0-9.]*')",)
    dependency_locks = ("Gemfile.lock",)
    dependency_secrets = (("bundle-config", "/root/.bundle/config"),)
    dependency_files = ("Gemfile",)
    installer_packages = ("ruby", "ruby-bundler")
    dependency_paths = ("/var/lib/gems",)

    @classmethod
    def install_dependencies(cls, manifest: str, present: frozenset[str]) -> str:
        return "bundle install"
