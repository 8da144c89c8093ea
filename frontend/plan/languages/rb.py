from frontend.llb import State
from frontend.plan.recipe import Installer, LanguageSteps, Recipe, runtime_packages


class Ruby(Recipe):
    title = "Ruby"
    script_option = "ruby"
    has_configuration = True
    installer = Installer(
        files=("Gemfile",), locks=("Gemfile.lock",), packages=("ruby", "ruby-bundler"),
        paths=("/var/lib/gems",), secrets=(("bundle-config", "/root/.bundle/config"),),
        command=lambda manifest, present: "bundle install",
    )

    def runtime_libraries(self, on: State, build: LanguageSteps) -> State:
        # metacall-runtime.sh installs ruby; the loader needs only the shared library.
        return build.install_runtime(
            on, runtime_packages("$(apt_dependency libruby 'libruby[0-9.]*')"))
